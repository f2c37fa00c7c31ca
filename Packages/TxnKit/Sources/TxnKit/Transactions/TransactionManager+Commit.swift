import MantisCore

extension TransactionManager {
    /// Validates, logs, waits for durability, installs. See the type's documentation.
    func commit(_ transaction: Transaction) async throws {
        let work = try transaction.beginCommit()
        if work.writes.isEmpty {
            finish(transaction, outcome: .readOnly)
            return
        }
        let records = TransactionRecord.records(for: work.writes, transaction: transaction.id, maxPayload: options.maxRecordPayload)
        do {
            let request = WriteRequest(bytes: records.reduce(0) { $0 + $1.payload.count + 40 },
                                       deletesOnly: work.writes.allSatisfy { $0.value == nil })
            for guardian in admission { try await guardian.admit(request) }
        } catch {
            finish(transaction, outcome: .aborted(Self.reason(for: error)))
            throw error
        }
        let lsn: LSN
        do {
            lsn = try state.withLock { state -> LSN in
                if transaction.isolation == .serializable {
                    try validate(work, snapshot: transaction.snapshot, pending: state)
                }
                let lsn = try wal.enqueue(records)
                state.reserve(first: lsn.rawValue - UInt64(records.count - 1), commit: lsn.rawValue, keys: work.writes.map(\.key))
                return lsn
            }
        } catch {
            finish(transaction, outcome: .aborted(Self.reason(for: error)))
            throw error
        }
        do {
            try await wal.waitForDurability(of: lsn)
        } catch {
            _ = finishPending(lsn.rawValue)
            finish(transaction, outcome: .aborted("wal_failed"))
            throw error
        }
        store.install(work.writes, at: lsn.rawValue)
        if !finishPending(lsn.rawValue) {
            // An earlier commit is durable but not yet installed: wait for it, so that whoever
            // hears "committed" can read this commit in the next transaction.
            await waitUntilVisible(lsn.rawValue)
        }
        finish(transaction, outcome: .committed)
    }

    /// Takes `commit` off the pending list and wakes the committers it made visible. Returns
    /// whether `commit` itself is visible now.
    private func finishPending(_ commit: UInt64) -> Bool {
        let (ready, visible) = state.withLock { state in (state.finish(commit), state.visible >= commit) }
        for continuation in ready { continuation.resume() }
        return visible
    }

    private func waitUntilVisible(_ commit: UInt64) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let visible = state.withLock { state -> Bool in
                if state.visible >= commit { return true }
                state.visibilityWaiters.append((commit, continuation))
                return false
            }
            if visible { continuation.resume() }
        }
    }

    /// Serializable: nothing this transaction read or scanned was committed (or is being
    /// committed) by someone else after its snapshot.
    private func validate(_ work: Transaction.CommitWork, snapshot: UInt64, pending: CommitState) throws {
        let pendingKeys = pending.pendingKeys.values.lazy.flatMap { $0 }
        for key in work.reads {
            if let latest = store.latestCommit(of: key.bytes), latest > snapshot {
                throw conflict("key read by this transaction was committed by another at \(latest), after its snapshot \(snapshot)", key: key.bytes)
            }
        }
        if !work.reads.isEmpty {
            for key in pendingKeys where work.reads.contains(KeyBytes(key)) {
                throw conflict("key read by this transaction is being committed by another", key: key)
            }
        }
        for range in work.ranges {
            if store.hasVersion(in: range, newerThan: snapshot) {
                throw conflict("range \(range) scanned by this transaction changed after its snapshot \(snapshot)", key: nil)
            }
            if let key = pendingKeys.first(where: { range.contains($0) }) {
                throw conflict("range \(range) scanned by this transaction is being written by another", key: key)
            }
        }
    }

    private func conflict(_ message: String, key: [UInt8]?) -> MantisError {
        MantisError(.serializationFailure, "serialization failure: \(message); retry the transaction",
                    context: ErrorContext(operation: "commit", key: key))
    }

    enum Outcome {
        case committed, readOnly
        case aborted(String)
    }

    /// Ends a transaction: releases its locks and snapshot, counts the outcome.
    func finish(_ transaction: Transaction, outcome: Outcome) {
        guard transaction.markFinished(committed: { if case .aborted = outcome { return false }; return true }()) else { return }
        lockManager.releaseAll(for: transaction.id)
        state.withLock { state in
            state.unregister(snapshot: transaction.snapshot)
            state.statistics.active -= 1
            switch outcome {
            case .committed: state.statistics.committed += 1
            case .readOnly: state.statistics.readOnlyCommitted += 1
            case .aborted(let reason): state.statistics.aborted[reason, default: 0] += 1
            }
        }
    }

    func recordLockWait(_ duration: Duration) {
        lockWaits.add(1, ordering: .relaxed)
        lockWaitNanoseconds.add(UInt64(max(0, duration.components.seconds)) * 1_000_000_000
            + UInt64(max(0, duration.components.attoseconds)) / 1_000_000_000, ordering: .relaxed)
    }

    /// The abort reason recorded for an error.
    static func reason(for error: any Error) -> String {
        guard let error = error as? MantisError else { return "error" }
        switch error.code {
        case .deadlock, .serializationFailure, .lockTimeout, .transactionTimeout, .walFailed, .diskFull, .memoryLimit, .readOnly, .corruption: return error.code.rawValue
        default: return error.hasCode(.walFailed) ? MantisError.Code.walFailed.rawValue : "error"
        }
    }
}
