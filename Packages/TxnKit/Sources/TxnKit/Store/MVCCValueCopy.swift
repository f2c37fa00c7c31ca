/// A value copied out of its record under the store's lock, with what verifying it needs.
///
/// Copying under the lock means a point read never retains the record: a retain is an atomic
/// write, and it would wait for the record's memory before the copy could start.
struct MVCCValueCopy {
    let value: [UInt8]
    let checksum: UInt32
    let commit: UInt64

    /// The copy of `record`'s value; nil for a tombstone.
    @inline(__always)
    init?(_ record: MVCCVersionRecord) {
        guard !record.isTombstone else { return nil }
        value = record.withValue { Array($0) }
        checksum = record.checksum
        commit = record.commit
    }
}
