extension MVCCStore {
    /// The values of `keys` visible at `snapshot`, in order (`nil` where absent or deleted there):
    /// what `get` returns for each, read under one hold of the lock and with the memory accesses
    /// of different keys overlapped (`MVCCHashIndex.versions`), so a batch of reads of a large
    /// store costs much less than one read after another.
    /// - Throws: as `get`: `.corruption` naming the first key whose value fails its checksum
    ///   (no value is returned then), `.lsnUnavailable` below the collection horizon.
    public func get(_ keys: [[UInt8]], at snapshot: UInt64) throws -> [[UInt8]?] {
        let hashes = keys.map(MVCCBytes.hash)
        let records = try lock.withReadLock { () throws -> [MVCCVersionRecord?] in
            try state.checkSnapshot(snapshot)
            return state.hashed.versions(of: keys, hashes: hashes, at: snapshot)
        }
        // Copied and verified with the lock released, unlike `get`: copying inside the second
        // pass of `versions` (a malloc per key) stops the processor running ahead over the next
        // records' loads, and measured 15-20 % slower in batches of 16.
        var values: [[UInt8]?] = []
        values.reserveCapacity(keys.count)
        for (index, record) in records.enumerated() {
            guard let record, let value = record.value else {
                values.append(nil)
                continue
            }
            try verify(value, checksum: record.checksum, key: keys[index], commit: record.commit)
            values.append(value)
        }
        return values
    }
}
