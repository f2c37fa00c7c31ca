import Foundation
import MantisCore
import Testing
import TxnKit

/// Whole concurrent histories of random transactions, checked by `HistoryChecker` for the
/// anomalies each isolation level forbids (Adya's classes, as Jepsen's Elle does).
///
/// `MANTIS_HISTORY_SEED=<n>` replaces each level's base seed (histories use n, n+1, …);
/// `MANTIS_HISTORY_ROUNDS=<n>` runs n histories per level (default 6: each lock policy over 8
/// keys and over 16). `MANTIS_HISTORY_TRANSACTIONS=<n>`: transactions per task (default 150).
/// Odd rounds log with 48-byte records (a transaction's writes span several records); rounds
/// from the fifth on expire transactions after 5 ms with a reaper running (`MANTIS_HISTORY_TIMEOUT_MS`
/// sets the timeout of every round instead).
/// A seed replays the transactions' programs; the interleaving is the scheduler's.
@Suite("Randomized transaction histories") struct HistoryCheckTests {
    static let policies = [WaitForGraphLockManager.policyName, WoundWaitLockManager.policyName, WaitDieLockManager.policyName]

    static func baseSeed(_ isolation: IsolationLevel) -> UInt64 {
        if let text = ProcessInfo.processInfo.environment["MANTIS_HISTORY_SEED"], let seed = UInt64(text) { return seed }
        switch isolation {
        case .readCommitted: return 0x5EED_1000
        case .snapshot: return 0x5EED_2000
        case .serializable: return 0x5EED_3000
        }
    }

    static var rounds: Int {
        ProcessInfo.processInfo.environment["MANTIS_HISTORY_ROUNDS"].flatMap(Int.init) ?? 2 * policies.count
    }

    static var transactionsPerWorker: Int {
        ProcessInfo.processInfo.environment["MANTIS_HISTORY_TRANSACTIONS"].flatMap(Int.init) ?? 150
    }

    static func timeout(round: Int) -> Duration? {
        if let text = ProcessInfo.processInfo.environment["MANTIS_HISTORY_TIMEOUT_MS"], let milliseconds = Int(text) { return .milliseconds(milliseconds) }
        return round >= 4 ? .milliseconds(5) : nil
    }

    @Test("8 tasks of random reads, writes, deletes, scans and locks keep the promises of the isolation level",
          arguments: IsolationLevel.allCases)
    func randomHistories(isolation: IsolationLevel) async throws {
        for round in 0..<Self.rounds {
            let seed = Self.baseSeed(isolation) &+ UInt64(round)
            let workload = HistoryWorkload(
                seed: seed, isolation: isolation, lockPolicy: Self.policies[round % Self.policies.count],
                transactionsPerWorker: Self.transactionsPerWorker, keyCount: round % 2 == 0 ? 8 : 16,
                maxRecordPayload: round % 2 == 0 ? 1 << 20 : 48,
                transactionTimeout: Self.timeout(round: round))
            let start = ContinuousClock.now
            let history = try await workload.run()
            let checker = HistoryChecker.check(history)
            let elapsed = ContinuousClock.now - start
            let committed = history.transactions.filter(\.isCommitted).count
            let aborts = Dictionary(grouping: history.transactions.compactMap { transaction -> String? in
                if case .aborted(let reason) = transaction.outcome { return reason }
                return nil
            }, by: { $0 }).mapValues(\.count)
            print("history \(history.label): \(history.transactions.count) transactions, \(committed) committed, aborted \(aborts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")); \(history.logRecords) log records for \(history.logged.count) writers; \(checker.readsChecked) reads, \(checker.edgesChecked) dependency edges; \(elapsed)")
            let classes = Dictionary(grouping: checker.problems) { String($0.prefix { $0 != ":" }) }
                .map { "\($0.key) \($0.value.count)" }.sorted().joined(separator: ", ")
            #expect(checker.problems.isEmpty, """
                \(history.label): \(checker.problems.count) problems (\(classes)) (replay the programs with MANTIS_HISTORY_SEED=\(seed) MANTIS_HISTORY_ROUNDS=1, \(workload.keyCount) keys):
                \(checker.problems.prefix(12).joined(separator: "\n"))
                """)
            // A history the checker learns little from is a failure too.
            // (Expiring transactions after a few milliseconds aborts more of them on a slow machine.)
            #expect(committed >= history.transactions.count / (workload.transactionTimeout == nil ? 4 : 8), "\(history.label): only \(committed) of \(history.transactions.count) committed")
            #expect(checker.readsChecked >= 500 && checker.edgesChecked >= 500, "\(history.label): only \(checker.readsChecked) reads and \(checker.edgesChecked) edges checked")
        }
    }
}
