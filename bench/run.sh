#!/usr/bin/env bash
# make bench: every benchmark in turn (each prints its own summary; see docs/benchmarks.md).
set -euo pipefail
cd "$(dirname "$0")"
./list_bench.sh
./webhook_bench.sh
./ws_bench.sh
