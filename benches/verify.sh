#!/usr/bin/env bash
# berry verify against psql -c on the same query, side by side in one run.
#
# Builds a database `berry_bench_verify` with the real nats_deliverable_cache table holding
# 200,000 rows over 30,000 REQs (six agents each, plus re-deliveries so "latest per agent" has work
# to do; deliverables about 1 KB of JSON), then times, with hyperfine:
#   - berry verify REQ --json   (release build; connect, query, verdict, context write)
#   - psql -Atc '<the same SELECT DISTINCT ON query>'
# Usage: benches/verify.sh [RUNS]   (PostgreSQL superuser URL from BERRY_TEST_PG)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-30}
ADMIN=${BERRY_TEST_PG:-postgres://postgres@127.0.0.1:5432/postgres}
DB=berry_bench_verify
URL="${ADMIN%/*}/$DB"
command -v hyperfine >/dev/null || { echo "hyperfine is needed: apt-get install hyperfine" >&2; exit 1; }
cargo build --release --quiet
BERRY=$PWD/target/release/berry

if [ "$(psql "$URL" -Atc 'select count(*) from nats_deliverable_cache' 2>/dev/null || echo 0)" != 200000 ]; then
  echo "building $DB (200,000 rows over 30,000 REQs)…" >&2
  psql "$ADMIN" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
  psql "$URL" -q <<'SQL'
CREATE EXTENSION IF NOT EXISTS "uuid-ossp";
CREATE TABLE nats_deliverable_cache (
    id UUID PRIMARY KEY DEFAULT uuid_generate_v4(),
    req_number VARCHAR(50) NOT NULL,
    agent VARCHAR(50) NOT NULL,
    stage INTEGER NOT NULL,
    deliverable JSONB NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (req_number, agent, stage)
);
CREATE INDEX idx_deliverable_req ON nats_deliverable_cache(req_number);
CREATE INDEX idx_deliverable_agent ON nats_deliverable_cache(agent);
-- 30,000 REQs x 6 agents = 180,000 rows
INSERT INTO nats_deliverable_cache (req_number, agent, stage, deliverable, created_at)
SELECT 'REQ-STRATEGIC-AUTO-' || (1767000000000 + r), a.agent, a.stage,
       jsonb_build_object('agent', a.agent, 'req_number', 'REQ-STRATEGIC-AUTO-' || (1767000000000 + r),
                          'status', 'COMPLETE', 'testResult', 'PASSED', 'testsFailed', 0,
                          'readyForDeployment', true,
                          'summary', repeat('Implemented the feature with tenant isolation and RLS. ', 16)),
       now() - make_interval(secs => r * 10 + a.stage)
FROM generate_series(1, 30000) r,
     (VALUES ('cynthia', 0), ('sylvia', 1), ('roy', 2), ('jen', 3), ('billy', 4), ('priya', 5)) a(agent, stage);
-- 20,000 re-deliveries under the other writer's stage numbering (stage_numbering.tsv)
INSERT INTO nats_deliverable_cache (req_number, agent, stage, deliverable, created_at)
SELECT 'REQ-STRATEGIC-AUTO-' || (1767000000000 + r), 'billy', 8,
       jsonb_build_object('agent', 'billy', 'status', 'COMPLETE', 'testResult', 'PASSED',
                          'summary', repeat('Re-run of QA after fixes. ', 30)),
       now() - make_interval(secs => r)
FROM generate_series(1, 20000) r;
ANALYZE nats_deliverable_cache;
SQL
fi
REQ=REQ-STRATEGIC-AUTO-1767000015000
QUERY="SELECT DISTINCT ON (agent) id::text, agent, stage, deliverable, created_at FROM nats_deliverable_cache WHERE req_number = '$REQ' ORDER BY agent, created_at DESC NULLS LAST, id::text DESC"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
git init -q "$WORK/repo"
echo "rows: $(psql "$URL" -Atc 'select count(*) from nats_deliverable_cache'), REQs: $(psql "$URL" -Atc 'select count(distinct req_number) from nats_deliverable_cache')" >&2
hyperfine --warmup 3 --runs "$RUNS" --shell=none --export-json "$WORK/result.json" \
  -n "berry verify" "env -C $WORK/repo BERRY_DATABASE_URL=$URL NO_COLOR=1 $BERRY verify $REQ --json" \
  -n "psql -c" "psql $URL -Atc \"$QUERY\""
python3 - "$WORK/result.json" <<'PY'
import json, sys, statistics
r = {x["command"]: statistics.median(x["times"]) for x in json.load(open(sys.argv[1]))["results"]}
b, p = r["berry verify"], r["psql -c"]
print(f"median: berry verify {b*1000:.1f} ms, psql -c {p*1000:.1f} ms, ratio {b/p:.2f}x")
PY
