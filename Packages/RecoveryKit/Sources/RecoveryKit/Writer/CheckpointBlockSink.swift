import Dispatch
import MantisCore
import Synchronization

/// The back half of a `CheckpointWriter`: checksums and writes compressed blocks — in the
/// background, on a thread of its own while the writer fills and compresses the next block, or
/// inline, on the writer's thread, when built with `background: false`. In the background at
/// most two blocks wait or are being written; `submit` blocks the writer beyond that (bounded
/// memory).
///
/// Guarantees:
/// - Blocks reach the file in submission order, back to back, each with its block checksum;
///   the whole-file checksum is extended over every byte written, in file order.
/// - The first I/O error is kept in `failure`; every block after it is skipped, so
///   nothing is written past the damage.
/// - The file, `position` and `wholeFileChecksum` are touched only by the sink's queue, or by
///   the owner after `drain()` (which waits for every submitted block; the queue orders the two).
final class CheckpointBlockSink: @unchecked Sendable {
    struct PendingBlock {
        /// The block's bytes as stored (compressed).
        var stored: [UInt8]
        var number: UInt32
        var entryCount: UInt32
        var uncompressedLength: Int
    }

    let file: any StorageFile
    let checksum: any ChecksumAlgorithm
    /// Whether blocks are written on the sink's own thread.
    let background: Bool
    /// Where the next byte goes; also the number of bytes written.
    private(set) var position: Int64 = 0
    /// The whole-file checksum of bytes `0..<position`.
    private(set) var wholeFileChecksum: UInt32 = 0
    /// Bytes before this were synced by a block write.
    private var syncedThrough: Int64 = 0
    /// Blocks are synced as they go, at least every this many bytes: a checkpoint's file then
    /// never has more than this waiting for the device when its final fsync comes (a whole
    /// file's worth at once would queue the log's `fdatasync`s behind it, like unpaced zero fill).
    static let syncEvery: Int64 = 1 << 20

    private let queue = DispatchQueue(label: "mantisdb.checkpoint.blocks")
    private let slots = DispatchSemaphore(value: 2)
    private let pending = Mutex<[PendingBlock]>([])
    private let firstFailure = Mutex<MantisError?>(nil)

    init(file: any StorageFile, checksum: any ChecksumAlgorithm, background: Bool) {
        self.file = file
        self.background = background
        self.checksum = checksum
    }

    /// The first error a block write hit, if any.
    var failure: MantisError? { firstFailure.withLock { $0 } }

    /// Queues a compressed block for writing (waits while two are queued), or writes it now when
    /// not in the background (a failure is then in `failure` when this returns).
    func submit(_ block: PendingBlock) {
        guard background else {
            writeOrSkip(block)
            return
        }
        slots.wait()
        pending.withLock { $0.append(block) }
        queue.async { [self] in writeNext() }
    }

    /// Waits until every submitted block is written (or skipped after a failure).
    func drain() {
        if background { queue.sync {} }
    }

    /// Writes `bytes` at the end of the file on the caller's thread (header, footer): only
    /// before the first `submit` or after `drain()`.
    func write(_ bytes: [UInt8]) throws {
        try file.write(bytes, at: position)
        wholeFileChecksum = checksum.update(wholeFileChecksum, bytes)
        position += Int64(bytes.count)
    }

    private func writeNext() {
        writeOrSkip(pending.withLock { $0.removeFirst() })
        slots.signal()
    }

    /// Writes `block` unless an earlier block failed; keeps the first failure.
    private func writeOrSkip(_ block: PendingBlock) {
        guard failure == nil else { return }
        do {
            try write(block)
        } catch {
            firstFailure.withLock { $0 = MantisError.wrap(error) }
        }
    }

    /// Writes the block's header (with its checksum) and stored bytes; syncs once `syncEvery`
    /// bytes are written since the last sync.
    private func write(_ block: PendingBlock) throws {
        var header = CheckpointBlockHeader.encodedFields(
            blockNumber: block.number, entryCount: block.entryCount,
            uncompressedLength: block.uncompressedLength, storedLength: block.stored.count)
        let blockChecksum = checksum.update(checksum.update(0, header), block.stored)
        header.appendLittleEndian(blockChecksum)
        try write(header)
        try write(block.stored)
        if position - syncedThrough >= Self.syncEvery {
            try file.syncData()
            syncedThrough = position
        }
    }
}
