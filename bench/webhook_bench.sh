#!/usr/bin/env bash
# Inbound telephony webhook benchmark (issue 5): signed Twilio form posts, each
# creating a call with its audit event and new_call realtime event in one
# transaction. Target: >= 3,000/s with p99 < 20 ms on the 2-core machine.
# wrk runs on the same machine and shares the two cores with the server.
#
# Steps: build, fresh data dir, one workspace with one tracking number, serve
# on loopback (access log off), pre-sign WEBHOOK_N requests with node (wrk's
# Lua has no HMAC), wrk with bench/webhook_inbound.lua, then count the calls made.
#
# Usage: bench/webhook_bench.sh
# Knobs: SWITCHBOARD_BIN, WEBHOOK_PORT (18490), WEBHOOK_N (150000), WEBHOOK_CONNS (32),
#   WEBHOOK_THREADS (wrk threads, 2), WEBHOOK_SECONDS (15), WEBHOOK_SERVER_THREADS (0 = per core),
#   WEBHOOK_PERF=FILE (perf record -g the server during the run into FILE),
#   WEBHOOK_RATE (offered requests/s, e.g. 3000: latency at that rate rather than at saturation).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PORT=${WEBHOOK_PORT:-18490}
N=${WEBHOOK_N:-150000}
CONNS=${WEBHOOK_CONNS:-32}
WT=${WEBHOOK_THREADS:-2}
SECS=${WEBHOOK_SECONDS:-15}
ST=${WEBHOOK_SERVER_THREADS:-0}
TOKEN=bench-auth-token
WORK=$(mktemp -d /tmp/webhook_bench.XXXXXX)
SPID=
cleanup() {
	if [[ -n $SPID ]] && kill -0 "$SPID" 2>/dev/null; then
		kill -TERM "$SPID"
		wait "$SPID" 2>/dev/null || true
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT

if [[ -z ${SWITCHBOARD_BIN:-} ]]; then
	make -C "$ROOT" --no-print-directory >/dev/null
	BIN=$ROOT/build/release/switchboard
else
	BIN=$SWITCHBOARD_BIN
fi
export SWITCHBOARD_DATA=$WORK/data SWITCHBOARD_LOG_LEVEL=warn
ADMIN=$("$BIN" token create --workspace bench --role admin)
"$BIN" number add --workspace bench --e164 +14155550100 --label bench >/dev/null

echo "== signing $N inbound webhooks"
node -e '
const { createHmac } = require("node:crypto");
const [url, token, n] = [process.argv[1], process.argv[2], Number(process.argv[3])];
const out = [];
const stamp = Date.now().toString(36);
for (let i = 0; i < n; i++) {
  const p = { AccountSid: "ACbench", ApiVersion: "2010-04-01", CallSid: `CA${stamp}${String(i).padStart(9, "0")}`,
    CallStatus: "ringing", Direction: "inbound", From: `+1212555${String(i % 10000).padStart(4, "0")}`, To: "+14155550100" };
  let data = url;
  for (const k of Object.keys(p).sort()) data += k + p[k];
  out.push(createHmac("sha1", token).update(data).digest("base64") + "\t" + new URLSearchParams(p).toString());
}
require("node:fs").writeFileSync(process.argv[4], out.join("\n") + "\n");
' "http://127.0.0.1:$PORT/api/webhooks/telephony" "$TOKEN" "$N" "$WORK/reqs.tsv"

SWITCHBOARD_TWILIO_AUTH_TOKEN=$TOKEN SWITCHBOARD_ACCESS_LOG=false \
	"$BIN" serve --port "$PORT" --bind 127.0.0.1 --threads "$ST" 2>"$WORK/server.log" &
SPID=$!
for _ in $(seq 1 100); do
	curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break
	sleep 0.1
done

echo "== host: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "== wrk -t$WT -c$CONNS -d${SECS}s${WEBHOOK_RATE:+, offered $WEBHOOK_RATE/s} (shares the cores with the server)"
cpu_ticks() { awk '{print $14 + $15}' "/proc/$SPID/stat"; }
wchar() { awk '/^wchar/ {print $2}' "/proc/$SPID/io"; }
# CPU ticks per thread name (sb-commit: the group-commit writer; switchboard: the HTTP threads).
thread_ticks() {
	for t in /proc/"$SPID"/task/*; do
		echo "$(cat "$t/comm") $(awk '{print $14 + $15}' "$t/stat")"
	done | awk '{s[$1] += $2} END {for (k in s) print k, s[k]}' | sort
}
TT0=$(thread_ticks)
T0=$(cpu_ticks)
W0=$(wchar)
PERFPID=
if [[ -n ${WEBHOOK_PERF:-} ]]; then
	perf record ${WEBHOOK_PERF_OPTS:--g} -o "$WEBHOOK_PERF" -p "$SPID" -- sleep "$SECS" >/dev/null 2>&1 &
	PERFPID=$!
fi
WEBHOOK_REQS=$WORK/reqs.tsv WEBHOOK_THREADS=$WT WEBHOOK_RATE=${WEBHOOK_RATE:-} \
	wrk -t"$WT" -c"$CONNS" -d"${SECS}s" --latency -s "$ROOT/bench/webhook_inbound.lua" "http://127.0.0.1:$PORT" |
	tee "$WORK/wrk.out"
[[ -n $PERFPID ]] && wait "$PERFPID"
T1=$(cpu_ticks)
TT1=$(thread_ticks)
W1=$(wchar)
REQS=$(sed -n 's/^RESULT requests=\([0-9]*\).*/\1/p' "$WORK/wrk.out")
echo "== server CPU: $(( (T1 - T0) * 1000 / $(getconf CLK_TCK) )) ms for $REQS requests" \
	"($(awk "BEGIN {printf \"%.0f\", ($T1 - $T0) * 1e6 / $(getconf CLK_TCK) / ($REQS ? $REQS : 1)}") µs each);" \
	"load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== server wrote $(( (W1 - W0) / 1024 / 1024 )) MiB, $(( (W1 - W0) / (REQS ? REQS : 1) )) bytes per request" \
	"(WAL, checkpoints, responses); WAL now $(( $(stat -c %s "$SWITCHBOARD_DATA/switchboard.db-wal" 2>/dev/null || echo 0) / 1024 / 1024 )) MiB"
echo "== server CPU by thread (ms):" $(join <(echo "$TT0") <(echo "$TT1") |
	awk -v hz="$(getconf CLK_TCK)" '{printf "%s %d; ", $1, ($3 - $2) * 1000 / hz}')
made=$(curl -fs "http://127.0.0.1:$PORT/api/calls?limit=1&includeTotal=true" -H "Authorization: Bearer $ADMIN" |
	node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);console.log(j.total ?? "?")})')
echo "== calls created: $made"
grep -E '"level":"(error|warn)"' "$WORK/server.log" | head -5 || true
