#!/usr/bin/env python3
"""run.py - berry side by side with its peers, one table with ratios and peak memory.

Every row times berry and the tool it stands beside in ONE run, alternating the two, on identical
copies of the same prepared repository (the copy's index stat cache refreshed, untimed, so neither
side rehashes files it would not otherwise touch). Medians and ratios are what to read: the
machines this runs on are shared and noisy.

  row        berry                                   peer
  review     berry --yes review (20k-file change)    git status --porcelain -uall && git diff --stat
  review0    the same with review.preview_lines = 0  the same
  firstscreen
             berry review on a pty (120x40): time    git diff on the same pty, through its pager
             to the first screen, then the prompt;   (less); the target, <= 0.3 s
             stopped with Ctrl-C, nothing recorded
  version    berry --version                         git --version
  status     berry status (empty repository)         (target: <= 10 ms wall)
  verify     berry verify REQ (200k rows, 30k REQs)  the psql binary (not Debian's Perl wrapper)
  commit     berry --yes commit (1k and 20k files)   git add --pathspec-from-file + git commit -F
  push       berry push (1k and 20k files; file://   git push (same remote, same commit)
             and smart HTTP through git http-backend)
  watch      counted requests, simulated 30 min CI   a 3 s unconditional poll (gh run watch)

  benches/run.sh [--rows review,commit,...] [--runs N] [--files 20000] [--small 1000]
                 [--berry target/release/berry] [--keep DIR]

Needs git, python3, GNU time (`apt-get install time`), PostgreSQL for `verify` (superuser URL in BERRY_TEST_PG, default
postgres://postgres@127.0.0.1:5432/postgres), and a release build of berry.
"""
import argparse
import fcntl
import glob
import http.server
import json
import os
import pty
import re
import resource
import select
import shutil
import signal
import socketserver
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(HERE)
REQ = "REQ-STRATEGIC-AUTO-1767116143665"
FIXTURES = os.path.join(REPO_ROOT, "tests", "fixtures", "agogsaas")
DELIVERABLES = {
    "cynthia": "deliverable_cynthia_completion_with_changes.json",
    "sylvia": "deliverable_sylvia_critique_payload_decision.json",
    "roy": "deliverable_roy_completion_notice_phase1.json",
    "jen": "deliverable_jen_completion_notice_with_changes.json",
    "billy": "deliverable_billy_qa_full_excerpt.json",
    "priya": "deliverable_priya_completion_notice.json",
}
TOKEN = "bench-token-not-a-secret"
ALL_ROWS = ["version", "status", "verify", "review", "review0", "firstscreen", "commit", "push", "watch"]


def say(*a):
    print(*a, file=sys.stderr, flush=True)


def base_env():
    e = dict(os.environ)
    for k in list(e):
        if k.startswith(("BERRY_", "GIT_", "PG", "NATS_", "GH_", "GITHUB_")) or k in ("PAGER", "LESS"):
            e.pop(k)
    e.update({
        "GIT_CONFIG_GLOBAL": "/dev/null",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
        "GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "bench@example.com",
        "NO_COLOR": "1",
        # No background gc/maintenance while the next run is timed.
        "GIT_CONFIG_COUNT": "2",
        "GIT_CONFIG_KEY_0": "gc.auto", "GIT_CONFIG_VALUE_0": "0",
        "GIT_CONFIG_KEY_1": "maintenance.auto", "GIT_CONFIG_VALUE_1": "false",
        "BERRY_NOW": "2026-01-05T12:00:00Z",
    })
    return e


def run(cmd, cwd, env=None, quiet=True, check=True):
    out = subprocess.DEVNULL if quiet else None
    r = subprocess.run(cmd, cwd=cwd, env=env or base_env(), stdout=out, stderr=out)
    if check and r.returncode != 0:
        sys.exit(f"failed ({r.returncode}): {' '.join(map(str, cmd))} in {cwd}")
    return r.returncode


GNU_TIME = "/usr/bin/time"


def measure(cmd, cwd, env=None, ok=(0,)):
    """Wall time and peak RSS (MiB, the largest process of the tree) of one command.

    The peak comes from GNU time (`%M`), a small C parent: a child forked by Python itself would
    report Python's own resident size, which the kernel carries across exec into ru_maxrss."""
    rss_file = tempfile.NamedTemporaryFile(prefix="berry-bench-rss-", delete=False)
    rss_file.close()
    t0 = time.perf_counter()
    p = subprocess.run([GNU_TIME, "-f", "%M", "-o", rss_file.name] + list(cmd), cwd=cwd,
                       env=env or base_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - t0
    with open(rss_file.name) as fh:
        lines = fh.read().split()
    os.unlink(rss_file.name)
    code = p.returncode
    if code not in ok:
        sys.exit(f"failed ({code}): {' '.join(map(str, cmd))} in {cwd}\n{p.stderr.decode(errors='replace')[-3000:]}")
    return wall, int(lines[-1]) / 1024.0


class Table:
    def __init__(self):
        self.rows = []

    def add(self, work, berry, peer, note=""):
        """berry/peer: lists of (wall, rss) or None."""
        def med(xs):
            return (statistics.median(x[0] for x in xs), max(x[1] for x in xs)) if xs else None
        b, p = med(berry), med(peer)
        self.rows.append((work, b, p, note))
        self.print_row(self.rows[-1])

    @staticmethod
    def fmt_t(s):
        return f"{s * 1000:.1f} ms" if s < 1 else f"{s:.2f} s"

    def add_text(self, work, berry, peer, note):
        """A row whose cells are already written (times without a peak: the pseudo-terminal row)."""
        self.rows.append((work, berry, peer, note))
        self.print_row(self.rows[-1])

    def cells(self, b, p, sep="×", memory="memory"):
        if isinstance(b, str) or isinstance(p, str):
            return b or "-", p or "-", None
        bt = f"{self.fmt_t(b[0])}, {b[1]:.0f} MiB" if b else "-"
        pt = f"{self.fmt_t(p[0])}, {p[1]:.0f} MiB" if p else "-"
        ratio = f"{b[0] / p[0]:.2f}{sep} time, {b[1] / p[1]:.1f}{sep} {memory}" if b and p else None
        return bt, pt, ratio

    def print_row(self, r):
        work, b, p, note = r
        bt, pt, ratio = self.cells(b, p, "x", "mem")
        say(f"  {work}: berry {bt} | peer {pt} | {ratio or '-'} {note}")

    def markdown(self):
        out = ["| work | berry (median, peak) | peer (median, peak) | ratio |", "|---|---|---|---|"]
        for work, b, p, note in self.rows:
            bt, pt, ratio = self.cells(b, p)
            ratio = ratio or note
            if ratio != note and note:
                ratio += f" ({note})"
            out.append(f"| {work} | {bt} | {pt} | {ratio} |")
        return "\n".join(out)


def alternate(runs, berry_fn, peer_fn):
    """Runs berry_fn and peer_fn `runs` times each, alternating who goes first."""
    b, p = [], []
    for i in range(runs):
        order = [(berry_fn, b), (peer_fn, p)] if i % 2 == 0 else [(peer_fn, p), (berry_fn, b)]
        for fn, acc in order:
            if fn is not None:
                acc.append(fn(i))
    return b, p


def copy_repo(src, dst):
    subprocess.run(["cp", "-a", src, dst], check=True)
    # cp -a invalidates the index stat cache: refresh it (untimed) so git does not rehash every file.
    run(["git", "update-index", "-q", "--refresh"], dst, check=False)


def deliverables(work):
    root = os.path.join(work, "deliverables")
    d = os.path.join(root, REQ)
    if not os.path.isdir(d):
        os.makedirs(d)
        for agent, f in DELIVERABLES.items():
            shutil.copy(os.path.join(FIXTURES, f), os.path.join(d, agent + ".json"))
    return root


BERRY_TOML = """
[[test.commands]]
name = "true"
argv = ["true"]
"""


def prepared(work, files, changed, berry):
    """A repository with `files` base files committed and `changed` changed files on top, verified."""
    name = f"repo-{files}-{changed}"
    src = os.path.join(work, name)
    if os.path.isdir(src):
        return src
    gen = [sys.executable, os.path.join(HERE, "gen-monorepo.py"), src, "--files", str(files)]
    say(f"generating {files} base files + {changed} changed ...")
    run(gen + ["--phase", "base"], work)
    with open(os.path.join(src, "berry.toml"), "w") as fh:
        fh.write(BERRY_TOML)
    run(["git", "init", "-q", "-b", "main"], src)
    run(["git", "add", "-A"], src)
    run(["git", "commit", "-q", "-m", "base"], src)
    run(gen + ["--phase", "change", "--changed", str(changed)], work)
    run([berry, "--deliverables", deliverables(work), "verify", REQ], src)
    return src


def reviewed(work, files, changed, berry):
    src = prepared(work, files, changed, berry)
    dst = src + "-reviewed"
    if not os.path.isdir(dst):
        copy_repo(src, dst)
        run([berry, "--deliverables", deliverables(work), "--yes", "review"], dst)
    return dst


def committed(work, files, changed, berry):
    """Reviewed, committed and tested by berry, with a bare origin holding the base."""
    src = reviewed(work, files, changed, berry)
    dst = src + "-committed"
    if not os.path.isdir(dst):
        copy_repo(src, dst)
        run([berry, "--deliverables", deliverables(work), "--yes", "commit"], dst)
        run([berry, "--deliverables", deliverables(work), "--yes", "test"], dst)
        origin = dst + "-origin.git"
        run(["git", "init", "-q", "--bare", origin], work)
        run(["git", "push", "-q", origin, "HEAD~1:refs/heads/main"], dst)
        run(["git", "remote", "add", "origin", origin], dst)
    return dst


def row_version(t, a, work):
    b, p = alternate(a.runs_fast, lambda i: measure([a.berry, "--version"], work),
                     lambda i: measure(["git", "--version"], work))
    t.add("`--version`", b, p)


def row_status(t, a, work):
    repo = os.path.join(work, "empty")
    if not os.path.isdir(repo):
        run(["git", "init", "-q", repo], work)
    b, p = alternate(a.runs_fast, lambda i: measure([a.berry, "status"], repo, ok=(0, 2)),
                     lambda i: measure(["git", "status", "--porcelain"], repo))
    t.add("`status`, empty repository (target ≤ 10 ms)", b, p, "peer: git status")


def psql_binary():
    cands = sorted(glob.glob("/usr/lib/postgresql/*/bin/psql"))
    return cands[-1] if cands else shutil.which("psql")


def row_verify(t, a, work):
    admin = os.environ.get("BERRY_TEST_PG", "postgres://postgres@127.0.0.1:5432/postgres")
    db = "berry_bench_verify"
    url = admin.rsplit("/", 1)[0] + "/" + db
    psql = psql_binary()
    env = base_env()
    count = subprocess.run([psql, url, "-Atc", "select count(*) from nats_deliverable_cache"],
                           capture_output=True, text=True, env=env).stdout.strip()
    if count != "200000":
        say("building berry_bench_verify (200,000 rows over 30,000 REQs) ...")
        subprocess.run([psql, admin, "-qc", f"DROP DATABASE IF EXISTS {db} WITH (FORCE)",
                        "-c", f"CREATE DATABASE {db}"], check=True, env=env)
        subprocess.run([psql, url, "-q", "-v", "ON_ERROR_STOP=1", "-f", os.path.join(HERE, "verify-table.sql")],
                       check=True, env=env)
    req = "REQ-STRATEGIC-AUTO-1767000015000"
    # The query berry sends (src/deliverables/pg.rs, `PgSource::latest`), with the REQ inlined:
    # both sides ask the server for the same rows.
    query = ("WITH ranked AS ( SELECT id, agent, stage, deliverable, created_at, "
             "rank() OVER (PARTITION BY lower(agent) ORDER BY created_at DESC NULLS LAST) AS pos, "
             "count(*) OVER (PARTITION BY lower(agent)) AS n "
             f"FROM \"nats_deliverable_cache\" WHERE req_number = '{req}') "
             "SELECT id::text, agent, stage, deliverable::text, created_at FROM ranked "
             "WHERE pos = 1 OR (created_at IS NULL AND n > 1) "
             "ORDER BY lower(agent), created_at DESC NULLS LAST, id::text")
    repo = os.path.join(work, "verify-repo")
    if not os.path.isdir(repo):
        run(["git", "init", "-q", repo], work)
    benv = dict(env, BERRY_DATABASE_URL=url)
    b, p = alternate(a.runs_fast, lambda i: measure([a.berry, "verify", req, "--json"], repo, env=benv),
                     lambda i: measure([psql, url, "-Atc", query], repo))
    t.add("`verify`, one REQ of 200k rows / 30k REQs", b, p, f"peer: {psql} -Atc")


def row_review(t, a, work, preview0=False):
    src = prepared(work, a.files, a.files, a.berry)
    cfg = os.path.join(work, "preview0.toml")
    with open(cfg, "w") as fh:
        fh.write(BERRY_TOML + "\n[review]\npreview_lines = 0\n")
    d = os.path.join(work, "review-copy")
    if not os.path.isdir(d):
        copy_repo(src, d)
    dl = deliverables(work)
    cmd = [a.berry, "--deliverables", dl, "--yes"] + (["--config", cfg] if preview0 else []) + ["review"]
    peer = ["sh", "-c", "git status --porcelain -uall >/dev/null && git diff --stat >/dev/null"]
    b, p = alternate(a.runs, lambda i: measure(cmd, d), lambda i: measure(peer, d))
    label = f"`review --yes`, {a.files // 2} modified + {a.files - a.files // 2} new files"
    if preview0:
        label += ", `preview_lines = 0`"
    t.add(label, b, p, "peer: git status --porcelain -uall && git diff --stat")


# The pseudo-terminal of the first-screen row: the size a terminal window reports, its type.
PTY_ROWS, PTY_COLS = 40, 120
# less (the pager of berry and of git, `LESS=FRX` from both) has drawn its first screen when it
# writes its prompt: a ':' on the last row, then clear-to-end-of-line.
LESS_PROMPT = re.compile(rb"\n:\x1b\[K")
AFTER_Q = re.compile(rb"nothing was recorded|Files to commit")


class PtyRun:
    """One command on a fresh pseudo-terminal, the clock started just before the fork.

    The child is a session leader with the pseudo-terminal as its controlling terminal (stdin,
    stdout and stderr), sized with TIOCSWINSZ before it runs, as in a terminal window. Its output
    is read as it comes, as a terminal would (a terminal that stops reading stalls the writer)."""

    def __init__(self, argv, cwd, env, timeout=900.0):
        self.out = bytearray()
        self.timeout = timeout
        self.t0 = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:
            try:
                fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", PTY_ROWS, PTY_COLS, 0, 0))
                os.chdir(cwd)
                os.execvpe(argv[0], argv, env)
            finally:
                os._exit(127)
        self.pid, self.fd, self.code = pid, fd, None

    def elapsed(self):
        return time.perf_counter() - self.t0

    def until(self, pattern, start=0, what=""):
        """Reads until `pattern` (bytes or a compiled regex) occurs at or after `start`; returns
        the seconds since the fork and the match's end offset."""
        find = (lambda: pattern.search(self.out, start)) if hasattr(pattern, "search") else None
        while True:
            if find:
                m = find()
                if m:
                    return self.elapsed(), m.end()
            else:
                i = self.out.find(pattern, start)
                if i >= 0:
                    return self.elapsed(), i + len(pattern)
            if not self.read(self.timeout - self.elapsed()):
                tail = bytes(self.out[-1500:]).decode(errors="replace")
                self.kill()
                sys.exit(f"no {what or pattern!r} on the terminal after {self.elapsed():.1f} s; it ended with:\n{tail}")

    def read(self, wait):
        if wait <= 0:
            return False
        r, _, _ = select.select([self.fd], [], [], wait)
        if not r:
            return False
        try:
            chunk = os.read(self.fd, 1 << 16)
        except OSError:  # EIO: every holder of the terminal's other side has closed it
            chunk = b""
        if not chunk:
            return False
        self.out += chunk
        return True

    def send(self, keys):
        os.write(self.fd, keys)

    def wait(self):
        """Drains the terminal until the child ends; its exit status (a signal as 128 + n)."""
        while self.read(max(0.1, self.timeout - self.elapsed())):
            pass
        _, status = os.waitpid(self.pid, 0)
        os.close(self.fd)
        self.code = os.waitstatus_to_exitcode(status)
        return self.code if self.code >= 0 else 128 - self.code

    def kill(self):
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(self.pid, 0)
        os.close(self.fd)


def pty_env():
    # NO_COLOR stays set (base_env) for berry; git is told the same with color.ui=never, so neither
    # side pays for colour. PAGER, LESS and GIT_PAGER are unset: both pick less and give it FRX.
    e = base_env()
    e["TERM"] = "xterm-256color"
    n = int(e["GIT_CONFIG_COUNT"])
    e.update({"GIT_CONFIG_COUNT": str(n + 1), f"GIT_CONFIG_KEY_{n}": "color.ui", f"GIT_CONFIG_VALUE_{n}": "never"})
    return e


def context_review(repo):
    with open(os.path.join(repo, ".git", "berry", REQ + ".json")) as fh:
        return json.load(fh).get("review")


def row_firstscreen(t, a, work):
    """`berry review` as a person runs it: on a terminal, no --yes. Timed from the fork to
    - the summary: the line `Changes in scope (N files, +I -D)` written (the change list follows);
    - the first screen: less has drawn the first page of the diff previews (its prompt), with a
      hunk of the first file's preview between the summary and the prompt;
    - after `q` on that first screen: berry has ended (it streams its previews into less, and
      leaving less before the last one stops the review), or, with a berry that shows every
      preview before it starts less, the file picker `Files to commit …` drawn and Ctrl-C sent.
    Either way berry exits 130 and nothing is recorded (checked).
    The peer is `git diff` on the same terminal: its pager's first screen (the prompt), then `q`."""
    src = prepared(work, a.files, a.files, a.berry)
    dl = deliverables(work)
    env = pty_env()
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=src, env=env, capture_output=True, text=True).stdout
    load = [os.getloadavg()[0]]

    def berry(i):
        d = os.path.join(work, f"firstscreen-berry-{i}")
        copy_repo(src, d)
        r = PtyRun([a.berry, "--deliverables", dl, "review"], d, env)
        summary, at = r.until(b"Changes in scope (", what="summary line")
        first, end = r.until(LESS_PROMPT, at, what="pager's first screen")
        if b"@@ " not in r.out[at:end]:
            r.kill()
            sys.exit("the pager's first screen holds no diff hunk")
        r.send(b"q")
        prompt, after = r.until(AFTER_Q, end, what="the end of the review or the file picker")
        if r.out[:after].endswith(b"Files to commit"):
            r.send(b"\x03")
        code = r.wait()
        if code == 130:
            prompt = r.elapsed()
        if code != 130:
            sys.exit(f"berry review ended {code} after q, not 130 (interrupted)")
        after = subprocess.run(["git", "rev-parse", "HEAD"], cwd=d, env=env, capture_output=True, text=True).stdout
        if context_review(d) is not None or after != head:
            sys.exit(f"berry review recorded or committed something after Ctrl-C in {d}")
        shutil.rmtree(d, ignore_errors=True)
        load.append(os.getloadavg()[0])
        say(f"    berry: summary {summary:.2f} s, first screen {first:.2f} s, ended {prompt:.2f} s")
        return summary, first, prompt

    def git(i):
        d = os.path.join(work, f"firstscreen-git-{i}")
        copy_repo(src, d)
        r = PtyRun(["git", "diff"], d, env)
        first, _ = r.until(LESS_PROMPT, what="git's pager's first screen")
        r.send(b"q")
        code = r.wait()
        if code not in (0, 141):
            sys.exit(f"git diff ended {code} after q")
        shutil.rmtree(d, ignore_errors=True)
        say(f"    git diff: first screen {first:.3f} s")
        return first

    b, p = alternate(a.runs, berry, git)
    med = [statistics.median(x[k] for x in b) for k in range(3)]
    gm = statistics.median(p)
    t.add_text(
        f"`review` on a terminal ({PTY_COLS}x{PTY_ROWS}, less), {a.files // 2} modified + "
        f"{a.files - a.files // 2} new files: first screen (target ≤ 0.3 s)",
        f"first screen {t.fmt_t(med[1])} (summary {t.fmt_t(med[0])}, ended after q {t.fmt_t(med[2])})",
        f"`git diff` first screen {t.fmt_t(gm)}",
        f"{med[1] / gm:.0f}× git; load {min(load):.1f}–{max(load):.1f}")


def row_commit(t, a, work, n):
    base = max(2000, n)
    src = reviewed(work, base, n, a.berry)
    dl = deliverables(work)
    ctx = json.load(open(os.path.join(src, ".git", "berry", REQ + ".json")))
    paths = []
    for f in ctx["review"]["files"]:
        paths.append(f["path"])
        if f.get("old_path"):
            paths.append(f["old_path"])
    pf = os.path.join(work, f"paths-{n}.txt")
    with open(pf, "w") as fh:
        fh.write("\n".join(paths) + "\n")
    dry = subprocess.run([a.berry, "--deliverables", dl, "--json", "--dry-run", "commit"],
                         cwd=src, env=base_env(), capture_output=True, text=True)
    if dry.returncode != 0:
        sys.exit("berry commit --dry-run failed:\n" + dry.stderr)
    msg = os.path.join(work, f"msg-{n}.txt")
    with open(msg, "w") as fh:
        fh.write(json.loads(dry.stdout.strip().splitlines()[-1])["data"]["message"])
    trees = set()

    def one(kind, i):
        d = os.path.join(work, f"commit-{kind}-{i}")
        copy_repo(src, d)
        if kind == "berry":
            r = measure([a.berry, "--deliverables", dl, "--yes", "commit"], d)
        else:
            r = measure(["sh", "-c", f"git add --pathspec-from-file={pf} && git commit -q -F {msg}"], d)
        trees.add(subprocess.run(["git", "rev-parse", "HEAD^{tree}"], cwd=d, env=base_env(),
                                 capture_output=True, text=True).stdout.strip())
        shutil.rmtree(d, ignore_errors=True)
        return r

    b, p = alternate(a.runs, lambda i: one("berry", i), lambda i: one("git", i))
    note = "" if len(trees) == 1 else f"TREES DIFFER: {trees}"
    t.add(f"`commit --yes`, {n} changed files (target ≤ 0.8×)", b, p,
          note or "peer: git add --pathspec-from-file && git commit -F")


class GitHTTP(http.server.BaseHTTPRequestHandler):
    """Smart HTTP through `git http-backend`, demanding the token as x-access-token."""
    root = None
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            out = bytearray()
            while True:
                size = int(self.rfile.readline().strip().split(b";")[0], 16)
                if size == 0:
                    self.rfile.readline()
                    return bytes(out)
                out += self.rfile.read(size)
                self.rfile.readline()
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def handle_any(self, method):
        import base64
        want = "Basic " + base64.b64encode(f"x-access-token:{TOKEN}".encode()).decode()
        data = self.body() if method == "POST" else b""
        if self.headers.get("Authorization") != want:
            msg = b"Invalid username or password.\n"
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="bench"')
            self.send_header("Content-Length", str(len(msg)))
            self.end_headers()
            self.wfile.write(msg)
            return
        path, _, query = self.path.partition("?")
        env = {"PATH": os.environ.get("PATH", ""), "GIT_PROJECT_ROOT": self.root,
               "GIT_HTTP_EXPORT_ALL": "1", "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null",
               "REMOTE_USER": "x-access-token", "REMOTE_ADDR": "127.0.0.1", "REQUEST_METHOD": method,
               "PATH_INFO": path, "QUERY_STRING": query, "CONTENT_LENGTH": str(len(data))}
        for h, v in (("Content-Type", "CONTENT_TYPE"), ("Content-Encoding", "HTTP_CONTENT_ENCODING"),
                     ("Git-Protocol", "GIT_PROTOCOL")):
            if self.headers.get(h):
                env[v] = self.headers[h]
        out = subprocess.run(["git", "http-backend"], input=data, env=env, capture_output=True).stdout
        sep = out.find(b"\r\n\r\n")
        sep, n = (sep, 4) if sep >= 0 else (out.find(b"\n\n"), 2)
        head, payload = out[:sep].decode(), out[sep + n:]
        status = 200
        headers = []
        for line in head.splitlines():
            k, _, v = line.partition(":")
            if k.lower() == "status":
                status = int(v.strip().split()[0])
            elif k:
                headers.append((k, v.strip()))
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")


def row_push(t, a, work, n, transport):
    src = committed(work, max(2000, n), n, a.berry)
    origin_src = src + "-origin.git"
    server = None
    if transport == "http":
        class H(GitHTTP):
            root = work
        server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), H)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        def one(kind, i):
            d = os.path.join(work, f"push-{kind}-{i}")
            o = os.path.join(work, f"push-{kind}-{i}.git")
            copy_repo(src, d)
            subprocess.run(["cp", "-a", origin_src, o], check=True)
            env = base_env()
            setup = base_env()
            if transport == "http":
                url = f"http://127.0.0.1:{server.server_address[1]}/{os.path.basename(o)}"
                env["GH_TOKEN"] = TOKEN
                # git's own way to a token: a credential helper that answers from the environment
                # (for the untimed set-up of both sides, and for git's timed push).
                helper = dict(base_env(), GH_TOKEN=TOKEN, GIT_CONFIG_COUNT="3",
                              GIT_CONFIG_KEY_2="credential.helper",
                              GIT_CONFIG_VALUE_2="!f() { echo username=x-access-token; echo password=$GH_TOKEN; }; f")
                setup = helper
                if kind == "git":
                    env = helper
            else:
                url = "file://" + o
            run(["git", "remote", "set-url", "origin", url], d)
            run(["git", "fetch", "-q", "origin"], d, env=setup)
            run(["git", "branch", "-q", "--set-upstream-to=origin/main"], d, env=setup)
            if kind == "berry":
                r = measure([a.berry, "--deliverables", deliverables(work), "--yes", "push"], d, env=env)
            else:
                r = measure(["git", "push", "-q", "origin", "main"], d, env=env)
            head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=d, capture_output=True, text=True).stdout
            remote = subprocess.run(["git", "rev-parse", "main"], cwd=o, capture_output=True, text=True).stdout
            if head != remote:
                sys.exit(f"{kind} push did not update the remote ({head.strip()} vs {remote.strip()})")
            shutil.rmtree(d, ignore_errors=True)
            shutil.rmtree(o, ignore_errors=True)
            return r

        b, p = alternate(a.runs, lambda i: one("berry", i), lambda i: one("git", i))
        t.add(f"`push`, {n} files, {'file://' if transport == 'file' else 'smart HTTP (git http-backend)'}",
              b, p, "peer: git push")
    finally:
        if server:
            server.shutdown()


def row_watch(t, a, work):
    r = subprocess.run(["cargo", "bench", "--locked", "--bench", "watch", "--profile", "dev"], cwd=REPO_ROOT,
                       capture_output=True, text=True)
    say(r.stdout)
    berry = gh = None
    for line in r.stdout.splitlines():
        parts = line.split()
        if line.startswith("berry watch --interval 10 (run entry follows") and berry is None:
            berry = int(parts[-3])
        if line.startswith("gh run watch"):
            gh = int(parts[-3])
    t.rows.append((f"`watch`, simulated 30-minute run: counted requests (target ≤ 60)", None, None,
                   f"berry {berry} vs gh-style poll {gh}"))
    say(f"  watch: berry {berry} counted requests vs {gh}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", default=",".join(ALL_ROWS))
    ap.add_argument("--runs", type=int, default=3, help="runs of each heavy row (review, commit, push)")
    ap.add_argument("--runs-fast", type=int, default=30, help="runs of the millisecond rows")
    ap.add_argument("--files", type=int, default=20000, help="the large change")
    ap.add_argument("--small", type=int, default=1000, help="the small change (commit, push)")
    ap.add_argument("--berry", default=os.path.join(REPO_ROOT, "target", "release", "berry"))
    ap.add_argument("--keep", help="work folder to keep and reuse (prepared repositories are reused)")
    ap.add_argument("--markdown", help="write the table as Markdown to this file")
    a = ap.parse_args()
    a.berry = os.path.abspath(a.berry)
    if not os.access(GNU_TIME, os.X_OK):
        sys.exit("GNU time is needed for peak memory: apt-get install time")
    if not os.access(a.berry, os.X_OK):
        sys.exit(f"no berry binary at {a.berry}: cargo build --release")
    rows = [r for r in a.rows.split(",") if r]
    for r in rows:
        if r not in ALL_ROWS:
            sys.exit(f"unknown row {r!r}; rows: {', '.join(ALL_ROWS)}")
    work = os.path.abspath(a.keep) if a.keep else tempfile.mkdtemp(prefix="berry-bench-")
    os.makedirs(work, exist_ok=True)
    t = Table()
    say(f"berry: {a.berry}\nwork: {work}\n")
    try:
        for r in rows:
            say(f"== {r}")
            if r == "version":
                row_version(t, a, work)
            elif r == "status":
                row_status(t, a, work)
            elif r == "verify":
                row_verify(t, a, work)
            elif r == "review":
                row_review(t, a, work)
            elif r == "review0":
                row_review(t, a, work, preview0=True)
            elif r == "firstscreen":
                row_firstscreen(t, a, work)
            elif r == "commit":
                for n in (a.small, a.files):
                    row_commit(t, a, work, n)
            elif r == "push":
                for n in (a.small, a.files):
                    for tr in ("file", "http"):
                        row_push(t, a, work, n, tr)
            elif r == "watch":
                row_watch(t, a, work)
    finally:
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)
    md = t.markdown()
    print(md)
    if a.markdown:
        with open(a.markdown, "w") as fh:
            fh.write(md + "\n")


if __name__ == "__main__":
    main()
