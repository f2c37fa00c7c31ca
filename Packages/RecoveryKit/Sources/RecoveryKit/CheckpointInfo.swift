import MantisCore

/// What a checkpoint file holds, as its header and footer record it.
///
/// From `CheckpointWriter.finish()` and `CheckpointReader.verify()` every field is confirmed by
/// a full write or read; from `CheckpointReader.info` right after `open` the counts are the
/// footer's (its own CRC verified) but the blocks are not yet read.
public struct CheckpointInfo: Sendable, Hashable, CustomStringConvertible {
    public var path: String
    /// The snapshot is the store exactly as of this LSN: recovery replays the WAL after it.
    public var lsn: LSN
    /// The transaction id the store had handed out next when the snapshot was taken.
    public var nextTransactionID: TransactionID
    public var codecName: String
    public var codecIdentifier: UInt8
    public var checksumName: String
    public var checksumIdentifier: UInt8
    /// The writer's target uncompressed block size.
    public var blockSize: Int
    public var entryCount: UInt64
    public var blockCount: UInt64
    /// The total of the blocks' uncompressed lengths (entries with their 8 length bytes each).
    public var uncompressedBytes: UInt64
    /// The size of the file.
    public var fileBytes: Int64
    public var createdAtNanoseconds: UInt64

    public init(path: String, lsn: LSN, nextTransactionID: TransactionID, codecName: String, codecIdentifier: UInt8,
                checksumName: String, checksumIdentifier: UInt8, blockSize: Int, entryCount: UInt64, blockCount: UInt64,
                uncompressedBytes: UInt64, fileBytes: Int64, createdAtNanoseconds: UInt64) {
        self.path = path
        self.lsn = lsn
        self.nextTransactionID = nextTransactionID
        self.codecName = codecName
        self.codecIdentifier = codecIdentifier
        self.checksumName = checksumName
        self.checksumIdentifier = checksumIdentifier
        self.blockSize = blockSize
        self.entryCount = entryCount
        self.blockCount = blockCount
        self.uncompressedBytes = uncompressedBytes
        self.fileBytes = fileBytes
        self.createdAtNanoseconds = createdAtNanoseconds
    }

    /// The creation time as ISO-8601 UTC with milliseconds.
    public var createdAt: String { WallClock.iso8601(nanosecondsSinceEpoch: createdAtNanoseconds) }

    public var description: String {
        "checkpoint \(path): LSN \(lsn), next transaction \(nextTransactionID), \(entryCount) entries in \(blockCount) block(s), "
            + "\(uncompressedBytes) bytes uncompressed, \(fileBytes) on disk (\(codecName), \(checksumName)), created \(createdAt)"
    }
}
