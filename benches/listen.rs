//! Throughput of `berry listen`: 100 shippable REQs through 1, 2 and 4 listeners, in REQs per
//! minute, and the CPU time per REQ that is berry's own (not git's, not the test command's).
//!
//! For each number of listeners N, a fresh set-up: a bare `file://` origin whose `main` holds an
//! AgogSaaS-shaped base (one small module per REQ, a tracker with every REQ's entry, the
//! committed `berry.toml`), and per REQ a branch `agents/<REQ>` with a small change (one module
//! file modified, one migration added); a deliverables folder with the six approved deliverables
//! of each REQ; a JetStream stream of stage events and one of notices on the local nats-server.
//! N clones of the origin (`host-1` …), one `berry listen --source branch` in each (the release
//! binary), all bound to one durable consumer. The 100 `stage.started` events are published at
//! once; the clock runs from the first publish to the 100th notice on the notice subject. Every
//! REQ ships for real: verify, review, commit, test, push to the origin's `main` (rebased, tested
//! again and pushed again when another listener pushed first), the tracker commit, the
//! completion notice. The run fails unless every REQ's commit is on the origin and every notice
//! says COMPLETE.
//!
//! CPU time: every process the listeners start is waited for by its parent, so once the
//! listeners have exited, this process's `getrusage(RUSAGE_CHILDREN)` holds the CPU time of all
//! of them. git and the test command are told apart by putting a `git` first on the listeners'
//! `PATH` that is this very program: it runs the real git, waits for it and appends git's own
//! `RUSAGE_CHILDREN` (git and the processes git started) to a log. What the wrapper itself costs
//! per call is measured before the runs (`git --version` run directly and through the wrapper,
//! the same number of times) and taken off with git's share. The listeners' own CPU time (not
//! their children's) is read from `/proc/<pid>/stat` just before they are stopped. libgit2's
//! work runs inside berry's processes and counts as berry's. See benches/README.md.
//!
//! Run: `cargo bench --bench listen` (needs git and nats-server with JetStream at `NATS_URL`,
//! default nats://127.0.0.1:4222). `BERRY_BENCH_REQS` (100), `BERRY_BENCH_LISTENERS` ("1,2,4"),
//! `BERRY_BENCH_RUNS` (1; medians over the runs), `BERRY_BENCH_KEEP=DIR` keeps the set-ups there,
//! `BERRY_BENCH_BACKEND` (`nats-kv`, the listeners' `state.backend`; `file` gives each host a
//! record of its own, so a REQ redelivered to another host starts there from nothing).

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsString;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const ERP: &str = "Implementation/print-industry-erp";
/// The REQ the fixtures were written for; each bench REQ gets a copy with its own number.
const FIXTURE_REQ: &str = "REQ-STRATEGIC-AUTO-1767116143665";
const TITLE: &str = "Integrated CRM & Sales Pipeline Management";
const AGENTS: [(&str, &str); 6] = [
    (
        "cynthia",
        "deliverable_cynthia_completion_with_changes.json",
    ),
    (
        "sylvia",
        "deliverable_sylvia_critique_payload_decision.json",
    ),
    ("roy", "deliverable_roy_completion_notice_phase1.json"),
    ("jen", "deliverable_jen_completion_notice_with_changes.json"),
    ("billy", "deliverable_billy_qa_full_excerpt.json"),
    ("priya", "deliverable_priya_completion_notice.json"),
];
/// The test command every REQ runs (git, so the wrapper sees it; told apart by its arguments).
const TEST_ARGS: &str = "diff --check HEAD~1 HEAD";
/// Environment of the wrapper: the real git, and the log it appends to.
const REAL_GIT: &str = "LISTEN_BENCH_REAL_GIT";
const GIT_LOG: &str = "LISTEN_BENCH_GIT_LOG";
/// No notice for this long: the run is stuck, and fails.
const STALL: Duration = Duration::from_secs(600);

fn main() {
    let me = std::env::args_os().next().unwrap_or_default();
    if Path::new(&me).file_name().is_some_and(|n| n == "git") {
        std::process::exit(wrap_git());
    }
    if let Err(e) = bench() {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

/// The `git` on the listeners' PATH: the real git, its CPU time logged.
fn wrap_git() -> i32 {
    use std::os::unix::process::ExitStatusExt;
    let Some(real) = std::env::var_os(REAL_GIT) else {
        eprintln!("error: the bench's git wrapper needs {REAL_GIT}");
        return 127;
    };
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    let status = match Command::new(&real).args(&args).status() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: cannot run {}: {e}", Path::new(&real).display());
            return 127;
        }
    };
    if let Some(log) = std::env::var_os(GIT_LOG) {
        let shown: Vec<String> = args
            .iter()
            .map(|a| a.to_string_lossy().replace(['\n', '\t'], " "))
            .collect();
        let line = format!(
            "{}\t{}\n",
            cpu(libc::RUSAGE_CHILDREN).as_micros(),
            shown.join(" ")
        );
        // One write of a short line to a file opened for appending: the lines of wrappers
        // running at the same time do not mix.
        if let Ok(mut f) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
        {
            let _ = f.write_all(line.as_bytes());
        }
    }
    status
        .code()
        .unwrap_or_else(|| 128 + status.signal().unwrap_or(0))
}

/// User plus system CPU time of `who` (`RUSAGE_SELF`, `RUSAGE_CHILDREN`).
fn cpu(who: libc::c_int) -> Duration {
    // SAFETY: getrusage only writes the struct it is given.
    let ru = unsafe {
        let mut ru: libc::rusage = std::mem::zeroed();
        libc::getrusage(who, &mut ru);
        ru
    };
    let tv = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
    };
    tv(ru.ru_utime) + tv(ru.ru_stime)
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

struct Settings {
    reqs: usize,
    listeners: Vec<usize>,
    runs: usize,
    nats_url: String,
    berry: PathBuf,
    real_git: PathBuf,
    keep: Option<PathBuf>,
    /// `state.backend` of the listeners: `nats-kv` (one record every host reads, the way
    /// several machines are run) or `file` (each host its own record).
    backend: String,
}

fn bench() -> anyhow::Result<()> {
    let listeners = std::env::var("BERRY_BENCH_LISTENERS").unwrap_or_else(|_| "1,2,4".into());
    let s = Settings {
        reqs: env_or("BERRY_BENCH_REQS", 100),
        listeners: listeners
            .split(',')
            .map(|n| n.trim().parse())
            .collect::<Result<_, _>>()
            .map_err(|e| anyhow::anyhow!("BERRY_BENCH_LISTENERS={listeners:?}: {e}"))?,
        runs: env_or("BERRY_BENCH_RUNS", 1usize).max(1),
        nats_url: std::env::var("NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".into()),
        berry: PathBuf::from(env!("CARGO_BIN_EXE_berry")),
        real_git: which("git")?,
        keep: std::env::var_os("BERRY_BENCH_KEEP").map(PathBuf::from),
        backend: std::env::var("BERRY_BENCH_BACKEND").unwrap_or_else(|_| "nats-kv".into()),
    };
    let scratch = tempfile::Builder::new()
        .prefix("berry-bench-listen-")
        .tempdir()?;
    let root = match &s.keep {
        Some(k) => {
            std::fs::create_dir_all(k)?;
            k.clone()
        }
        None => scratch.path().to_path_buf(),
    };
    // The wrapper: this program under the name `git`.
    let bin = root.join("bin");
    std::fs::create_dir_all(&bin)?;
    let wrapper = bin.join("git");
    let _ = std::fs::remove_file(&wrapper);
    std::os::unix::fs::symlink(std::env::current_exe()?, &wrapper)?;
    let per_call = wrapper_cost(&s.real_git, &wrapper)?;
    println!(
        "berry {} · {} REQs · listeners {:?} · {} run(s) · git wrapper {:.2} ms CPU per call · load {}",
        s.berry.display(),
        s.reqs,
        s.listeners,
        s.runs,
        ms(per_call),
        loadavg()
    );
    let mut results: BTreeMap<usize, Vec<Figures>> = BTreeMap::new();
    for run in 1..=s.runs {
        for &n in &s.listeners {
            let dir = root.join(format!("run{run}-n{n}"));
            let _ = std::fs::remove_dir_all(&dir);
            let f = scenario(&s, &dir, &bin, n, per_call)?;
            println!("{}", f.row(n, run));
            for p in &f.problems {
                println!("  PROBLEM: {p}");
            }
            results.entry(n).or_default().push(f);
            if s.keep.is_none() {
                let _ = std::fs::remove_dir_all(&dir);
            }
        }
    }
    println!();
    println!(
        "| listeners | wall | REQs/min | CPU/REQ, all | berry listener | berry steps | git (berry's calls) | test command | berry's own / REQ | tests run | commits on the origin | tracker commits pushed |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|");
    for (n, fs) in &results {
        println!("{}", Figures::median(fs).table_row(*n, fs.len()));
    }
    println!("(load average at the end: {})", loadavg());
    let failed = results.values().flatten().any(|f| !f.problems.is_empty());
    anyhow::ensure!(
        !failed,
        "some REQs did not ship as they should (PROBLEM lines above)"
    );
    Ok(())
}

fn which(prog: &str) -> anyhow::Result<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|d| d.join(prog))
        .find(|p| p.is_file())
        .ok_or_else(|| anyhow::anyhow!("{prog} is not on PATH"))
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// What the wrapper adds to one git call, in CPU time: `git --version` run `calls` times directly
/// and through the wrapper, the difference per call.
fn wrapper_cost(real: &Path, wrapper: &Path) -> anyhow::Result<Duration> {
    let calls = 200;
    let log = tempfile::NamedTempFile::new()?;
    let each = |prog: &Path| -> anyhow::Result<Duration> {
        let before = cpu(libc::RUSAGE_CHILDREN);
        for _ in 0..calls {
            let st = Command::new(prog)
                .arg("--version")
                .env(REAL_GIT, real)
                .env(GIT_LOG, log.path())
                .stdout(Stdio::null())
                .status()?;
            anyhow::ensure!(st.success(), "{} --version failed", prog.display());
        }
        Ok(cpu(libc::RUSAGE_CHILDREN) - before)
    };
    // Alternated, twice each, so a burst of load does not land on one side only.
    let mut direct = Duration::ZERO;
    let mut wrapped = Duration::ZERO;
    for _ in 0..2 {
        direct += each(real)?;
        wrapped += each(wrapper)?;
    }
    Ok(wrapped.saturating_sub(direct) / (2 * calls))
}

/// The environment of every git and berry process the bench starts: no user or system git
/// configuration, no berry settings from the caller, a fixed author.
fn base_env(cmd: &mut Command, home: &Path) {
    for (k, _) in std::env::vars_os() {
        let k = k.to_string_lossy().into_owned();
        if k.starts_with("BERRY_")
            || k.starts_with("GIT_")
            || k.starts_with("NATS_")
            || k.starts_with("GH_")
            || k.starts_with("GITHUB_")
            || k.starts_with("PG")
        {
            cmd.env_remove(&k);
        }
    }
    cmd.env("HOME", home)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Bench")
        .env("GIT_AUTHOR_EMAIL", "bench@example.com")
        .env("GIT_COMMITTER_NAME", "Bench")
        .env("GIT_COMMITTER_EMAIL", "bench@example.com")
        .env("NO_COLOR", "1")
        .env("GIT_CONFIG_COUNT", "2")
        .env("GIT_CONFIG_KEY_0", "gc.auto")
        .env("GIT_CONFIG_VALUE_0", "0")
        .env("GIT_CONFIG_KEY_1", "maintenance.auto")
        .env("GIT_CONFIG_VALUE_1", "false");
}

fn git(home: &Path, dir: &Path, args: &[&str]) -> anyhow::Result<String> {
    let mut cmd = Command::new("git");
    base_env(&mut cmd, home);
    let out = cmd.arg("-C").arg(dir).args(args).output()?;
    anyhow::ensure!(
        out.status.success(),
        "git {} in {}: {}",
        args.join(" "),
        dir.display(),
        String::from_utf8_lossy(&out.stderr).trim()
    );
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn req_name(i: usize) -> String {
    format!("REQ-BENCH-{:03}", i + 1)
}

fn module_file(i: usize) -> String {
    format!(
        "{ERP}/backend/src/modules/bench{0:03}/bench{0:03}.service.ts",
        i + 1
    )
}

/// Names of one scenario's NATS streams, consumer and subjects.
struct Names {
    events: String,
    event_subject: String,
    consumer: String,
    notices: String,
    notice_prefix: String,
    /// The JetStream key-value bucket of the REQ contexts (`state.backend = "nats-kv"`).
    bucket: String,
}

/// The origin with the base on `main` and `agents/<REQ>` for each REQ, the deliverables, and
/// `n` clones; returns the clones.
fn set_up(
    s: &Settings,
    dir: &Path,
    home: &Path,
    names: &Names,
    n: usize,
) -> anyhow::Result<Vec<PathBuf>> {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/agogsaas");
    let deliverables = dir.join("deliverables");
    let reqs: Vec<String> = (0..s.reqs).map(req_name).collect();
    for (agent, file) in AGENTS {
        let text = std::fs::read_to_string(fixtures.join(file))?;
        for r in &reqs {
            let sub = deliverables.join(r);
            std::fs::create_dir_all(&sub)?;
            std::fs::write(
                sub.join(format!("{agent}.json")),
                text.replace(FIXTURE_REQ, r),
            )?;
        }
    }
    let mut tracker = std::fs::read_to_string(fixtures.join("owner_requests_header_6544335.md"))?;
    for r in &reqs {
        tracker.push_str(&format!(
            "\n### {r}: {TITLE}\n\n**Status**: IN_PROGRESS\n**Owner**: marcus\n**Priority**: P1\n\n---\n"
        ));
    }
    let config = format!(
        "[deliverables]\ndir = \"{}\"\n\n[[test.commands]]\nname = \"check\"\nargv = [\"git\", {}]\n\n[nats]\nsubject = \"{}.berry.devops.{{req}}\"\n\n[listen]\nstream = \"{}\"\nconsumer = \"{}\"\nsubject = \"{}\"\nack_wait_secs = 60\nnak_delay_secs = 1\nmax_deliver = 5\nsource = \"branch\"\n\n[state]\nbackend = \"{}\"\nbucket = \"{}\"\n",
        deliverables.display(),
        TEST_ARGS
            .split(' ')
            .map(|a| format!("\"{a}\""))
            .collect::<Vec<_>>()
            .join(", "),
        names.notice_prefix,
        names.events,
        names.consumer,
        names.event_subject,
        s.backend,
        names.bucket,
    );

    // The base and the agents' branches, written with libgit2 (fast, and not measured).
    let seed = dir.join("seed");
    let mut opts = git2::RepositoryInitOptions::new();
    opts.initial_head("main");
    let repo = git2::Repository::init_opts(&seed, &opts)?;
    let sig = git2::Signature::now("Bench", "bench@example.com")?;
    let mut files: Vec<(String, String)> = vec![
        ("README.md".into(), "# AgogSaaS\n".into()),
        ("berry.toml".into(), config),
        (
            "project-spirit/owner_requests/OWNER_REQUESTS.md".into(),
            tracker,
        ),
        (
            format!("{ERP}/backend/package.json"),
            "{\"name\": \"backend\"}\n".into(),
        ),
        (
            format!("{ERP}/backend/migrations/V0.0.62__base.sql"),
            "CREATE TABLE base (id int);\n".into(),
        ),
    ];
    for i in 0..s.reqs {
        files.push((module_file(i), service(i, false)));
    }
    let empty = repo.treebuilder(None)?.write()?;
    let mut update = git2::build::TreeUpdateBuilder::new();
    for (path, text) in &files {
        update.upsert(path, repo.blob(text.as_bytes())?, git2::FileMode::Blob);
    }
    let base_tree = update.create_updated(&repo, &repo.find_tree(empty)?)?;
    let base_tree = repo.find_tree(base_tree)?;
    let base = repo.commit(Some("refs/heads/main"), &sig, &sig, "base", &base_tree, &[])?;
    let base = repo.find_commit(base)?;
    for (i, r) in reqs.iter().enumerate() {
        let mut u = git2::build::TreeUpdateBuilder::new();
        u.upsert(
            module_file(i),
            repo.blob(service(i, true).as_bytes())?,
            git2::FileMode::Blob,
        );
        u.upsert(
            format!(
                "{ERP}/backend/migrations/V1.0.{}__bench_{:03}.sql",
                i + 1,
                i + 1
            ),
            repo.blob(
                format!("CREATE TABLE bench_{:03} (id uuid PRIMARY KEY);\n", i + 1).as_bytes(),
            )?,
            git2::FileMode::Blob,
        );
        let tree = repo.find_tree(u.create_updated(&repo, &base_tree)?)?;
        repo.commit(
            Some(&format!("refs/heads/agents/{r}")),
            &sig,
            &sig,
            &format!("{r}: the agents' work"),
            &tree,
            &[&base],
        )?;
    }
    let origin = dir.join("origin.git");
    git(
        home,
        dir,
        &[
            "init",
            "-q",
            "--bare",
            "-b",
            "main",
            origin.to_str().unwrap(),
        ],
    )?;
    let url = format!("file://{}", origin.display());
    git(
        home,
        &seed,
        &["push", "-q", &url, "refs/heads/*:refs/heads/*"],
    )?;
    let mut hosts = Vec::new();
    for k in 1..=n {
        let host = dir.join(format!("host-{k}"));
        git(home, dir, &["clone", "-q", &url, host.to_str().unwrap()])?;
        hosts.push(host);
    }
    Ok(hosts)
}

/// REQ `i`'s module file, before and after its change (a few lines).
fn service(i: usize, changed: bool) -> String {
    let n = i + 1;
    if changed {
        format!(
            "export class Bench{n:03}Service {{\n  list() {{\n    return ['item-{n}'];\n  }}\n\n  count() {{\n    return 1;\n  }}\n}}\n"
        )
    } else {
        format!("export class Bench{n:03}Service {{\n  list() {{\n    return [];\n  }}\n}}\n")
    }
}

/// A listener and the NDJSON lines it wrote.
struct Listening {
    child: Child,
    lines: Arc<Mutex<Vec<Value>>>,
    reader: std::thread::JoinHandle<()>,
}

/// One N: the figures of one run.
#[derive(Clone, Default)]
struct Figures {
    reqs: usize,
    wall: Duration,
    total: Duration,
    listener_self: Duration,
    git: Duration,
    git_calls: usize,
    test: Duration,
    test_calls: usize,
    wrapper: Duration,
    tracker_pushed: usize,
    /// Median wall time of each step, over every run of it.
    step_ms: Vec<(String, f64)>,
    /// REQs whose commit is on the origin's main.
    shipped: usize,
    /// What did not ship as it should (the run is reported, and the bench fails).
    problems: Vec<String>,
}

impl Figures {
    fn per_req(&self, d: Duration) -> f64 {
        ms(d) / self.reqs as f64
    }
    fn berry_steps(&self) -> Duration {
        self.total
            .saturating_sub(self.listener_self)
            .saturating_sub(self.git)
            .saturating_sub(self.test)
            .saturating_sub(self.wrapper)
    }
    fn berry_own(&self) -> Duration {
        self.listener_self + self.berry_steps()
    }
    fn per_min(&self) -> f64 {
        self.reqs as f64 * 60.0 / self.wall.as_secs_f64()
    }
    fn row(&self, n: usize, run: usize) -> String {
        format!(
            "run {run}, {n} listener(s): {} REQs in {:.1} s = {:.1} REQs/min; CPU per REQ {:.0} ms: berry {:.0} ms (listener {:.0}, steps {:.0}), git {:.0} ms in {:.1} calls, test command {:.0} ms, wrapper {:.0} ms; {} test runs; {} tracker commits pushed; step medians {}",
            self.reqs,
            self.wall.as_secs_f64(),
            self.per_min(),
            self.per_req(self.total),
            self.per_req(self.berry_own()),
            self.per_req(self.listener_self),
            self.per_req(self.berry_steps()),
            self.per_req(self.git),
            self.git_calls as f64 / self.reqs as f64,
            self.per_req(self.test),
            self.per_req(self.wrapper),
            self.test_calls,
            self.tracker_pushed,
            self.step_ms
                .iter()
                .map(|(s, m)| format!("{s} {m:.0} ms"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
    fn table_row(&self, n: usize, runs: usize) -> String {
        format!(
            "| {n} | {:.1} s | {:.1} | {:.0} ms | {:.0} ms | {:.0} ms | {:.0} ms ({:.1} calls) | {:.0} ms | **{:.0} ms** | {} | {} of {} | {} |{}",
            self.wall.as_secs_f64(),
            self.per_min(),
            self.per_req(self.total),
            self.per_req(self.listener_self),
            self.per_req(self.berry_steps()),
            self.per_req(self.git),
            self.git_calls as f64 / self.reqs as f64,
            self.per_req(self.test),
            self.per_req(self.berry_own()),
            self.test_calls,
            self.shipped,
            self.reqs,
            self.tracker_pushed,
            if runs > 1 {
                format!(" median of {runs}")
            } else {
                String::new()
            }
        )
    }
    /// The run with the median wall time (its other figures with it).
    fn median(fs: &[Figures]) -> Figures {
        let mut v = fs.to_vec();
        v.sort_by_key(|f| f.wall);
        v[v.len() / 2].clone()
    }
}

fn scenario(
    s: &Settings,
    dir: &Path,
    bin: &Path,
    n: usize,
    per_call: Duration,
) -> anyhow::Result<Figures> {
    std::fs::create_dir_all(dir)?;
    let home = dir.join("home");
    std::fs::create_dir_all(&home)?;
    let id = format!(
        "{}x{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)?
            .as_millis()
    );
    let names = Names {
        events: format!("BENCH_EVENTS_{id}"),
        event_subject: format!("bench.{id}.ev.stage.started"),
        consumer: format!("berry_bench_{id}"),
        notices: format!("BENCH_NOTICES_{id}"),
        notice_prefix: format!("bench.{id}.notices"),
        bucket: format!("berry_bench_{id}"),
    };
    let hosts = set_up(s, dir, &home, &names, n)?;

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let client = rt.block_on(async_nats::connect(&s.nats_url))?;
    let js = {
        let _inside = rt.enter();
        async_nats::jetstream::new(client.clone())
    };
    rt.block_on(async {
        js.create_stream(async_nats::jetstream::stream::Config {
            name: names.events.clone(),
            subjects: vec![format!("bench.{id}.ev.>")],
            ..Default::default()
        })
        .await?;
        js.create_stream(async_nats::jetstream::stream::Config {
            name: names.notices.clone(),
            subjects: vec![format!("{}.>", names.notice_prefix)],
            duplicate_window: Duration::from_secs(120),
            ..Default::default()
        })
        .await?;
        anyhow::Ok(())
    })?;
    let result = measure(
        s, dir, &home, bin, &names, &hosts, per_call, &rt, &client, &js,
    );
    rt.block_on(async {
        let _ = js.delete_stream(&names.events).await;
        let _ = js.delete_stream(&names.notices).await;
        let _ = js.delete_key_value(&names.bucket).await;
    });
    result
}

#[allow(clippy::too_many_arguments)]
fn measure(
    s: &Settings,
    dir: &Path,
    home: &Path,
    bin: &Path,
    names: &Names,
    hosts: &[PathBuf],
    per_call: Duration,
    rt: &tokio::runtime::Runtime,
    client: &async_nats::Client,
    js: &async_nats::jetstream::Context,
) -> anyhow::Result<Figures> {
    use futures_util::StreamExt;
    let git_log = dir.join("git-calls.log");
    let path = std::env::join_paths(std::iter::once(bin.to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))?;
    let before = cpu(libc::RUSAGE_CHILDREN);
    let mut listening = Vec::new();
    for (k, host) in hosts.iter().enumerate() {
        let mut cmd = Command::new(&s.berry);
        base_env(&mut cmd, home);
        let stderr = std::fs::File::create(dir.join(format!("listener-{}.stderr", k + 1)))?;
        let mut child = cmd
            .current_dir(host)
            .env("PATH", &path)
            .env("NATS_URL", &s.nats_url)
            .env(REAL_GIT, &s.real_git)
            .env(GIT_LOG, &git_log)
            .args(["listen", "--json"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()?;
        let out = child.stdout.take().expect("piped");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let sink = lines.clone();
        let reader = std::thread::spawn(move || {
            for l in BufReader::new(out).lines().map_while(Result::ok) {
                if let Ok(v) = serde_json::from_str::<Value>(&l) {
                    sink.lock().unwrap().push(v);
                }
            }
        });
        listening.push(Listening {
            child,
            lines,
            reader,
        });
    }
    // Every listener bound before anything is published.
    let bound_by = Instant::now() + Duration::from_secs(60);
    while !listening.iter().all(|l| {
        l.lines
            .lock()
            .unwrap()
            .iter()
            .any(|v| v["event"] == "bound")
    }) {
        anyhow::ensure!(
            Instant::now() < bound_by,
            "the listeners did not bind within 60 s (see {})",
            dir.display()
        );
        std::thread::sleep(Duration::from_millis(50));
    }

    let reqs: Vec<String> = (0..s.reqs).map(req_name).collect();
    let mut notices = rt.block_on(async {
        let sub = client
            .subscribe(format!("{}.>", names.notice_prefix))
            .await?;
        client.flush().await?;
        anyhow::Ok(sub)
    })?;
    let started = Instant::now();
    rt.block_on(async {
        for r in &reqs {
            let ev = json!({
                "eventType": "stage.started",
                "reqNumber": r,
                "stage": "DevOps Deployment",
                "agentId": "berry",
                "contextData": {"featureTitle": TITLE, "reqNumber": r, "previousStages": []},
                "timeout": 900000,
                "timestamp": jiff::Timestamp::now().to_string(),
            });
            js.publish(names.event_subject.clone(), serde_json::to_vec(&ev)?.into())
                .await?
                .await?;
        }
        anyhow::Ok(())
    })?;
    let mut answered: BTreeMap<String, String> = BTreeMap::new();
    let mut wall = Duration::ZERO;
    let waited = rt.block_on(async {
        while answered.len() < reqs.len() {
            let Ok(Some(m)) = tokio::time::timeout(STALL, notices.next()).await else {
                anyhow::bail!(
                    "no notice for {} s after {} of {} (see {})",
                    STALL.as_secs(),
                    answered.len(),
                    reqs.len(),
                    dir.display()
                );
            };
            let v: Value = serde_json::from_slice(&m.payload)?;
            let req = v["req_number"].as_str().unwrap_or("?").to_string();
            answered.insert(req, v["status"].as_str().unwrap_or("?").to_string());
            wall = started.elapsed();
        }
        anyhow::Ok(())
    });

    // The last notice goes out during the last step: its listener still removes the worktree
    // and acknowledges the event. Stopped before that, it would release the event instead.
    let done_by = Instant::now() + Duration::from_secs(120);
    let done = |ls: &[Listening]| -> usize {
        ls.iter()
            .map(|l| {
                l.lines
                    .lock()
                    .unwrap()
                    .iter()
                    .filter(|v| v["event"] == "done")
                    .count()
            })
            .sum()
    };
    while waited.is_ok() && done(&listening) < reqs.len() && Instant::now() < done_by {
        std::thread::sleep(Duration::from_millis(50));
    }
    // The listeners' own CPU time, then stop them; every descendant is waited for by then.
    let tick = Duration::from_secs(1) / unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as u32;
    let mut listener_self = Duration::ZERO;
    for l in &listening {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", l.child.id()))?;
        let fields: Vec<&str> = stat[stat.rfind(')').unwrap_or(0) + 1..]
            .split_whitespace()
            .collect();
        let t = |i: usize| {
            fields
                .get(i)
                .and_then(|f| f.parse::<u32>().ok())
                .unwrap_or(0)
        };
        // utime and stime: fields 14 and 15 of stat(5), 11 and 12 after the command name.
        listener_self += tick * (t(11) + t(12));
    }
    for l in &listening {
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(l.child.id() as i32),
            nix::sys::signal::Signal::SIGTERM,
        );
    }
    let mut lines = Vec::new();
    for mut l in listening {
        let st = l.child.wait()?;
        let _ = l.reader.join();
        anyhow::ensure!(
            st.code() == Some(130),
            "a listener ended with {st} (see {})",
            dir.display()
        );
        lines.extend(l.lines.lock().unwrap().drain(..));
    }
    let total = cpu(libc::RUSAGE_CHILDREN) - before;
    waited?;

    // Every REQ shipped: its notice says COMPLETE, its commit is on the origin, once. What is
    // not so is reported with the figures, and the bench fails at the end.
    let mut problems = Vec::new();
    let not_complete: Vec<_> = answered
        .iter()
        .filter(|(_, st)| *st != "COMPLETE")
        .collect();
    if !not_complete.is_empty() {
        let reasons: Vec<String> = lines
            .iter()
            .filter(|v| v["event"] == "done" && v["outcome"] != "completed")
            .map(|v| format!("{} {}: {}", v["req"], v["outcome"], v["reason"]))
            .collect();
        problems.push(format!(
            "not shipped: {not_complete:?} ({})",
            reasons.join("; ")
        ));
    }
    let stored = rt.block_on(async {
        let mut st = js.get_stream(&names.notices).await?;
        anyhow::Ok(st.info().await?.state.messages)
    })?;
    if stored != reqs.len() as u64 {
        problems.push(format!("{stored} notices stored for {} REQs", reqs.len()));
    }
    let log = git(
        home,
        &dir.join("origin.git"),
        &[
            "log",
            "--format=%s%x09%(trailers:key=Berry-Req,valueonly,separator=)",
            "main",
        ],
    )?;
    let mut shipped = BTreeSet::new();
    let mut tracker_pushed = 0;
    for l in log.lines() {
        let (subject, req) = l.split_once('\t').unwrap_or((l, ""));
        if req.is_empty() {
            continue;
        }
        if subject.starts_with("chore(") {
            tracker_pushed += 1;
        } else if !shipped.insert(req.to_string()) {
            problems.push(format!("{req} was committed twice"));
        }
    }
    let missing: Vec<&String> = reqs.iter().filter(|r| !shipped.contains(*r)).collect();
    if !missing.is_empty() {
        problems.push(format!(
            "{} of {} REQs have no commit on the origin's main: {missing:?}",
            missing.len(),
            reqs.len()
        ));
    }

    // git's share, from the wrapper's log.
    let calls = std::fs::read_to_string(&git_log).unwrap_or_default();
    let (mut git_cpu, mut git_calls, mut test, mut test_calls) =
        (Duration::ZERO, 0, Duration::ZERO, 0);
    for l in calls.lines() {
        let (us, args) = l.split_once('\t').unwrap_or((l, ""));
        let d = Duration::from_micros(us.parse().unwrap_or(0));
        if args == TEST_ARGS {
            test += d;
            test_calls += 1;
        } else {
            git_cpu += d;
            git_calls += 1;
        }
    }
    let mut by_step: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for v in lines.iter().filter(|v| v["event"] == "step") {
        by_step
            .entry(v["step"].as_str().unwrap_or("?").to_string())
            .or_default()
            .push(v["elapsed_ms"].as_u64().unwrap_or(0));
    }
    let order = [
        "verify", "review", "commit", "test", "push", "pr", "watch", "health", "complete",
    ];
    let step_ms = order
        .iter()
        .filter_map(|s| {
            let mut v = by_step.get(*s)?.clone();
            v.sort_unstable();
            Some((s.to_string(), v[v.len() / 2] as f64))
        })
        .collect();
    Ok(Figures {
        reqs: reqs.len(),
        wall,
        total,
        listener_self,
        git: git_cpu,
        git_calls,
        test,
        test_calls,
        wrapper: per_call * (git_calls + test_calls) as u32,
        tracker_pushed,
        step_ms,
        shipped: shipped.len(),
        problems,
    })
}
