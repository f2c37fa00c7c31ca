/// A key's place in the store: its version chain. The ordered index holds entries (an entry
/// lives as long as its key has a version); the hash index holds each entry next to its
/// newest record.
///
/// The chain is `newest` and then `older`, which is kept oldest first so a new commit appends
/// in O(1); reads walk it newest first. Invariant: commits strictly ascend along `older` and
/// stay below `newest.commit`; all records carry the entry's key. Touched only under the
/// store's lock (the records themselves are immutable).
final class MVCCKeyEntry {
    private(set) var newest: MVCCVersionRecord
    private(set) var older: [MVCCVersionRecord] = []
    /// True while the entry sits in a garbage-collection work list (the store's candidates or
    /// a running collection's batch); set whenever it may hold collectable versions.
    var isGarbageCandidate = false

    init(newest: MVCCVersionRecord) {
        self.newest = newest
    }

    /// The key's bytes (the same in every record), valid during `body` only.
    @inline(__always)
    func withKey<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try newest.withKey(body)
    }

    var key: [UInt8] { newest.key }
    var keyCount: Int { newest.keyCount }

    @inline(__always) func compareKey(to key: [UInt8]) -> Int { newest.compareKey(to: key) }
    @inline(__always) func hasKey(_ key: [UInt8]) -> Bool { newest.hasKey(key) }

    var versionCount: Int { older.count + 1 }

    /// Every record, oldest first.
    var records: [MVCCVersionRecord] { older + [newest] }

    /// True if a collection could ever remove something here: older versions, or a tombstone.
    var mayHoldGarbage: Bool { !older.isEmpty || newest.isTombstone }

    /// The version a reader at `snapshot` sees: the newest with `commit <= snapshot`.
    @inline(__always)
    func version(at snapshot: UInt64) -> MVCCVersionRecord? {
        if newest.commit <= snapshot { return newest }
        if older.isEmpty { return nil }
        let index = Self.firstIndex(in: older, above: snapshot)
        return index == 0 ? nil : older[index - 1]
    }

    /// Replay: no snapshot older than `record` exists, so it replaces the newest version instead of
    /// pushing it into the history. Returns the version dropped.
    func replaceNewest(_ record: MVCCVersionRecord) -> MVCCVersionRecord? {
        guard record.commit >= newest.commit else { return install(record) }
        let replaced = newest
        newest = record
        return replaced
    }

    /// Adds `record` in commit order (it may be older than the newest: installs can arrive
    /// slightly out of order). A record with an existing commit replaces it (a re-applied
    /// commit is idempotent); the replaced record is returned.
    func install(_ record: MVCCVersionRecord) -> MVCCVersionRecord? {
        let commit = record.commit
        let newestCommit = newest.commit
        if commit > newestCommit {
            older.append(newest)
            newest = record
            return nil
        }
        if commit == newestCommit {
            let replaced = newest
            newest = record
            return replaced
        }
        let index = Self.firstIndex(in: older, atLeast: commit)
        if index < older.count, older[index].commit == commit {
            let replaced = older[index]
            older[index] = record
            return replaced
        }
        older.insert(record, at: index)
        return nil
    }

    /// Swaps in `replacement` for the record with the same commit (the corruption test hook).
    func replace(with replacement: MVCCVersionRecord) -> Bool {
        if newest.commit == replacement.commit {
            newest = replacement
            return true
        }
        let index = Self.firstIndex(in: older, atLeast: replacement.commit)
        guard index < older.count, older[index].commit == replacement.commit else { return false }
        older[index] = replacement
        return true
    }

    /// Removes the versions no reader at a snapshot `>= horizon` can see: everything older than
    /// the newest version at or below `horizon`, and that version too if it is a tombstone
    /// (reading a tombstone and reading nothing are the same). If the only version left would
    /// be a tombstone at or below `horizon`, the entry is reported empty (`isEmpty`) and its
    /// tombstone counted as removed: the caller unlinks the entry from the indexes.
    func prune(horizon: UInt64) -> MVCCVersionTally {
        var removed = MVCCVersionTally()
        if newest.commit <= horizon {
            removed.add(older)
            older = []
            if newest.isTombstone {
                removed.add(newest)
                removed.isEmpty = true
            }
            return removed
        }
        let above = Self.firstIndex(in: older, above: horizon)
        guard above > 0 else { return removed }
        // older[above - 1] is the newest version at or below the horizon: kept unless a tombstone.
        let cut = older[above - 1].isTombstone ? above : above - 1
        guard cut > 0 else { return removed }
        removed.add(older[..<cut])
        if cut == older.count {
            older = []
        } else {
            older.removeFirst(cut)
        }
        return removed
    }

    /// The first index in ascending `records` whose commit is above `commit`.
    @inline(__always)
    static func firstIndex(in records: [MVCCVersionRecord], above commit: UInt64) -> Int {
        var low = 0
        var high = records.count
        while low < high {
            let middle = (low + high) >> 1
            if records[middle].commit <= commit { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// The first index in ascending `records` whose commit is at or above `commit`.
    @inline(__always)
    static func firstIndex(in records: [MVCCVersionRecord], atLeast commit: UInt64) -> Int {
        var low = 0
        var high = records.count
        while low < high {
            let middle = (low + high) >> 1
            if records[middle].commit < commit { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
