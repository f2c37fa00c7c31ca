/// How long the current task may block its thread on slow I/O (an `fdatasync`).
///
/// Code that would do such I/O inline (a write-ahead log leading a group-commit round) asks
/// `BlockingIO.policy`; where it may not block, it hands the I/O to another thread and suspends.
/// Task-local: child tasks inherit it, detached ones do not.
public enum BlockingIO: Sendable, Equatable {
    /// For as long as the I/O takes (the default: Swift's pool, a caller's own thread).
    case unbounded
    /// Only while the device is answering fast (the log's recent rounds were all short), so the
    /// thread is held for about one short sync. A server's event loop: serving a lone client's
    /// commit itself saves two thread wake-ups, and its other connections wait at most about
    /// one short sync; once the device slows, they are served while another thread waits.
    case whileFast
    /// Never: the task suspends while another thread does the I/O.
    case never

    @TaskLocal public static var policy: BlockingIO = .unbounded
}
