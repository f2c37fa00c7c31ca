import MantisCore

/// Buffered reads of a file through a sliding window: `view(at:count:)` returns bytes that stay
/// valid until the next call. Sequential scans cost one large read per window.
final class FileWindow {
    let file: any StorageFile
    let fileSize: Int64
    private var storage: UnsafeMutableRawBufferPointer
    private var windowOffset: Int64 = 0
    private var windowCount = 0
    private(set) var bytesRead: Int64 = 0

    init(file: any StorageFile, fileSize: Int64, capacity: Int = 1 << 20) {
        self.file = file
        self.fileSize = fileSize
        self.storage = .allocate(byteCount: capacity, alignment: 16)
    }

    deinit { storage.deallocate() }

    /// `count` bytes at `offset`. The caller guarantees `offset + count <= fileSize`.
    func view(at offset: Int64, count: Int) throws -> UnsafeRawBufferPointer {
        if offset < windowOffset || offset + Int64(count) > windowOffset + Int64(windowCount) {
            try fill(from: offset, atLeast: count)
        }
        let start = Int(offset - windowOffset)
        return UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(storage)[start..<(start + count)])
    }

    private func fill(from offset: Int64, atLeast count: Int) throws {
        if count > storage.count {
            storage.deallocate()
            storage = .allocate(byteCount: count, alignment: 16)
        }
        let wanted = Int(min(Int64(storage.count), fileSize - offset))
        let got = try file.read(into: UnsafeMutableRawBufferPointer(rebasing: storage[0..<wanted]), at: offset)
        guard got >= count else {
            throw MantisError(.ioError, "short read: \(got) of \(count) bytes", context: ErrorContext(operation: "read", file: file.path, offset: offset))
        }
        bytesRead += Int64(got)
        windowOffset = offset
        windowCount = got
    }
}
