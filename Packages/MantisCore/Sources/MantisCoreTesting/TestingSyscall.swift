#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import MantisCore

/// The few C library calls of MantisCoreTesting, in one place (DESIGN.md: system calls live in
/// one small internal file per package). The file I/O itself goes through `PosixFileSystem`.
enum TestingSyscall {
    static let noEntry = ENOENT
    static let exists = EEXIST
    static let io = EIO
    static let noSpace = ENOSPC
    static let quota = EDQUOT
    static let badDescriptor = EBADF
    static let invalid = EINVAL
    static let isDirectory = EISDIR
    static let notDirectory = ENOTDIR
    static let notEmpty = ENOTEMPTY
    static let busy = EBUSY
    static let tooBig = EFBIG
    static let access = EACCES
    static let permission = EPERM
    static let readOnlyFileSystem = EROFS

    /// `strerror` text of an errno value.
    static func describe(_ code: Int32) -> String {
        String(cString: strerror(code))
    }

    /// The process's working directory.
    static func currentDirectory() -> String? {
        guard let cwd = getcwd(nil, 0) else { return nil }
        defer { free(cwd) }
        return String(cString: cwd)
    }

    static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }

    /// `mkdtemp` on `template` (ending in `XXXXXX`); returns the created directory.
    static func makeTemporaryDirectory(template: String) throws -> String {
        var bytes = Array(template.utf8CString)
        let made = bytes.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard made != nil else {
            let code = errno
            throw MantisError(
                .ioError, "mkdtemp failed: \(describe(code))",
                context: ErrorContext(operation: "mkdtemp", file: template, errno: code))
        }
        return bytes.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}
