import Foundation
import IntegrityKit
import MantisCore
import MantisCoreTesting
import MantisDB
import Testing
import TxnKit
import WALKit

@Suite("Database facade") struct DatabaseTests {
    func options(_ dir: String) -> DatabaseOptions {
        var options = DatabaseOptions(directory: dir)
        options.wal.segmentSize = 1 << 20
        options.wal.prepareSegmentsAhead = false
        return options
    }

    @Test("autocommit and transactions survive close and reopen on real files")
    func reopen() async throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = try await Database.open(options(dir))
        try await db.put(Array("a".utf8), Array("1".utf8))
        try await db.transaction(isolation: .serializable) { txn in
            try await txn.put(Array("b".utf8), Array("2".utf8))
            try await txn.delete(Array("a".utf8))
        }
        try await db.put(Array("c".utf8), Array("3".utf8))
        try await db.delete(Array("c".utf8))
        #expect(try db.get(Array("b".utf8)) == Array("2".utf8))
        // The batched read: each key as `get` sees it, absent and deleted keys nil, repeats kept.
        #expect(try db.get(["b", "a", "c", "b", "zz"].map { Array($0.utf8) }) == [Array("2".utf8), nil, nil, Array("2".utf8), nil])
        try await db.close()
        await #expect(throws: MantisError.self) { try await db.put(Array("x".utf8), []) }

        let again = try await Database.open(options(dir))
        #expect(try again.scan().map { String(decoding: $0.key, as: UTF8.self) } == ["b"])
        #expect(again.recovery?.replay.committedTransactions == 4)
        #expect(again.recovery?.cleanShutdown == true)
        try await again.close()
    }

    @Test("after a clean shutdown the database opens with another checksum algorithm (the marker verifies under any readable one)")
    func checksumSwitchAfterCleanShutdown() async throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var first = options(dir)
        first.checksum = CRC32Checksum()
        let db = try await Database.open(first)
        try await db.put(Array("a".utf8), Array("1".utf8))
        try await db.close()
        var second = options(dir)
        second.checksum = CRC32CChecksum()
        let again = try await Database.open(second)
        #expect(again.recovery?.cleanShutdown == true)
        #expect(try again.get(Array("a".utf8)) == Array("1".utf8))
        try await again.put(Array("b".utf8), Array("2".utf8))
        try await again.close()
        let back = try await Database.open(first)
        #expect(back.recovery?.cleanShutdown == true)
        let keys = try back.scan().map { String(decoding: $0.key, as: UTF8.self) }
        #expect(keys == ["a", "b"], "\(keys)")
        try await back.close()
    }

    @Test("an rpo with os durability is refused in code as in the config file: os syncs on no schedule")
    func rpoWithOSDurability() async throws {
        var options = options("/unused")
        options.wal.durability = .os
        options.rpo = .seconds(5)
        #expect { try options.validateRPO() } throws: { error in
            (error as? MantisError)?.code == .invalidConfiguration && "\(error)".contains("cannot be met with wal durability 'os'")
        }
        options.rpo = nil
        try options.validateRPO()
    }

    @Test("close ends open transactions: their next calls are refused, their writes never appear")
    func closeEndsOpenTransactions() async throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = try await Database.open(options(dir))
        let open = try db.begin(.snapshot)
        try await open.put(Array("k".utf8), Array("uncommitted".utf8))
        try await db.close()
        #expect(open.isFinished)
        #expect(db.manager.statistics.active == 0)
        await #expect(throws: MantisError.self) { try open.get(Array("k".utf8)) }
        await #expect(throws: MantisError.self) { try await open.commit() }

        let again = try await Database.open(options(dir))
        #expect(try again.get(Array("k".utf8)) == nil)
        try await again.close()
    }

    @Test("a log that failed at runtime (disk full) is not closed as a clean shutdown: the next open recovers normally, every acknowledged write there", arguments: [FaultRule.Failure.enospc, .eio])
    func closeAfterLogFailure(failure: FaultRule.Failure) async throws {
        let fs = FaultInjectingFileSystem(seed: 21)
        var options = options("/db")
        options.fileSystem = fs
        options.diskReserve = nil
        let db = try await Database.open(options)
        for index in 0..<20 { try await db.put(Array("k\(index)".utf8), Array(repeating: UInt8(index), count: 300)) }
        fs.inject(FaultRule([.write], failure, trigger: .nth(1)))
        await #expect(throws: MantisError.self) { try await db.put(Array("refused".utf8), Array(repeating: 7, count: 300)) }
        fs.removeAllFaults()
        try? await db.close()  // graceful, after the failure (space freed, operator restarts)

        let again = try await Database.open(options)
        #expect(again.mode == .normal, "\(again.mode); steps: \(again.recovery?.steps ?? [])")
        #expect(again.recovery?.cleanShutdown == false)
        for index in 0..<20 { #expect(try again.get(Array("k\(index)".utf8)) == Array(repeating: UInt8(index), count: 300)) }
        try await again.put(Array("after".utf8), Array("ok".utf8))
        try await again.close()
    }

    @Test("an idle transaction past transactions.timeout loses its locks within a collection interval")
    func idleTransactionIsReaped() async throws {
        var options = options("/db")
        options.fileSystem = FaultInjectingFileSystem(seed: 81)
        options.transactions.transactionTimeout = .milliseconds(200)
        options.transactions.lockTimeout = .seconds(60)
        options.garbageCollectionInterval = .milliseconds(50)
        let db = try await Database.open(options)
        let idle = try db.begin(.snapshot)
        try await idle.put(Array("k".utf8), Array("idle".utf8))
        // The periodic reaper aborts it with no further step by its owner, releasing its lock.
        let limit = ContinuousClock.now + .seconds(20)
        while db.manager.statistics.aborted["transaction_timeout"] != 1, ContinuousClock.now < limit {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(db.manager.statistics.aborted["transaction_timeout"] == 1)
        #expect(db.manager.lockManager.snapshot().entries.isEmpty)
        try await db.put(Array("k".utf8), Array("writer".utf8))
        await #expect(throws: MantisError.self) { try await idle.commit() }
        #expect(try db.get(Array("k".utf8)) == Array("writer".utf8))
        try await db.close()
    }

    @Test("transaction() retries serialization failures until the body succeeds")
    func retries() async throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = try await Database.open(options(dir))
        try await db.put(Array("n".utf8), [0])
        let attempts = Shared(0)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    try await db.transaction(isolation: .serializable) { txn in
                        attempts.update { $0 += 1 }
                        let value = try txn.get(Array("n".utf8))![0]
                        try await Task.sleep(for: .milliseconds(2))
                        try await txn.put(Array("n".utf8), [value + 1])
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try db.get(Array("n".utf8)) == [8])
        #expect(attempts.value > 8, "some attempts conflicted and were retried")
        try await db.close()
    }

    @Test("safe mode leaves the transaction-id epoch as it was, and opens even when that file is damaged")
    func safeModeWritesNoEpoch() async throws {
        let fs = FaultInjectingFileSystem(seed: 47)
        var options = options("/db")
        options.fileSystem = fs
        let db = try await Database.open(options)
        for index in 0..<5 { try await db.put(Array("k\(index)".utf8), Array("v\(index)".utf8)) }
        let segment = try #require((db.wal as? SegmentedWAL)?.segmentPaths.first)
        try await db.close()
        try fs.corrupt(path: segment, offset: Int64(WALFormat.segmentHeaderSize) + 30, xor: 0xFF)
        let epoch = try fs.readFile("/db/txn-epoch")

        let safe = try await Database.open(options)
        #expect(safe.isReadOnly)
        #expect(try fs.readFile("/db/txn-epoch") == epoch, "safe mode advanced the epoch: it wrote to the data directory")
        let reader = try safe.begin(.snapshot)
        reader.rollback()
        try await safe.close()

        var damaged = epoch
        damaged[5] ^= 0x01
        try fs.writeFileAtomically("/db/txn-epoch", contents: damaged)
        let again = try await Database.open(options)
        #expect(again.isReadOnly)
        #expect(try fs.readFile("/db/txn-epoch") == damaged)
        try await again.close()
    }

    @Test("transaction ids keep increasing across reopen even for read-only transactions")
    func transactionIDs() async throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = try await Database.open(options(dir))
        let first = try db.begin(.snapshot)
        first.rollback()
        try await db.close()
        let again = try await Database.open(options(dir))
        let second = try again.begin(.snapshot)
        #expect(second.id > first.id)
        second.rollback()
        try await again.close()
    }
}

final class Shared<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value {
        get { lock.lock(); defer { lock.unlock() }; return stored }
        set { lock.lock(); defer { lock.unlock() }; stored = newValue }
    }
    func update(_ body: (inout Value) -> Void) {
        lock.lock(); defer { lock.unlock() }
        body(&stored)
    }
}
