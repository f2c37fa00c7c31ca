import MantisCore
import Testing
@testable import TxnKit

@Suite("Lock compatibility, re-entrance and upgrades")
struct LockCompatibilityTests {
    typealias T = LockTesting

    @Test("shared locks are compatible", arguments: LockTesting.policies)
    func sharedWithShared(policy: String) async throws {
        let manager = try T.manager(policy)
        let key = T.key("a")
        // A zero timeout would throw if either request had to wait.
        try await manager.lock(key, mode: .shared, for: 1, timeout: .zero)
        try await manager.lock(key, mode: .shared, for: 2, timeout: .zero)
        #expect(T.holders(of: key, in: manager) == [.init(transaction: 1, mode: .shared), .init(transaction: 2, mode: .shared)])
        manager.releaseAll(for: 1)
        manager.releaseAll(for: 2)
        #expect(T.tableIsEmpty(manager))
    }

    @Test("shared and exclusive conflict both ways; exclusive conflicts with exclusive", arguments: LockTesting.policies)
    func conflicts(policy: String) async throws {
        let pairs: [(held: LockMode, requested: LockMode)] = [(.shared, .exclusive), (.exclusive, .shared), (.exclusive, .exclusive)]
        for (held, requested) in pairs {
            let manager = try T.manager(policy)
            let key = T.key("a")
            let ids = T.chain(2, for: policy)
            let (holder, waiter) = (ids[0], ids[1])
            try await manager.lock(key, mode: held, for: holder, timeout: nil)
            #expect(await T.mustWait(manager, key, requested, for: waiter), "\(held) then \(requested)")

            let log = LockTesting.EventLog()
            let request = T.request(manager, key, requested, for: waiter, log: log)
            await T.awaitQueued(waiter, on: key, in: manager)
            #expect(log.events.isEmpty)
            log.record("released \(holder)")
            manager.releaseAll(for: holder)
            try await request.value
            #expect(log.events == ["released \(holder)", "granted \(waiter)"])
            #expect(T.holders(of: key, in: manager) == [.init(transaction: waiter, mode: requested)])
            manager.releaseAll(for: waiter)
            #expect(T.tableIsEmpty(manager))
        }
    }

    @Test("re-requesting a held or weaker mode is granted at once", arguments: LockTesting.policies)
    func reentrant(policy: String) async throws {
        let manager = try T.manager(policy)
        let (a, b) = (T.key("a"), T.key("b"))
        try await manager.lock(a, mode: .exclusive, for: 1, timeout: nil)
        try await manager.lock(a, mode: .exclusive, for: 1, timeout: .zero)
        try await manager.lock(a, mode: .shared, for: 1, timeout: .zero)
        try await manager.lock(b, mode: .shared, for: 1, timeout: nil)
        try await manager.lock(b, mode: .shared, for: 1, timeout: .zero)
        #expect(T.holders(of: a, in: manager) == [.init(transaction: 1, mode: .exclusive)])
        #expect(T.holders(of: b, in: manager) == [.init(transaction: 1, mode: .shared)])
        manager.releaseAll(for: 1)
        #expect(T.tableIsEmpty(manager))
    }

    @Test("S→X upgrade by the sole holder is immediate", arguments: LockTesting.policies)
    func upgradeSoleHolder(policy: String) async throws {
        let manager = try T.manager(policy)
        let key = T.key("a")
        try await manager.lock(key, mode: .shared, for: 1, timeout: nil)
        try await manager.lock(key, mode: .exclusive, for: 1, timeout: .zero)
        #expect(T.holders(of: key, in: manager) == [.init(transaction: 1, mode: .exclusive)])
        #expect(await T.mustWait(manager, key, .shared, for: 2))
        manager.releaseAll(for: 1)
        #expect(T.tableIsEmpty(manager))
    }

    @Test("S→X upgrade waits for the other shared holders", arguments: LockTesting.policies)
    func upgradeWaits(policy: String) async throws {
        let manager = try T.manager(policy)
        let key = T.key("a")
        let ids = T.chain(2, for: policy)
        let (other, upgrader) = (ids[0], ids[1])
        try await manager.lock(key, mode: .shared, for: other, timeout: nil)
        try await manager.lock(key, mode: .shared, for: upgrader, timeout: nil)
        let upgrade = T.request(manager, key, .exclusive, for: upgrader)
        await T.awaitQueued(upgrader, on: key, in: manager)
        #expect(T.waiters(of: key, in: manager) == [.init(transaction: upgrader, mode: .exclusive)])
        #expect(manager.snapshot().waitsFor == [upgrader: [other]])
        manager.releaseAll(for: other)
        try await upgrade.value
        #expect(T.holders(of: key, in: manager) == [.init(transaction: upgrader, mode: .exclusive)])
        manager.releaseAll(for: upgrader)
        #expect(T.tableIsEmpty(manager))
    }

    @Test("an upgrade queues ahead of earlier exclusive waiters", arguments: LockTesting.policies)
    func upgradeQueuesAhead(policy: String) async throws {
        let manager = try T.manager(policy)
        let key = T.key("a")
        let ids = T.chain(3, for: policy)
        let (other, upgrader, writer) = (ids[0], ids[1], ids[2])
        let log = LockTesting.EventLog()
        try await manager.lock(key, mode: .shared, for: other, timeout: nil)
        try await manager.lock(key, mode: .shared, for: upgrader, timeout: nil)
        let write = T.request(manager, key, .exclusive, for: writer, log: log)
        await T.awaitQueued(writer, on: key, in: manager)
        let upgrade = T.request(manager, key, .exclusive, for: upgrader, log: log)
        await T.awaitQueued(upgrader, on: key, in: manager)
        #expect(T.waiters(of: key, in: manager).map(\.transaction) == [upgrader, writer])

        manager.releaseAll(for: other)
        try await upgrade.value
        #expect(T.holders(of: key, in: manager) == [.init(transaction: upgrader, mode: .exclusive)])
        #expect(T.isQueued(writer, on: key, in: manager))
        manager.releaseAll(for: upgrader)
        try await write.value
        #expect(log.events == ["granted \(upgrader)", "granted \(writer)"])
        manager.releaseAll(for: writer)
        #expect(T.tableIsEmpty(manager))
    }
}
