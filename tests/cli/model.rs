//! The model-based test: random sequences of steps, working-tree edits, QA verdict changes,
//! failing tests, rewritten commits, out-of-order calls and kills at the fault points, against a
//! real repository with a real bare remote (QA rows from the folder source, which keeps a
//! sequence fast), checking the gate's invariants after every action.
//!
//! A seeded generator: `BERRY_MODEL_CASES` sets the number of sequences (default below),
//! `BERRY_MODEL_SEED` the first seed; a failure prints the seed and the actions so far, and
//! `BERRY_MODEL_SEED=<seed> BERRY_MODEL_CASES=1` replays it.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::{Value, json};

use crate::common::{ERP, REQ, TestEnv};

/// Sequences in the normal test run (each spawns berry about ten times).
const DEFAULT_CASES: u64 = 300;
const ACTIONS_PER_CASE: usize = 10;
const TRACKER: &str = "project-spirit/owner_requests/OWNER_REQUESTS.md";

/// splitmix64: small, seeded, reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[derive(Debug, Clone)]
enum Action {
    /// A step with `--yes` (out of order as often as not).
    Step(&'static str),
    /// `push --skip-tests --reason`.
    PushSkippingTests,
    /// `complete --no-ci --skip-tests --reason`.
    CompleteSkippingTests,
    /// `complete --no-health --reason`.
    CompleteSkippingHealth,
    /// The deployment's health check starts failing, or passing again.
    FlipHealth,
    /// The test command starts failing, or passing again.
    FlipTests,
    /// QA's row changes to FAILED, or back to the approved one.
    FlipQa,
    /// An agent edits an in-scope file in the working tree.
    Edit(u64),
    /// Someone rewrites HEAD by hand (an amend with a changed file).
    Amend(u64),
    /// Undo a QA or test failure, if one is in force (keeps sequences moving).
    FlipBack,
    /// A step killed at a fault point.
    Kill(&'static str, &'static str),
}

const STEPS: [&str; 9] = [
    "verify", "review", "commit", "test", "push", "pr", "watch", "health", "complete",
];
const FAULTS: [&str; 6] = [
    "context-written",
    "commit-written",
    "pushed",
    "tracker-written",
    "atomic-write-before-rename",
    "atomic-write-torn",
];

/// `next` is the first step the context does not record as done: half the steps follow the
/// workflow order, so sequences reach push and complete; the rest are out of order.
fn pick(rng: &mut Rng, next: &'static str) -> Action {
    match rng.below(26) {
        24 => Action::FlipHealth,
        25 => Action::CompleteSkippingHealth,
        0..=7 => Action::Step(next),
        8..=10 => Action::Step(STEPS[rng.below(STEPS.len())]),
        11 => Action::PushSkippingTests,
        12 => Action::CompleteSkippingTests,
        13 => Action::FlipTests,
        14 => Action::FlipQa,
        15 => Action::Edit(rng.next()),
        16 => Action::Amend(rng.next()),
        17..=19 => Action::FlipBack,
        _ => Action::Kill(
            ["commit", "test", "push", "complete", "review"][rng.below(5)],
            FAULTS[rng.below(FAULTS.len())],
        ),
    }
}

/// The repository every sequence starts from: verified, changes pending, a bare remote.
struct Template {
    _tmp: tempfile::TempDir,
    root: PathBuf,
}

fn template() -> Template {
    let env = TestEnv::new();
    let bare = env.path().join("bare.git");
    std::fs::create_dir_all(&bare).unwrap();
    env.git_in(&bare, &["init", "-q", "--bare", "-b", "main"]);
    env.agog_base();
    env.git(&["remote", "add", "origin", "file:///placeholder"]);
    let deliverables = env.deliverables_folder(REQ, None);
    std::fs::write(
        env.path().join("berry-model.toml"),
        "[nats]\npublish = false\n\n[[test.commands]]\nname = \"unit\"\nargv = [\"test\", \"!\", \"-e\", \"../fail-tests\"]\n\n[health]\nwithin_secs = 1\n\n[[health.checks]]\nname = \"smoke\"\nargv = [\"test\", \"!\", \"-e\", \"../fail-health\"]\ntimeout_secs = 1\n",
    )
    .unwrap();
    let _ = deliverables;
    env.agog_changes();
    let TestEnv { tmp, .. } = env;
    let root = tmp.path().to_path_buf();
    Template { _tmp: tmp, root }
}

struct Case {
    env: TestEnv,
    bare: PathBuf,
    initial_remote: Option<String>,
    /// Trees `berry test` passed for, or `--skip-tests` was given for: the only trees that may
    /// ship.
    allowed: HashSet<String>,
    qa_failed: bool,
    tests_fail: bool,
    health_fails: bool,
    log: Vec<String>,
    seed: u64,
    /// `step exit` → how often, and how often the remote or the tracker moved.
    stats: std::collections::BTreeMap<String, usize>,
}

fn copy_tree(from: &Path, to: &Path) {
    let ok = std::process::Command::new("cp")
        .args([
            "-a",
            &format!("{}/.", from.display()),
            &to.display().to_string(),
        ])
        .status()
        .unwrap()
        .success();
    assert!(ok, "cp -a failed");
}

impl Case {
    fn new(t: &Template, seed: u64) -> Case {
        let tmp = tempfile::Builder::new()
            .prefix("berry-model-")
            .tempdir()
            .unwrap();
        copy_tree(&t.root, tmp.path());
        let env = TestEnv {
            home: tmp.path().join("home"),
            repo: tmp.path().join("repo"),
            tmp,
        };
        let bare = env.path().join("bare.git");
        env.git(&[
            "remote",
            "set-url",
            "origin",
            &format!("file://{}", bare.display()),
        ]);
        env.git(&["push", "-q", "origin", "main"]);
        let mut c = Case {
            initial_remote: None,
            env,
            bare,
            allowed: HashSet::new(),
            qa_failed: false,
            tests_fail: false,
            health_fails: false,
            log: Vec::new(),
            seed,
            stats: Default::default(),
        };
        c.initial_remote = c.remote();
        let out = c.berry(&["verify", REQ]).output().unwrap();
        c.check(out.status.success(), "the first verify passes", &out);
        c
    }

    fn berry(&self, args: &[&str]) -> assert_cmd::Command {
        let mut cmd = self.env.berry();
        cmd.env("BERRY_CONFIG", self.env.path().join("berry-model.toml"))
            .env("BERRY_DELIVERABLES", self.env.path().join("deliverables"))
            .args(args);
        cmd
    }

    /// The tree of the code the remote holds: its branch tip, past berry's tracker commits (a
    /// `chore(REQ): STATUS` with the `Berry-Tracker` trailer that changes the tracker file and
    /// nothing else: bookkeeping, not code, so not a tree the tests must have seen).
    fn remote(&self) -> Option<String> {
        let git = |args: &[&str]| {
            let out = std::process::Command::new("git")
                .current_dir(&self.bare)
                .args(args)
                .output()
                .unwrap();
            out.status
                .success()
                .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
        };
        let mut rev = git(&["rev-parse", "--verify", "-q", "refs/heads/main"])?;
        loop {
            let msg = git(&["log", "-1", "--format=%B", &rev]).unwrap_or_default();
            let files = git(&["diff-tree", "--no-commit-id", "--name-only", "-r", &rev]);
            let tracker_only = files.as_deref() == Some(crate::complete::TRACKER);
            if !(msg.starts_with(&format!("chore({REQ}): "))
                && msg.contains("\nBerry-Tracker: ")
                && tracker_only)
            {
                break;
            }
            rev = git(&["rev-parse", "--verify", "-q", &format!("{rev}^")])?;
        }
        git(&["rev-parse", "--verify", "-q", &format!("{rev}^{{tree}}")])
    }

    fn head_tree(&self) -> String {
        self.env
            .git(&["rev-parse", "HEAD^{tree}"])
            .trim()
            .to_string()
    }

    fn context(&self) -> Option<Value> {
        let p = self.env.repo.join(format!(".git/berry/{REQ}.json"));
        std::fs::read(&p)
            .ok()
            .map(|b| serde_json::from_slice(&b).expect("the context is always whole JSON"))
    }

    fn deployed_commit(&self) -> Option<String> {
        let text = self.env.read(TRACKER);
        let entry = text.split(&format!("### {REQ}")).nth(1)?;
        if !entry.contains("**Status**: DEPLOYED") {
            return None;
        }
        entry
            .lines()
            .find_map(|l| l.strip_prefix("**Commit**: "))
            .map(|s| s.trim().trim_matches('`').to_string())
    }

    fn check(&self, ok: bool, what: &str, out: &Output) {
        assert!(
            ok,
            "invariant broken: {what}\nseed {} (replay: BERRY_MODEL_SEED={} BERRY_MODEL_CASES=1)\nactions:\n  {}\nlast output:\n{}",
            self.seed,
            self.seed,
            self.log.join("\n  "),
            self.env.transcript(out)
        );
    }

    fn act(&mut self, a: &Action) {
        self.log.push(format!("{a:?}"));
        let before_ctx = self.context();
        let before_remote = self.remote();
        let before_deployed = self.deployed_commit();
        let before_head = self.env.git(&["rev-parse", "HEAD"]);
        let qa_failed = self.qa_failed;
        let (out, step, killed) = match a {
            Action::Step(s) => (self.berry(&["--yes", s]).output().unwrap(), *s, false),
            Action::PushSkippingTests => {
                self.allowed.insert(self.head_tree());
                let o = self
                    .berry(&["--yes", "push", "--skip-tests", "--reason", "model"])
                    .output()
                    .unwrap();
                (o, "push", false)
            }
            Action::CompleteSkippingTests => {
                let o = self
                    .berry(&[
                        "--yes",
                        "complete",
                        "--no-ci",
                        "--skip-tests",
                        "--reason",
                        "model",
                    ])
                    .output()
                    .unwrap();
                // The skip is recorded for the tree of the commit being completed.
                if let Some(ctx) = self.context()
                    && let Some(t) = ctx["ledger"]["tests_skipped"]["tree"].as_str()
                {
                    self.allowed.insert(t.to_string());
                }
                (o, "complete", false)
            }
            Action::CompleteSkippingHealth => {
                let o = self
                    .berry(&["--yes", "complete", "--no-health", "--reason", "model"])
                    .output()
                    .unwrap();
                (o, "complete", false)
            }
            Action::FlipHealth => {
                self.health_fails = !self.health_fails;
                let flag = self.env.path().join("fail-health");
                if self.health_fails {
                    std::fs::write(flag, "").unwrap();
                } else {
                    std::fs::remove_file(flag).unwrap();
                }
                return;
            }
            Action::FlipTests => {
                self.tests_fail = !self.tests_fail;
                let flag = self.env.path().join("fail-tests");
                if self.tests_fail {
                    std::fs::write(flag, "").unwrap();
                } else {
                    std::fs::remove_file(flag).unwrap();
                }
                return;
            }
            Action::FlipBack => {
                if self.qa_failed {
                    return self.act(&Action::FlipQa);
                }
                if self.tests_fail {
                    return self.act(&Action::FlipTests);
                }
                if self.health_fails {
                    return self.act(&Action::FlipHealth);
                }
                return;
            }
            Action::FlipQa => {
                self.qa_failed = !self.qa_failed;
                let billy = self
                    .env
                    .path()
                    .join("deliverables")
                    .join(REQ)
                    .join("billy.json");
                let mut v: Value = serde_json::from_slice(&std::fs::read(&billy).unwrap()).unwrap();
                v["status"] = json!(if self.qa_failed { "FAILED" } else { "COMPLETE" });
                std::fs::write(billy, serde_json::to_vec_pretty(&v).unwrap()).unwrap();
                return;
            }
            Action::Edit(n) => {
                self.env.write(
                    &format!("{ERP}/backend/src/modules/crm/crm.service.ts"),
                    format!("export const edit = {n};\n"),
                );
                return;
            }
            Action::Amend(n) => {
                self.env.write(
                    &format!("{ERP}/backend/src/amended.ts"),
                    format!("export const amended = {n};\n"),
                );
                self.env
                    .git(&["add", "-A", &format!("{ERP}/backend/src/amended.ts")]);
                self.env.git(&["commit", "-q", "--amend", "--no-edit"]);
                return;
            }
            Action::Kill(s, point) => {
                let o = self
                    .berry(&["--yes", s])
                    .env("BERRY_FAULT", point)
                    .output()
                    .unwrap();
                (o, *s, true)
            }
        };
        let key = format!(
            "{}{step} {}",
            if killed { "killed " } else { "" },
            out.status
                .code()
                .map(|c| c.to_string())
                .unwrap_or_else(|| "signal".into())
        );
        *self.stats.entry(key).or_default() += 1;
        // A test run while the test command passes makes HEAD's tree a tested one: also when it
        // was killed after recording that (the rerun then reports it already passed).
        if step == "test" && (out.status.code() == Some(0) || (killed && !self.tests_fail)) {
            self.allowed.insert(self.head_tree());
        }

        // Exit codes are berry's documented ones; a panic (101) never is. Only a kill ends by a signal.
        let code = out.status.code();
        self.check(
            matches!(code, Some(0..=5)) || (killed && code.is_none()),
            "the exit code is one of berry's documented ones",
            &out,
        );
        self.check(
            !String::from_utf8_lossy(&out.stderr).contains("panicked"),
            "berry never panics",
            &out,
        );
        // The context is always readable (or absent), never torn.
        let after_ctx = self.context();

        // Nothing is pushed unless the tests passed (or were skipped) for the exact tree.
        let remote = self.remote();
        if remote != self.initial_remote
            && let Some(t) = &remote
        {
            self.check(
                self.allowed.contains(t),
                "the remote holds only a tree that was tested (or skipped with a reason)",
                &out,
            );
        }
        // QA not approved: nothing new is pushed, committed or completed.
        if qa_failed && matches!(step, "push" | "commit" | "complete") {
            self.check(remote == before_remote, "no push while QA is failed", &out);
            self.check(
                self.deployed_commit() == before_deployed || before_deployed.is_some(),
                "no completion while QA is failed",
                &out,
            );
            if step == "commit" {
                self.check(
                    self.env.git(&["rev-parse", "HEAD"]) == before_head,
                    "no commit while QA is failed",
                    &out,
                );
            }
        }
        if remote != before_remote {
            *self.stats.entry("» remote moved".into()).or_default() += 1;
        }
        // Nothing is completed unless the tests passed (or were skipped) for its tree.
        let deployed = self.deployed_commit();
        if deployed != before_deployed && deployed.is_some() {
            *self.stats.entry("» completed".into()).or_default() += 1;
        }
        if deployed != before_deployed
            && let Some(short) = &deployed
        {
            let tree = self.env.git(&["rev-parse", &format!("{short}^{{tree}}")]);
            self.check(
                self.allowed.contains(tree.trim()),
                "a completed commit's tree was tested (or skipped with a reason)",
                &out,
            );
            // …and its deployment was healthy, or the health checks were skipped with a
            // reason, for that very commit.
            let ctx = after_ctx.clone().unwrap_or_default();
            let l = &ctx["ledger"];
            let for_it = |v: &Value| {
                v["sha"]
                    .as_str()
                    .is_some_and(|s| s.starts_with(short.as_str()))
            };
            self.check(
                (for_it(&l["health"]) && l["health"]["passed"] == json!(true))
                    || for_it(&l["health_skipped"]),
                "a completed commit's health checks passed (or were skipped with a reason) for it",
                &out,
            );
        }
        // What is committed is byte for byte what was reviewed: every path berry's commit
        // changed is in the review record with that blob (or as a deletion or a rename's old side).
        let after_head = self.env.git(&["rev-parse", "HEAD"]);
        if step == "commit"
            && after_head != before_head
            && let Some(review) = before_ctx.as_ref().map(|c| &c["review"])
        {
            let changed = self.env.git(&[
                "diff-tree",
                "-r",
                "--no-renames",
                "--no-commit-id",
                before_head.trim(),
                after_head.trim(),
            ]);
            let files = review["files"].as_array().cloned().unwrap_or_default();
            for line in changed.lines() {
                let (meta, path) = line.split_once('\t').expect("raw diff-tree line");
                let blob = meta.split(' ').nth(3).unwrap();
                let reviewed = files.iter().any(|f| {
                    if blob.bytes().all(|b| b == b'0') {
                        (f["path"] == path && f["status"] == "deleted") || f["old_path"] == path
                    } else {
                        f["path"] == path && f["blob"] == blob
                    }
                });
                self.check(
                    reviewed,
                    &format!("the committed {path} ({blob}) is what was reviewed"),
                    &out,
                );
            }
            *self
                .stats
                .entry("» commit checked against review".into())
                .or_default() += 1;
        }
        // Out of order is a usage error naming the step to run.
        if !killed && let Some(ctx) = &before_ctx {
            let l = &ctx["ledger"];
            let out_of_order = match step {
                "commit" => ctx["review"].is_null() && l["commit"].is_null(),
                "push" => l["commit"].is_null(),
                "pr" | "watch" | "health" => l["push"].is_null(),
                "complete" => l["commit"].is_null(),
                _ => false,
            };
            if out_of_order {
                self.check(code == Some(2), "out of order exits 2", &out);
                self.check(
                    String::from_utf8_lossy(&out.stderr).contains("hint: run `berry "),
                    "the hint names the step to run",
                    &out,
                );
            }
        }
        let _ = after_ctx;
    }
}

#[test]
fn random_sequences_keep_the_gate_closed() {
    let cases: u64 = std::env::var("BERRY_MODEL_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_CASES);
    let first: u64 = std::env::var("BERRY_MODEL_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let t = template();
    let started = std::time::Instant::now();
    let mut actions = 0;
    let mut stats: std::collections::BTreeMap<String, usize> = Default::default();
    for seed in first..first + cases {
        let mut rng = Rng(seed);
        let mut c = Case::new(&t, seed);
        for _ in 0..ACTIONS_PER_CASE {
            let next = c
                .context()
                .and_then(|ctx| {
                    STEPS.into_iter().find(|s| {
                        !matches!(ctx["steps"][s]["outcome"].as_str(), Some("ok" | "skipped"))
                    })
                })
                .unwrap_or("complete");
            let a = pick(&mut rng, next);
            c.act(&a);
            actions += 1;
        }
        // The end state reads back: status works on whatever the sequence left.
        let out = c.berry(&["status", "--json"]).output().unwrap();
        c.check(out.status.success(), "status reads the context", &out);
        for (k, v) in c.stats {
            *stats.entry(k).or_default() += v;
        }
    }
    eprintln!(
        "model: {cases} sequences, {actions} actions, {:.1}s",
        started.elapsed().as_secs_f64()
    );
    for (k, v) in &stats {
        eprintln!("  {k}: {v}");
    }
    // The sequences reached the gate's interesting states, not only refusals.
    for must in ["» remote moved", "» completed"] {
        assert!(
            cases < 20 || stats.get(must).is_some_and(|n| *n > 0),
            "no sequence reached `{must}`: {stats:?}"
        );
    }
}
