import MantisCore

/// The layout of a data directory.
///
/// ```
/// <data dir>/wal/            write-ahead log segments
/// <data dir>/checkpoints/    checkpoint files
/// <data dir>/quarantine/     damaged files moved aside, each with a .reason.json report
/// <data dir>/clean-shutdown  present only between a graceful close and the next open
/// ```
public struct DataDirectory: Sendable, Hashable {
    public let path: String

    public init(_ path: String) { self.path = path }

    public var wal: String { Path.join(path, "wal") }
    public var checkpoints: String { Path.join(path, "checkpoints") }
    public var quarantine: String { Path.join(path, "quarantine") }
    public var cleanShutdownMarker: String { Path.join(path, "clean-shutdown") }
}
