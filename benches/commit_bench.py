#!/usr/bin/env python3
"""commit_bench.py - time `berry commit --yes` against `git add <paths> && git commit -F msg`.

Builds an AgogSaaS-shaped repository with gen-monorepo.py (copied here from the project's shared
tools so a clone can run it), commits a base, applies N changed files (half modified, half new)
across the stage paths, runs `berry verify` + `berry review --yes` once (not timed), then for each
run copies that prepared repository twice and times, side by side and alternating:

  berry:  berry --deliverables DIR --yes commit
  git:    git add --pathspec-from-file=<the reviewed paths> && git commit -F <berry's message>
  git-A:  git add -A && git commit -F <berry's message>   (same tree here: every change is in scope;
          git's fastest form, without the cost of matching thousands of pathspecs)

Both start from identical copies (same working tree, same index, warm page cache), both write
loose objects, both print their summary (to /dev/null). Reports each median and the ratios
berry/git (the issue's comparison; target: <= 1.0) and berry/git-A.

  benches/commit_bench.py --changed 1000 --base-files 5000 --runs 5 [--berry target/release/berry]

Needs: git, python3, a berry binary (default target/release/berry; build with
`cargo build --release`).
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
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


def env():
    e = dict(os.environ)
    for k in ["GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "BERRY_STATE_DIR", "BERRY_YES",
              "BERRY_DATABASE_URL", "BERRY_CONFIG"]:
        e.pop(k, None)
    e.update({
        "GIT_CONFIG_GLOBAL": "/dev/null",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
        "GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "bench@example.com",
        "NO_COLOR": "1",
        # No background `git gc --auto` / maintenance after git's commits: it would pack the
        # loose objects while the next run is timed (and while the copy is being deleted).
        "GIT_CONFIG_COUNT": "2",
        "GIT_CONFIG_KEY_0": "gc.auto", "GIT_CONFIG_VALUE_0": "0",
        "GIT_CONFIG_KEY_1": "maintenance.auto", "GIT_CONFIG_VALUE_1": "false",
    })
    return e


def run(cmd, cwd, quiet=True, **kw):
    out = subprocess.DEVNULL if quiet else None
    r = subprocess.run(cmd, cwd=cwd, env=env(), stdout=out, stderr=out, **kw)
    if r.returncode != 0:
        sys.exit(f"failed ({r.returncode}): {' '.join(cmd)} in {cwd}")


def timed(cmds, cwd):
    t0 = time.perf_counter()
    for c in cmds:
        run(c, cwd)
    return time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--changed", type=int, default=1000, help="changed files (half modified, half new)")
    ap.add_argument("--base-files", type=int, default=0, help="files in the base commit (default: 2x changed, at least 2000)")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--berry", default=os.path.join(REPO_ROOT, "target", "release", "berry"))
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    a = ap.parse_args()
    berry = os.path.abspath(a.berry)
    if not os.access(berry, os.X_OK):
        sys.exit(f"no berry binary at {berry}: cargo build --release")
    base_files = a.base_files or max(2000, 2 * a.changed)

    work = tempfile.mkdtemp(prefix="berry-bench-")
    try:
        src = os.path.join(work, "prepared")
        gen = [sys.executable, os.path.join(HERE, "gen-monorepo.py"), src, "--files", str(base_files)]
        print(f"generating {base_files} base files, {a.changed} changed ...", file=sys.stderr)
        run(gen + ["--phase", "base"], work)
        run(["git", "init", "-q", "-b", "main"], src)
        run(["git", "add", "-A"], src)
        run(["git", "commit", "-q", "-m", "base"], src)
        run(gen + ["--phase", "change", "--changed", str(a.changed)], work)

        deliv = os.path.join(work, "deliverables", REQ)
        os.makedirs(deliv)
        for agent, f in DELIVERABLES.items():
            shutil.copy(os.path.join(FIXTURES, f), os.path.join(deliv, agent + ".json"))
        deliv_root = os.path.dirname(deliv)
        print("berry verify + review (not timed) ...", file=sys.stderr)
        run([berry, "--deliverables", deliv_root, "verify", REQ], src)
        run([berry, "--deliverables", deliv_root, "--yes", "review"], src)

        ctx = json.load(open(os.path.join(src, ".git", "berry", REQ + ".json")))
        paths = []
        for f in ctx["review"]["files"]:
            paths.append(f["path"])
            if f.get("old_path"):
                paths.append(f["old_path"])
        with open(os.path.join(work, "paths.txt"), "w") as fh:
            fh.write("\n".join(paths) + "\n")
        dry = subprocess.run([berry, "--deliverables", deliv_root, "--json", "--dry-run", "commit"],
                             cwd=src, env=env(), capture_output=True, text=True)
        if dry.returncode != 0:
            sys.exit("berry commit --dry-run failed:\n" + dry.stderr)
        msg = json.loads(dry.stdout)["data"]["message"]
        with open(os.path.join(work, "msg.txt"), "w") as fh:
            fh.write(msg)
        print(f"{len(ctx['review']['files'])} reviewed files; {a.runs} runs each", file=sys.stderr)

        times = {"berry": [], "git": [], "git-A": []}
        trees = {"berry": set(), "git": set(), "git-A": set()}
        kinds = list(times)
        for i in range(a.runs):
            for kind in kinds[i % 3:] + kinds[:i % 3]:
                d = os.path.join(work, f"{kind}-{i}")
                subprocess.run(["cp", "-a", src, d], check=True)
                if kind == "berry":
                    t = timed([[berry, "--deliverables", deliv_root, "--yes", "commit"]], d)
                elif kind == "git":
                    t = timed([["git", "add", f"--pathspec-from-file={work}/paths.txt"],
                               ["git", "commit", "-F", f"{work}/msg.txt"]], d)
                else:
                    t = timed([["git", "add", "-A"], ["git", "commit", "-F", f"{work}/msg.txt"]], d)
                times[kind].append(t)
                print(f"  run {i + 1} {kind:5} {t:.3f}s", file=sys.stderr)
                trees[kind].add(subprocess.run(["git", "rev-parse", "HEAD^{tree}"], cwd=d, env=env(),
                                               capture_output=True, text=True).stdout.strip())
                shutil.rmtree(d, ignore_errors=True)
        # Same result: both commit the same tree.
        if len(trees["berry"] | trees["git"] | trees["git-A"]) != 1:
            sys.exit(f"the commits differ: {trees}")
        med = {k: statistics.median(v) for k, v in times.items()}
        print(json.dumps({
            "changed_files": a.changed, "base_files": base_files, "runs": a.runs,
            "median_s": {k: round(v, 4) for k, v in med.items()},
            "ratio_berry_git": round(med["berry"] / med["git"], 3),
            "ratio_berry_git_A": round(med["berry"] / med["git-A"], 3),
            "runs_s": {k: [round(t, 4) for t in v] for k, v in times.items()},
        }))
        print(f"{a.changed} changed files, median of {a.runs}: berry {med['berry']:.3f}s, "
              f"git add <paths> {med['git']:.3f}s, git add -A {med['git-A']:.3f}s; "
              f"ratio {med['berry'] / med['git']:.2f}x (vs git add -A: {med['berry'] / med['git-A']:.2f}x)",
              file=sys.stderr)
    finally:
        if a.keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
