#!/usr/bin/env bash
# The benchmark run behind Docs/performance.md: the machine's baselines and MantisDB's figures in
# one run, so ratios are comparable on a shared, noisy machine. Usage: bench.sh [what...]
#   what: wal (default), baselines
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=.build/release/mantisdb
[ -x "$bin" ] || swift build -c release
work=$(mktemp -d -p "${BENCH_DIR:-/tmp}" mantis-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
want=${*:-baselines wal}
baselines=${BASELINES:-../shared/baselines/run.sh}

for w in $want; do case $w in
baselines)
  if [ -x "$baselines" ]; then "$baselines" fio rocksdb; else echo "baselines script not found at $baselines"; fi ;;
wal)
  echo "--- bench wal (sync, 1 writer)";   "$bin" bench wal --dir "$work" --writers 1  --count 20000  --durability sync --json
  echo "--- bench wal (sync, 32 writers)"; "$bin" bench wal --dir "$work" --writers 32 --count 64000  --durability sync --json
  echo "--- bench wal (async, 1 writer)";  "$bin" bench wal --dir "$work" --writers 1  --count 3000000 --durability async --json
  echo "--- bench wal (os, 1 writer)";     "$bin" bench wal --dir "$work" --writers 1  --count 1000000 --durability os --json
  echo "--- wal verify (1 GB log)"
  "$bin" bench wal --dir "$work" --writers 1 --count 7000000 --durability async --keep --json >/dev/null
  "$bin" wal verify "$(ls -d "$work"/bench-wal-*)" | head -2
  rm -rf "$work"/bench-wal-* ;;
*) echo "unknown: $w" ;;
esac; done
