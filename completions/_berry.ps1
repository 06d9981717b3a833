
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'berry' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'berry'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'berry' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if berry was started in DIR (the repository)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file (default: berry.toml at the repository root)')
            [CompletionResult]::new('--req', '--req', [CompletionResultType]::ParameterName, 'The REQ to work on (default: the current REQ, set by `berry verify`)')
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The GitHub repository, when the remote URL does not say it')
            [CompletionResult]::new('--deliverables', '--deliverables', [CompletionResultType]::ParameterName, 'Read deliverables from DIR/<REQ>/<agent>.json instead of PostgreSQL')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output (NO_COLOR is honoured with auto)')
            [CompletionResult]::new('--accept-config-change', '--accept-config-change', [CompletionResultType]::ParameterName, 'Accept the working tree''s changed berry.toml as the gate''s configuration for the REQ (`berry review` records the acceptance; without it HEAD''s berry.toml is in force)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Accept every default without asking (also BERRY_YES=1)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Accept every default without asking (also BERRY_YES=1)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show the plan and every text that would be written or sent; change nothing')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object per step on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say less: only warnings, errors and results')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say less: only warnings, errors and results')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Never page long text')
            [CompletionResult]::new('--paginate', '--paginate', [CompletionResultType]::ParameterName, 'Page long text even when it fits on the screen (only on a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check that QA approved the REQ, and record the evidence the later steps are bound to')
            [CompletionResult]::new('review', 'review', [CompletionResultType]::ParameterValue, 'Review the deliverables and the change set, run the guards, and record the approved files')
            [CompletionResult]::new('commit', 'commit', [CompletionResultType]::ParameterValue, 'Stage exactly the reviewed files and commit them with a message tied to QA''s evidence')
            [CompletionResult]::new('test', 'test', [CompletionResultType]::ParameterValue, 'Run the configured test commands (default: `npm test` in backend, `npm test -- --run` in frontend) with CI=true, one spinner each, output kept in a log; a failure exits 3')
            [CompletionResult]::new('push', 'push', [CompletionResultType]::ParameterValue, 'Push the committed branch to its remote with progress, verify the remote ref equals the commit, and tell rejections apart (non-fast-forward, protected branch, large files, auth)')
            [CompletionResult]::new('pr', 'pr', [CompletionResultType]::ParameterValue, 'Find the open pull request for owner:branch, or create one (title `REQ: Title`, body from templates/pr.md). On the default branch a PR is recorded as not needed')
            [CompletionResult]::new('watch', 'watch', [CompletionResultType]::ParameterValue, 'Watch every GitHub Actions run for the pushed commit until all complete. Green exits 0; red captures the failed steps'' logs, opens (or updates) one issue for the REQ, marks it BLOCKED, publishes a blocked notice and exits 3')
            [CompletionResult]::new('health', 'health', [CompletionResultType]::ParameterValue, 'Check the deployment''s health after CI: every [[health.checks]] of the gate''s configuration (the committed berry.toml), an HTTP(S) request or a command, retried with backoff until it passes or health.within_secs runs out. A failure exits 3; `complete` then refuses unless given --no-health --reason TEXT')
            [CompletionResult]::new('complete', 'complete', [CompletionResultType]::ParameterValue, 'Mark the REQ DEPLOYED in the tracker (Deployed At, Commit, Deployed By) and publish the completion notice. Requires a green watch, or --no-ci with a reason, `berry test` passed for the tree of the commit being completed, or --skip-tests with a reason, and, when health checks are configured, `berry health` passed for the commit, or --no-health with a reason')
            [CompletionResult]::new('block', 'block', [CompletionResultType]::ParameterValue, 'Mark the REQ BLOCKED in the tracker and publish the blocked notice, by hand')
            [CompletionResult]::new('checklist', 'checklist', [CompletionResultType]::ParameterValue, 'Go through the security checklist for the shipped commit: secrets, HTTPS/TLS, non-root containers, network policies, security updates, backups, access logs, rate limiting, CORS, database credentials')
            [CompletionResult]::new('rollback', 'rollback', [CompletionResultType]::ParameterValue, 'Roll a shipped REQ back: revert the commit berry shipped on top of the branch''s current remote head (a conflict changes nothing and names the files), run the test commands, push (on a protected branch: push revert/<REQ> and open the pull request "Revert REQ: Title"), re-run the health checks, set the tracker entry to ROLLED_BACK (Rolled Back At, Revert Commit, Reason) and publish the ROLLED_BACK notice. A rerun goes on where a run stopped')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show what is recorded for a REQ: each step''s outcome, the next step, and the side effects (commit, push, PR, CI issue, tracker edits, events). Without a REQ and none current, lists the REQs that have a context in this repository')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Show the configuration in force and where each key comes from')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Run the steps in workflow order from the first one not yet done; stop at the first that does not succeed, with its exit code')
            [CompletionResult]::new('listen', 'listen', [CompletionResultType]::ParameterValue, 'Take stage 7 from the orchestrator: a durable JetStream consumer of the stage-started events')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'Build a self-contained sandbox and run the pipeline in it as far as it goes without GitHub')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print the shell completion script for SHELL on stdout')
            [CompletionResult]::new('guards', 'guards', [CompletionResultType]::ParameterValue, 'Try the secret guard outside a REQ')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page (roff) on stdout, or write every page into DIR')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'berry;verify' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if berry was started in DIR (the repository)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file (default: berry.toml at the repository root)')
            [CompletionResult]::new('--req', '--req', [CompletionResultType]::ParameterName, 'The REQ to work on (default: the current REQ, set by `berry verify`)')
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The GitHub repository, when the remote URL does not say it')
            [CompletionResult]::new('--deliverables', '--deliverables', [CompletionResultType]::ParameterName, 'Read deliverables from DIR/<REQ>/<agent>.json instead of PostgreSQL')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output (NO_COLOR is honoured with auto)')
            [CompletionResult]::new('--accept-config-change', '--accept-config-change', [CompletionResultType]::ParameterName, 'Accept the working tree''s changed berry.toml as the gate''s configuration for the REQ (`berry review` records the acceptance; without it HEAD''s berry.toml is in force)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Accept every default without asking (also BERRY_YES=1)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Accept every default without asking (also BERRY_YES=1)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show the plan and every text that would be written or sent; change nothing')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object per step on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say less: only warnings, errors and results')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say less: only warnings, errors and results')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Never page long text')
            [CompletionResult]::new('--paginate', '--paginate', [CompletionResultType]::ParameterName, 'Page long text even when it fits on the screen (only on a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'berry;review' {
            [CompletionResult]::new('--allow', '--allow', [CompletionResultType]::ParameterName, 'Grant an exception to a guard for one file: GUARD:PATH (guards: secrets, conflict-markers, large-file). Recorded in the context and in a commit trailer')
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why the exceptions given with --allow are granted')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if berry was started in DIR (the repository)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file (default: berry.toml at the repository root)')
            [CompletionResult]::new('--req', '--req', [CompletionResultType]::ParameterName, 'The REQ to work on (default: the current REQ, set by `berry verify`)')
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The GitHub repository, when the remote URL does not say it')
            [CompletionResult]::new('--deliverables', '--deliverables', [CompletionResultType]::ParameterName, 'Read deliverables from DIR/<REQ>/<agent>.json instead of PostgreSQL')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output (NO_COLOR is honoured with auto)')
            [CompletionResult]::new('--preview', '--preview', [CompletionResultType]::ParameterName, 'Write each file''s diff preview also without a terminal (on a terminal they are shown through the pager anyway; config: review.preview)')
            [CompletionResult]::new('--accept-config-change', '--accept-config-change', [CompletionResultType]::ParameterName, 'Accept the working tree''s changed berry.toml as the gate''s configuration for the REQ (`berry review` records the acceptance; without it HEAD''s berry.toml is in force)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Accept every default without asking (also BERRY_YES=1)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Accept every default without asking (also BERRY_YES=1)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show the plan and every text that would be written or sent; change nothing')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object per step on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say less: only warnings, errors and results')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say less: only warnings, errors and results')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Never page long text')
            [CompletionResult]::new('--paginate', '--paginate', [CompletionResultType]::ParameterName, 'Page long text even when it fits on the screen (only on a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'berry;commit' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if berry was started in DIR (the repository)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file (default: berry.toml at the repository root)')
            [CompletionResult]::new('--req', '--req', [CompletionResultType]::ParameterName, 'The REQ to work on (default: the current REQ, set by `berry verify`)')
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The GitHub repository, when the remote URL does not say it')
            [CompletionResult]::new('--deliverables', '--deliverables', [CompletionResultType]::ParameterName, 'Read deliverables from DIR/<REQ>/<agent>.json instead of PostgreSQL')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output (NO_COLOR is honoured with auto)')
            [CompletionResult]::new('--accept-config-change', '--accept-config-change', [CompletionResultType]::ParameterName, 'Accept the working tree''s changed berry.toml as the gate''s configuration for the REQ (`berry review` records the acceptance; without it HEAD''s berry.toml is in force)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Accept every default without asking (also BERRY_YES=1)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Accept every default without asking (also BERRY_YES=1)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show the plan and every text that would be written or sent; change nothing')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object per step on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say less: only warnings, errors and results')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say less: only warnings, errors and results')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Never page long text')
            [CompletionResult]::new('--paginate', '--paginate', [CompletionResultType]::ParameterName, 'Page long text even when it fits on the screen (only on a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'berry;test' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if berry was started in DIR (the repository)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file (default: berry.toml at the repository root)')
            [CompletionResult]::new('--req', '--req', [CompletionResultType]::ParameterName, 'The REQ to work on (default: the current REQ, set by `berry verify`)')
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The GitHub repository, when the remote URL does not say it')
            [CompletionResult]::new('--deliverables', '--deliverables', [CompletionResultType]::ParameterName, 'Read deliverables from DIR/<REQ>/<agent>.json instead of PostgreSQL')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output (NO_COLOR is honoured with auto)')
            [CompletionResult]::new('--again', '--again', [CompletionResultType]::ParameterName, 'Run them again even if they passed for the current HEAD')
            [CompletionResult]::new('--accept-config-change', '--accept-config-change', [CompletionResultType]::ParameterName, 'Accept the working tree''s changed berry.toml as the gate''s configuration for the REQ (`berry review` records the acceptance; without it HEAD''s berry.toml is in force)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Accept every default without asking (also BERRY_YES=1)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Accept every default without asking (also BERRY_YES=1)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show the plan and every text that would be written or sent; change nothing')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object per step on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say less: only warnings, errors and results')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say less: only warnings, errors and results')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Never page long text')
            [CompletionResult]::new('--paginate', '--paginate', [CompletionResultType]::ParameterName, 'Page long text even when it fits on the screen (only on a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'berry;push' {
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why the tests are skipped (with --skip-tests) or the freeze is overridden (with --override-freeze)')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if berry was started in DIR (the repository)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file (default: berry.toml at the repository root)')
            [CompletionResult]::new('--req', '--req', [CompletionResultType]::ParameterName, 'The REQ to work on (default: the current REQ, set by `berry verify`)')
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The GitHub repository, when the remote URL does not say it')
            [CompletionResult]::new('--deliverables', '--deliverables', [CompletionResultType]::ParameterName, 'Read deliverables from DIR/<REQ>/<agent>.json instead of PostgreSQL')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output (NO_COLOR is honoured with auto)')
            [CompletionResult]::new('--skip-tests', '--skip-tests', [CompletionResultType]::ParameterName, 'Push although the tests did not pass for this tree (needs --reason; recorded, and shown in the PR body and the completion notice)')
            [CompletionResult]::new('--override-freeze', '--override-freeze', [CompletionResultType]::ParameterName, 'Push during a change freeze (`[[deploy.freeze]]`; needs --reason; recorded, and shown in the PR body and the completion notice)')
            [CompletionResult]::new('--accept-config-change', '--accept-config-change', [CompletionResultType]::ParameterName, 'Accept the working tree''s changed berry.toml as the gate''s configuration for the REQ (`berry review` records the acceptance; without it HEAD''s berry.toml is in force)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Accept every default without asking (also BERRY_YES=1)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Accept every default without asking (also BERRY_YES=1)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show the plan and every text that would be written or sent; change nothing')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object per step on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say less: only warnings, errors and results')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say less: only warnings, errors and results')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Never page long text')
            [CompletionResult]::new('--paginate', '--paginate', [CompletionResultType]::ParameterName, 'Page long text even when it fits on the screen (only on a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'berry;pr' {
            [CompletionResult]::new('--reviewer', '--reviewer', [CompletionResultType]::ParameterName, 'Request a review from this user (repeatable)')
            [CompletionResult]::new('--label', '--label', [CompletionResultType]::ParameterName, 'Add this label (repeatable)')
            [CompletionResult]::new('--base', '--base', [CompletionResultType]::ParameterName, 'The branch to merge into (default: the repository''s default branch)')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if berry was started in DIR (the repository)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file (default: berry.toml at the repository root)')
            [CompletionResult]::new('--req', '--req', [CompletionResultType]::ParameterName, 'The REQ to work on (default: the current REQ, set by `berry verify`)')
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The GitHub repository, when the remote URL does not say it')
            [CompletionResult]::new('--deliverables', '--deliverables', [CompletionResultType]::ParameterName, 'Read deliverables from DIR/<REQ>/<agent>.json instead of PostgreSQL')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output (NO_COLOR is honoured with auto)')
            [CompletionResult]::new('--draft', '--draft', [CompletionResultType]::ParameterName, 'Open the pull request as a draft')
            [CompletionResult]::new('--accept-config-change', '--accept-config-change', [CompletionResultType]::ParameterName, 'Accept the working tree''s changed berry.toml as the gate''s configuration for the REQ (`berry review` records the acceptance; without it HEAD''s berry.toml is in force)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Accept every default without asking (also BERRY_YES=1)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Accept every default without asking (also BERRY_YES=1)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show the plan and every text that would be written or sent; change nothing')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object per step on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say less: only warnings, errors and results')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say less: only warnings, errors and results')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Never page long text')
            [CompletionResult]::new('--paginate', '--paginate', [CompletionResultType]::ParameterName, 'Page long text even when it fits on the screen (only on a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'berry;watch' {
            [CompletionResult]::new('--appear-timeout', '--appear-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for runs to appear after the push')
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'Seconds between polls (adapted to what changes)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up after this many seconds (exit 5)')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if berry was started in DIR (the repository)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file (default: berry.toml at the repository root)')
            [CompletionResult]::new('--req', '--req', [CompletionResultType]::ParameterName, 'The REQ to work on (default: the current REQ, set by `berry verify`)')
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The GitHub repository, when the remote URL does not say it')
            [CompletionResult]::new('--deliverables', '--deliverables', [CompletionResultType]::ParameterName, 'Read deliverables from DIR/<REQ>/<agent>.json instead of PostgreSQL')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output (NO_COLOR is honoured with auto)')
            [CompletionResult]::new('--accept-config-change', '--accept-config-change', [CompletionResultType]::ParameterName, 'Accept the working tree''s changed berry.toml as the gate''s configuration for the REQ (`berry review` records the acceptance; without it HEAD''s berry.toml is in force)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Accept every default without asking (also BERRY_YES=1)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Accept every default without asking (also BERRY_YES=1)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show the plan and every text that would be written or sent; change nothing')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object per step on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say less: only warnings, errors and results')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say less: only warnings, errors and results')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Never page long text')
            [CompletionResult]::new('--paginate', '--paginate', [CompletionResultType]::ParameterName, 'Page long text even when it fits on the screen (only on a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'berry;health' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if berry was started in DIR (the repository)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file (default: berry.toml at the repository root)')
            [CompletionResult]::new('--req', '--req', [CompletionResultType]::ParameterName, 'The REQ to work on (default: the current REQ, set by `berry verify`)')
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The GitHub repository, when the remote URL does not say it')
            [CompletionResult]::new('--deliverables', '--deliverables', [CompletionResultType]::ParameterName, 'Read deliverables from DIR/<REQ>/<agent>.json instead of PostgreSQL')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output (NO_COLOR is honoured with auto)')
            [CompletionResult]::new('--again', '--again', [CompletionResultType]::ParameterName, 'Check again even if the checks passed for the pushed commit')
            [CompletionResult]::new('--accept-config-change', '--accept-config-change', [CompletionResultType]::ParameterName, 'Accept the working tree''s changed berry.toml as the gate''s configuration for the REQ (`berry review` records the acceptance; without it HEAD''s berry.toml is in force)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Accept every default without asking (also BERRY_YES=1)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Accept every default without asking (also BERRY_YES=1)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show the plan and every text that would be written or sent; change nothing')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object per step on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say less: only warnings, errors and results')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say less: only warnings, errors and results')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Never page long text')
            [CompletionResult]::new('--paginate', '--paginate', [CompletionResultType]::ParameterName, 'Page long text even when it fits on the screen (only on a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'berry;complete' {
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why CI, the tests or the health checks are not required (with --no-ci, --skip-tests or --no-health), or why the freeze is overridden (with --override-freeze)')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if berry was started in DIR (the repository)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file (default: berry.toml at the repository root)')
            [CompletionResult]::new('--req', '--req', [CompletionResultType]::ParameterName, 'The REQ to work on (default: the current REQ, set by `berry verify`)')
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The GitHub repository, when the remote URL does not say it')
            [CompletionResult]::new('--deliverables', '--deliverables', [CompletionResultType]::ParameterName, 'Read deliverables from DIR/<REQ>/<agent>.json instead of PostgreSQL')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output (NO_COLOR is honoured with auto)')
            [CompletionResult]::new('--no-ci', '--no-ci', [CompletionResultType]::ParameterName, 'Complete without a green CI run')
            [CompletionResult]::new('--skip-tests', '--skip-tests', [CompletionResultType]::ParameterName, 'Complete although the tests did not pass for this tree (recorded; the notice says `tests_passed: false` and `tests_skipped: true`)')
            [CompletionResult]::new('--no-health', '--no-health', [CompletionResultType]::ParameterName, 'Complete although the health checks did not pass for this commit (recorded; the notice''s `health` says `skipped` with the reason)')
            [CompletionResult]::new('--override-freeze', '--override-freeze', [CompletionResultType]::ParameterName, 'Complete during a change freeze (`[[deploy.freeze]]`; needs --reason; recorded, and shown in the completion notice)')
            [CompletionResult]::new('--accept-config-change', '--accept-config-change', [CompletionResultType]::ParameterName, 'Accept the working tree''s changed berry.toml as the gate''s configuration for the REQ (`berry review` records the acceptance; without it HEAD''s berry.toml is in force)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Accept every default without asking (also BERRY_YES=1)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Accept every default without asking (also BERRY_YES=1)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show the plan and every text that would be written or sent; change nothing')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object per step on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say less: only warnings, errors and results')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say less: only warnings, errors and results')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Never page long text')
            [CompletionResult]::new('--paginate', '--paginate', [CompletionResultType]::ParameterName, 'Page long text even when it fits on the screen (only on a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'berry;block' {
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why the REQ is blocked (goes into the notice''s summary)')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if berry was started in DIR (the repository)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file (default: berry.toml at the repository root)')
            [CompletionResult]::new('--req', '--req', [CompletionResultType]::ParameterName, 'The REQ to work on (default: the current REQ, set by `berry verify`)')
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The GitHub repository, when the remote URL does not say it')
            [CompletionResult]::new('--deliverables', '--deliverables', [CompletionResultType]::ParameterName, 'Read deliverables from DIR/<REQ>/<agent>.json instead of PostgreSQL')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output (NO_COLOR is honoured with auto)')
            [CompletionResult]::new('--accept-config-change', '--accept-config-change', [CompletionResultType]::ParameterName, 'Accept the working tree''s changed berry.toml as the gate''s configuration for the REQ (`berry review` records the acceptance; without it HEAD''s berry.toml is in force)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Accept every default without asking (also BERRY_YES=1)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Accept every default without asking (also BERRY_YES=1)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show the plan and every text that would be written or sent; change nothing')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object per step on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say less: only warnings, errors and results')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say less: only warnings, errors and results')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Never page long text')
            [CompletionResult]::new('--paginate', '--paginate', [CompletionResultType]::ParameterName, 'Page long text even when it fits on the screen (only on a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'berry;checklist' {
            [CompletionResult]::new('--attest', '--attest', [CompletionResultType]::ParameterName, 'Confirm an item checked by hand, with an optional note (repeatable): `--attest backups="restore drill 2026-01-02"`')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if berry was started in DIR (the repository)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file (default: berry.toml at the repository root)')
            [CompletionResult]::new('--req', '--req', [CompletionResultType]::ParameterName, 'The REQ to work on (default: the current REQ, set by `berry verify`)')
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The GitHub repository, when the remote URL does not say it')
            [CompletionResult]::new('--deliverables', '--deliverables', [CompletionResultType]::ParameterName, 'Read deliverables from DIR/<REQ>/<agent>.json instead of PostgreSQL')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output (NO_COLOR is honoured with auto)')
            [CompletionResult]::new('--accept-config-change', '--accept-config-change', [CompletionResultType]::ParameterName, 'Accept the working tree''s changed berry.toml as the gate''s configuration for the REQ (`berry review` records the acceptance; without it HEAD''s berry.toml is in force)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Accept every default without asking (also BERRY_YES=1)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Accept every default without asking (also BERRY_YES=1)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show the plan and every text that would be written or sent; change nothing')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object per step on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say less: only warnings, errors and results')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say less: only warnings, errors and results')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Never page long text')
            [CompletionResult]::new('--paginate', '--paginate', [CompletionResultType]::ParameterName, 'Page long text even when it fits on the screen (only on a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'berry;rollback' {
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why it is rolled back (in the revert commit, the tracker and the notice)')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if berry was started in DIR (the repository)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file (default: berry.toml at the repository root)')
            [CompletionResult]::new('--req', '--req', [CompletionResultType]::ParameterName, 'The REQ to work on (default: the current REQ, set by `berry verify`)')
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The GitHub repository, when the remote URL does not say it')
            [CompletionResult]::new('--deliverables', '--deliverables', [CompletionResultType]::ParameterName, 'Read deliverables from DIR/<REQ>/<agent>.json instead of PostgreSQL')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output (NO_COLOR is honoured with auto)')
            [CompletionResult]::new('--override-freeze', '--override-freeze', [CompletionResultType]::ParameterName, 'Roll back during a change freeze whose window sets `rollback = false` (recorded)')
            [CompletionResult]::new('--accept-config-change', '--accept-config-change', [CompletionResultType]::ParameterName, 'Accept the working tree''s changed berry.toml as the gate''s configuration for the REQ (`berry review` records the acceptance; without it HEAD''s berry.toml is in force)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Accept every default without asking (also BERRY_YES=1)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Accept every default without asking (also BERRY_YES=1)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show the plan and every text that would be written or sent; change nothing')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object per step on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say less: only warnings, errors and results')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say less: only warnings, errors and results')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Never page long text')
            [CompletionResult]::new('--paginate', '--paginate', [CompletionResultType]::ParameterName, 'Page long text even when it fits on the screen (only on a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'berry;status' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if berry was started in DIR (the repository)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file (default: berry.toml at the repository root)')
            [CompletionResult]::new('--req', '--req', [CompletionResultType]::ParameterName, 'The REQ to work on (default: the current REQ, set by `berry verify`)')
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The GitHub repository, when the remote URL does not say it')
            [CompletionResult]::new('--deliverables', '--deliverables', [CompletionResultType]::ParameterName, 'Read deliverables from DIR/<REQ>/<agent>.json instead of PostgreSQL')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output (NO_COLOR is honoured with auto)')
            [CompletionResult]::new('--accept-config-change', '--accept-config-change', [CompletionResultType]::ParameterName, 'Accept the working tree''s changed berry.toml as the gate''s configuration for the REQ (`berry review` records the acceptance; without it HEAD''s berry.toml is in force)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Accept every default without asking (also BERRY_YES=1)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Accept every default without asking (also BERRY_YES=1)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show the plan and every text that would be written or sent; change nothing')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object per step on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say less: only warnings, errors and results')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say less: only warnings, errors and results')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Never page long text')
            [CompletionResult]::new('--paginate', '--paginate', [CompletionResultType]::ParameterName, 'Page long text even when it fits on the screen (only on a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'berry;config' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if berry was started in DIR (the repository)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file (default: berry.toml at the repository root)')
            [CompletionResult]::new('--req', '--req', [CompletionResultType]::ParameterName, 'The REQ to work on (default: the current REQ, set by `berry verify`)')
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The GitHub repository, when the remote URL does not say it')
            [CompletionResult]::new('--deliverables', '--deliverables', [CompletionResultType]::ParameterName, 'Read deliverables from DIR/<REQ>/<agent>.json instead of PostgreSQL')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output (NO_COLOR is honoured with auto)')
            [CompletionResult]::new('--accept-config-change', '--accept-config-change', [CompletionResultType]::ParameterName, 'Accept the working tree''s changed berry.toml as the gate''s configuration for the REQ (`berry review` records the acceptance; without it HEAD''s berry.toml is in force)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Accept every default without asking (also BERRY_YES=1)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Accept every default without asking (also BERRY_YES=1)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show the plan and every text that would be written or sent; change nothing')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object per step on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say less: only warnings, errors and results')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say less: only warnings, errors and results')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Never page long text')
            [CompletionResult]::new('--paginate', '--paginate', [CompletionResultType]::ParameterName, 'Page long text even when it fits on the screen (only on a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Every key with its value, as `key = value` lines')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'The value of KEY (a section prints each of its keys). Exit 1 when KEY is not set')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'berry;config;list' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if berry was started in DIR (the repository)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file (default: berry.toml at the repository root)')
            [CompletionResult]::new('--req', '--req', [CompletionResultType]::ParameterName, 'The REQ to work on (default: the current REQ, set by `berry verify`)')
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The GitHub repository, when the remote URL does not say it')
            [CompletionResult]::new('--deliverables', '--deliverables', [CompletionResultType]::ParameterName, 'Read deliverables from DIR/<REQ>/<agent>.json instead of PostgreSQL')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output (NO_COLOR is honoured with auto)')
            [CompletionResult]::new('--show-origin', '--show-origin', [CompletionResultType]::ParameterName, 'Prefix each line with where the key is set (`default`, `user:PATH`, `repo:FILE`, `env:VAR`, `flag:--FLAG`), as `git config --show-origin` does')
            [CompletionResult]::new('--accept-config-change', '--accept-config-change', [CompletionResultType]::ParameterName, 'Accept the working tree''s changed berry.toml as the gate''s configuration for the REQ (`berry review` records the acceptance; without it HEAD''s berry.toml is in force)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Accept every default without asking (also BERRY_YES=1)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Accept every default without asking (also BERRY_YES=1)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show the plan and every text that would be written or sent; change nothing')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object per step on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say less: only warnings, errors and results')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say less: only warnings, errors and results')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Never page long text')
            [CompletionResult]::new('--paginate', '--paginate', [CompletionResultType]::ParameterName, 'Page long text even when it fits on the screen (only on a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'berry;config;get' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if berry was started in DIR (the repository)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file (default: berry.toml at the repository root)')
            [CompletionResult]::new('--req', '--req', [CompletionResultType]::ParameterName, 'The REQ to work on (default: the current REQ, set by `berry verify`)')
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The GitHub repository, when the remote URL does not say it')
            [CompletionResult]::new('--deliverables', '--deliverables', [CompletionResultType]::ParameterName, 'Read deliverables from DIR/<REQ>/<agent>.json instead of PostgreSQL')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output (NO_COLOR is honoured with auto)')
            [CompletionResult]::new('--show-origin', '--show-origin', [CompletionResultType]::ParameterName, 'Prefix the value with where it is set')
            [CompletionResult]::new('--accept-config-change', '--accept-config-change', [CompletionResultType]::ParameterName, 'Accept the working tree''s changed berry.toml as the gate''s configuration for the REQ (`berry review` records the acceptance; without it HEAD''s berry.toml is in force)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Accept every default without asking (also BERRY_YES=1)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Accept every default without asking (also BERRY_YES=1)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show the plan and every text that would be written or sent; change nothing')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object per step on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say less: only warnings, errors and results')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say less: only warnings, errors and results')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Never page long text')
            [CompletionResult]::new('--paginate', '--paginate', [CompletionResultType]::ParameterName, 'Page long text even when it fits on the screen (only on a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'berry;config;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Every key with its value, as `key = value` lines')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'The value of KEY (a section prints each of its keys). Exit 1 when KEY is not set')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'berry;config;help;list' {
            break
        }
        'berry;config;help;get' {
            break
        }
        'berry;config;help;help' {
            break
        }
        'berry;run' {
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Start at this step (even if it is recorded as done)')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'Stop after this step')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if berry was started in DIR (the repository)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file (default: berry.toml at the repository root)')
            [CompletionResult]::new('--req', '--req', [CompletionResultType]::ParameterName, 'The REQ to work on (default: the current REQ, set by `berry verify`)')
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The GitHub repository, when the remote URL does not say it')
            [CompletionResult]::new('--deliverables', '--deliverables', [CompletionResultType]::ParameterName, 'Read deliverables from DIR/<REQ>/<agent>.json instead of PostgreSQL')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output (NO_COLOR is honoured with auto)')
            [CompletionResult]::new('--accept-config-change', '--accept-config-change', [CompletionResultType]::ParameterName, 'Accept the working tree''s changed berry.toml as the gate''s configuration for the REQ (`berry review` records the acceptance; without it HEAD''s berry.toml is in force)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Accept every default without asking (also BERRY_YES=1)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Accept every default without asking (also BERRY_YES=1)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show the plan and every text that would be written or sent; change nothing')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object per step on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say less: only warnings, errors and results')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say less: only warnings, errors and results')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Never page long text')
            [CompletionResult]::new('--paginate', '--paginate', [CompletionResultType]::ParameterName, 'Page long text even when it fits on the screen (only on a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'berry;listen' {
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Events handled at the same time by this process (default: listen.concurrency)')
            [CompletionResult]::new('--source', '--source', [CompletionResultType]::ParameterName, 'Where a REQ''s work comes from: this working tree, or the remote branch agents/<REQ> applied in a worktree of the listener''s own (default: listen.source)')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if berry was started in DIR (the repository)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file (default: berry.toml at the repository root)')
            [CompletionResult]::new('--req', '--req', [CompletionResultType]::ParameterName, 'The REQ to work on (default: the current REQ, set by `berry verify`)')
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The GitHub repository, when the remote URL does not say it')
            [CompletionResult]::new('--deliverables', '--deliverables', [CompletionResultType]::ParameterName, 'Read deliverables from DIR/<REQ>/<agent>.json instead of PostgreSQL')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output (NO_COLOR is honoured with auto)')
            [CompletionResult]::new('--once', '--once', [CompletionResultType]::ParameterName, 'Handle one event, then exit with its outcome (0 completed, 3 blocked, 1 released, 2 terminated)')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Show the consumer''s pending, ack-pending and redelivered counts, then exit')
            [CompletionResult]::new('--accept-config-change', '--accept-config-change', [CompletionResultType]::ParameterName, 'Accept the working tree''s changed berry.toml as the gate''s configuration for the REQ (`berry review` records the acceptance; without it HEAD''s berry.toml is in force)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Accept every default without asking (also BERRY_YES=1)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Accept every default without asking (also BERRY_YES=1)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show the plan and every text that would be written or sent; change nothing')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object per step on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say less: only warnings, errors and results')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say less: only warnings, errors and results')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Never page long text')
            [CompletionResult]::new('--paginate', '--paginate', [CompletionResultType]::ParameterName, 'Page long text even when it fits on the screen (only on a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'berry;demo' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file (default: berry.toml at the repository root)')
            [CompletionResult]::new('--req', '--req', [CompletionResultType]::ParameterName, 'The REQ to work on (default: the current REQ, set by `berry verify`)')
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The GitHub repository, when the remote URL does not say it')
            [CompletionResult]::new('--deliverables', '--deliverables', [CompletionResultType]::ParameterName, 'Read deliverables from DIR/<REQ>/<agent>.json instead of PostgreSQL')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output (NO_COLOR is honoured with auto)')
            [CompletionResult]::new('--rejected', '--rejected', [CompletionResultType]::ParameterName, 'Show the gate closing on a REQ whose QA failed')
            [CompletionResult]::new('--accept-config-change', '--accept-config-change', [CompletionResultType]::ParameterName, 'Accept the working tree''s changed berry.toml as the gate''s configuration for the REQ (`berry review` records the acceptance; without it HEAD''s berry.toml is in force)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Accept every default without asking (also BERRY_YES=1)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Accept every default without asking (also BERRY_YES=1)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show the plan and every text that would be written or sent; change nothing')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object per step on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say less: only warnings, errors and results')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say less: only warnings, errors and results')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Never page long text')
            [CompletionResult]::new('--paginate', '--paginate', [CompletionResultType]::ParameterName, 'Page long text even when it fits on the screen (only on a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'berry;completions' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if berry was started in DIR (the repository)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file (default: berry.toml at the repository root)')
            [CompletionResult]::new('--req', '--req', [CompletionResultType]::ParameterName, 'The REQ to work on (default: the current REQ, set by `berry verify`)')
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The GitHub repository, when the remote URL does not say it')
            [CompletionResult]::new('--deliverables', '--deliverables', [CompletionResultType]::ParameterName, 'Read deliverables from DIR/<REQ>/<agent>.json instead of PostgreSQL')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output (NO_COLOR is honoured with auto)')
            [CompletionResult]::new('--accept-config-change', '--accept-config-change', [CompletionResultType]::ParameterName, 'Accept the working tree''s changed berry.toml as the gate''s configuration for the REQ (`berry review` records the acceptance; without it HEAD''s berry.toml is in force)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Accept every default without asking (also BERRY_YES=1)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Accept every default without asking (also BERRY_YES=1)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show the plan and every text that would be written or sent; change nothing')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object per step on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say less: only warnings, errors and results')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say less: only warnings, errors and results')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Never page long text')
            [CompletionResult]::new('--paginate', '--paginate', [CompletionResultType]::ParameterName, 'Page long text even when it fits on the screen (only on a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'berry;guards' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if berry was started in DIR (the repository)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file (default: berry.toml at the repository root)')
            [CompletionResult]::new('--req', '--req', [CompletionResultType]::ParameterName, 'The REQ to work on (default: the current REQ, set by `berry verify`)')
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The GitHub repository, when the remote URL does not say it')
            [CompletionResult]::new('--deliverables', '--deliverables', [CompletionResultType]::ParameterName, 'Read deliverables from DIR/<REQ>/<agent>.json instead of PostgreSQL')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output (NO_COLOR is honoured with auto)')
            [CompletionResult]::new('--accept-config-change', '--accept-config-change', [CompletionResultType]::ParameterName, 'Accept the working tree''s changed berry.toml as the gate''s configuration for the REQ (`berry review` records the acceptance; without it HEAD''s berry.toml is in force)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Accept every default without asking (also BERRY_YES=1)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Accept every default without asking (also BERRY_YES=1)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show the plan and every text that would be written or sent; change nothing')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object per step on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say less: only warnings, errors and results')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say less: only warnings, errors and results')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Never page long text')
            [CompletionResult]::new('--paginate', '--paginate', [CompletionResultType]::ParameterName, 'Page long text even when it fits on the screen (only on a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Run the secret rules on files (or stdin with no PATH, or `-`); exit 3 on a finding')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'berry;guards;check' {
            [CompletionResult]::new('--rules', '--rules', [CompletionResultType]::ParameterName, 'A rule file in the gitleaks format instead of the repository''s')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if berry was started in DIR (the repository)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file (default: berry.toml at the repository root)')
            [CompletionResult]::new('--req', '--req', [CompletionResultType]::ParameterName, 'The REQ to work on (default: the current REQ, set by `berry verify`)')
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The GitHub repository, when the remote URL does not say it')
            [CompletionResult]::new('--deliverables', '--deliverables', [CompletionResultType]::ParameterName, 'Read deliverables from DIR/<REQ>/<agent>.json instead of PostgreSQL')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output (NO_COLOR is honoured with auto)')
            [CompletionResult]::new('--accept-config-change', '--accept-config-change', [CompletionResultType]::ParameterName, 'Accept the working tree''s changed berry.toml as the gate''s configuration for the REQ (`berry review` records the acceptance; without it HEAD''s berry.toml is in force)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Accept every default without asking (also BERRY_YES=1)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Accept every default without asking (also BERRY_YES=1)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show the plan and every text that would be written or sent; change nothing')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object per step on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say less: only warnings, errors and results')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say less: only warnings, errors and results')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Never page long text')
            [CompletionResult]::new('--paginate', '--paginate', [CompletionResultType]::ParameterName, 'Page long text even when it fits on the screen (only on a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'berry;guards;help' {
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Run the secret rules on files (or stdin with no PATH, or `-`); exit 3 on a finding')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'berry;guards;help;check' {
            break
        }
        'berry;guards;help;help' {
            break
        }
        'berry;man' {
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Write berry.1 and one page per subcommand into DIR')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if berry was started in DIR (the repository)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file (default: berry.toml at the repository root)')
            [CompletionResult]::new('--req', '--req', [CompletionResultType]::ParameterName, 'The REQ to work on (default: the current REQ, set by `berry verify`)')
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The GitHub repository, when the remote URL does not say it')
            [CompletionResult]::new('--deliverables', '--deliverables', [CompletionResultType]::ParameterName, 'Read deliverables from DIR/<REQ>/<agent>.json instead of PostgreSQL')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output (NO_COLOR is honoured with auto)')
            [CompletionResult]::new('--accept-config-change', '--accept-config-change', [CompletionResultType]::ParameterName, 'Accept the working tree''s changed berry.toml as the gate''s configuration for the REQ (`berry review` records the acceptance; without it HEAD''s berry.toml is in force)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Accept every default without asking (also BERRY_YES=1)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Accept every default without asking (also BERRY_YES=1)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show the plan and every text that would be written or sent; change nothing')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object per step on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say less: only warnings, errors and results')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say less: only warnings, errors and results')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Never page long text')
            [CompletionResult]::new('--paginate', '--paginate', [CompletionResultType]::ParameterName, 'Page long text even when it fits on the screen (only on a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'berry;help' {
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check that QA approved the REQ, and record the evidence the later steps are bound to')
            [CompletionResult]::new('review', 'review', [CompletionResultType]::ParameterValue, 'Review the deliverables and the change set, run the guards, and record the approved files')
            [CompletionResult]::new('commit', 'commit', [CompletionResultType]::ParameterValue, 'Stage exactly the reviewed files and commit them with a message tied to QA''s evidence')
            [CompletionResult]::new('test', 'test', [CompletionResultType]::ParameterValue, 'Run the configured test commands (default: `npm test` in backend, `npm test -- --run` in frontend) with CI=true, one spinner each, output kept in a log; a failure exits 3')
            [CompletionResult]::new('push', 'push', [CompletionResultType]::ParameterValue, 'Push the committed branch to its remote with progress, verify the remote ref equals the commit, and tell rejections apart (non-fast-forward, protected branch, large files, auth)')
            [CompletionResult]::new('pr', 'pr', [CompletionResultType]::ParameterValue, 'Find the open pull request for owner:branch, or create one (title `REQ: Title`, body from templates/pr.md). On the default branch a PR is recorded as not needed')
            [CompletionResult]::new('watch', 'watch', [CompletionResultType]::ParameterValue, 'Watch every GitHub Actions run for the pushed commit until all complete. Green exits 0; red captures the failed steps'' logs, opens (or updates) one issue for the REQ, marks it BLOCKED, publishes a blocked notice and exits 3')
            [CompletionResult]::new('health', 'health', [CompletionResultType]::ParameterValue, 'Check the deployment''s health after CI: every [[health.checks]] of the gate''s configuration (the committed berry.toml), an HTTP(S) request or a command, retried with backoff until it passes or health.within_secs runs out. A failure exits 3; `complete` then refuses unless given --no-health --reason TEXT')
            [CompletionResult]::new('complete', 'complete', [CompletionResultType]::ParameterValue, 'Mark the REQ DEPLOYED in the tracker (Deployed At, Commit, Deployed By) and publish the completion notice. Requires a green watch, or --no-ci with a reason, `berry test` passed for the tree of the commit being completed, or --skip-tests with a reason, and, when health checks are configured, `berry health` passed for the commit, or --no-health with a reason')
            [CompletionResult]::new('block', 'block', [CompletionResultType]::ParameterValue, 'Mark the REQ BLOCKED in the tracker and publish the blocked notice, by hand')
            [CompletionResult]::new('checklist', 'checklist', [CompletionResultType]::ParameterValue, 'Go through the security checklist for the shipped commit: secrets, HTTPS/TLS, non-root containers, network policies, security updates, backups, access logs, rate limiting, CORS, database credentials')
            [CompletionResult]::new('rollback', 'rollback', [CompletionResultType]::ParameterValue, 'Roll a shipped REQ back: revert the commit berry shipped on top of the branch''s current remote head (a conflict changes nothing and names the files), run the test commands, push (on a protected branch: push revert/<REQ> and open the pull request "Revert REQ: Title"), re-run the health checks, set the tracker entry to ROLLED_BACK (Rolled Back At, Revert Commit, Reason) and publish the ROLLED_BACK notice. A rerun goes on where a run stopped')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show what is recorded for a REQ: each step''s outcome, the next step, and the side effects (commit, push, PR, CI issue, tracker edits, events). Without a REQ and none current, lists the REQs that have a context in this repository')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Show the configuration in force and where each key comes from')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Run the steps in workflow order from the first one not yet done; stop at the first that does not succeed, with its exit code')
            [CompletionResult]::new('listen', 'listen', [CompletionResultType]::ParameterValue, 'Take stage 7 from the orchestrator: a durable JetStream consumer of the stage-started events')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'Build a self-contained sandbox and run the pipeline in it as far as it goes without GitHub')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print the shell completion script for SHELL on stdout')
            [CompletionResult]::new('guards', 'guards', [CompletionResultType]::ParameterValue, 'Try the secret guard outside a REQ')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page (roff) on stdout, or write every page into DIR')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'berry;help;verify' {
            break
        }
        'berry;help;review' {
            break
        }
        'berry;help;commit' {
            break
        }
        'berry;help;test' {
            break
        }
        'berry;help;push' {
            break
        }
        'berry;help;pr' {
            break
        }
        'berry;help;watch' {
            break
        }
        'berry;help;health' {
            break
        }
        'berry;help;complete' {
            break
        }
        'berry;help;block' {
            break
        }
        'berry;help;checklist' {
            break
        }
        'berry;help;rollback' {
            break
        }
        'berry;help;status' {
            break
        }
        'berry;help;config' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Every key with its value, as `key = value` lines')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'The value of KEY (a section prints each of its keys). Exit 1 when KEY is not set')
            break
        }
        'berry;help;config;list' {
            break
        }
        'berry;help;config;get' {
            break
        }
        'berry;help;run' {
            break
        }
        'berry;help;listen' {
            break
        }
        'berry;help;demo' {
            break
        }
        'berry;help;completions' {
            break
        }
        'berry;help;guards' {
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Run the secret rules on files (or stdin with no PATH, or `-`); exit 3 on a finding')
            break
        }
        'berry;help;guards;check' {
            break
        }
        'berry;help;man' {
            break
        }
        'berry;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
