# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_berry_global_optspecs
    string join \n C= config= req= repo= deliverables= accept-config-change y/yes dry-run json color= q/quiet v/verbose no-pager paginate h/help V/version
end

function __fish_berry_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_berry_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_berry_using_subcommand
    set -l cmd (__fish_berry_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c berry -n "__fish_berry_needs_command" -s C -d 'Run as if berry was started in DIR (the repository)' -r -F
complete -c berry -n "__fish_berry_needs_command" -l config -d 'Configuration file (default: berry.toml at the repository root)' -r -F
complete -c berry -n "__fish_berry_needs_command" -l req -d 'The REQ to work on (default: the current REQ, set by `berry verify`)' -r
complete -c berry -n "__fish_berry_needs_command" -l repo -d 'The GitHub repository, when the remote URL does not say it' -r
complete -c berry -n "__fish_berry_needs_command" -l deliverables -d 'Read deliverables from DIR/<REQ>/<agent>.json instead of PostgreSQL' -r -F
complete -c berry -n "__fish_berry_needs_command" -l color -d 'When to color the output (NO_COLOR is honoured with auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c berry -n "__fish_berry_needs_command" -l accept-config-change -d 'Accept the working tree\'s changed berry.toml as the gate\'s configuration for the REQ (`berry review` records the acceptance; without it HEAD\'s berry.toml is in force)'
complete -c berry -n "__fish_berry_needs_command" -s y -l yes -d 'Accept every default without asking (also BERRY_YES=1)'
complete -c berry -n "__fish_berry_needs_command" -l dry-run -d 'Show the plan and every text that would be written or sent; change nothing'
complete -c berry -n "__fish_berry_needs_command" -l json -d 'Print one JSON object per step on stdout'
complete -c berry -n "__fish_berry_needs_command" -s q -l quiet -d 'Say less: only warnings, errors and results'
complete -c berry -n "__fish_berry_needs_command" -s v -l verbose -d 'Say more'
complete -c berry -n "__fish_berry_needs_command" -l no-pager -d 'Never page long text'
complete -c berry -n "__fish_berry_needs_command" -l paginate -d 'Page long text even when it fits on the screen (only on a terminal)'
complete -c berry -n "__fish_berry_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c berry -n "__fish_berry_needs_command" -s V -l version -d 'Print version'
complete -c berry -n "__fish_berry_needs_command" -f -a "verify" -d 'Check that QA approved the REQ, and record the evidence the later steps are bound to'
complete -c berry -n "__fish_berry_needs_command" -f -a "review" -d 'Review the deliverables and the change set, run the guards, and record the approved files'
complete -c berry -n "__fish_berry_needs_command" -f -a "commit" -d 'Stage exactly the reviewed files and commit them with a message tied to QA\'s evidence'
complete -c berry -n "__fish_berry_needs_command" -f -a "test" -d 'Run the configured test commands (default: `npm test` in backend, `npm test -- --run` in frontend) with CI=true, one spinner each, output kept in a log; a failure exits 3'
complete -c berry -n "__fish_berry_needs_command" -f -a "push" -d 'Push the committed branch to its remote with progress, verify the remote ref equals the commit, and tell rejections apart (non-fast-forward, protected branch, large files, auth)'
complete -c berry -n "__fish_berry_needs_command" -f -a "pr" -d 'Find the open pull request for owner:branch, or create one (title `REQ: Title`, body from templates/pr.md). On the default branch a PR is recorded as not needed'
complete -c berry -n "__fish_berry_needs_command" -f -a "watch" -d 'Watch every GitHub Actions run for the pushed commit until all complete. Green exits 0; red captures the failed steps\' logs, opens (or updates) one issue for the REQ, marks it BLOCKED, publishes a blocked notice and exits 3'
complete -c berry -n "__fish_berry_needs_command" -f -a "health" -d 'Check the deployment\'s health after CI: every [[health.checks]] of the gate\'s configuration (the committed berry.toml), an HTTP(S) request or a command, retried with backoff until it passes or health.within_secs runs out. A failure exits 3; `complete` then refuses unless given --no-health --reason TEXT'
complete -c berry -n "__fish_berry_needs_command" -f -a "complete" -d 'Mark the REQ DEPLOYED in the tracker (Deployed At, Commit, Deployed By) and publish the completion notice. Requires a green watch, or --no-ci with a reason, `berry test` passed for the tree of the commit being completed, or --skip-tests with a reason, and, when health checks are configured, `berry health` passed for the commit, or --no-health with a reason'
complete -c berry -n "__fish_berry_needs_command" -f -a "block" -d 'Mark the REQ BLOCKED in the tracker and publish the blocked notice, by hand'
complete -c berry -n "__fish_berry_needs_command" -f -a "checklist" -d 'Go through the security checklist for the shipped commit: secrets, HTTPS/TLS, non-root containers, network policies, security updates, backups, access logs, rate limiting, CORS, database credentials'
complete -c berry -n "__fish_berry_needs_command" -f -a "rollback" -d 'Roll a shipped REQ back: revert the commit berry shipped on top of the branch\'s current remote head (a conflict changes nothing and names the files), run the test commands, push (on a protected branch: push revert/<REQ> and open the pull request "Revert REQ: Title"), re-run the health checks, set the tracker entry to ROLLED_BACK (Rolled Back At, Revert Commit, Reason) and publish the ROLLED_BACK notice. A rerun goes on where a run stopped'
complete -c berry -n "__fish_berry_needs_command" -f -a "status" -d 'Show what is recorded for a REQ: each step\'s outcome, the next step, and the side effects (commit, push, PR, CI issue, tracker edits, events). Without a REQ and none current, lists the REQs that have a context in this repository'
complete -c berry -n "__fish_berry_needs_command" -f -a "config" -d 'Show the configuration in force and where each key comes from'
complete -c berry -n "__fish_berry_needs_command" -f -a "run" -d 'Run the steps in workflow order from the first one not yet done; stop at the first that does not succeed, with its exit code'
complete -c berry -n "__fish_berry_needs_command" -f -a "listen" -d 'Take stage 7 from the orchestrator: a durable JetStream consumer of the stage-started events'
complete -c berry -n "__fish_berry_needs_command" -f -a "demo" -d 'Build a self-contained sandbox and run the pipeline in it as far as it goes without GitHub'
complete -c berry -n "__fish_berry_needs_command" -f -a "completions" -d 'Print the shell completion script for SHELL on stdout'
complete -c berry -n "__fish_berry_needs_command" -f -a "guards" -d 'Try the secret guard outside a REQ'
complete -c berry -n "__fish_berry_needs_command" -f -a "man" -d 'Print the man page (roff) on stdout, or write every page into DIR'
complete -c berry -n "__fish_berry_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c berry -n "__fish_berry_using_subcommand verify" -s C -d 'Run as if berry was started in DIR (the repository)' -r -F
complete -c berry -n "__fish_berry_using_subcommand verify" -l config -d 'Configuration file (default: berry.toml at the repository root)' -r -F
complete -c berry -n "__fish_berry_using_subcommand verify" -l req -d 'The REQ to work on (default: the current REQ, set by `berry verify`)' -r
complete -c berry -n "__fish_berry_using_subcommand verify" -l repo -d 'The GitHub repository, when the remote URL does not say it' -r
complete -c berry -n "__fish_berry_using_subcommand verify" -l deliverables -d 'Read deliverables from DIR/<REQ>/<agent>.json instead of PostgreSQL' -r -F
complete -c berry -n "__fish_berry_using_subcommand verify" -l color -d 'When to color the output (NO_COLOR is honoured with auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c berry -n "__fish_berry_using_subcommand verify" -l accept-config-change -d 'Accept the working tree\'s changed berry.toml as the gate\'s configuration for the REQ (`berry review` records the acceptance; without it HEAD\'s berry.toml is in force)'
complete -c berry -n "__fish_berry_using_subcommand verify" -s y -l yes -d 'Accept every default without asking (also BERRY_YES=1)'
complete -c berry -n "__fish_berry_using_subcommand verify" -l dry-run -d 'Show the plan and every text that would be written or sent; change nothing'
complete -c berry -n "__fish_berry_using_subcommand verify" -l json -d 'Print one JSON object per step on stdout'
complete -c berry -n "__fish_berry_using_subcommand verify" -s q -l quiet -d 'Say less: only warnings, errors and results'
complete -c berry -n "__fish_berry_using_subcommand verify" -s v -l verbose -d 'Say more'
complete -c berry -n "__fish_berry_using_subcommand verify" -l no-pager -d 'Never page long text'
complete -c berry -n "__fish_berry_using_subcommand verify" -l paginate -d 'Page long text even when it fits on the screen (only on a terminal)'
complete -c berry -n "__fish_berry_using_subcommand verify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c berry -n "__fish_berry_using_subcommand review" -l allow -d 'Grant an exception to a guard for one file: GUARD:PATH (guards: secrets, conflict-markers, large-file). Recorded in the context and in a commit trailer' -r
complete -c berry -n "__fish_berry_using_subcommand review" -l reason -d 'Why the exceptions given with --allow are granted' -r
complete -c berry -n "__fish_berry_using_subcommand review" -s C -d 'Run as if berry was started in DIR (the repository)' -r -F
complete -c berry -n "__fish_berry_using_subcommand review" -l config -d 'Configuration file (default: berry.toml at the repository root)' -r -F
complete -c berry -n "__fish_berry_using_subcommand review" -l req -d 'The REQ to work on (default: the current REQ, set by `berry verify`)' -r
complete -c berry -n "__fish_berry_using_subcommand review" -l repo -d 'The GitHub repository, when the remote URL does not say it' -r
complete -c berry -n "__fish_berry_using_subcommand review" -l deliverables -d 'Read deliverables from DIR/<REQ>/<agent>.json instead of PostgreSQL' -r -F
complete -c berry -n "__fish_berry_using_subcommand review" -l color -d 'When to color the output (NO_COLOR is honoured with auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c berry -n "__fish_berry_using_subcommand review" -l preview -d 'Write each file\'s diff preview also without a terminal (on a terminal they are shown through the pager anyway; config: review.preview)'
complete -c berry -n "__fish_berry_using_subcommand review" -l accept-config-change -d 'Accept the working tree\'s changed berry.toml as the gate\'s configuration for the REQ (`berry review` records the acceptance; without it HEAD\'s berry.toml is in force)'
complete -c berry -n "__fish_berry_using_subcommand review" -s y -l yes -d 'Accept every default without asking (also BERRY_YES=1)'
complete -c berry -n "__fish_berry_using_subcommand review" -l dry-run -d 'Show the plan and every text that would be written or sent; change nothing'
complete -c berry -n "__fish_berry_using_subcommand review" -l json -d 'Print one JSON object per step on stdout'
complete -c berry -n "__fish_berry_using_subcommand review" -s q -l quiet -d 'Say less: only warnings, errors and results'
complete -c berry -n "__fish_berry_using_subcommand review" -s v -l verbose -d 'Say more'
complete -c berry -n "__fish_berry_using_subcommand review" -l no-pager -d 'Never page long text'
complete -c berry -n "__fish_berry_using_subcommand review" -l paginate -d 'Page long text even when it fits on the screen (only on a terminal)'
complete -c berry -n "__fish_berry_using_subcommand review" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c berry -n "__fish_berry_using_subcommand commit" -s C -d 'Run as if berry was started in DIR (the repository)' -r -F
complete -c berry -n "__fish_berry_using_subcommand commit" -l config -d 'Configuration file (default: berry.toml at the repository root)' -r -F
complete -c berry -n "__fish_berry_using_subcommand commit" -l req -d 'The REQ to work on (default: the current REQ, set by `berry verify`)' -r
complete -c berry -n "__fish_berry_using_subcommand commit" -l repo -d 'The GitHub repository, when the remote URL does not say it' -r
complete -c berry -n "__fish_berry_using_subcommand commit" -l deliverables -d 'Read deliverables from DIR/<REQ>/<agent>.json instead of PostgreSQL' -r -F
complete -c berry -n "__fish_berry_using_subcommand commit" -l color -d 'When to color the output (NO_COLOR is honoured with auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c berry -n "__fish_berry_using_subcommand commit" -l accept-config-change -d 'Accept the working tree\'s changed berry.toml as the gate\'s configuration for the REQ (`berry review` records the acceptance; without it HEAD\'s berry.toml is in force)'
complete -c berry -n "__fish_berry_using_subcommand commit" -s y -l yes -d 'Accept every default without asking (also BERRY_YES=1)'
complete -c berry -n "__fish_berry_using_subcommand commit" -l dry-run -d 'Show the plan and every text that would be written or sent; change nothing'
complete -c berry -n "__fish_berry_using_subcommand commit" -l json -d 'Print one JSON object per step on stdout'
complete -c berry -n "__fish_berry_using_subcommand commit" -s q -l quiet -d 'Say less: only warnings, errors and results'
complete -c berry -n "__fish_berry_using_subcommand commit" -s v -l verbose -d 'Say more'
complete -c berry -n "__fish_berry_using_subcommand commit" -l no-pager -d 'Never page long text'
complete -c berry -n "__fish_berry_using_subcommand commit" -l paginate -d 'Page long text even when it fits on the screen (only on a terminal)'
complete -c berry -n "__fish_berry_using_subcommand commit" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c berry -n "__fish_berry_using_subcommand test" -s C -d 'Run as if berry was started in DIR (the repository)' -r -F
complete -c berry -n "__fish_berry_using_subcommand test" -l config -d 'Configuration file (default: berry.toml at the repository root)' -r -F
complete -c berry -n "__fish_berry_using_subcommand test" -l req -d 'The REQ to work on (default: the current REQ, set by `berry verify`)' -r
complete -c berry -n "__fish_berry_using_subcommand test" -l repo -d 'The GitHub repository, when the remote URL does not say it' -r
complete -c berry -n "__fish_berry_using_subcommand test" -l deliverables -d 'Read deliverables from DIR/<REQ>/<agent>.json instead of PostgreSQL' -r -F
complete -c berry -n "__fish_berry_using_subcommand test" -l color -d 'When to color the output (NO_COLOR is honoured with auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c berry -n "__fish_berry_using_subcommand test" -l again -d 'Run them again even if they passed for the current HEAD'
complete -c berry -n "__fish_berry_using_subcommand test" -l accept-config-change -d 'Accept the working tree\'s changed berry.toml as the gate\'s configuration for the REQ (`berry review` records the acceptance; without it HEAD\'s berry.toml is in force)'
complete -c berry -n "__fish_berry_using_subcommand test" -s y -l yes -d 'Accept every default without asking (also BERRY_YES=1)'
complete -c berry -n "__fish_berry_using_subcommand test" -l dry-run -d 'Show the plan and every text that would be written or sent; change nothing'
complete -c berry -n "__fish_berry_using_subcommand test" -l json -d 'Print one JSON object per step on stdout'
complete -c berry -n "__fish_berry_using_subcommand test" -s q -l quiet -d 'Say less: only warnings, errors and results'
complete -c berry -n "__fish_berry_using_subcommand test" -s v -l verbose -d 'Say more'
complete -c berry -n "__fish_berry_using_subcommand test" -l no-pager -d 'Never page long text'
complete -c berry -n "__fish_berry_using_subcommand test" -l paginate -d 'Page long text even when it fits on the screen (only on a terminal)'
complete -c berry -n "__fish_berry_using_subcommand test" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c berry -n "__fish_berry_using_subcommand push" -l reason -d 'Why the tests are skipped (with --skip-tests) or the freeze is overridden (with --override-freeze)' -r
complete -c berry -n "__fish_berry_using_subcommand push" -s C -d 'Run as if berry was started in DIR (the repository)' -r -F
complete -c berry -n "__fish_berry_using_subcommand push" -l config -d 'Configuration file (default: berry.toml at the repository root)' -r -F
complete -c berry -n "__fish_berry_using_subcommand push" -l req -d 'The REQ to work on (default: the current REQ, set by `berry verify`)' -r
complete -c berry -n "__fish_berry_using_subcommand push" -l repo -d 'The GitHub repository, when the remote URL does not say it' -r
complete -c berry -n "__fish_berry_using_subcommand push" -l deliverables -d 'Read deliverables from DIR/<REQ>/<agent>.json instead of PostgreSQL' -r -F
complete -c berry -n "__fish_berry_using_subcommand push" -l color -d 'When to color the output (NO_COLOR is honoured with auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c berry -n "__fish_berry_using_subcommand push" -l skip-tests -d 'Push although the tests did not pass for this tree (needs --reason; recorded, and shown in the PR body and the completion notice)'
complete -c berry -n "__fish_berry_using_subcommand push" -l override-freeze -d 'Push during a change freeze (`[[deploy.freeze]]`; needs --reason; recorded, and shown in the PR body and the completion notice)'
complete -c berry -n "__fish_berry_using_subcommand push" -l accept-config-change -d 'Accept the working tree\'s changed berry.toml as the gate\'s configuration for the REQ (`berry review` records the acceptance; without it HEAD\'s berry.toml is in force)'
complete -c berry -n "__fish_berry_using_subcommand push" -s y -l yes -d 'Accept every default without asking (also BERRY_YES=1)'
complete -c berry -n "__fish_berry_using_subcommand push" -l dry-run -d 'Show the plan and every text that would be written or sent; change nothing'
complete -c berry -n "__fish_berry_using_subcommand push" -l json -d 'Print one JSON object per step on stdout'
complete -c berry -n "__fish_berry_using_subcommand push" -s q -l quiet -d 'Say less: only warnings, errors and results'
complete -c berry -n "__fish_berry_using_subcommand push" -s v -l verbose -d 'Say more'
complete -c berry -n "__fish_berry_using_subcommand push" -l no-pager -d 'Never page long text'
complete -c berry -n "__fish_berry_using_subcommand push" -l paginate -d 'Page long text even when it fits on the screen (only on a terminal)'
complete -c berry -n "__fish_berry_using_subcommand push" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c berry -n "__fish_berry_using_subcommand pr" -l reviewer -d 'Request a review from this user (repeatable)' -r
complete -c berry -n "__fish_berry_using_subcommand pr" -l label -d 'Add this label (repeatable)' -r
complete -c berry -n "__fish_berry_using_subcommand pr" -l base -d 'The branch to merge into (default: the repository\'s default branch)' -r
complete -c berry -n "__fish_berry_using_subcommand pr" -s C -d 'Run as if berry was started in DIR (the repository)' -r -F
complete -c berry -n "__fish_berry_using_subcommand pr" -l config -d 'Configuration file (default: berry.toml at the repository root)' -r -F
complete -c berry -n "__fish_berry_using_subcommand pr" -l req -d 'The REQ to work on (default: the current REQ, set by `berry verify`)' -r
complete -c berry -n "__fish_berry_using_subcommand pr" -l repo -d 'The GitHub repository, when the remote URL does not say it' -r
complete -c berry -n "__fish_berry_using_subcommand pr" -l deliverables -d 'Read deliverables from DIR/<REQ>/<agent>.json instead of PostgreSQL' -r -F
complete -c berry -n "__fish_berry_using_subcommand pr" -l color -d 'When to color the output (NO_COLOR is honoured with auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c berry -n "__fish_berry_using_subcommand pr" -l draft -d 'Open the pull request as a draft'
complete -c berry -n "__fish_berry_using_subcommand pr" -l accept-config-change -d 'Accept the working tree\'s changed berry.toml as the gate\'s configuration for the REQ (`berry review` records the acceptance; without it HEAD\'s berry.toml is in force)'
complete -c berry -n "__fish_berry_using_subcommand pr" -s y -l yes -d 'Accept every default without asking (also BERRY_YES=1)'
complete -c berry -n "__fish_berry_using_subcommand pr" -l dry-run -d 'Show the plan and every text that would be written or sent; change nothing'
complete -c berry -n "__fish_berry_using_subcommand pr" -l json -d 'Print one JSON object per step on stdout'
complete -c berry -n "__fish_berry_using_subcommand pr" -s q -l quiet -d 'Say less: only warnings, errors and results'
complete -c berry -n "__fish_berry_using_subcommand pr" -s v -l verbose -d 'Say more'
complete -c berry -n "__fish_berry_using_subcommand pr" -l no-pager -d 'Never page long text'
complete -c berry -n "__fish_berry_using_subcommand pr" -l paginate -d 'Page long text even when it fits on the screen (only on a terminal)'
complete -c berry -n "__fish_berry_using_subcommand pr" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c berry -n "__fish_berry_using_subcommand watch" -l appear-timeout -d 'Seconds to wait for runs to appear after the push' -r
complete -c berry -n "__fish_berry_using_subcommand watch" -l interval -d 'Seconds between polls (adapted to what changes)' -r
complete -c berry -n "__fish_berry_using_subcommand watch" -l timeout -d 'Give up after this many seconds (exit 5)' -r
complete -c berry -n "__fish_berry_using_subcommand watch" -s C -d 'Run as if berry was started in DIR (the repository)' -r -F
complete -c berry -n "__fish_berry_using_subcommand watch" -l config -d 'Configuration file (default: berry.toml at the repository root)' -r -F
complete -c berry -n "__fish_berry_using_subcommand watch" -l req -d 'The REQ to work on (default: the current REQ, set by `berry verify`)' -r
complete -c berry -n "__fish_berry_using_subcommand watch" -l repo -d 'The GitHub repository, when the remote URL does not say it' -r
complete -c berry -n "__fish_berry_using_subcommand watch" -l deliverables -d 'Read deliverables from DIR/<REQ>/<agent>.json instead of PostgreSQL' -r -F
complete -c berry -n "__fish_berry_using_subcommand watch" -l color -d 'When to color the output (NO_COLOR is honoured with auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c berry -n "__fish_berry_using_subcommand watch" -l accept-config-change -d 'Accept the working tree\'s changed berry.toml as the gate\'s configuration for the REQ (`berry review` records the acceptance; without it HEAD\'s berry.toml is in force)'
complete -c berry -n "__fish_berry_using_subcommand watch" -s y -l yes -d 'Accept every default without asking (also BERRY_YES=1)'
complete -c berry -n "__fish_berry_using_subcommand watch" -l dry-run -d 'Show the plan and every text that would be written or sent; change nothing'
complete -c berry -n "__fish_berry_using_subcommand watch" -l json -d 'Print one JSON object per step on stdout'
complete -c berry -n "__fish_berry_using_subcommand watch" -s q -l quiet -d 'Say less: only warnings, errors and results'
complete -c berry -n "__fish_berry_using_subcommand watch" -s v -l verbose -d 'Say more'
complete -c berry -n "__fish_berry_using_subcommand watch" -l no-pager -d 'Never page long text'
complete -c berry -n "__fish_berry_using_subcommand watch" -l paginate -d 'Page long text even when it fits on the screen (only on a terminal)'
complete -c berry -n "__fish_berry_using_subcommand watch" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c berry -n "__fish_berry_using_subcommand health" -s C -d 'Run as if berry was started in DIR (the repository)' -r -F
complete -c berry -n "__fish_berry_using_subcommand health" -l config -d 'Configuration file (default: berry.toml at the repository root)' -r -F
complete -c berry -n "__fish_berry_using_subcommand health" -l req -d 'The REQ to work on (default: the current REQ, set by `berry verify`)' -r
complete -c berry -n "__fish_berry_using_subcommand health" -l repo -d 'The GitHub repository, when the remote URL does not say it' -r
complete -c berry -n "__fish_berry_using_subcommand health" -l deliverables -d 'Read deliverables from DIR/<REQ>/<agent>.json instead of PostgreSQL' -r -F
complete -c berry -n "__fish_berry_using_subcommand health" -l color -d 'When to color the output (NO_COLOR is honoured with auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c berry -n "__fish_berry_using_subcommand health" -l again -d 'Check again even if the checks passed for the pushed commit'
complete -c berry -n "__fish_berry_using_subcommand health" -l accept-config-change -d 'Accept the working tree\'s changed berry.toml as the gate\'s configuration for the REQ (`berry review` records the acceptance; without it HEAD\'s berry.toml is in force)'
complete -c berry -n "__fish_berry_using_subcommand health" -s y -l yes -d 'Accept every default without asking (also BERRY_YES=1)'
complete -c berry -n "__fish_berry_using_subcommand health" -l dry-run -d 'Show the plan and every text that would be written or sent; change nothing'
complete -c berry -n "__fish_berry_using_subcommand health" -l json -d 'Print one JSON object per step on stdout'
complete -c berry -n "__fish_berry_using_subcommand health" -s q -l quiet -d 'Say less: only warnings, errors and results'
complete -c berry -n "__fish_berry_using_subcommand health" -s v -l verbose -d 'Say more'
complete -c berry -n "__fish_berry_using_subcommand health" -l no-pager -d 'Never page long text'
complete -c berry -n "__fish_berry_using_subcommand health" -l paginate -d 'Page long text even when it fits on the screen (only on a terminal)'
complete -c berry -n "__fish_berry_using_subcommand health" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c berry -n "__fish_berry_using_subcommand complete" -l reason -d 'Why CI, the tests or the health checks are not required (with --no-ci, --skip-tests or --no-health), or why the freeze is overridden (with --override-freeze)' -r
complete -c berry -n "__fish_berry_using_subcommand complete" -s C -d 'Run as if berry was started in DIR (the repository)' -r -F
complete -c berry -n "__fish_berry_using_subcommand complete" -l config -d 'Configuration file (default: berry.toml at the repository root)' -r -F
complete -c berry -n "__fish_berry_using_subcommand complete" -l req -d 'The REQ to work on (default: the current REQ, set by `berry verify`)' -r
complete -c berry -n "__fish_berry_using_subcommand complete" -l repo -d 'The GitHub repository, when the remote URL does not say it' -r
complete -c berry -n "__fish_berry_using_subcommand complete" -l deliverables -d 'Read deliverables from DIR/<REQ>/<agent>.json instead of PostgreSQL' -r -F
complete -c berry -n "__fish_berry_using_subcommand complete" -l color -d 'When to color the output (NO_COLOR is honoured with auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c berry -n "__fish_berry_using_subcommand complete" -l no-ci -d 'Complete without a green CI run'
complete -c berry -n "__fish_berry_using_subcommand complete" -l skip-tests -d 'Complete although the tests did not pass for this tree (recorded; the notice says `tests_passed: false` and `tests_skipped: true`)'
complete -c berry -n "__fish_berry_using_subcommand complete" -l no-health -d 'Complete although the health checks did not pass for this commit (recorded; the notice\'s `health` says `skipped` with the reason)'
complete -c berry -n "__fish_berry_using_subcommand complete" -l override-freeze -d 'Complete during a change freeze (`[[deploy.freeze]]`; needs --reason; recorded, and shown in the completion notice)'
complete -c berry -n "__fish_berry_using_subcommand complete" -l accept-config-change -d 'Accept the working tree\'s changed berry.toml as the gate\'s configuration for the REQ (`berry review` records the acceptance; without it HEAD\'s berry.toml is in force)'
complete -c berry -n "__fish_berry_using_subcommand complete" -s y -l yes -d 'Accept every default without asking (also BERRY_YES=1)'
complete -c berry -n "__fish_berry_using_subcommand complete" -l dry-run -d 'Show the plan and every text that would be written or sent; change nothing'
complete -c berry -n "__fish_berry_using_subcommand complete" -l json -d 'Print one JSON object per step on stdout'
complete -c berry -n "__fish_berry_using_subcommand complete" -s q -l quiet -d 'Say less: only warnings, errors and results'
complete -c berry -n "__fish_berry_using_subcommand complete" -s v -l verbose -d 'Say more'
complete -c berry -n "__fish_berry_using_subcommand complete" -l no-pager -d 'Never page long text'
complete -c berry -n "__fish_berry_using_subcommand complete" -l paginate -d 'Page long text even when it fits on the screen (only on a terminal)'
complete -c berry -n "__fish_berry_using_subcommand complete" -s h -l help -d 'Print help'
complete -c berry -n "__fish_berry_using_subcommand block" -l reason -d 'Why the REQ is blocked (goes into the notice\'s summary)' -r
complete -c berry -n "__fish_berry_using_subcommand block" -s C -d 'Run as if berry was started in DIR (the repository)' -r -F
complete -c berry -n "__fish_berry_using_subcommand block" -l config -d 'Configuration file (default: berry.toml at the repository root)' -r -F
complete -c berry -n "__fish_berry_using_subcommand block" -l req -d 'The REQ to work on (default: the current REQ, set by `berry verify`)' -r
complete -c berry -n "__fish_berry_using_subcommand block" -l repo -d 'The GitHub repository, when the remote URL does not say it' -r
complete -c berry -n "__fish_berry_using_subcommand block" -l deliverables -d 'Read deliverables from DIR/<REQ>/<agent>.json instead of PostgreSQL' -r -F
complete -c berry -n "__fish_berry_using_subcommand block" -l color -d 'When to color the output (NO_COLOR is honoured with auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c berry -n "__fish_berry_using_subcommand block" -l accept-config-change -d 'Accept the working tree\'s changed berry.toml as the gate\'s configuration for the REQ (`berry review` records the acceptance; without it HEAD\'s berry.toml is in force)'
complete -c berry -n "__fish_berry_using_subcommand block" -s y -l yes -d 'Accept every default without asking (also BERRY_YES=1)'
complete -c berry -n "__fish_berry_using_subcommand block" -l dry-run -d 'Show the plan and every text that would be written or sent; change nothing'
complete -c berry -n "__fish_berry_using_subcommand block" -l json -d 'Print one JSON object per step on stdout'
complete -c berry -n "__fish_berry_using_subcommand block" -s q -l quiet -d 'Say less: only warnings, errors and results'
complete -c berry -n "__fish_berry_using_subcommand block" -s v -l verbose -d 'Say more'
complete -c berry -n "__fish_berry_using_subcommand block" -l no-pager -d 'Never page long text'
complete -c berry -n "__fish_berry_using_subcommand block" -l paginate -d 'Page long text even when it fits on the screen (only on a terminal)'
complete -c berry -n "__fish_berry_using_subcommand block" -s h -l help -d 'Print help'
complete -c berry -n "__fish_berry_using_subcommand checklist" -l attest -d 'Confirm an item checked by hand, with an optional note (repeatable): `--attest backups="restore drill 2026-01-02"`' -r
complete -c berry -n "__fish_berry_using_subcommand checklist" -s C -d 'Run as if berry was started in DIR (the repository)' -r -F
complete -c berry -n "__fish_berry_using_subcommand checklist" -l config -d 'Configuration file (default: berry.toml at the repository root)' -r -F
complete -c berry -n "__fish_berry_using_subcommand checklist" -l req -d 'The REQ to work on (default: the current REQ, set by `berry verify`)' -r
complete -c berry -n "__fish_berry_using_subcommand checklist" -l repo -d 'The GitHub repository, when the remote URL does not say it' -r
complete -c berry -n "__fish_berry_using_subcommand checklist" -l deliverables -d 'Read deliverables from DIR/<REQ>/<agent>.json instead of PostgreSQL' -r -F
complete -c berry -n "__fish_berry_using_subcommand checklist" -l color -d 'When to color the output (NO_COLOR is honoured with auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c berry -n "__fish_berry_using_subcommand checklist" -l accept-config-change -d 'Accept the working tree\'s changed berry.toml as the gate\'s configuration for the REQ (`berry review` records the acceptance; without it HEAD\'s berry.toml is in force)'
complete -c berry -n "__fish_berry_using_subcommand checklist" -s y -l yes -d 'Accept every default without asking (also BERRY_YES=1)'
complete -c berry -n "__fish_berry_using_subcommand checklist" -l dry-run -d 'Show the plan and every text that would be written or sent; change nothing'
complete -c berry -n "__fish_berry_using_subcommand checklist" -l json -d 'Print one JSON object per step on stdout'
complete -c berry -n "__fish_berry_using_subcommand checklist" -s q -l quiet -d 'Say less: only warnings, errors and results'
complete -c berry -n "__fish_berry_using_subcommand checklist" -s v -l verbose -d 'Say more'
complete -c berry -n "__fish_berry_using_subcommand checklist" -l no-pager -d 'Never page long text'
complete -c berry -n "__fish_berry_using_subcommand checklist" -l paginate -d 'Page long text even when it fits on the screen (only on a terminal)'
complete -c berry -n "__fish_berry_using_subcommand checklist" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c berry -n "__fish_berry_using_subcommand rollback" -l reason -d 'Why it is rolled back (in the revert commit, the tracker and the notice)' -r
complete -c berry -n "__fish_berry_using_subcommand rollback" -s C -d 'Run as if berry was started in DIR (the repository)' -r -F
complete -c berry -n "__fish_berry_using_subcommand rollback" -l config -d 'Configuration file (default: berry.toml at the repository root)' -r -F
complete -c berry -n "__fish_berry_using_subcommand rollback" -l req -d 'The REQ to work on (default: the current REQ, set by `berry verify`)' -r
complete -c berry -n "__fish_berry_using_subcommand rollback" -l repo -d 'The GitHub repository, when the remote URL does not say it' -r
complete -c berry -n "__fish_berry_using_subcommand rollback" -l deliverables -d 'Read deliverables from DIR/<REQ>/<agent>.json instead of PostgreSQL' -r -F
complete -c berry -n "__fish_berry_using_subcommand rollback" -l color -d 'When to color the output (NO_COLOR is honoured with auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c berry -n "__fish_berry_using_subcommand rollback" -l override-freeze -d 'Roll back during a change freeze whose window sets `rollback = false` (recorded)'
complete -c berry -n "__fish_berry_using_subcommand rollback" -l accept-config-change -d 'Accept the working tree\'s changed berry.toml as the gate\'s configuration for the REQ (`berry review` records the acceptance; without it HEAD\'s berry.toml is in force)'
complete -c berry -n "__fish_berry_using_subcommand rollback" -s y -l yes -d 'Accept every default without asking (also BERRY_YES=1)'
complete -c berry -n "__fish_berry_using_subcommand rollback" -l dry-run -d 'Show the plan and every text that would be written or sent; change nothing'
complete -c berry -n "__fish_berry_using_subcommand rollback" -l json -d 'Print one JSON object per step on stdout'
complete -c berry -n "__fish_berry_using_subcommand rollback" -s q -l quiet -d 'Say less: only warnings, errors and results'
complete -c berry -n "__fish_berry_using_subcommand rollback" -s v -l verbose -d 'Say more'
complete -c berry -n "__fish_berry_using_subcommand rollback" -l no-pager -d 'Never page long text'
complete -c berry -n "__fish_berry_using_subcommand rollback" -l paginate -d 'Page long text even when it fits on the screen (only on a terminal)'
complete -c berry -n "__fish_berry_using_subcommand rollback" -s h -l help -d 'Print help'
complete -c berry -n "__fish_berry_using_subcommand status" -s C -d 'Run as if berry was started in DIR (the repository)' -r -F
complete -c berry -n "__fish_berry_using_subcommand status" -l config -d 'Configuration file (default: berry.toml at the repository root)' -r -F
complete -c berry -n "__fish_berry_using_subcommand status" -l req -d 'The REQ to work on (default: the current REQ, set by `berry verify`)' -r
complete -c berry -n "__fish_berry_using_subcommand status" -l repo -d 'The GitHub repository, when the remote URL does not say it' -r
complete -c berry -n "__fish_berry_using_subcommand status" -l deliverables -d 'Read deliverables from DIR/<REQ>/<agent>.json instead of PostgreSQL' -r -F
complete -c berry -n "__fish_berry_using_subcommand status" -l color -d 'When to color the output (NO_COLOR is honoured with auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c berry -n "__fish_berry_using_subcommand status" -l accept-config-change -d 'Accept the working tree\'s changed berry.toml as the gate\'s configuration for the REQ (`berry review` records the acceptance; without it HEAD\'s berry.toml is in force)'
complete -c berry -n "__fish_berry_using_subcommand status" -s y -l yes -d 'Accept every default without asking (also BERRY_YES=1)'
complete -c berry -n "__fish_berry_using_subcommand status" -l dry-run -d 'Show the plan and every text that would be written or sent; change nothing'
complete -c berry -n "__fish_berry_using_subcommand status" -l json -d 'Print one JSON object per step on stdout'
complete -c berry -n "__fish_berry_using_subcommand status" -s q -l quiet -d 'Say less: only warnings, errors and results'
complete -c berry -n "__fish_berry_using_subcommand status" -s v -l verbose -d 'Say more'
complete -c berry -n "__fish_berry_using_subcommand status" -l no-pager -d 'Never page long text'
complete -c berry -n "__fish_berry_using_subcommand status" -l paginate -d 'Page long text even when it fits on the screen (only on a terminal)'
complete -c berry -n "__fish_berry_using_subcommand status" -s h -l help -d 'Print help'
complete -c berry -n "__fish_berry_using_subcommand config; and not __fish_seen_subcommand_from list get help" -s C -d 'Run as if berry was started in DIR (the repository)' -r -F
complete -c berry -n "__fish_berry_using_subcommand config; and not __fish_seen_subcommand_from list get help" -l config -d 'Configuration file (default: berry.toml at the repository root)' -r -F
complete -c berry -n "__fish_berry_using_subcommand config; and not __fish_seen_subcommand_from list get help" -l req -d 'The REQ to work on (default: the current REQ, set by `berry verify`)' -r
complete -c berry -n "__fish_berry_using_subcommand config; and not __fish_seen_subcommand_from list get help" -l repo -d 'The GitHub repository, when the remote URL does not say it' -r
complete -c berry -n "__fish_berry_using_subcommand config; and not __fish_seen_subcommand_from list get help" -l deliverables -d 'Read deliverables from DIR/<REQ>/<agent>.json instead of PostgreSQL' -r -F
complete -c berry -n "__fish_berry_using_subcommand config; and not __fish_seen_subcommand_from list get help" -l color -d 'When to color the output (NO_COLOR is honoured with auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c berry -n "__fish_berry_using_subcommand config; and not __fish_seen_subcommand_from list get help" -l accept-config-change -d 'Accept the working tree\'s changed berry.toml as the gate\'s configuration for the REQ (`berry review` records the acceptance; without it HEAD\'s berry.toml is in force)'
complete -c berry -n "__fish_berry_using_subcommand config; and not __fish_seen_subcommand_from list get help" -s y -l yes -d 'Accept every default without asking (also BERRY_YES=1)'
complete -c berry -n "__fish_berry_using_subcommand config; and not __fish_seen_subcommand_from list get help" -l dry-run -d 'Show the plan and every text that would be written or sent; change nothing'
complete -c berry -n "__fish_berry_using_subcommand config; and not __fish_seen_subcommand_from list get help" -l json -d 'Print one JSON object per step on stdout'
complete -c berry -n "__fish_berry_using_subcommand config; and not __fish_seen_subcommand_from list get help" -s q -l quiet -d 'Say less: only warnings, errors and results'
complete -c berry -n "__fish_berry_using_subcommand config; and not __fish_seen_subcommand_from list get help" -s v -l verbose -d 'Say more'
complete -c berry -n "__fish_berry_using_subcommand config; and not __fish_seen_subcommand_from list get help" -l no-pager -d 'Never page long text'
complete -c berry -n "__fish_berry_using_subcommand config; and not __fish_seen_subcommand_from list get help" -l paginate -d 'Page long text even when it fits on the screen (only on a terminal)'
complete -c berry -n "__fish_berry_using_subcommand config; and not __fish_seen_subcommand_from list get help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c berry -n "__fish_berry_using_subcommand config; and not __fish_seen_subcommand_from list get help" -f -a "list" -d 'Every key with its value, as `key = value` lines'
complete -c berry -n "__fish_berry_using_subcommand config; and not __fish_seen_subcommand_from list get help" -f -a "get" -d 'The value of KEY (a section prints each of its keys). Exit 1 when KEY is not set'
complete -c berry -n "__fish_berry_using_subcommand config; and not __fish_seen_subcommand_from list get help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c berry -n "__fish_berry_using_subcommand config; and __fish_seen_subcommand_from list" -s C -d 'Run as if berry was started in DIR (the repository)' -r -F
complete -c berry -n "__fish_berry_using_subcommand config; and __fish_seen_subcommand_from list" -l config -d 'Configuration file (default: berry.toml at the repository root)' -r -F
complete -c berry -n "__fish_berry_using_subcommand config; and __fish_seen_subcommand_from list" -l req -d 'The REQ to work on (default: the current REQ, set by `berry verify`)' -r
complete -c berry -n "__fish_berry_using_subcommand config; and __fish_seen_subcommand_from list" -l repo -d 'The GitHub repository, when the remote URL does not say it' -r
complete -c berry -n "__fish_berry_using_subcommand config; and __fish_seen_subcommand_from list" -l deliverables -d 'Read deliverables from DIR/<REQ>/<agent>.json instead of PostgreSQL' -r -F
complete -c berry -n "__fish_berry_using_subcommand config; and __fish_seen_subcommand_from list" -l color -d 'When to color the output (NO_COLOR is honoured with auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c berry -n "__fish_berry_using_subcommand config; and __fish_seen_subcommand_from list" -l show-origin -d 'Prefix each line with where the key is set (`default`, `user:PATH`, `repo:FILE`, `env:VAR`, `flag:--FLAG`), as `git config --show-origin` does'
complete -c berry -n "__fish_berry_using_subcommand config; and __fish_seen_subcommand_from list" -l accept-config-change -d 'Accept the working tree\'s changed berry.toml as the gate\'s configuration for the REQ (`berry review` records the acceptance; without it HEAD\'s berry.toml is in force)'
complete -c berry -n "__fish_berry_using_subcommand config; and __fish_seen_subcommand_from list" -s y -l yes -d 'Accept every default without asking (also BERRY_YES=1)'
complete -c berry -n "__fish_berry_using_subcommand config; and __fish_seen_subcommand_from list" -l dry-run -d 'Show the plan and every text that would be written or sent; change nothing'
complete -c berry -n "__fish_berry_using_subcommand config; and __fish_seen_subcommand_from list" -l json -d 'Print one JSON object per step on stdout'
complete -c berry -n "__fish_berry_using_subcommand config; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Say less: only warnings, errors and results'
complete -c berry -n "__fish_berry_using_subcommand config; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Say more'
complete -c berry -n "__fish_berry_using_subcommand config; and __fish_seen_subcommand_from list" -l no-pager -d 'Never page long text'
complete -c berry -n "__fish_berry_using_subcommand config; and __fish_seen_subcommand_from list" -l paginate -d 'Page long text even when it fits on the screen (only on a terminal)'
complete -c berry -n "__fish_berry_using_subcommand config; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c berry -n "__fish_berry_using_subcommand config; and __fish_seen_subcommand_from get" -s C -d 'Run as if berry was started in DIR (the repository)' -r -F
complete -c berry -n "__fish_berry_using_subcommand config; and __fish_seen_subcommand_from get" -l config -d 'Configuration file (default: berry.toml at the repository root)' -r -F
complete -c berry -n "__fish_berry_using_subcommand config; and __fish_seen_subcommand_from get" -l req -d 'The REQ to work on (default: the current REQ, set by `berry verify`)' -r
complete -c berry -n "__fish_berry_using_subcommand config; and __fish_seen_subcommand_from get" -l repo -d 'The GitHub repository, when the remote URL does not say it' -r
complete -c berry -n "__fish_berry_using_subcommand config; and __fish_seen_subcommand_from get" -l deliverables -d 'Read deliverables from DIR/<REQ>/<agent>.json instead of PostgreSQL' -r -F
complete -c berry -n "__fish_berry_using_subcommand config; and __fish_seen_subcommand_from get" -l color -d 'When to color the output (NO_COLOR is honoured with auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c berry -n "__fish_berry_using_subcommand config; and __fish_seen_subcommand_from get" -l show-origin -d 'Prefix the value with where it is set'
complete -c berry -n "__fish_berry_using_subcommand config; and __fish_seen_subcommand_from get" -l accept-config-change -d 'Accept the working tree\'s changed berry.toml as the gate\'s configuration for the REQ (`berry review` records the acceptance; without it HEAD\'s berry.toml is in force)'
complete -c berry -n "__fish_berry_using_subcommand config; and __fish_seen_subcommand_from get" -s y -l yes -d 'Accept every default without asking (also BERRY_YES=1)'
complete -c berry -n "__fish_berry_using_subcommand config; and __fish_seen_subcommand_from get" -l dry-run -d 'Show the plan and every text that would be written or sent; change nothing'
complete -c berry -n "__fish_berry_using_subcommand config; and __fish_seen_subcommand_from get" -l json -d 'Print one JSON object per step on stdout'
complete -c berry -n "__fish_berry_using_subcommand config; and __fish_seen_subcommand_from get" -s q -l quiet -d 'Say less: only warnings, errors and results'
complete -c berry -n "__fish_berry_using_subcommand config; and __fish_seen_subcommand_from get" -s v -l verbose -d 'Say more'
complete -c berry -n "__fish_berry_using_subcommand config; and __fish_seen_subcommand_from get" -l no-pager -d 'Never page long text'
complete -c berry -n "__fish_berry_using_subcommand config; and __fish_seen_subcommand_from get" -l paginate -d 'Page long text even when it fits on the screen (only on a terminal)'
complete -c berry -n "__fish_berry_using_subcommand config; and __fish_seen_subcommand_from get" -s h -l help -d 'Print help'
complete -c berry -n "__fish_berry_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "list" -d 'Every key with its value, as `key = value` lines'
complete -c berry -n "__fish_berry_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "get" -d 'The value of KEY (a section prints each of its keys). Exit 1 when KEY is not set'
complete -c berry -n "__fish_berry_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c berry -n "__fish_berry_using_subcommand run" -l from -d 'Start at this step (even if it is recorded as done)' -r -f -a "verify\t''
review\t''
commit\t''
test\t''
push\t''
pr\t''
watch\t''
health\t''
complete\t''"
complete -c berry -n "__fish_berry_using_subcommand run" -l to -d 'Stop after this step' -r -f -a "verify\t''
review\t''
commit\t''
test\t''
push\t''
pr\t''
watch\t''
health\t''
complete\t''"
complete -c berry -n "__fish_berry_using_subcommand run" -s C -d 'Run as if berry was started in DIR (the repository)' -r -F
complete -c berry -n "__fish_berry_using_subcommand run" -l config -d 'Configuration file (default: berry.toml at the repository root)' -r -F
complete -c berry -n "__fish_berry_using_subcommand run" -l req -d 'The REQ to work on (default: the current REQ, set by `berry verify`)' -r
complete -c berry -n "__fish_berry_using_subcommand run" -l repo -d 'The GitHub repository, when the remote URL does not say it' -r
complete -c berry -n "__fish_berry_using_subcommand run" -l deliverables -d 'Read deliverables from DIR/<REQ>/<agent>.json instead of PostgreSQL' -r -F
complete -c berry -n "__fish_berry_using_subcommand run" -l color -d 'When to color the output (NO_COLOR is honoured with auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c berry -n "__fish_berry_using_subcommand run" -l accept-config-change -d 'Accept the working tree\'s changed berry.toml as the gate\'s configuration for the REQ (`berry review` records the acceptance; without it HEAD\'s berry.toml is in force)'
complete -c berry -n "__fish_berry_using_subcommand run" -s y -l yes -d 'Accept every default without asking (also BERRY_YES=1)'
complete -c berry -n "__fish_berry_using_subcommand run" -l dry-run -d 'Show the plan and every text that would be written or sent; change nothing'
complete -c berry -n "__fish_berry_using_subcommand run" -l json -d 'Print one JSON object per step on stdout'
complete -c berry -n "__fish_berry_using_subcommand run" -s q -l quiet -d 'Say less: only warnings, errors and results'
complete -c berry -n "__fish_berry_using_subcommand run" -s v -l verbose -d 'Say more'
complete -c berry -n "__fish_berry_using_subcommand run" -l no-pager -d 'Never page long text'
complete -c berry -n "__fish_berry_using_subcommand run" -l paginate -d 'Page long text even when it fits on the screen (only on a terminal)'
complete -c berry -n "__fish_berry_using_subcommand run" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c berry -n "__fish_berry_using_subcommand listen" -l concurrency -d 'Events handled at the same time by this process (default: listen.concurrency)' -r
complete -c berry -n "__fish_berry_using_subcommand listen" -l source -d 'Where a REQ\'s work comes from: this working tree, or the remote branch agents/<REQ> applied in a worktree of the listener\'s own (default: listen.source)' -r -f -a "worktree\t''
branch\t''"
complete -c berry -n "__fish_berry_using_subcommand listen" -s C -d 'Run as if berry was started in DIR (the repository)' -r -F
complete -c berry -n "__fish_berry_using_subcommand listen" -l config -d 'Configuration file (default: berry.toml at the repository root)' -r -F
complete -c berry -n "__fish_berry_using_subcommand listen" -l req -d 'The REQ to work on (default: the current REQ, set by `berry verify`)' -r
complete -c berry -n "__fish_berry_using_subcommand listen" -l repo -d 'The GitHub repository, when the remote URL does not say it' -r
complete -c berry -n "__fish_berry_using_subcommand listen" -l deliverables -d 'Read deliverables from DIR/<REQ>/<agent>.json instead of PostgreSQL' -r -F
complete -c berry -n "__fish_berry_using_subcommand listen" -l color -d 'When to color the output (NO_COLOR is honoured with auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c berry -n "__fish_berry_using_subcommand listen" -l once -d 'Handle one event, then exit with its outcome (0 completed, 3 blocked, 1 released, 2 terminated)'
complete -c berry -n "__fish_berry_using_subcommand listen" -l status -d 'Show the consumer\'s pending, ack-pending and redelivered counts, then exit'
complete -c berry -n "__fish_berry_using_subcommand listen" -l accept-config-change -d 'Accept the working tree\'s changed berry.toml as the gate\'s configuration for the REQ (`berry review` records the acceptance; without it HEAD\'s berry.toml is in force)'
complete -c berry -n "__fish_berry_using_subcommand listen" -s y -l yes -d 'Accept every default without asking (also BERRY_YES=1)'
complete -c berry -n "__fish_berry_using_subcommand listen" -l dry-run -d 'Show the plan and every text that would be written or sent; change nothing'
complete -c berry -n "__fish_berry_using_subcommand listen" -l json -d 'Print one JSON object per step on stdout'
complete -c berry -n "__fish_berry_using_subcommand listen" -s q -l quiet -d 'Say less: only warnings, errors and results'
complete -c berry -n "__fish_berry_using_subcommand listen" -s v -l verbose -d 'Say more'
complete -c berry -n "__fish_berry_using_subcommand listen" -l no-pager -d 'Never page long text'
complete -c berry -n "__fish_berry_using_subcommand listen" -l paginate -d 'Page long text even when it fits on the screen (only on a terminal)'
complete -c berry -n "__fish_berry_using_subcommand listen" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c berry -n "__fish_berry_using_subcommand demo" -l config -d 'Configuration file (default: berry.toml at the repository root)' -r -F
complete -c berry -n "__fish_berry_using_subcommand demo" -l req -d 'The REQ to work on (default: the current REQ, set by `berry verify`)' -r
complete -c berry -n "__fish_berry_using_subcommand demo" -l repo -d 'The GitHub repository, when the remote URL does not say it' -r
complete -c berry -n "__fish_berry_using_subcommand demo" -l deliverables -d 'Read deliverables from DIR/<REQ>/<agent>.json instead of PostgreSQL' -r -F
complete -c berry -n "__fish_berry_using_subcommand demo" -l color -d 'When to color the output (NO_COLOR is honoured with auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c berry -n "__fish_berry_using_subcommand demo" -l rejected -d 'Show the gate closing on a REQ whose QA failed'
complete -c berry -n "__fish_berry_using_subcommand demo" -l accept-config-change -d 'Accept the working tree\'s changed berry.toml as the gate\'s configuration for the REQ (`berry review` records the acceptance; without it HEAD\'s berry.toml is in force)'
complete -c berry -n "__fish_berry_using_subcommand demo" -s y -l yes -d 'Accept every default without asking (also BERRY_YES=1)'
complete -c berry -n "__fish_berry_using_subcommand demo" -l dry-run -d 'Show the plan and every text that would be written or sent; change nothing'
complete -c berry -n "__fish_berry_using_subcommand demo" -l json -d 'Print one JSON object per step on stdout'
complete -c berry -n "__fish_berry_using_subcommand demo" -s q -l quiet -d 'Say less: only warnings, errors and results'
complete -c berry -n "__fish_berry_using_subcommand demo" -s v -l verbose -d 'Say more'
complete -c berry -n "__fish_berry_using_subcommand demo" -l no-pager -d 'Never page long text'
complete -c berry -n "__fish_berry_using_subcommand demo" -l paginate -d 'Page long text even when it fits on the screen (only on a terminal)'
complete -c berry -n "__fish_berry_using_subcommand demo" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c berry -n "__fish_berry_using_subcommand completions" -s C -d 'Run as if berry was started in DIR (the repository)' -r -F
complete -c berry -n "__fish_berry_using_subcommand completions" -l config -d 'Configuration file (default: berry.toml at the repository root)' -r -F
complete -c berry -n "__fish_berry_using_subcommand completions" -l req -d 'The REQ to work on (default: the current REQ, set by `berry verify`)' -r
complete -c berry -n "__fish_berry_using_subcommand completions" -l repo -d 'The GitHub repository, when the remote URL does not say it' -r
complete -c berry -n "__fish_berry_using_subcommand completions" -l deliverables -d 'Read deliverables from DIR/<REQ>/<agent>.json instead of PostgreSQL' -r -F
complete -c berry -n "__fish_berry_using_subcommand completions" -l color -d 'When to color the output (NO_COLOR is honoured with auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c berry -n "__fish_berry_using_subcommand completions" -l accept-config-change -d 'Accept the working tree\'s changed berry.toml as the gate\'s configuration for the REQ (`berry review` records the acceptance; without it HEAD\'s berry.toml is in force)'
complete -c berry -n "__fish_berry_using_subcommand completions" -s y -l yes -d 'Accept every default without asking (also BERRY_YES=1)'
complete -c berry -n "__fish_berry_using_subcommand completions" -l dry-run -d 'Show the plan and every text that would be written or sent; change nothing'
complete -c berry -n "__fish_berry_using_subcommand completions" -l json -d 'Print one JSON object per step on stdout'
complete -c berry -n "__fish_berry_using_subcommand completions" -s q -l quiet -d 'Say less: only warnings, errors and results'
complete -c berry -n "__fish_berry_using_subcommand completions" -s v -l verbose -d 'Say more'
complete -c berry -n "__fish_berry_using_subcommand completions" -l no-pager -d 'Never page long text'
complete -c berry -n "__fish_berry_using_subcommand completions" -l paginate -d 'Page long text even when it fits on the screen (only on a terminal)'
complete -c berry -n "__fish_berry_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c berry -n "__fish_berry_using_subcommand guards; and not __fish_seen_subcommand_from check help" -s C -d 'Run as if berry was started in DIR (the repository)' -r -F
complete -c berry -n "__fish_berry_using_subcommand guards; and not __fish_seen_subcommand_from check help" -l config -d 'Configuration file (default: berry.toml at the repository root)' -r -F
complete -c berry -n "__fish_berry_using_subcommand guards; and not __fish_seen_subcommand_from check help" -l req -d 'The REQ to work on (default: the current REQ, set by `berry verify`)' -r
complete -c berry -n "__fish_berry_using_subcommand guards; and not __fish_seen_subcommand_from check help" -l repo -d 'The GitHub repository, when the remote URL does not say it' -r
complete -c berry -n "__fish_berry_using_subcommand guards; and not __fish_seen_subcommand_from check help" -l deliverables -d 'Read deliverables from DIR/<REQ>/<agent>.json instead of PostgreSQL' -r -F
complete -c berry -n "__fish_berry_using_subcommand guards; and not __fish_seen_subcommand_from check help" -l color -d 'When to color the output (NO_COLOR is honoured with auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c berry -n "__fish_berry_using_subcommand guards; and not __fish_seen_subcommand_from check help" -l accept-config-change -d 'Accept the working tree\'s changed berry.toml as the gate\'s configuration for the REQ (`berry review` records the acceptance; without it HEAD\'s berry.toml is in force)'
complete -c berry -n "__fish_berry_using_subcommand guards; and not __fish_seen_subcommand_from check help" -s y -l yes -d 'Accept every default without asking (also BERRY_YES=1)'
complete -c berry -n "__fish_berry_using_subcommand guards; and not __fish_seen_subcommand_from check help" -l dry-run -d 'Show the plan and every text that would be written or sent; change nothing'
complete -c berry -n "__fish_berry_using_subcommand guards; and not __fish_seen_subcommand_from check help" -l json -d 'Print one JSON object per step on stdout'
complete -c berry -n "__fish_berry_using_subcommand guards; and not __fish_seen_subcommand_from check help" -s q -l quiet -d 'Say less: only warnings, errors and results'
complete -c berry -n "__fish_berry_using_subcommand guards; and not __fish_seen_subcommand_from check help" -s v -l verbose -d 'Say more'
complete -c berry -n "__fish_berry_using_subcommand guards; and not __fish_seen_subcommand_from check help" -l no-pager -d 'Never page long text'
complete -c berry -n "__fish_berry_using_subcommand guards; and not __fish_seen_subcommand_from check help" -l paginate -d 'Page long text even when it fits on the screen (only on a terminal)'
complete -c berry -n "__fish_berry_using_subcommand guards; and not __fish_seen_subcommand_from check help" -s h -l help -d 'Print help'
complete -c berry -n "__fish_berry_using_subcommand guards; and not __fish_seen_subcommand_from check help" -f -a "check" -d 'Run the secret rules on files (or stdin with no PATH, or `-`); exit 3 on a finding'
complete -c berry -n "__fish_berry_using_subcommand guards; and not __fish_seen_subcommand_from check help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c berry -n "__fish_berry_using_subcommand guards; and __fish_seen_subcommand_from check" -l rules -d 'A rule file in the gitleaks format instead of the repository\'s' -r -F
complete -c berry -n "__fish_berry_using_subcommand guards; and __fish_seen_subcommand_from check" -s C -d 'Run as if berry was started in DIR (the repository)' -r -F
complete -c berry -n "__fish_berry_using_subcommand guards; and __fish_seen_subcommand_from check" -l config -d 'Configuration file (default: berry.toml at the repository root)' -r -F
complete -c berry -n "__fish_berry_using_subcommand guards; and __fish_seen_subcommand_from check" -l req -d 'The REQ to work on (default: the current REQ, set by `berry verify`)' -r
complete -c berry -n "__fish_berry_using_subcommand guards; and __fish_seen_subcommand_from check" -l repo -d 'The GitHub repository, when the remote URL does not say it' -r
complete -c berry -n "__fish_berry_using_subcommand guards; and __fish_seen_subcommand_from check" -l deliverables -d 'Read deliverables from DIR/<REQ>/<agent>.json instead of PostgreSQL' -r -F
complete -c berry -n "__fish_berry_using_subcommand guards; and __fish_seen_subcommand_from check" -l color -d 'When to color the output (NO_COLOR is honoured with auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c berry -n "__fish_berry_using_subcommand guards; and __fish_seen_subcommand_from check" -l accept-config-change -d 'Accept the working tree\'s changed berry.toml as the gate\'s configuration for the REQ (`berry review` records the acceptance; without it HEAD\'s berry.toml is in force)'
complete -c berry -n "__fish_berry_using_subcommand guards; and __fish_seen_subcommand_from check" -s y -l yes -d 'Accept every default without asking (also BERRY_YES=1)'
complete -c berry -n "__fish_berry_using_subcommand guards; and __fish_seen_subcommand_from check" -l dry-run -d 'Show the plan and every text that would be written or sent; change nothing'
complete -c berry -n "__fish_berry_using_subcommand guards; and __fish_seen_subcommand_from check" -l json -d 'Print one JSON object per step on stdout'
complete -c berry -n "__fish_berry_using_subcommand guards; and __fish_seen_subcommand_from check" -s q -l quiet -d 'Say less: only warnings, errors and results'
complete -c berry -n "__fish_berry_using_subcommand guards; and __fish_seen_subcommand_from check" -s v -l verbose -d 'Say more'
complete -c berry -n "__fish_berry_using_subcommand guards; and __fish_seen_subcommand_from check" -l no-pager -d 'Never page long text'
complete -c berry -n "__fish_berry_using_subcommand guards; and __fish_seen_subcommand_from check" -l paginate -d 'Page long text even when it fits on the screen (only on a terminal)'
complete -c berry -n "__fish_berry_using_subcommand guards; and __fish_seen_subcommand_from check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c berry -n "__fish_berry_using_subcommand guards; and __fish_seen_subcommand_from help" -f -a "check" -d 'Run the secret rules on files (or stdin with no PATH, or `-`); exit 3 on a finding'
complete -c berry -n "__fish_berry_using_subcommand guards; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c berry -n "__fish_berry_using_subcommand man" -l out -d 'Write berry.1 and one page per subcommand into DIR' -r -F
complete -c berry -n "__fish_berry_using_subcommand man" -s C -d 'Run as if berry was started in DIR (the repository)' -r -F
complete -c berry -n "__fish_berry_using_subcommand man" -l config -d 'Configuration file (default: berry.toml at the repository root)' -r -F
complete -c berry -n "__fish_berry_using_subcommand man" -l req -d 'The REQ to work on (default: the current REQ, set by `berry verify`)' -r
complete -c berry -n "__fish_berry_using_subcommand man" -l repo -d 'The GitHub repository, when the remote URL does not say it' -r
complete -c berry -n "__fish_berry_using_subcommand man" -l deliverables -d 'Read deliverables from DIR/<REQ>/<agent>.json instead of PostgreSQL' -r -F
complete -c berry -n "__fish_berry_using_subcommand man" -l color -d 'When to color the output (NO_COLOR is honoured with auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c berry -n "__fish_berry_using_subcommand man" -l accept-config-change -d 'Accept the working tree\'s changed berry.toml as the gate\'s configuration for the REQ (`berry review` records the acceptance; without it HEAD\'s berry.toml is in force)'
complete -c berry -n "__fish_berry_using_subcommand man" -s y -l yes -d 'Accept every default without asking (also BERRY_YES=1)'
complete -c berry -n "__fish_berry_using_subcommand man" -l dry-run -d 'Show the plan and every text that would be written or sent; change nothing'
complete -c berry -n "__fish_berry_using_subcommand man" -l json -d 'Print one JSON object per step on stdout'
complete -c berry -n "__fish_berry_using_subcommand man" -s q -l quiet -d 'Say less: only warnings, errors and results'
complete -c berry -n "__fish_berry_using_subcommand man" -s v -l verbose -d 'Say more'
complete -c berry -n "__fish_berry_using_subcommand man" -l no-pager -d 'Never page long text'
complete -c berry -n "__fish_berry_using_subcommand man" -l paginate -d 'Page long text even when it fits on the screen (only on a terminal)'
complete -c berry -n "__fish_berry_using_subcommand man" -s h -l help -d 'Print help'
complete -c berry -n "__fish_berry_using_subcommand help; and not __fish_seen_subcommand_from verify review commit test push pr watch health complete block checklist rollback status config run listen demo completions guards man help" -f -a "verify" -d 'Check that QA approved the REQ, and record the evidence the later steps are bound to'
complete -c berry -n "__fish_berry_using_subcommand help; and not __fish_seen_subcommand_from verify review commit test push pr watch health complete block checklist rollback status config run listen demo completions guards man help" -f -a "review" -d 'Review the deliverables and the change set, run the guards, and record the approved files'
complete -c berry -n "__fish_berry_using_subcommand help; and not __fish_seen_subcommand_from verify review commit test push pr watch health complete block checklist rollback status config run listen demo completions guards man help" -f -a "commit" -d 'Stage exactly the reviewed files and commit them with a message tied to QA\'s evidence'
complete -c berry -n "__fish_berry_using_subcommand help; and not __fish_seen_subcommand_from verify review commit test push pr watch health complete block checklist rollback status config run listen demo completions guards man help" -f -a "test" -d 'Run the configured test commands (default: `npm test` in backend, `npm test -- --run` in frontend) with CI=true, one spinner each, output kept in a log; a failure exits 3'
complete -c berry -n "__fish_berry_using_subcommand help; and not __fish_seen_subcommand_from verify review commit test push pr watch health complete block checklist rollback status config run listen demo completions guards man help" -f -a "push" -d 'Push the committed branch to its remote with progress, verify the remote ref equals the commit, and tell rejections apart (non-fast-forward, protected branch, large files, auth)'
complete -c berry -n "__fish_berry_using_subcommand help; and not __fish_seen_subcommand_from verify review commit test push pr watch health complete block checklist rollback status config run listen demo completions guards man help" -f -a "pr" -d 'Find the open pull request for owner:branch, or create one (title `REQ: Title`, body from templates/pr.md). On the default branch a PR is recorded as not needed'
complete -c berry -n "__fish_berry_using_subcommand help; and not __fish_seen_subcommand_from verify review commit test push pr watch health complete block checklist rollback status config run listen demo completions guards man help" -f -a "watch" -d 'Watch every GitHub Actions run for the pushed commit until all complete. Green exits 0; red captures the failed steps\' logs, opens (or updates) one issue for the REQ, marks it BLOCKED, publishes a blocked notice and exits 3'
complete -c berry -n "__fish_berry_using_subcommand help; and not __fish_seen_subcommand_from verify review commit test push pr watch health complete block checklist rollback status config run listen demo completions guards man help" -f -a "health" -d 'Check the deployment\'s health after CI: every [[health.checks]] of the gate\'s configuration (the committed berry.toml), an HTTP(S) request or a command, retried with backoff until it passes or health.within_secs runs out. A failure exits 3; `complete` then refuses unless given --no-health --reason TEXT'
complete -c berry -n "__fish_berry_using_subcommand help; and not __fish_seen_subcommand_from verify review commit test push pr watch health complete block checklist rollback status config run listen demo completions guards man help" -f -a "complete" -d 'Mark the REQ DEPLOYED in the tracker (Deployed At, Commit, Deployed By) and publish the completion notice. Requires a green watch, or --no-ci with a reason, `berry test` passed for the tree of the commit being completed, or --skip-tests with a reason, and, when health checks are configured, `berry health` passed for the commit, or --no-health with a reason'
complete -c berry -n "__fish_berry_using_subcommand help; and not __fish_seen_subcommand_from verify review commit test push pr watch health complete block checklist rollback status config run listen demo completions guards man help" -f -a "block" -d 'Mark the REQ BLOCKED in the tracker and publish the blocked notice, by hand'
complete -c berry -n "__fish_berry_using_subcommand help; and not __fish_seen_subcommand_from verify review commit test push pr watch health complete block checklist rollback status config run listen demo completions guards man help" -f -a "checklist" -d 'Go through the security checklist for the shipped commit: secrets, HTTPS/TLS, non-root containers, network policies, security updates, backups, access logs, rate limiting, CORS, database credentials'
complete -c berry -n "__fish_berry_using_subcommand help; and not __fish_seen_subcommand_from verify review commit test push pr watch health complete block checklist rollback status config run listen demo completions guards man help" -f -a "rollback" -d 'Roll a shipped REQ back: revert the commit berry shipped on top of the branch\'s current remote head (a conflict changes nothing and names the files), run the test commands, push (on a protected branch: push revert/<REQ> and open the pull request "Revert REQ: Title"), re-run the health checks, set the tracker entry to ROLLED_BACK (Rolled Back At, Revert Commit, Reason) and publish the ROLLED_BACK notice. A rerun goes on where a run stopped'
complete -c berry -n "__fish_berry_using_subcommand help; and not __fish_seen_subcommand_from verify review commit test push pr watch health complete block checklist rollback status config run listen demo completions guards man help" -f -a "status" -d 'Show what is recorded for a REQ: each step\'s outcome, the next step, and the side effects (commit, push, PR, CI issue, tracker edits, events). Without a REQ and none current, lists the REQs that have a context in this repository'
complete -c berry -n "__fish_berry_using_subcommand help; and not __fish_seen_subcommand_from verify review commit test push pr watch health complete block checklist rollback status config run listen demo completions guards man help" -f -a "config" -d 'Show the configuration in force and where each key comes from'
complete -c berry -n "__fish_berry_using_subcommand help; and not __fish_seen_subcommand_from verify review commit test push pr watch health complete block checklist rollback status config run listen demo completions guards man help" -f -a "run" -d 'Run the steps in workflow order from the first one not yet done; stop at the first that does not succeed, with its exit code'
complete -c berry -n "__fish_berry_using_subcommand help; and not __fish_seen_subcommand_from verify review commit test push pr watch health complete block checklist rollback status config run listen demo completions guards man help" -f -a "listen" -d 'Take stage 7 from the orchestrator: a durable JetStream consumer of the stage-started events'
complete -c berry -n "__fish_berry_using_subcommand help; and not __fish_seen_subcommand_from verify review commit test push pr watch health complete block checklist rollback status config run listen demo completions guards man help" -f -a "demo" -d 'Build a self-contained sandbox and run the pipeline in it as far as it goes without GitHub'
complete -c berry -n "__fish_berry_using_subcommand help; and not __fish_seen_subcommand_from verify review commit test push pr watch health complete block checklist rollback status config run listen demo completions guards man help" -f -a "completions" -d 'Print the shell completion script for SHELL on stdout'
complete -c berry -n "__fish_berry_using_subcommand help; and not __fish_seen_subcommand_from verify review commit test push pr watch health complete block checklist rollback status config run listen demo completions guards man help" -f -a "guards" -d 'Try the secret guard outside a REQ'
complete -c berry -n "__fish_berry_using_subcommand help; and not __fish_seen_subcommand_from verify review commit test push pr watch health complete block checklist rollback status config run listen demo completions guards man help" -f -a "man" -d 'Print the man page (roff) on stdout, or write every page into DIR'
complete -c berry -n "__fish_berry_using_subcommand help; and not __fish_seen_subcommand_from verify review commit test push pr watch health complete block checklist rollback status config run listen demo completions guards man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c berry -n "__fish_berry_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "list" -d 'Every key with its value, as `key = value` lines'
complete -c berry -n "__fish_berry_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "get" -d 'The value of KEY (a section prints each of its keys). Exit 1 when KEY is not set'
complete -c berry -n "__fish_berry_using_subcommand help; and __fish_seen_subcommand_from guards" -f -a "check" -d 'Run the secret rules on files (or stdin with no PATH, or `-`); exit 3 on a finding'
