extension Database {
    /// Returns the log's failure, as text, once the log has failed at runtime (checked every
    /// `interval`); at once if it already has. Throws `CancellationError` if the task is
    /// cancelled first. After a failure the log accepts no writes until it is reopened.
    /// A database opened in safe mode has no log that could fail: this then only waits.
    public func logFailure(checkingEvery interval: Duration = .milliseconds(200)) async throws -> String {
        while true {
            if !modeAtOpen.isSafe, let failure = wal.failure { return failure }
            try await Task.sleep(for: interval)
        }
    }
}
