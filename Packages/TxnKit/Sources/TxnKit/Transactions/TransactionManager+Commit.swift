import MantisCore

extension TransactionManager {
    /// Validates, logs, waits for durability, installs. See the type's documentation.
    func commit(_ transaction: Transaction) async throws {
        let work = try transaction.beginCommit()
        if work.writes.isEmpty {
            finish(transaction, outcome: .readOnly)
            return
        }
        // Never more per record than the log takes (an embedder's options may say more).
        let records = TransactionRecord.records(for: work.writes, transaction: transaction.id,
                                                maxPayload: min(options.maxRecordPayload, maxRecordPayload))
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
                state.reserve(first: lsn.rawValue - UInt64(records.count - 1), commit: lsn.rawValue, writes: work.writes)
                return lsn
            }
        } catch {
            finish(transaction, outcome: .aborted(Self.reason(for: error)))
            throw Self.refusedByFailedLog(error)
        }
        do {
            try await wal.waitForDurability(of: lsn)
        } catch {
            state.withLock { $0.abandon(lsn.rawValue) }
            finish(transaction, outcome: .aborted("wal_failed"))
            throw error
        }
        await publish(through: lsn.rawValue)
        finish(transaction, outcome: .committed)
    }

    /// Serializable: nothing this transaction read or scanned was committed (or is being
    /// committed) by someone else after its snapshot.
    private func validate(_ work: Transaction.CommitWork, snapshot: UInt64, pending: CommitState) throws {
        let pendingKeys = pending.pendingKeys
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

    /// A commit the log refused to take because it had already failed: nothing was logged, and
    /// nothing will be until a restart, so the database is read-only (`readOnly`, the log's
    /// failure as the cause). A commit caught by the failure itself keeps `walFailed`.
    static func refusedByFailedLog(_ error: any Error) -> any Error {
        guard let error = error as? MantisError, error.code == .walFailed else { return error }
        return MantisError(.readOnly, "read-only: \(error.message)", context: ErrorContext(operation: "commit"), cause: error)
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
        release(transaction, outcome: outcome)
    }

    /// The bookkeeping of a transaction just marked finished: locks, snapshot, counts.
    func release(_ transaction: Transaction, outcome: Outcome) {
        lockManager.releaseAll(for: transaction.id)
        state.withLock { state in
            state.unregister(snapshot: transaction.snapshot)
            state.running[transaction.id.rawValue] = nil
            state.statistics.active -= 1
            switch outcome {
            case .committed: state.statistics.committed += 1
            case .readOnly: state.statistics.readOnlyCommitted += 1
            case .aborted(let reason): state.statistics.aborted[reason, default: 0] += 1
            }
        }
    }

    func recordLockWait(_ duration: Duration) {
        options.onLockWait?(duration)
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
