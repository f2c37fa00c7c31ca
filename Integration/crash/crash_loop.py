#!/usr/bin/env python3
"""Real-process crash loop: `mantisdb serve` with real redis-py clients, SIGKILLed at random moments.

Each cycle starts the server on the same data directory, checks every write acknowledged in all
earlier cycles and the bank invariant, then runs writers until a random moment and kills the
server with SIGKILL (no shutdown of any kind):

- unique-key writers: SET u:<writer>:<n> <value>; a key is recorded only after the reply;
- transfer writers: move amounts between accounts in a MULTI/EXEC or BEGIN/COMMIT transaction
  (retrying DEADLOCK/SERIALIZATION), so the sum of all accounts must stay constant.

With --durability sync or os (write(2) before the reply: a process kill loses nothing) every
acknowledged write must survive. With --durability async a write
acknowledged more than --rpo-ms before the kill must survive (the flusher bounds the window);
later ones may be lost, and the report says how many were.

Usage: crash_loop.py --binary .build/debug/mantisdb --cycles 20 [--durability sync|async]
                     [--rpo-ms 200] [--seed N] [--codec lz4|zlib|none] [--lock-policy NAME]
On failure prints the seed and the command line to replay it.
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

ACCOUNTS = 20
INITIAL = 1000


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, args, data_dir, log_path):
        self.args = args
        self.data_dir = data_dir
        self.log_path = log_path
        self.process = None
        self.port = None

    def start(self):
        self.port = free_port()
        admin = free_port()
        command = [
            self.args.binary, "serve", "--data-dir", self.data_dir, "--port", str(self.port),
            "--admin-port", str(admin), "--durability", self.args.durability,
            "--set", f"checkpoint.codec={self.args.codec}",
            "--set", f"transactions.lock_policy={self.args.lock_policy}",
            "--set", "checkpoint.interval=1s",
            "--set", "checkpoint.wal_bytes=256KiB",
            "--set", "wal.segment_size=4MiB",
            "--set", "integrity.scrub_interval=2s",
        ]
        if self.args.event_loops:
            command += ["--set", f"server.event_loops={self.args.event_loops}"]
        if self.args.durability == "os":
            command += ["--set", "rpo=null"]  # os durability bounds no power-loss window: not watched
        if self.args.durability == "async":
            command += ["--set", f"wal.flush_interval={self.args.rpo_ms // 2}ms", "--set", f"rpo={self.args.rpo_ms}"]
        log = open(self.log_path, "a")
        log.write("\n=== " + " ".join(command) + "\n")
        log.flush()
        self.process = subprocess.Popen(command, stdout=log, stderr=log)
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}; see {self.log_path}")
            try:
                redis.Redis(port=self.port, socket_timeout=2).ping()
                self.check_event_loops()
                self.check_process_name()
                return
            except redis.exceptions.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("server did not start within 60 s")

    def check_process_name(self):
        """The server keeps its binary's name after re-executing itself for huge pages (`ps`,
        `top` and `pgrep mantisdb` read it; executed through /proc/self/exe it would be "exe")."""
        with open(f"/proc/{self.process.pid}/comm") as comm:
            name = comm.read().strip()
        expected = os.path.basename(self.args.binary)[:15]
        if name != expected:
            raise RuntimeError(f"the server's process is named {name!r}, not {expected!r}")

    def check_event_loops(self):
        """With --event-loops N, the server runs exactly N loops of its own (threads NIO-ELT-*)."""
        if not self.args.event_loops:
            return
        names = []
        for task in os.listdir(f"/proc/{self.process.pid}/task"):
            try:
                with open(f"/proc/{self.process.pid}/task/{task}/comm") as comm:
                    names.append(comm.read().strip())
            except OSError:
                pass  # the thread ended meanwhile
        loops = [name for name in names if name.startswith("NIO-ELT-")]
        if len(loops) != self.args.event_loops:
            raise RuntimeError(f"server.event_loops={self.args.event_loops}, but the server runs {len(loops)} loops of its own: {sorted(names)}")

    def stop(self):
        """SIGTERM: a graceful shutdown must end with exit status 0."""
        self.process.send_signal(signal.SIGTERM)
        try:
            status = self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise RuntimeError("no graceful shutdown within 60 s of SIGTERM")
        if status != 0:
            raise RuntimeError(f"graceful shutdown exited with status {status}; see {self.log_path}")

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()


class Ledger:
    """What clients were told: acknowledged unique keys (with the time of the reply)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.acked = {}          # key -> (value, ack time)
        self.attempted = set()
        self.lost_within_window = 0  # async durability: lost, but acknowledged within the RPO before a kill

    def attempt(self, key):
        with self.lock:
            self.attempted.add(key)

    def ack(self, key, value):
        with self.lock:
            self.acked[key] = (value, time.monotonic())


def unique_writer(port, protocol, writer, cycle, ledger, stop, counter, errors):
    client = redis.Redis(port=port, protocol=protocol, socket_timeout=10)
    n = 0
    while not stop.is_set():
        n += 1
        key = f"u:{cycle}:{writer}:{n}"
        value = f"v{n}-" + "x" * (n % 50)
        ledger.attempt(key)
        try:
            client.set(key, value)
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError):
            return
        except Exception as error:  # noqa: BLE001 - a refused SET is a wrong answer here
            if not stop.is_set():
                errors.append(f"unique writer {writer}: {type(error).__name__}: {error}")
            return
        ledger.ack(key, value)
        counter[0] += 1


def transfer(client, rng, use_multi):
    a, b = rng.sample(range(ACCOUNTS), 2)
    amount = rng.randint(1, 50)
    ka, kb = f"acct:{a}", f"acct:{b}"
    for _ in range(100):
        try:
            if use_multi:
                with client.pipeline(transaction=True) as pipe:
                    pipe.watch(ka, kb)
                    va, vb = int(pipe.get(ka)), int(pipe.get(kb))
                    pipe.multi()
                    pipe.set(ka, va - amount)
                    pipe.set(kb, vb + amount)
                    pipe.execute()
                    return
            client.execute_command("BEGIN", "SERIALIZABLE")
            va, vb = int(client.get(ka)), int(client.get(kb))
            client.set(ka, va - amount)
            client.set(kb, vb + amount)
            client.execute_command("COMMIT")
            return
        except redis.exceptions.WatchError:
            continue
        except redis.exceptions.ResponseError as error:
            text = str(error)
            if text.startswith("DEADLOCK") or text.startswith("SERIALIZATION"):
                try:
                    client.execute_command("ROLLBACK")
                except redis.exceptions.ResponseError:
                    pass
                continue
            raise


def transfer_writer(port, protocol, writer, seed, stop, counter, errors):
    client = redis.Redis(port=port, protocol=protocol, socket_timeout=10)
    rng = random.Random(seed)
    while not stop.is_set():
        try:
            transfer(client, rng, use_multi=(writer % 2 == 0))
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError):
            return
        except Exception as error:  # noqa: BLE001 - anything else is a wrong answer from the server
            if not stop.is_set():
                errors.append(f"transfer writer {writer}: {type(error).__name__}: {error}")
            return
        counter[0] += 1


def verify(port, ledger, kill_time, args):
    client = redis.Redis(port=port, socket_timeout=30)
    total = sum(int(client.get(f"acct:{i}") or 0) for i in range(ACCOUNTS))
    if total != ACCOUNTS * INITIAL:
        return f"bank invariant broken: sum {total} != {ACCOUNTS * INITIAL}"
    with ledger.lock:
        acked = dict(ledger.acked)
    lost, lost_old, lost_keys = 0, [], []
    keys = list(acked)
    for start in range(0, len(keys), 500):
        batch = keys[start:start + 500]
        values = client.mget(batch)
        for key, value in zip(batch, values):
            expected, at = acked[key]
            if value is None:
                lost += 1
                lost_keys.append(key)
                if args.durability != "async" or (kill_time is not None and kill_time - at > args.rpo_ms / 1000):
                    lost_old.append(key)
            elif value.decode() != expected:
                return f"acknowledged key {key} has {value!r}, expected {expected!r}"
    if lost_old:
        return f"{len(lost_old)} acknowledged write(s) lost beyond the allowed window, e.g. {lost_old[:5]}"
    with ledger.lock:
        for key in lost_keys:
            ledger.acked.pop(key, None)
            ledger.lost_within_window += 1
    return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=".build/debug/mantisdb")
    parser.add_argument("--cycles", type=int, default=20)
    parser.add_argument("--durability", default="sync", choices=["sync", "os", "async"])
    parser.add_argument("--rpo-ms", type=int, default=200)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--codec", default="lz4")
    parser.add_argument("--lock-policy", default="wait-for-graph")
    parser.add_argument("--event-loops", type=int, default=None,
                        help="server.event_loops; the last start then ends with SIGTERM, which must exit 0")
    parser.add_argument("--keep", action="store_true", help="keep the data directory")
    args = parser.parse_args()
    replay = (f"python3 Integration/crash/crash_loop.py --binary {args.binary} --cycles {args.cycles} "
              f"--durability {args.durability} --rpo-ms {args.rpo_ms} --seed {args.seed} --codec {args.codec} "
              f"--lock-policy {args.lock_policy}" + (f" --event-loops {args.event_loops}" if args.event_loops else ""))
    rng = random.Random(args.seed)
    work = tempfile.mkdtemp(prefix="mantis-crash-")
    data_dir = os.path.join(work, "data")
    log_path = os.path.join(work, "server.log")
    server = Server(args, data_dir, log_path)
    ledger = Ledger()
    kills = writes = transfers = 0
    try:
        server.start()
        setup = redis.Redis(port=server.port)
        setup.mset({f"acct:{i}": INITIAL for i in range(ACCOUNTS)})
        kill_time = None
        for cycle in range(args.cycles):
            if cycle > 0:
                server.start()
            problem = verify(server.port, ledger, kill_time, args)
            if problem:
                print(f"FAIL cycle {cycle}: {problem}\nseed {args.seed}; server log {log_path}\nreplay: {replay}")
                return 1
            stop = threading.Event()
            errors = []
            counters = [[0] for _ in range(6)]
            protocol = 3 if cycle % 2 == 0 else 2
            threads = [threading.Thread(target=unique_writer, args=(server.port, protocol, w, cycle, ledger, stop, counters[w], errors)) for w in range(3)]
            threads += [threading.Thread(target=transfer_writer, args=(server.port, protocol, w, rng.random(), stop, counters[3 + w], errors)) for w in range(3)]
            for thread in threads:
                thread.start()
            time.sleep(rng.uniform(0.3, 1.5))
            kill_time = time.monotonic()
            server.kill()
            kills += 1
            stop.set()
            for thread in threads:
                thread.join()
            if errors:
                print(f"FAIL cycle {cycle}: {errors[0]}\nseed {args.seed}; server log {log_path}\nreplay: {replay}")
                return 1
            writes += sum(c[0] for c in counters[:3])
            transfers += sum(c[0] for c in counters[3:])
        server.start()
        problem = verify(server.port, ledger, kill_time, args)
        if args.event_loops:
            server.stop()
        else:
            server.kill()
        if problem:
            print(f"FAIL final: {problem}\nseed {args.seed}; server log {log_path}\nreplay: {replay}")
            return 1
        loss = (f"{ledger.lost_within_window} lost within the async window (allowed)"
                if args.durability == "async" else "nothing lost")
        loops = f", {args.event_loops} event loop(s), graceful stop" if args.event_loops else ""
        print(f"crash loop ({args.durability}, codec {args.codec}, {args.lock_policy}{loops}): {kills} SIGKILLs, "
              f"{writes} acknowledged unique writes and {transfers} transfers verified; {loss}; seed {args.seed}")
        return 0
    except Exception as error:  # noqa: BLE001
        print(f"FAIL: {error}\nseed {args.seed}; server log {log_path}\nreplay: {replay}")
        return 1
    finally:
        if server.process and server.process.poll() is None:
            server.kill()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
