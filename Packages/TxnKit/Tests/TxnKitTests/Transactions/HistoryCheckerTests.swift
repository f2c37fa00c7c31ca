import Testing
import TxnKit

/// `HistoryChecker` on small hand-written histories: each anomaly it looks for is reported when
/// present (a check that cannot fail checks nothing), and allowed histories pass.
@Suite("History checker") struct HistoryCheckerTests {
    typealias Operation = HistoryTransaction.Operation

    // MARK: Building histories

    /// A read in a call of its own (call 0 is renumbered uniquely by `history`).
    static func read(_ key: String, _ value: String?, visible: ClosedRange<UInt64> = 0...0, call: Int = 0) -> Operation {
        .read(key: key, value: value, call: call, visible: visible)
    }

    static func write(_ key: String, _ value: String?) -> Operation { .write(key: key, value: value) }

    static func transaction(_ id: UInt64, snapshot: UInt64, _ operations: [Operation], committed: Bool = true, isolation: IsolationLevel = .serializable) -> HistoryTransaction {
        HistoryTransaction(id: id, worker: 0, isolation: isolation, snapshot: snapshot, operations: operations,
                           outcome: committed ? .committed : .aborted("rollback"))
    }

    /// T1 commits x = v1.0 and y = v1.1 at LSN 1.
    static let setup = transaction(1, snapshot: 0, [write("x", "v1.0"), write("y", "v1.1")])

    /// A history of `transactions` (after `setup`) where the committed writers commit at the
    /// LSNs `commits` names (setup at 1). The log and the final state are what a correct system
    /// would show unless given.
    static func history(_ isolation: IsolationLevel, _ transactions: [HistoryTransaction], commits: [UInt64: UInt64] = [:],
                        logged: [UInt64: TransactionHistory.LoggedTransaction]? = nil, finalState: [String: String]? = nil) -> TransactionHistory {
        var all = [setup] + transactions
        var call = 1000
        for index in all.indices {
            all[index].operations = all[index].operations.map { operation in
                guard case .read(let key, let value, 0, let visible) = operation else { return operation }
                call += 1
                return .read(key: key, value: value, call: call, visible: visible)
            }
        }
        let commits = commits.merging([1: 1]) { mine, _ in mine }
        var log: [UInt64: TransactionHistory.LoggedTransaction] = [:]
        for transaction in all where transaction.isCommitted && !transaction.finalWrites.isEmpty {
            log[transaction.id] = .init(commit: commits[transaction.id], writes: transaction.finalWrites)
        }
        var state: [String: String] = [:]
        for transaction in all.filter({ commits[$0.id] != nil && $0.isCommitted }).sorted(by: { commits[$0.id]! < commits[$1.id]! }) {
            for (key, value) in transaction.finalWrites { state[key] = value }
        }
        return TransactionHistory(seed: 0, label: "hand-written", isolation: isolation, transactions: all, logged: logged ?? log,
                                  finalState: finalState ?? state, visibleAtEnd: commits.values.max() ?? 0)
    }

    static func problems(_ history: TransactionHistory) -> [String] { HistoryChecker.check(history).problems }

    static func expectReported(_ anomaly: String, _ history: TransactionHistory, sourceLocation: SourceLocation = #_sourceLocation) {
        let found = problems(history)
        #expect(found.contains { $0.hasPrefix(anomaly + ":") }, "expected \(anomaly), got \(found)", sourceLocation: sourceLocation)
    }

    // MARK: Allowed histories pass

    @Test("a serial history with reads, overwrites, deletes and a scan passes at every level", arguments: IsolationLevel.allCases)
    func serialHistoryPasses(isolation: IsolationLevel) {
        let history = Self.history(isolation, [
            Self.transaction(2, snapshot: 1, [Self.read("x", "v1.0", visible: 1...1), Self.write("x", "v2.1"), Self.read("x", "v2.1"), Self.write("y", nil)], isolation: isolation),
            Self.transaction(3, snapshot: 2, [Self.write("x", "v3.0")], committed: false, isolation: isolation),
            Self.transaction(4, snapshot: 2, [
                Self.read("x", "v2.1", visible: 2...2, call: 7), Self.read("y", nil, visible: 2...2, call: 7), Self.read("z", nil, visible: 2...2, call: 7),
            ], isolation: isolation),
        ], commits: [2: 2])
        #expect(Self.problems(history) == [])
    }

    @Test("write skew passes at snapshot (it is allowed there) and is a G2 cycle at serializable")
    func writeSkew() {
        func skew(_ isolation: IsolationLevel) -> TransactionHistory {
            Self.history(isolation, [
                Self.transaction(2, snapshot: 1, [Self.read("x", "v1.0"), Self.write("y", "v2.1")], isolation: isolation),
                Self.transaction(3, snapshot: 1, [Self.read("y", "v1.1"), Self.write("x", "v3.1")], isolation: isolation),
            ], commits: [2: 2, 3: 3])
        }
        #expect(Self.problems(skew(.snapshot)) == [])
        Self.expectReported("G2 cycle", skew(.serializable))
    }

    // MARK: Every level

    @Test("an aborted read is G1a", arguments: IsolationLevel.allCases)
    func abortedRead(isolation: IsolationLevel) {
        Self.expectReported("G1a aborted read", Self.history(isolation, [
            Self.transaction(2, snapshot: 1, [Self.write("x", "v2.0")], committed: false, isolation: isolation),
            Self.transaction(3, snapshot: 1, [Self.read("x", "v2.0", visible: 1...1)], isolation: isolation),
        ]))
    }

    @Test("a read of a value its writer overwrote is G1b", arguments: IsolationLevel.allCases)
    func intermediateRead(isolation: IsolationLevel) {
        Self.expectReported("G1b intermediate read", Self.history(isolation, [
            Self.transaction(2, snapshot: 1, [Self.write("x", "v2.0"), Self.write("x", nil)], isolation: isolation),
            Self.transaction(3, snapshot: 2, [Self.read("x", "v2.0", visible: 2...2)], isolation: isolation),
        ], commits: [2: 2]))
    }

    @Test("a transaction must read its own writes, and only values someone wrote to that key", arguments: IsolationLevel.allCases)
    func ownWritesAndGarbage(isolation: IsolationLevel) {
        Self.expectReported("read-your-writes", Self.history(isolation, [
            Self.transaction(2, snapshot: 1, [Self.write("x", "v2.0"), Self.read("x", "v1.0", visible: 1...1)], isolation: isolation),
        ], commits: [2: 2]))
        Self.expectReported("read-your-writes", Self.history(isolation, [
            Self.transaction(2, snapshot: 1, [Self.write("x", nil), Self.read("x", "v1.0", visible: 1...1)], isolation: isolation),
        ], commits: [2: 2]))
        Self.expectReported("garbage read", Self.history(isolation, [
            Self.transaction(2, snapshot: 1, [Self.read("x", "never-written", visible: 1...1)], isolation: isolation),
        ]))
        Self.expectReported("garbage read", Self.history(isolation, [
            Self.transaction(2, snapshot: 1, [Self.read("y", "v1.0", visible: 1...1)], isolation: isolation),
        ]))
    }

    @Test("the log must hold exactly the committed writers with their writes", arguments: IsolationLevel.allCases)
    func log(isolation: IsolationLevel) {
        let transactions = [
            Self.transaction(2, snapshot: 1, [Self.write("x", "v2.0")], isolation: isolation),
            Self.transaction(3, snapshot: 1, [Self.write("y", "v3.0")], committed: false, isolation: isolation),
        ]
        let correct = Self.history(isolation, transactions, commits: [2: 2])
        #expect(Self.problems(correct) == [])
        var log = correct.logged
        log[2] = nil
        Self.expectReported("lost commit", Self.history(isolation, transactions, commits: [2: 2], logged: log))
        log = correct.logged
        log[2]!.writes["x"] = "v9.9"
        Self.expectReported("log differs", Self.history(isolation, transactions, commits: [2: 2], logged: log))
        log = correct.logged
        log[3] = .init(commit: 3, writes: ["y": "v3.0"])
        Self.expectReported("aborted but logged", Self.history(isolation, transactions, commits: [2: 2], logged: log))
        log = correct.logged
        log[9] = .init(commit: 3, writes: ["y": "v9.0"])
        Self.expectReported("unknown writer", Self.history(isolation, transactions, commits: [2: 2], logged: log))
    }

    @Test("the final store must be the last committed version of every key", arguments: IsolationLevel.allCases)
    func finalState(isolation: IsolationLevel) {
        let transactions = [Self.transaction(2, snapshot: 1, [Self.write("x", "v2.0"), Self.write("y", nil)], isolation: isolation)]
        Self.expectReported("final state", Self.history(isolation, transactions, commits: [2: 2], finalState: ["x": "v1.0"]))
        Self.expectReported("final state", Self.history(isolation, transactions, commits: [2: 2], finalState: ["x": "v2.0", "y": "v1.1"]))
    }

    @Test("a read after lockForUpdate must read the version the update replaces", arguments: IsolationLevel.allCases)
    func lockedUpdate(isolation: IsolationLevel) {
        Self.expectReported("lost update under lock", Self.history(isolation, [
            Self.transaction(2, snapshot: 1, [.lock(key: "x"), Self.read("x", "v1.0", visible: 1...1), Self.write("x", "v2.0")], isolation: isolation),
            Self.transaction(3, snapshot: 1, [Self.write("x", "v3.0")], isolation: isolation),
        ], commits: [2: 3, 3: 2]))
    }

    @Test("circular information flow (G1c) is reported at every level", arguments: IsolationLevel.allCases)
    func circularInformationFlow(isolation: IsolationLevel) {
        Self.expectReported("G1c cycle", Self.history(isolation, [
            Self.transaction(2, snapshot: 1, [Self.write("x", "v2.0"), Self.read("y", "v3.0", visible: 1...3)], isolation: isolation),
            Self.transaction(3, snapshot: 1, [Self.write("y", "v3.0"), Self.read("x", "v2.0", visible: 1...3)], isolation: isolation),
        ], commits: [2: 2, 3: 3]))
    }

    // MARK: Per level

    @Test("read committed: a read older than the latest commit visible during the call is stale")
    func staleRead() {
        let transactions = [
            Self.transaction(2, snapshot: 1, [Self.write("x", "v2.0")], isolation: .readCommitted),
            Self.transaction(3, snapshot: 1, [Self.read("x", "v1.0", visible: 2...2)], isolation: .readCommitted),
        ]
        Self.expectReported("stale read", Self.history(.readCommitted, transactions, commits: [2: 2]))
        // Visible from 1 to 2 during the call: either version is fine.
        var fine = transactions
        fine[1].operations = [Self.read("x", "v1.0", visible: 1...2)]
        #expect(Self.problems(Self.history(.readCommitted, fine, commits: [2: 2])) == [])
        // One call (a scan) reads both keys at one moment.
        fine[0].operations.append(Self.write("y", "v2.1"))
        fine[1].operations = [Self.read("x", "v2.0", visible: 1...2, call: 5), Self.read("y", "v1.1", visible: 1...2, call: 5)]
        Self.expectReported("stale read", Self.history(.readCommitted, fine, commits: [2: 2]))
    }

    @Test("snapshot and serializable: reads from two snapshots are a fractured read; from another one than the transaction's, not at snapshot",
          arguments: [IsolationLevel.snapshot, .serializable])
    func snapshotReads(isolation: IsolationLevel) {
        let writer = Self.transaction(2, snapshot: 1, [Self.write("x", "v2.0"), Self.write("y", nil)], isolation: isolation)
        Self.expectReported("fractured read", Self.history(isolation, [
            writer, Self.transaction(3, snapshot: 1, [Self.read("x", "v2.0"), Self.read("y", "v1.1")], isolation: isolation),
        ], commits: [2: 2]))
        Self.expectReported("fractured read", Self.history(isolation, [
            writer, Self.transaction(3, snapshot: 1, [Self.read("x", "v1.0"), Self.read("y", nil)], isolation: isolation),
        ], commits: [2: 2]))
        Self.expectReported("not at snapshot", Self.history(isolation, [
            writer, Self.transaction(3, snapshot: 1, [Self.read("x", "v2.0"), Self.read("y", nil)], isolation: isolation),
        ], commits: [2: 2]))
    }

    @Test("snapshot and serializable: two committed read-modify-writes of one version are a lost update; concurrent writers break first-committer-wins",
          arguments: [IsolationLevel.snapshot, .serializable])
    func lostUpdate(isolation: IsolationLevel) {
        Self.expectReported("lost update", Self.history(isolation, [
            Self.transaction(2, snapshot: 1, [Self.read("x", "v1.0"), Self.write("x", "v2.1")], isolation: isolation),
            Self.transaction(3, snapshot: 1, [Self.read("x", "v1.0"), Self.write("x", "v3.1")], isolation: isolation),
        ], commits: [2: 2, 3: 3]))
        Self.expectReported("concurrent writers", Self.history(isolation, [
            Self.transaction(2, snapshot: 1, [Self.write("x", "v2.0")], isolation: isolation),
            Self.transaction(3, snapshot: 1, [Self.write("x", "v3.0")], isolation: isolation),
        ], commits: [2: 2, 3: 3]))
    }

    @Test("serializable: an anti-dependency cycle through a scan's absent key (a phantom) is G2")
    func phantom() {
        // Both scan the range {p, q}, find it empty, and each inserts one key into it.
        Self.expectReported("G2 cycle", Self.history(.serializable, [
            Self.transaction(2, snapshot: 1, [Self.read("p", nil, call: 9), Self.read("q", nil, call: 9), Self.write("p", "v2.1")]),
            Self.transaction(3, snapshot: 1, [Self.read("p", nil, call: 8), Self.read("q", nil, call: 8), Self.write("q", "v3.1")]),
        ], commits: [2: 2, 3: 3]))
    }
}
