//! `--help` of berry and of every subcommand, snapshotted: the help text is the interface.

use crate::common::TestEnv;

#[test]
fn help_of_every_subcommand() {
    let env = TestEnv::new();
    // Every visible subcommand, from the definitions: a new one gets its snapshot.
    let cli = <berry::cli::Cli as clap::CommandFactory>::command();
    let names: Vec<String> = cli
        .get_subcommands()
        .filter(|c| !c.is_hide_set())
        .map(|c| c.get_name().to_string())
        .collect();
    assert!(names.len() >= 13, "{names:?}");
    let mut subs = vec![None];
    subs.extend(names.iter().map(|n| Some(n.as_str())));
    for sub in subs {
        let mut cmd = env.berry();
        if let Some(s) = sub {
            cmd.arg(s);
        }
        let out = cmd.arg("--help").env("COLUMNS", "100").output().unwrap();
        let name = format!("help_{}", sub.unwrap_or("berry"));
        insta::assert_snapshot!(name, env.transcript(&out));
    }
}

#[test]
fn unknown_subcommand_and_bad_flags_are_usage_errors() {
    let env = TestEnv::new();
    env.berry().arg("frobnicate").assert().code(2);
    env.berry()
        .args(["verify", "--no-such-flag"])
        .assert()
        .code(2);
    env.berry()
        .args(["verify", "REQ-A;DROP"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("invalid REQ number"));
}
