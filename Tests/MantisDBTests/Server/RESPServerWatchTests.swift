import Foundation
@testable import MantisDB
import Testing

/// `WATCH` against garbage collection: a delete after the `WATCH` must abort `EXEC` even once
/// a collection has run (it would otherwise remove the tombstone `EXEC` checks), and the watch's
/// hold on the collection is always let go. Collection runs when the test says (no background
/// interval), so the order is deterministic.
@Suite("RESP server: WATCH and garbage collection") struct RESPServerWatchTests {
    @Test("a key created and deleted, or deleted, after WATCH aborts EXEC although garbage collection ran in between")
    func deleteSurvivesCollection() async throws {
        try await RESPTestHarness.with(configureDatabase: { $0.garbageCollectionInterval = nil }) { harness in
            let first = try await harness.client()
            let second = try await harness.client()
            // Missing at WATCH, then created and deleted by another client.
            #expect(try await first.call("WATCH", "k") == .ok)
            #expect(try await second.call("SET", "k", "x") == .ok)
            #expect(try await second.call("DEL", "k") == .integer(1))
            harness.database.manager.collectGarbage()
            #expect(try await first.call("MULTI") == .ok)
            #expect(try await first.call("SET", "other", "1") == .queued)
            #expect(try await first.call("EXEC") == .nullArray)
            #expect(try await first.call("GET", "other") == .null)

            // Existing at WATCH, then deleted (DEL and GETDEL).
            for delete in [["DEL", "k"], ["GETDEL", "k"]] {
                #expect(try await first.call("SET", "k", "1") == .ok)
                #expect(try await first.call("WATCH", "k") == .ok)
                try await second.send(command: delete)
                _ = try await second.read()
                harness.database.manager.collectGarbage()
                #expect(try await first.call("MULTI") == .ok)
                #expect(try await first.call("SET", "other", "1") == .queued)
                #expect(try await first.call("EXEC") == .nullArray, "\(delete)")
                #expect(try await first.call("GET", "other") == .null)
            }

            // A second WATCH (newer snapshot) is covered by the first one's hold.
            #expect(try await first.call("WATCH", "a") == .ok)
            #expect(try await second.call("SET", "b", "1") == .ok)
            #expect(try await first.call("WATCH", "b") == .ok)
            #expect(try await second.call("DEL", "b") == .integer(1))
            harness.database.manager.collectGarbage()
            #expect(try await first.call("MULTI") == .ok)
            #expect(try await first.call("SET", "other", "1") == .queued)
            #expect(try await first.call("EXEC") == .nullArray)

            // Unchanged watched keys still let EXEC run after a collection.
            #expect(try await first.call("WATCH", "k") == .ok)
            #expect(try await second.call("SET", "unrelated", "1") == .ok)
            harness.database.manager.collectGarbage()
            #expect(try await first.call("MULTI") == .ok)
            #expect(try await first.call("SET", "other", "1") == .queued)
            #expect(try await first.call("EXEC") == .array([.ok]))
        }
    }

    @Test("a watch held past transactions.timeout is let go by the next collection, and its EXEC aborts")
    func watchExpires() async throws {
        try await RESPTestHarness.with(configureDatabase: {
            $0.garbageCollectionInterval = nil
            $0.transactions.transactionTimeout = .milliseconds(300)
        }) { harness in
            let client = try await harness.client()
            #expect(try await client.call("WATCH", "k") == .ok)
            try await Task.sleep(for: .milliseconds(400))
            harness.database.manager.collectGarbage()
            #expect(try await client.call("MULTI") == .ok)
            #expect(try await client.call("SET", "other", "1") == .queued)
            #expect(try await client.call("EXEC") == .nullArray, "an expired watch let EXEC run")
            #expect(try await client.call("GET", "other") == .null)
            // A fresh watch, within its lifetime, lets EXEC run.
            #expect(try await client.call("WATCH", "k") == .ok)
            harness.database.manager.collectGarbage()
            #expect(try await client.call("MULTI") == .ok)
            #expect(try await client.call("SET", "other", "1") == .queued)
            #expect(try await client.call("EXEC") == .array([.ok]))
        }
    }

    @Test("the watch's hold on garbage collection ends with EXEC, EXECABORT, DISCARD, UNWATCH, QUIT and a closed connection")
    func holdIsReleased() async throws {
        try await RESPTestHarness.with(configureDatabase: { $0.garbageCollectionInterval = nil }) { harness in
            let database = harness.database
            let writer = try await harness.client()
            var counter = 0
            /// Commits a write, collects, and says whether the collection horizon reached the
            /// newest snapshot (nothing held it back). Retries a while: a close is seen
            /// asynchronously by the server.
            func horizonFree(waiting: Bool = false) async throws -> Bool {
                for _ in 0..<(waiting ? 100 : 1) {
                    counter += 1
                    #expect(try await writer.call("SET", "tick", "\(counter)") == .ok)
                    database.manager.collectGarbage()
                    if database.store.statistics.collectionHorizon == database.manager.visibleSnapshot { return true }
                    if waiting { try await Task.sleep(for: .milliseconds(50)) }
                }
                return false
            }
            #expect(try await horizonFree())

            let client = try await harness.client()
            let endings: [(String, [[String]])] = [
                ("EXEC", [["MULTI"], ["SET", "x", "1"], ["EXEC"]]),
                ("EXEC aborted by WATCH", [["MULTI"], ["SET", "w", "1"], ["EXEC"]]),
                ("EXECABORT", [["MULTI"], ["NOSUCH"], ["EXEC"]]),
                ("DISCARD", [["MULTI"], ["DISCARD"]]),
                ("UNWATCH", [["UNWATCH"]]),
            ]
            for (name, commands) in endings {
                #expect(try await client.call("WATCH", "w", "v") == .ok)
                if name == "EXEC aborted by WATCH" { #expect(try await writer.call("SET", "w", "changed") == .ok) }
                #expect(try await horizonFree() == false, "held after WATCH (\(name))")
                for command in commands {
                    try await client.send(command: command)
                    _ = try await client.read()
                }
                #expect(try await horizonFree(), "released after \(name)")
            }

            // QUIT, and a connection closed by the client.
            for quit in [true, false] {
                let doomed = try await harness.client()
                #expect(try await doomed.call("WATCH", "w") == .ok)
                #expect(try await horizonFree() == false)
                if quit {
                    #expect(try await doomed.call("QUIT") == .ok)
                } else {
                    await doomed.close()
                }
                #expect(try await horizonFree(waiting: true), quit ? "released after QUIT" : "released after close")
            }
        }
    }
}
