import MantisCore

/// Everything the MVCC store guards with its lock: both indexes, the garbage-collection
/// horizon and work list, and the counters behind the statistics.
///
/// `@unchecked Sendable`: every access goes through `MVCCStore.lock` (shared for reads,
/// exclusive for changes); the class exists only to be reachable from the `Sendable` store.
final class MVCCStoreState: @unchecked Sendable {
    var ordered: MVCCOrderedIndex
    var hashed = MVCCHashIndex()

    /// The highest `oldestActiveSnapshot` a collection has used: reads at older snapshots may
    /// miss removed versions and are refused.
    var horizon: UInt64 = 0
    /// The highest commit timestamp installed.
    var newestCommit: UInt64 = 0
    /// Entries that may hold collectable versions and are not in a running collection's batch.
    var garbageCandidates: [MVCCKeyEntry] = []

    var liveKeys = 0
    var versions = 0
    var tombstones = 0
    var keyBytes = 0
    var valueBytes = 0

    init(leafCapacity: Int) {
        ordered = MVCCOrderedIndex(leafCapacity: leafCapacity)
    }

    /// Throws if versions a reader at `snapshot` needs may have been collected.
    @inline(__always)
    func checkSnapshot(_ snapshot: UInt64) throws {
        guard snapshot >= horizon else { throw MantisError.mvccSnapshotTooOld(snapshot, horizon: horizon) }
    }

    /// Installs one write (under the exclusive lock).
    func install(key: [UInt8], hash: Int, version: MVCCVersion) {
        newestCommit = max(newestCommit, version.commit)
        var added = MVCCVersionTally()
        added.add(version)
        guard let entry = hashed.find(key, hash: hash) else {
            let entry = MVCCKeyEntry.make(key: key, version: version)
            hashed.insert(entry, hash: hash)
            ordered.insert(entry, key: key)
            keyBytes += key.count
            if !version.isTombstone { liveKeys += 1 }
            account(added: added, removed: MVCCVersionTally())
            markCandidate(entry)
            return
        }
        let wasLive = !entry.newest.isTombstone
        var removed = MVCCVersionTally()
        if let replaced = entry.install(version) { removed.add(replaced) }
        let isLive = !entry.newest.isTombstone
        if wasLive != isLive { liveKeys += isLive ? 1 : -1 }
        account(added: added, removed: removed)
        markCandidate(entry)
    }

    /// Prunes `entry` for a collection at `horizon`, unlinking it if nothing is left; appends it
    /// to `retained` if it may still hold garbage later. Returns the versions removed.
    func collect(_ entry: MVCCKeyEntry, horizon: UInt64, retained: inout [MVCCKeyEntry]) -> Int {
        let removed = entry.prune(horizon: horizon)
        account(added: MVCCVersionTally(), removed: removed)
        if removed.isEmpty {
            // Its only version was a tombstone nobody can see past: forget the key.
            let key = entry.key
            hashed.remove(key, hash: MVCCBytes.hash(key))
            ordered.remove(key)
            keyBytes -= key.count
            entry.isGarbageCandidate = false
        } else if entry.mayHoldGarbage {
            retained.append(entry)
        } else {
            entry.isGarbageCandidate = false
        }
        return removed.versions
    }

    private func markCandidate(_ entry: MVCCKeyEntry) {
        guard !entry.isGarbageCandidate, entry.mayHoldGarbage else { return }
        entry.isGarbageCandidate = true
        garbageCandidates.append(entry)
    }

    private func account(added: MVCCVersionTally, removed: MVCCVersionTally) {
        versions += added.versions - removed.versions
        tombstones += added.tombstones - removed.tombstones
        valueBytes += added.valueBytes - removed.valueBytes
    }
}

extension MantisError {
    static func mvccSnapshotTooOld(_ snapshot: UInt64, horizon: UInt64) -> MantisError {
        MantisError(
            .lsnUnavailable,
            "snapshot \(snapshot) is older than the garbage-collection horizon \(horizon): versions it needs may be gone (register a snapshot as active before reading at it)",
            context: ErrorContext(operation: "mvcc.read", lsn: snapshot, metadata: ["horizon": String(horizon)])
        )
    }

    static func mvccChecksumMismatch(key: [UInt8], commit: UInt64, expected: UInt32, actual: UInt32) -> MantisError {
        let hex = { (value: UInt32) in "0x" + String(value, radix: 16) }
        return MantisError(
            .corruption,
            "value of key \(ErrorContext.render(key)) committed at \(commit) fails its checksum (stored \(hex(expected)), computed \(hex(actual))); the value is withheld",
            context: ErrorContext(operation: "mvcc.read", key: key, lsn: commit),
            cause: MantisError(.checksumMismatch, "checksum \(hex(actual)) != stored \(hex(expected))")
        )
    }
}
