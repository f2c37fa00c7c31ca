/// How fast `FileSystem.removeGradually` takes a large file apart.
///
/// Why: on a file system mounted with `discard` (common on cloud disks), unlinking a file frees
/// all its blocks at once and the device trims them in one go; a log's `fdatasync` queued behind
/// that waits. Measured on this project's test machine (ext4, `discard`): unlinking a 64 MiB WAL
/// segment stalled a lone client's `SET` 16–22 ms; cut 256 KiB at a time with 2 ms pauses, the
/// worst was 6 ms.
public struct RemovalPacing: Sendable, Hashable {
    /// Bytes freed per cut.
    public var chunk: Int64
    /// The pause after each cut.
    public var pause: Duration

    public init(chunk: Int64 = 256 << 10, pause: Duration = .milliseconds(2)) {
        precondition(chunk > 0, "RemovalPacing: chunk must be positive")
        self.chunk = chunk
        self.pause = pause
    }

    /// 256 KiB per 2 ms: a 64 MiB segment in about 0.6 s.
    public static let standard = RemovalPacing()

    /// What `FileSystem.retire` appends to a file's name.
    public static let retiredSuffix = ".removing"
}
