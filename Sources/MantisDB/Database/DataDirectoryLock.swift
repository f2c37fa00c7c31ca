#if canImport(Glibc)
import Glibc
#endif
import MantisCore

/// An exclusive advisory lock (`flock`) on `<data dir>/LOCK`, held while a process has the
/// database open: a second server or an offline tool on the same directory is refused instead of
/// corrupting it. Released when the process exits, however it exits.
final class DataDirectoryLock: Sendable {
    let path: String
    private let descriptor: Int32

    /// The lock file's name in the data directory.
    static let fileName = "LOCK"

    init(directory: String) throws {
        path = Path.join(directory, Self.fileName)
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw MantisError(.permissionDenied, "cannot create the lock file: \(String(cString: strerror(errno)))", context: ErrorContext(operation: "open", file: path, errno: errno))
        }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            close(fd)
            throw MantisError(.alreadyExists, "the data directory is in use: a running server or tool holds \(path) (or this process has it open already)",
                              context: ErrorContext(operation: "open", file: path, errno: code))
        }
        descriptor = fd
    }

    func release() {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
