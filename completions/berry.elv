
use builtin;
use str;

set edit:completion:arg-completer[berry] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'berry'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'berry'= {
            cand -C 'Run as if berry was started in DIR (the repository)'
            cand --config 'Configuration file (default: berry.toml at the repository root)'
            cand --req 'The REQ to work on (default: the current REQ, set by `berry verify`)'
            cand --repo 'The GitHub repository, when the remote URL does not say it'
            cand --deliverables 'Read deliverables from DIR/<REQ>/<agent>.json instead of PostgreSQL'
            cand --color 'When to color the output (NO_COLOR is honoured with auto)'
            cand --accept-config-change 'Accept the working tree''s changed berry.toml as the gate''s configuration for the REQ (`berry review` records the acceptance; without it HEAD''s berry.toml is in force)'
            cand -y 'Accept every default without asking (also BERRY_YES=1)'
            cand --yes 'Accept every default without asking (also BERRY_YES=1)'
            cand --dry-run 'Show the plan and every text that would be written or sent; change nothing'
            cand --json 'Print one JSON object per step on stdout'
            cand -q 'Say less: only warnings, errors and results'
            cand --quiet 'Say less: only warnings, errors and results'
            cand -v 'Say more'
            cand --verbose 'Say more'
            cand --no-pager 'Never page long text'
            cand --paginate 'Page long text even when it fits on the screen (only on a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand verify 'Check that QA approved the REQ, and record the evidence the later steps are bound to'
            cand review 'Review the deliverables and the change set, run the guards, and record the approved files'
            cand commit 'Stage exactly the reviewed files and commit them with a message tied to QA''s evidence'
            cand test 'Run the configured test commands (default: `npm test` in backend, `npm test -- --run` in frontend) with CI=true, one spinner each, output kept in a log; a failure exits 3'
            cand push 'Push the committed branch to its remote with progress, verify the remote ref equals the commit, and tell rejections apart (non-fast-forward, protected branch, large files, auth)'
            cand pr 'Find the open pull request for owner:branch, or create one (title `REQ: Title`, body from templates/pr.md). On the default branch a PR is recorded as not needed'
            cand watch 'Watch every GitHub Actions run for the pushed commit until all complete. Green exits 0; red captures the failed steps'' logs, opens (or updates) one issue for the REQ, marks it BLOCKED, publishes a blocked notice and exits 3'
            cand complete 'Mark the REQ DEPLOYED in the tracker (Deployed At, Commit, Deployed By) and publish the completion notice. Requires a green watch, or --no-ci with a reason, and `berry test` passed for the tree of the commit being completed, or --skip-tests with a reason'
            cand block 'Mark the REQ BLOCKED in the tracker and publish the blocked notice, by hand'
            cand status 'Show what is recorded for a REQ: each step''s outcome, the next step, and the side effects (commit, push, PR, CI issue, tracker edits, events). Without a REQ and none current, lists the REQs that have a context in this repository'
            cand run 'Run the steps in workflow order from the first one not yet done; stop at the first that does not succeed, with its exit code'
            cand demo 'Build a self-contained sandbox and run the pipeline in it as far as it goes without GitHub'
            cand completions 'Print the shell completion script for SHELL on stdout'
            cand guards 'Try the secret guard outside a REQ'
            cand man 'Print the man page (roff) on stdout, or write every page into DIR'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'berry;verify'= {
            cand -C 'Run as if berry was started in DIR (the repository)'
            cand --config 'Configuration file (default: berry.toml at the repository root)'
            cand --req 'The REQ to work on (default: the current REQ, set by `berry verify`)'
            cand --repo 'The GitHub repository, when the remote URL does not say it'
            cand --deliverables 'Read deliverables from DIR/<REQ>/<agent>.json instead of PostgreSQL'
            cand --color 'When to color the output (NO_COLOR is honoured with auto)'
            cand --accept-config-change 'Accept the working tree''s changed berry.toml as the gate''s configuration for the REQ (`berry review` records the acceptance; without it HEAD''s berry.toml is in force)'
            cand -y 'Accept every default without asking (also BERRY_YES=1)'
            cand --yes 'Accept every default without asking (also BERRY_YES=1)'
            cand --dry-run 'Show the plan and every text that would be written or sent; change nothing'
            cand --json 'Print one JSON object per step on stdout'
            cand -q 'Say less: only warnings, errors and results'
            cand --quiet 'Say less: only warnings, errors and results'
            cand -v 'Say more'
            cand --verbose 'Say more'
            cand --no-pager 'Never page long text'
            cand --paginate 'Page long text even when it fits on the screen (only on a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'berry;review'= {
            cand --allow 'Grant an exception to a guard for one file: GUARD:PATH (guards: secrets, conflict-markers, large-file). Recorded in the context and in a commit trailer'
            cand --reason 'Why the exceptions given with --allow are granted'
            cand -C 'Run as if berry was started in DIR (the repository)'
            cand --config 'Configuration file (default: berry.toml at the repository root)'
            cand --req 'The REQ to work on (default: the current REQ, set by `berry verify`)'
            cand --repo 'The GitHub repository, when the remote URL does not say it'
            cand --deliverables 'Read deliverables from DIR/<REQ>/<agent>.json instead of PostgreSQL'
            cand --color 'When to color the output (NO_COLOR is honoured with auto)'
            cand --preview 'Write each file''s diff preview also without a terminal (on a terminal they are shown through the pager anyway; config: review.preview)'
            cand --accept-config-change 'Accept the working tree''s changed berry.toml as the gate''s configuration for the REQ (`berry review` records the acceptance; without it HEAD''s berry.toml is in force)'
            cand -y 'Accept every default without asking (also BERRY_YES=1)'
            cand --yes 'Accept every default without asking (also BERRY_YES=1)'
            cand --dry-run 'Show the plan and every text that would be written or sent; change nothing'
            cand --json 'Print one JSON object per step on stdout'
            cand -q 'Say less: only warnings, errors and results'
            cand --quiet 'Say less: only warnings, errors and results'
            cand -v 'Say more'
            cand --verbose 'Say more'
            cand --no-pager 'Never page long text'
            cand --paginate 'Page long text even when it fits on the screen (only on a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'berry;commit'= {
            cand -C 'Run as if berry was started in DIR (the repository)'
            cand --config 'Configuration file (default: berry.toml at the repository root)'
            cand --req 'The REQ to work on (default: the current REQ, set by `berry verify`)'
            cand --repo 'The GitHub repository, when the remote URL does not say it'
            cand --deliverables 'Read deliverables from DIR/<REQ>/<agent>.json instead of PostgreSQL'
            cand --color 'When to color the output (NO_COLOR is honoured with auto)'
            cand --accept-config-change 'Accept the working tree''s changed berry.toml as the gate''s configuration for the REQ (`berry review` records the acceptance; without it HEAD''s berry.toml is in force)'
            cand -y 'Accept every default without asking (also BERRY_YES=1)'
            cand --yes 'Accept every default without asking (also BERRY_YES=1)'
            cand --dry-run 'Show the plan and every text that would be written or sent; change nothing'
            cand --json 'Print one JSON object per step on stdout'
            cand -q 'Say less: only warnings, errors and results'
            cand --quiet 'Say less: only warnings, errors and results'
            cand -v 'Say more'
            cand --verbose 'Say more'
            cand --no-pager 'Never page long text'
            cand --paginate 'Page long text even when it fits on the screen (only on a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'berry;test'= {
            cand -C 'Run as if berry was started in DIR (the repository)'
            cand --config 'Configuration file (default: berry.toml at the repository root)'
            cand --req 'The REQ to work on (default: the current REQ, set by `berry verify`)'
            cand --repo 'The GitHub repository, when the remote URL does not say it'
            cand --deliverables 'Read deliverables from DIR/<REQ>/<agent>.json instead of PostgreSQL'
            cand --color 'When to color the output (NO_COLOR is honoured with auto)'
            cand --again 'Run them again even if they passed for the current HEAD'
            cand --accept-config-change 'Accept the working tree''s changed berry.toml as the gate''s configuration for the REQ (`berry review` records the acceptance; without it HEAD''s berry.toml is in force)'
            cand -y 'Accept every default without asking (also BERRY_YES=1)'
            cand --yes 'Accept every default without asking (also BERRY_YES=1)'
            cand --dry-run 'Show the plan and every text that would be written or sent; change nothing'
            cand --json 'Print one JSON object per step on stdout'
            cand -q 'Say less: only warnings, errors and results'
            cand --quiet 'Say less: only warnings, errors and results'
            cand -v 'Say more'
            cand --verbose 'Say more'
            cand --no-pager 'Never page long text'
            cand --paginate 'Page long text even when it fits on the screen (only on a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'berry;push'= {
            cand --reason 'Why the tests are skipped (with --skip-tests) or the freeze is overridden (with --override-freeze)'
            cand -C 'Run as if berry was started in DIR (the repository)'
            cand --config 'Configuration file (default: berry.toml at the repository root)'
            cand --req 'The REQ to work on (default: the current REQ, set by `berry verify`)'
            cand --repo 'The GitHub repository, when the remote URL does not say it'
            cand --deliverables 'Read deliverables from DIR/<REQ>/<agent>.json instead of PostgreSQL'
            cand --color 'When to color the output (NO_COLOR is honoured with auto)'
            cand --skip-tests 'Push although the tests did not pass for this tree (needs --reason; recorded, and shown in the PR body and the completion notice)'
            cand --override-freeze 'Push during a change freeze (`[[deploy.freeze]]`; needs --reason; recorded, and shown in the PR body and the completion notice)'
            cand --accept-config-change 'Accept the working tree''s changed berry.toml as the gate''s configuration for the REQ (`berry review` records the acceptance; without it HEAD''s berry.toml is in force)'
            cand -y 'Accept every default without asking (also BERRY_YES=1)'
            cand --yes 'Accept every default without asking (also BERRY_YES=1)'
            cand --dry-run 'Show the plan and every text that would be written or sent; change nothing'
            cand --json 'Print one JSON object per step on stdout'
            cand -q 'Say less: only warnings, errors and results'
            cand --quiet 'Say less: only warnings, errors and results'
            cand -v 'Say more'
            cand --verbose 'Say more'
            cand --no-pager 'Never page long text'
            cand --paginate 'Page long text even when it fits on the screen (only on a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'berry;pr'= {
            cand --reviewer 'Request a review from this user (repeatable)'
            cand --label 'Add this label (repeatable)'
            cand --base 'The branch to merge into (default: the repository''s default branch)'
            cand -C 'Run as if berry was started in DIR (the repository)'
            cand --config 'Configuration file (default: berry.toml at the repository root)'
            cand --req 'The REQ to work on (default: the current REQ, set by `berry verify`)'
            cand --repo 'The GitHub repository, when the remote URL does not say it'
            cand --deliverables 'Read deliverables from DIR/<REQ>/<agent>.json instead of PostgreSQL'
            cand --color 'When to color the output (NO_COLOR is honoured with auto)'
            cand --draft 'Open the pull request as a draft'
            cand --accept-config-change 'Accept the working tree''s changed berry.toml as the gate''s configuration for the REQ (`berry review` records the acceptance; without it HEAD''s berry.toml is in force)'
            cand -y 'Accept every default without asking (also BERRY_YES=1)'
            cand --yes 'Accept every default without asking (also BERRY_YES=1)'
            cand --dry-run 'Show the plan and every text that would be written or sent; change nothing'
            cand --json 'Print one JSON object per step on stdout'
            cand -q 'Say less: only warnings, errors and results'
            cand --quiet 'Say less: only warnings, errors and results'
            cand -v 'Say more'
            cand --verbose 'Say more'
            cand --no-pager 'Never page long text'
            cand --paginate 'Page long text even when it fits on the screen (only on a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'berry;watch'= {
            cand --appear-timeout 'Seconds to wait for runs to appear after the push'
            cand --interval 'Seconds between polls (adapted to what changes)'
            cand --timeout 'Give up after this many seconds (exit 5)'
            cand -C 'Run as if berry was started in DIR (the repository)'
            cand --config 'Configuration file (default: berry.toml at the repository root)'
            cand --req 'The REQ to work on (default: the current REQ, set by `berry verify`)'
            cand --repo 'The GitHub repository, when the remote URL does not say it'
            cand --deliverables 'Read deliverables from DIR/<REQ>/<agent>.json instead of PostgreSQL'
            cand --color 'When to color the output (NO_COLOR is honoured with auto)'
            cand --accept-config-change 'Accept the working tree''s changed berry.toml as the gate''s configuration for the REQ (`berry review` records the acceptance; without it HEAD''s berry.toml is in force)'
            cand -y 'Accept every default without asking (also BERRY_YES=1)'
            cand --yes 'Accept every default without asking (also BERRY_YES=1)'
            cand --dry-run 'Show the plan and every text that would be written or sent; change nothing'
            cand --json 'Print one JSON object per step on stdout'
            cand -q 'Say less: only warnings, errors and results'
            cand --quiet 'Say less: only warnings, errors and results'
            cand -v 'Say more'
            cand --verbose 'Say more'
            cand --no-pager 'Never page long text'
            cand --paginate 'Page long text even when it fits on the screen (only on a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'berry;complete'= {
            cand --reason 'Why CI or the tests are not required (with --no-ci or --skip-tests), or why the freeze is overridden (with --override-freeze)'
            cand -C 'Run as if berry was started in DIR (the repository)'
            cand --config 'Configuration file (default: berry.toml at the repository root)'
            cand --req 'The REQ to work on (default: the current REQ, set by `berry verify`)'
            cand --repo 'The GitHub repository, when the remote URL does not say it'
            cand --deliverables 'Read deliverables from DIR/<REQ>/<agent>.json instead of PostgreSQL'
            cand --color 'When to color the output (NO_COLOR is honoured with auto)'
            cand --no-ci 'Complete without a green CI run'
            cand --skip-tests 'Complete although the tests did not pass for this tree (recorded; the notice says `tests_passed: false` and `tests_skipped: true`)'
            cand --override-freeze 'Complete during a change freeze (`[[deploy.freeze]]`; needs --reason; recorded, and shown in the completion notice)'
            cand --accept-config-change 'Accept the working tree''s changed berry.toml as the gate''s configuration for the REQ (`berry review` records the acceptance; without it HEAD''s berry.toml is in force)'
            cand -y 'Accept every default without asking (also BERRY_YES=1)'
            cand --yes 'Accept every default without asking (also BERRY_YES=1)'
            cand --dry-run 'Show the plan and every text that would be written or sent; change nothing'
            cand --json 'Print one JSON object per step on stdout'
            cand -q 'Say less: only warnings, errors and results'
            cand --quiet 'Say less: only warnings, errors and results'
            cand -v 'Say more'
            cand --verbose 'Say more'
            cand --no-pager 'Never page long text'
            cand --paginate 'Page long text even when it fits on the screen (only on a terminal)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'berry;block'= {
            cand --reason 'Why the REQ is blocked (goes into the notice''s summary)'
            cand -C 'Run as if berry was started in DIR (the repository)'
            cand --config 'Configuration file (default: berry.toml at the repository root)'
            cand --req 'The REQ to work on (default: the current REQ, set by `berry verify`)'
            cand --repo 'The GitHub repository, when the remote URL does not say it'
            cand --deliverables 'Read deliverables from DIR/<REQ>/<agent>.json instead of PostgreSQL'
            cand --color 'When to color the output (NO_COLOR is honoured with auto)'
            cand --accept-config-change 'Accept the working tree''s changed berry.toml as the gate''s configuration for the REQ (`berry review` records the acceptance; without it HEAD''s berry.toml is in force)'
            cand -y 'Accept every default without asking (also BERRY_YES=1)'
            cand --yes 'Accept every default without asking (also BERRY_YES=1)'
            cand --dry-run 'Show the plan and every text that would be written or sent; change nothing'
            cand --json 'Print one JSON object per step on stdout'
            cand -q 'Say less: only warnings, errors and results'
            cand --quiet 'Say less: only warnings, errors and results'
            cand -v 'Say more'
            cand --verbose 'Say more'
            cand --no-pager 'Never page long text'
            cand --paginate 'Page long text even when it fits on the screen (only on a terminal)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'berry;status'= {
            cand -C 'Run as if berry was started in DIR (the repository)'
            cand --config 'Configuration file (default: berry.toml at the repository root)'
            cand --req 'The REQ to work on (default: the current REQ, set by `berry verify`)'
            cand --repo 'The GitHub repository, when the remote URL does not say it'
            cand --deliverables 'Read deliverables from DIR/<REQ>/<agent>.json instead of PostgreSQL'
            cand --color 'When to color the output (NO_COLOR is honoured with auto)'
            cand --accept-config-change 'Accept the working tree''s changed berry.toml as the gate''s configuration for the REQ (`berry review` records the acceptance; without it HEAD''s berry.toml is in force)'
            cand -y 'Accept every default without asking (also BERRY_YES=1)'
            cand --yes 'Accept every default without asking (also BERRY_YES=1)'
            cand --dry-run 'Show the plan and every text that would be written or sent; change nothing'
            cand --json 'Print one JSON object per step on stdout'
            cand -q 'Say less: only warnings, errors and results'
            cand --quiet 'Say less: only warnings, errors and results'
            cand -v 'Say more'
            cand --verbose 'Say more'
            cand --no-pager 'Never page long text'
            cand --paginate 'Page long text even when it fits on the screen (only on a terminal)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'berry;run'= {
            cand --from 'Start at this step (even if it is recorded as done)'
            cand --to 'Stop after this step'
            cand -C 'Run as if berry was started in DIR (the repository)'
            cand --config 'Configuration file (default: berry.toml at the repository root)'
            cand --req 'The REQ to work on (default: the current REQ, set by `berry verify`)'
            cand --repo 'The GitHub repository, when the remote URL does not say it'
            cand --deliverables 'Read deliverables from DIR/<REQ>/<agent>.json instead of PostgreSQL'
            cand --color 'When to color the output (NO_COLOR is honoured with auto)'
            cand --accept-config-change 'Accept the working tree''s changed berry.toml as the gate''s configuration for the REQ (`berry review` records the acceptance; without it HEAD''s berry.toml is in force)'
            cand -y 'Accept every default without asking (also BERRY_YES=1)'
            cand --yes 'Accept every default without asking (also BERRY_YES=1)'
            cand --dry-run 'Show the plan and every text that would be written or sent; change nothing'
            cand --json 'Print one JSON object per step on stdout'
            cand -q 'Say less: only warnings, errors and results'
            cand --quiet 'Say less: only warnings, errors and results'
            cand -v 'Say more'
            cand --verbose 'Say more'
            cand --no-pager 'Never page long text'
            cand --paginate 'Page long text even when it fits on the screen (only on a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'berry;demo'= {
            cand --config 'Configuration file (default: berry.toml at the repository root)'
            cand --req 'The REQ to work on (default: the current REQ, set by `berry verify`)'
            cand --repo 'The GitHub repository, when the remote URL does not say it'
            cand --deliverables 'Read deliverables from DIR/<REQ>/<agent>.json instead of PostgreSQL'
            cand --color 'When to color the output (NO_COLOR is honoured with auto)'
            cand --rejected 'Show the gate closing on a REQ whose QA failed'
            cand --accept-config-change 'Accept the working tree''s changed berry.toml as the gate''s configuration for the REQ (`berry review` records the acceptance; without it HEAD''s berry.toml is in force)'
            cand -y 'Accept every default without asking (also BERRY_YES=1)'
            cand --yes 'Accept every default without asking (also BERRY_YES=1)'
            cand --dry-run 'Show the plan and every text that would be written or sent; change nothing'
            cand --json 'Print one JSON object per step on stdout'
            cand -q 'Say less: only warnings, errors and results'
            cand --quiet 'Say less: only warnings, errors and results'
            cand -v 'Say more'
            cand --verbose 'Say more'
            cand --no-pager 'Never page long text'
            cand --paginate 'Page long text even when it fits on the screen (only on a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'berry;completions'= {
            cand -C 'Run as if berry was started in DIR (the repository)'
            cand --config 'Configuration file (default: berry.toml at the repository root)'
            cand --req 'The REQ to work on (default: the current REQ, set by `berry verify`)'
            cand --repo 'The GitHub repository, when the remote URL does not say it'
            cand --deliverables 'Read deliverables from DIR/<REQ>/<agent>.json instead of PostgreSQL'
            cand --color 'When to color the output (NO_COLOR is honoured with auto)'
            cand --accept-config-change 'Accept the working tree''s changed berry.toml as the gate''s configuration for the REQ (`berry review` records the acceptance; without it HEAD''s berry.toml is in force)'
            cand -y 'Accept every default without asking (also BERRY_YES=1)'
            cand --yes 'Accept every default without asking (also BERRY_YES=1)'
            cand --dry-run 'Show the plan and every text that would be written or sent; change nothing'
            cand --json 'Print one JSON object per step on stdout'
            cand -q 'Say less: only warnings, errors and results'
            cand --quiet 'Say less: only warnings, errors and results'
            cand -v 'Say more'
            cand --verbose 'Say more'
            cand --no-pager 'Never page long text'
            cand --paginate 'Page long text even when it fits on the screen (only on a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'berry;guards'= {
            cand -C 'Run as if berry was started in DIR (the repository)'
            cand --config 'Configuration file (default: berry.toml at the repository root)'
            cand --req 'The REQ to work on (default: the current REQ, set by `berry verify`)'
            cand --repo 'The GitHub repository, when the remote URL does not say it'
            cand --deliverables 'Read deliverables from DIR/<REQ>/<agent>.json instead of PostgreSQL'
            cand --color 'When to color the output (NO_COLOR is honoured with auto)'
            cand --accept-config-change 'Accept the working tree''s changed berry.toml as the gate''s configuration for the REQ (`berry review` records the acceptance; without it HEAD''s berry.toml is in force)'
            cand -y 'Accept every default without asking (also BERRY_YES=1)'
            cand --yes 'Accept every default without asking (also BERRY_YES=1)'
            cand --dry-run 'Show the plan and every text that would be written or sent; change nothing'
            cand --json 'Print one JSON object per step on stdout'
            cand -q 'Say less: only warnings, errors and results'
            cand --quiet 'Say less: only warnings, errors and results'
            cand -v 'Say more'
            cand --verbose 'Say more'
            cand --no-pager 'Never page long text'
            cand --paginate 'Page long text even when it fits on the screen (only on a terminal)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand check 'Run the secret rules on files (or stdin with no PATH, or `-`); exit 3 on a finding'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'berry;guards;check'= {
            cand --rules 'A rule file in the gitleaks format instead of the repository''s'
            cand -C 'Run as if berry was started in DIR (the repository)'
            cand --config 'Configuration file (default: berry.toml at the repository root)'
            cand --req 'The REQ to work on (default: the current REQ, set by `berry verify`)'
            cand --repo 'The GitHub repository, when the remote URL does not say it'
            cand --deliverables 'Read deliverables from DIR/<REQ>/<agent>.json instead of PostgreSQL'
            cand --color 'When to color the output (NO_COLOR is honoured with auto)'
            cand --accept-config-change 'Accept the working tree''s changed berry.toml as the gate''s configuration for the REQ (`berry review` records the acceptance; without it HEAD''s berry.toml is in force)'
            cand -y 'Accept every default without asking (also BERRY_YES=1)'
            cand --yes 'Accept every default without asking (also BERRY_YES=1)'
            cand --dry-run 'Show the plan and every text that would be written or sent; change nothing'
            cand --json 'Print one JSON object per step on stdout'
            cand -q 'Say less: only warnings, errors and results'
            cand --quiet 'Say less: only warnings, errors and results'
            cand -v 'Say more'
            cand --verbose 'Say more'
            cand --no-pager 'Never page long text'
            cand --paginate 'Page long text even when it fits on the screen (only on a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'berry;guards;help'= {
            cand check 'Run the secret rules on files (or stdin with no PATH, or `-`); exit 3 on a finding'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'berry;guards;help;check'= {
        }
        &'berry;guards;help;help'= {
        }
        &'berry;man'= {
            cand --out 'Write berry.1 and one page per subcommand into DIR'
            cand -C 'Run as if berry was started in DIR (the repository)'
            cand --config 'Configuration file (default: berry.toml at the repository root)'
            cand --req 'The REQ to work on (default: the current REQ, set by `berry verify`)'
            cand --repo 'The GitHub repository, when the remote URL does not say it'
            cand --deliverables 'Read deliverables from DIR/<REQ>/<agent>.json instead of PostgreSQL'
            cand --color 'When to color the output (NO_COLOR is honoured with auto)'
            cand --accept-config-change 'Accept the working tree''s changed berry.toml as the gate''s configuration for the REQ (`berry review` records the acceptance; without it HEAD''s berry.toml is in force)'
            cand -y 'Accept every default without asking (also BERRY_YES=1)'
            cand --yes 'Accept every default without asking (also BERRY_YES=1)'
            cand --dry-run 'Show the plan and every text that would be written or sent; change nothing'
            cand --json 'Print one JSON object per step on stdout'
            cand -q 'Say less: only warnings, errors and results'
            cand --quiet 'Say less: only warnings, errors and results'
            cand -v 'Say more'
            cand --verbose 'Say more'
            cand --no-pager 'Never page long text'
            cand --paginate 'Page long text even when it fits on the screen (only on a terminal)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'berry;help'= {
            cand verify 'Check that QA approved the REQ, and record the evidence the later steps are bound to'
            cand review 'Review the deliverables and the change set, run the guards, and record the approved files'
            cand commit 'Stage exactly the reviewed files and commit them with a message tied to QA''s evidence'
            cand test 'Run the configured test commands (default: `npm test` in backend, `npm test -- --run` in frontend) with CI=true, one spinner each, output kept in a log; a failure exits 3'
            cand push 'Push the committed branch to its remote with progress, verify the remote ref equals the commit, and tell rejections apart (non-fast-forward, protected branch, large files, auth)'
            cand pr 'Find the open pull request for owner:branch, or create one (title `REQ: Title`, body from templates/pr.md). On the default branch a PR is recorded as not needed'
            cand watch 'Watch every GitHub Actions run for the pushed commit until all complete. Green exits 0; red captures the failed steps'' logs, opens (or updates) one issue for the REQ, marks it BLOCKED, publishes a blocked notice and exits 3'
            cand complete 'Mark the REQ DEPLOYED in the tracker (Deployed At, Commit, Deployed By) and publish the completion notice. Requires a green watch, or --no-ci with a reason, and `berry test` passed for the tree of the commit being completed, or --skip-tests with a reason'
            cand block 'Mark the REQ BLOCKED in the tracker and publish the blocked notice, by hand'
            cand status 'Show what is recorded for a REQ: each step''s outcome, the next step, and the side effects (commit, push, PR, CI issue, tracker edits, events). Without a REQ and none current, lists the REQs that have a context in this repository'
            cand run 'Run the steps in workflow order from the first one not yet done; stop at the first that does not succeed, with its exit code'
            cand demo 'Build a self-contained sandbox and run the pipeline in it as far as it goes without GitHub'
            cand completions 'Print the shell completion script for SHELL on stdout'
            cand guards 'Try the secret guard outside a REQ'
            cand man 'Print the man page (roff) on stdout, or write every page into DIR'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'berry;help;verify'= {
        }
        &'berry;help;review'= {
        }
        &'berry;help;commit'= {
        }
        &'berry;help;test'= {
        }
        &'berry;help;push'= {
        }
        &'berry;help;pr'= {
        }
        &'berry;help;watch'= {
        }
        &'berry;help;complete'= {
        }
        &'berry;help;block'= {
        }
        &'berry;help;status'= {
        }
        &'berry;help;run'= {
        }
        &'berry;help;demo'= {
        }
        &'berry;help;completions'= {
        }
        &'berry;help;guards'= {
            cand check 'Run the secret rules on files (or stdin with no PATH, or `-`); exit 3 on a finding'
        }
        &'berry;help;guards;check'= {
        }
        &'berry;help;man'= {
        }
        &'berry;help;help'= {
        }
    ]
    $completions[$command]
}
