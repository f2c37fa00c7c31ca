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

    @Test("a watch held past transactions.timeout is let go by the next collection; its EXEC still sees every change, and runs if nothing changed")
    func watchExpires() async throws {
        try await RESPTestHarness.with(configureDatabase: {
            $0.garbageCollectionInterval = nil
            $0.transactions.transactionTimeout = .milliseconds(300)
        }) { harness in
            let client = try await harness.client()
            let other = try await harness.client()
            let store = harness.database.store
            /// WATCHes `keys`, runs `change` (another client's commands) after the pin expired,
            /// collects, and returns EXEC's reply to a queued SET.
            func execAfterExpiry(watching keys: [String], _ change: [[String]] = []) async throws -> RESPValue {
                try await client.send(command: ["WATCH"] + keys)
                #expect(try await client.read() == .ok)
                try await Task.sleep(for: .milliseconds(400))
                harness.database.manager.collectGarbage()   // lets the expired pin go
                for command in change {
                    try await other.send(command: command)
                    _ = try await other.read()
                }
                harness.database.manager.collectGarbage()
                #expect(try await client.call("MULTI") == .ok)
                #expect(try await client.call("SET", "other", "1") == .queued)
                return try await client.call("EXEC")
            }
            #expect(try await other.call("SET", "present", "1") == .ok)
            // Nothing changed: EXEC runs, for present and absent keys.
            #expect(try await execAfterExpiry(watching: ["present", "absent"]) == .array([.ok]))
            // Changes after the pin expired are still seen: a write, and a delete whose
            // tombstone the collection removed with its key.
            #expect(try await execAfterExpiry(watching: ["present"], [["SET", "present", "2"]]) == .nullArray)
            #expect(try await execAfterExpiry(watching: ["present"], [["DEL", "present"]]) == .nullArray)
            #expect(store.latestCommit(of: Array("present".utf8)) == nil, "the delete's tombstone was not collected")
            // A key created and deleted after the watch, collected: not lost either.
            #expect(try await execAfterExpiry(watching: ["fleeting"], [["SET", "fleeting", "1"], ["DEL", "fleeting"]]) == .nullArray)
            // The conservative case: an absent watched key, while another key's delete was
            // forgotten since the watch, counts as changed (the store cannot tell which key it was).
            #expect(try await other.call("SET", "gone", "1") == .ok)
            #expect(try await execAfterExpiry(watching: ["absent"], [["DEL", "gone"]]) == .nullArray)
            // A watched key holding a version stays exact.
            #expect(try await other.call("SET", "present", "3") == .ok)
            #expect(try await other.call("SET", "gone", "1") == .ok)
            #expect(try await execAfterExpiry(watching: ["present"], [["DEL", "gone"]]) == .array([.ok]))
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
