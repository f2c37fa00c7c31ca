import MantisCore

/// Damage the scrubber found, and what became of it.
public struct ScrubFinding: Sendable, Hashable, Identifiable, CustomStringConvertible {
    public enum FileKind: String, Sendable, Hashable {
        case walSegment = "wal-segment"
        case checkpoint
    }

    public enum Resolution: String, Sendable, Hashable {
        /// Recovery still depends on the damaged file: a crash now would end in safe mode.
        case unresolved
        /// A fresh checkpoint (and log trimming) made recovery independent of the file.
        case healed
        /// Recovery never needed the file (an older checkpoint, log below the newest checkpoint).
        case notNeeded = "not-needed"
        /// A second read verified: a transient read error, nothing quarantined.
        case transient
    }

    public var id: Int
    public var kind: FileKind
    public var file: String
    /// The byte offset of the damaged structure, if known.
    public var offset: Int64?
    /// The error code (`corruption`, `unsupported_format`, `io_error`…).
    public var code: String
    public var reason: String
    /// The LSN the file name carries (checkpoint LSN, segment first LSN).
    public var lsn: LSN?
    public var detectedAtNanoseconds: UInt64
    /// Where it was quarantined (nil for a transient read error or if quarantining failed).
    public var quarantinedAs: String?
    /// Quarantined as a copy, the original left in place (WAL segments).
    public var copied: Bool
    public var wasActiveSegment: Bool
    public var recoveryDependsOnIt: Bool
    public var resolution: Resolution
    /// What healing did, or why it could not yet.
    public var healing: String?

    public var description: String {
        var text = "\(kind.rawValue) \(file)"
        if let offset { text += " at offset \(offset)" }
        text += ": [\(code)] \(reason) — \(resolution.rawValue)"
        if let quarantinedAs { text += ", quarantined as \(quarantinedAs)\(copied ? " (copy)" : "")" }
        if let healing { text += "; \(healing)" }
        return text
    }
}
