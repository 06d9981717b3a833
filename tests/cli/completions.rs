//! The completion scripts committed under `completions/` are exactly what `berry completions`
//! prints. Regenerate with `BERRY_UPDATE_COMPLETIONS=1 cargo test --test cli completions`.

use crate::common::TestEnv;

const SHELLS: [(&str, &str); 5] = [
    ("bash", "berry.bash"),
    ("zsh", "_berry"),
    ("fish", "berry.fish"),
    ("elvish", "berry.elv"),
    ("powershell", "_berry.ps1"),
];

#[test]
fn committed_completions_do_not_drift() {
    let env = TestEnv::new();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
    let update = std::env::var_os("BERRY_UPDATE_COMPLETIONS").is_some();
    for (shell, file) in SHELLS {
        let out = env.berry().args(["completions", shell]).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{shell}");
        assert!(out.stdout.len() > 500, "{shell}: suspiciously short script");
        let path = dir.join(file);
        if update {
            std::fs::write(&path, &out.stdout).unwrap();
            continue;
        }
        let committed = std::fs::read(&path).unwrap_or_default();
        assert!(
            committed == out.stdout,
            "completions/{file} is out of date: run BERRY_UPDATE_COMPLETIONS=1 cargo test --test cli completions"
        );
    }
}

#[test]
fn bash_completion_knows_the_steps_and_flags() {
    let env = TestEnv::new();
    let out = env.berry().args(["completions", "bash"]).output().unwrap();
    let script = String::from_utf8(out.stdout).unwrap();
    for word in [
        "verify",
        "review",
        "commit",
        "--dry-run",
        "--allow",
        "--appear-timeout",
    ] {
        assert!(script.contains(word), "{word}");
    }
    env.berry().args(["completions", "tcsh"]).assert().code(2);
}

/// Drives the dynamic completion entry point as bash does after `source <(COMPLETE=bash berry)`.
fn complete(
    env: &TestEnv,
    words: &[&str],
    extra: &[(&str, String)],
) -> (Vec<String>, std::time::Duration) {
    let mut cmd = env.berry();
    cmd.env("COMPLETE", "bash")
        .env("_CLAP_IFS", "\n")
        .env("_CLAP_COMPLETE_INDEX", (words.len() - 1).to_string())
        .env("_CLAP_COMPLETE_COMP_TYPE", "9")
        .arg("--")
        .args(words);
    for (k, v) in extra {
        cmd.env(k, v);
    }
    let started = std::time::Instant::now();
    let out = cmd.output().unwrap();
    let took = started.elapsed();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    (
        text.lines()
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect(),
        took,
    )
}

#[test]
fn registration_line_prints_a_bash_function() {
    let env = TestEnv::new();
    let out = env.berry().env("COMPLETE", "bash").output().unwrap();
    let script = String::from_utf8(out.stdout).unwrap();
    assert!(
        script.contains("complete -o nospace -o bashdefault"),
        "{script}"
    );
    assert!(script.contains("_clap_complete_berry"), "{script}");
}

#[test]
fn reqs_complete_from_the_state_folder_and_the_database() {
    let env = TestEnv::new();
    for req in [
        "REQ-ITEM-MASTER-001",
        "REQ-ITEM-PRICING-002",
        "REQ-TS-FIX-1767217303875",
    ] {
        let dir = env.deliverables_folder(req, None);
        env.berry()
            .args(["verify", req, "--deliverables"])
            .arg(&dir)
            .assert()
            .code(0);
    }
    let db = crate::common::PgDb::new();
    db.load("REQ-ITEM-FROM-DB-9", None);
    let url = vec![("BERRY_DATABASE_URL", db.url())];
    let (got, _) = complete(&env, &["berry", "verify", "REQ-ITEM-"], &url);
    assert_eq!(
        got,
        [
            "REQ-ITEM-MASTER-001",
            "REQ-ITEM-PRICING-002",
            "REQ-ITEM-FROM-DB-9"
        ]
    );
    let (got, _) = complete(&env, &["berry", "status", "--req", "REQ-TS"], &url);
    assert_eq!(got, ["REQ-TS-FIX-1767217303875"]);
}

#[test]
fn a_database_that_does_not_answer_costs_at_most_the_budget() {
    let env = TestEnv::new();
    let dir = env.deliverables_folder("REQ-ITEM-MASTER-001", None);
    env.berry()
        .args(["verify", "REQ-ITEM-MASTER-001", "--deliverables"])
        .arg(&dir)
        .assert()
        .code(0);
    // A server that accepts the connection and never says a word.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let _hold = std::thread::spawn(move || {
        let conns: Vec<_> = silent.incoming().take(1).collect();
        std::thread::sleep(std::time::Duration::from_secs(5));
        drop(conns);
    });
    let url = vec![(
        "BERRY_DATABASE_URL",
        format!("postgres://x@127.0.0.1:{port}/y"),
    )];
    let (got, took) = complete(&env, &["berry", "verify", "REQ-"], &url);
    assert_eq!(got, ["REQ-ITEM-MASTER-001"]);
    assert!(
        took < std::time::Duration::from_millis(1500),
        "completion waited {took:?}"
    );
}

#[test]
fn steps_and_guards_complete() {
    let env = TestEnv::new();
    let (got, _) = complete(&env, &["berry", "run", "--from", "c"], &[]);
    assert_eq!(got, ["commit", "complete"]);
    let (got, _) = complete(&env, &["berry", "review", "--allow", ""], &[]);
    assert_eq!(got, ["secrets:", "conflict-markers:", "large-file:"]);
}

#[test]
fn committed_man_pages_do_not_drift() {
    let env = TestEnv::new();
    let out_dir = env.path().join("man");
    env.berry()
        .args(["man", "--out"])
        .arg(&out_dir)
        .assert()
        .code(0);
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("man");
    let update = std::env::var_os("BERRY_UPDATE_COMPLETIONS").is_some();
    let names = |d: &std::path::Path| {
        let mut v: Vec<String> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    let generated = names(&out_dir);
    assert!(generated.contains(&"berry.1".to_string()));
    assert!(
        generated.contains(&"berry-verify.1".to_string()),
        "{generated:?}"
    );
    for file in &generated {
        let text = std::fs::read(out_dir.join(file)).unwrap();
        if update {
            std::fs::write(dir.join(file), &text).unwrap();
            continue;
        }
        assert!(
            std::fs::read(dir.join(file)).unwrap_or_default() == text,
            "man/{file} is out of date: run BERRY_UPDATE_COMPLETIONS=1 cargo test --test cli completions"
        );
    }
    assert_eq!(
        names(&dir),
        generated,
        "man/ holds a page berry does not generate"
    );
    // `berry man` alone prints berry.1.
    let out = env.berry().arg("man").output().unwrap();
    assert_eq!(out.stdout, std::fs::read(out_dir.join("berry.1")).unwrap());
}

/// Every page renders with man(1); berry.1 lists every subcommand (each with its own page) and
/// every environment variable berry reads.
#[test]
fn man_pages_render_and_list_every_subcommand_and_variable() {
    if std::process::Command::new("man")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("SKIPPED: man(1) is not installed (apt-get install man-db groff-base)");
        return;
    }
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("man");
    let render = |file: &str| {
        let out = std::process::Command::new("man")
            .arg("-l")
            .arg(dir.join(file))
            .env("MANWIDTH", "100")
            .env("MANPAGER", "cat")
            .env("PAGER", "cat")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{file}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        // Bold and underline are drawn with backspaces when not on a terminal.
        let text = String::from_utf8_lossy(&out.stdout).replace("\u{2010}", "-");
        let text = regex::Regex::new(".\x08")
            .unwrap()
            .replace_all(&text, "")
            .into_owned();
        // Justified lines hold runs of spaces.
        regex::Regex::new(" +")
            .unwrap()
            .replace_all(&text, " ")
            .into_owned()
    };
    let main = render("berry.1");
    for section in [
        "SYNOPSIS",
        "ENVIRONMENT",
        "EXIT STATUS",
        "FILES",
        "EXAMPLES",
        "SEE ALSO",
    ] {
        assert!(main.contains(section), "berry.1 has no {section}");
    }
    assert!(
        main.contains("-C DIR") && main.contains("--config FILE"),
        "value names: {main}"
    );
    let help = String::from_utf8(
        crate::common::TestEnv::new()
            .berry()
            .arg("--help")
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let commands = help
        .split("Commands:")
        .nth(1)
        .unwrap()
        .split("Options:")
        .next()
        .unwrap()
        .lines()
        // A command's line starts at the second column; wrapped descriptions further right.
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .collect::<Vec<_>>();
    assert!(commands.len() >= 10, "{commands:?}");
    for c in &commands {
        assert!(
            main.contains(&format!("berry-{c}(1)")),
            "berry.1 does not list {c}"
        );
        let page = render(&format!("berry-{c}.1"));
        assert!(page.contains(&format!("berry {c}")), "berry-{c}.1: {page}");
        assert!(
            page.contains("EXIT STATUS"),
            "berry-{c}.1 has no EXIT STATUS"
        );
    }
    let vars = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/env_vars.rs"),
    )
    .unwrap();
    let names = regex::Regex::new(r#"pub const [A-Z_]+: &str = "([A-Z_]+)";"#).unwrap();
    let mut n = 0;
    for cap in names.captures_iter(&vars) {
        n += 1;
        assert!(
            main.contains(&cap[1]),
            "berry.1 does not document {}",
            &cap[1]
        );
    }
    assert!(n > 30, "found only {n} variables");
    for pg in ["PGHOST", "PGCONNECT_TIMEOUT"] {
        assert!(main.contains(pg), "{pg}");
    }
}
