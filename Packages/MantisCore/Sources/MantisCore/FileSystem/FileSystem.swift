/// Every byte of MantisDB's disk I/O goes through a `FileSystem`.
///
/// Implementations: `PosixFileSystem` (real files, `fsync`/`fdatasync`) and, for tests and
/// chaos runs, `FaultInjectingFileSystem` in `MantisCoreTesting`.
///
/// Durability contract, modelled on POSIX: bytes written to a file are durable only after that
/// file's `sync()` or `syncData()` returns; a created, renamed or removed directory entry is
/// durable only after `syncDirectory` of its parent returns.
/// Every failure is thrown as a `MantisError` naming the path.
public protocol FileSystem: Sendable {
    /// A short name for logs and the registry (`posix`, `fault-injecting`).
    var name: String { get }

    /// Opens (and with `.create`, creates with mode 0600) the file at `path`.
    func openFile(_ path: String, options: FileOpenOptions) throws -> any StorageFile

    /// Creates a directory and any missing parents (mode 0700). No error if it exists.
    func createDirectory(_ path: String) throws

    /// The entry names in a directory (not paths), sorted.
    func contentsOfDirectory(_ path: String) throws -> [String]

    /// What is at `path`, or nil if nothing is.
    func fileType(_ path: String) throws -> FileType?

    /// Atomically replaces `destination` with `source` (POSIX `rename`).
    func rename(_ source: String, to destination: String) throws

    /// Removes a file (or an empty directory).
    func removeItem(_ path: String) throws

    /// Makes the directory's entries (creations, renames, removals) durable (`fsync` on the directory).
    func syncDirectory(_ path: String) throws

    /// Free and total space of the file system holding `path`.
    func diskSpace(_ path: String) throws -> DiskSpace
}

/// What a path names.
public enum FileType: Sendable, Equatable {
    case regular(size: Int64)
    case directory
    case other
}

/// Free and total bytes of a file system.
public struct DiskSpace: Sendable, Equatable {
    /// Bytes available to an unprivileged writer.
    public var available: Int64
    public var total: Int64
    public init(available: Int64, total: Int64) {
        self.available = available
        self.total = total
    }
}
