#!/usr/bin/env python3
"""Soak: a server under steady load for --minutes, its resources sampled, every write checked.

Starts `mantisdb serve` with small segments and frequent checkpoints and scrubs (so rotation,
trimming, paced deletion, checkpoint retention and scrubbing all run many times), drives it with
`redis-benchmark` (SET and GET over 200,000 keys, in turns) while one client writes numbered keys
and remembers each acknowledged one. Every --sample seconds it prints the server's resident memory,
open files, threads, log segments (and `.removing` leftovers) and checkpoints. At the end: a
graceful SIGTERM (must exit 0), a restart, every acknowledged numbered key read back, and the restarted server's memory with the same
data (against the last sample: what accumulated beyond the data).

    soak.py --binary .build/release/mantisdb --minutes 10
"""
import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

import redis


def value_of(index):
    return f"soak-{index}-".encode() * 8


def start(binary, directory, port):
    log = open(os.path.join(os.path.dirname(directory), f"server-{int(time.time())}.log"), "w")
    process = subprocess.Popen(
        [binary, "serve", "--data-dir", directory, "--port", str(port), "--admin-port", str(port + 1),
         "--set", "wal.segment_size=8MiB", "--set", "checkpoint.interval=15s", "--set", "checkpoint.wal_bytes=32MiB",
         "--set", "integrity.scrub_interval=30s"],
        stdout=log, stderr=subprocess.STDOUT)
    client = redis.Redis(port=port, protocol=2)
    for _ in range(600):
        try:
            client.ping()
            return process, client
        except redis.exceptions.ConnectionError:
            time.sleep(0.1)
    raise SystemExit(f"the server did not answer on port {port}")


def sample(pid, directory):
    status = open(f"/proc/{pid}/status").read()
    rss = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
    threads = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("Threads:"))
    wal = os.listdir(os.path.join(directory, "wal"))
    return {
        "rss_mib": round(rss / 1024, 1),
        "fds": len(os.listdir(f"/proc/{pid}/fd")),
        "threads": threads,
        "segments": sum(1 for name in wal if name.endswith(".log")),
        "removing": sum(1 for name in wal if name.endswith(".removing")),
        "wal_mib": round(sum(os.path.getsize(os.path.join(directory, "wal", name)) for name in wal) / (1 << 20), 1),
        "checkpoints": sum(1 for name in os.listdir(os.path.join(directory, "checkpoints")) if name.endswith(".ckpt")),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", required=True)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--sample", type=float, default=60)
    parser.add_argument("--port", type=int, default=7491)
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="mantis-soak-")
    directory = os.path.join(work, "data")
    process, client = start(args.binary, directory, args.port)
    deadline = time.time() + args.minutes * 60
    acknowledged = []
    errors = []

    def writer():
        index = 0
        while time.time() < deadline:
            try:
                client.set(f"soak:{index}", value_of(index))
                acknowledged.append(index)
            except redis.exceptions.RedisError as error:
                errors.append(f"soak:{index}: {error}")
            index += 1
            time.sleep(0.002)

    def load():
        turn = 0
        while time.time() < deadline:
            test = "set" if turn % 2 == 0 else "get"
            subprocess.run(["redis-benchmark", "-p", str(args.port), "-t", test, "-n", "100000", "-c", "20",
                            "-d", "200", "-r", "200000", "-q"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            turn += 1

    threads = [threading.Thread(target=writer), threading.Thread(target=load)]
    for thread in threads:
        thread.start()
    started = time.time()
    samples = []
    while time.time() < deadline:
        time.sleep(min(args.sample, max(0.1, deadline - time.time())))
        row = {"minute": round((time.time() - started) / 60, 1), **sample(process.pid, directory),
               "acknowledged": len(acknowledged)}
        samples.append(row)
        print(json.dumps(row), flush=True)
    for thread in threads:
        thread.join()

    process.send_signal(signal.SIGTERM)
    code = process.wait(timeout=120)
    process, client = start(args.binary, directory, args.port)
    missing = [index for index in acknowledged if client.get(f"soak:{index}") != value_of(index)]
    # The same data freshly loaded: what the end's memory would be without anything accumulated.
    reopened = sample(process.pid, directory)
    process.send_signal(signal.SIGTERM)
    second = process.wait(timeout=120)
    result = {"minutes": args.minutes, "acknowledged": len(acknowledged), "missing": len(missing), "errors": len(errors),
              "sigterm_exit": code, "second_exit": second, "rss_mib_at_end": samples[-1]["rss_mib"] if samples else None,
              "rss_mib_reopened": reopened["rss_mib"], "first_errors": errors[:3], "first_missing": missing[:5]}
    print(json.dumps(result), flush=True)
    if missing or errors or code != 0 or second != 0:
        print(f"soak FAILED; data and logs kept in {work}", file=sys.stderr)
        sys.exit(1)
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
