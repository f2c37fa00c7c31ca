import MantisCore

extension DiskSpaceGuard: HealthCheck {
    public var name: String { "disk" }

    /// Critical while writes are refused, degraded when free space is within twice the reserve
    /// or cannot be read, healthy otherwise.
    public func check() async -> HealthCheckResult {
        let report = report
        if report.belowReserve, let entry = report.entries.first(where: \.belowReserve) {
            return HealthCheckResult(name: name, status: .critical,
                                     reason: "writes refused: \(Self.describe(entry))")
        }
        if let failed = report.entries.first(where: { $0.error != nil }) {
            return HealthCheckResult(name: name, status: .degraded, reason: "cannot read free space on \(failed.path): \(failed.error ?? "")")
        }
        if let low = report.entries.first(where: { entry in
            guard let available = entry.available, let reserve = entry.reserve else { return false }
            return available < reserve * 2
        }) {
            return HealthCheckResult(name: name, status: .degraded, reason: "disk space low: \(Self.describe(low))")
        }
        return HealthCheckResult(name: name, status: .healthy, reason: report.entries.map(Self.describe).joined(separator: "; "))
    }

    static func describe(_ entry: DiskSpaceReport.Entry) -> String {
        guard let available = entry.available, let total = entry.total, let reserve = entry.reserve else {
            return "\(entry.path): not read yet"
        }
        return "\(entry.path): \(ByteCount.format(available)) free of \(ByteCount.format(total)), reserve \(ByteCount.format(reserve))"
    }
}

extension MemoryGuard: HealthCheck {
    public var name: String { "memory" }

    /// Critical past the hard limit (writes refused), degraded past the soft limit.
    public func check() async -> HealthCheckResult {
        let report = report
        let text = "\(ByteCount.format(Int64(report.usage))) in use (soft \(ByteCount.format(Int64(report.softLimit))), hard \(ByteCount.format(Int64(report.hardLimit))))"
        switch report.level {
        case .hard: return HealthCheckResult(name: name, status: .critical, reason: "writes refused: " + text)
        case .soft: return HealthCheckResult(name: name, status: .degraded, reason: "memory pressure: " + text)
        case .normal: return HealthCheckResult(name: name, status: .healthy, reason: text)
        }
    }
}
