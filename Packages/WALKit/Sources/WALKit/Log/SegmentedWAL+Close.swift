import MantisCore

extension SegmentedWAL {
    /// Stops accepting appends, makes everything appended durable, and releases the files.
    /// Throws if the final sync fails (the log is then failed and nothing more is promised).
    public func close() async throws {
        let (wasClosed, target, failed) = state.withLock { state -> (Bool, LSN, Bool) in
            defer { state.closed = true }
            return (state.closed, state.nextLSN.previous, state.failure != nil)
        }
        guard !wasClosed else { return }
        flusher.withLock { task in
            task?.cancel()
            task = nil
        }
        var finalError: (any Error)?
        if !failed {
            do { try await waitUntil(target, durable: true) } catch { finalError = error }
        }
        preparer.shutdown()
        try? active.file.close()
        if let finalError { throw finalError }
    }
}
