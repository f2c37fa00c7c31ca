#if canImport(Glibc)
import Glibc
#endif

/// The real file system: POSIX calls on real files, with real `fsync`/`fdatasync`.
/// Files are created with mode 0600 and directories with 0700.
public struct PosixFileSystem: FileSystem {
    public init() {}

    public var name: String { "posix" }

    public func openFile(_ path: String, options: FileOpenOptions) throws -> any StorageFile {
        var flags: Int32 = options.contains(.write) ? O_RDWR : O_RDONLY
        if options.contains(.create) { flags |= O_CREAT }
        if options.contains(.exclusive) { flags |= O_EXCL }
        if options.contains(.truncate) { flags |= O_TRUNC }
        let fd = try Syscall.open(path, flags: flags)
        return PosixFile(descriptor: fd, path: path)
    }

    public func createDirectory(_ path: String) throws {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += component
            try Syscall.mkdir(prefix)
            prefix += "/"
        }
        guard try Syscall.fileType(at: path) == .directory else {
            throw MantisError(.alreadyExists, "exists and is not a directory", context: ErrorContext(file: path))
        }
    }

    public func contentsOfDirectory(_ path: String) throws -> [String] {
        try Syscall.listDirectory(path)
    }

    public func fileType(_ path: String) throws -> FileType? {
        try Syscall.fileType(at: path)
    }

    public func rename(_ source: String, to destination: String) throws {
        try Syscall.rename(source, destination)
    }

    public func removeItem(_ path: String) throws {
        try Syscall.remove(path)
    }

    public func syncDirectory(_ path: String) throws {
        let fd = try Syscall.open(path, flags: O_RDONLY | O_DIRECTORY)
        defer { try? Syscall.close(fd, path: path) }
        try Syscall.fsync(fd, path: path)
    }

    public func diskSpace(_ path: String) throws -> DiskSpace {
        try Syscall.diskSpace(at: path)
    }
}
