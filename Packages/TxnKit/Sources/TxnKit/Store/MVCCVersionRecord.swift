/// The fixed fields of a version record; its key bytes and then its value bytes follow them in
/// the same allocation.
struct MVCCRecordHeader {
    let commit: UInt64
    /// The value's checksum, computed at install (0 without a checksum algorithm).
    let checksum: UInt32
    let keyCount: UInt32
    /// The value's length; -1 for a tombstone.
    let valueCount: Int
}

/// One committed version of a key, in one immutable allocation: commit timestamp, checksum,
/// the key's bytes and the value's bytes (none for a tombstone, a delete).
///
/// A point read lands on the newest record straight from the hash index and finds the key to
/// compare, the timestamp and the value in adjacent bytes: one memory access beyond the hash
/// slot. Never mutated after `make`, so any holder of a reference may read it without the
/// store's lock; readers get copies of the bytes.
final class MVCCVersionRecord: ManagedBuffer<MVCCRecordHeader, UInt8> {
    static func make(key: [UInt8], value: [UInt8]?, commit: UInt64, checksum: UInt32) -> MVCCVersionRecord {
        key.withUnsafeBytes { key in
            guard let value else { return make(key: key, value: nil, commit: commit, checksum: checksum) }
            return value.withUnsafeBytes { make(key: key, value: $0, commit: commit, checksum: checksum) }
        }
    }

    /// A record holding copies of `key` and `value` (`nil` = a tombstone): one allocation.
    static func make(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer?, commit: UInt64, checksum: UInt32) -> MVCCVersionRecord {
        let valueCount = value?.count ?? 0
        let buffer = MVCCVersionRecord.create(minimumCapacity: key.count + valueCount) { _ in
            MVCCRecordHeader(commit: commit, checksum: checksum, keyCount: UInt32(key.count), valueCount: value?.count ?? -1)
        }
        let record = unsafeDowncast(buffer, to: MVCCVersionRecord.self)
        record.withUnsafeMutablePointerToElements { bytes in
            if let base = key.baseAddress, key.count > 0 { UnsafeMutableRawPointer(bytes).copyMemory(from: base, byteCount: key.count) }
            if let value, let base = value.baseAddress, value.count > 0 {
                UnsafeMutableRawPointer(bytes + key.count).copyMemory(from: base, byteCount: value.count)
            }
        }
        return record
    }

    // UInt8 elements need no deinitialization; ManagedBuffer destroys the header.

    /// The header, read through its pointer: every field is immutable, so no exclusive access
    /// is needed.
    @inline(__always)
    private var fields: MVCCRecordHeader { withUnsafeMutablePointerToHeader { $0.pointee } }

    @inline(__always) var commit: UInt64 { withUnsafeMutablePointerToHeader { $0.pointee.commit } }
    @inline(__always) var checksum: UInt32 { withUnsafeMutablePointerToHeader { $0.pointee.checksum } }
    @inline(__always) var isTombstone: Bool { withUnsafeMutablePointerToHeader { $0.pointee.valueCount < 0 } }
    @inline(__always) var keyCount: Int { Int(withUnsafeMutablePointerToHeader { $0.pointee.keyCount }) }
    /// The value's length (0 for a tombstone).
    @inline(__always) var valueCount: Int { max(0, withUnsafeMutablePointerToHeader { $0.pointee.valueCount }) }

    /// The key's bytes, valid during `body` only.
    @inline(__always)
    func withKey<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let count = keyCount
        return try withUnsafeMutablePointerToElements { try body(UnsafeRawBufferPointer(start: $0, count: count)) }
    }

    /// The value's bytes (empty for a tombstone), valid during `body` only.
    @inline(__always)
    func withValue<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let header = fields
        return try withUnsafeMutablePointerToElements {
            try body(UnsafeRawBufferPointer(start: $0 + Int(header.keyCount), count: max(0, header.valueCount)))
        }
    }

    /// A copy of the key.
    var key: [UInt8] { withKey { Array($0) } }

    /// A copy of the value; `nil` for a tombstone.
    var value: [UInt8]? { isTombstone ? nil : withValue { Array($0) } }

    /// This record's key compared with `key`: negative if this record's key sorts first.
    @inline(__always)
    func compareKey(to key: [UInt8]) -> Int {
        withKey { mine in key.withUnsafeBytes { MVCCBytes.compare(mine, $0) } }
    }

    @inline(__always)
    func hasKey(_ key: [UInt8]) -> Bool {
        keyCount == key.count && withKey { mine in key.withUnsafeBytes { MVCCBytes.equal(mine, $0) } }
    }

    /// True if `other` carries the same key bytes.
    @inline(__always)
    func hasSameKey(as other: MVCCVersionRecord) -> Bool {
        keyCount == other.keyCount && withKey { mine in other.withKey { MVCCBytes.equal(mine, $0) } }
    }

    /// A copy with bit `bit` of the value flipped and the checksum kept: the test hook's damage.
    func withFlippedBit(_ bit: Int) -> MVCCVersionRecord? {
        guard var value, bit >= 0, bit < value.count * 8 else { return nil }
        value[bit / 8] ^= UInt8(1) << UInt8(bit % 8)
        return .make(key: key, value: value, commit: commit, checksum: checksum)
    }
}

/// Counts of versions added or removed, for the store's statistics.
struct MVCCVersionTally {
    var versions = 0
    var tombstones = 0
    var valueBytes = 0
    /// Key and value bytes held by the records.
    var recordBytes = 0
    /// Set by `MVCCKeyEntry.prune` when the entry has no version left.
    var isEmpty = false

    mutating func add(_ record: MVCCVersionRecord) {
        versions += 1
        if record.isTombstone { tombstones += 1 }
        valueBytes += record.valueCount
        recordBytes += record.keyCount + record.valueCount
    }

    mutating func add<S: Sequence<MVCCVersionRecord>>(_ records: S) {
        for record in records { add(record) }
    }
}
