import MantisCore

/// What the scrubber has done and found.
public struct ScrubStatus: Sendable {
    /// Completed passes.
    public var passes = 0
    /// Files verified, over all passes.
    public var filesChecked = 0
    /// Bytes read, over all passes.
    public var bytesChecked: Int64 = 0
    public var lastPass: ScrubPassReport?
    public var lastPassStartedAtNanoseconds: UInt64?
    public var lastPassCompletedAtNanoseconds: UInt64?
    public var inProgress = false
    /// The pass in progress, if any.
    public var progress: ScrubProgress?
    /// Findings not yet acknowledged by an operator.
    public var findings: [ScrubFinding] = []
    /// Findings ever recorded.
    public var findingsTotal = 0
    /// Why the last pass could not check everything, if it could not.
    public var lastError: String?

    public init() {}

    /// Critical while recovery depends on a damaged file; degraded while findings are not
    /// acknowledged (or the last pass failed); healthy otherwise.
    public var health: HealthStatus {
        if findings.contains(where: { $0.resolution == .unresolved }) { return .critical }
        if !findings.isEmpty || lastError != nil { return .degraded }
        return .healthy
    }
}

/// One pass.
public struct ScrubPassReport: Sendable {
    public var filesChecked = 0
    public var bytesChecked: Int64 = 0
    public var duration: Duration = .zero
    /// Findings this pass recorded (damage seen before is not recorded again).
    public var newFindings: [ScrubFinding] = []
    /// Damage after the durable point of the live log: possibly mid-write, not reported.
    public var skippedInFlight = 0
    /// Whether this pass ran the self-healing checkpoint, and whether it succeeded.
    public var healed: Bool?
    /// Problems that kept the pass from checking something (not damage).
    public var errors: [String] = []

    public init() {}
}

/// Progress of the pass in progress.
public struct ScrubProgress: Sendable, Hashable {
    public var file: String?
    public var bytesDone: Int64
    /// The size of the files to check, when the pass started.
    public var bytesTotal: Int64

    public var percent: Double { bytesTotal > 0 ? min(100, Double(bytesDone) * 100 / Double(bytesTotal)) : 100 }
}
