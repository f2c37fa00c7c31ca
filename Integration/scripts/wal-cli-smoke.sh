#!/usr/bin/env bash
# Runs the real `mantisdb` binary against real WAL directories: a clean log, a torn tail and a
# corrupted record must give exit codes 0, 1 and 2; a missing directory exit 3 with a message. The
# offline tools refuse a path that is not a data directory.
set -euo pipefail
bin=${1:-.build/debug/mantisdb}
work=$(mktemp -d -t mantis-smoke.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$bin" bench wal --dir "$work" --writers 4 --count 400 --durability sync --keep --json > "$work/bench.json"
grep -q '"ops_per_sec"' "$work/bench.json" || fail "bench printed no ops_per_sec"
log=$(ls -d "$work"/bench-wal-*)

"$bin" wal verify "$log" > "$work/out" || fail "clean log: exit $? ($(cat "$work/out"))"
grep -q "400 records" "$work/out" || fail "clean log: record count missing: $(cat "$work/out")"

segment=$(ls "$log"/wal-*.log | head -1)
size=$(stat -c %s "$segment")
# Garble the last record's bytes: a torn tail (nothing after it).
last=$(python3 - "$segment" <<'PY'
import sys
data = open(sys.argv[1], 'rb').read()
print(max(i for i, b in enumerate(data) if b != 0))
PY
)
printf '\xff\xff\xff\xff' | dd of="$segment" bs=1 seek=$((last - 8)) conv=notrunc status=none
set +e; "$bin" wal verify "$log" > "$work/out"; code=$?; set -e
[ $code -eq 1 ] || fail "torn tail: expected exit 1, got $code: $(cat "$work/out")"
grep -q "torn tail in $segment at offset" "$work/out" || fail "torn tail: no location: $(cat "$work/out")"
[ "$(stat -c %s "$segment")" -eq "$size" ] || fail "verify changed the file"

# Damage an early record (followed by synced ones): corruption.
printf '\x01' | dd of="$segment" bs=1 seek=$((4096 + 40)) conv=notrunc status=none
set +e; "$bin" wal verify "$log" > "$work/out"; code=$?; set -e
[ $code -eq 2 ] || fail "corruption: expected exit 2, got $code: $(cat "$work/out")"
grep -q "corruption in $segment at offset 4096" "$work/out" || fail "corruption: no location: $(cat "$work/out")"

set +e; "$bin" wal verify "$work/nope" > "$work/out" 2>&1; code=$?; set -e
[ $code -eq 3 ] || fail "missing dir: expected exit 3, got $code"
grep -q "no such directory" "$work/out" || fail "missing dir: unclear message: $(cat "$work/out")"
# The tools that work on an existing data directory refuse a mistyped one (exit 3) and create nothing there.
for tool in "recover --dry-run $work/typo" "recover $work/typo" "checkpoint create $work/typo" "backup --to $work/bk --data-dir $work/typo"; do
  set +e; "$bin" $tool > "$work/out" 2>&1; code=$?; set -e
  [ $code -eq 3 ] || fail "$tool: expected exit 3, got $code: $(cat "$work/out")"
  grep -q "no such data directory: $work/typo" "$work/out" || fail "$tool: unclear message: $(cat "$work/out")"
  [ ! -e "$work/typo" ] && [ ! -e "$work/bk" ] || fail "$tool created a directory"
done
# backup --admin: an unreachable server is explained on stderr (exit 1); a wrong command line shows backup's usage.
set +e; "$bin" backup --to "$work/bk" --admin http://127.0.0.1:1 > "$work/out" 2> "$work/err"; code=$?; set -e
[ $code -eq 1 ] || fail "backup --admin unreachable: expected exit 1, got $code: $(cat "$work/out" "$work/err")"
grep -q "cannot reach the admin server at http://127.0.0.1:1/admin/backup: connection refused" "$work/err" || fail "backup --admin unreachable: unclear message: $(cat "$work/out" "$work/err")"
set +e; "$bin" backup --to "$work/bk" > "$work/out" 2>&1; set -e
grep -q "Usage: mantisdb backup" "$work/out" || fail "backup without --admin or --data-dir: not backup's usage: $(cat "$work/out")"
# The binary re-executes itself with the heap on huge pages unless told not to (or THP is off).
if ! grep -q '\[never\]' /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null && [ -e /sys/kernel/mm/transparent_hugepage/enabled ]; then
  env -u GLIBC_TUNABLES "$bin" bench txn --dir "$work/hp" --workload get --count 1000 --keys 100 --json > "$work/out"
  grep -q '"heap_huge_pages": "on"' "$work/out" || fail "huge pages not on by default: $(cat "$work/out")"
  env -u GLIBC_TUNABLES MANTISDB_HUGE_PAGES=off "$bin" bench txn --dir "$work/hp2" --workload get --count 1000 --keys 100 --json > "$work/out"
  grep -q '"heap_huge_pages": "off"' "$work/out" || fail "MANTISDB_HUGE_PAGES=off ignored: $(cat "$work/out")"
fi
# The opt-out is read by the process, so the configuration (which refuses unknown MANTISDB_*
# variables) must let it through: `serve` loads the same way `config check` does.
"$bin" config init "$work/mantisdb.yaml" > /dev/null 2>&1
MANTISDB_HUGE_PAGES=off "$bin" config check "$work/mantisdb.yaml" > "$work/out" 2>&1 || fail "MANTISDB_HUGE_PAGES=off refused by the configuration: $(cat "$work/out")"
echo "wal CLI smoke: ok"
