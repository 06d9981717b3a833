//! The requests `berry watch --dry-run` would send, and what it would do on a failure.

use crate::github::{RepoId, pulls};
use crate::printer::Printer;
use crate::req::ReqNumber;
use crate::watch::ci::Options;
use crate::watch::issue::marker;

/// `paths`: the runs' and the jobs' paths of the pushed SHA; `tracker`: the tracker's path.
pub(super) fn show(
    p: &Printer,
    opts: &Options,
    req: &ReqNumber,
    tracker: &str,
    repo: &RepoId,
    api: &str,
    paths: [&str; 2],
) {
    let rp = pulls::repo_path(repo);
    p.line("would poll (nothing was sent):");
    for path in paths {
        p.result(format!("GET {api}{path}"));
    }
    let give_up = opts.timeout.map(|t| format!("; give up after {t}s"));
    p.line(format!(
        "  every {}s at first (up to 4× while nothing changes), with If-None-Match after the first answer; runs may take {}s to appear{}",
        opts.interval,
        opts.appear_timeout,
        give_up.unwrap_or_default()
    ));
    p.line("on a failure it would send:");
    p.result(format!("GET {api}{rp}/actions/jobs/{{job_id}}/logs"));
    p.result(format!("GET {api}{rp}/issues?state=open&per_page=100"));
    p.result(format!(
        "POST {api}{rp}/issues  (or PATCH {api}{rp}/issues/{{number}} when the issue marked {} exists)",
        marker(req.as_str())
    ));
    p.line(format!(
        "  then mark {req} BLOCKED in {tracker} and publish the blocked notice"
    ));
}
