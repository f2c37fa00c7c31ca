#!/usr/bin/env python3
"""A real full disk under `mantisdb serve` with `wal.on_failure: exit`.

The data directory is on a 4 MiB tmpfs (mounted here; skipped unless run as root where mounts
are allowed), with the disk-space guard off so the log itself hits ENOSPC. Writers (redis-py)
SET unique keys until the log fails; a key is recorded only after its reply. Then:

- the server must exit by itself with status 75, naming the failure in its log;
- the tmpfs is grown (the operator freeing space) and the server restarted on the same
  directory: every acknowledged key must be there with its value, and writes work again.

Usage: disk_full.py --binary .build/debug/mantisdb [--seed N]
"""
import argparse
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time

import redis


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(binary, data_dir, log, extra):
    port = free_port()
    command = [binary, "serve", "--data-dir", data_dir, "--port", str(port), "--admin-port", str(free_port()),
               "--set", "integrity.disk_reserve=null", "--set", "wal.segment_size=1MiB",
               "--set", "transactions.max_record_payload=256KiB", "--set", "wal.prepare_segments_ahead=false",
               "--set", "checkpoint.interval=null", "--set", "checkpoint.wal_bytes=null",
               "--set", "checkpoint.on_close=false", "--set", "integrity.scrub_interval=null"] + extra
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    client = redis.Redis(port=port, socket_timeout=10)
    deadline = time.time() + 30
    while True:
        try:
            client.ping()
            return process, client, port
        except redis.ConnectionError:
            if process.poll() is not None or time.time() > deadline:
                raise SystemExit(f"FAIL: the server did not start (exit {process.poll()}); log: {log.name}")
            time.sleep(0.1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--seed", type=int, default=int(time.time()) % 100000)
    args = parser.parse_args()
    random.seed(args.seed)
    binary = os.path.abspath(args.binary)
    replay = f"replay: python3 Integration/crash/disk_full.py --binary {args.binary} --seed {args.seed}"

    mount = tempfile.mkdtemp(prefix="mantis-diskfull-")
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", mount],
                                           capture_output=True).returncode != 0:
        print("disk full: SKIPPED (needs root and permission to mount a tmpfs)")
        os.rmdir(mount)
        return
    log = open(os.path.join(tempfile.gettempdir(), f"mantis-diskfull-{args.seed}.log"), "w")
    try:
        data_dir = os.path.join(mount, "data")
        process, _, port = start(binary, data_dir, log, ["--set", "wal.on_failure=exit"])
        acknowledged = {}
        lock = threading.Lock()

        def writer(index):
            client = redis.Redis(port=port, socket_timeout=10)
            for n in range(1_000_000):
                key = f"w{index}:{n}"
                value = f"{key}:" + "v" * random.randint(200, 1500)
                try:
                    client.set(key, value)
                except (redis.ConnectionError, redis.ResponseError, redis.TimeoutError):
                    return
                with lock:
                    acknowledged[key] = value

        threads = [threading.Thread(target=writer, args=(index,)) for index in range(4)]
        for thread in threads:
            thread.start()
        try:
            status = process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            raise SystemExit(f"FAIL: the server did not exit after the disk filled; {replay}; log: {log.name}")
        for thread in threads:
            thread.join()
        log.flush()
        text = open(log.name).read()
        if status != 75:
            raise SystemExit(f"FAIL: exit status {status}, expected 75; {replay}; log: {log.name}")
        if "exiting (wal.on_failure: exit)" not in text or "No space left on device" not in text:
            raise SystemExit(f"FAIL: the log does not name the failure and the exit; {replay}; log: {log.name}")
        if not acknowledged:
            raise SystemExit(f"FAIL: nothing was acknowledged before the disk filled; {replay}")

        # The operator frees space; the restarted server recovers every acknowledged write.
        subprocess.run(["mount", "-o", "remount,size=64m", mount], check=True)
        process, client, _ = start(binary, data_dir, log, [])
        try:
            missing = [key for key, value in acknowledged.items() if client.get(key) != value.encode()]
            if missing:
                raise SystemExit(f"FAIL: {len(missing)} of {len(acknowledged)} acknowledged writes lost or changed "
                                 f"after the restart, e.g. {missing[:3]}; {replay}; log: {log.name}")
            client.set("after-restart", "ok")
            if client.get("after-restart") != b"ok":
                raise SystemExit(f"FAIL: no write after the restart; {replay}")
        finally:
            process.terminate()
            process.wait(timeout=60)
        print(f"disk full: ok (seed {args.seed}): the log failed on ENOSPC after {len(acknowledged)} acknowledged "
              f"writes, the server exited with 75, and a restart after freeing space recovered all of them")
    finally:
        log.close()
        subprocess.run(["umount", mount], capture_output=True)
        os.rmdir(mount)


if __name__ == "__main__":
    sys.exit(main())
