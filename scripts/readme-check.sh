#!/usr/bin/env bash
# Follows the README literally on a clean clone of HEAD: the commands of its first `sh` block
# (the set-up on a fresh machine), nothing else, each of which must pass.
set -euo pipefail
cd "$(dirname "$0")/.."
src=$PWD
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git clone -q "$src" "$work/berry"
commands=$(awk '/^```sh$/ { inside = 1; next } /^```$/ { if (inside) exit } inside' README.md \
  | sed 's/[[:space:]]#.*$//' | grep -v '^[[:space:]]*$')
[ -n "$commands" ] || { echo "readme-check: no commands in the README's first sh block" >&2; exit 1; }
cd "$work/berry"
# Reuse this checkout's build artefacts: what is checked is the README's commands, not the compiler.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$src/target}"
while IFS= read -r cmd; do
  echo "readme-check: \$ $cmd" >&2
  bash -c "$cmd" </dev/null
done <<<"$commands"
echo "readme-check: the README's set-up commands passed on a clean clone" >&2
