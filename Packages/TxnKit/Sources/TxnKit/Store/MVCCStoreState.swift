import MantisCore

/// Everything the MVCC store guards with its lock: both indexes, the garbage-collection
/// horizon and work list, and the counters behind the statistics.
///
/// `@unchecked Sendable`: every access goes through `MVCCStore.lock` (shared for reads,
/// exclusive for changes); the class exists only to be reachable from the `Sendable` store.
final class MVCCStoreState: @unchecked Sendable {
    var ordered: MVCCOrderedIndex
    let hashed = MVCCHashIndex()

    /// The highest `oldestActiveSnapshot` a collection has used: reads at older snapshots may
    /// miss removed versions and are refused.
    var horizon: UInt64 = 0
    /// The highest commit timestamp installed.
    var newestCommit: UInt64 = 0
    /// The newest tombstone a collection removed together with its key: after it, the store
    /// cannot tell which keys those deletes touched.
    var forgottenThrough: UInt64 = 0
    /// Entries that may hold collectable versions and are not in a running collection's batch.
    var garbageCandidates: [MVCCKeyEntry] = []

    var liveKeys = 0
    var versions = 0
    var tombstones = 0
    var keyBytes = 0
    var valueBytes = 0
    var recordBytes = 0

    init(leafCapacity: Int) {
        ordered = MVCCOrderedIndex(leafCapacity: leafCapacity)
    }

    /// Throws if versions a reader at `snapshot` needs may have been collected.
    @inline(__always)
    func checkSnapshot(_ snapshot: UInt64) throws {
        guard snapshot >= horizon else { throw MantisError.mvccSnapshotTooOld(snapshot, horizon: horizon) }
    }

    /// Installs one write (under the exclusive lock).
    func install(key: [UInt8], hash: Int, record: MVCCVersionRecord) {
        newestCommit = max(newestCommit, record.commit)
        guard let (entry, newest) = hashed.find(key, hash: hash) else {
            insertEntry(record, key: key, hash: hash)
            return
        }
        let replaced = entry.install(record)
        if entry.newest !== newest { hashed.setNewest(entry.newest, of: key, hash: hash) }
        settle(entry, added: record, replaced: replaced, wasLive: !newest.isTombstone)
    }

    /// Installs one replayed write (under the exclusive lock) with its history discarded; the
    /// version it supersedes is appended to `dropped` instead of being released here.
    func installReplayed(_ record: MVCCVersionRecord, hash: Int, dropped: inout [MVCCVersionRecord]) {
        newestCommit = max(newestCommit, record.commit)
        guard let (entry, previous, replaced) = hashed.replaceNewest(with: record, hash: hash) else {
            insertEntry(record, key: record.key, hash: hash)
            return
        }
        if let replaced { dropped.append(replaced) }
        settle(entry, added: record, replaced: replaced, wasLive: !previous.isTombstone)
    }

    /// A key's first version: a new entry in both indexes.
    private func insertEntry(_ record: MVCCVersionRecord, key: [UInt8], hash: Int) {
        let entry = MVCCKeyEntry(newest: record)
        hashed.insert(entry, hash: hash)
        ordered.insert(entry, key: key)
        keyBytes += key.count
        if !record.isTombstone { liveKeys += 1 }
        settle(entry, added: record, replaced: nil, wasLive: nil)
    }

    /// The counts after `record` joined `entry` (replacing `replaced`, if any); `wasLive` is
    /// whether the key was live before (nil: a new key, already counted).
    private func settle(_ entry: MVCCKeyEntry, added record: MVCCVersionRecord, replaced: MVCCVersionRecord?, wasLive: Bool?) {
        var added = MVCCVersionTally()
        added.add(record)
        var removed = MVCCVersionTally()
        if let replaced { removed.add(replaced) }
        if let wasLive {
            let isLive = !entry.newest.isTombstone
            if wasLive != isLive { liveKeys += isLive ? 1 : -1 }
        }
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
            forgottenThrough = max(forgottenThrough, entry.newest.commit)
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
        recordBytes += added.recordBytes - removed.recordBytes
    }
}
