import MantisCore
import Testing
@testable import TxnKit

@Suite("Lock queues: FIFO, timeouts, release, cancellation, snapshot")
struct LockQueueTests {
    typealias T = LockTesting

    @Test("a shared request does not overtake a queued exclusive one", arguments: LockTesting.policies)
    func noWriterStarvation(policy: String) async throws {
        let manager = try T.manager(policy)
        let key = T.key("a")
        let ids = T.chain(3, for: policy)
        let (reader1, writer, reader2) = (ids[0], ids[1], ids[2])
        let log = LockTesting.EventLog()
        try await manager.lock(key, mode: .shared, for: reader1, timeout: nil)
        let write = T.request(manager, key, .exclusive, for: writer, log: log)
        await T.awaitQueued(writer, on: key, in: manager)

        // Compatible with the holder, but the writer is queued: it must not be granted at once.
        #expect(await T.mustWait(manager, key, .shared, for: reader2))
        let read = T.request(manager, key, .shared, for: reader2, log: log)
        await T.awaitQueued(reader2, on: key, in: manager)
        #expect(T.waiters(of: key, in: manager) == [.init(transaction: writer, mode: .exclusive), .init(transaction: reader2, mode: .shared)])

        manager.releaseAll(for: reader1)
        try await write.value
        #expect(T.isQueued(reader2, on: key, in: manager))
        manager.releaseAll(for: writer)
        try await read.value
        #expect(log.events == ["granted \(writer)", "granted \(reader2)"])
        manager.releaseAll(for: reader2)
        #expect(T.tableIsEmpty(manager))
    }

    @Test("a wait ends at its timeout with lockTimeout naming key and holder, and leaves the queue", arguments: LockTesting.policies)
    func timeoutFires(policy: String) async throws {
        let manager = try T.manager(policy)
        let key = T.key("row-7")
        let ids = T.chain(2, for: policy)
        let (holder, waiter) = (ids[0], ids[1])
        try await manager.lock(key, mode: .exclusive, for: holder, timeout: nil)
        let start = ContinuousClock.now
        let request = T.request(manager, key, .shared, for: waiter, timeout: .milliseconds(50))
        let error = try #require(await T.mantisError(of: request))
        let waited = ContinuousClock.now - start
        #expect(error.code == .lockTimeout)
        #expect(waited >= .milliseconds(45))
        #expect(error.message.contains("\"row-7\""))
        #expect(error.message.contains("\(holder) (X)"))
        #expect(error.context.key == key)
        #expect(error.context.metadata["transaction"] == waiter.description)
        #expect(T.waiters(of: key, in: manager).isEmpty)
        #expect(manager.snapshot().waitsFor.isEmpty)
        #expect(!manager.isAborted(waiter))
        manager.releaseAll(for: holder)
        manager.releaseAll(for: waiter)
        #expect(T.tableIsEmpty(manager))
    }

    @Test("a timed-out waiter's removal wakes the waiters it blocked", arguments: LockTesting.policies)
    func timeoutWakesOthers(policy: String) async throws {
        let manager = try T.manager(policy)
        let key = T.key("a")
        let ids = T.chain(3, for: policy)
        let (reader1, writer, reader2) = (ids[0], ids[1], ids[2])
        try await manager.lock(key, mode: .shared, for: reader1, timeout: nil)
        let write = T.request(manager, key, .exclusive, for: writer, timeout: .milliseconds(60))
        await T.awaitQueued(writer, on: key, in: manager)
        let read = T.request(manager, key, .shared, for: reader2, timeout: .seconds(10))
        await T.awaitQueued(reader2, on: key, in: manager)

        #expect(await T.mantisError(of: write)?.code == .lockTimeout)
        try await read.value  // granted alongside reader1 once the writer left the queue
        #expect(T.holders(of: key, in: manager).map(\.transaction) == [reader1, reader2].sorted())
        for id in ids { manager.releaseAll(for: id) }
        #expect(T.tableIsEmpty(manager))
    }

    @Test("releaseAll wakes every waiter that can now proceed", arguments: LockTesting.policies)
    func releaseWakes(policy: String) async throws {
        let manager = try T.manager(policy)
        let (a, b) = (T.key("a"), T.key("b"))
        let ids = T.chain(3, for: policy)
        let (holder, reader1, reader2) = (ids[0], ids[1], ids[2])
        try await manager.lock(a, mode: .exclusive, for: holder, timeout: nil)
        try await manager.lock(b, mode: .exclusive, for: holder, timeout: nil)
        let first = T.request(manager, a, .shared, for: reader1)
        await T.awaitQueued(reader1, on: a, in: manager)
        let second = T.request(manager, b, .shared, for: reader2)
        await T.awaitQueued(reader2, on: b, in: manager)
        manager.releaseAll(for: holder)
        try await first.value
        try await second.value
        #expect(T.holders(of: a, in: manager) == [.init(transaction: reader1, mode: .shared)])
        #expect(T.holders(of: b, in: manager) == [.init(transaction: reader2, mode: .shared)])
        // The released transaction can lock again.
        try await manager.lock(a, mode: .shared, for: holder, timeout: .zero)
        for id in ids { manager.releaseAll(for: id) }
        #expect(T.tableIsEmpty(manager))
    }

    @Test("releaseAll of a waiting transaction ends its wait", arguments: LockTesting.policies)
    func releaseWhileWaiting(policy: String) async throws {
        let manager = try T.manager(policy)
        let key = T.key("a")
        let ids = T.chain(2, for: policy)
        try await manager.lock(key, mode: .exclusive, for: ids[0], timeout: nil)
        let request = T.request(manager, key, .exclusive, for: ids[1])
        await T.awaitQueued(ids[1], on: key, in: manager)
        manager.releaseAll(for: ids[1])
        let error = await T.mantisError(of: request)
        #expect(error?.code == .transactionClosed)
        #expect(T.waiters(of: key, in: manager).isEmpty)
        manager.releaseAll(for: ids[0])
        #expect(T.tableIsEmpty(manager))
    }

    @Test("cancelling a waiting task ends its wait and cleans up", arguments: LockTesting.policies)
    func cancellation(policy: String) async throws {
        let manager = try T.manager(policy)
        let key = T.key("a")
        let ids = T.chain(3, for: policy)
        let (reader1, writer, reader2) = (ids[0], ids[1], ids[2])
        try await manager.lock(key, mode: .shared, for: reader1, timeout: nil)
        let write = T.request(manager, key, .exclusive, for: writer)
        await T.awaitQueued(writer, on: key, in: manager)
        let read = T.request(manager, key, .shared, for: reader2)
        await T.awaitQueued(reader2, on: key, in: manager)
        write.cancel()
        await #expect(throws: CancellationError.self) { try await write.value }
        try await read.value
        #expect(T.holders(of: key, in: manager).map(\.transaction) == [reader1, reader2].sorted())
        for id in ids { manager.releaseAll(for: id) }
        #expect(T.tableIsEmpty(manager))
    }

    @Test("a task cancelled before it waits does not wait", arguments: LockTesting.policies)
    func cancelledBeforeWaiting(policy: String) async throws {
        let manager = try T.manager(policy)
        let key = T.key("a")
        let ids = T.chain(2, for: policy)
        try await manager.lock(key, mode: .exclusive, for: ids[0], timeout: nil)
        let request = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await manager.lock(key, mode: .exclusive, for: ids[1], timeout: .seconds(30))
        }
        await #expect(throws: CancellationError.self) { try await request.value }
        #expect(T.waiters(of: key, in: manager).isEmpty)
        manager.releaseAll(for: ids[0])
        #expect(T.tableIsEmpty(manager))
    }

    @Test("snapshot lists holders, FIFO waiters and wait-for edges", arguments: LockTesting.policies)
    func snapshot(policy: String) async throws {
        let manager = try T.manager(policy)
        let (a, b) = (T.key("a"), T.key("b"))
        let ids = T.chain(3, for: policy)
        let (first, second, third) = (ids[0], ids[1], ids[2])
        try await manager.lock(a, mode: .shared, for: first, timeout: nil)
        try await manager.lock(a, mode: .shared, for: second, timeout: nil)
        try await manager.lock(b, mode: .exclusive, for: first, timeout: nil)
        let writeA = T.request(manager, a, .exclusive, for: third)
        await T.awaitQueued(third, on: a, in: manager)
        let readB = T.request(manager, b, .shared, for: second)
        await T.awaitQueued(second, on: b, in: manager)
        let readB2 = T.request(manager, b, .shared, for: third)
        await T.awaitQueued(third, on: b, in: manager)

        let snapshot = manager.snapshot()
        #expect(snapshot.entries == [
            .init(
                key: a,
                holders: [.init(transaction: first, mode: .shared), .init(transaction: second, mode: .shared)].sorted { $0.transaction < $1.transaction },
                waiters: [.init(transaction: third, mode: .exclusive)]
            ),
            .init(
                key: b,
                holders: [.init(transaction: first, mode: .exclusive)],
                waiters: [.init(transaction: second, mode: .shared), .init(transaction: third, mode: .shared)]
            ),
        ])
        #expect(snapshot.waitsFor == [third: [first, second].sorted(), second: [first]])

        manager.releaseAll(for: first)
        try await readB.value
        manager.releaseAll(for: second)
        try await writeA.value
        try await readB2.value
        manager.releaseAll(for: third)
        #expect(manager.snapshot() == LockTableSnapshot(entries: [], waitsFor: [:]))
        #expect(T.tableIsEmpty(manager))
    }
}
