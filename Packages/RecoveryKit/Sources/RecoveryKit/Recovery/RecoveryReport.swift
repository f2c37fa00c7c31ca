import MantisCore
import TxnKit
import WALKit

/// Whether the database may accept writes after recovery.
public enum DatabaseMode: Sendable, Hashable, CustomStringConvertible {
    case normal
    /// Read-only (or refused, per configuration): recovery found damage it must not paper over.
    case safe(reason: String)

    public var isSafe: Bool { if case .safe = self { return true }; return false }

    public var description: String {
        switch self {
        case .normal: "normal"
        case .safe(let reason): "safe mode: \(reason)"
        }
    }
}

/// What recovery found and did, step by step.
public struct RecoveryReport: Sendable {
    public var cleanShutdown = false
    /// The checkpoint loaded, if any.
    public var checkpoint: CheckpointInfo?
    public var checkpointEntriesLoaded = 0
    /// Checkpoints that failed verification, moved to quarantine.
    public var quarantined: [String] = []
    /// Checkpoints that could not be read (an I/O error, twice; or a codec, checksum or format
    /// this build lacks) and were passed over, left in place.
    public var unreadableCheckpoints: [String] = []
    /// Torn tails cut from the log.
    public var walRepairs: [WALFinding] = []
    public var replay = ReplayResult()
    /// The LSN range replayed.
    public var replayFrom: LSN = .zero
    public var lastLSN: LSN = .zero
    public var mode: DatabaseMode = .normal
    /// Human-readable steps, in order (also logged).
    public var steps: [String] = []
    public var duration: Duration = .zero

    public init() {}

    /// Replay speed in MB of WAL payload per second.
    public var replayMegabytesPerSecond: Double {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        return seconds > 0 ? Double(replay.bytesRead) / 1_000_000 / seconds : 0
    }
}

/// Progress of a long replay, for a callback.
public struct RecoveryProgress: Sendable {
    public var phase: String
    public var recordsDone: Int
    public var bytesDone: UInt64
    public var bytesTotal: UInt64
    public var elapsed: Duration

    public var percent: Double { bytesTotal > 0 ? min(100, Double(bytesDone) * 100 / Double(bytesTotal)) : 100 }
}
