import MantisCore

extension SegmentedWAL {
    /// With async durability, starts the flusher on its own thread (`flusherThread`); it stops
    /// once the log is closed, failed or released. Ticks keep to a fixed schedule (every
    /// `interval` from the start, not `interval` after the last sync ended), so a slow sync does
    /// not widen the window a crash can lose.
    func startFlusher() {
        guard case .async(let interval) = options.durability else { return }
        flusherThread.submit { [weak self] in
            var deadline = ContinuousClock.now + interval
            while true {
                BlockingSleep.sleep(for: deadline - ContinuousClock.now)
                guard let wal = self, wal.flushOnSchedule() else { return }
                deadline = Self.nextFlush(after: deadline, now: .now, interval: interval)
            }
        }
    }

    /// The flusher's next tick: one `interval` after the last scheduled one; if that has already
    /// passed (a sync took longer than the interval), at once, with the schedule restarting
    /// from now rather than ticking back to back to catch up.
    static func nextFlush(after deadline: ContinuousClock.Instant, now: ContinuousClock.Instant, interval: Duration) -> ContinuousClock.Instant {
        let next = deadline + interval
        return next < now ? now : next
    }

    /// One tick of the flusher: makes everything appended so far durable, leading the round
    /// itself if the log is idle, or asking the round in progress to go on until it has synced
    /// (`syncDue`). Returns false once the log is closed or failed.
    func flushOnSchedule() -> Bool {
        // nil: the log is closed or failed; true: this tick leads the round.
        let lead = state.withLock { state -> Bool? in
            guard state.failure == nil, !state.closed else { return nil }
            guard state.durableLSN < state.nextLSN.previous else { return false }
            if state.ioActive {
                state.syncDue = true
                return false
            }
            state.ioActive = true
            return true
        }
        guard let lead else { return false }
        if lead {
            do {
                if try leadRound(syncRequested: true) { leadOnLeaderThread() }
            } catch {
                return false  // the log has failed; every waiter has been told
            }
        }
        return true
    }
}
