#!/usr/bin/env bash
# The one benchmark entry point: builds berry (release), then runs benches/run.py, which prepares
# the scenarios and prints berry beside its peers with ratios and peak memory. Arguments go to
# run.py (`benches/run.sh --rows review,commit --runs 5`; `--help` lists them).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked --quiet
exec python3 benches/run.py "$@"
