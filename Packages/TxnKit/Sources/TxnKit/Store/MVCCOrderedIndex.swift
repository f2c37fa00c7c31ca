/// The key order of the store: a two-level B+-tree. A root of fence keys routes to leaves that
/// are sorted arrays of entries (up to `leafCapacity`, split in half when they overflow, merged
/// with a neighbour when they fall below a quarter). Ordered iteration walks the leaves left to
/// right, so a scan never sorts.
///
/// Leaf `i` holds exactly the keys `k` with `fences[i] <= k < fences[i + 1]` (`fences[0]` stands
/// for -∞ and is never compared). A fence is the first key of its leaf when the leaf is created;
/// it is not updated when that key is later removed, which keeps the invariant.
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

    let leafCapacity: Int
    private(set) var leaves: [[MVCCKeyEntry]] = [[]]
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

    /// The first slot of `leaf` whose key is `>= key`.
    @inline(__always)
    static func lowerBound(in leaf: [MVCCKeyEntry], _ key: [UInt8]) -> Int {
        var low = 0
        var high = leaf.count
        while low < high {
            let middle = (low + high) >> 1
            if MVCCBytes.compare(leaf[middle].key, key) < 0 { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// The entry of `key`, by search in the order (the store's point reads use the hash index).
    func find(_ key: [UInt8]) -> MVCCKeyEntry? {
        let leaf = leafIndex(for: key)
        let slot = Self.lowerBound(in: leaves[leaf], key)
        guard slot < leaves[leaf].count, MVCCBytes.equal(leaves[leaf][slot].key, key) else { return nil }
        return leaves[leaf][slot]
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
        if let entry = entry(at: position), MVCCBytes.equal(entry.key, key) {
            position = self.position(after: position)
        }
        return position
    }

    @inline(__always)
    func entry(at position: Position) -> MVCCKeyEntry? {
        position.leaf < leaves.count ? leaves[position.leaf][position.slot] : nil
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

    /// Inserts `entry`, whose key must not be in the index yet.
    mutating func insert(_ entry: MVCCKeyEntry) {
        let leaf = leafIndex(for: entry.key)
        let slot = Self.lowerBound(in: leaves[leaf], entry.key)
        precondition(
            slot == leaves[leaf].count || !MVCCBytes.equal(leaves[leaf][slot].key, entry.key),
            "MVCCOrderedIndex: duplicate key"
        )
        leaves[leaf].insert(entry, at: slot)
        if leaves[leaf].count > leafCapacity { split(leaf) }
    }

    /// Removes the entry of `key`; false if there is none.
    @discardableResult
    mutating func remove(_ key: [UInt8]) -> Bool {
        let leaf = leafIndex(for: key)
        let slot = Self.lowerBound(in: leaves[leaf], key)
        guard slot < leaves[leaf].count, MVCCBytes.equal(leaves[leaf][slot].key, key) else { return false }
        leaves[leaf].remove(at: slot)
        if leaves[leaf].count < leafCapacity / 4 { rebalance(leaf) }
        return true
    }

    private mutating func split(_ leaf: Int) {
        let middle = leaves[leaf].count / 2
        let right = Array(leaves[leaf][middle...])
        leaves[leaf].removeSubrange(middle...)
        leaves.insert(right, at: leaf + 1)
        fences.insert(right[0].key, at: leaf + 1)
    }

    /// Drops an empty leaf, or merges an underfull one with a neighbour if both fit in three
    /// quarters of a leaf (so a merged leaf does not split again at once).
    private mutating func rebalance(_ leaf: Int) {
        guard leaves.count > 1 else { return }
        if leaves[leaf].isEmpty {
            // Its key range joins the left neighbour's (or, for the first leaf, the right one's).
            leaves.remove(at: leaf)
            fences.remove(at: leaf == 0 ? 1 : leaf)
            return
        }
        let left = leaf + 1 < leaves.count ? leaf : leaf - 1
        guard leaves[left].count + leaves[left + 1].count <= leafCapacity * 3 / 4 else { return }
        let moved = leaves[left + 1]
        leaves[left].append(contentsOf: moved)
        leaves.remove(at: left + 1)
        fences.remove(at: left + 1)
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
            if leaf.isEmpty && leaves.count > 1 { problems.append("leaf \(index) is empty") }
            for entry in leaf {
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
