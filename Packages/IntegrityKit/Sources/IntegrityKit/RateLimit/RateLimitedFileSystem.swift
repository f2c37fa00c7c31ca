import MantisCore
import Synchronization

/// A `FileSystem` whose reads are paced by a `TokenBucket` and counted: background work (the
/// scrubber) reads at a bounded rate so it never starves the database's own I/O.
///
/// Reads block the calling thread while they wait, so use it only from a dedicated thread.
/// Every other call passes straight through. After `cancel()`, every read throws `cancelled`
/// (a long verification stops at its next read).
public final class RateLimitedFileSystem: FileSystem, Sendable {
    public let base: any FileSystem
    /// nil: reads are counted but not paced.
    public let bucket: TokenBucket?
    let counters = ReadCounters()

    public init(base: any FileSystem, bucket: TokenBucket?) {
        self.base = base
        self.bucket = bucket
    }

    public var name: String { base.name + "+rate-limited" }

    /// Bytes read through this file system so far.
    public var bytesRead: Int64 { counters.bytes.load(ordering: .relaxed) }

    /// Makes every later read throw `cancelled`.
    public func cancel() { counters.cancelled.store(true, ordering: .releasing) }

    public var isCancelled: Bool { counters.cancelled.load(ordering: .acquiring) }

    public func openFile(_ path: String, options: FileOpenOptions) throws -> any StorageFile {
        RateLimitedFile(base: try base.openFile(path, options: options), bucket: bucket, counters: counters)
    }

    public func createDirectory(_ path: String) throws { try base.createDirectory(path) }
    public func contentsOfDirectory(_ path: String) throws -> [String] { try base.contentsOfDirectory(path) }
    public func fileType(_ path: String) throws -> FileType? { try base.fileType(path) }
    public func rename(_ source: String, to destination: String) throws { try base.rename(source, to: destination) }
    public func removeItem(_ path: String) throws { try base.removeItem(path) }
    public func syncDirectory(_ path: String) throws { try base.syncDirectory(path) }
    public func diskSpace(_ path: String) throws -> DiskSpace { try base.diskSpace(path) }
}

final class ReadCounters: Sendable {
    let bytes = Atomic<Int64>(0)
    let cancelled = Atomic<Bool>(false)
}

/// A file of a `RateLimitedFileSystem`: each read is charged after it returns (the bytes it
/// actually read) and waits for the bucket before returning.
final class RateLimitedFile: StorageFile {
    let base: any StorageFile
    let bucket: TokenBucket?
    let counters: ReadCounters

    init(base: any StorageFile, bucket: TokenBucket?, counters: ReadCounters) {
        self.base = base
        self.bucket = bucket
        self.counters = counters
    }

    var path: String { base.path }

    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws -> Int {
        if counters.cancelled.load(ordering: .acquiring) {
            throw MantisError(.cancelled, "rate-limited reader stopped", context: ErrorContext(operation: "pread", file: path, offset: offset))
        }
        let count = try base.read(into: buffer, at: offset)
        counters.bytes.add(Int64(count), ordering: .relaxed)
        bucket?.acquireBlocking(count)
        // Cancelled while paced: the pass may have no read left to notice it.
        if counters.cancelled.load(ordering: .acquiring) {
            throw MantisError(.cancelled, "rate-limited reader stopped", context: ErrorContext(operation: "pread", file: path, offset: offset))
        }
        return count
    }

    func write(_ bytes: UnsafeRawBufferPointer, at offset: Int64) throws { try base.write(bytes, at: offset) }
    func size() throws -> Int64 { try base.size() }
    func truncate(to size: Int64) throws { try base.truncate(to: size) }
    func preallocate(_ length: Int64) throws { try base.preallocate(length) }
    func sync() throws { try base.sync() }
    func syncData() throws { try base.syncData() }
    func close() throws { try base.close() }
}
