import MantisCore

extension LockState {
    /// The transactions `transaction` waits for, over all its queued requests, ascending.
    func waitsFor(_ transaction: TransactionID) -> [TransactionID] {
        var targets: Set<TransactionID> = []
        for id in waitingRequests[transaction] ?? [] {
            guard let key = pending[id]?.key,
                  let lock = keys[KeyBytes(key)],
                  let index = lock.index(of: id) else { continue }
            targets.formUnion(lock.blockers(ofWaiterAt: index).transactions)
        }
        return targets.sorted()
    }

    /// A cycle of the wait-for graph through `start`, as the path `start → … → last` whose last
    /// node waits for `start`; nil if there is none. Depth-first over edges computed from the
    /// table, so the cost is the part of the graph reachable from `start`.
    func cycle(through start: TransactionID) -> [TransactionID]? {
        var visited: Set<TransactionID> = [start]
        var path: [(node: TransactionID, next: [TransactionID], index: Int)] = [(start, waitsFor(start), 0)]
        while let top = path.last {
            guard top.index < top.next.count else {
                path.removeLast()
                continue
            }
            let node = top.next[top.index]
            path[path.count - 1].index += 1
            if node == start { return path.map(\.node) }
            if visited.insert(node).inserted {
                path.append((node, waitsFor(node), 0))
            }
        }
        return nil
    }
}
