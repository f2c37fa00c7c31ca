import MantisCore
import Synchronization
import Testing
import TxnKit

@Suite("Deadlocks through transactions") struct TransactionDeadlockTests {
    /// Transaction i locks key i then key (i+1) mod n: a cycle of n.
    func cycle(of n: Int, lockManager: any LockManager) async throws -> (victims: Int, committed: Int, detection: Duration) {
        let db = try TestDatabase(lockManager: lockManager)
        let transactions = (0..<n).map { _ in db.manager.begin(.readCommitted) }
        for (index, txn) in transactions.enumerated() { try await txn.put(bytes("k\(index)"), bytes("first")) }
        let closedAt = Shared<ContinuousClock.Instant?>(nil)
        let results = await withTaskGroup(of: (Int, Result<Void, any Error>, ContinuousClock.Instant).self) { group in
            for (index, txn) in transactions.enumerated() {
                group.addTask {
                    if index == n - 1 {
                        // The others are waiting by now; this request closes the cycle.
                        try? await Task.sleep(for: .milliseconds(30))
                        closedAt.value = .now
                    }
                    do {
                        try await txn.put(bytes("k\((index + 1) % n)"), bytes("second"))
                        try await txn.commit()
                        return (index, .success(()), .now)
                    } catch {
                        return (index, .failure(error), .now)
                    }
                }
            }
            var all: [(Int, Result<Void, any Error>, ContinuousClock.Instant)] = []
            for await result in group { all.append(result) }
            return all
        }
        var victims = 0, committed = 0
        var detection = Duration.zero
        for (_, result, at) in results {
            switch result {
            case .success: committed += 1
            case .failure(let error):
                let code = (error as? MantisError)?.code
                #expect(code == .deadlock || code == .lockTimeout, "unexpected \(error)")
                victims += 1
                detection = max(detection, at - closedAt.value!)
            }
        }
        return (victims, committed, detection)
    }

    @Test("deadlocks of 2 and 3 under wait-for-graph: one victim within 100 ms, the others commit", arguments: [2, 3])
    func waitForGraph(n: Int) async throws {
        let (victims, committed, detection) = try await cycle(of: n, lockManager: WaitForGraphLockManager(defaultTimeout: .seconds(10)))
        #expect(victims == 1)
        #expect(committed == n - 1)
        #expect(detection < .milliseconds(100), "detected after \(detection)")
    }

    @Test("each prevention policy resolves the same cycles", arguments: ["wait-die", "wound-wait", "timeout"], [2, 3])
    func prevention(policy: String, n: Int) async throws {
        let manager = try LockManagers.named(policy, defaultTimeout: .milliseconds(300))
        let (victims, committed, _) = try await cycle(of: n, lockManager: manager)
        #expect(victims >= 1)
        #expect(committed >= 1)
        #expect(victims + committed == n)
    }

    @Test("a lock wait ends at the lock timeout and aborts the transaction")
    func lockTimeout() async throws {
        var options = TransactionManagerOptions()
        options.lockTimeout = .milliseconds(50)
        let db = try TestDatabase(fileSystem: .init(seed: 1), options: options)
        let holder = db.manager.begin(.readCommitted)
        try await holder.put(bytes("k"), bytes("held"))
        let waiter = db.manager.begin(.readCommitted)
        await expectCode(.lockTimeout) { try await waiter.put(bytes("k"), bytes("blocked")) }
        #expect(waiter.isFinished)
        await expectCode(.transactionClosed) { try await waiter.put(bytes("other"), bytes("x")) }
        try await holder.commit()
    }

    @Test("a transaction past its timeout is aborted at its next step")
    func transactionTimeout() async throws {
        var options = TransactionManagerOptions()
        options.transactionTimeout = .milliseconds(30)
        let db = try TestDatabase(fileSystem: .init(seed: 1), options: options)
        let txn = db.manager.begin(.snapshot)
        try await txn.put(bytes("k"), bytes("v"))
        try await Task.sleep(for: .milliseconds(60))
        await expectCode(.transactionTimeout) { try await txn.commit() }
        #expect(try db.contents().isEmpty)
        #expect(db.manager.statistics.aborted["transaction_timeout"] == 1)
    }
}
