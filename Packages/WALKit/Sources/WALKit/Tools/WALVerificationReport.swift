import MantisCore

/// What `WALVerifier.verify` found.
public struct WALVerificationReport: Sendable {
    public var directory: String
    public var segments: [SegmentScan] = []
    public var findings: [WALFinding] = []
    public var bytesRead: Int64 = 0
    /// Files in the directory that are not segments (`.broken` files, temporaries, others).
    public var otherFiles: [String] = []
    /// Marker files left by a failed sync, which the next open applies.
    public var markers = WALMarkers()

    public init(directory: String) { self.directory = directory }

    public var recordCount: Int { segments.reduce(0) { $0 + $1.recordCount } }
    public var firstLSN: LSN? { segments.first?.header.firstLSN }
    public var lastLSN: LSN? { segments.last?.lastLSN }
    public var hasCorruption: Bool { findings.contains(where: \.isCorruption) }
    /// The findings the next open meets: those a sync-failure cut takes away are left out.
    public var findingsAfterMarkers: [WALFinding] { findings.filter { !markers.cuts($0) } }
    /// What a `sync-failed` marker means for this log, if there is one.
    public var syncFailure: String? { markers.syncFailureDescription(lastLSN: lastLSN ?? .zero) }

    /// 0 clean, 1 torn tail or a marker from a failed sync only (repaired by opening), 2
    /// corruption (or a damaged marker).
    public var exitCode: Int32 {
        if findingsAfterMarkers.contains(where: \.isCorruption) || !markers.damage.isEmpty { return 2 }
        return findings.isEmpty && markers.isEmpty ? 0 : 1
    }
}
