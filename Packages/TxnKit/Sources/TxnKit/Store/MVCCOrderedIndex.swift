/// The key order of the store: a two-level B+-tree. A root of fence keys routes to leaves that
/// are sorted arrays of entries (up to `leafCapacity`, split in half when they overflow, merged
/// with a neighbour when they fall below a quarter). Ordered iteration walks the leaves left to
/// right, so a scan never sorts.
///
/// Leaf `i` holds exactly the keys `k` with `fences[i] <= k < fences[i + 1]` (`fences[0]` stands
/// for -∞ and is never compared). A fence is the first key of its leaf when the leaf is created;
/// it is not updated when that key is later removed, which keeps the invariant.
///
/// Comparisons in a leaf mostly avoid touching the entries: the keys of leaf `i` all share the
/// common prefix of `fences[i]` and `fences[i + 1]` (none for the first and last leaf), so the
/// leaf keeps, per key, the 8 bytes after that prefix as a big-endian integer (its `heads`).
/// Unequal heads order two keys; only equal heads fall back to comparing the keys.
///
/// With leaves of a few hundred keys the root stays small (about 3,000 fences for a million
/// keys, 30,000 for ten million), so inserting or removing a fence is a short memmove.
/// Not thread-safe: the store guards it with its lock.
struct MVCCOrderedIndex {
    /// A place in the order: leaf index and slot in that leaf. `leaf == leaves.count` is the end.
    struct Position: Equatable {
        var leaf: Int
        var slot: Int
    }

    /// A sorted run of entries. `heads[j]` is `head(entries[j].key, skip)`; `skip` is the length
    /// of the prefix all keys of the leaf's range share.
    struct Leaf {
        var entries: [MVCCKeyEntry] = []
        var heads: [UInt64] = []
        var skip = 0

        var count: Int { entries.count }
    }

    let leafCapacity: Int
    private(set) var leaves: [Leaf] = [Leaf()]
    private(set) var fences: [[UInt8]] = [[]]

    init(leafCapacity: Int = 512) {
        precondition(leafCapacity >= 8)
        self.leafCapacity = leafCapacity
    }

    var leafCount: Int { leaves.count }

    /// The leaf whose key range holds `key`.
    @inline(__always)
    func leafIndex(for key: [UInt8]) -> Int {
        var low = 1
        var high = fences.count
        while low < high {
            let middle = (low + high) >> 1
            if MVCCBytes.compare(fences[middle], key) <= 0 { low = middle + 1 } else { high = middle }
        }
        return low - 1
    }

    /// The first slot of `leaf` whose key is `>= key` (`key` must lie in the leaf's range).
    @inline(__always)
    static func lowerBound(in leaf: Leaf, _ key: [UInt8]) -> Int {
        let target = head(key, skip: leaf.skip)
        return leaf.heads.withUnsafeBufferPointer { heads in
            var low = 0
            var high = heads.count
            while low < high {
                let middle = (low + high) >> 1
                let candidate = heads[middle]
                let isBelow = candidate != target
                    ? candidate < target
                    : leaf.entries[middle].compareKey(to: key) < 0
                if isBelow { low = middle + 1 } else { high = middle }
            }
            return low
        }
    }

    /// The 8 bytes of `key` after its first `skip`, big-endian, zero-padded. Keys sharing their
    /// first `skip` bytes compare like their heads whenever the heads differ.
    @inline(__always)
    static func head(_ key: [UInt8], skip: Int) -> UInt64 {
        key.withUnsafeBytes { head($0, skip: skip) }
    }

    @inline(__always)
    static func head(_ bytes: UnsafeRawBufferPointer, skip: Int) -> UInt64 {
        let available = bytes.count - skip
        if available >= 8 {
            return UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: skip, as: UInt64.self))
        }
        var head: UInt64 = 0
        var index = 0
        while index < available {
            head |= UInt64(bytes[skip + index]) << UInt64(56 - 8 * index)
            index += 1
        }
        return head
    }

    /// The length of the common prefix of `a` and `b`.
    static func commonPrefixLength(_ a: [UInt8], _ b: [UInt8]) -> Int {
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                let limit = Swift.min(a.count, b.count)
                var length = 0
                while length < limit, a[length] == b[length] { length += 1 }
                return length
            }
        }
    }

    /// The entry of `key`, by search in the order (the store's point reads use the hash index).
    func find(_ key: [UInt8]) -> MVCCKeyEntry? {
        let leaf = leafIndex(for: key)
        let slot = Self.lowerBound(in: leaves[leaf], key)
        guard slot < leaves[leaf].count, leaves[leaf].entries[slot].hasKey(key) else { return nil }
        return leaves[leaf].entries[slot]
    }

    // MARK: Iteration

    /// The position of the first key `>= key` (the first key overall for `nil`).
    func seek(atLeast key: [UInt8]?) -> Position {
        guard let key else { return normalized(Position(leaf: 0, slot: 0)) }
        let leaf = leafIndex(for: key)
        return normalized(Position(leaf: leaf, slot: Self.lowerBound(in: leaves[leaf], key)))
    }

    /// The position of the first key `> key`.
    func seek(after key: [UInt8]) -> Position {
        var position = seek(atLeast: key)
        if let entry = entry(at: position), entry.hasKey(key) {
            position = self.position(after: position)
        }
        return position
    }

    @inline(__always)
    func entry(at position: Position) -> MVCCKeyEntry? {
        position.leaf < leaves.count ? leaves[position.leaf].entries[position.slot] : nil
    }

    @inline(__always)
    func position(after position: Position) -> Position {
        normalized(Position(leaf: position.leaf, slot: position.slot + 1))
    }

    /// Moves a position past the end of its leaf to the start of the next non-empty leaf.
    @inline(__always)
    private func normalized(_ position: Position) -> Position {
        var position = position
        while position.leaf < leaves.count, position.slot >= leaves[position.leaf].count {
            position.leaf += 1
            position.slot = 0
        }
        return position
    }

    // MARK: Changes

    /// Inserts `entry` (whose key is `key`); the key must not be in the index yet.
    mutating func insert(_ entry: MVCCKeyEntry, key: [UInt8]) {
        let leaf = leafIndex(for: key)
        let slot = Self.lowerBound(in: leaves[leaf], key)
        // The store inserts only keys its hash index lacks; checking again here would cost two
        // cache misses (entry, then record) per new key, so only debug builds do (and
        // `invariantViolations` finds duplicates in tests).
        assert(
            slot == leaves[leaf].count || !leaves[leaf].entries[slot].hasKey(key),
            "MVCCOrderedIndex: duplicate key"
        )
        leaves[leaf].entries.insert(entry, at: slot)
        leaves[leaf].heads.insert(Self.head(key, skip: leaves[leaf].skip), at: slot)
        if leaves[leaf].count > leafCapacity {
            // Appending at the end of the last leaf (ascending loads): split off just the new
            // key, so such loads leave full leaves instead of half-full ones.
            let isAppend = leaf + 1 == leaves.count && slot + 1 == leaves[leaf].count
            split(leaf, at: isAppend ? slot : leaves[leaf].count / 2)
        }
    }

    /// Removes the entry of `key`; false if there is none.
    @discardableResult
    mutating func remove(_ key: [UInt8]) -> Bool {
        let leaf = leafIndex(for: key)
        let slot = Self.lowerBound(in: leaves[leaf], key)
        guard slot < leaves[leaf].count, leaves[leaf].entries[slot].hasKey(key) else { return false }
        leaves[leaf].entries.remove(at: slot)
        leaves[leaf].heads.remove(at: slot)
        if leaves[leaf].count < leafCapacity / 4 { rebalance(leaf) }
        return true
    }

    private mutating func split(_ leaf: Int, at middle: Int) {
        let right = Leaf(entries: Array(leaves[leaf].entries[middle...]))
        leaves[leaf].entries.removeSubrange(middle...)
        leaves.insert(right, at: leaf + 1)
        fences.insert(right.entries[0].key, at: leaf + 1)
        refreshHeads(leaf)
        refreshHeads(leaf + 1)
    }

    /// Recomputes a leaf's shared prefix length and heads after its fences changed.
    private mutating func refreshHeads(_ leaf: Int) {
        let skip = leaf == 0 || leaf + 1 == leaves.count
            ? 0
            : Self.commonPrefixLength(fences[leaf], fences[leaf + 1])
        leaves[leaf].skip = skip
        leaves[leaf].heads = leaves[leaf].entries.map { entry in entry.withKey { Self.head($0, skip: skip) } }
    }

    /// Drops an empty leaf, or merges an underfull one with a neighbour (left first) if both fit
    /// in three quarters of a leaf (so a merged leaf does not split again at once). So a leaf
    /// below a quarter full only ever sits between neighbours too full to take it in.
    private mutating func rebalance(_ leaf: Int) {
        guard leaves.count > 1 else { return }
        if leaves[leaf].entries.isEmpty {
            // Its key range joins the left neighbour's (or, for the first leaf, the right one's).
            leaves.remove(at: leaf)
            fences.remove(at: leaf == 0 ? 1 : leaf)
            refreshHeads(leaf == 0 ? 0 : leaf - 1)
            return
        }
        let limit = leafCapacity * 3 / 4
        let left: Int
        if leaf > 0, leaves[leaf - 1].count + leaves[leaf].count <= limit {
            left = leaf - 1
        } else if leaf + 1 < leaves.count, leaves[leaf].count + leaves[leaf + 1].count <= limit {
            left = leaf
        } else {
            return
        }
        let moved = leaves[left + 1].entries
        leaves[left].entries.append(contentsOf: moved)
        leaves.remove(at: left + 1)
        fences.remove(at: left + 1)
        refreshHeads(left)
    }

    // MARK: Checking

    /// Every violated invariant, described (empty if the structure is sound).
    func invariantViolations() -> [String] {
        var problems: [String] = []
        if leaves.isEmpty { problems.append("no leaves") }
        if leaves.count != fences.count { problems.append("\(leaves.count) leaves but \(fences.count) fences") }
        var previous: [UInt8]?
        for (index, leaf) in leaves.enumerated() {
            if leaf.count > leafCapacity { problems.append("leaf \(index) holds \(leaf.count) > \(leafCapacity)") }
            if leaf.entries.isEmpty && leaves.count > 1 { problems.append("leaf \(index) is empty") }
            let skip = index == 0 || index + 1 == leaves.count ? 0 : Self.commonPrefixLength(fences[index], fences[index + 1])
            if leaf.skip != skip { problems.append("leaf \(index): skip \(leaf.skip), expected \(skip)") }
            if leaf.heads != leaf.entries.map({ Self.head($0.key, skip: leaf.skip) }) {
                problems.append("leaf \(index): heads out of date")
            }
            for entry in leaf.entries {
                if index > 0, index < fences.count, MVCCBytes.compare(entry.key, fences[index]) < 0 {
                    problems.append("leaf \(index): key below its fence")
                }
                if index + 1 < fences.count, MVCCBytes.compare(entry.key, fences[index + 1]) >= 0 {
                    problems.append("leaf \(index): key at or above the next fence")
                }
                if let previous, MVCCBytes.compare(previous, entry.key) >= 0 {
                    problems.append("leaf \(index): keys out of order")
                }
                previous = entry.key
            }
        }
        return problems
    }
}
