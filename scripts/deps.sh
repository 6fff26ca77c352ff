#!/usr/bin/env bash
# Installs the Debian packages Switchboard needs, only those that are missing.
#   scripts/deps.sh          build + run
#   scripts/deps.sh test     + what the test suites need
#   scripts/deps.sh bench    + the load generator
# Non-interactive; needs root (or sudo) only when something is missing.
set -euo pipefail

build=(make gcc g++ pkg-config libmicrohttpd-dev libjansson-dev libsqlite3-dev libssl-dev
       libcurl4-openssl-dev libargon2-dev libyaml-dev libphonenumber-dev libicu-dev tzdata
       libcairo2-dev libpango1.0-dev libqrencode-dev fonts-dejavu-core)
test_pkgs=(libcmocka-dev nodejs npm poppler-utils sqlite3)
bench_pkgs=(wrk curl)

want=("${build[@]}")
case "${1:-run}" in
  run) ;;
  test) want+=("${test_pkgs[@]}") ;;
  bench) want+=("${test_pkgs[@]}" "${bench_pkgs[@]}") ;;
  *) echo "usage: $0 [run|test|bench]" >&2; exit 2 ;;
esac

missing=()
for p in "${want[@]}"; do
  # nodejs/npm may come from elsewhere than Debian (e.g. nodesource): accept the commands.
  if [[ $p == nodejs ]] && command -v node >/dev/null; then continue; fi
  if [[ $p == npm ]] && command -v npm >/dev/null; then continue; fi
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "installing: ${missing[*]}" >&2
sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
