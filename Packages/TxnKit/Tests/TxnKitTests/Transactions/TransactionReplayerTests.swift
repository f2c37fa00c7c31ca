import IntegrityKit
import MantisCore
import Testing
import TxnKit

@Suite("TransactionReplayer")
struct TransactionReplayerTests {
    /// A log of committed transactions, one record each, with LSNs from 1.
    struct Log {
        var entries: [WALEntry] = []
        var nextTransaction: UInt64 = 1

        mutating func append(_ kind: WALRecordKind, transaction: UInt64, _ writes: [(key: [UInt8], value: [UInt8]?)]) {
            entries.append(WALEntry(lsn: LSN(UInt64(entries.count + 1)), kind: kind, transactionID: TransactionID(transaction),
                                    payload: TransactionRecord.encode(writes)))
        }

        mutating func commit(_ writes: [(key: [UInt8], value: [UInt8]?)]) {
            append(.commit, transaction: nextTransaction, writes)
            nextTransaction += 1
        }
    }

    static func key(_ index: Int) -> [UInt8] { Array("k\(index)".utf8) }

    func replay(_ log: Log, batchSize: Int) throws -> (MVCCStore, ReplayResult) {
        let store = MVCCStore(checksum: CRC32Checksum())
        let replayer = TransactionReplayer(store: store, batchSize: batchSize)
        for entry in log.entries { try replayer.apply(entry) }
        return (store, replayer.finish())
    }

    @Test("overwrites and deletes of the same keys across many batches leave the newest value of each", arguments: [1, 3, 64, 1024])
    func newestWins(batchSize: Int) throws {
        var log = Log()
        var model: [[UInt8]: [UInt8]?] = [:]
        var generator = SystemRandomNumberGenerator()
        for round in 0..<2_000 {
            var writes: [(key: [UInt8], value: [UInt8]?)] = []
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                let key = Self.key(Int.random(in: 0..<50, using: &generator))
                let value: [UInt8]? = Int.random(in: 0..<4, using: &generator) == 0 ? nil : Array("v\(round)-\(writes.count)".utf8)
                writes.append((key, value))
                model[key] = .some(value)
            }
            log.commit(writes)
        }
        let (store, result) = try replay(log, batchSize: batchSize)
        #expect(result.committedTransactions == 2_000)
        let snapshot = UInt64(log.entries.count)
        for index in 0..<50 {
            #expect(try store.get(Self.key(index), at: snapshot) == model[Self.key(index)] ?? nil)
        }
        let statistics = store.statistics
        #expect(statistics.liveKeys == model.values.filter { $0 != nil }.count)
        #expect(statistics.versions == model.count)  // one per key written: replay discards history
        #expect(statistics.newestCommit == snapshot)
        #expect(store.invariantViolations().isEmpty)
    }

    @Test("a key written twice in one transaction keeps the last write")
    func lastWriteInTransaction() throws {
        var log = Log()
        log.commit([(Self.key(1), [1]), (Self.key(1), [2]), (Self.key(2), [3]), (Self.key(2), nil)])
        let (store, _) = try replay(log, batchSize: 1)
        #expect(try store.get(Self.key(1), at: 1) == [2])
        #expect(try store.get(Self.key(2), at: 1) == nil)
    }

    @Test("writes in writeBatch records take effect at the commit; aborted and unfinished transactions never")
    func multiRecordTransactions() throws {
        var log = Log()
        log.append(.writeBatch, transaction: 10, [(Self.key(1), [1])])
        log.append(.writeBatch, transaction: 11, [(Self.key(2), [2])])
        log.append(.commit, transaction: 12, [(Self.key(1), [12])])
        log.append(.commit, transaction: 10, [(Self.key(3), [10])])
        log.append(.abort, transaction: 11, [])
        log.append(.writeBatch, transaction: 13, [(Self.key(4), [4])])
        let (store, result) = try replay(log, batchSize: 1)
        #expect(try store.get(Self.key(1), at: 6) == [1])  // transaction 10 committed after 12
        #expect(try store.get(Self.key(2), at: 6) == nil)
        #expect(try store.get(Self.key(3), at: 6) == [10])
        #expect(try store.get(Self.key(4), at: 6) == nil)
        #expect(result.committedTransactions == 2)
        #expect(result.abortedTransactions == 1)
        #expect(result.incompleteTransactions == [TransactionID(13)])
    }

    @Test("a damaged commit record throws naming its LSN and installs none of its writes")
    func damagedCommit() throws {
        let store = MVCCStore(checksum: CRC32Checksum())
        let replayer = TransactionReplayer(store: store, batchSize: 1)
        try replayer.apply(WALEntry(lsn: LSN(1), kind: .commit, transactionID: TransactionID(1), payload: TransactionRecord.encode([(Self.key(1), [1])])))
        var payload = TransactionRecord.encode([(Self.key(2), [2]), (Self.key(3), [3])])
        payload.removeLast()
        #expect(throws: MantisError.self) {
            try replayer.apply(WALEntry(lsn: LSN(2), kind: .commit, transactionID: TransactionID(2), payload: payload))
        }
        let result = replayer.finish()
        #expect(result.committedTransactions == 1)
        #expect(try store.get(Self.key(1), at: 2) == [1])
        #expect(try store.get(Self.key(2), at: 2) == nil)
        #expect(store.statistics.versions == 1)
    }
}
