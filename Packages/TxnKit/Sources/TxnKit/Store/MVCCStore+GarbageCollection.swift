extension MVCCStore {
    /// Removes the versions no snapshot `>= oldestActiveSnapshot` can see: per key, everything
    /// older than its newest version at or below `oldestActiveSnapshot`, that version too if it
    /// is a tombstone, and the key itself when only such a tombstone is left. Returns the number
    /// of versions removed.
    ///
    /// The caller promises that every commit at or below `oldestActiveSnapshot` is installed
    /// and that no reader will use an older snapshot; reads below it are refused from now on.
    /// Only keys that gained a version or a tombstone since they were last found clean are
    /// visited, a chunk at a time under the exclusive lock.
    @discardableResult
    public func collectGarbage(oldestActiveSnapshot: UInt64) -> Int {
        let work = lock.withWriteLock { () -> [MVCCKeyEntry] in
            state.horizon = max(state.horizon, oldestActiveSnapshot)
            defer { state.garbageCandidates = [] }
            return state.garbageCandidates
        }
        var removed = 0
        var retained: [MVCCKeyEntry] = []
        var start = 0
        while start < work.count {
            let end = min(start + chunkSize, work.count)
            lock.withWriteLock {
                for entry in work[start..<end] {
                    removed += state.collect(entry, horizon: oldestActiveSnapshot, retained: &retained)
                }
            }
            start = end
        }
        if !retained.isEmpty {
            lock.withWriteLock { state.garbageCandidates.append(contentsOf: retained) }
        }
        return removed
    }
}
