import MantisCore
import Synchronization
import Testing
@testable import TxnKit

/// Helpers of the lock-manager suites.
enum LockTesting {
    static let policies = LockManagers.names

    static func manager(_ policy: String, defaultTimeout: Duration = .seconds(10)) throws -> any LockManager {
        try LockManagers.named(policy, defaultTimeout: defaultTimeout)
    }

    static func key(_ text: String) -> [UInt8] { Array(text.utf8) }

    /// Ids for `count` transactions where each one only ever waits for earlier ones: wait-die
    /// lets only older transactions wait (descending ids), wound-wait only younger ones
    /// (ascending ids), the other policies do not care.
    static func chain(_ count: Int, for policy: String) -> [TransactionID] {
        let ids = (1...UInt64(count)).map { TransactionID($0) }
        return policy == WaitDieLockManager.policyName ? ids.reversed() : ids
    }

    /// Whether the table behind `manager` has no state left (keys, indexes, aborted set).
    static func tableIsEmpty(_ manager: any LockManager) -> Bool {
        switch manager {
        case let manager as WaitForGraphLockManager: manager.table.isEmpty
        case let manager as WaitDieLockManager: manager.table.isEmpty
        case let manager as WoundWaitLockManager: manager.table.isEmpty
        case let manager as TimeoutLockManager: manager.table.isEmpty
        default: false
        }
    }

    /// Polls `condition` every millisecond until it holds; false if `limit` passes first.
    static func eventually(within limit: Duration = .seconds(5), _ condition: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(1))
        }
        return condition()
    }

    static func waiters(of key: [UInt8], in manager: any LockManager) -> [LockTableSnapshot.Holder] {
        manager.snapshot().entries.first { $0.key == key }?.waiters ?? []
    }

    static func holders(of key: [UInt8], in manager: any LockManager) -> [LockTableSnapshot.Holder] {
        manager.snapshot().entries.first { $0.key == key }?.holders ?? []
    }

    static func isQueued(_ transaction: TransactionID, on key: [UInt8], in manager: any LockManager) -> Bool {
        waiters(of: key, in: manager).contains { $0.transaction == transaction }
    }

    /// Waits until `transaction` is queued on `key`, recording an issue if it never is.
    static func awaitQueued(
        _ transaction: TransactionID, on key: [UInt8], in manager: any LockManager,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async {
        let queued = await eventually { isQueued(transaction, on: key, in: manager) }
        #expect(queued, "\(transaction) never queued on \(ErrorContext.render(key))", sourceLocation: sourceLocation)
    }

    /// Starts `lock` in a task, recording "granted T<n>" in `log` when it returns.
    static func request(
        _ manager: any LockManager, _ key: [UInt8], _ mode: LockMode, for transaction: TransactionID,
        timeout: Duration? = nil, log: EventLog? = nil
    ) -> Task<Void, any Error> {
        Task {
            try await manager.lock(key, mode: mode, for: transaction, timeout: timeout)
            log?.record("granted \(transaction)")
        }
    }

    /// The `MantisError` a request task ended with, nil if it succeeded or threw something else.
    static func mantisError(of task: Task<Void, any Error>) async -> MantisError? {
        do {
            try await task.value
            return nil
        } catch {
            return error as? MantisError
        }
    }

    /// Whether a lock call with no wait allowed would be refused (the request needs to wait).
    static func mustWait(
        _ manager: any LockManager, _ key: [UInt8], _ mode: LockMode, for transaction: TransactionID
    ) async -> Bool {
        do {
            try await manager.lock(key, mode: mode, for: transaction, timeout: .zero)
            return false
        } catch let error as MantisError {
            return error.code == .lockTimeout
        } catch {
            return false
        }
    }
}

extension LockTesting {
    /// A thread-safe list of events in the order they happened.
    final class EventLog: Sendable {
        private let storage = Mutex<[String]>([])

        func record(_ event: String) {
            storage.withLock { $0.append(event) }
        }

        var events: [String] { storage.withLock { $0 } }
    }

    /// A value shared between tasks, behind a mutex.
    final class Shared<Value: Sendable>: Sendable {
        private let storage: Mutex<Value>

        init(_ value: Value) { storage = Mutex(value) }

        func withLock<Result>(_ body: (inout Value) -> Result) -> Result {
            storage.withLock { body(&$0) }
        }

        var value: Value { storage.withLock { $0 } }
    }
}
