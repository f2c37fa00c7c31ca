extension MVCCHashIndex {
    /// `version(of:hash:at:)` for each of `keys` (with their `hashes`), in two passes so that the
    /// memory accesses of different keys overlap instead of following one another.
    ///
    /// In a store larger than the cache a point read waits on memory twice: for its hash slot,
    /// then for its record. The first pass only probes the slots (comparing hashes, holding the
    /// record it finds without retaining it, since a retain is an atomic write that would wait for
    /// the record's memory); the processor runs ahead over the independent probes of the next
    /// keys. The second pass checks each candidate's key and timestamp; the records' loads again
    /// do not depend on one another. A key whose candidate does not match (a hash collision) or
    /// is too new for `snapshot` takes the single-key path. Not thread-safe: under the store's lock.
    func versions(of keys: [[UInt8]], hashes: [Int], at snapshot: UInt64) -> [MVCCVersionRecord?] {
        let count = keys.count
        var candidates = [Unmanaged<MVCCVersionRecord>?](repeating: nil, count: count)
        for index in 0..<count {
            let tag = Self.tag(of: hashes[index])
            let slots = shards[Self.shard(of: tag)].slots
            let slot = Self.index(tag: tag, in: slots.baseAddress!, count: slots.count, where: { _ in true })
            candidates[index] = slot.map { Slot.newest(at: slots.baseAddress! + $0) }
        }
        var records = [MVCCVersionRecord?](repeating: nil, count: count)
        for index in 0..<count {
            guard let candidate = candidates[index] else { continue }  // no slot with this hash
            let usable = candidate._withUnsafeGuaranteedRef { $0.commit <= snapshot && $0.hasKey(keys[index]) }
            records[index] = usable ? candidate.takeUnretainedValue() : version(of: keys[index], hash: hashes[index], at: snapshot)
        }
        return records
    }
}
