import Foundation
@testable import MantisDB
import Testing

@Suite("RESP server: transactions") struct RESPServerTransactionTests {
    @Test("MULTI/EXEC queues and runs atomically; DISCARD drops; unknown commands and wrong arity while queuing abort EXEC")
    func multiExec() async throws {
        try await RESPTestHarness.with { harness in
            let client = try await harness.client()
            #expect(try await client.call("MULTI") == .ok)
            #expect(try await client.call("SET", "a", "1") == .queued)
            #expect(try await client.call("INCR", "a") == .queued)
            #expect(try await client.call("INCR", "text") == .queued)
            #expect(try await client.call("GET", "a") == .queued)
            #expect(try await client.call("PING") == .queued)
            #expect(try await client.call("EXISTS", "a", "a", "nope", "text") == .queued)
            #expect(try await client.call("MULTI").text == "ERR MULTI calls can not be nested")
            let results = try await client.call("EXEC")
            #expect(results == .array([.ok, .integer(2), .integer(1), .bulk("2"), .simpleString("PONG"), .integer(3)]))

            #expect(try await client.call("MULTI") == .ok)
            #expect(try await client.call("SET", "a", "100") == .queued)
            #expect(try await client.call("DISCARD") == .ok)
            #expect(try await client.call("GET", "a") == .bulk("2"))
            #expect(try await client.call("EXEC").text == "ERR EXEC without MULTI")
            #expect(try await client.call("DISCARD").text == "ERR DISCARD without MULTI")

            // A syntax error while queuing: EXEC fails and nothing runs.
            #expect(try await client.call("MULTI") == .ok)
            #expect(try await client.call("SET", "a", "100") == .queued)
            #expect(try await client.call("SET", "a").text == "ERR wrong number of arguments for 'set' command")
            #expect(try await client.call("EXEC").text == "EXECABORT Transaction discarded because of previous errors.")
            #expect(try await client.call("MULTI") == .ok)
            #expect(try await client.call("SET", "a", "100") == .queued)
            #expect(try await client.call("NOSUCH") .text?.hasPrefix("ERR unknown command") == true)
            #expect(try await client.call("EXEC").text?.hasPrefix("EXECABORT") == true)
            #expect(try await client.call("GET", "a") == .bulk("2"))
        }
    }

    @Test("MULTI: argument errors are that command's reply at EXEC and the others run (as Redis); an expiry option aborts EXEC")
    func multiArgumentErrors() async throws {
        try await RESPTestHarness.with { harness in
            let client = try await harness.client()
            #expect(try await client.call("MULTI") == .ok)
            for command in [["SET", "a", "1"], ["SET", "b", "1", "BOGUS"], ["SET", "c", "1", "NX", "XX"],
                            ["INCRBY", "n", "x"], ["DECRBY", "n", "-9223372036854775808"], ["MSET", "p", "1", "q"],
                            ["INCR", "n"]] {
                try await client.send(command: command)
                #expect(try await client.read() == .queued, "\(command)")
            }
            #expect(try await client.call("EXEC") == .array([
                .ok, .error("ERR syntax error"), .error("ERR syntax error"),
                .error("ERR value is not an integer or out of range"), .error("ERR decrement would overflow"),
                .error("ERR wrong number of arguments for 'mset' command"), .integer(1),
            ]))
            #expect(try await client.call("MGET", "a", "b", "c", "p", "n") == .array([.bulk("1"), .null, .null, .null, .bulk("1")]))

            // Expiry is refused while queuing (a scope refusal): the whole EXEC is discarded.
            #expect(try await client.call("MULTI") == .ok)
            #expect(try await client.call("SET", "a", "2") == .queued)
            #expect(try await client.call("SET", "a", "3", "EX", "10").text?.hasPrefix("ERR SET option 'EX' is not supported") == true)
            #expect(try await client.call("EXEC") == .error("EXECABORT Transaction discarded because of previous errors."))
            #expect(try await client.call("GET", "a") == .bulk("1"))
        }
    }

    @Test("EXEC with arguments ends the transaction with EXECABORT naming the arity error, in and outside MULTI (as Redis)")
    func execWrongArity() async throws {
        try await RESPTestHarness.with { harness in
            let client = try await harness.client()
            let abort = RESPValue.error("EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command")
            #expect(try await client.call("MULTI") == .ok)
            #expect(try await client.call("SET", "a", "1") == .queued)
            #expect(try await client.call("EXEC", "x") == abort)
            #expect(try await client.call("EXEC") == .error("ERR EXEC without MULTI"))
            #expect(try await client.call("GET", "a") == .null)
            // Outside MULTI too; the watched keys are forgotten (a change no longer aborts).
            let other = try await harness.client()
            #expect(try await client.call("WATCH", "w") == .ok)
            #expect(try await client.call("EXEC", "x") == abort)
            #expect(try await other.call("SET", "w", "changed") == .ok)
            #expect(try await client.call("MULTI") == .ok)
            #expect(try await client.call("SET", "a", "2") == .queued)
            #expect(try await client.call("EXEC") == .array([.ok]))
            // The other commands' arity errors still only flag the transaction.
            #expect(try await client.call("MULTI") == .ok)
            #expect(try await client.call("DISCARD", "x") == .wrongArity("discard"))
            #expect(try await client.call("EXEC") == .error("EXECABORT Transaction discarded because of previous errors."))
        }
    }

    @Test("MULTI queues PING, ECHO, SELECT, CLIENT ID/GETNAME/SETNAME and UNWATCH (as Redis); EXEC answers them")
    func multiConnectionCommands() async throws {
        try await RESPTestHarness.with { harness in
            let client = try await harness.client()
            let other = try await harness.client()
            let id = try #require(try await client.call("CLIENT", "ID").integerValue)
            func queue(_ commands: [[String]]) async throws {
                for command in commands {
                    try await client.send(command: command)
                    #expect(try await client.read() == .queued, "\(command)")
                }
            }
            #expect(try await client.call("MULTI") == .ok)
            try await queue([["PING"], ["ECHO", "x"], ["SELECT", "0"], ["CLIENT", "GETNAME"], ["CLIENT", "SETNAME", "q"],
                             ["CLIENT", "GETNAME"], ["CLIENT", "ID"], ["SELECT", "1"], ["CLIENT", "SETNAME", "a b"], ["DBSIZE"]])
            #expect(try await client.call("EXEC") == .array([
                .simpleString("PONG"), .bulk("x"), .ok, .null, .ok, .bulk("q"), .integer(id),
                .error("ERR DB index is out of range"),
                .error("ERR Client names cannot contain spaces, newlines or special characters."), .integer(0),
            ]))
            #expect(try await client.call("CLIENT", "GETNAME") == .bulk("q"))

            // A queued SETNAME takes effect only if EXEC runs the queue: not after DISCARD, not
            // when a watched key changed (UNWATCH inside MULTI does not cancel that check, as in Redis).
            #expect(try await client.call("MULTI") == .ok)
            try await queue([["CLIENT", "SETNAME", "discarded"]])
            #expect(try await client.call("DISCARD") == .ok)
            #expect(try await client.call("WATCH", "w") == .ok)
            #expect(try await client.call("MULTI") == .ok)
            try await queue([["UNWATCH"], ["CLIENT", "SETNAME", "aborted"], ["SET", "a", "1"]])
            #expect(try await other.call("SET", "w", "changed") == .ok)
            #expect(try await client.call("EXEC") == .nullArray)
            #expect(try await client.call("MGET", "a") == .array([.null]))
            #expect(try await client.call("CLIENT", "GETNAME") == .bulk("q"))
            // After EXEC every key is unwatched.
            #expect(try await client.call("MULTI") == .ok)
            try await queue([["CLIENT", "SETNAME", ""], ["SET", "a", "1"]])
            #expect(try await other.call("SET", "w", "again") == .ok)
            #expect(try await client.call("EXEC") == .array([.ok, .ok]))
            #expect(try await client.call("CLIENT", "GETNAME") == .null)

            // Other connection commands are still refused and abort EXEC.
            #expect(try await client.call("MULTI") == .ok)
            #expect(try await client.call("CLIENT", "LIST").text == "ERR 'client' is not allowed inside MULTI")
            #expect(try await client.call("EXEC").text?.hasPrefix("EXECABORT") == true)
            // A CLIENT subcommand with the wrong number of arguments, or unknown, is refused with
            // Redis' error and aborts EXEC; CLIENT HELP is queued.
            for (command, error) in [(["CLIENT", "GETNAME", "x"], "ERR wrong number of arguments for 'client|getname' command"),
                                     (["CLIENT", "SETNAME"], "ERR wrong number of arguments for 'client|setname' command"),
                                     (["CLIENT", "NOPE"], "ERR unknown subcommand 'NOPE'. Try CLIENT HELP.")] {
                #expect(try await client.call("MULTI") == .ok)
                try await queue([["CLIENT", "HELP"]])
                try await client.send(command: command)
                #expect(try await client.read() == .error(error))
                #expect(try await client.call("EXEC").text?.hasPrefix("EXECABORT") == true)
            }
            // SET … PERSIST is a syntax error in its slot (not a refusal while queuing), as Redis.
            #expect(try await client.call("MULTI") == .ok)
            try await queue([["SET", "p", "1", "PERSIST"], ["SET", "p2", "1"]])
            #expect(try await client.call("EXEC") == .array([.syntaxError, .ok]))
        }
    }

    @Test("MULTI queues SCAN (which sees the queue's earlier writes), INFO, COMMAND and CONFIG, as Redis 7")
    func queuedServerCommands() async throws {
        try await RESPTestHarness.with { harness in
            let client = try await harness.client()
            #expect(try await client.call("SET", "s:a", "1") == .ok)
            #expect(try await client.call("MULTI") == .ok)
            for command in [["SET", "s:b", "2"], ["SCAN", "0", "MATCH", "s:*"], ["INFO", "keyspace"], ["DEL", "s:a"],
                            ["SCAN", "0", "MATCH", "s:*", "COUNT", "1"], ["SCAN", "0", "TYPE", "hash"], ["SCAN", "99999"], ["SCAN", "0", "COUNT", "0"],
                            ["COMMAND", "COUNT"], ["CONFIG", "GET", "nosuch"], ["CONFIG", "SET", "a", "b"]] {
                try await client.send(command: command)
                #expect(try await client.read() == .queued, "\(command)")
            }
            let replies = try #require(try await client.call("EXEC").elements)
            #expect(replies.count == 11)
            #expect(replies[0] == .ok)
            #expect(replies[1] == .array([.bulk("0"), .array([.bulk("s:a"), .bulk("s:b")])]))
            // INFO keyspace counts the transaction's own writes, as DBSIZE (one key committed, two here).
            #expect(replies[2].text?.contains("db0:keys=2,") == true, "INFO keyspace at EXEC: \(replies[2])")
            #expect(replies[3] == .integer(1))
            // COUNT 1: one key examined, a cursor to go on with outside MULTI.
            let cursor = try #require(replies[4].elements?.first?.text)
            #expect(replies[4].elements?.last == .array([.bulk("s:b")]))
            #expect(cursor != "0")
            #expect(try await client.call("SCAN", cursor, "MATCH", "s:*", "COUNT", "1") == .array([.bulk("0"), .array([])]))
            #expect(replies[5] == .array([.bulk("0"), .array([])]))
            #expect(replies[6] == .error("ERR invalid cursor"))
            #expect(replies[7] == .syntaxError)
            #expect(replies[8] == .integer(Int64(RESPCommandTable.specs.count)))
            #expect(replies[9] == .array([]))
            #expect(replies[10].text?.hasPrefix("ERR CONFIG SET is not supported") == true)
            #expect(try await client.call("GET", "s:a") == .null)
            #expect(try await client.call("GET", "s:b") == .bulk("2"))

            // An unknown subcommand or a wrong argument count of CLIENT, COMMAND or CONFIG is
            // refused while queuing, with Redis' error, and EXEC aborts: nothing queued runs.
            for (command, error) in [(["CONFIG", "GET"], "ERR wrong number of arguments for 'config|get' command"),
                                     (["CONFIG", "SET", "a"], "ERR wrong number of arguments for 'config|set' command"),
                                     (["CONFIG", "foo"], "ERR unknown subcommand 'foo'. Try CONFIG HELP."),
                                     (["COMMAND", "COUNT", "x"], "ERR wrong number of arguments for 'command|count' command"),
                                     (["COMMAND", "HELP", "x"], "ERR wrong number of arguments for 'command|help' command"),
                                     (["COMMAND", "foo"], "ERR unknown subcommand 'foo'. Try COMMAND HELP."),
                                     (["CLIENT", "GETNAME", "x"], "ERR wrong number of arguments for 'client|getname' command")] {
                #expect(try await client.call("MULTI") == .ok)
                #expect(try await client.call("SET", "aborted", "1") == .queued)
                try await client.send(command: command)
                #expect(try await client.read() == .error(error), "\(command)")
                #expect(try await client.call("EXEC").text?.hasPrefix("EXECABORT") == true, "\(command)")
                #expect(try await client.call("GET", "aborted") == .null, "\(command)")
                // The same error outside MULTI.
                try await client.send(command: command)
                #expect(try await client.read() == .error(error), "\(command)")
            }
        }
    }

    @Test("a MULTI queue is bounded by the replies it would build: queued COMMANDs count their reply's size")
    func queuedRepliesAreBounded() async throws {
        try await RESPTestHarness.with(configure: { $0.maxPipelineBytes = 256 << 10 }) { harness in
            let client = try await harness.client()
            #expect(try await client.call("MULTI") == .ok)
            var queued = 0
            while queued < 1_000, try await client.call("COMMAND") == .queued { queued += 1 }
            // The whole command table is some kilobytes: far fewer than 1,000 fit in 256 KiB.
            #expect(queued > 0 && queued < 1_000, "\(queued) COMMANDs queued")
            #expect(try await client.call("EXEC").text?.hasPrefix("EXECABORT") == true)
        }
    }

    @Test("SCAN in a pipeline runs with its neighbours and sees their writes, inline and off the event loop")
    func scanInWriteBatch() async throws {
        try await RESPTestHarness.with { harness in
            let client = try await harness.client()
            for count in ["10", "5000"] {
                try await client.send(command: ["SET", "p:\(count)", "1"])
                try await client.send(command: ["SCAN", "0", "MATCH", "p:*", "COUNT", count])
                #expect(try await client.read() == .ok)
                let keys = try #require(try await client.read().elements?.last?.elements)
                #expect(keys.contains(.bulk("p:\(count)")), "COUNT \(count): \(keys)")
            }
        }
    }

    @Test("WATCH: a key changed by another client makes EXEC return a null array (RESP2 and RESP3)")
    func watch() async throws {
        try await RESPTestHarness.with { harness in
            let first = try await harness.client()
            let second = try await harness.client()
            #expect(try await first.call("SET", "w", "1") == .ok)
            for version in ["2", "3"] {
                #expect(try await first.call("HELLO", version).elements != nil || version == "3")
                #expect(try await first.call("WATCH", "w", "unrelated") == .ok)
                #expect(try await second.call("SET", "w", "changed") == .ok)
                #expect(try await first.call("MULTI") == .ok)
                #expect(try await first.call("SET", "w", "mine") == .queued)
                try await first.send(command: ["EXEC"])
                try await first.send(command: ["ECHO", "after"])
                // RESP2 `*-1`, RESP3 `_`: both read as the null (array).
                let reply = try await first.read()
                #expect(reply == .nullArray || reply == .null)
                #expect(try await first.read() == .bulk("after"))
                #expect(try await second.call("GET", "w") == .bulk("changed"))
            }
            // Unchanged watched keys: EXEC runs (and UNWATCH forgets).
            #expect(try await first.call("WATCH", "w") == .ok)
            #expect(try await first.call("MULTI") == .ok)
            #expect(try await first.call("SET", "w", "mine") == .queued)
            #expect(try await first.call("EXEC") == .array([.ok]))
            #expect(try await first.call("WATCH", "w") == .ok)
            #expect(try await first.call("UNWATCH") == .ok)
            #expect(try await second.call("SET", "w", "again") == .ok)
            #expect(try await first.call("MULTI") == .ok)
            #expect(try await first.call("GET", "w") == .queued)
            #expect(try await first.call("EXEC") == .array([.bulk("again")]))
        }
    }

    @Test("BEGIN/COMMIT at each isolation level: own writes visible inside, others see them only after COMMIT")
    func interactive() async throws {
        try await RESPTestHarness.with { harness in
            let first = try await harness.client()
            let second = try await harness.client()
            for level in [["READ", "COMMITTED"], ["SNAPSHOT"], ["SERIALIZABLE"], []] {
                let key = "k-\(level.joined())"
                try await first.send(command: ["BEGIN"] + level)
                #expect(try await first.read() == .ok)
                #expect(try await first.call("SET", key, "1") == .ok)
                #expect(try await first.call("INCR", key) == .integer(2))
                #expect(try await first.call("GET", key) == .bulk("2"))
                let scan = try await first.call("SCAN", "0", "MATCH", key, "COUNT", "1000")
                #expect(scan.elements?[1] == .array([.bulk(key)]))
                #expect(try await second.call("GET", key) == .null)
                #expect(try await first.call("COMMIT") == .ok)
                #expect(try await second.call("GET", key) == .bulk("2"))
            }
            #expect(try await first.call("BEGIN") == .ok)
            #expect(try await first.call("SET", "gone", "x") == .ok)
            #expect(try await first.call("ROLLBACK") == .ok)
            #expect(try await first.call("GET", "gone") == .null)
            #expect(try await first.call("COMMIT").text == "ERR COMMIT without BEGIN")
            #expect(try await first.call("ROLLBACK").text == "ERR ROLLBACK without BEGIN")
            #expect(try await first.call("BEGIN", "CHAOS").text?.hasPrefix("ERR unknown isolation level") == true)
            #expect(try await first.call("BEGIN") == .ok)
            #expect(try await first.call("BEGIN").text?.hasPrefix("ERR BEGIN inside a transaction") == true)
            #expect(try await first.call("MULTI").text?.hasPrefix("ERR MULTI is not allowed inside BEGIN") == true)
            #expect(try await first.call("ROLLBACK") == .ok)
            // Snapshot reads: a commit by another client after BEGIN is not seen.
            #expect(try await second.call("SET", "snap", "old") == .ok)
            #expect(try await first.call("BEGIN", "SNAPSHOT") == .ok)
            #expect(try await first.call("GET", "snap") == .bulk("old"))
            #expect(try await second.call("SET", "snap", "new") == .ok)
            #expect(try await first.call("GET", "snap") == .bulk("old"))
            #expect(try await first.call("COMMIT") == .ok)
        }
    }

    @Test("serialization failures at snapshot and serializable abort with SERIALIZATION")
    func serialization() async throws {
        try await RESPTestHarness.with { harness in
            let first = try await harness.client()
            let second = try await harness.client()
            // Snapshot: first updater wins; the other's write of the same key fails.
            #expect(try await first.call("SET", "x", "0") == .ok)
            #expect(try await first.call("BEGIN", "SNAPSHOT") == .ok)
            #expect(try await first.call("GET", "x") == .bulk("0"))
            #expect(try await second.call("SET", "x", "other") == .ok)
            let failed = try #require(try await first.call("SET", "x", "mine").text)
            #expect(failed.hasPrefix("SERIALIZATION "), "\(failed)")
            // The transaction is aborted: later commands say so; ROLLBACK ends it.
            #expect(try await first.call("GET", "x").text?.hasPrefix("ERR the transaction was aborted") == true)
            #expect(try await first.call("ROLLBACK") == .ok)
            #expect(try await first.call("GET", "x") == .bulk("other"))

            // Serializable: a key read, then changed by another client, fails validation at COMMIT.
            #expect(try await first.call("BEGIN", "SERIALIZABLE") == .ok)
            #expect(try await first.call("GET", "x") == .bulk("other"))
            #expect(try await first.call("SET", "y", "derived") == .ok)
            #expect(try await second.call("SET", "x", "changed") == .ok)
            let commit = try #require(try await first.call("COMMIT").text)
            #expect(commit.hasPrefix("SERIALIZATION "), "\(commit)")
            #expect(try await first.call("GET", "y") == .null)
            // After an abort, BEGIN starts over.
            #expect(try await first.call("BEGIN", "SNAPSHOT") == .ok)
            #expect(try await second.call("SET", "z", "1") == .ok)
            #expect(try await first.call("SET", "z", "2").text?.hasPrefix("SERIALIZATION") == true)
            #expect(try await first.call("BEGIN") == .ok)
            #expect(try await first.call("SET", "z", "2") == .ok)
            #expect(try await first.call("COMMIT") == .ok)
            #expect(try await second.call("GET", "z") == .bulk("2"))
        }
    }

    @Test("a deadlock between two interactive transactions aborts one with DEADLOCK; its retry succeeds")
    func deadlock() async throws {
        try await RESPTestHarness.with { harness in
            let first = try await harness.client()
            let second = try await harness.client()
            #expect(try await first.call("BEGIN", "READ", "COMMITTED") == .ok)
            #expect(try await second.call("BEGIN", "READ", "COMMITTED") == .ok)
            #expect(try await first.call("SET", "a", "first") == .ok)
            #expect(try await second.call("SET", "b", "second") == .ok)
            // Each now wants the other's key: one of them must be chosen as the victim.
            try await first.send(command: ["SET", "b", "first"])
            try await Task.sleep(for: .milliseconds(50))
            try await second.send(command: ["SET", "a", "second"])
            let replies = [try await first.read(), try await second.read()]
            let victims = replies.filter { $0.text?.hasPrefix("DEADLOCK ") == true }
            #expect(victims.count == 1, "\(replies)")
            #expect(replies.contains(.ok))
            let (winner, loser) = replies[0] == .ok ? (first, second) : (second, first)
            #expect(try await winner.call("COMMIT") == .ok)
            #expect(try await loser.call("ROLLBACK") == .ok)
            // The retry goes through.
            #expect(try await loser.call("BEGIN", "READ", "COMMITTED") == .ok)
            #expect(try await loser.call("SET", "a", "retried") == .ok)
            #expect(try await loser.call("SET", "b", "retried") == .ok)
            #expect(try await loser.call("COMMIT") == .ok)
            #expect(try await winner.call("MGET", "a", "b") == .array([.bulk("retried"), .bulk("retried")]))
        }
    }
    @Test("a BEGIN transaction aborted by the timeout reaper answers TXNTIMEOUT, also at COMMIT")
    func reapedTransaction() async throws {
        try await RESPTestHarness.with(configureDatabase: {
            // Long enough for BEGIN and SET to finish in time on a loaded machine (the whole
            // suite runs in parallel); the test then waits past it.
            $0.transactions.transactionTimeout = .seconds(3)
            $0.garbageCollectionInterval = nil  // the test runs the reaper itself
        }) { harness in
            let client = try await harness.client()
            #expect(try await client.call("BEGIN") == .ok)
            #expect(try await client.call("SET", "k", "1") == .ok)
            try await Task.sleep(for: .milliseconds(3_300))
            #expect(harness.database.manager.abortExpired() == 1)
            // The client has not been told yet: every command says why, COMMIT too.
            #expect(try await client.call("GET", "k").text?.hasPrefix("TXNTIMEOUT ") == true)
            #expect(try await client.call("SET", "k", "2").text?.hasPrefix("TXNTIMEOUT ") == true)
            #expect(try await client.call("COMMIT").text?.hasPrefix("TXNTIMEOUT ") == true)
            #expect(try await client.call("GET", "k") == .null)
        }
    }
}
