import MantisCore

/// A segment file known to the log.
struct SegmentInfo: Sendable, Hashable {
    var firstLSN: LSN
    var path: String
    var name: String { Path.lastComponent(of: path) }
}
