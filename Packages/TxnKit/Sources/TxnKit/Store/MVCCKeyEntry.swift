/// One committed version of a key: its commit timestamp, its value (`nil` for a delete, a
/// tombstone) and the checksum of the value computed when it was installed (0 without one).
struct MVCCVersion {
    var commit: UInt64
    var value: [UInt8]?
    var checksum: UInt32

    @inline(__always) var isTombstone: Bool { value == nil }
}

/// The fields of a key's entry; the key bytes follow them in the same allocation.
struct MVCCEntryHeader {
    var newest: MVCCVersion
    var older: [MVCCVersion] = []
    let keyCount: Int
    var isGarbageCandidate = false
}

/// A key and its version chain, in one allocation: the header, then the key bytes (so a lookup
/// that lands on an entry finds its key in the same cache lines). The newest version is held
/// inline (most keys have just one); older versions follow in `older`, oldest first, so a new
/// commit appends in O(1).
///
/// Invariant: `older` is strictly ascending by commit and every commit in it is below
/// `newest.commit`. Touched only under the store's lock.
final class MVCCKeyEntry: ManagedBuffer<MVCCEntryHeader, UInt8> {
    static func make(key: [UInt8], version: MVCCVersion) -> MVCCKeyEntry {
        let buffer = MVCCKeyEntry.create(minimumCapacity: key.count) { _ in
            MVCCEntryHeader(newest: version, keyCount: key.count)
        }
        let entry = unsafeDowncast(buffer, to: MVCCKeyEntry.self)
        entry.withUnsafeMutablePointerToElements { elements in
            key.withUnsafeBufferPointer { source in
                if let base = source.baseAddress { elements.initialize(from: base, count: source.count) }
            }
        }
        return entry
    }

    // UInt8 elements need no deinitialization; ManagedBuffer destroys the header.

    /// The key's bytes, valid during `body` only.
    /// The key bytes and their count never change after `make`, so this may run without the
    /// store's lock (by whoever holds a reference to the entry).
    @inline(__always)
    func withKey<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let count = keyCount
        return try withUnsafeMutablePointerToElements { try body(UnsafeRawBufferPointer(start: $0, count: count)) }
    }

    /// A copy of the key (safe without the lock, like `withKey`).
    var key: [UInt8] { withKey { Array($0) } }

    /// Read through the header pointer: an immutable field, so no exclusive access is needed.
    @inline(__always)
    var keyCount: Int { withUnsafeMutablePointerToHeader { $0.pointee.keyCount } }

    /// `key` compared with this entry's key: negative if this entry's key sorts first.
    @inline(__always)
    func compareKey(to key: [UInt8]) -> Int {
        withKey { mine in key.withUnsafeBytes { MVCCBytes.compare(mine, $0) } }
    }

    @inline(__always)
    func hasKey(_ key: [UInt8]) -> Bool {
        keyCount == key.count && compareKey(to: key) == 0
    }

    var newest: MVCCVersion {
        @inline(__always) get { header.newest }
        set { header.newest = newValue }
    }

    var older: [MVCCVersion] {
        @inline(__always) get { header.older }
        _modify { yield &header.older }
    }

    /// True while the entry sits in a garbage-collection work list (the store's candidates or
    /// a running collection's batch); set whenever it may hold collectable versions.
    var isGarbageCandidate: Bool {
        get { header.isGarbageCandidate }
        set { header.isGarbageCandidate = newValue }
    }

    var versionCount: Int { older.count + 1 }

    /// True if a collection could ever remove something here: older versions, or a tombstone.
    var mayHoldGarbage: Bool { !older.isEmpty || newest.isTombstone }

    /// The version a reader at `snapshot` sees: the newest with `commit <= snapshot`.
    @inline(__always)
    func version(at snapshot: UInt64) -> MVCCVersion? {
        if newest.commit <= snapshot { return newest }
        if older.isEmpty { return nil }
        let index = Self.firstIndex(in: older, above: snapshot)
        return index == 0 ? nil : older[index - 1]
    }

    /// Adds `version` in commit order (it may be older than the newest: installs can arrive
    /// slightly out of order). A version with an existing commit replaces it (a re-applied
    /// commit is idempotent); the replaced version is returned.
    func install(_ version: MVCCVersion) -> MVCCVersion? {
        if version.commit > newest.commit {
            older.append(newest)
            newest = version
            return nil
        }
        if version.commit == newest.commit {
            let replaced = newest
            newest = version
            return replaced
        }
        let index = Self.firstIndex(in: older, atLeast: version.commit)
        if index < older.count, older[index].commit == version.commit {
            let replaced = older[index]
            older[index] = version
            return replaced
        }
        older.insert(version, at: index)
        return nil
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

    /// The first index in ascending `versions` whose commit is above `commit`.
    @inline(__always)
    static func firstIndex(in versions: [MVCCVersion], above commit: UInt64) -> Int {
        var low = 0
        var high = versions.count
        while low < high {
            let middle = (low + high) >> 1
            if versions[middle].commit <= commit { low = middle + 1 } else { high = middle }
        }
        return low
    }
}

extension MVCCKeyEntry {
    /// The first index in ascending `versions` whose commit is at or above `commit`.
    @inline(__always)
    static func firstIndex(in versions: [MVCCVersion], atLeast commit: UInt64) -> Int {
        var low = 0
        var high = versions.count
        while low < high {
            let middle = (low + high) >> 1
            if versions[middle].commit < commit { low = middle + 1 } else { high = middle }
        }
        return low
    }
}

/// Counts of versions added or removed, for the store's statistics.
struct MVCCVersionTally {
    var versions = 0
    var tombstones = 0
    var valueBytes = 0
    /// Set by `MVCCKeyEntry.prune` when the entry has no version left.
    var isEmpty = false

    mutating func add(_ version: MVCCVersion) {
        versions += 1
        if let value = version.value { valueBytes += value.count } else { tombstones += 1 }
    }

    mutating func add<S: Sequence<MVCCVersion>>(_ versions: S) {
        for version in versions { add(version) }
    }
}
