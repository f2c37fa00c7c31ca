import MantisCore
import WALKit

/// Where the live log stands, sampled by the scrubber *before* it reads the log.
///
/// Records at or below `durableLSN` were on stable storage before the scrubber read a byte, and
/// the writer never rewrites them (sync alignment): damage there is real. Anything after it may
/// be mid-write — a torn-looking tail, or a half-written record ahead of a newer one — and is
/// never reported as damage.
public struct LiveLogPosition: Sendable, Hashable {
    public var durableLSN: LSN
    /// The segment the log is appending to (never moved, only copied).
    public var activeSegment: String?

    public init(durableLSN: LSN, activeSegment: String?) {
        self.durableLSN = durableLSN
        self.activeSegment = activeSegment
    }

    /// The position of an open `SegmentedWAL`.
    public static func of(_ wal: SegmentedWAL) -> LiveLogPosition {
        // The active segment first: a rotation between the two reads only makes the durable
        // LSN newer, which is still a point every record at or below was synced by.
        let active = wal.segmentPaths.last
        return LiveLogPosition(durableLSN: wal.status.durableLSN, activeSegment: active)
    }
}

/// Log operations that let healing remove a damaged segment from what recovery reads, beyond
/// the fresh checkpoint (`selfHeal`).
public struct WALMaintenance: Sendable {
    /// Seals the active segment and starts a new one, so a damaged active segment becomes a
    /// sealed one a checkpoint can cover and trimming can remove (`SegmentedWAL.sealActiveSegment`).
    public var sealActiveSegment: (@Sendable () async throws -> Void)?
    /// Removes the segments wholly below an LSN, archiving them first if so configured
    /// (`SegmentedWAL.removeSegments(below:)`).
    public var removeSegments: (@Sendable (LSN) throws -> Void)?

    public init(sealActiveSegment: (@Sendable () async throws -> Void)? = nil, removeSegments: (@Sendable (LSN) throws -> Void)? = nil) {
        self.sealActiveSegment = sealActiveSegment
        self.removeSegments = removeSegments
    }

    /// Sealing and trimming through an open `SegmentedWAL`.
    public static func of(_ wal: SegmentedWAL) -> WALMaintenance {
        WALMaintenance(sealActiveSegment: { try await wal.sealActiveSegment() },
                       removeSegments: { lsn in try wal.removeSegments(below: lsn) })
    }
}
