import MantisCore

extension SegmentedWAL {
    /// Encodes `records` with consecutive LSNs into the pending buffer and returns the last LSN.
    /// Nothing is written yet; `waitForDurability(of:)` returns once the configured durability
    /// is met for them.
    public func enqueue(_ records: [WALRecord]) throws -> LSN {
        for record in records where record.payload.count > maxPayload {
            throw MantisError(.recordTooLarge, "record payload of \(record.payload.count) bytes exceeds the maximum of \(maxPayload)", context: ErrorContext(operation: "append", file: directory))
        }
        guard records.allSatisfy({ $0.kind.rawValue != 0 }) else {
            throw MantisError(.invalidArgument, "record kind 0 is reserved", context: ErrorContext(operation: "append"))
        }
        return try state.withLock { state -> LSN in
            try Self.checkOpen(state)
            if state.undurableSince == 0, !records.isEmpty { state.undurableSince = WallClock.nanosecondsSinceEpoch() }
            for record in records {
                let lsn = state.nextLSN
                let lag = UInt32(clamping: lsn.rawValue - state.durableLSN.rawValue)
                let before = state.buffer.count
                RecordHeader.encode(lsn: lsn, record: record, syncLag: lag, checksum: checksum, into: &state.buffer)
                state.counters.appendedBytes &+= UInt64(state.buffer.count - before)
                state.nextLSN = lsn.next
            }
            state.counters.appendedRecords &+= UInt64(records.count)
            return state.nextLSN.previous
        }
    }

    /// Returns once the records up to `lsn` meet the configured durability: with `.sync` on
    /// stable storage, with `.os` handed to the OS, with `.async` at once (or after the write,
    /// when pending bytes exceed `maxPendingBytes`). Throws the log's failure only if it came
    /// before that was met: records made durable (with `.async`: enqueued) before a later failure
    /// are still acknowledged.
    public func waitForDurability(of lsn: LSN) async throws {
        switch options.durability {
        case .sync: try await waitUntil(lsn, durable: true)
        case .os: try await waitUntil(lsn, durable: false)
        case .async:
            // Acknowledged once enqueued (`enqueue` refuses after a failure), like every record
            // buffered before it: a later failure loses them alike. Only a wait for room can fail.
            let overBound = state.withLock { state in
                state.durableLSN < lsn && state.buffer.count > options.maxPendingBytes
            }
            if overBound { try await waitUntil(lsn, durable: false) }
        }
    }

    /// Returns once everything appended before the call is on stable storage.
    public func sync() async throws {
        let target = try state.withLock { state -> LSN in
            try Self.checkOpen(state)
            return state.nextLSN.previous
        }
        try await waitUntil(target, durable: true)
    }

    static func checkOpen(_ state: AppendState) throws {
        if let failure = state.failure { throw failure }
        if state.closed { throw MantisError(.closed, "the write-ahead log is closed") }
    }

    /// Waits until `target` is written (or durable). On an idle log the caller leads one round
    /// itself (no thread hop for a lone appender), if its `BlockingIO.policy` lets it block
    /// (`mayLead`); rounds after that, while waiters remain, are led by the log's
    /// `leaderThread`, and the caller only suspends.
    func waitUntil(_ target: LSN, durable: Bool) async throws {
        let policy = BlockingIO.policy
        while true {
            let leadNow = try state.withLock { state -> Bool? in
                // Met before any failure: a record made durable stays acknowledged (its commit is
                // real); only what the failure caught is refused.
                if (durable ? state.durableLSN : state.writtenLSN) >= target { return nil }
                if let failure = state.failure { throw failure }
                if !state.ioActive, Self.mayLead(policy, state) {
                    state.ioActive = true
                    return true
                }
                return false
            }
            guard let leadNow else { return }
            if !leadNow {
                let role = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Role, any Error>) in
                    let startLeader = state.withLock { state -> Bool in
                        if (durable ? state.durableLSN : state.writtenLSN) >= target {
                            continuation.resume(returning: .done)
                        } else if let failure = state.failure {
                            continuation.resume(throwing: failure)
                        } else if !state.ioActive, Self.mayLead(policy, state) {
                            state.ioActive = true
                            continuation.resume(returning: .lead)
                        } else {
                            state.waiters.append(Waiter(target: target, durable: durable, continuation: continuation))
                            if !state.ioActive {
                                state.ioActive = true
                                return true
                            }
                        }
                        return false
                    }
                    if startLeader { leadOnLeaderThread() }
                }
                if role == .done { return }
            }
            do {
                if try leadRound(syncRequested: durable, byCaller: true) { leadOnLeaderThread() }
            } catch {
                // The round failed the log; the next pass tells whether this caller's records
                // were made durable before that (by a seal) or are refused.
                if state.withLock({ $0.failure == nil }) { throw error }
            }
        }
    }

    /// Whether a waiter under `policy` may lead a round itself (block its thread on the I/O):
    /// a `whileFast` one only after `shortRoundsToLead` rounds in a row each took less than
    /// `options.shortRoundBound` (so never on a freshly opened log, nor just after a slow round).
    static func mayLead(_ policy: BlockingIO, _ state: AppendState) -> Bool {
        switch policy {
        case .unbounded: true
        case .whileFast: state.shortRounds >= shortRoundsToLead
        case .never: false
        }
    }

    static let shortRoundsToLead = 16

    /// Leads rounds on the log's own thread for as long as waiters remain, so the syncs never
    /// take a thread from Swift's cooperative pool (on a two-core machine, half of it) while
    /// the waiters' tasks have work to do. The caller has set `ioActive`.
    func leadOnLeaderThread() {
        leaderThread.submit { [self] in
            do {
                while try leadRound(syncRequested: false) {}
            } catch {
                // The failure has failed the log and every waiter: nothing is left to report.
            }
        }
    }

    /// One group-commit round by the current leader: write everything pending, sync if anyone
    /// needs durability, wake the satisfied waiters. Returns true if waiters remain: the caller
    /// then still holds the role (`ioActive`) and must lead the next round (`leadOnLeaderThread`).
    /// `byCaller`: a caller leads it on its own thread, not the log's (counted in the status).
    func leadRound(syncRequested: Bool, byCaller: Bool = false) throws -> Bool {
        // Records appended after this moment are not in this round's batch.
        let takenAt = WallClock.nanosecondsSinceEpoch()
        let (batch, last, recordCount, needsSync) = state.withLock { state -> ([UInt8], LSN, UInt64, Bool) in
            var batch = active.spare
            swap(&batch, &state.buffer)
            let last = state.nextLSN.previous
            let recordCount = last.rawValue - state.takenThrough.rawValue
            state.takenThrough = last
            let wantsSync = syncRequested || state.syncDue || options.durability == .sync || state.waiters.contains(where: \.durable)
            return (batch, last, recordCount, wantsSync && state.durableLSN < last)
        }
        var sealedThrough: LSN?
        var syncNanoseconds: UInt64?
        let ioStart = ContinuousClock.now
        do {
            if !batch.isEmpty { sealedThrough = try writeBatch(batch) }
            if needsSync {
                let start = ContinuousClock.now
                active.syncing = true
                try active.file.syncData()
                active.syncing = false
                active.alignNext = true
                let latency = ContinuousClock.now - start
                syncNanoseconds = latency.nanoseconds
                options.onSync?(latency, recordCount)  // before any waiter hears of this sync
            }
        } catch {
            fail(error, during: needsSync ? "write or fdatasync" : "write", syncFailed: active.syncing)
            throw state.withLock { $0.failure! }
        }
        active.spare = batch
        active.spare.removeAll(keepingCapacity: active.spare.capacity <= 4 << 20)
        if state.withLock({ $0.sealRequested }) {
            do {
                if active.hasRecords { sealedThrough = try rotate(firstLSN: last.next) }
            } catch {
                fail(error, during: "sealing the active segment", syncFailed: active.syncing)
                throw state.withLock { $0.failure! }
            }
            state.withLock { state in
                state.sealRequested = false
                state.sealGeneration += 1
            }
        }
        let short = ContinuousClock.now - ioStart < options.shortRoundBound
        let (leadsNext, satisfied) = state.withLock { state -> (Bool, [Waiter]) in
            if !batch.isEmpty || syncNanoseconds != nil {
                state.shortRounds = short ? min(state.shortRounds + 1, Self.shortRoundsToLead) : 0
                if byCaller { state.counters.roundsLedByCallers &+= 1 }
            }
            state.writtenLSN = max(state.writtenLSN, last)
            if let sealedThrough { state.durableLSN = max(state.durableLSN, sealedThrough) }
            if let syncNanoseconds {
                state.durableLSN = max(state.durableLSN, last)
                state.undurableSince = state.durableLSN >= state.nextLSN.previous ? 0 : takenAt
                state.counters.syncCount &+= 1
                state.counters.syncNanosecondsTotal &+= syncNanoseconds
                state.counters.lastSyncNanoseconds = syncNanoseconds
                state.counters.lastSyncAtNanoseconds = WallClock.nanosecondsSinceEpoch()
                state.durableEnd = (active.info.path, active.writeOffset)
            }
            if !batch.isEmpty {
                state.counters.groupCommits &+= 1
                state.counters.groupCommittedRecords &+= recordCount
            }
            var satisfied: [Waiter] = []
            var remaining: [Waiter] = []
            remaining.reserveCapacity(state.waiters.count)
            for waiter in state.waiters {
                if (waiter.durable ? state.durableLSN : state.writtenLSN) >= waiter.target {
                    satisfied.append(waiter)
                } else {
                    remaining.append(waiter)
                }
            }
            if state.syncDue, state.durableLSN >= state.nextLSN.previous { state.syncDue = false }
            let more = !remaining.isEmpty || state.syncDue  // ioActive stays set: the caller leads on
            if !more { state.ioActive = false }
            state.waiters = remaining
            return (more, satisfied)
        }
        // Resumed outside the lock: each resume schedules a task, and the woken committers'
        // next appends need the lock.
        for waiter in satisfied { waiter.continuation.resume(returning: .done) }
        return leadsNext
    }

    /// Puts the log into the failed state and fails every waiter with the cause, except those
    /// whose records were already made durable (by a seal before the failure): they succeed.
    /// After a failed sync (`syncFailed`), leaves a `SyncFailureMarker` for the next open,
    /// except with `.os` durability, which acknowledges records unsynced and keeps them.
    func fail(_ error: any Error, during operation: String, syncFailed: Bool = false) {
        let cause = MantisError.wrap(error, code: .ioError)
        let failure = MantisError(
            .walFailed,
            "the write-ahead log failed during \(operation) and accepts no more writes; reopen to recover",
            context: ErrorContext(operation: operation, file: cause.context.file ?? directory, offset: cause.context.offset),
            cause: cause
        )
        let (durable, failed) = state.withLock { state -> ([Waiter], [Waiter]) in
            if state.failure == nil { state.failure = failure }
            state.ioActive = false
            defer { state.waiters = [] }
            let durableLSN = state.durableLSN
            return (state.waiters.filter { $0.target <= durableLSN }, state.waiters.filter { $0.target > durableLSN })
        }
        logger.critical("write-ahead log failed", metadata: ["error": "\(cause)"])
        if syncFailed, options.durability != .os { leaveSyncFailureMarker() }
        for waiter in durable { waiter.continuation.resume(returning: .done) }
        for waiter in failed { waiter.continuation.resume(throwing: failure) }
    }
}

extension SegmentedWAL {
    /// Records where the log was last durable (`SyncFailureMarker`), so the next open cuts what
    /// a failed sync may have lost. Best effort: a disk that failed the sync may fail this too.
    func leaveSyncFailureMarker() {
        let (end, lsn) = state.withLock { ($0.durableEnd, $0.durableLSN) }
        let marker = SyncFailureMarker(segment: Path.lastComponent(of: end.path), length: end.length, lsn: lsn)
        let path = Path.join(directory, SyncFailureMarker.fileName)
        do {
            try fileSystem.writeFileAtomically(path, contents: marker.encoded())
            logger.critical("a sync of the write-ahead log failed: the next open cuts the log back to its last durable record", metadata: [
                "marker": "\(path)", "durable_lsn": "\(lsn)", "segment": "\(end.path)", "durable_bytes": "\(end.length)",
            ])
        } catch {
            logger.critical("a sync of the write-ahead log failed and the marker of its last durable record could not be written: records after it may be recovered from the page cache at the next open although they are not on disk", metadata: [
                "marker": "\(path)", "durable_lsn": "\(lsn)", "error": "\(error)",
            ])
        }
    }
}

extension Duration {
    var nanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        return UInt64(max(0, seconds)) * 1_000_000_000 + UInt64(max(0, attoseconds)) / 1_000_000_000
    }
}
