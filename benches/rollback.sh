#!/usr/bin/env bash
# `berry rollback` on a 20k-file REQ: a sandbox from `berry demo` (its deliverables and tracker),
# a monorepo of FILES base files pushed to a bare origin, then the REQ shipped for real through
# berry (verify, review, commit, test, push, complete) with CHANGED files (half modified, half
# new), then the rollback, timed. Prints berry's own recorded figure (start to health green,
# without the tests' own time) and the wall time of the whole command.
#
#   benches/rollback.sh [--release] [FILES] [CHANGED]      (defaults: 20000 20000, debug build)
set -euo pipefail
cd "$(dirname "$0")/.."
profile=debug
if [ "${1:-}" = "--release" ]; then profile=release; shift; fi
files=${1:-20000}
changed=${2:-20000}
if [ "$profile" = release ]; then cargo build --release --locked --quiet; else cargo build --locked --quiet; fi
berry="$PWD/target/$profile/berry"
gen="$PWD/benches/gen-monorepo.py"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export GIT_CONFIG_GLOBAL=/dev/null GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com \
  GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com NO_COLOR=1 HOME="$tmp"
NATS_URL=nats://127.0.0.1:1 "$berry" demo "$tmp/demo" >/dev/null 2>&1 || true
req=$(ls "$tmp/demo/deliverables")
repo="$tmp/repo"
git init -q --bare -b main "$tmp/origin.git"
git init -q -b main "$repo"
cd "$repo"
python3 "$gen" . --files "$files" --phase base
mkdir -p project-spirit/owner_requests
git -C "$tmp/demo/agogsaas" show "HEAD~2:project-spirit/owner_requests/OWNER_REQUESTS.md" \
  > project-spirit/owner_requests/OWNER_REQUESTS.md
cat > berry.toml <<TOML
[deliverables]
dir = "$tmp/demo/deliverables"

[[test.commands]]
name = "smoke"
argv = ["true"]

[[health.checks]]
name = "service"
argv = ["true"]

[nats]
publish = false
TOML
git add -A && git commit -q -m base
git remote add origin "file://$tmp/origin.git"
git push -q -u origin main
python3 "$gen" . --files "$files" --phase change --changed "$changed"
step() { "$berry" --yes "$@" >/dev/null 2>"$tmp/step.log" || { cat "$tmp/step.log"; exit 1; }; }
t0=$(date +%s.%N)
step verify "$req"
step review
step commit
step test
step push
step health
step complete --no-ci --reason "benchmark: no CI"
t1=$(date +%s.%N)
echo "shipped $changed changed files over $files base files in $(echo "$t1 - $t0" | bc) s"
start=$(date +%s.%N)
"$berry" --json rollback --reason "benchmark" > "$tmp/rollback.json" 2>"$tmp/rollback.err" \
  || { cat "$tmp/rollback.err"; exit 1; }
end=$(date +%s.%N)
python3 - "$tmp/rollback.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))["data"]["rollback"]
print(f"berry rollback: {d['duration_ms'] / 1000:.2f} s from start to health green "
      f"(tests' own time {d['tests_ms'] / 1000:.2f} s excluded; target < 120 s)")
PY
echo "berry rollback wall time: $(echo "$end - $start" | bc) s ($profile build)"
