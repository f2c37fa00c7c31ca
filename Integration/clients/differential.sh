#!/usr/bin/env bash
# The differential test: the same seeded command sequences to `mantisdb serve` and to
# redis-server 7.0 (the reference Docs/resp-server.md is written against), replies compared
# exactly. Fails on any difference. Skips, saying so, when the reference is not redis-server 7.0.x.
#   differential.sh [binary] [seeds, e.g. 0-99]
set -euo pipefail
bin=${1:-.build/debug/mantisdb}
seeds=${2:-0-299}
version=$(redis-server --version 2>/dev/null | sed -n 's/.* v=\([0-9.]*\).*/\1/p')
case "$version" in
  7.0.*) ;;
  *) echo "SKIPPED: the differential test needs redis-server 7.0.x as its reference, found '${version:-none}'"; exit 0 ;;
esac
work=$(mktemp -d -t mantis-diff.XXXXXX)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; rm -rf "$work"' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
mantis_port=$(free_port); admin_port=$(free_port); redis_port=$(free_port)
"$bin" serve --data-dir "$work/data" --port "$mantis_port" --admin-port "$admin_port" > "$work/mantis.log" 2>&1 &
pids+=($!)
redis-server --port "$redis_port" --save '' --appendonly no --dir "$work" > "$work/redis.log" 2>&1 &
pids+=($!)
for port in "$mantis_port" "$redis_port"; do
  for _ in $(seq 100); do redis-cli -p "$port" ping 2>/dev/null | grep -q PONG && break; sleep 0.1; done
  redis-cli -p "$port" ping | grep -q PONG || { echo "FAIL: no server on port $port"; cat "$work/mantis.log"; exit 1; }
done
python3 "$(dirname "$0")/differential_fuzz.py" --mantis-port "$mantis_port" --redis-port "$redis_port" \
  --seeds "$seeds" || { echo "--- mantisdb's log (tail)"; tail -20 "$work/mantis.log"; exit 1; }
