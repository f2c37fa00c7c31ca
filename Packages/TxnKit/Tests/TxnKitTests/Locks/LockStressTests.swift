import MantisCore
import Synchronization
import Testing
@testable import TxnKit

@Suite("Lock manager stress")
struct LockStressTests {
    /// The locks granted so far, kept by the test itself: an entry is added after `lock`
    /// returns and removed before `releaseAll`, so it never claims more than the manager
    /// granted, and any conflict it sees is a real one.
    final class HolderOracle: Sendable {
        private let table = Mutex<[[UInt8]: [TransactionID: LockMode]]>([:])
        let violations = Atomic<Int>(0)

        func granted(_ key: [UInt8], _ mode: LockMode, to transaction: TransactionID) {
            table.withLock { table in
                let others = (table[key] ?? [:]).filter { $0.key != transaction }
                if others.contains(where: { !$0.value.isCompatible(with: mode) }) {
                    violations.add(1, ordering: .relaxed)
                }
                let held = table[key]?[transaction]
                table[key, default: [:]][transaction] = held == .exclusive ? .exclusive : mode
            }
        }

        func releasing(_ transaction: TransactionID) {
            table.withLock { table in
                for key in table.keys { table[key]?[transaction] = nil }
                table = table.filter { !$0.value.isEmpty }
            }
        }
    }

    struct Counters: Sendable {
        var committed = 0
        var deadlocks = 0
        var timeouts = 0
        var other: [String] = []
    }

    static let tasks = 16
    static let transactionsPerTask = 30
    static let keys = (0..<4).map { LockTesting.key("k\($0)") }

    @Test("random S/X locks from 16 tasks terminate and never conflict", arguments: LockTesting.policies)
    func stress(policy: String) async throws {
        // Under `timeout` deadlocks end only at the timeout, so keep it short; under the other
        // policies every deadlock is resolved by the policy, and a timeout would be a bug.
        let lockTimeout: Duration = policy == TimeoutLockManager.policyName ? .milliseconds(20) : .seconds(20)
        let manager = try LockTesting.manager(policy, defaultTimeout: lockTimeout)
        let oracle = HolderOracle()
        let counters = LockTesting.Shared(Counters())
        let lastID = LockTesting.Shared<UInt64>(0)

        let finished = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await withTaskGroup(of: Void.self) { workers in
                    for worker in 0..<Self.tasks {
                        workers.addTask {
                            var random = SplitMix64(seed: UInt64(worker) &* 0x9E37_79B9 &+ 17)
                            for _ in 0..<Self.transactionsPerTask {
                                let id = TransactionID(lastID.withLock { $0 += 1; return $0 })
                                let result = await Self.transaction(id, manager: manager, oracle: oracle, random: &random)
                                counters.withLock { counters in
                                    switch result {
                                    case nil: counters.committed += 1
                                    case let error as MantisError where error.code == .deadlock: counters.deadlocks += 1
                                    case let error as MantisError where error.code == .lockTimeout: counters.timeouts += 1
                                    case let error?: counters.other.append("\(error)")
                                    }
                                }
                            }
                        }
                    }
                }
                return true
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(120))
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }

        #expect(finished, "the workload hung (a lost wake-up or an undetected deadlock); table: \(manager.snapshot())")
        let result = counters.value
        #expect(oracle.violations.load(ordering: .relaxed) == 0, "conflicting locks were granted at the same time")
        #expect(result.other.isEmpty, "unexpected errors: \(result.other.prefix(3))")
        #expect(result.committed + result.deadlocks + result.timeouts == Self.tasks * Self.transactionsPerTask)
        #expect(result.committed > 0)
        if policy != TimeoutLockManager.policyName {
            #expect(result.timeouts == 0, "a deadlock the \(policy) policy should have resolved ran into the timeout")
        } else {
            #expect(result.deadlocks == 0)
        }
        #expect(manager.snapshot() == LockTableSnapshot(entries: [], waitsFor: [:]))
        #expect(LockTesting.tableIsEmpty(manager))
        print("lock stress \(policy): \(result.committed) committed, \(result.deadlocks) deadlock victims, \(result.timeouts) timeouts")
    }

    /// One transaction: 1–4 random S/X requests on random keys, checking the oracle after each
    /// grant and `isAborted` between steps, then `releaseAll`. Returns the error that ended it.
    static func transaction(
        _ id: TransactionID, manager: any LockManager, oracle: HolderOracle, random: inout SplitMix64
    ) async -> (any Error)? {
        defer {
            oracle.releasing(id)
            manager.releaseAll(for: id)
        }
        let steps = Int.random(in: 1...4, using: &random)
        for _ in 0..<steps {
            let key = keys[Int.random(in: 0..<keys.count, using: &random)]
            let mode: LockMode = Bool.random(using: &random) ? .shared : .exclusive
            do {
                try await manager.lock(key, mode: mode, for: id, timeout: nil)
            } catch {
                return error
            }
            oracle.granted(key, mode, to: id)
            await Task.yield()
            if manager.isAborted(id) {
                return MantisError(.deadlock, "\(id) was chosen as a victim")
            }
        }
        return nil
    }
}
