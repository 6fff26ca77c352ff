#!/usr/bin/env bash
# SMS drain benchmark (issue 6): 10,000 messages queued through
# POST /api/calls/:id/send-sms (scheduled to become due together) drain at the
# workspace's A2P rate (POST /api/settings/messaging, 50/s) to the local Twilio
# stand-in (tests/api/twilio_standin.mjs, the Messages resource), with the
# server killed with SIGKILL half-way and restarted on the same data. Counted
# at the stand-in: every message exactly once (no loss, no duplicate), the
# rate of each half (target 50/s +- 2%), the most messages in any 1 s window.
#
# Usage: bench/sms_drain.sh
# Knobs: SWITCHBOARD_BIN (skip make), SMS_N (10000), SMS_RATE (50),
#   SMS_PORT (18520), SMS_KILL_AT (N/2), SMS_VERBOSE=1 (server log on stderr).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
if [[ -z ${SWITCHBOARD_BIN:-} ]]; then
	make -C "$ROOT" -s -j2 >/dev/null
	SWITCHBOARD_BIN="$ROOT/switchboard"
fi
export SWITCHBOARD_BIN
cd "$ROOT/tests/api"
[[ -d node_modules ]] || npm ci --no-audit --no-fund --loglevel=error
exec node "$ROOT/bench/sms_drain.mjs"
