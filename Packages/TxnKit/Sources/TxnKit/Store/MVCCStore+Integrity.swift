import MantisCore

extension MVCCStore {
    /// Throws `.corruption` naming `key` if `value` does not match `checksum` (when verifying).
    @inline(__always)
    func verify(_ value: [UInt8], checksum: UInt32, key: [UInt8], commit: UInt64) throws {
        try value.withUnsafeBytes { value in
            try key.withUnsafeBytes { try verify(value, checksum: checksum, key: $0, commit: commit) }
        }
    }

    /// `verify` for bytes read in place; the key is copied only into the error.
    @inline(__always)
    func verify(_ value: UnsafeRawBufferPointer, checksum: UInt32, key: UnsafeRawBufferPointer, commit: UInt64) throws {
        guard verifyReads, let actual = checksummer?.checksum(value) else { return }
        if actual != checksum {
            throw MantisError.mvccChecksumMismatch(key: Array(key), commit: commit, expected: checksum, actual: actual)
        }
    }

    /// The checksum a new version record stores for `value` (0 for a tombstone, or without a
    /// checksum algorithm).
    @inline(__always)
    func valueChecksum(_ value: UnsafeRawBufferPointer?) -> UInt32 {
        guard let value else { return 0 }
        return checksummer?.checksum(value) ?? 0
    }

    /// Test hook: flips bit `bit` (0 = lowest bit of the first byte) of the stored value of
    /// `key` committed at `commit`, leaving its checksum alone (the record is swapped for a
    /// damaged copy: records stay immutable). Returns false if there is no such value or the
    /// bit is out of range.
    @discardableResult
    package func corrupt(key: [UInt8], at commit: UInt64, flipping bit: Int) -> Bool {
        let hash = MVCCBytes.hash(key)
        return lock.withWriteLock {
            guard let (entry, _) = state.hashed.find(key, hash: hash),
                  let damaged = entry.version(at: commit).flatMap({ $0.commit == commit ? $0.withFlippedBit(bit) : nil }),
                  entry.replace(with: damaged)
            else { return false }
            state.hashed.setNewest(entry.newest, of: key, hash: hash)
            return true
        }
    }

    /// Every violated structural invariant (empty if sound): both indexes, their agreement,
    /// version-chain order and keys, and the counters. For tests; walks the whole store under
    /// the lock.
    package func invariantViolations() -> [String] {
        lock.withReadLock {
            var problems = state.ordered.invariantViolations() + state.hashed.invariantViolations()
            var keys = 0, live = 0, keyBytes = 0
            var tally = MVCCVersionTally()
            var position = state.ordered.seek(atLeast: nil)
            while let entry = state.ordered.entry(at: position) {
                let key = entry.key
                keys += 1
                keyBytes += key.count
                if !entry.newest.isTombstone { live += 1 }
                let records = entry.records
                tally.add(records)
                for (older, newer) in zip(records, records.dropFirst()) where older.commit >= newer.commit {
                    problems.append("\(ErrorContext.render(key)): versions out of order")
                }
                if !records.allSatisfy({ $0.hasKey(key) }) {
                    problems.append("\(ErrorContext.render(key)): a record of another key in the chain")
                }
                if entry.mayHoldGarbage && !entry.isGarbageCandidate {
                    problems.append("\(ErrorContext.render(key)): collectable but not queued")
                }
                if state.hashed.find(key, hash: MVCCBytes.hash(key))?.entry !== entry {
                    problems.append("\(ErrorContext.render(key)): not in the hash index")
                }
                position = state.ordered.position(after: position)
            }
            if keys != state.hashed.count { problems.append("ordered index has \(keys) keys, hash index \(state.hashed.count)") }
            if live != state.liveKeys { problems.append("live keys \(live), counted \(state.liveKeys)") }
            if tally.versions != state.versions { problems.append("versions \(tally.versions), counted \(state.versions)") }
            if tally.tombstones != state.tombstones { problems.append("tombstones \(tally.tombstones), counted \(state.tombstones)") }
            if keyBytes != state.keyBytes { problems.append("key bytes \(keyBytes), counted \(state.keyBytes)") }
            if tally.valueBytes != state.valueBytes { problems.append("value bytes \(tally.valueBytes), counted \(state.valueBytes)") }
            if tally.recordBytes != state.recordBytes { problems.append("record bytes \(tally.recordBytes), counted \(state.recordBytes)") }
            return problems
        }
    }
}
