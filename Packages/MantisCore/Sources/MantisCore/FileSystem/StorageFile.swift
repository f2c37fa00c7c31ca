/// An open file. Positional reads and writes; the file keeps no cursor.
///
/// A write returns when the bytes are handed to the OS (they survive a process crash, not a power
/// loss). `sync()` (fsync) and `syncData()` (fdatasync) make everything written before them durable.
/// Neither is ever retried by MantisDB after a failure (DESIGN.md rule 2).
public protocol StorageFile: AnyObject, Sendable {
    var path: String { get }

    /// Reads up to `buffer.count` bytes at `offset`; fewer only at end of file. Returns the count.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws -> Int

    /// Writes all of `bytes` at `offset`, or throws.
    func write(_ bytes: UnsafeRawBufferPointer, at offset: Int64) throws

    /// The current size in bytes.
    func size() throws -> Int64

    /// Sets the size; bytes past it are discarded, new bytes read as zero.
    func truncate(to size: Int64) throws

    /// Reserves disk space for `[0, length)` so later writes there cannot fail with ENOSPC.
    /// The reserved range reads as zeroes and extends the size to at least `length`.
    func preallocate(_ length: Int64) throws

    /// `fsync`: data and metadata durable.
    func sync() throws

    /// `fdatasync`: data (and the metadata needed to read it) durable.
    func syncData() throws

    /// Closes the file; later calls throw `closed`.
    func close() throws
}

extension StorageFile {
    /// Reads exactly `count` bytes at `offset`, or fewer at end of file.
    public func read(count: Int, at offset: Int64) throws -> [UInt8] {
        guard count > 0 else { return [] }
        var bytes = [UInt8](repeating: 0, count: count)
        let got = try bytes.withUnsafeMutableBytes { try read(into: $0, at: offset) }
        if got < count { bytes.removeLast(count - got) }
        return bytes
    }

    /// Writes all of `bytes` at `offset`.
    public func write(_ bytes: [UInt8], at offset: Int64) throws {
        try bytes.withUnsafeBytes { try write($0, at: offset) }
    }

    /// Appends `bytes` at the current end of the file and returns the offset written at.
    @discardableResult
    public func append(_ bytes: [UInt8]) throws -> Int64 {
        let offset = try size()
        try write(bytes, at: offset)
        return offset
    }

    /// The whole file.
    public func readAll() throws -> [UInt8] {
        let length = try size()
        guard length <= Int64(Int.max) else {
            throw MantisError(.resourceExhausted, "file too large to read whole", context: ErrorContext(file: path))
        }
        return try read(count: Int(length), at: 0)
    }
}
