/// How healthy a part of the database is.
public enum HealthStatus: String, Sendable, Hashable, Comparable, Codable {
    case healthy
    /// Working, but an operator should look (disk low, a checkpoint failed once, …).
    case degraded
    /// Data safety at risk or writes impossible (WAL failed, corruption, safe mode, …).
    case critical

    private var rank: Int {
        switch self {
        case .healthy: 0
        case .degraded: 1
        case .critical: 2
        }
    }
    public static func < (lhs: HealthStatus, rhs: HealthStatus) -> Bool { lhs.rank < rhs.rank }
}

/// One check's verdict, with a reason a human can act on.
public struct HealthCheckResult: Sendable, Hashable, Codable {
    public var name: String
    public var status: HealthStatus
    public var reason: String

    public init(name: String, status: HealthStatus, reason: String) {
        self.name = name
        self.status = status
        self.reason = reason
    }
}

/// A health check (WAL, checkpoint age, disk, memory, integrity findings, database mode…).
/// Must be cheap: it runs on every health request.
public protocol HealthCheck: Sendable {
    var name: String { get }
    func check() async -> HealthCheckResult
}
