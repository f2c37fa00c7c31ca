import MantisCore
import Testing
import TxnKit

/// `TransactionManager.pinSnapshot`: a pin keeps garbage collection off what its snapshot may
/// read; one taken with a lifetime is expired by the first collection after it.
@Suite("Snapshot pins") struct SnapshotPinTests {
    func commit(_ db: TestDatabase, _ key: String, _ value: String?) async throws {
        let txn = db.manager.begin(.snapshot)
        if let value { try await txn.put(bytes(key), bytes(value)) } else { try await txn.delete(bytes(key)) }
        try await txn.commit()
    }

    @Test("a pin keeps a tombstone committed after it through collections; past its lifetime it is expired and the tombstone goes")
    func lifetime() async throws {
        let db = try TestDatabase(seed: 11)
        try await commit(db, "k", "1")
        let pin = db.manager.pinSnapshot(expiringAfter: .milliseconds(200))
        let older = db.manager.pinSnapshot(expiringAfter: nil)
        older.release()
        try await commit(db, "k", nil)
        db.manager.collectGarbage()
        #expect(db.manager.store.latestCommit(of: bytes("k")) != nil, "the delete after the pin was collected while pinned")
        #expect(!pin.hasExpired)
        try await Task.sleep(for: .milliseconds(300))
        db.manager.collectGarbage()
        #expect(pin.hasExpired)
        #expect(db.manager.store.latestCommit(of: bytes("k")) == nil, "the expired pin still held the collection")
        pin.release()  // a late release by its holder is harmless
        #expect(pin.hasExpired)
    }

    @Test("a pin released by its holder is never marked expired")
    func releasedBeforeItsLifetime() async throws {
        let db = try TestDatabase(seed: 12)
        let pin = db.manager.pinSnapshot(expiringAfter: .milliseconds(50))
        pin.release()
        try await Task.sleep(for: .milliseconds(100))
        db.manager.collectGarbage()
        #expect(!pin.hasExpired)
    }
}
