#!/usr/bin/env bash
# The benchmark run behind Docs/performance.md: the machine's baselines and MantisDB's figures in
# one run, so ratios are comparable on a shared, noisy machine.
#   bench.sh [what...]   what: baselines wal txn recovery checkpoint server lone tail cpu floor
#   (default: all)
# BIN=path/to/mantisdb (default .build/release/mantisdb), BENCH_DIR (default /tmp).
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${BIN:-.build/release/mantisdb}
[ -x "$bin" ] || swift build -c release
work=$(mktemp -d -p "${BENCH_DIR:-/tmp}" mantis-bench.XXXXXX)
trap 'rm -rf "$work"; [ -n "${server_pid:-}" ] && kill "$server_pid" 2>/dev/null || true' EXIT
want=${*:-baselines wal txn recovery checkpoint server lone tail cpu floor}
baselines=${BASELINES:-../shared/baselines/run.sh}
# Starts a server in the background (server_pid) and waits until it answers PING on port $1.
start_server() {  # port command...
  local port=$1; shift
  "$@" >"$work/server-$port.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 100); do redis-cli -p "$port" PING >/dev/null 2>&1 && break; sleep 0.1; done
}
stop_server() { kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=; }

for w in $want; do case $w in
baselines)
  if [ -x "$baselines" ]; then "$baselines"; else echo "baselines script not found at $baselines"; fi ;;
wal)
  echo "--- bench wal (sync, 1 writer)";   "$bin" bench wal --dir "$work" --writers 1  --count 20000  --durability sync --json
  echo "--- bench wal (sync, 32 writers)"; "$bin" bench wal --dir "$work" --writers 32 --count 64000  --durability sync --json
  echo "--- bench wal (async, 1 writer)";  "$bin" bench wal --dir "$work" --writers 1  --count 3000000 --durability async --json
  echo "--- wal verify (1 GB log)"
  "$bin" bench wal --dir "$work" --writers 1 --count 7000000 --durability async --keep --json >/dev/null
  "$bin" wal verify "$(ls -d "$work"/bench-wal-*)" | head -2
  rm -rf "$work"/bench-wal-* ;;
txn)
  # Three interleaved rounds: on a shared machine one pair alone says little about the ratio.
  for round in 1 2 3; do
    echo "--- round $round: bench txn (autocommit puts, 32 concurrent, sync)"; "$bin" bench txn --dir "$work" --writers 32 --count 64000 --json
    echo "--- round $round: bench wal (32 writers, sync, for the ratio)";      "$bin" bench wal --dir "$work" --writers 32 --count 64000 --durability sync --json
  done
  for round in 1 2 3; do
    echo "--- round $round: bench txn (point reads, snapshot, one task; the heap on huge pages, the default)"
    "$bin" bench txn --dir "$work" --workload get --count 3000000 --keys 1000000 --json
  done
  echo "--- the same on 4 KiB pages (MANTISDB_HUGE_PAGES=off)"
  MANTISDB_HUGE_PAGES=off "$bin" bench txn --dir "$work" --workload get --count 3000000 --keys 1000000 --json
  echo "--- point reads in batches of 16 keys per call (Transaction.get([keys]), as MGET reads)"
  "$bin" bench txn --dir "$work" --workload get --count 3000000 --keys 1000000 --batch 16 --json ;;
recovery)
  echo "--- bench recovery (10M records)"; "$bin" bench recovery --dir "$work" --records 10000000 --json ;;
checkpoint)
  echo "--- bench checkpoint (1M keys)"; "$bin" bench checkpoint --dir "$work" --keys 1000000 --json ;;
server)
  port=7479
  start_server $port "$bin" serve --data-dir "$work/server" --port $port --admin-port 7480 --set integrity.scrub_interval=null
  for t in set get; do
    echo "--- redis-benchmark -t $t -n 200000 -c 50 -d 100 -r 1000000 against mantisdb serve (sync)"
    redis-benchmark -p $port -t $t -n 200000 -c 50 -d 100 -r 1000000 --csv | tail -1
  done
  stop_server
  # The same on one event loop (`server.event_loops: 1`; the default is one per core).
  start_server $port "$bin" serve --data-dir "$work/server-one-loop" --port $port --admin-port 7480 \
    --set integrity.scrub_interval=null --set server.event_loops=1
  for t in set get; do
    echo "--- redis-benchmark -t $t -n 200000 -c 50 -d 100 -r 1000000 against mantisdb serve (sync, one event loop)"
    redis-benchmark -p $port -t $t -n 200000 -c 50 -d 100 -r 1000000 --csv | tail -1
  done
  stop_server
  if [ -x "$baselines" ]; then "$baselines" redis; fi ;;
lone)
  # One client, one request at a time: the round trip of a lone commit (latency, not throughput),
  # against Redis `appendfsync always` in the same minute.
  start_server 7479 "$bin" serve --data-dir "$work/lone-server" --port 7479 --admin-port 7480 --set integrity.scrub_interval=null
  for t in set get; do
    echo "--- redis-benchmark -t $t -n 20000 -c 1 -d 100 -r 1000000 against mantisdb serve (sync)"
    redis-benchmark -p 7479 -t $t -n 20000 -c 1 -d 100 -r 1000000 --csv | tail -1
  done
  stop_server
  if command -v redis-server >/dev/null; then
    mkdir -p "$work/lone-redis"
    start_server 7481 redis-server --port 7481 --appendonly yes --appendfsync always --save "" --dir "$work/lone-redis"
    for t in set get; do
      echo "--- redis-benchmark -t $t -n 20000 -c 1 -d 100 -r 1000000 against redis (appendfsync always)"
      redis-benchmark -p 7481 -t $t -n 20000 -c 1 -d 100 -r 1000000 --csv | tail -1
    done
    stop_server
  fi ;;
tail)
  # One client's SET latency while the server does its heaviest background work: MantisDB a
  # checkpoint (of about a million keys loaded first; it then trims log segments and an old
  # checkpoint), Redis an AOF rewrite (BGREWRITEAOF), each twice.
  preload() { redis-benchmark -p "$1" -t set -n 1000000 -r 100000000 -d 200 -P 64 -c 8 --csv | tail -1 >/dev/null; }
  start_server 7479 "$bin" serve --data-dir "$work/tail-server" --port 7479 --admin-port 7480 --set integrity.scrub_interval=null
  preload 7479
  for round in 1 2; do
    echo "--- round $round: tail_latency.py (30,000 SETs, one client; CHECKPOINT after 1 s) against mantisdb serve (sync)"
    python3 Integration/scripts/tail_latency.py --port 7479 --count 30000 --command CHECKPOINT
  done
  stop_server
  if command -v redis-server >/dev/null; then
    mkdir -p "$work/tail-redis"
    start_server 7481 redis-server --port 7481 --appendonly yes --appendfsync always --save "" --dir "$work/tail-redis"
    preload 7481
    # The preload itself starts an automatic AOF rewrite: wait for it to end.
    until redis-cli -p 7481 INFO persistence | grep -q '^aof_rewrite_in_progress:0'; do sleep 0.5; done
    for round in 1 2; do
      echo "--- round $round: tail_latency.py (30,000 SETs, one client; BGREWRITEAOF after 1 s) against redis (appendfsync always)"
      python3 Integration/scripts/tail_latency.py --port 7481 --count 30000 --command BGREWRITEAOF
    done
    stop_server
  fi ;;
cpu)
  # CPU time per request of each server (user+system, from /proc) and of redis-benchmark, for
  # SET and GET: what the machine's two cores allow, whatever the disk does.
  tck=$(getconf CLK_TCK)
  cpu_of() { awk '{print $14+$15}' "/proc/$1/stat"; }
  per_request() {  # name pid port
    for t in set get; do
      before=$(cpu_of "$2")
      /usr/bin/time -f "%U %S" -o "$work/time" redis-benchmark -p "$3" -t $t -n 200000 -c 50 -d 100 -r 1000000 --csv | tail -1 | cut -d, -f1,2 | tr '\n' ' '
      after=$(cpu_of "$2")
      echo "$1 server_us_per_request=$(awk -v a="$after" -v b="$before" -v t="$tck" 'BEGIN {printf "%.1f", (a-b)/t*1e6/200000}') benchmark_us_per_request=$(awk '{printf "%.1f", ($1+$2)*1e6/200000}' "$work/time")"
    done
  }
  start_server 7479 "$bin" serve --data-dir "$work/cpu-server" --port 7479 --admin-port 7480 --set integrity.scrub_interval=null
  per_request mantisdb "$server_pid" 7479
  stop_server
  if command -v redis-server >/dev/null; then
    mkdir -p "$work/redis"
    start_server 7481 redis-server --port 7481 --appendonly yes --appendfsync always --save "" --dir "$work/redis"
    per_request "redis(appendfsync always)" "$server_pid" 7481
    stop_server
  fi ;;
floor)
  # What bounds the SET target: the same redis-benchmark against `mantisdb serve`, Redis
  # `appendfsync always`, Redis with no persistence at all, and `mantisdb bench resp-floor` (our
  # NIO bootstrap, parser and encoder with nothing behind them: it stores nothing). Three rounds,
  # the order rotating each round, so no server always runs on the machine's warmest minute.
  servers="mantisdb redis-always redis-none floor"
  for round in 1 2 3; do
    for name in $servers; do
      case $name in
      mantisdb) start_server 7479 "$bin" serve --data-dir "$work/floor-$round" --port 7479 --admin-port 7480 --set integrity.scrub_interval=null ;;
      redis-always) mkdir -p "$work/floor-redis-$round"
        start_server 7479 redis-server --port 7479 --appendonly yes --appendfsync always --save "" --dir "$work/floor-redis-$round" ;;
      redis-none) start_server 7479 redis-server --port 7479 --appendonly no --save "" ;;
      floor) start_server 7479 "$bin" bench resp-floor --port 7479 ;;
      esac
      for t in set get; do
        echo "--- round $round: redis-benchmark -t $t -n 200000 -c 50 -d 100 -r 1000000 against $name"
        redis-benchmark -p 7479 -t $t -n 200000 -c 50 -d 100 -r 1000000 --csv | tail -1
      done
      stop_server
      rm -rf "$work/floor-$round" "$work/floor-redis-$round"
    done
    servers="${servers#* } ${servers%% *}"
  done ;;
*) echo "unknown: $w" ;;
esac; done
