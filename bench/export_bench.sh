#!/usr/bin/env bash
# Exports (issue 7):
#   1. CSV of EXPORT_CALLS calls (1,000,000; seeded once and cached under
#      build/bench-data/) with the default columns, all calls (filters
#      {spam: true}); rows/s from the job's own time (createdAt ->
#      finishedAt). Flat memory: the server's peak RSS (VmHWM) is read before
#      any export, after a CSV of about a tenth of the rows (a date range), and
#      after the full export: it must not grow with the row count.
#   2. A PDF report of exactly PDF_ROWS (10,000) rows: the newest 10,000 calls by id
#      (from the CSV just downloaded) through POST /api/calls/bulk operation export:
#      time, size, pages.
#   bench/export_bench.sh    knobs: SWITCHBOARD_BIN, EXPORT_CALLS, BENCH_PORT, BENCH_FRESH=1, PDF_ROWS,
#                            BENCH_PERF=file (perf record of the server, see bulk_common.sh)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${SWITCHBOARD_BIN:-$ROOT/build/release/switchboard}
[[ -n ${SWITCHBOARD_BIN:-} ]] || make -C "$ROOT" --no-print-directory all >/dev/null
N=${EXPORT_CALLS:-1000000}
PORT=${BENCH_PORT:-18620}
WORK=$(mktemp -d /tmp/sb_export_bench.XXXXXX)
SPID=
. "$ROOT/bench/bulk_common.sh"
trap 'bb_stop; rm -rf "$WORK"' EXIT

echo "== host: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"
KEY=$(cat "$ROOT"/src/domain/seed*.c "$ROOT"/src/store/seed.c "$ROOT"/src/store/migrations/*.sql | sha1sum | cut -c1-12)
DATA=$ROOT/build/bench-data/export-$N-$KEY
if [[ ${BENCH_FRESH:-0} == 1 || ! -f $DATA/complete ]]; then
	rm -rf "$DATA"
	mkdir -p "$DATA"
	echo "== seeding $N calls into $DATA"
	t0=$(bb_now)
	SWITCHBOARD_DATA=$DATA SWITCHBOARD_LOG_LEVEL=warn "$BIN" seed --calls "$N" --workspace demo --seed 1 >/dev/null
	echo "seeded in $(bb_ms "$t0" "$(bb_now)") ms"
	touch "$DATA/complete"
else
	echo "== cached data: $DATA"
fi
rm -rf "$DATA/blobs"
TOKEN=$(SWITCHBOARD_DATA=$DATA SWITCHBOARD_LOG_LEVEL=warn "$BIN" token create --workspace demo --role owner --email "bench-$RANDOM@bench.test")
bb_start "$DATA" SWITCHBOARD_EXPORT_EMAIL_ROWS=1000000000
bb_perf_start
curl -fsS -H "Authorization: Bearer $TOKEN" "$BASE/api/calls?limit=50" >/dev/null
echo "RESULT peak RSS after start and one list page: $(bb_rss_kb) kB, anonymous $(awk '/^RssAnon/ {print $2}' /proc/$SPID/status) kB"

export_one() { # label body
	local t0 job id final ms rows bytes
	bb_sample_start
	t0=$(bb_now)
	job=$(bb_post "$TOKEN" /api/calls/export "$2")
	id=$(bb_json jobId <<<"$job")
	final=$(bb_wait "$TOKEN" "/api/exports/$id")
	[[ $(bb_json status <<<"$final") == ready ]] || { echo "export failed: $final"; tail "$WORK/server.log"; exit 1; }
	ms=$(node -e 'const j=JSON.parse(process.argv[1]);console.log(Date.parse(j.finishedAt)-Date.parse(j.createdAt))' \
		"$(curl -fsS -H "Authorization: Bearer $TOKEN" "$BASE/api/bulk-jobs/$id")")
	local anon
	anon=$(bb_sample_stop)
	rows=$(bb_json rows <<<"$final")
	bytes=$(bb_json bytes <<<"$final")
	echo "RESULT $1: $rows rows, $bytes bytes, job $ms ms (wall $(bb_ms "$t0" "$(bb_now)") ms)," \
		"$(awk "BEGIN {printf \"%.0f\", $rows / ($ms / 1000)}") rows/s, peak RSS (VmHWM) $(bb_rss_kb) kB," \
		"peak anonymous RSS during the job $anon kB"
	LAST_URL=$(bb_json downloadUrl <<<"$final")
}

# About a tenth of the rows: the newest calls by date (the seed spreads calls over time).
NEWEST=$(curl -fsS -H "Authorization: Bearer $TOKEN" "$BASE/api/calls?limit=1&spam=true" | node -e \
	'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).data[0].startedAt))')
OLDEST=$(curl -fsS -H "Authorization: Bearer $TOKEN" "$BASE/api/calls?limit=1&spam=true&order=asc" | node -e \
	'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).data[0].startedAt))')
TENTH=$(node -e 'const a=Date.parse(process.argv[1]),b=Date.parse(process.argv[2]);console.log(new Date(b-(b-a)/10).toISOString())' "$OLDEST" "$NEWEST")
export_one "CSV, newest tenth (from $TENTH)" "{\"format\":\"csv\",\"filters\":{\"spam\":true,\"from\":\"$TENTH\"}}"
export_one "CSV, all $N calls" '{"format":"csv","filters":{"spam":true}}'
# Again: what the first full export left (SQLite's page cache, bounded by cache_size) is
# the ceiling; a second million rows must not raise it.
export_one "CSV, all $N calls again" '{"format":"csv","filters":{"spam":true}}'
curl -fsS -o "$WORK/all.csv" "$BASE$LAST_URL"
echo "RESULT download: $(wc -l <"$WORK/all.csv") lines (with the header), $(stat -c %s "$WORK/all.csv") bytes"

# Exactly 10,000 rows for the PDF: the newest 10,000 calls (the export's first column), as a
# bulk export of those ids (POST /api/calls/bulk, operation export: the same report).
PDF_ROWS=${PDF_ROWS:-10000}
sed -n "2,$((PDF_ROWS + 1))p" "$WORK/all.csv" | cut -d, -f1 | node -e '
let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const ids=s.split(/\r?\n/).filter(Boolean);
console.log(JSON.stringify({callIds:ids,operation:"export",data:{format:"pdf"}}))})' >"$WORK/pdf.json"
rm -f "$WORK/all.csv"
export_one_bulk() { # label body-file: as export_one, through the bulk endpoint
	local t0 job id final ms anon
	bb_sample_start
	t0=$(bb_now)
	job=$(curl -fsS -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' --data-binary @"$2" "$BASE/api/calls/bulk")
	id=$(bb_json jobId <<<"$job")
	final=$(bb_wait "$TOKEN" "/api/exports/$id")
	[[ $(bb_json status <<<"$final") == ready ]] || { echo "export failed: $final"; tail "$WORK/server.log"; exit 1; }
	ms=$(node -e 'const j=JSON.parse(process.argv[1]);console.log(Date.parse(j.finishedAt)-Date.parse(j.createdAt))' \
		"$(curl -fsS -H "Authorization: Bearer $TOKEN" "$BASE/api/bulk-jobs/$id")")
	anon=$(bb_sample_stop)
	echo "RESULT $1: $(bb_json rows <<<"$final") rows, $(bb_json bytes <<<"$final") bytes, job $ms ms" \
		"(wall $(bb_ms "$t0" "$(bb_now)") ms), peak anonymous RSS during the job $anon kB"
	LAST_URL=$(bb_json downloadUrl <<<"$final")
}
export_one_bulk "PDF report of the newest $PDF_ROWS calls" "$WORK/pdf.json"
curl -fsS -o "$WORK/report.pdf" "$BASE$LAST_URL"
command -v pdfinfo >/dev/null && echo "RESULT PDF: $(pdfinfo "$WORK/report.pdf" | sed -n 's/^Pages: *//p') pages"
