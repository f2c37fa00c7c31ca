import MantisCore

/// A segment file known to the log.
struct SegmentInfo: Sendable, Hashable {
    var firstLSN: LSN
    var path: String
    /// The file's size in bytes as the log last knew it (kept by the log for `status`, so
    /// reading the status touches no file; 0 where nobody asked).
    var size: Int64 = 0
    var name: String { Path.lastComponent(of: path) }
}
