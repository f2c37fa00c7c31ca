#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A monotonic clock read at the kernel's tick resolution (1–4 ms on Linux) for a fraction of
/// a precise read's cost: for deadlines checked on every operation, where a precise read would
/// cost a visible share of the operation. Not for measuring durations.
public enum CoarseClock {
    /// Nanoseconds since an arbitrary fixed point; never decreases.
    @inline(__always)
    public static func nanoseconds() -> UInt64 {
        var spec = timespec()
        #if os(Linux)
        clock_gettime(CLOCK_MONOTONIC_COARSE, &spec)
        #else
        clock_gettime(CLOCK_MONOTONIC, &spec)
        #endif
        return UInt64(spec.tv_sec) &* 1_000_000_000 &+ UInt64(spec.tv_nsec)
    }

    /// Now plus `duration` in this clock's nanoseconds, saturating (a negative duration counts as 0).
    public static func deadline(after duration: Duration) -> UInt64 {
        let now = nanoseconds()
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0 else { return now }
        let (wholeNanos, overflow) = UInt64(seconds).multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return .max }
        let (sum, overflow2) = now.addingReportingOverflow(wholeNanos &+ UInt64(max(0, attoseconds) / 1_000_000_000))
        return overflow2 ? .max : sum
    }
}
