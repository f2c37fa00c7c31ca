/// The point-lookup index of the store: key → entry, by open addressing with linear probing.
///
/// Split into 256 shards by the hash's top byte, each a power-of-two table grown (or shrunk)
/// on its own: a resize rehashes 1/256 of the keys, so no single install pauses readers for a
/// rehash of the whole store. A slot keeps the full hash next to the entry, so a probe touches an
/// entry (and its key) only on a hash match. Deletion shifts the following run back instead of
/// leaving markers, so probe runs stay short under churn. Not thread-safe: the store's lock
/// guards it.
struct MVCCHashIndex {
    struct Slot {
        var hash: Int
        var entry: MVCCKeyEntry?
    }

    struct Shard {
        var slots: [Slot]
        var count = 0

        init(capacity: Int) {
            slots = Array(repeating: Slot(hash: 0, entry: nil), count: capacity)
        }
    }

    static let shardCount = 256
    static let minimumCapacity = 8

    private var shards = Array(repeating: Shard(capacity: MVCCHashIndex.minimumCapacity), count: MVCCHashIndex.shardCount)
    private(set) var count = 0

    /// The slots allocated over all shards (for the memory estimate).
    private(set) var capacity = MVCCHashIndex.shardCount * MVCCHashIndex.minimumCapacity

    @inline(__always)
    private static func shard(of hash: Int) -> Int {
        Int(truncatingIfNeeded: UInt(bitPattern: hash) >> (UInt.bitWidth - 8))
    }

    @inline(__always)
    func find(_ key: [UInt8], hash: Int) -> MVCCKeyEntry? {
        let shard = Self.shard(of: hash)
        return shards[shard].slots.withUnsafeBufferPointer { slots in
            let mask = slots.count - 1
            var index = hash & mask
            while let entry = slots[index].entry {
                if slots[index].hash == hash, entry.hasKey(key) { return entry }
                index = (index + 1) & mask
            }
            return nil
        }
    }

    /// Adds `entry` (its key must not be present) under `hash`.
    mutating func insert(_ entry: MVCCKeyEntry, hash: Int) {
        let shard = Self.shard(of: hash)
        if (shards[shard].count + 1) * 4 > shards[shard].slots.count * 3 {
            resize(shard, to: shards[shard].slots.count * 2)
        }
        Self.place(Slot(hash: hash, entry: entry), in: &shards[shard].slots)
        shards[shard].count += 1
        count += 1
    }

    /// Removes the entry of `key`; false if there is none.
    @discardableResult
    mutating func remove(_ key: [UInt8], hash: Int) -> Bool {
        let shard = Self.shard(of: hash)
        let removed = shards[shard].slots.withUnsafeMutableBufferPointer { slots -> Bool in
            let mask = slots.count - 1
            var hole = hash & mask
            while true {
                guard let entry = slots[hole].entry else { return false }
                if slots[hole].hash == hash, entry.hasKey(key) { break }
                hole = (hole + 1) & mask
            }
            // Backward-shift deletion: move later members of the run into the hole when the
            // hole lies on their probe path (between their home slot and where they sit).
            var next = (hole + 1) & mask
            while slots[next].entry != nil {
                let home = slots[next].hash & mask
                if (hole &- home) & mask < (next &- home) & mask {
                    slots[hole] = slots[next]
                    hole = next
                }
                next = (next + 1) & mask
            }
            slots[hole] = Slot(hash: 0, entry: nil)
            return true
        }
        guard removed else { return false }
        shards[shard].count -= 1
        count -= 1
        let size = shards[shard].slots.count
        if size > Self.minimumCapacity, shards[shard].count * 8 < size {
            resize(shard, to: size / 2)
        }
        return true
    }

    private mutating func resize(_ shard: Int, to newCapacity: Int) {
        var slots = Array(repeating: Slot(hash: 0, entry: nil), count: newCapacity)
        for slot in shards[shard].slots where slot.entry != nil {
            Self.place(slot, in: &slots)
        }
        capacity += newCapacity - shards[shard].slots.count
        shards[shard].slots = slots
    }

    @inline(__always)
    private static func place(_ slot: Slot, in slots: inout [Slot]) {
        slots.withUnsafeMutableBufferPointer { slots in
            let mask = slots.count - 1
            var index = slot.hash & mask
            while slots[index].entry != nil { index = (index + 1) & mask }
            slots[index] = slot
        }
    }

    /// Every violated invariant, described (empty if the table is sound): counts, and each
    /// entry reachable from its home slot without crossing an empty slot.
    func invariantViolations() -> [String] {
        var problems: [String] = []
        var total = 0
        for (index, shard) in shards.enumerated() {
            let used = shard.slots.filter { $0.entry != nil }.count
            if used != shard.count { problems.append("shard \(index): count \(shard.count), \(used) used") }
            total += used
            for slot in shard.slots {
                guard let entry = slot.entry else { continue }
                if Self.shard(of: slot.hash) != index { problems.append("shard \(index): entry of another shard") }
                if find(entry.key, hash: slot.hash) !== entry { problems.append("shard \(index): entry unreachable") }
            }
        }
        if total != count { problems.append("count \(count), \(total) entries") }
        return problems
    }
}
