import MantisCore
import Testing
@testable import TxnKit

/// A transaction that has written nothing reads without its mutex (`activeWithoutWrites`): the
/// shortcut must end with its first write and with its end.
@Suite("Transaction read path") struct ReadPathTests {
    func seeded() async throws -> TestDatabase {
        let db = try TestDatabase(seed: 41)
        let setup = db.manager.begin(.snapshot)
        try await setup.put(bytes("a"), bytes("1"))
        try await setup.commit()
        return db
    }

    @Test("a read-only transaction's reads are refused once it commits or rolls back", arguments: [true, false])
    func closedReadOnly(commit: Bool) async throws {
        let db = try await seeded()
        let txn = db.manager.begin(.snapshot)
        #expect(try txn.get(bytes("a")) == bytes("1"))
        #expect(try txn.get([bytes("a"), bytes("b")]) == [bytes("1"), nil])
        if commit { try await txn.commit() } else { txn.rollback() }
        await expectCode(.transactionClosed) { _ = try txn.get(bytes("a")) }
        await expectCode(.transactionClosed) { _ = try txn.get([bytes("a")]) }
    }

    @Test("after its first write, a transaction that read before sees its own writes")
    func firstWriteEndsShortcut() async throws {
        let db = try await seeded()
        let txn = db.manager.begin(.snapshot)
        #expect(try txn.get(bytes("a")) == bytes("1"))
        try await txn.put(bytes("a"), bytes("2"))
        try await txn.delete(bytes("c"))
        #expect(try txn.get(bytes("a")) == bytes("2"))
        #expect(try txn.get([bytes("a"), bytes("c")]) == [bytes("2"), nil])
        try await txn.commit()
        await expectCode(.transactionClosed) { _ = try txn.get(bytes("a")) }
    }
}
