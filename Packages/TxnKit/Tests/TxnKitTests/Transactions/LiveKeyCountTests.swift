import MantisCore
import Testing
import TxnKit

/// `Transaction.liveKeyCount`: the store's live keys with the transaction's own buffered
/// creates and deletes counted in (what `DBSIZE` inside a pipeline or `MULTI` reports).
@Suite("Transaction live key count") struct LiveKeyCountTests {
    @Test("own puts of new keys add, own deletes of live keys subtract, overwrites and deletes of absent keys do not count")
    func ownWrites() async throws {
        let db = try TestDatabase(seed: 7)
        let setup = db.manager.begin(.snapshot)
        try await setup.put(bytes("a"), bytes("1"))
        try await setup.put(bytes("b"), bytes("2"))
        try await setup.commit()

        for isolation in [IsolationLevel.readCommitted, .snapshot, .serializable] {
            let txn = db.manager.begin(isolation)
            #expect(try txn.liveKeyCount() == 2)
            try await txn.put(bytes("new"), bytes("x"))
            #expect(try txn.liveKeyCount() == 3)
            try await txn.put(bytes("a"), bytes("overwritten"))
            #expect(try txn.liveKeyCount() == 3)
            try await txn.delete(bytes("b"))
            #expect(try txn.liveKeyCount() == 2)
            try await txn.delete(bytes("absent"))
            #expect(try txn.liveKeyCount() == 2)
            try await txn.delete(bytes("new"))
            #expect(try txn.liveKeyCount() == 1)
            try await txn.put(bytes("b"), bytes("back"))
            #expect(try txn.liveKeyCount() == 2)
            txn.rollback()
            await expectCode(.transactionClosed) { _ = try txn.liveKeyCount() }
        }

        // Committed: the store's count is what the transaction said.
        let txn = db.manager.begin(.readCommitted)
        try await txn.delete(bytes("a"))
        try await txn.put(bytes("c"), bytes("3"))
        try await txn.put(bytes("d"), bytes("4"))
        let seen = try txn.liveKeyCount()
        try await txn.commit()
        #expect(seen == 3)
        #expect(db.manager.store.statistics.liveKeys == 3)
    }

    @Test("another transaction's commits of other keys are counted as of the call")
    func othersCommits() async throws {
        let db = try TestDatabase(seed: 8)
        let txn = db.manager.begin(.snapshot)
        try await txn.put(bytes("mine"), bytes("1"))
        let other = db.manager.begin(.readCommitted)
        try await other.put(bytes("theirs"), bytes("1"))
        try await other.commit()
        #expect(try txn.liveKeyCount() == 2)
        txn.rollback()
    }
}
