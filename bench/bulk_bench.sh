#!/usr/bin/env bash
# Bulk tag of 10,000 calls (issue 7): seeds BULK_CALLS calls (10,000) into a
# fresh data dir, then BULK_RUNS times (3) tags every call through
# POST /api/calls/bulk with filters {spam: true} (so all of them) and polls
# GET /api/bulk-jobs/:id every 10 ms until completed. Reports per run the
# wall time from the POST to the completed answer, the job's own time
# (createdAt -> finishedAt), the server's CPU time over the run (user + system,
# all threads: less sensitive than wall time to other load on the box; and of the
# bulk worker threads alone, named sb-bulk: the job's own CPU), calls/s,
# and the server's peak RSS. Each call goes
# through the calls edit cycle: row update, tags, audit event, call_updated
# event, in chunked transactions of SWITCHBOARD_BULK_CHUNK (500).
#   bench/bulk_bench.sh      knobs: SWITCHBOARD_BIN, BULK_CALLS, BULK_RUNS, BENCH_PORT,
#                            BENCH_PERF=file (perf record --call-graph dwarf of the server over the runs)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${SWITCHBOARD_BIN:-$ROOT/build/release/switchboard}
[[ -n ${SWITCHBOARD_BIN:-} ]] || make -C "$ROOT" --no-print-directory all >/dev/null
N=${BULK_CALLS:-10000}
RUNS=${BULK_RUNS:-3}
PORT=${BENCH_PORT:-18610}
WORK=$(mktemp -d /tmp/sb_bulk_bench.XXXXXX)
SPID=
. "$ROOT/bench/bulk_common.sh"
trap 'bb_stop; rm -rf "$WORK"' EXIT

echo "== host: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== seeding $N calls"
SWITCHBOARD_DATA=$WORK SWITCHBOARD_LOG_LEVEL=warn "$BIN" seed --calls "$N" --workspace demo --seed 1 >/dev/null
TOKEN=$(SWITCHBOARD_DATA=$WORK SWITCHBOARD_LOG_LEVEL=warn "$BIN" token create --workspace demo --role dispatcher)
bb_start "$WORK" ${BULK_ENV:-}
bb_perf_start
for r in $(seq 1 "$RUNS"); do
	c0=$(awk '{print $14 + $15}' "/proc/$SPID/stat")
	w0=$(bb_worker_ticks)
	t0=$(bb_now)
	job=$(bb_post "$TOKEN" /api/calls/bulk "{\"filters\":{\"spam\":true},\"operation\":\"tag\",\"data\":{\"tags\":[\"bench-$r\"]}}")
	id=$(bb_json jobId <<<"$job")
	count=$(bb_json affectedCount <<<"$job")
	final=$(bb_wait "$TOKEN" "/api/bulk-jobs/$id")
	t1=$(bb_now)
	c1=$(awk '{print $14 + $15}' "/proc/$SPID/stat")
	w1=$(bb_worker_ticks)
	server_ms=$(node -e 'const j=JSON.parse(process.argv[1]);console.log(Date.parse(j.finishedAt)-Date.parse(j.createdAt))' "$final")
	wall=$(bb_ms "$t0" "$t1")
	echo "RESULT run $r: $count calls, status $(bb_json status <<<"$final"), processed $(bb_json processed <<<"$final")," \
		"wall ${wall} ms (POST to completed), job ${server_ms} ms, server CPU $(( (c1 - c0) * 1000 / $(getconf CLK_TCK) )) ms" \
		"(bulk worker threads $(( (w1 - w0) * 1000 / $(getconf CLK_TCK) )) ms)," \
		"$(awk "BEGIN {printf \"%.0f\", $count / ($server_ms / 1000)}") calls/s, peak RSS $(bb_rss_kb) kB"
done
