import MantisCore

/// How a `Scrubber` runs.
public struct ScrubberOptions: Sendable, Hashable {
    /// The pause between the end of one pass and the start of the next (`start()`).
    public var interval: Duration = .seconds(3600)
    /// The pause before the first scheduled pass (nil: `interval`).
    public var firstPassDelay: Duration?
    /// Read rate limit in bytes per second (nil: unlimited). Config: MB/s × 1 000 000.
    public var bytesPerSecond: Int? = 20_000_000
    /// The most bytes read at full speed before the rate applies.
    public var burstBytes: Int = 1 << 20
    /// Re-read a file that failed verification before acting on it: if the second read
    /// verifies, the first was a transient read error (reported, nothing quarantined).
    public var confirmDamage = true
    /// Attempts at reading a file that fails with a transient I/O error.
    public var readAttempts = 3

    public init() {}

    /// - Throws: `invalidConfiguration` naming the bad setting.
    public func validate() throws {
        func fail(_ setting: String, _ message: String) -> MantisError {
            MantisError(.invalidConfiguration, "scrub: \(message)", context: ErrorContext(operation: "configure", metadata: ["setting": "scrub.\(setting)"]))
        }
        guard interval > .zero else { throw fail("interval", "interval must be positive") }
        if let rate = bytesPerSecond, rate <= 0 { throw fail("rate", "the rate must be positive (or unset for unlimited)") }
        guard burstBytes >= 0 else { throw fail("burst", "burst must not be negative") }
        guard readAttempts >= 1 else { throw fail("read_attempts", "read_attempts must be at least 1") }
    }
}
