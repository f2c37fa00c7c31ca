/// What kind of failure an error is: decides whether trying again can help and what the
/// database must do about it (see `ErrorPolicy`).
public enum ErrorClass: String, Sendable, Hashable, CaseIterable, Codable, CustomStringConvertible {
    /// May succeed if tried again soon: an I/O error on a read or open, a timeout, a deadlock
    /// or serialization conflict. The only class the `Retrier` retries.
    case transient
    /// A limit is reached (disk below its reserve, memory limit, a bounded queue). The operation
    /// is refused now and succeeds once the resource returns; retrying at once does not help.
    case resource
    /// Stored bytes failed verification. Never retried, never skipped: the bytes are withheld,
    /// the file quarantined, recovery or safe mode takes over.
    case corruption
    /// Trying the same thing again fails the same way: bad input, a missing file, permissions,
    /// an unsupported format, a failed log (until restart), read-only mode.
    case permanent
    /// A bug: an invariant inside MantisDB is broken, its state cannot be trusted.
    case programming

    public var description: String { rawValue }
}

/// How urgently an operator must know.
public enum ErrorSeverity: String, Sendable, Hashable, CaseIterable, Codable, Comparable, CustomStringConvertible {
    /// Expected now and then (a conflict, a timeout, a missing optional file); logged.
    case warning
    /// The operation failed; the database is fine.
    case error
    /// Data safety or availability is at risk: alert an operator.
    case critical

    private var rank: Int {
        switch self {
        case .warning: 0
        case .error: 1
        case .critical: 2
        }
    }

    public static func < (lhs: ErrorSeverity, rhs: ErrorSeverity) -> Bool { lhs.rank < rhs.rank }
    public var description: String { rawValue }
}

/// The classification of one error code.
public struct ErrorTraits: Sendable, Hashable, CustomStringConvertible {
    public var errorClass: ErrorClass
    public var severity: ErrorSeverity
    /// True if the database gets back to full service without an operator: by retrying, once
    /// the resource returns, or by restarting and recovering from the log. False if someone
    /// must act (fix permissions or configuration, restore or salvage damaged data, fix a bug).
    public var isRecoverable: Bool
    /// One line for operators: what it means and what happens next.
    public var summary: String

    public init(_ errorClass: ErrorClass, _ severity: ErrorSeverity, recoverable: Bool, _ summary: String) {
        self.errorClass = errorClass
        self.severity = severity
        self.isRecoverable = recoverable
        self.summary = summary
    }

    public var description: String {
        "\(errorClass), \(severity), \(isRecoverable ? "recoverable" : "needs an operator"): \(summary)"
    }
}
