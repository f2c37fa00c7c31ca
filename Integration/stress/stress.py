#!/usr/bin/env python3
"""Bounded-time stress of `mantisdb serve` with real redis-py clients.

Phase 1 (load): hundreds of connections for --seconds: contended transfers in MULTI/EXEC and in
BEGIN … COMMIT at every isolation level (deadlocks and serialization failures expected and retried),
blind writes, reads, scans; checkpoints every second (config). Checks: no error other than the
expected aborts, the bank total intact, the server's memory (RSS) bounded, latency percentiles.

Phase 2 (exhaustion): restarts the server with a memory hard limit below its current use, checks
that writes are refused with OOM while reads keep working and deletes are admitted; and with a
disk reserve larger than the free space, checks writes are refused with DISKFULL naming free space
and reserve, reads keep working; then restarts without the limits and checks nothing committed was lost.

Usage: stress.py --binary .build/debug/mantisdb [--connections 200] [--seconds 20] [--seed N]
"""
import argparse
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

import redis

ACCOUNTS = 200
INITIAL = 1000


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(binary, data, extra, log):
    port, admin = free_port(), free_port()
    command = [binary, "serve", "--data-dir", data, "--port", str(port), "--admin-port", str(admin),
               "--set", "server.max_connections=2000", "--set", "checkpoint.interval=1s",
               "--set", "integrity.scrub_interval=5s"] + extra
    process = subprocess.Popen(command, stdout=log, stderr=log)
    for _ in range(600):
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {process.returncode}")
        try:
            redis.Redis(port=port, socket_timeout=2).ping()
            return process, port
        except redis.exceptions.ConnectionError:
            time.sleep(0.05)
    raise RuntimeError("server did not start")


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies = []
        self.ok = 0
        self.expected_aborts = 0
        self.errors = []

    def record(self, seconds):
        with self.lock:
            self.latencies.append(seconds)
            self.ok += 1


def worker(port, index, deadline, stats, seed):
    rng = random.Random(seed)
    client = redis.Redis(port=port, protocol=3 if index % 2 else 2, socket_timeout=30)
    levels = ["READ COMMITTED", "SNAPSHOT", "SERIALIZABLE"]
    while time.time() < deadline:
        action = rng.random()
        start = time.perf_counter()
        try:
            if action < 0.45:
                a, b = rng.sample(range(ACCOUNTS), 2)
                amount = rng.randint(1, 20)
                # Lock order a then b with no sorting: cycles between clients happen (deadlocks).
                level = levels[1 + (index % 2)]  # transfers need snapshot or serializable to be safe
                client.execute_command("BEGIN", *level.split())
                try:
                    va = int(client.get(f"s:acct:{a}"))
                    client.set(f"s:acct:{a}", va - amount)
                    vb = int(client.get(f"s:acct:{b}"))
                    client.set(f"s:acct:{b}", vb + amount)
                    client.execute_command("COMMIT")
                except redis.exceptions.ResponseError as error:
                    text = str(error)
                    try:
                        client.execute_command("ROLLBACK")
                    except redis.exceptions.ResponseError:
                        pass
                    if text.split()[0] in ("DEADLOCK", "SERIALIZATION", "LOCKTIMEOUT"):
                        with stats.lock:
                            stats.expected_aborts += 1
                        continue
                    raise
            elif action < 0.6:
                a, b = rng.sample(range(ACCOUNTS), 2)
                with client.pipeline(transaction=True) as pipe:
                    try:
                        pipe.watch(f"s:acct:{a}", f"s:acct:{b}")
                        va, vb = int(pipe.get(f"s:acct:{a}")), int(pipe.get(f"s:acct:{b}"))
                        pipe.multi()
                        pipe.set(f"s:acct:{a}", va - 1)
                        pipe.set(f"s:acct:{b}", vb + 1)
                        pipe.execute()
                    except redis.exceptions.WatchError:
                        with stats.lock:
                            stats.expected_aborts += 1
                        continue
            elif action < 0.8:
                client.set(f"s:blind:{index}:{rng.randint(0, 200)}", "x" * rng.randint(1, 300))
            elif action < 0.97:
                client.mget([f"s:acct:{rng.randrange(ACCOUNTS)}" for _ in range(5)])
            else:
                client.scan(0, match="s:acct:*", count=20)
            stats.record(time.perf_counter() - start)
        except Exception as error:  # noqa: BLE001
            with stats.lock:
                stats.errors.append(f"{type(error).__name__}: {error}")
            return


def percentile(values, p):
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p / 100))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=".build/debug/mantisdb")
    parser.add_argument("--connections", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="mantis-stress-")
    data = os.path.join(work, "data")
    log = open(os.path.join(work, "server.log"), "a")
    process = None
    try:
        process, port = start(args.binary, data, [], log)
        redis.Redis(port=port).mset({f"s:acct:{i}": INITIAL for i in range(ACCOUNTS)})
        stats = Stats()
        deadline = time.time() + args.seconds
        threads = [threading.Thread(target=worker, args=(port, i, deadline, stats, args.seed * 1000 + i)) for i in range(args.connections)]
        for thread in threads:
            thread.start()
        peak = 0.0
        samples = []
        while any(t.is_alive() for t in threads):
            rss = rss_mb(process.pid)
            samples.append(rss)
            peak = max(peak, rss)
            time.sleep(0.5)
        for thread in threads:
            thread.join()
        client = redis.Redis(port=port)
        total = sum(int(client.get(f"s:acct:{i}")) for i in range(ACCOUNTS))
        problems = []
        if stats.errors:
            problems.append(f"{len(stats.errors)} unexpected errors, e.g. {stats.errors[:3]}")
        if total != ACCOUNTS * INITIAL:
            problems.append(f"bank total {total} != {ACCOUNTS * INITIAL}")
        # Memory bounded: the second half of the run may not keep growing past 1.5x the first half's peak.
        half = len(samples) // 2
        if half > 2 and max(samples[half:]) > 1.5 * max(samples[:half]) + 50:
            problems.append(f"memory kept growing: first half peak {max(samples[:half]):.0f} MB, second half {max(samples[half:]):.0f} MB")
        lat = stats.latencies
        print(f"stress: {args.connections} connections, {args.seconds:.0f} s: {stats.ok} operations "
              f"({stats.ok / args.seconds:.0f}/s), {stats.expected_aborts} expected aborts (deadlock/serialization/watch), "
              f"latency p50 {percentile(lat, 50) * 1000:.2f} ms p99 {percentile(lat, 99) * 1000:.2f} ms "
              f"p99.9 {percentile(lat, 99.9) * 1000:.2f} ms, server RSS peak {peak:.0f} MB; seed {args.seed}")
        # Keep some committed data to check across the exhaustion phase.
        keep = {f"s:keep:{i}": f"v{i}" for i in range(200)}
        client.mset(keep)
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=120)

        # Phase 2a: a memory hard limit below current use.
        process, port = start(args.binary, data, ["--set", "integrity.memory_soft_limit=32KiB", "--set", "integrity.memory_hard_limit=64KiB"], log)
        client = redis.Redis(port=port)
        try:
            client.set("s:refused", "x")
            problems.append("a write past the memory hard limit was accepted")
        except redis.exceptions.OutOfMemoryError as error:  # redis-py's class for "-OOM …"
            if "hard limit" not in str(error):
                problems.append(f"memory limit: the OOM error does not name the limit: {error}")
        except redis.exceptions.ResponseError as error:
            problems.append(f"memory limit: expected an OOM error, got {error}")
        if client.get("s:keep:7") != b"v7":
            problems.append("reads stopped working past the memory limit")
        client.delete("s:keep:199")  # deletes are admitted: they free memory
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=120)

        # Phase 2b: a disk reserve larger than the free space.
        process, port = start(args.binary, data, ["--set", "integrity.disk_reserve=100%"], log)
        client = redis.Redis(port=port)
        try:
            client.set("s:refused", "x")
            problems.append("a write below the disk reserve was accepted")
        except redis.exceptions.ResponseError as error:
            text = str(error)
            if not text.startswith("DISKFULL") or "reserve" not in text:
                problems.append(f"disk reserve: expected DISKFULL naming the reserve, got {text}")
        if client.get("s:keep:7") != b"v7":
            problems.append("reads stopped working below the disk reserve")
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=120)

        # Back to normal: nothing committed lost, writes work again.
        process, port = start(args.binary, data, [], log)
        client = redis.Redis(port=port)
        got = client.mget(list(keep))
        expected = [None if key == "s:keep:199" else value.encode() for key, value in keep.items()]
        if got != expected:
            problems.append("committed data changed across the exhaustion phase")
        client.set("s:after", "ok")
        if sum(int(client.get(f"s:acct:{i}")) for i in range(ACCOUNTS)) != ACCOUNTS * INITIAL:
            problems.append("bank total changed across restarts")
        if problems:
            print("FAIL: " + "; ".join(problems) + f"\nserver log {log.name}; replay with --seed {args.seed}")
            return 1
        print("stress: memory limit refused writes with OOM and admitted deletes; disk reserve refused writes with DISKFULL; reads kept working; nothing committed lost")
        return 0
    finally:
        if process and process.poll() is None:
            process.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
