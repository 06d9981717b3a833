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
