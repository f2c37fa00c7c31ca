import MantisCore

extension Scrubber: HealthCheck {
    public var name: String { "integrity" }

    /// Critical while recovery depends on a damaged file, degraded while findings wait for an
    /// operator's `acknowledge` (or the last pass could not check everything).
    public func check() async -> HealthCheckResult {
        let status = status
        let health = status.health
        switch health {
        case .critical:
            let open = status.findings.filter { $0.resolution == .unresolved }
            return HealthCheckResult(name: name, status: .critical,
                                     reason: "recovery depends on damaged data: " + open.map(\.description).joined(separator: "; "))
        case .degraded:
            if status.findings.isEmpty {
                return HealthCheckResult(name: name, status: .degraded, reason: "the last scrub pass could not check everything: \(status.lastError ?? "")")
            }
            return HealthCheckResult(name: name, status: .degraded,
                                     reason: "\(status.findings.count) scrub finding(s) to acknowledge: " + status.findings.map(\.description).joined(separator: "; "))
        case .healthy:
            let last = status.lastPass.map { "last pass: \($0.filesChecked) files, \($0.bytesChecked) bytes, no damage" } ?? "no pass yet"
            return HealthCheckResult(name: name, status: .healthy, reason: "\(status.passes) pass(es); \(last)")
        }
    }
}
