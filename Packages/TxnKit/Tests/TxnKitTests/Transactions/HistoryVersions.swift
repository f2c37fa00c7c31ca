/// The version order of every key of a history, and where each value came from.
///
/// The version order is the commit order, and the commit order is read from the log, not
/// guessed: a transaction's versions are installed at the LSN of its commit record
/// (`TransactionRecord`; `TransactionManager.commit` reserves that LSN under the commit mutex,
/// `publish` installs pending commits strictly in LSN order, and a snapshot `s` covers exactly the
/// commits with LSN ≤ s, see `CommitState.visible`). So the versions of a key, ordered by their
/// writers' commit LSNs, are its version order, and "the version of `key` at snapshot `s`" is the
/// last one with commit ≤ s. Every key starts with an initial version: absent, at commit 0, by no one.
struct HistoryVersions {
    struct Version: Hashable {
        var commit: UInt64
        /// nil for the initial (absent) version.
        var writer: UInt64?
        /// nil: absent (the initial version or a delete).
        var value: String?
    }

    /// A write as the transaction issued it.
    struct Write {
        var writer: UInt64
        var key: String
        /// False if the writer wrote the key again later (an intermediate value, never installed).
        var isFinal: Bool
    }

    /// Per key, ascending by commit; index 0 is the initial version.
    private(set) var versions: [String: [Version]] = [:]
    /// Every value any transaction put (committed or not), by value: values are unique.
    private(set) var writes: [String: Write] = [:]
    /// The commit LSN of each committed transaction that wrote (from the log).
    private(set) var commits: [UInt64: UInt64] = [:]
    /// Values put more than once (the workload's uniqueness broken: reads cannot be attributed).
    private(set) var duplicateValues: [String] = []

    init(_ history: TransactionHistory) {
        for transaction in history.transactions {
            // The value of each key's latest write if that was a put: any later write of the
            // key (put or delete) makes it intermediate.
            var latestPut: [String: String] = [:]
            for case .write(let key, let value) in transaction.operations {
                if let previous = latestPut.removeValue(forKey: key) { writes[previous]?.isFinal = false }
                if let value {
                    if writes[value] != nil { duplicateValues.append(value) }
                    writes[value] = Write(writer: transaction.id, key: key, isFinal: true)
                    latestPut[key] = value
                }
            }
            guard transaction.isCommitted, let commit = history.logged[transaction.id]?.commit else { continue }
            commits[transaction.id] = commit
            for (key, value) in transaction.finalWrites {
                versions[key, default: [Version(commit: 0, writer: nil, value: nil)]]
                    .append(Version(commit: commit, writer: transaction.id, value: value))
            }
        }
        for key in versions.keys { versions[key]!.sort { $0.commit < $1.commit } }
    }

    /// The versions of `key`, initial one first.
    func of(_ key: String) -> [Version] {
        versions[key] ?? [Version(commit: 0, writer: nil, value: nil)]
    }

    /// The index of the version of `key` a snapshot at `point` sees.
    func index(of key: String, at point: UInt64) -> Int {
        let list = of(key)
        var low = 0, high = list.count  // the first version with commit > point
        while low < high {
            let middle = (low + high) / 2
            if list[middle].commit <= point { low = middle + 1 } else { high = middle }
        }
        return low - 1
    }

    func value(of key: String, at point: UInt64) -> String? {
        of(key)[index(of: key, at: point)].value
    }

    /// The index of the installed version holding `value`, if a committed transaction's final
    /// write of `key` put it.
    func index(of key: String, holding value: String) -> Int? {
        guard let write = writes[value], write.key == key, write.isFinal, commits[write.writer] != nil else { return nil }
        return of(key).firstIndex { $0.writer == write.writer }
    }

    /// The commit timestamps at which the version of `key` changes, in `range`.
    func changes(of key: String, in range: ClosedRange<UInt64>) -> [UInt64] {
        of(key).map(\.commit).filter { range.contains($0) }
    }
}
