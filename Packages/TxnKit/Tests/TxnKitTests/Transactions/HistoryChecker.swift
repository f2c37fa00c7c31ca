/// Checks a recorded history (`TransactionHistory`) against what its isolation level promises,
/// in the manner of Adya's anomaly classes and Jepsen's Elle. Every problem is one line naming
/// the anomaly and the transactions involved; an empty `problems` means the history passed.
///
/// Every level: every outcome is an expected one; the log holds exactly the committed writers
/// with exactly their writes (and no aborted one); every value read was written by someone (or
/// is the initial absence); no aborted read (G1a); no intermediate read (G1b); a transaction
/// reads its own writes; a read after `lockForUpdate` of a key the transaction then writes reads
/// the version just before its own (no lost update under the lock); no cycle of `ww`/`wr`
/// dependencies (G0, G1c); the final store is the last committed version of every key.
/// Read committed: each call's reads are the latest committed versions at one moment during
/// the call. Snapshot: the reads of a transaction come from one snapshot (no fractured read or
/// read skew), namely `Transaction.snapshot`; no lost update; no two concurrent committed
/// writers of a key (first committer wins). Serializable: all of snapshot's, and the direct
/// serialization graph with `rw` anti-dependencies (scans as predicate reads) is acyclic.
struct HistoryChecker {
    /// A read of a key the transaction had not written (yet): it comes from the store.
    struct ExternalRead {
        var key: String
        var value: String?
        var call: Int
        var visible: ClosedRange<UInt64>
        /// Read after the transaction's `lockForUpdate` of the key returned.
        var locked: Bool
        /// The index, in the key's version order, of the version it read, once known.
        var version: Int?
    }

    let history: TransactionHistory
    let versions: HistoryVersions
    let byID: [UInt64: HistoryTransaction]
    private(set) var problems: [String] = []
    /// Per transaction (every one, committed or not), its external reads in program order.
    var externalReads: [UInt64: [ExternalRead]] = [:]
    /// How much was checked, for the test's summary.
    var readsChecked = 0
    var edgesChecked = 0

    init(_ history: TransactionHistory) {
        self.history = history
        versions = HistoryVersions(history)
        byID = Dictionary(history.transactions.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Runs every check of the history's isolation level.
    static func check(_ history: TransactionHistory) -> HistoryChecker {
        var checker = HistoryChecker(history)
        checker.checkOutcomes()
        checker.checkLog()
        checker.checkReads()
        checker.resolveVersions()
        switch history.isolation {
        case .readCommitted:
            checker.checkReadCommittedReads()
        case .snapshot, .serializable:
            checker.checkSnapshotReads()
            checker.checkLostUpdates()
            checker.checkConcurrentWriters()
        }
        checker.checkLockedUpdates()
        checker.checkDependencies()
        checker.checkFinalState()
        return checker
    }

    mutating func report(_ anomaly: String, _ text: String) {
        problems.append("\(anomaly): \(text)")
    }

    func describe(_ transaction: HistoryTransaction) -> String {
        "\(transaction.name) (\(transaction.isCommitted ? "committed" : "aborted")\(versions.commits[transaction.id].map { " at \($0)" } ?? ""), snapshot \(transaction.snapshot))"
    }

    // MARK: Outcomes and the log

    mutating func checkOutcomes() {
        for transaction in history.transactions {
            if case .aborted(let reason) = transaction.outcome, reason.hasPrefix("unexpected") || reason == "unfinished" {
                report("unexpected outcome", "\(transaction.name) ended with \(reason)")
            }
        }
        for value in versions.duplicateValues { report("duplicate value", "\(value) was written more than once: reads of it cannot be attributed") }
        if byID.count != history.transactions.count { report("duplicate id", "\(history.transactions.count - byID.count) transaction ids recorded twice") }
    }

    /// The log holds every acknowledged commit with exactly its final writes (a read-only one:
    /// nothing), and nothing of a transaction that did not commit.
    mutating func checkLog() {
        for transaction in history.transactions {
            let logged = history.logged[transaction.id]
            let writes = transaction.finalWrites
            if !transaction.isCommitted {
                if logged != nil { report("aborted but logged", "\(transaction.name) aborted (\(transaction.outcome)) yet the log holds its records (commit \(logged?.commit.map(String.init) ?? "none"))") }
            } else if writes.isEmpty {
                if logged != nil { report("read-only logged", "\(transaction.name) wrote nothing yet the log holds records of it") }
            } else if let logged, logged.commit != nil {
                if logged.writes != writes { report("log differs", "\(transaction.name) committed \(render(writes)) but the log holds \(render(logged.writes))") }
            } else {
                report("lost commit", "\(transaction.name)'s commit was acknowledged but the log holds \(logged == nil ? "nothing of it" : "no commit record for it")")
            }
        }
        for id in history.logged.keys.sorted() where byID[id] == nil {
            report("unknown writer", "the log holds T\(id), which the history never ran")
        }
    }

    // MARK: Reads

    /// Per read: read-your-writes, or (a read from the store) attribution to a write, no aborted
    /// read (G1a), no intermediate read (G1b). Collects the external reads.
    mutating func checkReads() {
        for transaction in history.transactions {
            var own: [String: String?] = [:]
            var locked: Set<String> = []
            var reads: [ExternalRead] = []
            for operation in transaction.operations {
                switch operation {
                case .write(let key, let value):
                    own[key] = .some(value)
                case .lock(let key):
                    locked.insert(key)
                case .read(let key, let value, let call, let visible):
                    readsChecked += 1
                    if let mine = own[key] {
                        if mine != value {
                            report("read-your-writes", "\(describe(transaction)) wrote \(key)=\(mine ?? "∅") then read \(value ?? "∅")")
                        }
                        continue
                    }
                    reads.append(ExternalRead(key: key, value: value, call: call, visible: visible, locked: locked.contains(key)))
                    guard let value else { continue }
                    guard let write = versions.writes[value] else {
                        report("garbage read", "\(describe(transaction)) read \(key)=\(value), which no transaction wrote")
                        continue
                    }
                    if write.key != key {
                        report("garbage read", "\(describe(transaction)) read \(key)=\(value), which T\(write.writer) wrote to \(write.key)")
                    } else if write.writer == transaction.id {
                        report("read-your-writes", "\(describe(transaction)) read its own \(key)=\(value) before writing it")
                    } else if let writer = byID[write.writer], !writer.isCommitted {
                        report("G1a aborted read", "\(describe(transaction)) read \(key)=\(value) written by \(describe(writer))")
                    } else if !write.isFinal {
                        report("G1b intermediate read", "\(describe(transaction)) read \(key)=\(value), which T\(write.writer) overwrote in the same transaction")
                    }
                }
            }
            externalReads[transaction.id] = reads
        }
    }

    /// Which version each external read saw: a value names its version; an absence is resolved
    /// at the transaction's snapshot (snapshot, serializable; checked by `checkSnapshotReads`) or,
    /// at read committed, when the key had one version during the whole call.
    mutating func resolveVersions() {
        for transaction in history.transactions {
            guard var reads = externalReads[transaction.id] else { continue }
            for index in reads.indices {
                let read = reads[index]
                if let value = read.value {
                    reads[index].version = versions.index(of: read.key, holding: value)
                } else if transaction.isolation == .readCommitted {
                    let first = versions.index(of: read.key, at: read.visible.lowerBound)
                    if first == versions.index(of: read.key, at: read.visible.upperBound), versions.of(read.key)[first].value == nil {
                        reads[index].version = first
                    }
                } else {
                    let atSnapshot = versions.index(of: read.key, at: transaction.snapshot)
                    if versions.of(read.key)[atSnapshot].value == nil { reads[index].version = atSnapshot }
                }
            }
            externalReads[transaction.id] = reads
        }
    }

    // MARK: Final state

    /// Once everything ended: every commit is visible, and the store holds, per key, the last
    /// version in the version order (absent if that was a delete).
    mutating func checkFinalState() {
        let newest = versions.commits.values.max() ?? 0
        if history.visibleAtEnd < newest {
            report("final state", "visible snapshot \(history.visibleAtEnd) at the end is below the newest commit \(newest)")
        }
        var expected: [String: String] = [:]
        for (key, list) in versions.versions { if let value = list.last!.value { expected[key] = value } }
        for key in Set(expected.keys).union(history.finalState.keys).sorted() where expected[key] != history.finalState[key] {
            report("final state", "\(key) is \(history.finalState[key] ?? "∅") in the store, but the last committed version (\(versions.of(key).last!.writer.map { "T\($0)" } ?? "initial")) is \(expected[key] ?? "∅")")
        }
    }

    func render(_ writes: [String: String?]) -> String {
        "{" + writes.keys.sorted().map { "\($0)=\((writes[$0] ?? nil) ?? "∅")" }.joined(separator: ", ") + "}"
    }
}
