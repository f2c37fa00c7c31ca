/// Something an operator must know about now.
public struct Alert: Sendable, Hashable {
    public enum Severity: String, Sendable, Hashable, Comparable {
        case warning
        case critical
        /// The condition that raised `name` has cleared.
        case resolved

        private var rank: Int {
            switch self {
            case .resolved: 0
            case .warning: 1
            case .critical: 2
            }
        }
        public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
    }

    /// The rule that fired, stable across occurrences (`wal_sync_failed`, `rpo_breach`, …):
    /// sinks de-duplicate and resolve by it.
    public var name: String
    public var severity: Severity
    public var message: String
    /// Where and what: file, offset, LSN, durations…
    public var details: [String: String]
    public var timeNanoseconds: UInt64

    public init(name: String, severity: Severity, message: String, details: [String: String] = [:], timeNanoseconds: UInt64 = WallClock.nanosecondsSinceEpoch()) {
        self.name = name
        self.severity = severity
        self.message = message
        self.details = details
        self.timeNanoseconds = timeNanoseconds
    }
}

/// Delivers alerts (a log, a file, a webhook…). Implementations must not block the caller for
/// long and must not throw: a delivery failure is theirs to handle (retry, drop, report).
public protocol AlertSink: Sendable {
    /// The registry name (`log`, `file`, `webhook`).
    var name: String { get }
    func send(_ alert: Alert) async
}

/// Discards every alert.
public struct NoAlertSink: AlertSink {
    public init() {}
    public var name: String { "none" }
    public func send(_ alert: Alert) async {}
}
