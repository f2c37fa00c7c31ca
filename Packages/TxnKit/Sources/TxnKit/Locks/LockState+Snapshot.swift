import MantisCore

extension LockState {
    /// Every key with its holders (ascending by transaction) and waiters (FIFO), keys in
    /// byte order, and the wait-for edges.
    func snapshot() -> LockTableSnapshot {
        var entries: [LockTableSnapshot.Entry] = []
        var waitsFor: [TransactionID: Set<TransactionID>] = [:]
        for key in keys.keys.sorted(by: { $0.bytes.lexicographicallyPrecedes($1.bytes) }) {
            guard let lock = keys[key] else { continue }
            let holders = lock.holders
                .map { LockTableSnapshot.Holder(transaction: $0.key, mode: $0.value) }
                .sorted { $0.transaction < $1.transaction }
            entries.append(LockTableSnapshot.Entry(key: key.bytes, holders: holders, waiters: lock.queue.map(\.asHolder)))
            for index in lock.queue.indices {
                waitsFor[lock.queue[index].transaction, default: []].formUnion(lock.blockers(ofWaiterAt: index).transactions)
            }
        }
        return LockTableSnapshot(
            entries: entries,
            waitsFor: waitsFor.filter { !$0.value.isEmpty }.mapValues { $0.sorted() }
        )
    }
}
