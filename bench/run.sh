#!/usr/bin/env bash
# make bench: the calls benchmark (issue 3), then the other suites in turn
# (bench/webhook_bench.sh, bench/ws_bench.sh; each prints its own summary).
#   bench/run.sh                 all suites
#   bench/run.sh calls           only the calls benchmark (likewise webhook, ws)
#
# The calls benchmark seeds 1,000,000 calls, serves them, and loads the API with wrk:
#   a  list        GET /api/calls?limit=50                       (the table's first page)
#   b  filtered    disposition + 30-day date range + tag, limit=50
#   c  search      a contact-name text search, limit=50
#   d  triage      triageMode=true&limit=50
#   e  detail      GET /api/calls/:id, rotating over 200 ids
#   f  1k conns    the list (a) at 1,000 concurrent connections
# each `wrk -t2 -c64 -d15s --latency` (f: -c1000) against `switchboard serve`
# with the access log off, BENCH_RUNS times (medians reported), then prints a
# table (requests/s, p50, p90, p99, max, errors) and the server's peak RSS
# (VmHWM from /proc/PID/status). wrk runs on the same two cores as the server.
#
# The seeded data dir is cached under build/bench-data/, keyed by N, the seed
# and a hash of the generator and migration sources, so later runs skip the
# seed (the first run prints the seed's time and the database size).
#
# Knobs: SWITCHBOARD_BIN (skip make), BENCH_CALLS (1000000), BENCH_SEED (1),
#   BENCH_PORT (18500), BENCH_SECONDS (15), BENCH_RUNS (3), BENCH_CONNS (64),
#   BENCH_BIG_CONNS (1000), BENCH_THREADS (server threads, 0 = one per core),
#   BENCH_ONLY (e.g. "a d": run only these scenarios), BENCH_FRESH=1 (re-seed),
#   WARMUP (seconds of uncounted load on (a) first, 5).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SUITES=${*:-calls webhook ws}

calls_bench() {
	local N=${BENCH_CALLS:-1000000} SEED=${BENCH_SEED:-1} PORT=${BENCH_PORT:-18500}
	local SECS=${BENCH_SECONDS:-15} RUNS=${BENCH_RUNS:-3} CONNS=${BENCH_CONNS:-64}
	local BIG=${BENCH_BIG_CONNS:-1000} THREADS=${BENCH_THREADS:-0} ONLY=${BENCH_ONLY:-a b c d e f}
	WORK=$(mktemp -d /tmp/sb_bench.XXXXXX)
	SPID=
	trap calls_cleanup EXIT

	"$ROOT/scripts/deps.sh" bench
	if [[ -z ${SWITCHBOARD_BIN:-} ]]; then
		make -C "$ROOT" --no-print-directory all >/dev/null
		BIN=$ROOT/build/release/switchboard
	else
		BIN=$SWITCHBOARD_BIN
	fi

	echo "== host"
	echo "cpu: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores;" \
		"RAM $(free -g | awk '/^Mem:/ {print $2}') GiB; load average $(cut -d' ' -f1-3 /proc/loadavg)"

	# ---- data: cached per (N, seed, generator + schema sources)
	local KEY DATA NOW start end
	KEY=$(cat "$ROOT"/src/domain/seed*.c "$ROOT"/src/domain/seed*.h "$ROOT"/src/store/seed.c \
		"$ROOT"/src/store/migrations/*.sql | sha1sum | cut -c1-12)
	DATA=$ROOT/build/bench-data/calls-$N-seed$SEED-$KEY
	if [[ ${BENCH_FRESH:-0} == 1 || ! -f $DATA/complete ]]; then
		rm -rf "$DATA"
		mkdir -p "$DATA"
		NOW=$(date -u +%Y-%m-%dT00:00:00Z)
		echo "== seeding $N calls (seed $SEED, now $NOW) into $DATA"
		start=$(date +%s.%N)
		SWITCHBOARD_DATA=$DATA SWITCHBOARD_LOG_LEVEL=warn \
			"$BIN" seed --calls "$N" --seed "$SEED" --now "$NOW" >"$DATA/seed-summary.txt"
		end=$(date +%s.%N)
		echo "$NOW" >"$DATA/now"
		echo "wall seconds: $(awk "BEGIN {printf \"%.1f\", $end - $start}"); load average after:" \
			"$(cut -d' ' -f1-3 /proc/loadavg)" >>"$DATA/seed-summary.txt"
		touch "$DATA/complete"
	else
		echo "== cached data: $DATA"
	fi
	NOW=$(cat "$DATA/now")
	cat "$DATA/seed-summary.txt"
	echo "database: $(du -b "$DATA/switchboard.db" | cut -f1) bytes ($(du -h "$DATA/switchboard.db" | cut -f1))"

	# ---- server
	ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
	echo "== serve (port $PORT, open files $(ulimit -n))"
	SWITCHBOARD_DATA=$DATA SWITCHBOARD_ACCESS_LOG=false SWITCHBOARD_LOG_LEVEL=warn SWITCHBOARD_CONN_LIMIT=8192 \
		"$BIN" serve --port "$PORT" --bind 127.0.0.1 --threads "$THREADS" 2>"$WORK/server.log" &
	SPID=$!
	local BASE=http://127.0.0.1:$PORT
	for _ in $(seq 1 100); do
		curl -fsS "$BASE/healthz" >/dev/null 2>&1 && break
		kill -0 "$SPID" 2>/dev/null || { cat "$WORK/server.log"; exit 1; }
		sleep 0.1
	done
	export BENCH_TOKEN
	BENCH_TOKEN=$(SWITCHBOARD_DATA=$DATA SWITCHBOARD_LOG_LEVEL=warn "$BIN" token create --workspace demo --role dispatcher)

	local FROM
	FROM=$(date -u -d "$NOW - 30 days" +%Y-%m-%dT%H:%M:%SZ)
	declare -A NAME PATH_OF
	NAME[a]="list, limit=50";              PATH_OF[a]="/api/calls?limit=50"
	NAME[b]="disposition + 30 days + tag"; PATH_OF[b]="/api/calls?limit=50&disposition=booked&from=$FROM&to=$NOW&tag=water-heater"
	NAME[c]="search (contact name)";       PATH_OF[c]="/api/calls?limit=50&search=kowalski"
	NAME[d]="triageMode=true";             PATH_OF[d]="/api/calls?triageMode=true&limit=50"
	NAME[e]="call detail (200 ids)";       PATH_OF[e]="/api/calls/:id"
	NAME[f]="list at $BIG connections";    PATH_OF[f]="/api/calls?limit=50"

	# Ids for the detail scenario: the first 200 of the default list.
	local page cursor
	for page in 1 2; do
		curl -fsS -H "Authorization: Bearer $BENCH_TOKEN" "$BASE/api/calls?limit=100${cursor:+&cursor=$cursor}" \
			>"$WORK/p$page.json"
		node -e 'const p = JSON.parse(require("fs").readFileSync(process.argv[1]));
			console.log(p.data.map((c) => c.id).join("\n"));' "$WORK/p$page.json" >>"$WORK/ids.txt"
		cursor=$(node -e 'const p = JSON.parse(require("fs").readFileSync(process.argv[1]));
			console.log(encodeURIComponent(p.nextCursor || ""));' "$WORK/p$page.json")
		[[ -n $cursor ]] || break
	done

	echo "== requests (one response each: status, size, time, path)"
	local s p
	for s in $ONLY; do
		p=${PATH_OF[$s]}
		[[ $s == e ]] && p="/api/calls/$(head -1 "$WORK/ids.txt")"
		curl -sS -o /dev/null -w "$s  %{http_code}  %{size_download} B  %{time_total}s  $p\n" \
			-H "Authorization: Bearer $BENCH_TOKEN" "$BASE$p"
	done

	# A server starting on data seeded hours ago first catches up on the SLA
	# notices that fell due meanwhile (a burst of writes, each invalidating the
	# response caches): measure after it, not during.
	echo "== warm-up (not counted): wrk -t2 -c$CONNS -d${WARMUP:-5}s '${PATH_OF[a]}'"
	wrk -t2 -c"$CONNS" -d"${WARMUP:-5}s" --timeout 10s -s "$ROOT/bench/calls.lua" "$BASE${PATH_OF[a]}" 2>&1 | grep -E "^RESULT" || true

	echo "== wrk, $RUNS run(s) of ${SECS}s per scenario"
	local conns ids url r
	for s in $ONLY; do
		conns=$CONNS
		[[ $s == f ]] && conns=$BIG
		ids=
		url=$BASE${PATH_OF[$s]}
		[[ $s == e ]] && ids=$WORK/ids.txt && url=$BASE/api/calls
		for r in $(seq 1 "$RUNS"); do
			echo "-- $s run $r: wrk -t2 -c$conns -d${SECS}s --latency --timeout 10s -s bench/calls.lua '${PATH_OF[$s]}'"
			BENCH_IDS=$ids wrk -t2 -c"$conns" -d"${SECS}s" --latency --timeout 10s -s "$ROOT/bench/calls.lua" "$url" \
				>"$WORK/wrk-$s-$r.txt" 2>&1 || true
			grep -E "^RESULT" "$WORK/wrk-$s-$r.txt" || tail -5 "$WORK/wrk-$s-$r.txt"
			if ! kill -0 "$SPID" 2>/dev/null; then
				echo "!! the server exited; its log:"
				tail -20 "$WORK/server.log"
				exit 1
			fi
			sleep 2 # let requests still running in the server (timed out in wrk) finish
		done
	done

	local RSS HWM
	RSS=$(awk '/^VmRSS/ {print $2}' "/proc/$SPID/status")
	HWM=$(awk '/^VmHWM/ {print $2}' "/proc/$SPID/status")
	echo
	echo "== calls: medians of $RUNS run(s), $SECS s each; server VmHWM $((HWM / 1024)) MB, VmRSS $((RSS / 1024)) MB"
	echo "| scenario | conns | requests/s | p50 ms | p90 ms | p99 ms | max ms | errors | non-2xx |"
	echo "|---|---|---|---|---|---|---|---|---|"
	local res row f
	for s in $ONLY; do
		conns=$CONNS
		[[ $s == f ]] && conns=$BIG
		res=$(cat "$WORK"/wrk-"$s"-*.txt | grep '^RESULT' || true)
		if [[ -z $res ]]; then
			echo "| $s ${NAME[$s]} | $conns | no result | | | | | | |"
			continue
		fi
		row="| $s ${NAME[$s]} | $conns"
		for f in rps p50_ms p90_ms p99_ms max_ms errors non2xx; do
			row="$row | $(echo "$res" | field "$f" | median)"
		done
		echo "$row |"
	done
	echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
	calls_cleanup
	trap - EXIT
}

calls_cleanup() {
	if [[ -n ${SPID:-} ]] && kill -0 "$SPID" 2>/dev/null; then
		kill -TERM "$SPID"
		wait "$SPID" 2>/dev/null || true
	fi
	SPID=
	[[ -n ${WORK:-} ]] && rm -rf "$WORK"
}

median() { sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }

for suite in $SUITES; do
	case $suite in
	calls) calls_bench ;;
	webhook) "$ROOT/bench/webhook_bench.sh" ;;
	ws) "$ROOT/bench/ws_bench.sh" ;;
	*) echo "usage: bench/run.sh [calls] [webhook] [ws]" >&2; exit 2 ;;
	esac
done
