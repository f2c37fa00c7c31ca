/// A replayed write ready to link in: its version record (made straight from the log's bytes,
/// with its value checksum) and its key's hash.
struct MVCCReplayedWrite {
    var record: MVCCVersionRecord
    var hash: Int
}

extension MVCCStore {
    /// A replayed write of `key` (`value` nil = a delete) at `commit`: copies the bytes into one
    /// version record and computes its value checksum and key hash.
    func replayedWrite(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer?, commit: UInt64) -> MVCCReplayedWrite {
        MVCCReplayedWrite(
            record: .make(key: key, value: value, commit: commit, checksum: valueChecksum(value)),
            hash: MVCCBytes.hash(key))
    }

    /// Replay while nobody reads: links `writes` (in commit order) under one lock hold, each
    /// superseding its key's newest version (no snapshot older than the replay can exist).
    /// Appends the versions dropped to `dropped`, unreleased, so the caller decides which thread
    /// frees them.
    func installReplayed(_ writes: [MVCCReplayedWrite], dropped: inout [MVCCVersionRecord]) {
        lock.withWriteLock {
            for write in writes {
                state.installReplayed(write.record, hash: write.hash, dropped: &dropped)
            }
        }
    }
}
