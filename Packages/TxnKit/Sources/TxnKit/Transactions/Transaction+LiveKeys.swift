extension Transaction {
    /// The number of live keys as this transaction sees them: the store's live keys (its newest
    /// installed state, at every isolation level) plus the keys this transaction's buffered
    /// writes create, minus the live ones they delete. Exact for the keys it wrote (it holds
    /// their write locks, so nobody else commits them meanwhile); other keys count as of the call.
    /// Never waits; an error (corruption) aborts the transaction, as a read's does.
    public func liveKeyCount() throws -> Int {
        try checkUsable()
        let own = state.withLock { $0.writes.writes }
        let store = manager.store
        let installed = store.statistics.liveKeys
        guard !own.isEmpty else { return installed }
        do {
            let current = try store.get(own.map(\.key), at: .max)
            var count = installed
            for (write, value) in zip(own, current) {
                count += (write.value == nil ? 0 : 1) - (value == nil ? 0 : 1)
            }
            return count
        } catch {
            abort(after: error)
            throw error
        }
    }
}
