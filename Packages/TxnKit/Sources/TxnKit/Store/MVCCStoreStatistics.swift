/// A point-in-time summary of an `MVCCStore`.
public struct MVCCStoreStatistics: Sendable, Hashable {
    /// Keys with at least one version held (including keys whose newest version is a tombstone
    /// not yet collected).
    public var keys: Int
    /// Keys whose newest version is a value.
    public var liveKeys: Int
    /// Versions held, tombstones included.
    public var versions: Int
    /// Tombstone versions held.
    public var tombstones: Int
    /// Bytes of the keys held.
    public var keyBytes: Int
    /// Bytes of all values held (every version).
    public var valueBytes: Int
    /// Estimated memory held: key and value bytes plus per-key and per-version overhead
    /// (entries, array headers, index slots), calibrated on 64-bit Linux.
    public var approximateBytes: Int
    /// The highest commit timestamp installed (0 = none).
    public var newestCommit: UInt64
    /// The highest `oldestActiveSnapshot` garbage collection used; older snapshots are refused.
    public var collectionHorizon: UInt64
    /// Keys queued for the next collection (they have old versions or a tombstone).
    public var garbageCandidates: Int
    /// Leaves of the ordered index.
    public var leaves: Int

    public init(
        keys: Int, liveKeys: Int, versions: Int, tombstones: Int, keyBytes: Int, valueBytes: Int,
        approximateBytes: Int, newestCommit: UInt64, collectionHorizon: UInt64, garbageCandidates: Int, leaves: Int
    ) {
        self.keys = keys
        self.liveKeys = liveKeys
        self.versions = versions
        self.tombstones = tombstones
        self.keyBytes = keyBytes
        self.valueBytes = valueBytes
        self.approximateBytes = approximateBytes
        self.newestCommit = newestCommit
        self.collectionHorizon = collectionHorizon
        self.garbageCandidates = garbageCandidates
        self.leaves = leaves
    }

    /// Per key: entry object with its header and malloc rounding (80) plus its ordered-index
    /// slot and head with leaf slack (20); per value: array header and rounding (40); per older
    /// version: its place in the chain (24); per hash slot: 16. Measured against RSS on 64-bit
    /// Linux: within ~5% for a million 16-byte keys with 100-byte values (~290 B/key).
    static func estimate(keys: Int, versions: Int, tombstones: Int, keyBytes: Int, valueBytes: Int, hashSlots: Int) -> Int {
        keyBytes + valueBytes + keys * (80 + 20) + (versions - tombstones) * 40
            + (versions - keys) * 24 + hashSlots * 16
    }
}
