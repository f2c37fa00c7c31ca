import Logging
import MantisCore

/// Writes one checkpoint file, streaming: entries go in one at a time, in strictly ascending
/// key order, and are packed into blocks that are compressed, checksummed and written as they
/// fill. With `writesInBackground` the checksums and writes run on a second thread
/// (`CheckpointBlockSink`) while the caller fills and compresses the next block.
///
/// Guarantees:
/// - **Atomic and durable (DESIGN.md rule 3).** Everything goes to `checkpoint-<LSN>.ckpt.tmp`;
///   `finish()` writes the footer, fsyncs the file, renames it to `checkpoint-<LSN>.ckpt` and
///   fsyncs the directory. Only when `finish()` returns does the checkpoint exist; a crash at
///   any earlier moment leaves at most a `.tmp` file (which `CheckpointDirectory` removes) and
///   never a file under the final name that does not verify.
/// - **Bounded memory:** about two blocks (the block being filled and its compressed copy), four
///   with `writesInBackground` (up to two compressed blocks queued for the writing thread). A
///   block is written when its uncompressed size reaches `blockSize`; an entry that does not fit
///   in the current block starts the next one, and an entry larger than `blockSize` gets a block
///   of its own. An entry over `CheckpointFormat.maximumBlockSize` (64 MiB, with its 8 length
///   bytes) is refused with `recordTooLarge`.
/// - **No blocking** on anything but its own file I/O (and, with `writesInBackground`, its own
///   writing thread): no locks, no shared state. Run it on a
///   background task; it is not `Sendable` — one task uses it at a time.
/// - The whole-file checksum is computed while writing, never by re-reading.
///
/// Errors: a refused entry (`invalidArgument` for a key out of order, `recordTooLarge`) leaves
/// the writer unchanged, but the snapshot is then incomplete — the caller should `abandon()`.
/// Any other error (I/O, codec) makes the writer failed: every later call throws that error,
/// and `abandon()` removes the temporary file. A codec error is thrown by the `append` that
/// completes the block, and so is a write error — except with `writesInBackground`, where the
/// write fails on the writing thread and the error is thrown by a later `append` that completes
/// a block, or by `finish()`; no byte is written after it either way.
/// An fsync is never retried (rule 2). A writer released without `finish()` abandons itself.
public final class CheckpointWriter {
    /// The checkpoint directory.
    public let directory: String
    public let lsn: LSN
    public let nextTransactionID: TransactionID
    /// Where the checkpoint will be once `finish()` returns.
    public let path: String
    /// Where the bytes go until then.
    public let temporaryPath: String
    /// The target uncompressed size of a block.
    public let blockSize: Int
    /// Whether blocks are checksummed and written on a second thread.
    public let writesInBackground: Bool
    public let createdAtNanoseconds: UInt64

    let codec: any CheckpointCodec
    let checksum: any ChecksumAlgorithm
    let fileSystem: any FileSystem
    let logger: Logger

    enum State {
        case writing
        case failed(MantisError)
        case finished(CheckpointInfo)
        case abandoned
    }

    var state: State = .writing {
        didSet {
            if case .writing = state { isWriting = true } else { isWriting = false }
        }
    }
    /// `state == .writing`, kept apart so `append` checks it without copying the state.
    private(set) var isWriting = true
    var file: (any StorageFile)?
    /// Checksums and writes the blocks; owns the file's position and whole-file checksum.
    var sink: CheckpointBlockSink?

    /// The uncompressed block being filled.
    var block: [UInt8] = []
    var blockEntryCount: UInt32 = 0
    /// Where the last appended key sits in `block`, if the block has entries.
    var lastKeyInBlock: Range<Int>?
    /// The last key of the previous block (for the order check across blocks).
    var lastKeyOfPreviousBlock: [UInt8]?

    var entryCount: UInt64 = 0
    var blockCount: UInt64 = 0
    var uncompressedBytes: UInt64 = 0

    /// Creates `directory` if needed and starts `checkpoint-<LSN>.ckpt.tmp` there (replacing a
    /// stale one), writing the header.
    ///
    /// - Parameters:
    ///   - codec: compresses the blocks; its identifier is recorded, and any reader that has a
    ///     codec with that identifier can read the file, whatever its own configuration prefers.
    ///   - checksum: for the block checksums and the whole-file checksum; its identifier is recorded.
    ///   - blockSize: the target uncompressed block size, `1...CheckpointFormat.maximumBlockSize`.
    ///   - writesInBackground: checksum and write blocks on a second thread, overlapping the
    ///     caller's filling and compressing (faster; write errors surface a block or two later).
    /// - Throws: `invalidArgument` for a bad `blockSize`; the file system's errors.
    public init(
        directory: String,
        lsn: LSN,
        nextTransactionID: TransactionID,
        codec: any CheckpointCodec,
        checksum: any ChecksumAlgorithm,
        fileSystem: any FileSystem,
        blockSize: Int = CheckpointFormat.defaultBlockSize,
        writesInBackground: Bool = false,
        createdAtNanoseconds: UInt64 = WallClock.nanosecondsSinceEpoch(),
        logger: Logger = Logger(label: "mantisdb.checkpoint", factory: { _ in SwiftLogNoOpLogHandler() })
    ) throws {
        guard blockSize >= 1, blockSize <= CheckpointFormat.maximumBlockSize else {
            throw MantisError(.invalidArgument, "checkpoint block size \(blockSize) is outside 1…\(CheckpointFormat.maximumBlockSize)",
                              context: ErrorContext(operation: "write checkpoint", lsn: lsn.rawValue))
        }
        self.directory = directory
        self.lsn = lsn
        self.nextTransactionID = nextTransactionID
        self.path = Path.join(directory, CheckpointFormat.fileName(lsn: lsn))
        self.temporaryPath = Path.join(directory, CheckpointFormat.temporaryFileName(lsn: lsn))
        self.blockSize = blockSize
        self.writesInBackground = writesInBackground
        self.createdAtNanoseconds = createdAtNanoseconds
        self.codec = codec
        self.checksum = checksum
        self.fileSystem = fileSystem
        self.logger = logger
        block.reserveCapacity(blockSize)
        try failing { try start() }
    }

    deinit {
        switch state {
        case .writing, .failed: abandon()
        case .finished, .abandoned: break
        }
    }

    /// Creates the directory (fsyncing its parent if it was missing) and the temporary file,
    /// and writes the header.
    private func start() throws {
        if !fileSystem.isDirectory(directory) {
            try fileSystem.createDirectory(directory)
            try fileSystem.syncDirectory(Path.directory(of: directory))
        }
        try fileSystem.removeIfExists(temporaryPath)
        let file = try fileSystem.openFile(temporaryPath, options: .createNew)
        self.file = file
        sink = CheckpointBlockSink(file: file, checksum: checksum, background: writesInBackground)
        let header = CheckpointHeader(
            lsn: lsn, nextTransactionID: nextTransactionID, createdAtNanoseconds: createdAtNanoseconds,
            codecIdentifier: codec.identifier, checksumIdentifier: checksum.identifier, blockSize: blockSize)
        try write(header.encoded())
    }

    /// Throws unless the writer can still take entries.
    @inline(__always)
    func requireWriting(_ operation: String) throws {
        if isWriting { return }
        switch state {
        case .writing: return
        case .failed(let error): throw error
        case .finished:
            throw MantisError(.closed, "the checkpoint is already finished", context: ErrorContext(operation: operation, file: path))
        case .abandoned:
            throw MantisError(.closed, "the checkpoint was abandoned", context: ErrorContext(operation: operation, file: temporaryPath))
        }
    }

    /// Runs `body`; any error it throws makes the writer failed.
    func failing<Result>(_ body: () throws -> Result) throws -> Result {
        do {
            return try body()
        } catch {
            let failure = MantisError.wrap(error)
            state = .failed(failure)
            throw failure
        }
    }

    /// Writes `bytes` at the end of the file and extends the whole-file checksum over them, on
    /// this thread: only before the first block is submitted or after the sink is drained.
    func write(_ bytes: [UInt8]) throws {
        guard file != nil, let sink else {
            throw MantisError(.closed, "the checkpoint file is closed", context: ErrorContext(operation: "write checkpoint", file: temporaryPath))
        }
        try sink.write(bytes)
    }
}

@available(*, unavailable, message: "a CheckpointWriter is used by one task at a time")
extension CheckpointWriter: Sendable {}
