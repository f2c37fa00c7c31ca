#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The system calls of `PosixFileSystem`, in one place: each retries `EINTR` (except
/// `fsync`/`fdatasync`, which are never retried, DESIGN.md rule 2) and turns `errno`
/// into a `MantisError` naming the operation and path.
enum Syscall {
    static func error(_ operation: String, path: String, errno code: Int32, offset: Int64? = nil) -> MantisError {
        let text = String(cString: strerror(code))
        return MantisError(
            Self.code(for: code, operation: operation),
            "\(operation) failed: \(text)",
            context: ErrorContext(operation: operation, file: path, offset: offset, errno: code)
        )
    }

    static func code(for errnoValue: Int32, operation: String) -> MantisError.Code {
        if operation == "fsync" || operation == "fdatasync" {
            return errnoValue == ENOSPC ? .diskFull : .syncFailed
        }
        switch errnoValue {
        case ENOSPC, EDQUOT: return .diskFull
        case ENOENT, ENOTDIR: return .notFound
        case EEXIST: return .alreadyExists
        case EACCES, EPERM, EROFS: return .permissionDenied
        case EINVAL: return .invalidArgument
        default: return .ioError
        }
    }

    /// Runs `body` until it does not fail with EINTR.
    @inline(__always)
    static func retryingEINTR<T: BinaryInteger>(_ body: () -> T) -> (T, Int32) {
        while true {
            let result = body()
            if result == -1 {
                let code = errno
                if code == EINTR { continue }
                return (result, code)
            }
            return (result, 0)
        }
    }

    static func open(_ path: String, flags: Int32, mode: mode_t = 0o600) throws -> Int32 {
        let (fd, code) = retryingEINTR { Glibc.open(path, flags | O_CLOEXEC, mode) }
        if fd < 0 { throw error("open", path: path, errno: code) }
        return fd
    }

    static func close(_ fd: Int32, path: String) throws {
        // close is not retried on EINTR: on Linux the descriptor is released regardless.
        if Glibc.close(fd) != 0 { throw error("close", path: path, errno: errno) }
    }

    static func pread(_ fd: Int32, _ buffer: UnsafeMutableRawBufferPointer, offset: Int64, path: String) throws -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        var done = 0
        while done < buffer.count {
            let (n, code) = retryingEINTR { Glibc.pread(fd, base + done, buffer.count - done, off_t(offset) + off_t(done)) }
            if n < 0 { throw error("pread", path: path, errno: code, offset: offset + Int64(done)) }
            if n == 0 { break }
            done += n
        }
        return done
    }

    static func pwrite(_ fd: Int32, _ buffer: UnsafeRawBufferPointer, offset: Int64, path: String) throws {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        var done = 0
        while done < buffer.count {
            let (n, code) = retryingEINTR { Glibc.pwrite(fd, base + done, buffer.count - done, off_t(offset) + off_t(done)) }
            if n < 0 { throw error("pwrite", path: path, errno: code, offset: offset + Int64(done)) }
            done += n
        }
    }

    static func fsync(_ fd: Int32, path: String) throws {
        if Glibc.fsync(fd) != 0 { throw error("fsync", path: path, errno: errno) }
    }

    static func fdatasync(_ fd: Int32, path: String) throws {
        if Glibc.fdatasync(fd) != 0 { throw error("fdatasync", path: path, errno: errno) }
    }

    static func ftruncate(_ fd: Int32, size: Int64, path: String) throws {
        let (r, code) = retryingEINTR { Glibc.ftruncate(fd, off_t(size)) }
        if r != 0 { throw error("ftruncate", path: path, errno: code) }
    }

    static func fallocate(_ fd: Int32, length: Int64, path: String) throws {
        // Nothing to reserve; posix_fallocate would fail with EINVAL for a zero length.
        if length == 0 { return }
        // posix_fallocate returns the error number instead of setting errno.
        while true {
            let r = posix_fallocate(fd, 0, off_t(length))
            if r == EINTR { continue }
            if r != 0 { throw error("fallocate", path: path, errno: r) }
            return
        }
    }

    static func fstatSize(_ fd: Int32, path: String) throws -> Int64 {
        var info = stat()
        if Glibc.fstat(fd, &info) != 0 { throw error("fstat", path: path, errno: errno) }
        return Int64(info.st_size)
    }

    static func fileType(at path: String) throws -> FileType? {
        var info = stat()
        if stat(path, &info) != 0 {
            let code = errno
            if code == ENOENT || code == ENOTDIR { return nil }
            throw error("stat", path: path, errno: code)
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .regular(size: Int64(info.st_size))
        case S_IFDIR: return .directory
        default: return .other
        }
    }

    static func mkdir(_ path: String) throws {
        let (r, code) = retryingEINTR { Glibc.mkdir(path, 0o700) }
        if r != 0 && code != EEXIST { throw error("mkdir", path: path, errno: code) }
    }

    static func rename(_ source: String, _ destination: String) throws {
        let (r, code) = retryingEINTR { Glibc.rename(source, destination) }
        if r != 0 {
            var failure = error("rename", path: source, errno: code)
            failure.context.metadata["destination"] = destination
            throw failure
        }
    }

    static func remove(_ path: String) throws {
        let (r, code) = retryingEINTR { Glibc.remove(path) }
        if r != 0 { throw error("remove", path: path, errno: code) }
    }

    static func listDirectory(_ path: String) throws -> [String] {
        guard let dir = opendir(path) else { throw error("opendir", path: path, errno: errno) }
        defer { closedir(dir) }
        var names: [String] = []
        while true {
            // readdir signals an error only through errno, which the Swift code between two
            // calls (allocation) may change: reset it before every call.
            errno = 0
            guard let entry = readdir(dir) else { break }
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        if errno != 0 { throw error("readdir", path: path, errno: errno) }
        return names.sorted()
    }

    static func diskSpace(at path: String) throws -> DiskSpace {
        var info = statvfs()
        let (r, code) = retryingEINTR { statvfs(path, &info) }
        if r != 0 { throw error("statvfs", path: path, errno: code) }
        let unit = Int64(info.f_frsize)
        return DiskSpace(available: Int64(info.f_bavail) * unit, total: Int64(info.f_blocks) * unit)
    }
}
