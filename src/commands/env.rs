//! What every command starts from: the printer and the global options ([`Env`]), and what it
//! opens with them — the workspace, the REQ, the deliverables.

use std::path::PathBuf;

use anyhow::Result;

use super::Workspace;
use crate::context::Store;
use crate::deliverables::Source;
use crate::env_vars;
use crate::error::BerryError;
use crate::printer::Printer;
use crate::req::ReqNumber;

/// The global options, as plain values.
#[derive(Debug, Clone, Default)]
pub struct Globals {
    pub dir: Option<PathBuf>,
    pub config: Option<PathBuf>,
    pub req: Option<ReqNumber>,
    pub repo: Option<String>,
    pub deliverables: Option<PathBuf>,
    /// `--accept-config-change`: accept a changed working-tree `berry.toml` (review records it).
    pub accept_config_change: bool,
}

/// What every command starts from: the printer and the global options.
#[derive(Clone)]
pub struct Env {
    pub printer: Printer,
    pub globals: Globals,
    /// The REQ the command settled on (argument, `--req` or `CURRENT`), for its error report.
    pub resolved: std::cell::RefCell<Option<ReqNumber>>,
}

impl Env {
    /// The repository, its state folder and the configuration in force for the REQ named by
    /// `--req` or `CURRENT`. A working-tree `berry.toml` that differs from HEAD's is noted (once
    /// per process) as a change to the gate itself.
    pub fn workspace(&self) -> Result<Workspace> {
        let ws = Workspace::open(
            self.globals.dir.as_deref(),
            self.globals.config.as_deref(),
            self.globals.req.as_ref(),
            self.outer_layers()?,
        )?;
        static NOTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
        if let Some(note) = ws.gate.note()
            && !NOTED.swap(true, std::sync::atomic::Ordering::Relaxed)
        {
            self.printer.warn(note);
        }
        Ok(ws)
    }

    /// The REQ: the positional argument, else `--req`, else `CURRENT`.
    pub fn req(&self, positional: Option<ReqNumber>, store: &Store) -> Result<ReqNumber> {
        let req = match positional.or_else(|| self.globals.req.clone()) {
            Some(r) => r,
            None => store.current()?.ok_or_else(|| {
                BerryError::usage("no REQ given and none is current")
                    .with_hint("name it (`berry verify REQ-…`) or pass --req REQ")
            })?,
        };
        self.resolved.replace(Some(req.clone()));
        Ok(req)
    }

    /// The deliverables of the REQ: [`Workspace::source`].
    pub fn source(&self, ws: &Workspace) -> Result<Box<dyn Source>> {
        ws.source()
    }
}

impl Env {
    /// The layers around the repository's, from the environment and the flags (read here, at the
    /// edge, so no work module reads them).
    pub fn outer_layers(&self) -> Result<crate::settings::Outer> {
        env_vars::outer_layers(self.globals.deliverables.as_deref())
    }
}
