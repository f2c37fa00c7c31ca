import MantisCore

extension MVCCStore {
    /// The live key-value pairs of `range` visible at `snapshot`, in ascending key order, at most
    /// `limit` of them. Deleted keys (tombstones at the snapshot) are skipped.
    ///
    /// Large ranges are read in chunks with the lock released between them; the result is still
    /// exactly the snapshot as long as `snapshot` is registered active (not below a collection).
    /// - Throws: `.corruption` naming the first key whose value fails its checksum;
    ///   `.lsnUnavailable` if a collection passes `snapshot` before the scan completes.
    public func scan(_ range: KeyRange, at snapshot: UInt64, limit: Int? = nil) throws -> [(key: [UInt8], value: [UInt8])] {
        var result: [(key: [UInt8], value: [UInt8])] = []
        try visit(range, at: snapshot, limit: limit ?? Int.max) { key, value in
            result.append((key, value))
        }
        return result
    }

    /// The live pairs with keys starting with `prefix` at `snapshot` (see `scan`).
    public func scan(prefix: [UInt8], at snapshot: UInt64, limit: Int? = nil) throws -> [(key: [UInt8], value: [UInt8])] {
        try scan(.prefix(prefix), at: snapshot, limit: limit)
    }

    /// Calls `body` with every live pair of `range` (all keys by default) visible at `snapshot`,
    /// in ascending key order: the iteration a checkpoint is written from.
    ///
    /// Works in chunks: the visible records of a few thousand keys are gathered under the shared
    /// lock, then their keys and values are copied, verified and passed to `body` with no lock
    /// held, so installs continue during a long iteration (and `body` may even call the store).
    /// The pairs are exactly the snapshot at `snapshot` provided it stays registered active for
    /// the whole call.
    /// - Throws: what `body` throws; `.corruption` naming the key if a value fails its checksum
    ///   (a checkpoint must not persist corrupt bytes); `.lsnUnavailable` if a collection passes
    ///   `snapshot` during the iteration.
    public func forEachLatest(
        in range: KeyRange = .all, at snapshot: UInt64, _ body: ([UInt8], [UInt8]) throws -> Void
    ) throws {
        try visit(range, at: snapshot, limit: Int.max, body)
    }

    /// True if some key in `range` has a version (value or tombstone) with commit `> commit`:
    /// the check behind serializable validation of a scan. Tombstones are kept until no
    /// registered snapshot can see past them, so the answer is exact for `commit` at or above
    /// the oldest active snapshot.
    public func hasVersion(in range: KeyRange, newerThan commit: UInt64) -> Bool {
        guard !range.isEmpty else { return false }
        var resume: [UInt8]?
        while true {
            let (found, done) = lock.withReadLock { () -> (Bool, Bool) in
                var position = resume.map { state.ordered.seek(after: $0) } ?? state.ordered.seek(atLeast: range.lower)
                var examined = 0
                while let entry = state.ordered.entry(at: position) {
                    if range.isPastUpper(entry) { return (false, true) }
                    if entry.newest.commit > commit { return (true, true) }
                    examined += 1
                    if examined == chunkSize {
                        resume = entry.key
                        return (false, false)
                    }
                    position = state.ordered.position(after: position)
                }
                return (false, true)
            }
            if done { return found }
        }
    }

    /// `forEachLatest` without copies: `body` gets views of the key and value bytes inside the
    /// store's immutable version records, valid during the call only (copy what you keep). The
    /// same snapshot, order, verification (before `body` sees a value) and chunking.
    public func forEachLatestInPlace(
        in range: KeyRange = .all, at snapshot: UInt64, _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Void
    ) throws {
        try gather(range, at: snapshot, limit: Int.max) { records in
            for record in records {
                try record.withKey { key in
                    try record.withValue { value in
                        try verify(value, checksum: record.checksum, key: key, commit: record.commit)
                        try body(key, value)
                    }
                }
            }
        }
    }

    /// The engine of scans and iteration: up to `limit` live pairs of `range` at `snapshot`, in
    /// order, gathered `chunkSize` keys per hold of the shared lock, verified and handed to
    /// `deliver` with no lock held.
    func visit(
        _ range: KeyRange, at snapshot: UInt64, limit: Int, _ deliver: ([UInt8], [UInt8]) throws -> Void
    ) throws {
        try gather(range, at: snapshot, limit: limit) { records in
            for record in records {
                let key = record.key
                let value = record.value!
                try verify(value, checksum: record.checksum, key: key, commit: record.commit)
                try deliver(key, value)
            }
        }
    }

    /// Up to `limit` visible, live records of `range` at `snapshot`, in key order, handed to
    /// `handle` a chunk at a time (`chunkSize` keys examined per hold of the shared lock) with no
    /// lock held. Records are immutable, so `handle` reads their bytes without the lock.
    func gather(
        _ range: KeyRange, at snapshot: UInt64, limit: Int, _ handle: ([MVCCVersionRecord]) throws -> Void
    ) throws {
        guard limit > 0, !range.isEmpty else { return }
        var remaining = limit
        var resume: [UInt8]?
        var batch: [MVCCVersionRecord] = []
        batch.reserveCapacity(Swift.min(limit, chunkSize))
        while true {
            batch.removeAll(keepingCapacity: true)
            let done = try lock.withReadLock { () throws -> Bool in
                try state.checkSnapshot(snapshot)
                var position = resume.map { state.ordered.seek(after: $0) } ?? state.ordered.seek(atLeast: range.lower)
                var examined = 0
                while let entry = state.ordered.entry(at: position) {
                    if range.isPastUpper(entry) { return true }
                    if let record = entry.version(at: snapshot), !record.isTombstone {
                        batch.append(record)
                        if batch.count == remaining { return true }
                    }
                    examined += 1
                    if examined == chunkSize {
                        resume = entry.key
                        return false
                    }
                    position = state.ordered.position(after: position)
                }
                return true
            }
            try handle(batch)
            remaining -= batch.count
            if done { return }
        }
    }
}
