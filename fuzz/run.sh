#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 60), one at a time, at low priority.
# Usage: fuzz/run.sh [SECONDS] [TARGET...]
# The corpus starts from the committed seeds (fuzz/seeds/<target>); findings land in
# fuzz/artifacts/<target>/. Needs cargo-fuzz (`cargo install cargo-fuzz`); on a stable toolchain
# RUSTC_BOOTSTRAP=1 lets it use the nightly-only sanitizer flags (see fuzz/README.md).
set -euo pipefail
cd "$(dirname "$0")"
secs="${1:-60}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(tracker_edit gate_decide req_parse config_decode context_decode)
fi
export RUSTC_BOOTSTRAP="${RUSTC_BOOTSTRAP:-1}"
# Build once, then run the binaries: editing berry while the fuzzers run rebuilds nothing.
if [ -z "${BERRY_FUZZ_NO_BUILD:-}" ]; then
    nice -n 10 cargo fuzz build
fi
triple="$(rustc -vV | sed -n 's/^host: //p')"
bin="target/$triple/release"
status=0
for t in "${targets[@]}"; do
    mkdir -p "corpus/$t" "artifacts/$t"
    cp -n seeds/"$t"/* "corpus/$t/" 2>/dev/null || true
    echo "== $t: ${secs}s" >&2
    start=$(date +%s)
    if ! nice -n 10 "$bin/$t" "corpus/$t" \
        -max_total_time="$secs" -rss_limit_mb=2048 -max_len=65536 -timeout=10 \
        -artifact_prefix="artifacts/$t/" -print_final_stats=1; then
        echo "!! $t: a finding is in fuzz/artifacts/$t/" >&2
        status=1
    fi
    echo "== $t: ran $(( $(date +%s) - start ))s, corpus $(ls "corpus/$t" | wc -l) inputs" >&2
done
exit $status
