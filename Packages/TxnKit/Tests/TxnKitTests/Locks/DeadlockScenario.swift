import MantisCore
import Synchronization
import Testing
@testable import TxnKit

/// A cycle of `ids.count` transactions: transaction `i` holds X on key `k<i>`, then asks for X
/// on `k<i+1>` (wrapping around). The requests are made one at a time in `order`; the last one
/// closes the cycle. Each waits until the previous one is queued or has ended, and until every
/// transaction aborted so far whose request was made has released its locks (a request that
/// wounds a waiter must not race that waiter's release). Each transaction releases everything
/// when its request ends, granted or not.
struct DeadlockScenario {
    struct Failure: Sendable {
        var error: any Error & Sendable
        var at: ContinuousClock.Instant
        /// `isAborted` as seen by the failed transaction before its `releaseAll`.
        var wasAborted: Bool
    }

    struct Outcome {
        var failures: [TransactionID: Failure] = [:]
        var granted: [TransactionID] = []
        var closedAt: ContinuousClock.Instant
        var events: [String]

        var victims: Set<TransactionID> { Set(failures.keys) }

        func error(of transaction: TransactionID) -> MantisError? {
            failures[transaction]?.error as? MantisError
        }

        /// From the closing request to the victim's error.
        func latency(of transaction: TransactionID) -> Duration? {
            failures[transaction].map { $0.at - closedAt }
        }
    }

    let ids: [TransactionID]
    let order: [Int]
    var timeouts: [TransactionID: Duration] = [:]

    func key(_ index: Int) -> [UInt8] { LockTesting.key("k\(index % ids.count)") }

    func run(_ manager: any LockManager) async throws -> Outcome {
        for (index, id) in ids.enumerated() {
            try await manager.lock(key(index), mode: .exclusive, for: id, timeout: nil)
        }
        let log = LockTesting.EventLog()
        let failures = LockTesting.Shared<[TransactionID: Failure]>([:])
        var closedAt = ContinuousClock.now
        var tasks: [Task<Void, Never>] = []
        var requested: [TransactionID] = []
        for index in order {
            let id = ids[index]
            requested.append(id)
            let wanted = key(index + 1)
            if index == order.last { closedAt = ContinuousClock.now }
            tasks.append(Task { [timeouts] in
                do {
                    try await manager.lock(wanted, mode: .exclusive, for: id, timeout: timeouts[id])
                    log.record("granted \(id)")
                } catch {
                    let failure = Failure(error: error, at: ContinuousClock.now, wasAborted: manager.isAborted(id))
                    failures.withLock { $0[id] = failure }
                    log.record("failed \(id)")
                }
                log.record("releasing \(id)")
                manager.releaseAll(for: id)
            })
            let settled = await LockTesting.eventually { [requested] in
                (LockTesting.isQueued(id, on: wanted, in: manager) || log.events.contains { $0.hasSuffix(" \(id)") })
                    && !requested.contains { manager.isAborted($0) }
            }
            #expect(settled, "\(id)'s request neither queued nor ended, or an aborted transaction kept its locks")
        }
        for task in tasks { await task.value }
        let events = log.events
        return Outcome(
            failures: failures.value,
            granted: events.filter { $0.hasPrefix("granted ") }.compactMap { event in ids.first { "granted \($0)" == event } },
            closedAt: closedAt,
            events: events
        )
    }
}
