import MantisCore
import MantisCoreTesting
import Testing
import TxnKit

@Suite("Commit durability and aborts") struct DurabilityTests {
    @Test("aborted and uncommitted transactions never appear, now or after a crash", arguments: CrashMode.allCases)
    func abortsLeaveNoTrace(mode: CrashMode) async throws {
        let db = try TestDatabase(seed: 17)
        try await retrying(db.manager, .snapshot) { try await $0.put(bytes("committed"), bytes("yes")) }
        let aborted = db.manager.begin(.snapshot)
        try await aborted.put(bytes("aborted"), bytes("no"))
        aborted.rollback()
        let open = db.manager.begin(.snapshot)
        try await open.put(bytes("uncommitted"), bytes("no"))
        #expect(try db.contents() == [bytes("committed"): bytes("yes")])
        let reopened = try await db.crashAndReopen(mode)
        #expect(try reopened.contents() == [bytes("committed"): bytes("yes")])
    }

    @Test("a large transaction split over several WAL records commits atomically, and is dropped whole without its commit record")
    func largeTransaction() async throws {
        var options = TransactionManagerOptions()
        options.maxRecordPayload = 4096
        let fs = FaultInjectingFileSystem(seed: 23)
        let db = try TestDatabase(fileSystem: fs, options: options)
        try await retrying(db.manager, .snapshot) { txn in
            for index in 0..<300 { try await txn.put(bytes("big/\(index)"), [UInt8](repeating: UInt8(index % 256), count: 100)) }
        }
        #expect(db.wal.status.appendedRecords > 5, "split into several records")
        let reopened = try await db.crashAndReopen(.dropUnsynced)
        #expect(try reopened.contents().count == 300)
        #expect(reopened.replay.committedTransactions == 1)

        // Now the same shape, cut before its commit record: nothing of it may appear.
        let records = TransactionRecord.records(
            for: (0..<300).map { (bytes("cut/\($0)"), Optional([UInt8](repeating: 1, count: 100))) },
            transaction: TransactionID(999_999), maxPayload: 4096)
        try await reopened.wal.append(Array(records.dropLast()))
        let again = try await reopened.crashAndReopen(.dropUnsynced)
        #expect(try again.contents().keys.allSatisfy { !String(decoding: $0, as: UTF8.self).hasPrefix("cut/") })
        #expect(again.replay.incompleteTransactions == [TransactionID(999_999)])
    }

    @Test("a WAL failure during commit: the commit throws and nothing becomes visible", arguments: [FaultOperation.write, .sync])
    func walFailure(operation: FaultOperation) async throws {
        let fs = FaultInjectingFileSystem(seed: 31)
        let db = try TestDatabase(fileSystem: fs)
        try await retrying(db.manager, .snapshot) { try await $0.put(bytes("before"), bytes("ok")) }
        fs.inject(FaultRule([operation], .eio, trigger: .fromNth(1), pathContains: ".log"))
        let txn = db.manager.begin(.snapshot)
        try await txn.put(bytes("during"), bytes("fails"))
        await expectCode(.walFailed) { try await txn.commit() }
        #expect(try db.contents() == [bytes("before"): bytes("ok")])
        #expect(db.manager.statistics.aborted["wal_failed"] == 1)
        // Every later commit is refused as read-only (the log's failure as its cause); reads continue.
        do {
            try await retrying(db.manager, .snapshot) { try await $0.put(bytes("after"), bytes("x")) }
            Issue.record("a commit after the log failed was accepted")
        } catch let error as MantisError {
            #expect(error.code == .readOnly && error.hasCode(.walFailed), "got \(error)")
        }
        #expect(db.manager.statistics.aborted["wal_failed"] == 2)
        #expect(try db.manager.begin(.snapshot).get(bytes("before")) == bytes("ok"))
        fs.removeAllFaults()
        let reopened = try await db.crashAndReopen(.dropUnsynced)
        #expect(try reopened.contents()[bytes("before")] == bytes("ok"))
        #expect(try reopened.contents()[bytes("after")] == nil)
    }

    @Test("transaction ids increase across reopen")
    func idsIncrease() async throws {
        let db = try TestDatabase(seed: 41)
        var last = TransactionID.none
        try await retrying(db.manager, .snapshot) { txn in last = txn.id; try await txn.put(bytes("a"), bytes("1")) }
        let reopened = try await db.crashAndReopen(.dropUnsynced)
        let next = reopened.manager.begin(.snapshot)
        #expect(next.id > last)
        next.rollback()
    }
}
