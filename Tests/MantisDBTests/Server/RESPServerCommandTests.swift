import Foundation
import MantisCore
@testable import MantisDB
import ObservabilityKit
import Testing

@Suite("RESP server: commands") struct RESPServerCommandTests {
    @Test("connection commands: PING, ECHO, inline, HELLO 2/3, CLIENT, SELECT, COMMAND, QUIT")
    func connection() async throws {
        try await RESPTestHarness.with { harness in
            let client = try await harness.client()
            #expect(try await client.call("PING") == .simpleString("PONG"))
            #expect(try await client.call("PING", "hi") == .bulk("hi"))
            #expect(try await client.call("ECHO", "a\r\nb") == .bulkString(Array("a\r\nb".utf8)))
            try await client.send("PING\r\n")
            #expect(try await client.read() == .simpleString("PONG"))

            // RESP2: HELLO 2 replies with a flat array.
            let hello2 = try await client.call("HELLO", "2")
            #expect(hello2.elements?.first == .bulk("server"))
            #expect(hello2.elements?[1] == .bulk("mantisdb"))
            // HELLO 3 switches to RESP3 and replies with a map; nulls are now `_`.
            guard case .map(let facts) = try await client.call("HELLO", "3", "SETNAME", "tester") else {
                Issue.record("HELLO 3 must reply with a map")
                return
            }
            let fields = Dictionary(uniqueKeysWithValues: facts.map { ($0.key.text!, $0.value) })
            #expect(fields["server"] == .bulk("mantisdb"))
            #expect(fields["proto"] == .integer(3))
            #expect(fields["mode"] == .bulk("standalone"))
            #expect(fields["role"] == .bulk("master"))
            #expect(fields["modules"] == .array([]))
            #expect(fields["id"]?.integerValue != nil)
            try await client.send(command: ["GET", "missing"])
            try await client.send(command: ["HELLO", "4"])
            #expect(try await client.read() == .null)
            #expect(try await client.read().text == "NOPROTO unsupported protocol version")

            #expect(try await client.call("CLIENT", "GETNAME") == .bulk("tester"))
            #expect(try await client.call("CLIENT", "SETNAME", "other") == .ok)
            #expect(try await client.call("CLIENT", "GETNAME") == .bulk("other"))
            #expect(try await client.call("CLIENT", "SETNAME", "has space").text!.hasPrefix("ERR Client names cannot contain spaces"))
            #expect(try await client.call("CLIENT", "SETINFO", "LIB-NAME", "swift-test") == .ok)
            #expect(try await client.call("CLIENT", "ID") == fields["id"])
            #expect(try await client.call("CLIENT", "LIST").text!.contains("name=other"))
            #expect(try await client.call("CLIENT", "NOPE").text == "ERR unknown subcommand 'NOPE'. Try CLIENT HELP.")
            #expect(try await client.call("SELECT", "0") == .ok)
            #expect(try await client.call("SELECT", "1").text == "ERR DB index is out of range")
            #expect(try await client.call("COMMAND", "COUNT").integerValue == Int64(RESPCommandTable.specs.count))
            #expect(try await client.call("COMMAND", "DOCS") == .map([]))
            #expect(try await client.call("COMMAND").elements?.count == RESPCommandTable.specs.count)
            let info = try await client.call("COMMAND", "INFO", "get", "nope").elements
            #expect(info?.first?.elements?.first == .bulk("get"))
            #expect(info?.last == .null)
            #expect(try await client.call("COMMAND", "INFO").elements?.count == RESPCommandTable.specs.count, "no names: every command (Redis 7)")
            #expect(try await client.call("COMMAND", "COUNT", "x") == .error("ERR wrong number of arguments for 'command|count' command"))
            #expect(try await client.call("COMMAND", "LIST", "x") == .syntaxError)
            #expect(try await client.call("COMMAND", "LIST", "FILTERBY", "PATTERN", "g*") == .error("ERR COMMAND LIST FILTERBY is not supported"))
            #expect(try await client.call("QUIT") == .ok)
            #expect(try await client.waitForClose())
        }
    }

    @Test("errors: unknown command and wrong arity with Redis' exact text")
    func errorTexts() async throws {
        try await RESPTestHarness.with { harness in
            let client = try await harness.client()
            #expect(try await client.call("FOO", "a", "b").text == "ERR unknown command 'FOO', with args beginning with: 'a' 'b' ")
            #expect(try await client.call("GET").text == "ERR wrong number of arguments for 'get' command")
            #expect(try await client.call("MSET", "a", "1", "b").text == "ERR wrong number of arguments for 'mset' command")
            #expect(try await client.call("SET", "k", "v", "EX", "10").text == "ERR SET option 'EX' is not supported: MantisDB keys do not expire")
            #expect(try await client.call("SET", "k", "v", "NX", "XX") == .error("ERR syntax error"))
            // PERSIST is not a SET option (it is a command): a syntax error, as Redis.
            #expect(try await client.call("SET", "k", "v", "PERSIST") == .error("ERR syntax error"))
            // As Redis prints them: each word up to a NUL byte, the arguments within 128 bytes.
            #expect(try await client.call("FOO\0X", "a\0b", "c").text == "ERR unknown command 'FOO', with args beginning with: 'a' 'c' ")
            let long = String(repeating: "é", count: 80)
            #expect(try await client.call("FOO", long, "x").text
                == "ERR unknown command 'FOO', with args beginning with: '\(String(repeating: "é", count: 64))' ")
            #expect(try await client.call("HELLO", "3", "1\0x").text == "ERR Syntax error in HELLO option '1'")
            // CLIENT SETINFO as Redis 7.2: the option is checked before the value.
            #expect(try await client.call("CLIENT", "SETINFO", "nope", "a b").text == "ERR Unrecognized option 'nope'")
            #expect(try await client.call("CLIENT", "SETINFO", "lib-name", "a b").text
                == "ERR lib-name cannot contain spaces, newlines or special characters.")
            #expect(try await client.call("CLIENT", "SETINFO", "LIB-VER", "1.0") == .ok)
            // CLIENT LIST takes options in Redis: a filter is not supported here, anything else is a syntax error.
            #expect(try await client.call("CLIENT", "LIST", "x") == .syntaxError)
            #expect(try await client.call("CLIENT", "LIST", "TYPE", "normal") == .error("ERR CLIENT LIST TYPE is not supported"))
            // HELP of CLIENT, COMMAND and CONFIG (the unknown-subcommand error points to it).
            for command in ["CLIENT", "COMMAND", "CONFIG"] {
                let lines = try #require(try await client.call(command, "HELP").elements, "\(command) HELP")
                #expect(lines.first?.text?.hasPrefix("\(command) <subcommand>") == true)
                #expect(lines.last == .simpleString("    Prints this help."))
            }
            // The connection is still fine after errors.
            #expect(try await client.call("PING") == .simpleString("PONG"))
        }
    }

    @Test("strings: SET (NX, XX, GET), GET, DEL, EXISTS, MGET, MSET, APPEND, STRLEN, TYPE, DBSIZE, KEYS")
    func strings() async throws {
        try await RESPTestHarness.with { harness in
            let client = try await harness.client()
            #expect(try await client.call("GET", "k") == .null)
            #expect(try await client.call("SET", "k", "v1") == .ok)
            #expect(try await client.call("GET", "k") == .bulk("v1"))
            #expect(try await client.call("SET", "k", "v2", "NX") == .null)
            #expect(try await client.call("SET", "n", "1", "XX") == .null)
            #expect(try await client.call("SET", "k", "v2", "XX", "GET") == .bulk("v1"))
            #expect(try await client.call("SET", "fresh", "x", "NX", "GET") == .null)
            #expect(try await client.call("SETNX", "fresh", "y") == .integer(0))
            #expect(try await client.call("GETSET", "fresh", "z") == .bulk("x"))
            #expect(try await client.call("EXISTS", "k", "k", "nope", "fresh") == .integer(3))
            #expect(try await client.call("MSET", "a", "1", "b", "2") == .ok)
            #expect(try await client.call("MGET", "a", "nope", "b") == .array([.bulk("1"), .null, .bulk("2")]))
            #expect(try await client.call("APPEND", "a", "23") == .integer(3))
            #expect(try await client.call("APPEND", "new", "xy") == .integer(2))
            #expect(try await client.call("STRLEN", "a") == .integer(3))
            #expect(try await client.call("STRLEN", "nope") == .integer(0))
            #expect(try await client.call("TYPE", "a") == .simpleString("string"))
            #expect(try await client.call("TYPE", "nope") == .simpleString("none"))
            #expect(try await client.call("DBSIZE") == .integer(5))
            #expect(try await client.call("KEYS", "[ab]") == .array([.bulk("a"), .bulk("b")]))
            #expect(try await client.call("DEL", "a", "b", "nope", "a") == .integer(2))
            #expect(try await client.call("GETDEL", "new") == .bulk("xy"))
            #expect(try await client.call("DBSIZE") == .integer(2))
            // Binary-safe keys and values.
            try await client.send(Array("*3\r\n$3\r\nSET\r\n$3\r\n\u{0}\r\n\r\n$2\r\n".utf8) + [0xFF, 0xFE, 13, 10])
            #expect(try await client.read() == .ok)
            try await client.send(Array("*2\r\n$3\r\nGET\r\n$3\r\n\u{0}\r\n\r\n".utf8))
            #expect(try await client.read() == .bulkString([0xFF, 0xFE]))
        }
    }

    @Test("SET accepts a repeated NX or XX (as Redis); NX with XX is a syntax error")
    func setRepeatedCondition() async throws {
        try await RESPTestHarness.with { harness in
            let client = try await harness.client()
            #expect(try await client.call("SET", "a", "1", "NX", "NX") == .ok)
            #expect(try await client.call("SET", "a", "2", "nx", "NX") == .null)
            #expect(try await client.call("SET", "a", "3", "XX", "xx") == .ok)
            #expect(try await client.call("SET", "b", "3", "XX", "XX") == .null)
            #expect(try await client.call("SET", "a", "4", "XX", "XX", "GET") == .bulk("3"))
            #expect(try await client.call("SET", "a", "5", "NX", "XX") == .syntaxError)
            #expect(try await client.call("SET", "a", "5", "XX", "NX", "XX") == .syntaxError)
            #expect(try await client.call("MGET", "a", "b") == .array([.bulk("4"), .null]))
        }
    }

    @Test("counters: INCR, INCRBY, DECR, DECRBY with Redis' errors")
    func counters() async throws {
        try await RESPTestHarness.with { harness in
            let client = try await harness.client()
            #expect(try await client.call("INCR", "c") == .integer(1))
            #expect(try await client.call("INCRBY", "c", "41") == .integer(42))
            #expect(try await client.call("DECR", "c") == .integer(41))
            #expect(try await client.call("DECRBY", "c", "-9") == .integer(50))
            #expect(try await client.call("GET", "c") == .bulk("50"))
            #expect(try await client.call("INCRBY", "c", "x").text == "ERR value is not an integer or out of range")
            #expect(try await client.call("SET", "s", "abc") == .ok)
            #expect(try await client.call("INCR", "s").text == "ERR value is not an integer or out of range")
            #expect(try await client.call("SET", "big", "9223372036854775807") == .ok)
            #expect(try await client.call("INCR", "big").text == "ERR increment or decrement would overflow")
            #expect(try await client.call("GET", "big") == .bulk("9223372036854775807"))
        }
    }

    @Test("concurrent INCRs from many connections lose no update")
    func concurrentIncrements() async throws {
        try await RESPTestHarness.with { harness in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        let client = try await harness.client()
                        for _ in 0..<25 { let r = try await client.call("INCR", "hits"); #expect(r.integerValue != nil, "\(r)") }
                        await client.close()
                    }
                }
                try await group.waitForAll()
            }
            let client = try await harness.client()
            #expect(try await client.call("GET", "hits") == .bulk("200"))
        }
    }

    @Test("pipelining: hundreds of commands in one write, replies in order; a write survives reopen")
    func pipelining() async throws {
        try await RESPTestHarness.with { harness in
            let client = try await harness.client()
            var bytes: [UInt8] = []
            for index in 0..<300 {
                bytes += RESPTestClient.encode(["SET", "p\(index)", "\(index)"])
                bytes += RESPTestClient.encode(["GET", "p\(index)"])
                if index % 50 == 0 { bytes += RESPTestClient.encode(["INCR", "p\(index)"]) }
            }
            bytes += Array("PING\r\n".utf8)
            try await client.send(bytes)
            for index in 0..<300 {
                #expect(try await client.read() == .ok)
                #expect(try await client.read() == .bulk("\(index)"))
                if index % 50 == 0 { #expect(try await client.read() == .integer(Int64(index + 1))) }
            }
            #expect(try await client.read() == .simpleString("PONG"))
            // Replies came only after the commits were durable.
            #expect(harness.database.wal.status.durableLSN >= harness.database.wal.status.lastLSN)
            #expect(try harness.database.get(Array("p299".utf8)) == Array("299".utf8))
            // A command split over many writes.
            for byte in RESPTestClient.encode(["GET", "p7"]) { try await client.send([byte]) }
            #expect(try await client.read() == .bulk("7"))
        }
    }

    @Test("DBSIZE counts the connection's own earlier writes in a pipeline, in MULTI and in BEGIN")
    func dbsizeSeesOwnWrites() async throws {
        try await RESPTestHarness.with { harness in
            let client = try await harness.client()
            #expect(try await client.call("MSET", "old1", "1", "old2", "2") == .ok)
            #expect(try await client.call("DBSIZE") == .integer(2))
            // One pipeline (one batch, one transaction): each DBSIZE sees the writes before it.
            var bytes: [UInt8] = []
            for command in [["SET", "a", "1"], ["DBSIZE"], ["SET", "b", "1"], ["SET", "a", "2"], ["DBSIZE"],
                            ["DEL", "a", "old1", "missing"], ["DBSIZE"], ["GETDEL", "b"], ["DBSIZE"]] {
                bytes += RESPTestClient.encode(command)
            }
            try await client.send(bytes)
            let pipelined = [try await client.read(), try await client.read(), try await client.read(),
                             try await client.read(), try await client.read(), try await client.read(),
                             try await client.read(), try await client.read(), try await client.read()]
            #expect(pipelined == [.ok, .integer(3), .ok, .ok, .integer(4), .integer(2), .integer(2), .bulk("1"), .integer(1)])
            // MULTI/EXEC.
            #expect(try await client.call("MULTI") == .ok)
            for command in [["SET", "c", "1"], ["DBSIZE"], ["DEL", "c", "old2"], ["DBSIZE"]] {
                try await client.send(command: command)
                #expect(try await client.read() == .queued)
            }
            #expect(try await client.call("EXEC") == .array([.ok, .integer(2), .integer(2), .integer(0)]))
            // An interactive transaction.
            #expect(try await client.call("BEGIN") == .ok)
            #expect(try await client.call("SET", "d", "1") == .ok)
            #expect(try await client.call("DBSIZE") == .integer(1))
            #expect(try await client.call("ROLLBACK") == .ok)
            #expect(try await client.call("DBSIZE") == .integer(0))
        }
    }

    @Test("SCAN returns every key exactly once, with MATCH and COUNT, and decimal cursors")
    func scan() async throws {
        try await RESPTestHarness.with { harness in
            let client = try await harness.client()
            var bytes: [UInt8] = []
            for index in 0..<1000 { bytes += RESPTestClient.encode(["SET", "key:\(index)", "v"]) }
            for index in 0..<50 { bytes += RESPTestClient.encode(["SET", "other:\(index)", "v"]) }
            try await client.send(bytes)
            for _ in 0..<1050 { #expect(try await client.read() == .ok) }

            func scanAll(_ extra: [String]) async throws -> [String] {
                var cursor = "0"
                var keys: [String] = []
                repeat {
                    try await client.send(command: ["SCAN", cursor] + extra)
                    let reply = try #require(try await client.read().elements)
                    cursor = try #require(reply[0].text)
                    #expect(UInt64(cursor) != nil, "cursors are decimal")
                    keys += try #require(reply[1].elements).map { $0.text! }
                } while cursor != "0"
                return keys
            }
            let all = try await scanAll(["COUNT", "37"])
            #expect(all.count == 1050)
            #expect(Set(all).count == 1050)
            let matched = try await scanAll(["MATCH", "key:1*", "COUNT", "100"])
            #expect(Set(matched) == Set((0..<1000).map { "key:\($0)" }.filter { $0.hasPrefix("key:1") }))
            #expect(matched.count == Set(matched).count)
            #expect(try await client.call("SCAN", "0", "TYPE", "hash") == .array([.bulk("0"), .array([])]))
            #expect(try await client.call("SCAN", "12345").text == "ERR invalid cursor")
            #expect(try await client.call("SCAN", "x").text == "ERR invalid cursor")
        }
    }

    @Test("INFO sections, CONFIG GET from the view, CONFIG SET refused, CHECKPOINT, SAVE, WALSYNC")
    func server() async throws {
        try await RESPTestHarness.with(configView: { [("wal.durability", "sync"), ("resp.port", "0"), ("save", "")] }) { harness in
            let client = try await harness.client()
            #expect(try await client.call("SET", "k", "v") == .ok)
            let info = try #require(try await client.call("INFO").text)
            for section in ["# Server", "# Clients", "# Persistence", "# Stats", "# Replication", "# Keyspace"] {
                #expect(info.contains(section), "\(section)")
            }
            #expect(info.contains("role:master\r\n"))
            #expect(info.contains("connected_slaves:0\r\n"))
            #expect(info.contains("db0:keys=1,expires=0,avg_ttl=0"))
            #expect(info.contains("tcp_port:\(harness.port)"))
            let persistence = try #require(try await client.call("INFO", "persistence").text)
            #expect(persistence.hasPrefix("# Persistence\r\n"))
            #expect(!persistence.contains("# Server"))
            for field in ["wal_durable_lsn:", "wal_last_lsn:", "wal_fsyncs:", "wal_rounds_led_by_callers:", "wal_short_round_streak:", "last_checkpoint_lsn:", "safe_mode:0", "wal_sync_command:WALSYNC"] {
                #expect(persistence.contains(field), "\(field)")
            }
            #expect(try await client.call("CONFIG", "GET", "wal.*") == .array([.bulk("wal.durability"), .bulk("sync")]))
            #expect(try await client.call("CONFIG", "GET", "SAVE", "resp.port").elements?.count == 4)
            #expect(try await client.call("CONFIG", "SET", "save", "").text!.hasPrefix("ERR CONFIG SET is not supported: the configuration is read-only"))
            #expect(try await client.call("CHECKPOINT") == .ok)
            #expect(try await client.call("SAVE") == .ok)
            #expect(try await client.call("WALSYNC") == .ok)
            let after = try #require(try await client.call("INFO", "persistence").text)
            let taken = after.split(separator: "\r\n").first { $0.hasPrefix("checkpoints_taken:") }?.split(separator: ":").last
            #expect(taken.flatMap { Int($0) }.map { $0 >= 2 } == true)
            let stats = try #require(try await client.call("INFO", "stats", "clients").text)
            #expect(stats.contains("total_commands_processed:"))
            #expect(stats.contains("connected_clients:1"))
            #expect(stats.contains("txn_commits:"))
            // The admin commands are in the audit trail, naming the connection.
            let audited = try auditedCommands(harness.directory)
            for command in ["CHECKPOINT", "SAVE", "WALSYNC"] {
                #expect(audited.contains { $0.command == command && $0.actor.hasPrefix("resp:127.0.0.1:") }, "\(command) not audited: \(audited)")
            }
        }
    }

    /// The `admin_command` entries of the audit trail in `directory`: (command, actor).
    func auditedCommands(_ directory: String) throws -> [(command: String, actor: String)] {
        let text = String(decoding: try PosixFileSystem().readFile(directory + "/audit/audit.log"), as: UTF8.self)
        return text.split(separator: "\n").compactMap { AuditEntry.decode($0) }
            .filter { $0.event.action == "admin_command" }
            .map { ($0.event.details["command"] ?? "", $0.event.actor) }
    }

    @Test("SHUTDOWN replies, closes and calls the owner's handler; refused without one")
    func shutdown() async throws {
        let called = Shared(false)
        try await RESPTestHarness.with(onShutdown: { called.value = true }) { harness in
            let client = try await harness.client()
            #expect(try await client.call("SHUTDOWN", "NOSAVE") == .ok)
            #expect(try await client.waitForClose())
            for _ in 0..<200 where !called.value { try await Task.sleep(for: .milliseconds(10)) }
            #expect(called.value)
            #expect(try auditedCommands(harness.directory).contains { $0.command == "SHUTDOWN" && $0.actor.hasPrefix("resp:") })
        }
        try await RESPTestHarness.with { harness in
            let client = try await harness.client()
            #expect(try await client.call("SHUTDOWN").text == "ERR SHUTDOWN is not enabled on this server")
        }
    }
}
