import IntegrityKit
import MantisCore
import Testing
import TxnKit

@Suite("Isolation levels") struct IsolationTests {
    @Test("read-your-writes and scans overlay the transaction's own writes")
    func readYourWrites() async throws {
        let db = try TestDatabase()
        try await retrying(db.manager, .snapshot) { txn in
            try await txn.put(bytes("a"), bytes("1"))
            try await txn.put(bytes("c"), bytes("3"))
        }
        let txn = db.manager.begin(.snapshot)
        try await txn.put(bytes("b"), bytes("2"))
        try await txn.delete(bytes("c"))
        #expect(try txn.get(bytes("b")) == bytes("2"))
        #expect(try txn.get(bytes("c")) == nil)
        #expect(try txn.get(["a", "b", "c", "d"].map(bytes)) == [bytes("1"), bytes("2"), nil, nil], "a batched read overlays them too")
        let scanned = try txn.scan(.all).map { String(decoding: $0.key, as: UTF8.self) }
        #expect(scanned == ["a", "b"])
        #expect(try txn.scan(.all, limit: 1).count == 1)
        txn.rollback()
        #expect(try db.contents().keys.map { String(decoding: $0, as: UTF8.self) }.sorted() == ["a", "c"])
    }

    @Test("once commit returns, every transaction begun afterwards sees it, even while earlier commits are still being installed")
    func commitIsVisibleWhenItReturns() async throws {
        let db = try TestDatabase()
        let writers = 16, rounds = 150
        let stale = await withTaskGroup(of: [String].self) { group in
            for writer in 0..<writers {
                group.addTask {
                    var problems: [String] = []
                    for round in 1...rounds {
                        let key = bytes("w\(writer)"), value = bytes("\(round)")
                        do {
                            let txn = db.manager.begin(.snapshot)
                            try await txn.put(key, value)
                            try await txn.commit()
                            let reader = db.manager.begin(.snapshot)
                            let seen = try reader.get(key)
                            reader.rollback()
                            if seen != value {
                                problems.append("writer \(writer) committed \(round), next transaction read \(seen.map { String(decoding: $0, as: UTF8.self) } ?? "nil")")
                            }
                        } catch {
                            problems.append("writer \(writer) round \(round): \(error)")
                        }
                    }
                    return problems
                }
            }
            return await group.reduce(into: []) { $0 += $1 }
        }
        #expect(stale.isEmpty, "\(stale.count) stale reads, e.g. \(stale.prefix(3))")
    }

    @Test("write skew (two on-call doctors) happens at snapshot and is prevented at serializable")
    func writeSkew() async throws {
        for isolation in [IsolationLevel.snapshot, .serializable] {
            let db = try TestDatabase()
            try await retrying(db.manager, .snapshot) { txn in
                try await txn.put(bytes("alice"), bytes("on"))
                try await txn.put(bytes("bob"), bytes("on"))
            }
            // Each doctor checks that the other is on call, then goes off call.
            let t1 = db.manager.begin(isolation)
            let t2 = db.manager.begin(isolation)
            #expect(try t1.get(bytes("bob")) == bytes("on"))
            #expect(try t2.get([bytes("alice")]) == [bytes("on")])  // a batched read is tracked as well
            try await t1.put(bytes("alice"), bytes("off"))
            try await t2.put(bytes("bob"), bytes("off"))
            try await t1.commit()
            if isolation == .snapshot {
                try await t2.commit()
                let contents = try db.contents()
                #expect(contents[bytes("alice")] == bytes("off") && contents[bytes("bob")] == bytes("off"), "snapshot isolation allows write skew")
            } else {
                await expectCode(.serializationFailure) { try await t2.commit() }
                let contents = try db.contents()
                #expect(contents[bytes("bob")] == bytes("on"), "serializable keeps one doctor on call")
            }
        }
    }

    @Test("serializable: a key read, or a range scanned, that another commit is writing (logged, not yet installed) fails validation",
          arguments: ["read", "scan"])
    func pendingWriteFailsValidation(access: String) async throws {
        let wal = GatedWAL(holdThrough: LSN(1))  // the writer's commit record
        let manager = TransactionManager(store: MVCCStore(checksum: CRC32Checksum()), wal: wal,
                                         lockManager: WaitForGraphLockManager(defaultTimeout: .seconds(5)),
                                         lastCommit: 0, nextTransactionID: TransactionID(1))
        let validated = manager.begin(.serializable)
        if access == "read" {
            #expect(try validated.get(bytes("k")) == nil)
        } else {
            #expect(try validated.scan(KeyRange(lower: bytes("j"), upper: bytes("l"))).isEmpty)
        }
        let writer = manager.begin(.readCommitted)
        try await writer.put(bytes("k"), bytes("v"))
        let committing = Task { try await writer.commit() }
        while wal.held == 0 { await Task.yield() }
        #expect(manager.store.latestCommit(of: bytes("k")) == nil, "pending: not installed yet")

        try await validated.put(bytes("other"), bytes("1"))
        await expectCode(.serializationFailure) { try await validated.commit() }

        wal.open()
        try await committing.value
        let after = manager.begin(.snapshot)
        #expect(try after.get(bytes("k")) == bytes("v"))
        #expect(try after.get(bytes("other")) == nil, "the failed transaction left nothing")
        try await after.commit()
    }

    @Test("lost update: happens at read committed, prevented at snapshot and serializable", arguments: IsolationLevel.allCases)
    func lostUpdate(isolation: IsolationLevel) async throws {
        let db = try TestDatabase()
        try await retrying(db.manager, .snapshot) { try await $0.put(bytes("x"), encode(10)) }
        let t1 = db.manager.begin(isolation)
        let t2 = db.manager.begin(isolation)
        let v1 = decode(try t1.get(bytes("x")))
        let v2 = decode(try t2.get(bytes("x")))
        try await t1.put(bytes("x"), encode(v1 + 1))
        let second = Task { try await t2.put(bytes("x"), encode(v2 + 1)); try await t2.commit() }
        try await Task.sleep(for: .milliseconds(20))
        try await t1.commit()
        let outcome = await second.result
        let final = decode(try db.contents()[bytes("x")])
        switch isolation {
        case .readCommitted:
            #expect((try? outcome.get()) != nil, "read committed lets the second writer through")
            #expect(final == 11, "one increment lost at read committed")
        case .snapshot, .serializable:
            #expect(throws: MantisError.self) { try outcome.get() }
            #expect((outcome.failure as? MantisError)?.code == .serializationFailure)
            #expect(final == 11)
        }
    }

    @Test("phantom: a repeated scan sees a concurrent insert at read committed, not at serializable; a write depending on the scan is aborted at serializable")
    func phantom() async throws {
        for isolation in [IsolationLevel.readCommitted, .serializable] {
            let db = try TestDatabase()
            try await retrying(db.manager, .snapshot) { txn in
                try await txn.put(bytes("order/1"), bytes("a"))
                try await txn.put(bytes("order/2"), bytes("b"))
            }
            let reader = db.manager.begin(isolation)
            let first = try reader.scan(.prefix(bytes("order/")))
            try await retrying(db.manager, .snapshot) { try await $0.put(bytes("order/3"), bytes("c")) }
            let second = try reader.scan(.prefix(bytes("order/")))
            if isolation == .readCommitted {
                #expect(second.count == first.count + 1, "read committed sees the phantom")
                reader.rollback()
            } else {
                #expect(second.count == first.count, "serializable sees no phantom")
                try await reader.put(bytes("summary"), encode(second.count))
                await expectCode(.serializationFailure) { try await reader.commit() }
            }
        }
    }

    @Test("read-only transactions never write to the WAL")
    func readOnlyNoWAL() async throws {
        let db = try TestDatabase()
        try await retrying(db.manager, .snapshot) { try await $0.put(bytes("k"), bytes("v")) }
        let before = db.wal.status.appendedRecords
        for isolation in IsolationLevel.allCases {
            let txn = db.manager.begin(isolation)
            _ = try txn.get(bytes("k"))
            _ = try txn.scan(.all)
            try await txn.commit()
        }
        #expect(db.wal.status.appendedRecords == before)
        #expect(db.manager.statistics.readOnlyCommitted == 3)
    }

    @Test("snapshot reads do not see later commits; read committed does")
    func snapshotStability() async throws {
        let db = try TestDatabase()
        try await retrying(db.manager, .snapshot) { try await $0.put(bytes("k"), bytes("v1")) }
        let snap = db.manager.begin(.snapshot)
        let rc = db.manager.begin(.readCommitted)
        try await retrying(db.manager, .snapshot) { try await $0.put(bytes("k"), bytes("v2")) }
        #expect(try snap.get(bytes("k")) == bytes("v1"))
        #expect(try rc.get(bytes("k")) == bytes("v2"))
        snap.rollback()
        rc.rollback()
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
