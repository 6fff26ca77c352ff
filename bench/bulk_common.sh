# Shared by bench/bulk_bench.sh and bench/export_bench.sh: a server on a data
# dir, a token, JSON field reads, job polling and the server's peak RSS.
# Sourced; expects ROOT, BIN, PORT, WORK set.

bb_start() { # data_dir [env...]
	local data=$1
	shift
	env SWITCHBOARD_DATA="$data" SWITCHBOARD_ACCESS_LOG=false SWITCHBOARD_LOG_LEVEL=warn "$@" \
		"$BIN" serve --port "$PORT" --bind 127.0.0.1 2>"$WORK/server.log" &
	SPID=$!
	BASE=http://127.0.0.1:$PORT
	for _ in $(seq 1 200); do
		curl -fsS "$BASE/healthz" >/dev/null 2>&1 && return 0
		kill -0 "$SPID" 2>/dev/null || { cat "$WORK/server.log"; exit 1; }
		sleep 0.05
	done
	echo "server did not start"; exit 1
}

# BENCH_PERF=file: record the server with `perf record -g` from start to stop (perf report -i file).
bb_perf_start() {
	[[ -n ${BENCH_PERF:-} ]] || return 0
	perf record -q --call-graph "${BENCH_PERF_CG:-dwarf,16384}" -F 1000 -p "$SPID" -o "$BENCH_PERF" >/dev/null 2>&1 &
	PERFPID=$!
	sleep 0.3
}
bb_perf_stop() {
	[[ -n ${PERFPID:-} ]] || return 0
	kill -INT "$PERFPID" 2>/dev/null || true
	wait "$PERFPID" 2>/dev/null || true
	PERFPID=
}

bb_stop() {
	bb_perf_stop
	if [[ -n ${SPID:-} ]] && kill -0 "$SPID" 2>/dev/null; then
		kill "$SPID"
		wait "$SPID" 2>/dev/null || true
	fi
	SPID=
}

bb_json() { # field < json
	node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const v=JSON.parse(s)[process.argv[1]];console.log(v===undefined?"":v)})' "$1"
}

bb_post() { # token path body
	curl -fsS -H "Authorization: Bearer $1" -H 'Content-Type: application/json' -d "$3" "$BASE$2"
}

bb_wait() { # token path -> prints the final JSON (status not pending/running/processing)
	local out st
	while :; do
		out=$(curl -fsS -H "Authorization: Bearer $1" "$BASE$2")
		st=$(grep -o '"status":"[a-z]*"' <<<"$out" | head -1 | cut -d'"' -f4) # no node per poll: it would steal the CPU
		[[ $st == pending || $st == running || $st == processing ]] || break
		sleep 0.01
	done
	echo "$out"
}

# CPU ticks (user + system) of the server's bulk worker threads (named sb-bulk).
bb_worker_ticks() { cat /proc/"$SPID"/task/*/stat 2>/dev/null | awk '$2 == "(sb-bulk)" {t += $14 + $15} END {print t + 0}'; }
bb_rss_kb() { awk '/^VmHWM/ {print $2}' "/proc/$SPID/status"; }
bb_now() { date +%s.%N; }
bb_ms() { awk "BEGIN {printf \"%.0f\", ($2 - $1) * 1000}"; }

# Peak anonymous memory (heap, stacks: what the process itself allocates) while a job
# runs, sampled every 20 ms: VmHWM also counts the database file's pages mapped by
# SQLite (mmap_size, shared with the page cache), which grow with what is read.
bb_sample_start() {
	( peak=0
	  while kill -0 "$SPID" 2>/dev/null; do
		v=$(awk '/^RssAnon/ {print $2}' "/proc/$SPID/status" 2>/dev/null || echo 0)
		(( v > peak )) && peak=$v && echo "$peak" >"$WORK/anon-peak"
		sleep 0.02
	  done ) &
	SAMPLER=$!
}
bb_sample_stop() { kill "$SAMPLER" 2>/dev/null; wait "$SAMPLER" 2>/dev/null || true; cat "$WORK/anon-peak"; rm -f "$WORK/anon-peak"; }
