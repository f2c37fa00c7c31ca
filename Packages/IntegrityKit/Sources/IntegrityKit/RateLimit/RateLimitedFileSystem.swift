import MantisCore
import Synchronization

/// A `FileSystem` whose reads are paced by a `TokenBucket` and counted: background work (the
/// scrubber) reads at a bounded rate so it never starves the database's own I/O.
///
/// Reads block the calling thread while they wait, so use it only from a dedicated thread.
/// Every other call passes straight through (`ForwardingFileSystem`). After `cancel()`, every read throws `cancelled`
/// (a long verification stops at its next read).
public final class RateLimitedFileSystem: ForwardingFileSystem, Sendable {
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
}

final class ReadCounters: Sendable {
    let bytes = Atomic<Int64>(0)
    let cancelled = Atomic<Bool>(false)
}

/// A file of a `RateLimitedFileSystem`: each read is charged after it returns (the bytes it
/// actually read) and waits for the bucket before returning.
final class RateLimitedFile: ForwardingStorageFile {
    let base: any StorageFile
    let bucket: TokenBucket?
    let counters: ReadCounters

    init(base: any StorageFile, bucket: TokenBucket?, counters: ReadCounters) {
        self.base = base
        self.bucket = bucket
        self.counters = counters
    }

    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws -> Int {
        if counters.cancelled.load(ordering: .acquiring) {
            throw MantisError(.cancelled, "rate-limited reader stopped", context: ErrorContext(operation: "pread", file: path, offset: offset))
        }
        let count = try base.read(into: buffer, at: offset)
        counters.bytes.add(Int64(count), ordering: .relaxed)
        bucket?.acquireBlocking(count) { counters.cancelled.load(ordering: .acquiring) }
        // Cancelled while paced: the pass may have no read left to notice it.
        if counters.cancelled.load(ordering: .acquiring) {
            throw MantisError(.cancelled, "rate-limited reader stopped", context: ErrorContext(operation: "pread", file: path, offset: offset))
        }
        return count
    }
}
