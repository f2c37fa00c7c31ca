import Logging
import MantisCore

/// How a `SegmentedWAL` behaves. The defaults suit a production log.
public struct SegmentedWALOptions: Sendable {
    /// When `append` returns (see `Durability`).
    public var durability: Durability = .sync
    /// A segment is sealed and a new one started when the next batch would not fit.
    public var segmentSize: Int64 = 64 << 20
    /// A segment older than this is rotated at the next write even if not full.
    public var segmentMaxAge: Duration?
    /// Encoded records waiting in memory; an appender past this waits for the write.
    public var maxPendingBytes: Int = 32 << 20
    /// The largest record payload accepted (`recordTooLarge` past it); never more than
    /// `WALFormat.maximumPayloadSize` nor what fits in one segment.
    public var maxRecordSize: Int = 16 << 20
    /// Write zeroes over new segments before use, so appends overwrite allocated blocks and
    /// `fdatasync` has no metadata to flush (measured: about 2× the syncs per second on ext4).
    public var zeroFillSegments = true
    /// After each sync the next write starts at a multiple of this many bytes, so a write never
    /// rewrites a disk sector holding synced records (a torn rewrite of that sector would destroy
    /// them). Set it to the device's physical sector size or more; a power of two, 8 disables.
    public var syncAlignment = 4096
    /// A group-commit round whose I/O (write, sync, any rotation) takes less than this is short.
    /// A waiter whose `BlockingIO.policy` is `.whileFast` (a server's event loop) leads a round
    /// itself only after 16 short rounds in a row; after a longer one, the log's thread leads
    /// for it until the device is fast again. `.zero`: no round is short, such waiters never lead.
    public var shortRoundBound: Duration = .milliseconds(1)
    /// Prepare the next segment in the background while the current one fills.
    public var prepareSegmentsAhead = true
    /// Removed segments are copied here (and fsynced) first, if set.
    public var archiveDirectory: String?
    /// How trimmed segments are deleted (`FileSystem.removeGradually`); nil: unlinked at once.
    public var removalPacing: RemovalPacing? = .standard
    /// Cut a torn tail on open (keeping the bytes in `<segment>.broken`); if false, throw `tornWrite`.
    public var repairTornTail = true
    /// The LSN of the first record of a brand-new log.
    public var firstLSN: LSN = LSN(1)
    /// Checksum algorithms able to read segments written by other configurations, besides the
    /// one new records use.
    public var additionalChecksums: [any ChecksumAlgorithm] = []
    /// Receives repairs, rotations and failures.
    public var logger = Logger(label: "mantisdb.wal", factory: { _ in SwiftLogNoOpLogHandler() })
    /// Called after each group-commit fdatasync with its latency and the records it made durable
    /// (for a latency histogram). Runs on the leader's thread, outside the log's locks, before the
    /// waiters are told: keep it cheap.
    public var onSync: (@Sendable (_ latency: Duration, _ records: UInt64) -> Void)?

    public init() {}

    /// The effective payload ceiling given the segment size.
    var effectiveMaxPayload: Int {
        let fitsInSegment = Int(segmentSize) - max(WALFormat.segmentHeaderSize, syncAlignment) - WALFormat.recordHeaderSize - WALFormat.recordAlignment
        return max(0, min(maxRecordSize, WALFormat.maximumPayloadSize, fitsInSegment))
    }
}
