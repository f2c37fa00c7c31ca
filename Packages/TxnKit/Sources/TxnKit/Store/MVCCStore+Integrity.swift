import MantisCore

extension MVCCStore {
    /// Throws `.corruption` naming `key` if `value` does not match `checksum` (when verifying).
    @inline(__always)
    func verify(_ value: [UInt8], checksum: UInt32, key: [UInt8], commit: UInt64) throws {
        guard verifyReads, let checksumAlgorithm else { return }
        let actual = checksumAlgorithm.checksum(value)
        if actual != checksum {
            throw MantisError.mvccChecksumMismatch(key: key, commit: commit, expected: checksum, actual: actual)
        }
    }

    /// Test hook: flips bit `bit` (0 = lowest bit of the first byte) of the stored value of
    /// `key` committed at `commit`, leaving its checksum alone. Returns false if there is no
    /// such value or the bit is out of range.
    @discardableResult
    package func corrupt(key: [UInt8], at commit: UInt64, flipping bit: Int) -> Bool {
        lock.withWriteLock {
            guard let entry = state.hashed.find(key, hash: MVCCBytes.hash(key)) else { return false }
            func flip(_ version: inout MVCCVersion) -> Bool {
                guard version.commit == commit, var value = version.value, bit >= 0, bit < value.count * 8 else { return false }
                version.value = nil
                value[bit / 8] ^= UInt8(1) << UInt8(bit % 8)
                version.value = value
                return true
            }
            if flip(&entry.newest) { return true }
            for index in entry.older.indices where entry.older[index].commit == commit {
                return flip(&entry.older[index])
            }
            return false
        }
    }

    /// Every violated structural invariant (empty if sound): both indexes, their agreement,
    /// version-chain order and the counters. For tests; walks the whole store under the lock.
    package func invariantViolations() -> [String] {
        lock.withReadLock {
            var problems = state.ordered.invariantViolations() + state.hashed.invariantViolations()
            var keys = 0, live = 0, versions = 0, tombstones = 0, keyBytes = 0, valueBytes = 0
            var position = state.ordered.seek(atLeast: nil)
            while let entry = state.ordered.entry(at: position) {
                keys += 1
                keyBytes += entry.key.count
                if !entry.newest.isTombstone { live += 1 }
                for version in entry.older + [entry.newest] {
                    versions += 1
                    if let value = version.value { valueBytes += value.count } else { tombstones += 1 }
                }
                for (older, newer) in zip(entry.older, entry.older.dropFirst() + [entry.newest]) where older.commit >= newer.commit {
                    problems.append("\(ErrorContext.render(entry.key)): versions out of order")
                }
                if entry.mayHoldGarbage && !entry.isGarbageCandidate {
                    problems.append("\(ErrorContext.render(entry.key)): collectable but not queued")
                }
                if state.hashed.find(entry.key, hash: MVCCBytes.hash(entry.key)) !== entry {
                    problems.append("\(ErrorContext.render(entry.key)): not in the hash index")
                }
                position = state.ordered.position(after: position)
            }
            if keys != state.hashed.count { problems.append("ordered index has \(keys) keys, hash index \(state.hashed.count)") }
            if live != state.liveKeys { problems.append("live keys \(live), counted \(state.liveKeys)") }
            if versions != state.versions { problems.append("versions \(versions), counted \(state.versions)") }
            if tombstones != state.tombstones { problems.append("tombstones \(tombstones), counted \(state.tombstones)") }
            if keyBytes != state.keyBytes { problems.append("key bytes \(keyBytes), counted \(state.keyBytes)") }
            if valueBytes != state.valueBytes { problems.append("value bytes \(valueBytes), counted \(state.valueBytes)") }
            return problems
        }
    }
}
