/// The checks that depend on the isolation level, and the dependency graph.
extension HistoryChecker {
    /// The first point in `range` (a snapshot: a commit timestamp) at which every read in
    /// `reads` saw the version current then; nil if there is none. Reads of no installed
    /// version (already reported as garbage, aborted or intermediate) are left out.
    func consistentPoint(_ reads: [ExternalRead], within range: ClosedRange<UInt64>) -> UInt64? {
        var low = range.lowerBound, high = range.upperBound
        // A value read pins the point to the interval its version was current in.
        for read in reads where read.value != nil {
            guard let index = read.version else { continue }
            let list = versions.of(read.key)
            low = max(low, list[index].commit)
            if index + 1 < list.count { high = min(high, list[index + 1].commit - 1) }
        }
        guard low <= high else { return nil }
        // The answer changes only where a read key gets a new version.
        var candidates: Set<UInt64> = [low]
        for key in Set(reads.map(\.key)) { candidates.formUnion(versions.changes(of: key, in: low...high)) }
        return candidates.sorted().first { point in
            reads.allSatisfy { read in
                if read.value != nil && read.version == nil { return true }
                return versions.value(of: read.key, at: point) == read.value
            }
        }
    }

    func render(_ reads: [ExternalRead]) -> String {
        reads.map { read in
            let writer = read.value.flatMap { versions.writes[$0] }.map { "T\($0.writer)" } ?? "-"
            return "\(read.key)=\(read.value ?? "∅")(\(writer))"
        }.joined(separator: " ")
    }

    /// Read committed: the reads of each call (a get, a batched get, a scan: the store is read
    /// at one snapshot per call) are the latest committed versions at one moment between just
    /// before and just after the call (no stale read, no read of a commit not yet visible).
    mutating func checkReadCommittedReads() {
        for transaction in history.transactions {
            let reads = externalReads[transaction.id] ?? []
            for call in Dictionary(grouping: reads, by: \.call).sorted(by: { $0.key < $1.key }) {
                let visible = call.value[0].visible
                if consistentPoint(call.value, within: visible) == nil {
                    let expected = call.value.map { "\($0.key): \(versions.value(of: $0.key, at: visible.lowerBound) ?? "∅")…\(versions.value(of: $0.key, at: visible.upperBound) ?? "∅")" }
                    report("stale read", "\(describe(transaction)) read \(render(call.value)) in one call while the visible snapshot went \(visible.lowerBound)…\(visible.upperBound); the latest committed versions then were \(expected.joined(separator: ", "))")
                }
            }
        }
    }

    /// Snapshot and serializable: all the reads of a transaction come from one snapshot (else
    /// fractured read / read skew, checked without trusting the engine's own snapshot), and it is
    /// the one `Transaction.snapshot` names.
    mutating func checkSnapshotReads() {
        for transaction in history.transactions {
            let reads = externalReads[transaction.id] ?? []
            guard !reads.isEmpty else { continue }
            if consistentPoint(reads, within: 0...UInt64.max) == nil {
                report("fractured read", "\(describe(transaction)) read \(render(reads)): no single snapshot holds all of these versions")
                continue
            }
            let wrong = reads.filter { versions.value(of: $0.key, at: transaction.snapshot) != $0.value }
            if !wrong.isEmpty {
                let expected = wrong.map { "\($0.key)=\(versions.value(of: $0.key, at: transaction.snapshot) ?? "∅")" }
                report("not at snapshot", "\(describe(transaction)) read \(render(wrong)), but its snapshot \(transaction.snapshot) holds \(expected.joined(separator: " "))")
            }
        }
    }

    /// Snapshot and serializable: no two committed transactions both read the same version of a
    /// key and both wrote the key (P4, lost update).
    mutating func checkLostUpdates() {
        var readers: [String: [Int: Set<UInt64>]] = [:]
        for transaction in history.transactions where transaction.isCommitted {
            let writes = transaction.finalWrites
            for read in externalReads[transaction.id] ?? [] where writes[read.key] != nil {
                guard let version = read.version else { continue }
                readers[read.key, default: [:]][version, default: []].insert(transaction.id)
            }
        }
        for key in readers.keys.sorted() {
            for (version, group) in readers[key]!.sorted(by: { $0.key < $1.key }) where group.count > 1 {
                let writer = versions.of(key)[version].writer.map { "T\($0)" } ?? "the initial state"
                report("lost update", "\(group.sorted().map { describe(byID[$0]!) }.joined(separator: " and ")) all read \(key) as written by \(writer) and all wrote it")
            }
        }
    }

    /// Snapshot and serializable: first committer wins, so of two committed writers of a key the
    /// later one began (took its snapshot) after the earlier one committed.
    mutating func checkConcurrentWriters() {
        for key in versions.versions.keys.sorted() {
            let list = versions.of(key)
            for index in list.indices.dropFirst(2) {
                guard let earlier = list[index - 1].writer.flatMap({ byID[$0] }), let later = list[index].writer.flatMap({ byID[$0] }) else { continue }
                if later.snapshot < list[index - 1].commit {
                    report("concurrent writers", "\(describe(earlier)) and \(describe(later)) both wrote \(key) and both committed, though neither began after the other committed")
                }
            }
        }
    }

    /// Every level: a committed transaction that read a key after `lockForUpdate` of it and then
    /// wrote it installed the version right after the one it read: nobody committed the key in
    /// between (the update is not lost).
    mutating func checkLockedUpdates() {
        for transaction in history.transactions where transaction.isCommitted && versions.commits[transaction.id] != nil {
            let writes = transaction.finalWrites
            for read in externalReads[transaction.id] ?? [] where read.locked && writes[read.key] != nil {
                guard let version = read.version else { continue }
                let list = versions.of(read.key)
                guard let mine = list.firstIndex(where: { $0.writer == transaction.id }) else { continue }
                if mine != version + 1 {
                    let between = list[(version + 1)..<mine].compactMap { $0.writer.map { "T\($0)" } }
                    report("lost update under lock", "\(describe(transaction)) locked \(read.key), read \(read.value ?? "∅"), wrote it, yet \(between.isEmpty ? "its version precedes the one it read" : between.joined(separator: ", ") + " committed it in between")")
                }
            }
        }
    }

    /// The direct serialization graph over committed transactions: no `ww`/`wr` cycle at any
    /// level (G0, G1c); at serializable, no cycle at all (G2, G-single).
    mutating func checkDependencies() {
        var graph = DependencyGraph()
        for key in versions.versions.keys.sorted() {
            let list = versions.of(key)
            for index in list.indices.dropFirst(2) { graph.add(list[index - 1].writer!, list[index].writer!, .ww, key: key) }
        }
        for transaction in history.transactions where transaction.isCommitted {
            for read in externalReads[transaction.id] ?? [] {
                guard let version = read.version else { continue }
                let list = versions.of(read.key)
                if let writer = list[version].writer { graph.add(writer, transaction.id, .wr, key: read.key) }
                if version + 1 < list.count, let next = list[version + 1].writer { graph.add(transaction.id, next, .rw, key: read.key) }
            }
        }
        edgesChecked = graph.edgeCount
        if let cycle = graph.cycle(using: [.ww, .wr]) {
            report("G1c cycle", "circular information flow: \(cycle)")
        }
        if history.isolation == .serializable, let cycle = graph.cycle(using: Set(DependencyGraph.Kind.allCases)) {
            report("G2 cycle", "not serializable: \(cycle)")
        }
    }
}
