//! Signals, and the children berry runs.
//!
//! - Normally SIGINT (Ctrl-C) and SIGTERM stop berry with exit 130: the terminal modes saved at
//!   start are put back and the cursor a prompt may have hidden is shown again. Every record
//!   berry keeps is written atomically, so stopping at any instruction loses nothing.
//! - While a child owns the terminal (the pager, the editor), berry ignores SIGINT and SIGQUIT
//!   and waits for the child, as git does: the key is the child's to handle. SIGTERM is passed on
//!   to the child. When the child is gone, the terminal modes saved before it started are put
//!   back, so a child killed in raw mode does not leave the shell without echo.
//! - While a test command runs in its own process group, SIGINT and SIGTERM are forwarded to that
//!   group; the runner gives the group a grace period, then kills it, and berry exits 130. No
//!   process of the group outlives berry.
//!
//! - While `berry listen` runs, the first SIGINT or SIGTERM only asks it to stop: the step at
//!   work (a child in its own process group, which the signal does not reach) finishes and is
//!   recorded, the event is released, and berry exits. A second one stops berry at once.
//!
//! Handling runs on one thread fed by `signal-hook`, so nothing here runs in signal context.

use std::io::{IsTerminal, Write};
use std::os::fd::AsFd;
use std::process::{Child, ExitStatus};
use std::sync::Mutex;
use std::sync::atomic::{AtomicI32, Ordering};

use nix::sys::signal::{Signal, kill, killpg};
use nix::sys::termios::{SetArg, Termios, tcgetattr, tcsetattr};
use nix::unistd::Pid;
use signal_hook::consts::{SIGINT, SIGQUIT, SIGTERM};

/// No child holds the terminal or a process group.
const NONE: i32 = 0;
/// A test command is being started: a signal now is remembered and acted on once it runs.
const STARTING: i32 = -1;

/// The pid of the child owning the terminal, or `NONE`.
static TERMINAL_CHILD: AtomicI32 = AtomicI32::new(NONE);
/// Whether a child owns the terminal (its pid may not be known yet).
static TERMINAL_OWNED: AtomicI32 = AtomicI32::new(0);
/// The process group of the running test command, `STARTING`, or `NONE`.
static GROUP: AtomicI32 = AtomicI32::new(NONE);
/// The signal received while a child ran (0: none).
static RECEIVED: AtomicI32 = AtomicI32::new(0);
/// `berry listen` is running: a first SIGINT/SIGTERM sets [`STOP`] instead of exiting.
static LISTENING: AtomicI32 = AtomicI32::new(0);
/// A stop was asked for while listening.
static STOP: AtomicI32 = AtomicI32::new(0);
/// The terminal modes at start, put back on an interrupt.
static START_MODES: Mutex<Option<Termios>> = Mutex::new(None);

/// Installs the handling described above; call once, first thing.
pub fn install() {
    *START_MODES.lock().unwrap_or_else(|e| e.into_inner()) = terminal_modes();
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGQUIT]) else {
        return;
    };
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            for sig in signals.forever() {
                on_signal(sig);
            }
        })
        .ok();
}

fn on_signal(sig: i32) {
    if LISTENING.load(Ordering::SeqCst) != 0
        && sig != SIGQUIT
        && STOP.swap(sig, Ordering::SeqCst) == 0
    {
        return;
    }
    let group = GROUP.load(Ordering::SeqCst);
    if group != NONE && sig != SIGQUIT {
        RECEIVED.store(sig, Ordering::SeqCst);
        if group > 0
            && let Ok(s) = Signal::try_from(sig)
        {
            let _ = killpg(Pid::from_raw(group), s);
        }
        return;
    }
    if TERMINAL_OWNED.load(Ordering::SeqCst) != 0 {
        if sig == SIGTERM {
            RECEIVED.store(sig, Ordering::SeqCst);
            let child = TERMINAL_CHILD.load(Ordering::SeqCst);
            if child > 0 {
                let _ = kill(Pid::from_raw(child), Signal::SIGTERM);
            }
        }
        return;
    }
    if sig == SIGQUIT {
        let _ = signal_hook::low_level::emulate_default_handler(SIGQUIT);
        return;
    }
    let modes = START_MODES
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    restore_terminal(modes.as_ref());
    if std::io::stderr().is_terminal() {
        let _ = std::io::stderr().write_all(b"\x1b[?25h\ninterrupted\n");
    }
    std::process::exit(crate::error::Exit::Interrupted.code());
}

/// The modes of the terminal on stdin, when it is one.
fn terminal_modes() -> Option<Termios> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return None;
    }
    tcgetattr(stdin.as_fd()).ok()
}

fn restore_terminal(modes: Option<&Termios>) {
    if let Some(m) = modes {
        let _ = tcsetattr(std::io::stdin().as_fd(), SetArg::TCSADRAIN, m);
    }
}

/// From here on the first SIGINT or SIGTERM asks `berry listen` to stop (see
/// [`stop_requested`]) instead of exiting.
pub fn begin_listening() {
    LISTENING.store(1, Ordering::SeqCst);
}

/// The signal that asked the listener to stop, if one did.
pub fn stop_requested() -> Option<i32> {
    match STOP.load(Ordering::SeqCst) {
        0 => None,
        s => Some(s),
    }
}

/// The signal that arrived while a child ran (SIGINT or SIGTERM), taken once.
pub fn take_received() -> Option<i32> {
    match RECEIVED.swap(0, Ordering::SeqCst) {
        0 => None,
        s => Some(s),
    }
}

/// Hands the terminal to `child` until it exits: SIGINT and SIGQUIT are the child's while it
/// runs, SIGTERM is passed on to it. `feed` runs first (the pager's input is written there).
/// The terminal modes from before the child started are put back afterwards.
pub fn wait_owning_terminal(
    child: &mut Child,
    modes: Option<Termios>,
    feed: impl FnOnce(&mut Child),
) -> std::io::Result<ExitStatus> {
    TERMINAL_CHILD.store(child.id() as i32, Ordering::SeqCst);
    feed(child);
    let status = child.wait();
    TERMINAL_CHILD.store(NONE, Ordering::SeqCst);
    TERMINAL_OWNED.store(0, Ordering::SeqCst);
    restore_terminal(modes.as_ref());
    status
}

/// Call before spawning a child that will own the terminal; returns the modes to put back.
/// From here on SIGINT and SIGQUIT no longer stop berry (the child is about to receive them).
pub fn before_terminal_child() -> Option<Termios> {
    TERMINAL_OWNED.store(1, Ordering::SeqCst);
    terminal_modes()
}

/// Gives the terminal back when the child could not be started.
pub fn terminal_child_failed(modes: Option<Termios>) {
    TERMINAL_OWNED.store(0, Ordering::SeqCst);
    restore_terminal(modes.as_ref());
}

/// Runs `cmd` with the terminal handed to it (see [`wait_owning_terminal`]).
pub fn run_owning_terminal(cmd: &mut std::process::Command) -> std::io::Result<ExitStatus> {
    let modes = before_terminal_child();
    match cmd.spawn() {
        Ok(mut child) => wait_owning_terminal(&mut child, modes, |_| {}),
        Err(e) => {
            terminal_child_failed(modes);
            Err(e)
        }
    }
}

/// A test command's process group, registered so that SIGINT and SIGTERM reach it. Create it
/// before spawning ([`ProcessGroup::starting`]), then [`ProcessGroup::started`] with the pid.
pub struct ProcessGroup {
    pgid: Option<i32>,
}

impl ProcessGroup {
    /// From now on a signal is held for the command about to start.
    pub fn starting() -> ProcessGroup {
        RECEIVED.store(0, Ordering::SeqCst);
        GROUP.store(STARTING, Ordering::SeqCst);
        ProcessGroup { pgid: None }
    }

    /// The command runs as group `pgid`; a signal that came while it started is forwarded now.
    pub fn started(&mut self, pgid: i32) {
        self.pgid = Some(pgid);
        GROUP.store(pgid, Ordering::SeqCst);
        let pending = RECEIVED.load(Ordering::SeqCst);
        if pending != 0
            && let Ok(s) = Signal::try_from(pending)
        {
            let _ = killpg(Pid::from_raw(pgid), s);
        }
    }

    /// The signal forwarded to the group so far, if any (not taken).
    pub fn signalled(&self) -> Option<i32> {
        match RECEIVED.load(Ordering::SeqCst) {
            0 => None,
            s => Some(s),
        }
    }

    /// Sends `sig` to the whole group (nothing when it is gone).
    pub fn signal(&self, sig: Signal) {
        if let Some(g) = self.pgid {
            let _ = killpg(Pid::from_raw(g), sig);
        }
    }
}

impl Drop for ProcessGroup {
    fn drop(&mut self) {
        // Whatever the command left behind in its group goes with it.
        self.signal(Signal::SIGKILL);
        GROUP.store(NONE, Ordering::SeqCst);
    }
}

/// The name of a signal number, for messages.
pub fn name(sig: i32) -> &'static str {
    Signal::try_from(sig)
        .map(|s| s.as_str())
        .unwrap_or("a signal")
}
