#!/usr/bin/env python3
"""One client's SET latency while the server does background work.

Sends --count SETs one at a time (each waits for its reply) and, --after seconds in, has a second
connection send --command (CHECKPOINT to mantisdb, BGREWRITEAOF to Redis). Prints one JSON line:
percentiles, the maximum, and every SET slower than --slow-ms with its start time relative to
the command (negative: before it was sent), and when (UTC) the command was sent, to match the
server's log.

    tail_latency.py --port 7479 --count 30000 --command CHECKPOINT
"""
import argparse
import json
import os
import threading
import time

import redis


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--count", type=int, default=30000)
    parser.add_argument("--command", default="CHECKPOINT")
    parser.add_argument("--after", type=float, default=1.0)
    parser.add_argument("--slow-ms", type=float, default=3.0)
    args = parser.parse_args()

    client = redis.Redis(port=args.port, protocol=2)
    value = os.urandom(50).hex()
    marks = {}

    def background():
        time.sleep(args.after)
        other = redis.Redis(port=args.port, protocol=2)
        marks["sent"] = time.perf_counter()
        marks["sent_at"] = time.strftime("%H:%M:%S", time.gmtime()) + f".{int(time.time() % 1 * 1000):03d}Z"
        other.execute_command(args.command)
        marks["answered"] = time.perf_counter()

    thread = threading.Thread(target=background)
    thread.start()
    latencies, slow = [], []
    for index in range(args.count):
        start = time.perf_counter()
        client.set(f"tail:{index}", value)
        elapsed = time.perf_counter() - start
        latencies.append(elapsed)
        if elapsed * 1000 > args.slow_ms:
            slow.append((start, elapsed))
    thread.join()
    latencies.sort()

    def percentile(p):
        return round(latencies[min(len(latencies) - 1, int(len(latencies) * p))] * 1000, 3)

    sent = marks["sent"]
    print(json.dumps({
        "command": args.command,
        "sent_at": marks["sent_at"],
        "command_ms": round((marks["answered"] - sent) * 1000),
        "sets": args.count,
        "p50_ms": percentile(0.50), "p99_ms": percentile(0.99), "p999_ms": percentile(0.999),
        "max_ms": round(latencies[-1] * 1000, 1),
        f"slower_than_{args.slow_ms:g}ms": [[round((s - sent) * 1000), round(e * 1000, 1)] for s, e in slow],
    }))


if __name__ == "__main__":
    main()
