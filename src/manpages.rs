//! The manual pages: `berry.1` and one page per subcommand (`berry-verify.1`, …), generated from
//! the same clap definitions as `--help` (committed under `man/`, checked for drift), with the
//! value names in the SYNOPSIS and the hand-written sections clap does not know: ENVIRONMENT,
//! EXIT STATUS, FILES, EXAMPLES and SEE ALSO.

use std::io::{Result, Write};

use clap::Command;

/// One page: its file name (`berry-verify.1`) and its roff text.
pub struct Page {
    pub file: String,
    pub roff: Vec<u8>,
}

/// Every page, `berry.1` first.
pub fn pages(mut root: Command) -> Result<Vec<Page>> {
    root.build();
    let subs: Vec<Command> = visible_subcommands(&root).cloned().collect();
    let mut out = vec![Page {
        file: "berry.1".into(),
        roff: render(&root, None, &subs)?,
    }];
    for sub in &subs {
        out.push(Page {
            file: format!("berry-{}.1", sub.get_name()),
            roff: render(sub, Some(&root), &subs)?,
        });
    }
    Ok(out)
}

fn visible_subcommands(root: &Command) -> impl Iterator<Item = &Command> {
    root.get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
}

/// Roff text: backslashes and hyphens escaped.
fn esc(s: &str) -> String {
    s.replace('\\', "\\e").replace('-', "\\-")
}

fn render(cmd: &Command, parent: Option<&Command>, subs: &[Command]) -> Result<Vec<u8>> {
    let page = match parent {
        Some(_) => format!("berry-{}", cmd.get_name()),
        None => "berry".to_string(),
    };
    // clap keeps names as `&'static str`; a page name lives for the process anyway.
    let static_name: &'static str = Box::leak(page.clone().into_boxed_str());
    let man = clap_mangen::Man::new(cmd.clone().name(static_name))
        .title(page.clone())
        .section("1");
    let mut w = Vec::new();
    man.render_title(&mut w)?;
    man.render_name_section(&mut w)?;
    synopsis(&mut w, cmd, parent.is_some())?;
    man.render_description_section(&mut w)?;
    if let Some(details) = details(cmd.get_name(), parent.is_some()) {
        writeln!(w, ".PP\n{}", esc(details))?;
    }
    man.render_options_section(&mut w)?;
    if parent.is_none() {
        writeln!(w, ".SH COMMANDS")?;
        for s in subs {
            let about = s.get_about().map(|a| a.to_string()).unwrap_or_default();
            writeln!(
                w,
                ".TP\n\\fBberry\\-{}\\fR(1)\n{}",
                esc(s.get_name()),
                esc(&about)
            )?;
        }
        environment(&mut w)?;
    } else {
        nested(&mut w, cmd)?;
    }
    exit_status(&mut w)?;
    if parent.is_none() {
        files(&mut w)?;
    }
    examples(&mut w, parent.map(|_| cmd.get_name()))?;
    writeln!(w, ".SH \"SEE ALSO\"")?;
    let mut refs: Vec<String> = match parent {
        Some(_) => vec!["\\fBberry\\fR(1)".into()],
        None => subs
            .iter()
            .map(|s| format!("\\fBberry\\-{}\\fR(1)", esc(s.get_name())))
            .collect(),
    };
    refs.push("\\fBgit\\fR(1)".into());
    writeln!(w, "{}", refs.join(", "))?;
    if cmd.get_version().is_some() {
        man.render_version_section(&mut w)?;
    }
    Ok(w)
}

/// A subcommand's own subcommands (`berry guards check`): each with its arguments and its help.
fn nested(w: &mut Vec<u8>, cmd: &Command) -> Result<()> {
    let subs: Vec<&Command> = visible_subcommands(cmd).collect();
    if subs.is_empty() {
        return Ok(());
    }
    writeln!(w, ".SH COMMANDS")?;
    for s in subs {
        let mut head = format!(
            "\\fBberry {} {}\\fR",
            esc(cmd.get_name()),
            esc(s.get_name())
        );
        for a in s
            .get_arguments()
            .filter(|a| !a.is_hide_set() && !a.is_global_set() && a.get_id() != "help")
        {
            let value = a
                .get_value_names()
                .and_then(|v| v.first())
                .map(|v| v.to_string())
                .unwrap_or_else(|| a.get_id().as_str().to_uppercase());
            let many = matches!(a.get_action(), clap::ArgAction::Append);
            match a.get_long() {
                Some(l) => head.push_str(&format!(
                    " [\\fB\\-\\-{}\\fR \\fI{}\\fR]",
                    esc(l),
                    esc(&value)
                )),
                None => head.push_str(&format!(
                    " [\\fI{}\\fR]{}",
                    esc(&value),
                    if many { "..." } else { "" }
                )),
            }
        }
        writeln!(w, ".TP\n{head}")?;
        let about = s
            .get_long_about()
            .or(s.get_about())
            .map(|a| a.to_string())
            .unwrap_or_default();
        writeln!(w, "{}", esc(&about).replace("\n\n", "\n.IP\n"))?;
        for a in s
            .get_arguments()
            .filter(|a| !a.is_hide_set() && !a.is_global_set() && a.get_id() != "help")
        {
            let name = match a.get_long() {
                Some(l) => format!("\\-\\-{}", esc(l)),
                None => esc(&a
                    .get_value_names()
                    .and_then(|v| v.first())
                    .map(|v| v.to_string())
                    .unwrap_or_default()),
            };
            let help = a.get_help().map(|h| h.to_string()).unwrap_or_default();
            writeln!(w, ".IP\n\\fB{name}\\fR: {}", esc(&help))?;
        }
    }
    Ok(())
}

/// `berry verify [-C DIR] [--config FILE] … [REQ]`: every visible option with its value name.
fn synopsis(w: &mut Vec<u8>, cmd: &Command, sub: bool) -> Result<()> {
    writeln!(w, ".SH SYNOPSIS")?;
    let mut parts = vec![if sub {
        format!("\\fBberry {}\\fR", esc(cmd.get_name()))
    } else {
        "\\fBberry\\fR".to_string()
    }];
    for a in cmd.get_arguments().filter(|a| !a.is_hide_set()) {
        let value = a
            .get_value_names()
            .and_then(|v| v.first())
            .map(|v| v.to_string())
            .unwrap_or_else(|| a.get_id().as_str().to_uppercase());
        if a.is_positional() {
            let v = format!("\\fI{}\\fR", esc(&value));
            parts.push(if a.is_required_set() {
                v
            } else {
                format!("[{v}]")
            });
            continue;
        }
        let mut names = Vec::new();
        if let Some(s) = a.get_short() {
            names.push(format!("\\fB\\-{}\\fR", esc(&s.to_string())));
        }
        if let Some(l) = a.get_long() {
            names.push(format!("\\fB\\-\\-{}\\fR", esc(l)));
        }
        let takes = a.get_action().takes_values();
        let repeat = matches!(
            a.get_action(),
            clap::ArgAction::Count | clap::ArgAction::Append
        );
        parts.push(format!(
            "[{}{}]{}",
            names.join("|"),
            if takes {
                format!(" \\fI{}\\fR", esc(&value))
            } else {
                String::new()
            },
            if repeat { "..." } else { "" }
        ));
    }
    if !sub || visible_subcommands(cmd).next().is_some() {
        parts.push("\\fICOMMAND\\fR".into());
    }
    writeln!(w, "{}", parts.join(" "))
}

/// What `--help` does not say, per page.
fn details(name: &str, sub: bool) -> Option<&'static str> {
    if !sub {
        return Some(
            "Global options are accepted before or after the subcommand. Prompts appear only \
             when stdin and stderr are terminals; a question's default is the safe answer and \
             --yes takes it. Long text goes through the pager on a terminal (BERRY_PAGER, \
             core.pager, PAGER, less with LESS=FRX); the pager and the message editor own the \
             terminal while they run, and Ctrl-C is theirs. Every network exchange has a \
             deadline over the whole of it; a peer that stalls is exit 1 naming the setting.",
        );
    }
    Some(match name {
        "verify" => {
            "Reads the latest deliverable of every expected agent, from PostgreSQL or from a \
             folder, decides QA's verdict and records the evidence. The REQ becomes current."
        }
        "review" => {
            "Shows the deliverables, the change set within stage.paths with a diff preview, \
             the guards' findings, and lets the operator narrow the files to commit. File names \
             holding control characters are shown quoted."
        }
        "commit" => {
            "Re-checks the evidence and commits exactly the reviewed files, running the \
             repository's commit hooks; on a terminal the message may be edited."
        }
        "test" => {
            "Runs the configured test commands, each in its own process group with CI=true. \
             Ctrl-C or SIGTERM is passed on to the group, which is killed after a grace period."
        }
        "push" => "Pushes the commit to its branch, with the token from GH_TOKEN or GITHUB_TOKEN.",
        "pr" => "Opens (or finds) the pull request for the pushed branch.",
        "watch" => "Waits for the CI runs of the pushed commit and reports their conclusion.",
        "health" => "Checks the deployment's health for the pushed commit.",
        "complete" => "Marks the REQ DEPLOYED in the tracker and sends the completion notice.",
        "checklist" => "Goes through the security checklist for the shipped commit.",
        "block" => "Marks the REQ BLOCKED in the tracker and sends the blocked notice.",
        "status" => "Shows what the REQ context records: steps, evidence, side effects.",
        "run" => "Runs the steps in order, stopping at the first one that does not succeed.",
        "config" => {
            "Shows the configuration in force, key by key, with where each key is set: the \
             defaults, the user's config.toml, the repository's committed berry.toml, \
             environment variables, then flags."
        }
        "guards" => {
            "Runs berry's secret rules (the built-in ones, extended or replaced by the \
             repository's .gitleaks.toml) on files or stdin, outside any REQ, so a team can try \
             its rule file before committing it."
        }
        _ => return None,
    })
}

fn environment(w: &mut Vec<u8>) -> Result<()> {
    writeln!(w, ".SH ENVIRONMENT")?;
    for (name, meaning) in crate::env_vars::MANUAL {
        writeln!(w, ".TP\n\\fB{}\\fR\n{}", esc(name), esc(meaning))?;
    }
    Ok(())
}

fn exit_status(w: &mut Vec<u8>) -> Result<()> {
    writeln!(w, ".SH \"EXIT STATUS\"")?;
    for (code, meaning) in [
        ("0", "the step succeeded (or was already done)"),
        (
            "1",
            "operational failure: I/O, database, network, a server error or timeout",
        ),
        ("2", "usage or configuration error"),
        (
            "3",
            "a gate is closed: QA not approved, evidence changed, a guard, tests or CI failed",
        ),
        (
            "4",
            "a decision is needed and there is no terminal and no --yes, or it was declined",
        ),
        ("5", "timed out waiting"),
        ("130", "interrupted (Ctrl-C)"),
    ] {
        writeln!(w, ".TP\n\\fB{code}\\fR\n{}", esc(meaning))?;
    }
    Ok(())
}

fn files(w: &mut Vec<u8>) -> Result<()> {
    writeln!(w, ".SH FILES")?;
    for (file, meaning) in [
        ("berry.toml", "the repository's configuration, at its root"),
        (
            "<git dir>/berry/<REQ>.json",
            "the REQ context: evidence, steps, side effects (BERRY_STATE_DIR moves it)",
        ),
        ("<git dir>/berry/CURRENT", "the current REQ"),
        (
            ".gitleaks.toml",
            "the repository's secret rules (gitleaks format), as committed at HEAD; guards.rules names another file",
        ),
        (
            ".gitleaksignore",
            "findings the repository accepts, one path:rule-id:line fingerprint a line",
        ),
        (
            ".berry/templates/",
            "templates overriding the built-in commit, PR, CI-failure and completion texts",
        ),
    ] {
        writeln!(w, ".TP\n\\fI{}\\fR\n{}", esc(file), esc(meaning))?;
    }
    Ok(())
}

fn examples(w: &mut Vec<u8>, sub: Option<&str>) -> Result<()> {
    let list: &[(&str, &str)] = match sub {
        None => &[
            (
                "berry verify REQ-123",
                "check QA's approval and make REQ-123 current",
            ),
            ("berry review", "review the change set of the current REQ"),
            ("berry run --yes", "run every step with the safe defaults"),
            (
                "berry status --req REQ-123 --json",
                "the REQ's record as JSON",
            ),
        ],
        Some("verify") => &[
            ("berry verify REQ-123", "from PostgreSQL"),
            (
                "berry verify REQ-123 --deliverables ../deliverables",
                "from files",
            ),
        ],
        Some("review") => &[
            (
                "berry review",
                "on a terminal: preview, then pick the files",
            ),
            (
                "berry review --yes --no-pager",
                "take every file in scope, no pager",
            ),
        ],
        Some("test") => &[("berry test", "run the configured test commands")],
        Some("guards") => &[
            (
                "berry guards check config/app.env",
                "scan one file with the repository's rules",
            ),
            (
                "git diff | berry guards check",
                "scan text from stdin; exit 3 on a finding",
            ),
            (
                "berry guards check --rules team.toml src/a.ts",
                "try a rule file",
            ),
        ],
        Some(_) => &[],
    };
    if list.is_empty() {
        return Ok(());
    }
    writeln!(w, ".SH EXAMPLES")?;
    for (cmd, what) in list {
        writeln!(w, ".TP\n\\fB{}\\fR\n{}", esc(cmd), esc(what))?;
    }
    Ok(())
}
