import Synchronization

/// One batch handed to the replay's installer thread and back: the writes to link and, once
/// installed, the versions they superseded. Owned by one thread at a time (the hand-over is
/// ordered by the installer queue and `ReplayBatchQueue`'s lock), hence `@unchecked Sendable`.
final class ReplayBatch: @unchecked Sendable {
    var writes: [MVCCReplayedWrite]
    var dropped: [MVCCVersionRecord]

    init(writes: [MVCCReplayedWrite], dropped: [MVCCVersionRecord]) {
        self.writes = writes
        self.dropped = dropped
    }
}

/// Installed batches on their way back to the replaying thread.
final class ReplayBatchQueue: Sendable {
    private let batches = Mutex<[ReplayBatch]>([])

    func push(_ batch: ReplayBatch) {
        batches.withLock { $0.append(batch) }
    }

    /// Everything pushed so far, oldest first; the queue is left empty.
    func takeAll() -> [ReplayBatch] {
        batches.withLock { batches in
            var taken: [ReplayBatch] = []
            swap(&taken, &batches)
            return taken
        }
    }
}
