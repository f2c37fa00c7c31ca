import MantisCore

/// An in-memory, ordered, multi-version key-value store: the committed state of the database.
///
/// Keys and values are byte strings; keys sort as unsigned bytes, a proper prefix first. Each
/// key keeps its committed versions, each stamped with the commit timestamp (the WAL LSN of
/// its COMMIT record); a delete is a tombstone version. A reader at snapshot `S` sees, for
/// every key, exactly the newest version with timestamp `<= S`.
///
/// What it promises:
/// - **Atomic installs.** The writes of one `install` become visible together: a reader sees
///   all of them or none. Installs may arrive slightly out of timestamp order; visibility is by
///   timestamp, so the caller hands out only snapshots whose commits are all installed.
/// - **Readers do not wait for long.** Reads share a reader-writer lock; an install holds it
///   exclusively only to link its versions in (checksums and hashes are computed before).
///   Scans, checkpoint iteration, validation scans and garbage collection work in chunks of
///   a few thousand keys, releasing the lock between chunks, and never call user code under it.
///   MVCC makes the chunks one consistent snapshot, as long as the snapshot stays registered
///   as active (so collection keeps what it needs).
/// - **Collected snapshots are refused, not misread.** Once `collectGarbage` ran with
///   `oldestActiveSnapshot: O`, reads at a snapshot below `O` throw `.lsnUnavailable`.
/// - **Corrupt values never reach a client.** With a checksum algorithm, each value's checksum
///   is computed at install and, with `verifyReads`, checked on every read; a mismatch throws
///   `.corruption` naming the key (cause `.checksumMismatch`) and the value is withheld.
/// - **Nothing durable.** The store lives in memory; durability is the WAL's and the
///   checkpoints' job (see `forEachLatest`).
///
/// Structure: each version is one immutable record (timestamp, checksum, key and value bytes);
/// each key has an entry with its chain of records. A two-level B+-tree of entries (sorted
/// leaves of a few hundred keys) gives the order; a hash index maps each key to its entry and
/// newest record, so a point read costs a hash-slot access and a record access. Values are
/// handed out as copies.
public final class MVCCStore: Sendable {
    /// The algorithm of value checksums; `nil` = values carry none.
    public let checksumAlgorithm: (any ChecksumAlgorithm)?
    /// Whether reads verify value checksums (only meaningful with an algorithm).
    public let verifyReads: Bool
    /// `checksumAlgorithm`, opened.
    let checksummer: MVCCChecksummer?

    let lock = MVCCReadWriteLock()
    let state: MVCCStoreState
    /// How many keys a scan, iteration or collection handles per hold of the lock.
    let chunkSize: Int

    /// - Parameters:
    ///   - checksum: the value checksum (e.g. IntegrityKit's `CRC32Checksum()`); `nil` = none.
    ///   - verifyReads: verify checksums on every read (`get`, `scan`, `forEachLatest`).
    public convenience init(checksum: (any ChecksumAlgorithm)? = nil, verifyReads: Bool = true) {
        self.init(checksum: checksum, verifyReads: verifyReads, leafCapacity: 512, chunkSize: 2048)
    }

    /// With explicit structure sizes: small ones let tests exercise splits, merges and chunking.
    package init(checksum: (any ChecksumAlgorithm)?, verifyReads: Bool, leafCapacity: Int, chunkSize: Int) {
        precondition(chunkSize > 0)
        self.checksumAlgorithm = checksum
        self.checksummer = checksum.map { MVCCChecksummer($0) }
        self.verifyReads = verifyReads
        self.state = MVCCStoreState(leafCapacity: leafCapacity)
        self.chunkSize = chunkSize
    }

    // MARK: Point access

    /// The value of `key` visible at `snapshot` (`nil` if absent or deleted there).
    /// - Throws: `.corruption` (naming the key) if the value fails its checksum;
    ///   `.lsnUnavailable` if `snapshot` is below the garbage-collection horizon.
    public func get(_ key: [UInt8], at snapshot: UInt64) throws -> [UInt8]? {
        let hash = MVCCBytes.hash(key)
        let copy = try lock.withReadLock { () throws -> MVCCValueCopy? in
            try state.checkSnapshot(snapshot)
            return MVCCHashIndex.valueCopy(of: key, hash: hash, at: snapshot, in: state.hashed.shards)
        }
        // Verified with the lock released.
        guard let copy else { return nil }
        try verify(copy.value, checksum: copy.checksum, key: key, commit: copy.commit)
        return copy.value
    }

    /// The commit timestamp of the newest version of `key`, tombstones included; `nil` if the
    /// store holds no version of it (never written, or only a collected tombstone).
    public func latestCommit(of key: [UInt8]) -> UInt64? {
        let hash = MVCCBytes.hash(key)
        return lock.withReadLock { state.hashed.find(key, hash: hash)?.newest.commit }
    }

    /// True if `key` may have a commit after `snapshot`, whatever garbage collection removed
    /// since: never false if it has one. Exact while the store holds a version of `key`; for a key
    /// it holds none of, true if a collection has forgotten a key deleted after `snapshot` (that
    /// key may have been this one).
    public func mayHaveChanged(_ key: [UInt8], since snapshot: UInt64) -> Bool {
        let hash = MVCCBytes.hash(key)
        return lock.withReadLock {
            if let found = state.hashed.find(key, hash: hash) { return found.newest.commit > snapshot }
            return state.forgottenThrough > snapshot
        }
    }

    // MARK: Installing commits

    /// Installs committed transactions in commit order under one lock hold: each commit's writes
    /// at its timestamp, keeping older versions for the snapshots that still need them.
    public func install(commits: [(writes: [(key: [UInt8], value: [UInt8]?)], commit: UInt64)]) {
        // Records, checksums and hashes before taking the lock, so the exclusive section only links.
        var prepared: [MVCCPreparedWrite] = []
        prepared.reserveCapacity(commits.reduce(0) { $0 + $1.writes.count })
        for (writes, commit) in commits {
            for write in writes {
                let checksum = write.value.map { value in value.withUnsafeBytes { valueChecksum($0) } } ?? 0
                prepared.append(MVCCPreparedWrite(
                    key: write.key, hash: MVCCBytes.hash(write.key),
                    record: .make(key: write.key, value: write.value, commit: commit, checksum: checksum)
                ))
            }
        }
        guard !prepared.isEmpty else { return }
        lock.withWriteLock {
            for write in prepared {
                state.install(key: write.key, hash: write.hash, record: write.record)
            }
        }
    }

    /// Installs the writes of one committed transaction at commit timestamp `commit`: a value
    /// writes it, `nil` deletes the key (a tombstone). All become visible together to snapshots
    /// `>= commit`. A key written twice keeps the last write; re-installing a commit replaces
    /// its versions (so redo during recovery is idempotent).
    public func install(_ writes: [(key: [UInt8], value: [UInt8]?)], at commit: UInt64) {
        install(commits: [(writes, commit)])
    }

    /// Installs one write (see `install(_:at:)`).
    public func install(key: [UInt8], value: [UInt8]?, at commit: UInt64) {
        install([(key: key, value: value)], at: commit)
    }

    // MARK: Statistics

    /// Counts and an estimate of the memory held (keys, values and per-key/per-version overhead).
    public var statistics: MVCCStoreStatistics {
        lock.withReadLock {
            MVCCStoreStatistics(
                keys: state.hashed.count,
                liveKeys: state.liveKeys,
                versions: state.versions,
                tombstones: state.tombstones,
                keyBytes: state.keyBytes,
                valueBytes: state.valueBytes,
                approximateBytes: MVCCStoreStatistics.estimate(
                    keys: state.hashed.count, versions: state.versions,
                    recordBytes: state.recordBytes, hashSlots: state.hashed.capacity
                ),
                newestCommit: state.newestCommit,
                collectionHorizon: state.horizon,
                garbageCandidates: state.garbageCandidates.count,
                leaves: state.ordered.leafCount
            )
        }
    }
}

/// A write ready to link in: its key's hash and its record (with checksum) made.
struct MVCCPreparedWrite {
    var key: [UInt8]
    var hash: Int
    var record: MVCCVersionRecord
}
