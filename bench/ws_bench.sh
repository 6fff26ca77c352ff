#!/usr/bin/env bash
# WebSocket hub benchmark (issue 4, "Done when"): builds bench/ws_load.c, seeds a
# fresh data dir, starts `switchboard serve` on loopback with a high open-file
# limit, and runs three scenarios against /ws/calls:
#   1. idle     10,000 sockets held; server VmRSS must stay under 100 MB
#   2. fan-out  one event to all 10,000; last delivery within 100 ms of the
#               event's commit stamp "at" (median and worst of the rounds)
#   3. sustain  100 events/s to 1,000 sockets; p99 delivery latency under 50 ms
# Prints every RESULT line of the load client, a summary with pass/miss, the
# server's VmRSS/VmHWM from /proc/PID/status, and where the host's CPU went
# during each run (server, load client, other processes, hypervisor steal):
# client and server share the host's cores, so a busy neighbour shows up in the
# latencies. The server is stopped at the end.
#
# Usage: bench/ws_bench.sh            (from anywhere; builds with make first)
# Knobs (environment): SWITCHBOARD_BIN (skip make, use this binary),
#   WS_BENCH_PORT (18480), WS_BENCH_DIR (fresh mktemp dir), WS_IDLE_CONNS (10000),
#   WS_HOLD_S (10), WS_FANOUT_ROUNDS (10), WS_SUSTAIN_CONNS (1000),
#   WS_SUSTAIN_RATE (100), WS_SUSTAIN_S (30), WS_THREADS (0 = one per core).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PORT=${WS_BENCH_PORT:-18480}
IDLE_CONNS=${WS_IDLE_CONNS:-10000}
HOLD_S=${WS_HOLD_S:-10}
FANOUT_ROUNDS=${WS_FANOUT_ROUNDS:-10}
SUS_CONNS=${WS_SUSTAIN_CONNS:-1000}
SUS_RATE=${WS_SUSTAIN_RATE:-100}
SUS_S=${WS_SUSTAIN_S:-30}
THREADS=${WS_THREADS:-0}
WORK=${WS_BENCH_DIR:-$(mktemp -d /tmp/ws_bench.XXXXXX)}
mkdir -p "$WORK"
SPID=
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

say() { printf '== %s\n' "$*"; }

stop_server() {
	[[ -n $SPID ]] || return 0
	if kill -0 "$SPID" 2>/dev/null; then
		kill -TERM "$SPID" 2>/dev/null || true
		for _ in $(seq 1 150); do # up to 15 s for the graceful shutdown
			kill -0 "$SPID" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$SPID" 2>/dev/null; then
			echo "ws_bench: server $SPID ignored SIGTERM for 15 s; killing it" >&2
			kill -KILL "$SPID" 2>/dev/null || true
		fi
	fi
	wait "$SPID" 2>/dev/null || true
	SPID=
}
trap stop_server EXIT
trap 'stop_server; exit 130' INT TERM

# CPU accounting, so a run on a shared host can be judged: jiffies busy on the
# whole host (user+nice+system+irq+softirq), stolen by the hypervisor, and used by the server.
HZ=$(getconf CLK_TCK)
cpu_snap() {
	local host steal srv
	read -r host steal < <(awk '/^cpu / {print $2 + $3 + $4 + $7 + $8, $9}' /proc/stat)
	srv=$(awk '{print $14 + $15}' "/proc/$SPID/stat" 2>/dev/null || echo 0)
	echo "$(date +%s.%N) $host $steal $srv"
}
cpu_report() { # cpu_report "SNAP_BEFORE" "SNAP_AFTER" CLIENT_CPU_S → one line, cores on average
	awk -v a="$1" -v b="$2" -v cl="${3:-0}" -v hz="$HZ" -v n="$(nproc)" 'BEGIN {
		split(a, x, " "); split(b, y, " "); w = y[1] - x[1]
		host = (y[2] - x[2]) / hz / w; steal = (y[3] - x[3]) / hz / w; srv = (y[4] - x[4]) / hz / w
		c = cl / w; o = host - srv - c; if (o < 0) o = 0
		printf "cpu over %.0f s (cores of %d): server %.2f, load client %.2f, other processes %.2f, steal %.2f\n",
			w, n, srv, c, o, steal }'
}

mem() { # VmRSS and VmHWM of the server, in kB
	awk '/^VmRSS:/ {r=$2} /^VmHWM:/ {h=$2} END {print r+0, h+0}' "/proc/$SPID/status" 2>/dev/null || echo "0 0"
}

# Both processes hold one descriptor per socket: raise the limit as far as allowed.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
NOFILE=$(ulimit -n)
if ((NOFILE < IDLE_CONNS + 512)); then
	echo "ws_bench: open-file limit $NOFILE is too low for $IDLE_CONNS sockets (hard limit $(ulimit -Hn))" >&2
	exit 1
fi

if [[ -n ${SWITCHBOARD_BIN:-} ]]; then
	cp "$SWITCHBOARD_BIN" "$WORK/switchboard"
else
	say "make"
	make -s -C "$ROOT" all >/dev/null
	cp "$ROOT/build/release/switchboard" "$WORK/switchboard" # a snapshot: rebuilds don't swap it mid-run
fi
BIN=$WORK/switchboard
say "cc -O2 bench/ws_load.c"
cc -O2 -std=c17 -D_GNU_SOURCE -Wall -Wextra -o "$WORK/ws_load" "$ROOT/bench/ws_load.c" -lcrypto

say "seed ($WORK/data)"
"$BIN" migrate --data "$WORK/data" >/dev/null
"$BIN" seed --calls 1000 --workspace demo --seed 1 --data "$WORK/data" >"$WORK/seed.log" 2>&1
TOKEN=$("$BIN" token create --workspace demo --role owner --data "$WORK/data")

say "serve on 127.0.0.1:$PORT (ulimit -n $NOFILE)"
SWITCHBOARD_ACCESS_LOG=false SWITCHBOARD_LOG_LEVEL=warn \
	SWITCHBOARD_CONN_LIMIT=$((IDLE_CONNS * 2 + 1000)) \
	"$BIN" serve --data "$WORK/data" --bind 127.0.0.1 --port "$PORT" --threads "$THREADS" \
	>"$WORK/server.log" 2>&1 &
SPID=$!
for i in $(seq 1 100); do # up to 10 s
	curl -fsS -o /dev/null "http://127.0.0.1:$PORT/readyz" 2>/dev/null && break
	kill -0 "$SPID" 2>/dev/null || { cat "$WORK/server.log" >&2; exit 1; }
	((i < 100)) || { echo "ws_bench: server not ready after 10 s" >&2; exit 1; }
	sleep 0.1
done
read -r BASE_RSS BASE_HWM < <(mem)
echo "server pid $SPID: VmRSS ${BASE_RSS} kB, VmHWM ${BASE_HWM} kB before any socket"

LOAD=("$WORK/ws_load" --host 127.0.0.1 --port "$PORT" --token "$TOKEN" --server-pid "$SPID" --timeout 120)

say "scenarios 1+2: $IDLE_CONNS idle sockets for ${HOLD_S}s, then $FANOUT_ROUNDS fan-out rounds"
C0=$(cpu_snap)
"${LOAD[@]}" --conns "$IDLE_CONNS" --hold "$HOLD_S" --fanout "$FANOUT_ROUNDS" | tee "$WORK/idle_fanout.out" || true
CPU12=$(cpu_report "$C0" "$(cpu_snap)" "$(grep -ho 'client_cpu_s=[0-9.]*' "$WORK/idle_fanout.out" | cut -d= -f2)")
echo "$CPU12"
read -r MID_RSS MID_HWM < <(mem)
echo "server after scenario 2 (sockets closed): VmRSS ${MID_RSS} kB, VmHWM ${MID_HWM} kB"
sleep 2

say "scenario 3: $SUS_RATE events/s for ${SUS_S}s to $SUS_CONNS sockets"
C0=$(cpu_snap)
"${LOAD[@]}" --conns "$SUS_CONNS" --rate "$SUS_RATE" --duration "$SUS_S" | tee "$WORK/sustain.out" || true
CPU3=$(cpu_report "$C0" "$(cpu_snap)" "$(grep -ho 'client_cpu_s=[0-9.]*' "$WORK/sustain.out" | cut -d= -f2)")
echo "$CPU3"
read -r END_RSS END_HWM < <(mem)
stop_server

# ---- summary ----
val() { # val FILE KEY: the value of KEY=… in RESULT lines (the last one wins)
	grep -ho "\b$2=[^ ]*" "$1" 2>/dev/null | tail -1 | cut -d= -f2
}
verdict() { # verdict VALUE OP LIMIT
	awk -v v="$1" -v l="$3" -v op="$2" 'BEGIN {
		if (v == "") { print "n/a"; exit }
		ok = (op == "<") ? (v + 0 < l + 0) : (v + 0 <= l + 0)
		print ok ? "PASS" : "MISS" }'
}
F1=$WORK/idle_fanout.out
F3=$WORK/sustain.out
IDLE_OPEN=$(val "$F1" idle_open)
IDLE_RSS=$(val "$F1" idle_server_rss_kb)
IDLE_MB=$(awk -v k="${IDLE_RSS:-0}" 'BEGIN {printf "%.1f", k / 1024}')
FAN_WORST=$(val "$F1" fanout_worst_last_after_at_ms)
FAN_MED=$(val "$F1" fanout_median_last_after_at_ms)
FAN_RESP_WORST=$(val "$F1" fanout_worst_last_after_response_ms)
FAN_RESP_MED=$(val "$F1" fanout_median_last_after_response_ms)
FAN_SEND=$(val "$F1" fanout_worst_last_after_send_ms)
FAN_BAD=$(val "$F1" fanout_incomplete_rounds)
FAN_SCPU=$(val "$F1" fanout_median_server_cpu_ms)
FAN_CCPU=$(val "$F1" fanout_median_client_cpu_ms)
SUS_P99=$(val "$F3" sustain_from_at_p99_ms)
SUS_P99_SEND=$(val "$F3" sustain_from_send_p99_ms)
SUS_P50=$(val "$F3" sustain_from_at_p50_ms)
SUS_RATE_GOT=$(val "$F3" sustain_rate)
SUS_DELIV=$(val "$F3" sustain_delivered)
SUS_EXP=$(val "$F3" sustain_expected)

echo
say "summary"
echo "host: $(lscpu | sed -n 's/^Model name: *//p' | head -1), nproc $(nproc); client and server share these cores"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (at the start: $LOAD_START)"
printf '%-58s %-22s %s\n' "target" "measured" "verdict"
printf '%-58s %-22s %s\n' "1. ${IDLE_CONNS} idle sockets, server VmRSS < 100 MB" \
	"${IDLE_MB} MB (${IDLE_OPEN:-0} open)" "$(verdict "$IDLE_MB" '<' 100)"
printf '%-58s %-22s %s\n' "2. fan-out to all, last delivery <= 100 ms after commit 'at'" \
	"median ${FAN_MED:-?} ms" "$(verdict "$FAN_MED" '<=' 100) (median of ${FANOUT_ROUNDS} rounds)"
printf '%-58s %-22s %s\n' "" "worst ${FAN_WORST:-?} ms" "$(verdict "$FAN_WORST" '<=' 100) (worst round)"
printf '%-58s %-22s %s\n' "3. ${SUS_RATE}/s to ${SUS_CONNS}, p99 delivery < 50 ms (from commit 'at')" \
	"p99 ${SUS_P99:-?} ms, p50 ${SUS_P50:-?}" "$(verdict "$SUS_P99" '<' 50)"
echo "   fan-out from the PATCH response: median ${FAN_RESP_MED:-?} ms, worst ${FAN_RESP_WORST:-?} ms; from the PATCH send, worst ${FAN_SEND:-?} ms"
echo "   fan-out incomplete rounds: ${FAN_BAD:-?};" \
	"CPU per round (median): server ${FAN_SCPU:-?} ms, load client ${FAN_CCPU:-?} ms"
echo "   sustained: ${SUS_RATE_GOT:-?} events/s sent, ${SUS_DELIV:-?}/${SUS_EXP:-?} deliveries, p99 from PATCH send ${SUS_P99_SEND:-?} ms"
echo "   server VmRSS/VmHWM kB: start ${BASE_RSS}/${BASE_HWM}, after 1+2 ${MID_RSS}/${MID_HWM}, end ${END_RSS}/${END_HWM}"
echo "   scenarios 1+2 $CPU12"
echo "   scenario 3    $CPU3"
echo "   raw output: $WORK (server.log, idle_fanout.out, sustain.out)"
