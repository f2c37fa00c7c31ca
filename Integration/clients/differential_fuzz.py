#!/usr/bin/env python3
"""Seeded, randomized differential test: MantisDB's RESP server against redis-server.

Usage:
  differential_fuzz.py --mantis-port 7491 --redis-port 7493 [--seeds 0-199] [--commands 200]
                       [--resp3-every 3] [--pipeline-prob 0.1] [--stop-on-first] [--malformed]

For each seed it generates a random command sequence over a small key space (keys chosen so
that glob patterns have something to bite on), sends the same raw bytes to both servers over
two connections each (so WATCH sees another client's writes), and compares the replies one by
one, exactly (type and bytes), after normalizing what differs by design (KEYS order; HELLO).
Every third seed (by default) both connections switch to RESP3 first (HELLO 3).

Before each seed the whole key pool is deleted on both servers (MantisDB has no FLUSHALL).
The first difference of a seed is printed with the command and both replies; the run goes on
with the next seed. `--malformed` also sends malformed protocol input to both servers, each on a
fresh connection, and compares the reply and whether the connection was closed.

Documented deviations (Docs/resp-server.md) are not generated: expiry options, SELECT of other
databases, SCAN's cursors (only whole-keyspace scans), HELLO's body, CLIENT ids, BEGIN/COMMIT;
COMMAND, CONFIG and INFO replies are compared where they can agree (`introspection_cmd`).
Only the Python standard library is needed: the RESP encoder and decoder are our own, so that
the exact reply types and bytes are compared.
"""
import argparse
import random
import socket
import sys
import time

# ---------------------------------------------------------------------------------------------
# RESP encoding / decoding


def encode(args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        if isinstance(a, str):
            a = a.encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


class Closed(Exception):
    pass


class Timeout(Exception):
    pass


class Conn:
    def __init__(self, port, timeout=5.0):
        self.port = port
        self.timeout = timeout
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.closed = False

    def send(self, data):
        try:
            self.sock.sendall(data)
        except OSError:
            self.closed = True
            raise Closed()

    def _fill(self):
        try:
            chunk = self.sock.recv(1 << 16)
        except socket.timeout:
            raise Timeout()
        except OSError:
            self.closed = True
            raise Closed()
        if not chunk:
            self.closed = True
            raise Closed()
        self.buf += chunk

    def _line(self):
        while True:
            i = self.buf.find(b"\r\n")
            if i >= 0:
                line = self.buf[:i]
                self.buf = self.buf[i + 2:]
                return line
            self._fill()

    def _exact(self, n):
        while len(self.buf) < n + 2:
            self._fill()
        data = self.buf[:n]
        if self.buf[n:n + 2] != b"\r\n":
            raise ValueError("bulk not followed by CRLF")
        self.buf = self.buf[n + 2:]
        return data

    def read(self):
        """One reply as a tagged tree: (type char, value)."""
        line = self._line()
        if not line:
            raise ValueError("empty reply line")
        t = chr(line[0])
        rest = line[1:]
        if t in "+-":
            return (t, rest)
        if t == ":":
            return (t, int(rest))
        if t == "(":
            return (t, rest)
        if t == ",":
            return (t, rest)
        if t == "#":
            return (t, rest)
        if t == "_":
            return (t, None)
        if t in "$!=":
            n = int(rest)
            if n < 0:
                return (t, None)
            return (t, self._exact(n))
        if t in "*~>":
            n = int(rest)
            if n < 0:
                return (t, None)
            return (t, [self.read() for _ in range(n)])
        if t == "%" or t == "|":
            n = int(rest)
            return (t, [(self.read(), self.read()) for _ in range(n)])
        raise ValueError("unknown reply type %r in %r" % (t, line))

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass
        self.closed = True


def show(reply):
    if isinstance(reply, str):
        return reply
    t, v = reply
    if t in "*~>":
        if v is None:
            return t + "-1"
        return t + "[" + ", ".join(show(x) for x in v) + "]"
    if t in "%|":
        return t + "{" + ", ".join(show(k) + ": " + show(x) for k, x in v) + "}"
    if isinstance(v, bytes):
        s = repr(v)
        if len(s) > 200:
            s = s[:200] + "...(%d bytes)" % len(v)
        return t + s
    return t + repr(v)


def show_cmd(args):
    parts = []
    for a in args:
        if isinstance(a, str):
            a = a.encode()
        r = repr(a)[1:]
        if len(r) > 80:
            r = r[:80] + "...(%d bytes)'" % len(a)
        parts.append(r)
    return " ".join(parts)


# ---------------------------------------------------------------------------------------------
# Generation

KEY_POOL = [b"a", b"b", b"ab", b"a-b", b"_x", b"]", b"^", b"[k]", b"a\\b", b"a*", b"a?c",
            b"\xff\x00bin", b"k:1", b"k:2", b"K:1", b"-", b"`", b"\\", b"c", b"abc"]

INT_STRINGS = [b"0", b"1", b"-1", b"42", b"-42", b"9223372036854775807", b"-9223372036854775808",
               b"9223372036854775806", b"-9223372036854775807", b"9223372036854775808",
               b"-9223372036854775809", b"18446744073709551616", b"99999999999999999999",
               b"-99999999999999999999", b"+5", b" 5", b"5 ", b"0x10", b"007", b"-0", b"00",
               b"1e3", b"3.0", b"", b"-", b"+", b"12abc", b"\x001", b"1\x00",
               b"4611686018427387904", b"-4611686018427387904", b"100", b"-100",
               b"12345678901234567890", b"1234567890123456789", b"01", b"-01", b"\t1", b"1\r\n"]

GLOBS = [b"*", b"a*", b"?", b"??", b"[a-c]", b"[a-c]*", b"[c-a]", b"[^a]", b"[^a]*", b"a\\*", b"a\\?c",
         b"\\", b"a\\", b"[", b"[a", b"[a-", b"[a-]", b"[-]", b"[]", b"[^]", b"[]a]", b"[\\]]", b"[\\",
         b"k:[12]", b"k:?", b"*:*", b"[kK]:1", b"a?c", b"a[*]", b"a[?]c", b"*b", b"**", b"*a*b*",
         b"[!a]", b"\\[k\\]", b"[[]k]", b"[a-b-c]", b"[\\-]", b"[_-a]", b"[a-_]", b"]", b"^", b"*\\",
         b"[^-]", b"-", b"[]-a]", b"[a\\-c]", b"\xff*", b"*\x00*", b"", b"a\\b", b"a\\\\b", b"[ab"]


class Gen:
    def __init__(self, rng, keys, txn_weight=1):
        self.r = rng
        self.keys = keys
        self.txn_weight = txn_weight

    def key(self):
        r = self.r
        if r.random() < 0.03:
            return r.choice(KEY_POOL)  # occasionally outside this seed's key set
        return r.choice(self.keys)

    def value(self):
        r = self.r
        x = r.random()
        if x < 0.35:
            return r.choice(INT_STRINGS)
        if x < 0.5:
            return str(r.randint(-1000, 1000)).encode()
        if x < 0.6:
            return str(r.choice([2 ** 63 - 1 - r.randint(0, 5), -2 ** 63 + r.randint(0, 5),
                                 r.randint(-2 ** 63, 2 ** 63 - 1)])).encode()
        if x < 0.7:
            return b""
        if x < 0.8:
            return bytes(r.randint(0, 255) for _ in range(r.randint(1, 12)))
        if x < 0.85:
            return bytes(r.choice(b"ab\r\n\x00 ") for _ in range(r.randint(1, 8)))
        if x < 0.9:
            return (r.choice([b"x", b"ab", b"\x00\xff"]) * r.randint(100, 5000))
        return r.choice([b"hello", b"world", b"v", b"OK", b"nil", b"QUEUED", b"-ERR x", b"+OK"])

    def name(self, n):
        r = self.r
        x = r.random()
        if x < 0.8 or not isinstance(n, str):
            return n
        if x < 0.93:
            return n.lower()
        return "".join(c.upper() if r.random() < 0.5 else c.lower() for c in n)

    def arity_noise(self, args):
        """Wrong number of arguments, now and then."""
        r = self.r
        if r.random() < 0.04:
            if len(args) > 1 and r.random() < 0.5:
                return args[:r.randint(1, len(args) - 1)]
            return args + [self.value() for _ in range(r.randint(1, 3))]
        return args

    def command(self):
        r = self.r
        k = self.key
        v = self.value
        choices = [
            (10, lambda: ["GET", k()]),
            (10, self.set_cmd),
            (3, lambda: ["SETNX", k(), v()]),
            (3, lambda: ["GETSET", k(), v()]),
            (3, lambda: ["GETDEL", k()]),
            (4, lambda: ["DEL"] + [k() for _ in range(r.randint(1, 4))]),
            (2, lambda: ["UNLINK"] + [k() for _ in range(r.randint(1, 3))]),
            (3, lambda: ["EXISTS"] + [k() for _ in range(r.randint(1, 4))]),
            (3, lambda: ["MGET"] + [k() for _ in range(r.randint(1, 5))]),
            (3, self.mset_cmd),
            (5, lambda: ["INCR", k()]),
            (3, lambda: ["DECR", k()]),
            (5, lambda: ["INCRBY", k(), self.increment()]),
            (4, lambda: ["DECRBY", k(), self.increment()]),
            (4, lambda: ["APPEND", k(), v()]),
            (3, lambda: ["STRLEN", k()]),
            (3, lambda: ["TYPE", k()]),
            (2, lambda: ["DBSIZE"]),
            (4, lambda: ["KEYS", r.choice(GLOBS) if r.random() < 0.85 else self.random_glob()]),
            (1, lambda: ["ECHO", v()]),
            (1, lambda: ["PING"] + ([v()] if r.random() < 0.5 else [])),
            (3 * self.txn_weight, lambda: ["MULTI"]),
            (3 * self.txn_weight, lambda: ["EXEC"]),
            (1 * self.txn_weight, lambda: ["DISCARD"]),
            (2 * self.txn_weight, lambda: ["WATCH"] + [k() for _ in range(r.randint(1, 3))]),
            (1 * self.txn_weight, lambda: ["UNWATCH"]),
            (1, self.select_cmd),
            (self.txn_weight, lambda: ["CLIENT", "SETNAME", r.choice([b"n1", b"n2", b"a b", b""])]),
            (self.txn_weight, lambda: ["CLIENT", "GETNAME"]),
            (0.3, lambda: ["RESET"]),
            # No password on either server: AUTH <password> is an error, the default user with any
            # password succeeds, another user is refused; queued inside MULTI as Redis does.
            (0.5 * self.txn_weight, lambda: ["AUTH"] + r.choice([[b"x"], [b"default", b"x"], [b"u", b"p"], [b"a", b"b", b"c"]])),
            (0.3, lambda: ["HELLO", r.choice([b"2", b"3"])] if r.random() < 0.9 else ["HELLO", r.choice([b"4", b"x", b"1"])]),
            (1, self.unknown_cmd),
            (1, self.wrong_arity_cmd),
            (3, self.introspection_cmd),
        ]
        total = sum(w for w, _ in choices)
        x = r.uniform(0, total)
        for w, f in choices:
            x -= w
            if x <= 0:
                args = f()
                break
        else:
            args = choices[0][1]()
        args[0] = self.name(args[0])
        plain = ("MULTI", "EXEC", "DISCARD", "UNWATCH", "DBSIZE", "COMMAND", "CONFIG", "INFO", "SCAN")
        return self.arity_noise(args) if str(args[0]).upper() not in plain else args

    def increment(self):
        r = self.r
        if r.random() < 0.6:
            return r.choice(INT_STRINGS)
        return str(r.choice([r.randint(-10, 10), r.randint(-2 ** 63, 2 ** 63 - 1),
                             2 ** 63 - 1, -2 ** 63, 2 ** 62])).encode()

    def set_cmd(self):
        r = self.r
        args = ["SET", self.key(), self.value()]
        if r.random() < 0.5:
            opts = [b"NX", b"XX", b"GET", b"nx", b"xx", b"get", b"Get", b"FOO", b"NXX", b"", b"G\x00ET", b"PERSIST"]
            weights = [5, 5, 5, 2, 2, 2, 1, 1, 1, 1, 1, 1]
            for _ in range(r.randint(1, 3)):
                args.append(r.choices(opts, weights)[0])
        return args

    def mset_cmd(self):
        r = self.r
        n = r.randint(1, 4)
        args = ["MSET"]
        for _ in range(n):
            args += [self.key(), self.value()]
        if r.random() < 0.1:
            args.append(self.key())  # odd count
        return args

    def select_cmd(self):
        return ["SELECT", self.r.choice([b"0", b"-1", b"16", b"abc", b"00", b"+0", b" 0", b"99999999999999999999", b""])]

    def random_glob(self):
        r = self.r
        return bytes(r.choice(b"ab-_[]^*?\\k:c") for _ in range(r.randint(0, 7)))

    def unknown_cmd(self):
        r = self.r
        name = r.choice([b"FOO", b"gett", b"", b"SETT", b"\xff\xfe", b"multi2", b"GET\x00", b"a b",
                         b"x" * 200, b"cmd\r\nX", b"\xc3\xa9t\xc3\xa9"])
        args = [name] + [r.choice([self.value(), self.key(), b"x" * r.randint(100, 200),
                                   "é".encode() * r.randint(1, 80)])
                         for _ in range(r.randint(0, 4))]
        return args

    def introspection_cmd(self):
        """COMMAND, CONFIG, CLIENT, INFO keyspace and SCAN, as far as their replies are comparable:
        the errors of unknown subcommands and wrong argument counts (which MULTI must refuse
        while queuing), `INFO keyspace`'s db0 line and a whole-keyspace SCAN's keys. Other replies
        (the command table, the configuration, client lists) differ by design and are compared
        only for being errors or not (`normalize`)."""
        r = self.r
        x = r.random()
        if x < 0.3:
            sub = r.choice([None, b"COUNT", b"count", b"LIST", b"INFO", b"DOCS", b"HELP", b"FOO", b"getkey"])
            if sub is None:
                return ["COMMAND"]
            extra = 0 if sub == b"LIST" else r.choice([0, 0, 1, 2])
            return ["COMMAND", sub] + [r.choice([b"get", b"set", b"nosuch"]) for _ in range(extra)]
        if x < 0.55:
            counts = {b"GET": [0, 1, 2], b"get": [0, 1], b"SET": [0, 1], b"RESETSTAT": [1, 2], b"REWRITE": [1],
                      b"HELP": [0, 1], b"FOO": [0, 1]}
            sub = r.choice(sorted(counts))
            return ["CONFIG", sub] + [r.choice([b"maxmemory", b"*", b"nosuch"]) for _ in range(r.choice(counts[sub]))]
        if x < 0.75:
            sub, n = r.choice([(b"GETNAME", 1), (b"SETNAME", 0), (b"SETNAME", 2), (b"ID", 1), (b"HELP", 0),
                               (b"HELP", 1), (b"NOPE", 0), (b"kill2", 1)])
            return ["CLIENT", sub] + [b"x"] * n
        if x < 0.87:
            return ["INFO", "keyspace"]
        return ["SCAN", "0", "COUNT", "1000"] + (["MATCH", r.choice(GLOBS)] if r.random() < 0.5 else [])

    def wrong_arity_cmd(self):
        r = self.r
        table = {"GET": [1], "SET": [1, 2], "SETNX": [1, 2, 4], "GETSET": [1, 2, 4], "GETDEL": [1, 3],
                 "DEL": [1], "UNLINK": [1], "EXISTS": [1], "MGET": [1], "MSET": [1, 2, 4, 6],
                 "INCR": [1, 3], "INCRBY": [1, 2, 4], "DECR": [1, 3], "DECRBY": [1, 2, 4],
                 "APPEND": [1, 2, 4], "STRLEN": [1, 3], "TYPE": [1, 3], "DBSIZE": [2, 3], "KEYS": [1, 3],
                 "ECHO": [1, 3], "PING": [3, 4], "MULTI": [2], "EXEC": [2], "DISCARD": [2], "WATCH": [1],
                 "UNWATCH": [2], "SELECT": [1, 3], "QUIT": [], "RESET": [2]}
        name = r.choice(sorted(table))
        counts = table[name]
        if not counts:
            return ["PING"]
        n = r.choice(counts)
        return [self.name(name)] + [self.r.choice([self.key(), self.value()]) for _ in range(n - 1)]


# ---------------------------------------------------------------------------------------------
# Running


def normalize(cmd, reply, queued):
    """Replies that differ by design: KEYS order (hash order in Redis, key order here)."""
    name = cmd[0].upper() if isinstance(cmd[0], str) else cmd[0].decode("latin1").upper()
    if isinstance(reply, str):
        return reply
    t, v = reply
    if name == "HELLO" and t in "*%" and isinstance(v, list):
        # server, version and id differ by design: keep the type and the protocol
        items = v if t == "%" else list(zip(v[0::2], v[1::2]))
        return (t, [(k, x) for k, x in items if k[1] in (b"proto", b"mode", b"role", b"modules")])
    if name == "KEYS" and t in "*~" and isinstance(v, list):
        return (t, sorted(v, key=lambda e: repr(e)))
    if t == "-":
        return reply
    if name in ("COMMAND", "CONFIG") or (name == "CLIENT" and len(cmd) > 1 and arg_bytes(cmd[1]).upper() in (b"HELP", b"ID", b"INFO", b"LIST")):
        return ("not an error", b"")  # the command table, the configuration, client lists: by design
    if name == "INFO" and isinstance(v, bytes):
        return ("info", [line for line in v.split(b"\r\n") if line.startswith(b"db0:")])
    if name == "SCAN" and t in "*" and isinstance(v, list) and len(v) == 2 and isinstance(v[1][1], list):
        return ("scan", v[0], sorted(v[1][1], key=lambda e: repr(e)))
    if name == "EXEC" and t in "*" and isinstance(v, list) and queued is not None and len(queued) == len(v):
        return (t, [normalize(q, e, None) for q, e in zip(queued, v)])
    return reply


def cmd_name(cmd):
    return (cmd[0] if isinstance(cmd[0], bytes) else cmd[0].encode()).upper()


def arg_bytes(a):
    return a if isinstance(a, bytes) else a.encode()


# Known classes of difference (found by this fuzzer, see the report in the commit message).
# With --tolerate CLASS a difference of that class is counted (first example printed) and the
# seed goes on, so that the fuzzer can look past it for other differences.
def classify(cmd, m, r, queued=None):
    if cmd_name(cmd) == b"EXEC" and queued and isinstance(m, tuple) and isinstance(r, tuple) \
            and m[0] == r[0] == "*" and isinstance(m[1], list) and isinstance(r[1], list) \
            and len(m[1]) == len(r[1]) == len(queued):
        classes = set()
        for qc, me, re in zip(queued, m[1], r[1]):
            if me != re:
                classes.add(classify(qc, me, re))
        if len(classes) == 1:
            return classes.pop()
        return None
    if cmd_name(cmd) == b"CLIENT" and m == ("-", b"ERR 'client' is not allowed inside MULTI") \
            and isinstance(r, tuple) and r[1].startswith(b"ERR wrong number of arguments for 'client|"):
        return "client-arity-in-multi"
    if cmd_name(cmd) == b"SET" and any(arg_bytes(a).upper() == b"PERSIST" for a in cmd[3:]):
        return "set-persist"
    if cmd_name(cmd) == b"KEYS" and len(cmd) == 2 and b"-]" in arg_bytes(cmd[1]):
        return "glob-range-to-bracket"
    return None


class Side:
    """One server: two connections."""

    def __init__(self, port, label):
        self.port = port
        self.label = label
        self.conns = [Conn(port), Conn(port)]

    def reconnect(self, i):
        self.conns[i].close()
        self.conns[i] = Conn(self.port)

    def close(self):
        for c in self.conns:
            c.close()

    def run(self, i, cmds):
        """Sends cmds (a pipeline) on connection i; returns the replies (or 'CLOSED'/'TIMEOUT')."""
        c = self.conns[i]
        if c.closed:
            self.reconnect(i)
            c = self.conns[i]
        out = []
        try:
            c.send(b"".join(encode(a) for a in cmds))
        except Closed:
            return ["CLOSED"] * len(cmds)
        for _ in cmds:
            try:
                out.append(c.read())
            except Closed:
                out.append("CLOSED")
                break
            except Timeout:
                out.append("TIMEOUT")
                c.close()
                break
            except ValueError as e:
                out.append("BADREPLY:%s" % e)
                c.close()
                break
        while len(out) < len(cmds):
            out.append(out[-1])
        return out


def clear(side, conn_index=0):
    """Deletes every key (KEYS *, then DEL): MantisDB has no FLUSHALL."""
    keys = side.run(conn_index, [["KEYS", "*"]])[0]
    if isinstance(keys, str) or keys[0] not in "*~":
        return [keys]
    names = [e[1] for e in keys[1]]
    return side.run(conn_index, [["DEL"] + (names or KEY_POOL)])


class Fuzzer:
    def __init__(self, args):
        self.args = args
        self.mantis = Side(args.mantis_port, "mantis")
        self.redis = Side(args.redis_port, "redis")
        self.commands = 0
        self.diffs = []
        self.tolerated = {}

    def reset_sides(self):
        for s in (self.mantis, self.redis):
            for i in range(2):
                s.reconnect(i)
        self.redis.run(0, [["FLUSHALL"]])
        r = clear(self.mantis)
        if r[0] == "CLOSED" or r[0][0] == "-":
            raise RuntimeError("cannot clear MantisDB: %s" % show(r[0]))

    def run_seed(self, seed):
        rng = random.Random(seed)
        self.reset_sides()
        keys = rng.sample(KEY_POOL, 6)
        txn_heavy = seed % 4 == 2
        gen = Gen(rng, keys, 3 if txn_heavy else 1)
        resp3 = self.args.resp3_every > 0 and seed % self.args.resp3_every == 1
        if resp3:
            for i in range(2):
                m = self.mantis.run(i, [["HELLO", "3"]])[0]
                rr = self.redis.run(i, [["HELLO", "3"]])[0]
                if m[0] != rr[0]:
                    return self.report(seed, -1, i, ["HELLO", "3"], m, rr, [])
        history = []
        queued = [None, None]  # per connection: list of queued commands, or None outside MULTI
        n = 0
        while n < self.args.commands:
            i = 0 if rng.random() < (0.6 if txn_heavy else 0.75) else 1
            if rng.random() < self.args.pipeline_prob:
                batch = [gen.command() for _ in range(rng.randint(2, 8))]
            else:
                batch = [gen.command()]
            if rng.random() < 0.005:
                batch.append(["QUIT"])
            # HELLO inside MULTI is refused by MantisDB by design (documented): only send it
            # alone, outside MULTI.
            if len(batch) > 1 or queued[i] is not None:
                batch = [c if str(c[0]).upper() != "HELLO" else ["PING"] for c in batch]
            mr = self.mantis.run(i, batch)
            rr = self.redis.run(i, batch)
            for cmd, m, r in zip(batch, mr, rr):
                n += 1
                self.commands += 1
                history.append((i, cmd))
                up = cmd[0].upper() if isinstance(cmd[0], str) else cmd[0].decode("latin1").upper()
                q = queued[i]
                nm = normalize(cmd, m, q)
                nr = normalize(cmd, r, q)
                if nm != nr:
                    cls = classify(cmd, nm, nr, q)
                    if cls is not None and (cls in self.args.tolerate or "all" in self.args.tolerate):
                        self.tolerated[cls] = self.tolerated.get(cls, 0) + 1
                        if self.tolerated[cls] == 1:
                            print("tolerated difference [%s], first seen at seed %d: %s\n  mantis: %s\n  redis : %s"
                                  % (cls, seed, show_cmd(cmd), show(m), show(r)))
                    else:
                        return self.report(seed, n, i, cmd, m, r, history, resp3)
                # mirror the MULTI state from Redis' replies
                if isinstance(r, str):
                    queued[i] = None
                    continue
                if up == "MULTI" and r == ("+", b"OK"):
                    queued[i] = []
                elif up in ("EXEC", "QUIT") or (up == "DISCARD" and r == ("+", b"OK")) or (up == "RESET" and r == ("+", b"RESET")):
                    queued[i] = None
                elif q is not None and r == ("+", b"QUEUED"):
                    q.append(cmd)
            if resp3:
                for j in range(2):
                    if self.mantis.conns[j].closed or self.redis.conns[j].closed:
                        # a reconnect is RESP2 again on both sides; switch back to RESP3
                        if self.mantis.conns[j].closed:
                            self.mantis.reconnect(j)
                        if self.redis.conns[j].closed:
                            self.redis.reconnect(j)
                        self.mantis.run(j, [["HELLO", "3"]])
                        self.redis.run(j, [["HELLO", "3"]])
                        queued[j] = None
        # Final state: every key of the pool, byte for byte.
        mr = self.mantis.run(0, [["MGET"] + KEY_POOL, ["DBSIZE"]])
        rr = self.redis.run(0, [["MGET"] + KEY_POOL, ["DBSIZE"]])
        if mr != rr and not (self.mantis.conns[0].closed or self.redis.conns[0].closed):
            return self.report(seed, n, 0, ["MGET", "<pool>"], mr, rr, history, resp3)
        return True

    def report(self, seed, n, conn, cmd, m, r, history, resp3=False):
        self.diffs.append((seed, cmd, m, r))
        print("=" * 100)
        print("seed %d%s: command #%d on connection %d differs" % (seed, " (RESP3)" if resp3 else "", n, conn))
        print("  command: %s" % show_cmd(cmd))
        if isinstance(m, list):
            print("  mantis : %s" % [show(x) for x in m])
            print("  redis  : %s" % [show(x) for x in r])
        else:
            print("  mantis : %s" % show(m))
            print("  redis  : %s" % show(r))
        if self.args.verbose:
            print("  last commands:")
            for c, h in history[-self.args.verbose:]:
                print("    [%d] %s" % (c, show_cmd(h)))
        sys.stdout.flush()
        return False


# ---------------------------------------------------------------------------------------------
# Malformed input

MALFORMED = [
    ("bad multibulk length", b"*abc\r\n"),
    ("negative multibulk length", b"*-5\r\nPING\r\n"),
    ("*-1 then ping", b"*-1\r\n*1\r\n$4\r\nPING\r\n"),
    ("*0 then ping", b"*0\r\n*1\r\n$4\r\nPING\r\n"),
    ("huge multibulk length", b"*99999999999\r\n"),
    ("multibulk length just over 1M", b"*1048577\r\n"),
    ("multibulk length 1M", b"*1048576\r\n$4\r\nPING\r\n"),
    ("bad bulk length", b"*1\r\n$abc\r\n"),
    ("negative bulk length", b"*1\r\n$-1\r\n"),
    ("negative bulk length -5", b"*1\r\n$-5\r\n"),
    ("huge bulk length", b"*1\r\n$99999999999\r\n"),
    ("bulk length over 512MB", b"*1\r\n$536870913\r\n"),
    ("missing $", b"*1\r\n:4\r\nPING\r\n"),
    ("missing CRLF after bulk", b"*1\r\n$4\r\nPINGXX*1\r\n$4\r\nPING\r\n"),
    ("LF only after bulk", b"*1\r\n$4\r\nPING\n*1\r\n$4\r\nPING\r\n"),
    ("LF only after multibulk header", b"*1\n$4\r\nPING\r\n"),
    ("bulk header with + sign", b"*1\r\n$+4\r\nPING\r\n"),
    ("multibulk header with + sign", b"*+1\r\n$4\r\nPING\r\n"),
    ("multibulk header with space", b"* 1\r\n$4\r\nPING\r\n"),
    ("bulk header with leading zero", b"*1\r\n$04\r\nPING\r\n"),
    ("multibulk header with leading zero", b"*01\r\n$4\r\nPING\r\n"),
    ("empty multibulk count", b"*\r\n$4\r\nPING\r\n"),
    ("empty bulk count", b"*1\r\n$\r\nPING\r\n"),
    ("bulk -0", b"*1\r\n$-0\r\n\r\n"),
    ("multibulk -0", b"*-0\r\n*1\r\n$4\r\nPING\r\n"),
    ("inline ping", b"PING\r\n"),
    ("inline ping LF", b"PING\n"),
    ("inline empty lines", b"\r\n\r\n\nPING\r\n"),
    ("inline echo quoted", b'ECHO "hello world"\r\n'),
    ("inline echo single quoted", b"ECHO 'it''s'\r\n"),
    ("inline echo escapes", b'ECHO "a\\x41\\n\\t\\"b"\r\n'),
    ("inline echo bad hex", b'ECHO "\\x4g"\r\n'),
    ("inline unbalanced double", b'ECHO "abc\r\n'),
    ("inline unbalanced single", b"ECHO 'abc\r\n"),
    ("inline quote then text", b'ECHO "abc"def\r\n'),
    ("inline single quote then text", b"ECHO 'abc'def\r\n"),
    ("inline escaped single quote", b"ECHO 'a\\'b'\r\n"),
    ("inline text then quote", b'ECHO ab"cd"\r\n'),
    ("inline tabs", b"ECHO\ta\t\r\n"),
    ("inline set get", b"SET inl 'x y'\r\nGET inl\r\nDEL inl\r\n"),
    ("inline empty quoted arg", b'ECHO ""\r\n'),
    ("inline only spaces", b"   \r\nPING\r\n"),
    ("inline CR only", b"PING\rPING\r\n"),
    ("inline unknown", b"FOO bar\r\n"),
    ("inline with NUL", b"ECHO a\x00b\r\n"),
    ("inline long 70k", b"ECHO " + b"x" * 70000 + b"\r\n"),
    ("inline 70k without newline", b"x" * 70000),
    ("multibulk header line 70k", b"*" + b"1" * 70000),
    ("bulk mixed with inline", b"*1\r\n$4\r\nPING\r\nPING\r\n"),
    ("array inside array", b"*1\r\n*1\r\n$4\r\nPING\r\n"),
    ("integer for arg", b"*2\r\n$4\r\nECHO\r\n:5\r\n"),
    ("bulk too short", b"*1\r\n$5\r\nPING\r\n"),
    ("just CRLF", b"\r\n"),
    ("resp3 type as command", b"%1\r\n$4\r\nPING\r\n"),
    ("inline starting with $", b"$4\r\nPING\r\n"),
    ("inline starting with :", b":1\r\n"),
    ("inline quoted command name", b'"PING"\r\n'),
    ("inline \\\" in single", b"ECHO 'a\\\"b'\r\n"),
    ("inline trailing backslash in double", b'ECHO "abc\\"\r\n'),
    ("inline lowercase hex", b'ECHO "\\xff\\xAb"\r\n'),
    ("multibulk 2 with 1 arg then ping", b"*2\r\n$4\r\nECHO\r\n"),
    ("bulk len 19 digits", b"*1\r\n$1000000000000000000\r\n"),
    ("bulk len 20 digits", b"*1\r\n$10000000000000000000\r\n"),
    ("multibulk 19 digits", b"*1000000000000000000\r\n"),
]


def probe(port, payload, wait=0.5):
    """Sends payload on a fresh connection, then (if still open) PING; returns the replies and
    whether the connection was closed."""
    c = Conn(port, timeout=2.0)
    replies = []
    try:
        c.send(payload)
    except Closed:
        return ["CLOSED"], True
    deadline = time.time() + wait
    c.sock.settimeout(wait)
    while True:
        try:
            replies.append(c.read())
        except Timeout:
            break
        except Closed:
            c.close()
            return replies, True
        except ValueError as e:
            replies.append("BADREPLY:%s" % e)
            break
        if time.time() > deadline:
            break
    # is it still open? send a PING marker
    try:
        c.send(b"*2\r\n$4\r\nECHO\r\n$6\r\nMARKER\r\n")
        c.sock.settimeout(1.0)
        while True:
            rep = c.read()
            replies.append(rep)
            if rep == ("$", b"MARKER"):
                break
    except (Closed, Timeout):
        c.close()
        return replies, True
    except ValueError as e:
        replies.append("BADREPLY:%s" % e)
    c.close()
    return replies, False


def run_malformed(args):
    differences = 0
    for name, payload in MALFORMED:
        m, mclosed = probe(args.mantis_port, payload)
        r, rclosed = probe(args.redis_port, payload)
        same = (m == r and mclosed == rclosed)
        if not same:
            differences += 1
        print("%s %-40s" % ("  same" if same else "DIFFER", name))
        if not same or args.verbose:
            print("     mantis (closed=%s): %s" % (mclosed, [show(x) for x in m]))
            print("     redis  (closed=%s): %s" % (rclosed, [show(x) for x in r]))
    # both servers still alive?
    for label, port in (("mantis", args.mantis_port), ("redis", args.redis_port)):
        c = Conn(port)
        c.send(encode(["PING"]))
        print("%s alive after malformed input: %s" % (label, show(c.read())))
        c.close()
    return differences


def parse_seeds(text):
    seeds = []
    for part in text.split(","):
        if "-" in part:
            a, b = part.split("-")
            seeds.extend(range(int(a), int(b) + 1))
        else:
            seeds.append(int(part))
    return seeds


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--mantis-port", type=int, default=7491)
    p.add_argument("--redis-port", type=int, default=7493)
    p.add_argument("--seeds", default="0-99")
    p.add_argument("--commands", type=int, default=200, help="commands per seed")
    p.add_argument("--resp3-every", type=int, default=3, help="every Nth seed runs in RESP3 (0: never)")
    p.add_argument("--pipeline-prob", type=float, default=0.1)
    p.add_argument("--verbose", "-v", type=int, default=0, help="show this many preceding commands")
    p.add_argument("--malformed", action="store_true", help="run the malformed-input probes")
    p.add_argument("--no-fuzz", action="store_true")
    p.add_argument("--tolerate", action="append", default=[],
                   help="a known difference class to count and go past (repeatable; 'all' for every class)")
    args = p.parse_args()
    failures = 0
    if args.malformed:
        failures += run_malformed(args)
    if not args.no_fuzz:
        f = Fuzzer(args)
        seeds = parse_seeds(args.seeds)
        bad = 0
        for s in seeds:
            if not f.run_seed(s):
                bad += 1
        for cls, count in sorted(f.tolerated.items()):
            print("tolerated [%s]: %d" % (cls, count))
        print("seeds: %d, commands compared: %d, seeds with a difference: %d" % (len(seeds), f.commands, bad))
        failures += bad
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
