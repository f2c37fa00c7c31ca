#!/usr/bin/env python3
"""MantisDB's RESP server against a real client: redis-py (8.x).

Usage: redis_py_suite.py --port N [--host H] [--protocol 2|3] [--password P] [--only SECTION ...]

Runs every section (or those named) against a running server and exits non-zero on the first
failure, printing what failed. With --password the server must require that password; the
`auth` section then checks NOAUTH / WRONGPASS / success, and every other section authenticates.
The server should hold no keys under the prefixes used here (a fresh server is simplest).
"""
import argparse
import socket
import sys
import threading
import time
import traceback

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

ARGS = None


def client(**extra):
    options = dict(host=ARGS.host, port=ARGS.port, protocol=ARGS.protocol, socket_timeout=30)
    if ARGS.password is not None:
        options["password"] = ARGS.password
    options.update(extra)
    return redis.Redis(**options)


def expect(condition, message):
    if not condition:
        raise AssertionError(message)


def expect_error(prefix, function, *args, **kwargs):
    try:
        function(*args, **kwargs)
    except redis.exceptions.ResponseError as error:
        expect(str(error).startswith(prefix), f"expected an error starting with {prefix!r}, got {str(error)!r}")
        return str(error)
    raise AssertionError(f"expected an error starting with {prefix!r}, got none")


def section_basics():
    r = client(decode_responses=True)
    expect(r.ping() is True, "PING")
    expect(r.echo("hello") == "hello", "ECHO")
    expect(r.set("b:k", "v1") is True, "SET")
    expect(r.get("b:k") == "v1", "GET")
    expect(r.set("b:k", "v2", nx=True) is None, "SET NX on an existing key")
    expect(r.set("b:k", "v2", xx=True, get=True) == "v1", "SET XX GET")
    expect(r.get("b:missing") is None, "GET of a missing key")
    expect(r.mset({"b:a": "1", "b:b": "2"}) is True, "MSET")
    expect(r.mget("b:a", "b:nope", "b:b") == ["1", None, "2"], "MGET")
    expect(r.exists("b:a", "b:b", "b:nope") == 2, "EXISTS")
    expect(r.incr("b:n") == 1 and r.incrby("b:n", 41) == 42, "INCR/INCRBY")
    expect(r.decr("b:n") == 41 and r.decrby("b:n", 40) == 1, "DECR/DECRBY")
    expect(r.append("b:a", "23") == 3 and r.strlen("b:a") == 3, "APPEND/STRLEN")
    expect(r.type("b:a") == "string" and r.type("b:nope") == "none", "TYPE")
    expect(r.delete("b:a", "b:b", "b:nope") == 2, "DEL")
    expect(r.dbsize() >= 2, "DBSIZE")
    expect_error("value is not an integer", r.incr, "b:k")
    expect_error("unknown command 'NOSUCH'", r.execute_command, "NOSUCH", "x")
    expect_error("SET option 'EX' is not supported", r.set, "b:t", "v", ex=10)
    expect(r.client_setname("suite") is True and r.client_getname() == "suite", "CLIENT SETNAME/GETNAME")
    expect(isinstance(r.client_id(), int), "CLIENT ID")
    binary = client()
    value = bytes(range(256)) * 4
    binary.set(b"b:\x00\xff", value)
    expect(binary.get(b"b:\x00\xff") == value, "binary-safe keys and values")
    hello = r.execute_command("HELLO", ARGS.protocol)
    if ARGS.protocol == 3:
        expect(hello.get("server") == "mantisdb" and hello.get("proto") == 3, f"HELLO 3: {hello}")
    expect(r.config_get("*") is not None, "CONFIG GET")


def section_pipeline():
    r = client(decode_responses=True)
    with r.pipeline(transaction=False) as pipe:
        for i in range(500):
            pipe.set(f"p:{i}", i)
            pipe.get(f"p:{i}")
        pipe.incr("p:counter")
        pipe.incr("p:not-a-number-after-set")
        results = pipe.execute(raise_on_error=False)
    expect(len(results) == 1002, f"{len(results)} results")
    for i in range(500):
        expect(results[2 * i] is True and results[2 * i + 1] == str(i), f"pipelined SET/GET {i}: {results[2 * i:2 * i + 2]}")
    expect(results[1000] == 1, "pipelined INCR")
    # A failing command in a pipeline fails alone.
    r.set("p:text", "abc")
    with r.pipeline(transaction=False) as pipe:
        pipe.set("p:x", 1).incr("p:text").set("p:y", 2)
        results = pipe.execute(raise_on_error=False)
    expect(results[0] is True and isinstance(results[1], redis.exceptions.ResponseError) and results[2] is True,
           f"an error inside a pipeline: {results}")
    expect(r.get("p:x") == "1" and r.get("p:y") == "2", "writes around a failed pipelined command")


def section_multi():
    r = client(decode_responses=True)
    with r.pipeline() as pipe:
        pipe.set("m:a", 1).incr("m:a").get("m:a")
        expect(pipe.execute() == [True, 2, "2"], "MULTI/EXEC via pipeline()")
    # WATCH conflict: another client changes the watched key before EXEC.
    other = client(decode_responses=True)
    r.set("m:w", "start")
    with r.pipeline() as pipe:
        pipe.watch("m:w")
        current = pipe.get("m:w")
        other.set("m:w", "changed")
        pipe.multi()
        pipe.set("m:w", current + "+mine")
        try:
            pipe.execute()
            raise AssertionError("EXEC after a WATCH conflict must fail with WatchError")
        except redis.exceptions.WatchError:
            pass
    expect(r.get("m:w") == "changed", "the conflicting EXEC wrote nothing")
    # The usual optimistic retry loop then succeeds.
    def bump(pipe):
        value = int(pipe.get("m:counter") or 0)
        pipe.multi()
        pipe.set("m:counter", value + 1)
    for _ in range(5):
        r.transaction(bump, "m:counter")
    expect(r.get("m:counter") == "5", "transaction() with WATCH")


def interactive_client():
    return client(decode_responses=True, single_connection_client=True)


def section_interactive():
    for level in (["READ", "COMMITTED"], ["SNAPSHOT"], ["SERIALIZABLE"]):
        key = "i:" + "-".join(level)
        a = interactive_client()
        b = interactive_client()
        expect(a.execute_command("BEGIN", *level) == "OK", f"BEGIN {level}")
        a.set(key, "1")
        expect(a.incr(key) == 2, "INCR inside the transaction")
        expect(a.get(key) == "2", "reads see the transaction's own writes")
        expect(b.get(key) is None, "others do not see uncommitted writes")
        expect(a.execute_command("COMMIT") == "OK", "COMMIT")
        expect(b.get(key) == "2", "others see committed writes")
        expect(a.execute_command("BEGIN", *level) == "OK", "BEGIN")
        a.set(key, "rolled back")
        expect(a.execute_command("ROLLBACK") == "OK", "ROLLBACK")
        expect(b.get(key) == "2", "ROLLBACK leaves nothing")
        a.close()
        b.close()


def section_serialization():
    a = interactive_client()
    b = interactive_client()
    b.set("s:x", "0")
    a.execute_command("BEGIN", "SNAPSHOT")
    a.get("s:x")
    b.set("s:x", "other")
    expect_error("SERIALIZATION", a.set, "s:x", "mine")
    a.execute_command("ROLLBACK")
    a.execute_command("BEGIN", "SERIALIZABLE")
    a.get("s:x")
    a.set("s:y", "derived")
    b.set("s:x", "changed")
    expect_error("SERIALIZATION", a.execute_command, "COMMIT")
    expect(b.get("s:y") is None, "a failed serializable commit wrote nothing")


def section_deadlock():
    a = interactive_client()
    b = interactive_client()
    outcome = {}

    def run(name, me, first, second):
        attempts = 0
        while True:
            attempts += 1
            try:
                me.execute_command("BEGIN", "SNAPSHOT")
                me.set(first, name)
                if attempts == 1:
                    barrier.wait(timeout=30)  # both hold their first key: now cross over
                me.set(second, name)
                me.execute_command("COMMIT")
                outcome[name] = attempts
                return
            except redis.exceptions.ResponseError as error:
                text = str(error)
                if not (text.startswith("DEADLOCK") or text.startswith("SERIALIZATION")):
                    outcome[name] = text
                    return
                outcome.setdefault("errors", []).append(text)
                me.execute_command("ROLLBACK")
                time.sleep(0.02)

    barrier = threading.Barrier(2)
    threads = [threading.Thread(target=run, args=("a", a, "d:1", "d:2")),
               threading.Thread(target=run, args=("b", b, "d:2", "d:1"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    expect(isinstance(outcome.get("a"), int) and isinstance(outcome.get("b"), int), f"both finally committed: {outcome}")
    errors = outcome.get("errors", [])
    expect(any(e.startswith("DEADLOCK") for e in errors), f"one side was aborted with DEADLOCK: {errors}")
    check = client(decode_responses=True)
    expect(check.get("d:1") == check.get("d:2"), "the later transaction wrote both keys")


def section_malformed():
    bystander = client(decode_responses=True)
    bystander.set("x:k", "v")
    sock = socket.create_connection((ARGS.host, ARGS.port), timeout=10)
    sock.sendall(b"*1\r\n$4\r\nPING\r\n*1\r\n:5\r\n")
    received = b""
    while True:
        chunk = sock.recv(4096)
        if not chunk:
            break
        received += chunk
    expect(received.startswith(b"+PONG\r\n-ERR Protocol error: "), f"reply before the close: {received!r}")
    sock.close()
    expect(bystander.get("x:k") == "v", "other clients are unaffected")


def section_auth():
    expect(ARGS.password is not None, "the auth section needs --password")
    # Without credentials every command but AUTH/HELLO/QUIT is refused with NOAUTH (PING too, as Redis)
    # (redis-py's connect already sends CLIENT SETINFO, so it fails there, as against Redis).
    # (No retries: redis-py retries connection errors, and a refused AUTH is one, with backoff.)
    anonymous = redis.Redis(host=ARGS.host, port=ARGS.port, protocol=2, decode_responses=True, retry=Retry(NoBackoff(), 0))
    try:
        anonymous.get("a:k")
        raise AssertionError("GET before AUTH must fail")
    except redis.exceptions.AuthenticationError as error:
        expect("Authentication required" in str(error), str(error))
    raw = socket.create_connection((ARGS.host, ARGS.port), timeout=10)
    raw.sendall(b"PING\r\nGET a:k\r\n")
    received = b""
    while received.count(b"\r\n") < 2:
        received += raw.recv(4096)
    expect(received == b"-NOAUTH Authentication required.\r\n-NOAUTH Authentication required.\r\n",
           f"raw replies before AUTH: {received!r}")
    raw.close()
    try:
        redis.Redis(host=ARGS.host, port=ARGS.port, protocol=ARGS.protocol, password="wrong",
                    retry=Retry(NoBackoff(), 0)).ping()
        raise AssertionError("a wrong password must be refused")
    except redis.exceptions.AuthenticationError:
        pass
    r = client(decode_responses=True)
    expect(r.set("a:k", "v") is True and r.get("a:k") == "v", "authenticated commands")


def section_scan():
    r = client(decode_responses=True)
    with r.pipeline(transaction=False) as pipe:
        for i in range(1000):
            pipe.set(f"scan:{i}", "v")
        pipe.execute()
    keys = list(r.scan_iter(match="scan:*", count=50))
    expect(len(keys) == 1000, f"{len(keys)} keys")
    expect(len(set(keys)) == 1000, "each key exactly once")
    cursor, page = r.scan(0, match="scan:*", count=10)
    expect(isinstance(cursor, int) and cursor != 0 and len(page) <= 10, "decimal cursors")


def section_info():
    r = client(decode_responses=True)
    info = r.info()
    expect(info.get("role") == "master" and info.get("connected_slaves") == 0, "INFO replication")
    expect(isinstance(info.get("connected_clients"), int) and info["connected_clients"] >= 1, "INFO clients")
    persistence = r.info("persistence")
    for field in ("wal_durable_lsn", "wal_last_lsn", "wal_fsyncs", "last_checkpoint_lsn"):
        expect(field in persistence, f"INFO persistence has {field}: {persistence}")
    expect(persistence["wal_durable_lsn"] >= 1, "writes were made durable")
    stats = r.info("stats")
    expect(stats.get("total_commands_processed", 0) > 0 and "txn_commits" in stats, "INFO stats")
    expect(r.execute_command("WALSYNC") in (True, "OK"), "WALSYNC")


SECTIONS = {
    "basics": section_basics,
    "pipeline": section_pipeline,
    "multi": section_multi,
    "interactive": section_interactive,
    "serialization": section_serialization,
    "deadlock": section_deadlock,
    "malformed": section_malformed,
    "auth": section_auth,
    "scan": section_scan,
    "info": section_info,
}


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--protocol", type=int, choices=(2, 3), default=3)
    parser.add_argument("--password")
    parser.add_argument("--only", nargs="*")
    ARGS = parser.parse_args()
    names = ARGS.only or [name for name in SECTIONS if name != "auth" or ARGS.password is not None]
    print(f"redis-py {redis.__version__}, RESP{ARGS.protocol}, port {ARGS.port}")
    for name in names:
        started = time.monotonic()
        try:
            SECTIONS[name]()
        except Exception:
            print(f"FAIL {name}")
            traceback.print_exc()
            sys.exit(1)
        print(f"ok {name} ({(time.monotonic() - started) * 1000:.0f} ms)")
    print(f"all {len(names)} sections passed")


if __name__ == "__main__":
    main()
