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
    /// While the file system holding the file has less free space than this, what is left of
    /// the file is removed at once: space then matters more than latency. nil: always paced.
    public var unpacedBelowFree: Int64?

    public init(chunk: Int64 = 256 << 10, pause: Duration = .milliseconds(2), unpacedBelowFree: Int64? = nil) {
        precondition(chunk > 0, "RemovalPacing: chunk must be positive")
        self.chunk = chunk
        self.pause = pause
        self.unpacedBelowFree = unpacedBelowFree
    }

    /// Whether `path`'s file system is short of space (below `unpacedBelowFree`). A failed
    /// `statvfs` counts as not short: the removal goes on at its pace.
    func isShortOfSpace(_ path: String, on fileSystem: some FileSystem) -> Bool {
        guard let floor = unpacedBelowFree, let space = try? fileSystem.diskSpace(path) else { return false }
        return space.available < floor
    }

    /// 256 KiB per 2 ms: a 64 MiB segment in about 0.6 s.
    public static let standard = RemovalPacing()

    /// What `FileSystem.retire` appends to a file's name.
    public static let retiredSuffix = ".removing"
}
