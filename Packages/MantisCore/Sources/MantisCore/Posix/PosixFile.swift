import Synchronization

/// A file descriptor owned by `PosixFileSystem`. Thread-safe: positional I/O has no cursor.
final class PosixFile: StorageFile {
    let path: String
    private let descriptor: Int32
    private let isClosed = Atomic<Bool>(false)

    init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    deinit {
        if !isClosed.load(ordering: .acquiring) { try? Syscall.close(descriptor, path: path) }
    }

    private func open() throws -> Int32 {
        if isClosed.load(ordering: .acquiring) {
            throw MantisError(.closed, "file is closed", context: ErrorContext(file: path))
        }
        return descriptor
    }

    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws -> Int {
        try Syscall.pread(try open(), buffer, offset: offset, path: path)
    }

    func write(_ bytes: UnsafeRawBufferPointer, at offset: Int64) throws {
        try Syscall.pwrite(try open(), bytes, offset: offset, path: path)
    }

    func size() throws -> Int64 {
        try Syscall.fstatSize(try open(), path: path)
    }

    func truncate(to size: Int64) throws {
        try Syscall.ftruncate(try open(), size: size, path: path)
    }

    func preallocate(_ length: Int64) throws {
        try Syscall.fallocate(try open(), length: length, path: path)
    }

    func sync() throws {
        try Syscall.fsync(try open(), path: path)
    }

    func syncData() throws {
        try Syscall.fdatasync(try open(), path: path)
    }

    func close() throws {
        guard !isClosed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        try Syscall.close(descriptor, path: path)
    }
}
