#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Sleeping that blocks the calling *thread*, not a task: for code on a thread of its own (the
/// log's flusher, a clock's blocking wait), never on Swift's cooperative pool.
public enum BlockingSleep {
    /// Blocks for `duration` (`nanosleep`, resumed after a signal until the whole time has
    /// passed). Non-positive durations return at once.
    public static func sleep(for duration: Duration) {
        let (seconds, attoseconds) = duration.components
        guard seconds > 0 || (seconds == 0 && attoseconds > 0) else { return }
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR {
            request = remaining
        }
    }
}
