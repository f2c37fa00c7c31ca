extension FaultInjectingFileSystem {
    /// Stops the machine at this instant: every call, on any handle, fails with EIO until
    /// `restart()`. With `crash(_:)` afterwards, this models a crash of the *process and the
    /// machine*: code still running in the test (the old database instance) can no longer touch
    /// the disk, exactly as if it had died.
    public func halt() {
        state.withLock { $0.halted = true }
    }

    /// Brings the machine back after `halt()` (and usually a `crash(_:)`).
    public func restart() {
        state.withLock { $0.halted = false }
    }

    /// `halt()` then `crash(mode)`: the state on disk is what it was when the machine stopped.
    /// Call `restart()` once the old instance is gone.
    @discardableResult
    public func haltAndCrash(_ mode: CrashMode) -> CrashReport {
        halt()
        return crash(mode)
    }
}
