import MantisCore

extension SegmentedWAL {
    /// Stops accepting appends, makes everything appended durable, and releases the files.
    /// Throws if the final sync fails, or the log had already failed (either way nothing more is
    /// promised, and the caller must not record a clean shutdown: the tail may be torn).
    public func close() async throws {
        let (wasClosed, target, failure) = state.withLock { state -> (Bool, LSN, MantisError?) in
            defer { state.closed = true }
            return (state.closed, state.nextLSN.previous, state.failure)
        }
        let failed = failure != nil
        guard !wasClosed else { return }
        var finalError: (any Error)?
        if !failed {
            do { try await waitUntil(target, durable: true) } catch { finalError = error }
        }
        preparer.shutdown()
        try? active.file.close()
        if let finalError { throw finalError }
        if let failure { throw failure }
    }
}
