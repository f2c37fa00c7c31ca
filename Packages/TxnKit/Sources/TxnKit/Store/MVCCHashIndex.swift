/// The point-lookup index of the store: key → entry and its newest record, by open addressing
/// with linear probing.
///
/// Split into 256 shards by the hash's top byte, each a power-of-two table grown (or shrunk)
/// on its own: a resize rehashes 1/256 of the keys, so no single install pauses readers for a
/// rehash of the whole store. A slot keeps the full hash (low bit forced to 1, so 0 marks an
/// empty slot), and a probe compares hashes only, touching a record (to compare its key) just
/// on a hash match. Deletion shifts the following run back instead of leaving markers, so probe
/// runs stay short under churn.
///
/// A slot caches the entry's newest record (kept equal to `entry.newest` by the store), so a
/// read of the latest version touches the slot and then one record, holding key and value.
/// Not thread-safe: the store's lock guards it. A class over a fixed buffer of shards, so a
/// lookup reaches its shard through one immutable pointer, without the exclusivity check and
/// the copy that a stored struct's array would cost each read.
final class MVCCHashIndex {
    struct Slot {
        /// The key's hash with the low bit set; 0 for an empty slot.
        var tag: Int
        var entry: MVCCKeyEntry?
        var newest: MVCCVersionRecord?

        static var empty: Slot { Slot(tag: 0, entry: nil, newest: nil) }

        private static let newestOffset = MemoryLayout<Slot>.offset(of: \Slot.newest)!

        /// The newest record of the occupied slot at `slot`, unretained: a lookup reads it in
        /// place (a retain is an atomic write to the record's memory). Valid under the lock.
        @inline(__always)
        static func newest(at slot: UnsafePointer<Slot>) -> Unmanaged<MVCCVersionRecord> {
            UnsafeRawPointer(slot).load(fromByteOffset: newestOffset, as: Unmanaged<MVCCVersionRecord>.self)
        }
    }

    /// A power-of-two table of slots, allocated by hand: a lookup reads through the pointer
    /// without retaining an array's storage.
    struct Shard {
        var slots: UnsafeMutableBufferPointer<Slot>
        var count = 0

        init(capacity: Int) {
            slots = Self.allocate(capacity)
        }

        static func allocate(_ capacity: Int) -> UnsafeMutableBufferPointer<Slot> {
            let slots = UnsafeMutableBufferPointer<Slot>.allocate(capacity: capacity)
            slots.initialize(repeating: .empty)
            return slots
        }

        /// Releases what the slots reference and frees them.
        static func free(_ slots: UnsafeMutableBufferPointer<Slot>) {
            slots.baseAddress!.deinitialize(count: slots.count)
            slots.deallocate()
        }
    }

    static let shardCount = 256
    static let minimumCapacity = 8

    /// `shardCount` shards, allocated for the index's lifetime.
    let shards: UnsafeMutablePointer<Shard>
    private(set) var count = 0

    /// The slots allocated over all shards (for the memory estimate).
    private(set) var capacity = MVCCHashIndex.shardCount * MVCCHashIndex.minimumCapacity

    init() {
        shards = .allocate(capacity: Self.shardCount)
        for index in 0..<Self.shardCount {
            (shards + index).initialize(to: Shard(capacity: Self.minimumCapacity))  // each its own slots
        }
    }

    deinit {
        for index in 0..<Self.shardCount { Shard.free(shards[index].slots) }
        shards.deinitialize(count: Self.shardCount)
        shards.deallocate()
    }

    @inline(__always)
    static func shard(of hash: Int) -> Int {
        Int(truncatingIfNeeded: UInt(bitPattern: hash) >> (UInt.bitWidth - 8))
    }

    @inline(__always)
    static func tag(of hash: Int) -> Int { hash | 1 }

    /// The index of the slot whose tag is `tag` and whose newest record `matches`, or nil: the
    /// one probe loop every lookup uses. Compares tags first, records only on a tag match.
    @inline(__always)
    static func index(
        tag: Int, in base: UnsafePointer<Slot>, count: Int, where matches: (MVCCVersionRecord) -> Bool
    ) -> Int? {
        let mask = count - 1
        var index = tag & mask
        while true {
            let found = base[index].tag
            if found == 0 { return nil }
            if found == tag, Slot.newest(at: base + index)._withUnsafeGuaranteedRef(matches) { return index }
            index = (index + 1) & mask
        }
    }

    /// The slot index holding `key` in `slots`, or nil.
    @inline(__always)
    private static func index(of key: [UInt8], tag: Int, in slots: UnsafeMutableBufferPointer<Slot>) -> Int? {
        index(tag: tag, in: slots.baseAddress!, count: slots.count) { $0.hasKey(key) }
    }

    /// The entry of `key` and its newest record.
    @inline(__always)
    func find(_ key: [UInt8], hash: Int) -> (entry: MVCCKeyEntry, newest: MVCCVersionRecord)? {
        let tag = Self.tag(of: hash)
        let slots = shards[Self.shard(of: hash)].slots
        let base = slots.baseAddress!
        guard let index = Self.index(tag: tag, in: base, count: slots.count, where: { $0.hasKey(key) }) else { return nil }
        return (base[index].entry!, base[index].newest!)
    }

    /// The version of `key` visible at `snapshot`, or nil. The entry is reached only when the
    /// slot's cached newest record is too new, so the common read touches the slot and one record.
    @inline(__always)
    func version(of key: [UInt8], hash: Int, at snapshot: UInt64) -> MVCCVersionRecord? {
        let tag = Self.tag(of: hash)
        let slots = shards[Self.shard(of: hash)].slots
        let base = slots.baseAddress!
        guard let index = Self.index(tag: tag, in: base, count: slots.count, where: { $0.hasKey(key) }) else { return nil }
        let newest = base[index].newest.unsafelyUnwrapped
        return newest.commit <= snapshot ? newest : base[index].entry.unsafelyUnwrapped.version(at: snapshot)
    }

    /// A copy of the value of `key` visible at `snapshot`; nil if absent or deleted there. The
    /// records are read in place, never retained (see `MVCCValueCopy`). Static, over the index's
    /// `shards`, so that the index object is not retained for the call either.
    @inline(__always)
    static func valueCopy(of key: [UInt8], hash: Int, at snapshot: UInt64, in shards: UnsafeMutablePointer<Shard>) -> MVCCValueCopy? {
        let tag = Self.tag(of: hash)
        let slots = shards[Self.shard(of: hash)].slots
        let base = slots.baseAddress!
        guard let index = Self.index(tag: tag, in: base, count: slots.count, where: { $0.hasKey(key) }) else { return nil }
        return Slot.newest(at: base + index)._withUnsafeGuaranteedRef { newest in
            if newest.commit <= snapshot { return MVCCValueCopy(newest) }
            return base[index].entry.unsafelyUnwrapped.version(at: snapshot).flatMap(MVCCValueCopy.init)
        }
    }

    /// Records `newest` as the newest record of `key`'s entry; false if the key is absent.
    @discardableResult
    func setNewest(_ newest: MVCCVersionRecord, of key: [UInt8], hash: Int) -> Bool {
        let tag = Self.tag(of: hash)
        let slots = shards[Self.shard(of: hash)].slots
        guard let index = Self.index(of: key, tag: tag, in: slots) else { return false }
        slots[index].newest = newest
        return true
    }

    /// Replay: makes `record` the newest version of its key's entry, in one probe (the key is
    /// the record's own). Returns the entry, the record that was its newest before and the record
    /// the entry dropped (see `MVCCKeyEntry.replaceNewest`), or nil if the key is absent.
    func replaceNewest(with record: MVCCVersionRecord, hash: Int) -> (entry: MVCCKeyEntry, previous: MVCCVersionRecord, dropped: MVCCVersionRecord?)? {
        let tag = Self.tag(of: hash)
        let slots = shards[Self.shard(of: hash)].slots
        let base = slots.baseAddress!
        guard let index = Self.index(tag: tag, in: base, count: slots.count, where: { $0.hasSameKey(as: record) }) else { return nil }
        let entry = base[index].entry!
        let previous = base[index].newest!
        let dropped = entry.replaceNewest(record)
        base[index].newest = entry.newest
        return (entry, previous, dropped)
    }

    /// Adds `entry` (its key must not be present) under `hash`.
    func insert(_ entry: MVCCKeyEntry, hash: Int) {
        let shard = Self.shard(of: hash)
        if (shards[shard].count + 1) * 4 > shards[shard].slots.count * 3 {
            resize(shard, to: shards[shard].slots.count * 2)
        }
        let tag = Self.tag(of: hash)
        let slots = shards[shard].slots
        let index = Self.freeIndex(for: tag, in: slots)
        slots[index] = Slot(tag: tag, entry: entry, newest: entry.newest)
        shards[shard].count += 1
        count += 1
    }

    /// Removes the entry of `key`; false if there is none.
    @discardableResult
    func remove(_ key: [UInt8], hash: Int) -> Bool {
        let shard = Self.shard(of: hash)
        let tag = Self.tag(of: hash)
        let slots = shards[shard].slots
        guard var hole = Self.index(of: key, tag: tag, in: slots) else { return false }
        let base = slots.baseAddress!
        let mask = slots.count - 1
        // Backward-shift deletion: move later members of the run into the hole when the
        // hole lies on their probe path (between their home slot and where they sit).
        base[hole] = .empty
        var next = (hole + 1) & mask
        while base[next].tag != 0 {
            let home = base[next].tag & mask
            if (hole &- home) & mask < (next &- home) & mask {
                Self.move(from: base + next, to: base + hole)
                hole = next
            }
            next = (next + 1) & mask
        }
        shards[shard].count -= 1
        count -= 1
        let size = shards[shard].slots.count
        if size > Self.minimumCapacity, shards[shard].count * 8 < size {
            resize(shard, to: size / 2)
        }
        return true
    }

    private func resize(_ shard: Int, to newCapacity: Int) {
        let fresh = Shard.allocate(newCapacity)
        let old = shards[shard].slots
        let base = old.baseAddress!
        for index in old.indices where base[index].tag != 0 {
            let target = Self.freeIndex(for: base[index].tag, in: fresh)
            Self.move(from: base + index, to: fresh.baseAddress! + target)
        }
        Shard.free(old)  // every slot moved out: empty
        capacity += newCapacity - old.count
        shards[shard].slots = fresh
    }

    /// The first empty slot on `tag`'s probe path.
    @inline(__always)
    private static func freeIndex(for tag: Int, in slots: UnsafeMutableBufferPointer<Slot>) -> Int {
        // Through the base pointer: reads just the tag, without copying (retaining) the slot.
        let base = slots.baseAddress!
        let mask = slots.count - 1
        var index = tag & mask
        while base[index].tag != 0 { index = (index + 1) & mask }
        return index
    }

    /// Moves the slot at `source` into the empty slot at `target`, leaving `source` empty,
    /// without retaining or releasing what the slot references.
    @inline(__always)
    private static func move(from source: UnsafeMutablePointer<Slot>, to target: UnsafeMutablePointer<Slot>) {
        target.deinitialize(count: 1)   // an empty slot: nothing to release
        target.moveInitialize(from: source, count: 1)
        source.initialize(to: .empty)
    }

    /// Every violated invariant, described (empty if the table is sound): counts, tags, cached
    /// newest records, and each entry reachable from its home slot without crossing an empty slot.
    func invariantViolations() -> [String] {
        var problems: [String] = []
        var total = 0
        for index in 0..<Self.shardCount {
            let shard = shards[index]
            let used = shard.slots.filter { $0.tag != 0 }.count
            if used != shard.count { problems.append("shard \(index): count \(shard.count), \(used) used") }
            total += used
            for slot in shard.slots {
                guard let entry = slot.entry else {
                    if slot.tag != 0 || slot.newest != nil { problems.append("shard \(index): half-empty slot") }
                    continue
                }
                if slot.newest !== entry.newest { problems.append("shard \(index): stale newest record") }
                if slot.tag != Self.tag(of: MVCCBytes.hash(entry.key)) { problems.append("shard \(index): wrong tag") }
                if Self.shard(of: slot.tag) != index { problems.append("shard \(index): entry of another shard") }
                if find(entry.key, hash: slot.tag)?.entry !== entry { problems.append("shard \(index): entry unreachable") }
            }
        }
        if total != count { problems.append("count \(count), \(total) entries") }
        return problems
    }
}
