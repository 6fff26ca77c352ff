#!/usr/bin/env bash
# Calls list benchmark (issue 3): seeds N calls (default 1,000,000; cached in
# build/bench-data-<N>-<seed>), starts the server with the access log off, and
# runs wrk against (a) the default first page, (b) disposition + date range +
# tag, (c) a search, (d) triageMode, (e) a call detail, then (f) 1,000
# connections on the list. Prints wrk's summary and the server's peak RSS.
# wrk shares the machine's two cores with the server.
#
# Knobs: LIST_N (1000000), LIST_SEED (42), LIST_PORT (18600), LIST_SECONDS (10), SWITCHBOARD_BIN.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
N=${LIST_N:-1000000}
SEED=${LIST_SEED:-42}
PORT=${LIST_PORT:-18600}
SECS=${LIST_SECONDS:-10}
BIN=${SWITCHBOARD_BIN:-$ROOT/build/release/switchboard}
DATA=$ROOT/build/bench-data-$N-$SEED
[[ -n ${SWITCHBOARD_BIN:-} ]] || make -C "$ROOT" -s all
command -v wrk >/dev/null || "$ROOT/scripts/deps.sh" bench
if [[ ! -f $DATA/.seeded ]]; then
	rm -rf "$DATA"
	echo "seeding $N calls into $DATA"
	/usr/bin/time -f "seed: %e s, %M KB max RSS" "$BIN" seed --calls "$N" --workspace demo --seed "$SEED" --data "$DATA" >/dev/null
	touch "$DATA/.seeded"
fi
SWITCHBOARD_ACCESS_LOG=false SWITCHBOARD_CONN_LIMIT=4096 "$BIN" serve --data "$DATA" --port "$PORT" 2>"$DATA/server.log" &
SPID=$!
trap 'kill -TERM $SPID 2>/dev/null; wait $SPID 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
TOKEN=$("$BIN" token create --workspace demo --role dispatcher --data "$DATA")
H="Authorization: Bearer $TOKEN"
ID=$(curl -s -H "$H" "http://127.0.0.1:$PORT/api/calls?limit=1" | sed 's/.*"data":\[{"id":"\([^"]*\)".*/\1/')
run() {
	local name=$1 conns=$2 path=$3
	echo "== ($name) c=$conns $path"
	wrk -t2 -c"$conns" -d"${SECS}s" --latency -H "$H" "http://127.0.0.1:$PORT$path" |
		grep -E "Requests/sec|Non-2xx|Socket errors|^ +(50|90|99)%"
}
ulimit -n 4096 2>/dev/null || true
run a 64 "/api/calls?limit=50"
run b 64 "/api/calls?limit=50&disposition=missed&from=2026-10-01T00:00:00Z&to=2026-11-20T00:00:00Z&tag=leak"
run c 64 "/api/calls?limit=50&search=water%20heater"
run d 64 "/api/calls?limit=50&triageMode=true"
run e 64 "/api/calls/$ID"
run f 1000 "/api/calls?limit=50"
grep -E "VmHWM|VmRSS" "/proc/$SPID/status"
