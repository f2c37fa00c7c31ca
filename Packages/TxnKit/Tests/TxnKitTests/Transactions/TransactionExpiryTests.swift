import IntegrityKit
import MantisCore
import Testing
@testable import TxnKit

/// `TransactionManager.abortExpired`: transactions past the timeout lose their locks at once,
/// not at their owner's next step.
@Suite("Transaction expiry") struct TransactionExpiryTests {
    /// A database whose transactions expire after `timeout`; lock waits are long (30 s), so a
    /// test finishing quickly shows the reaper, not a lock timeout, freed the key.
    func database(timeout: Duration, seed: UInt64) throws -> TestDatabase {
        var options = TransactionManagerOptions()
        options.transactionTimeout = timeout
        options.lockTimeout = .seconds(30)
        return try TestDatabase(fileSystem: .init(seed: seed), options: options)
    }

    @Test("an idle transaction past its timeout is aborted by abortExpired: its locks are free at once")
    func idleTransactionExpires() async throws {
        let db = try database(timeout: .milliseconds(300), seed: 2)
        let idle = db.manager.begin(.snapshot)
        try await idle.put(bytes("k"), bytes("idle"))
        #expect(db.manager.abortExpired() == 0, "not expired yet")
        #expect(idle.expiry == nil)
        try await Task.sleep(for: .milliseconds(500))
        #expect(db.manager.abortExpired() == 1)
        #expect(idle.isFinished)
        #expect(idle.expiry?.code == .transactionTimeout, "why it ended, for owners that check before calling")
        #expect(db.manager.lockManager.snapshot().entries.isEmpty, "the idle transaction's lock is released")
        // Another writer takes the key at once (it would otherwise wait the 30 s lock timeout).
        let started = ContinuousClock.now
        let writer = db.manager.begin(.snapshot)
        try await writer.put(bytes("k"), bytes("writer"))
        try await writer.commit()
        #expect(ContinuousClock.now - started < .seconds(5))
        // The owner's next step reports the timeout; nothing of it remains.
        await expectCode(.transactionTimeout) { try idle.get(bytes("k")) }
        await expectCode(.transactionTimeout) { try await idle.commit() }
        #expect(try db.contents() == [bytes("k"): bytes("writer")])
        #expect(db.manager.statistics.aborted["transaction_timeout"] == 1)
        #expect(db.manager.statistics.active == 0)
        #expect(db.manager.abortExpired() == 0, "aborted once")
    }

    @Test("abortRunning (what closing does): every open transaction ends now, its locks free, its next call refused")
    func abortRunning() async throws {
        let db = try database(timeout: .seconds(60), seed: 4)
        let writer = db.manager.begin(.snapshot)
        try await writer.put(bytes("k"), bytes("open"))
        let reader = db.manager.begin(.serializable)
        _ = try reader.get(bytes("k"))
        #expect(db.manager.abortRunning() == 2)
        #expect(writer.isFinished && reader.isFinished)
        #expect(db.manager.lockManager.snapshot().entries.isEmpty, "the writer's lock is released")
        #expect(db.manager.statistics.active == 0)
        #expect(db.manager.statistics.aborted["closed"] == 2)
        await expectCode(.transactionClosed) { try writer.get(bytes("k")) }
        await expectCode(.transactionClosed) { try await writer.commit() }
        await expectCode(.transactionClosed) { try reader.get(bytes("k")) }
        #expect(try db.contents().isEmpty, "nothing of the open writer is visible")
        #expect(db.manager.abortRunning() == 0)
    }

    @Test("expiry while waiting for a lock: the waiter fails, keeps no lock, and the key is free")
    func expiresWhileWaiting() async throws {
        let db = try database(timeout: .milliseconds(100), seed: 3)
        let holder = db.manager.begin(.readCommitted)
        try await holder.put(bytes("k"), bytes("holder"))
        let waiter = db.manager.begin(.readCommitted)
        let waiting = Task { try await waiter.put(bytes("k"), bytes("waiter")) }
        try await Task.sleep(for: .milliseconds(200))
        // The holder expires here; the waiter too, unless its lock wait (bounded by its deadline)
        // ended first. Either way the holder's release may grant `k` to an expired waiter,
        // which must give it back.
        #expect(db.manager.abortExpired() >= 1)
        // Whichever ended the wait, the waiter is told it ran out of time.
        await #expect { try await waiting.value } throws: { ($0 as? MantisError)?.code == .transactionTimeout }
        #expect(db.manager.lockManager.snapshot().entries.isEmpty, "no lock is left behind")
        let after = db.manager.begin(.readCommitted)
        try await after.put(bytes("k"), bytes("after"))
        try await after.commit()
        #expect(try db.contents() == [bytes("k"): bytes("after")])
    }

    @Test("once expired, only the traces of the expiry become transaction_timeout; corruption, a deadlock or an I/O error pass as they are")
    func expiryMapsOnlyItsOwnTraces() async throws {
        let db = try database(timeout: .milliseconds(5), seed: 4)
        let expired = db.manager.begin(.readCommitted)
        try await Task.sleep(for: .milliseconds(30))
        #expect(db.manager.abortExpired() == 1)
        func code(_ error: MantisError) -> MantisError.Code? { (expired.timeoutIfExpired(error) as? MantisError)?.code }
        #expect(code(MantisError(.transactionClosed, "closed")) == .transactionTimeout)
        #expect(code(MantisError(.lsnUnavailable, "collected")) == .transactionTimeout)
        #expect(code(MantisError(.lockTimeout, "waited")) == .transactionTimeout)
        #expect(code(MantisError(.corruption, "checksum mismatch")) == .corruption, "a timeout must not hide corruption")
        #expect(code(MantisError(.deadlock, "victim")) == .deadlock)
        #expect(code(MantisError(.ioError, "EIO")) == .ioError)

        let live = try database(timeout: .seconds(60), seed: 5).manager.begin(.readCommitted)
        #expect((live.timeoutIfExpired(MantisError(.lockTimeout, "waited")) as? MantisError)?.code == .lockTimeout,
                "a lock wait that ended before the deadline is a lock timeout")
        live.rollback()
    }

    @Test("a committing transaction is never expired: its outcome belongs to the log")
    func committingDoesNotExpire() async throws {
        let wal = GatedWAL(holdThrough: LSN(1))
        let manager = TransactionManager(store: MVCCStore(checksum: CRC32Checksum()), wal: wal,
                                         lockManager: WaitForGraphLockManager(defaultTimeout: .seconds(5)),
                                         lastCommit: 0, nextTransactionID: TransactionID(1))
        let txn = manager.begin(.snapshot)
        try await txn.put(bytes("k"), bytes("v"))
        let committing = Task { try await txn.commit() }
        let limit = ContinuousClock.now + .seconds(30)
        while wal.held == 0, ContinuousClock.now < limit { try await Task.sleep(for: .milliseconds(1)) }
        try #require(wal.held == 1, "the commit reached its durability wait")
        // What abortExpired does to each transaction past its deadline: refused while committing;
        // abortRunning (at close) leaves it alone too.
        #expect(!txn.end(expired: true))
        #expect(manager.abortRunning() == 0)
        wal.open()
        try await committing.value
        #expect(txn.isCommitted)
        let reader = manager.begin(.snapshot)
        #expect(try reader.get(bytes("k")) == bytes("v"))
        try await reader.commit()
    }
}
