import Logging
import MantisCore
import WALKit

/// What the recovery engine needs: the data directory and the components to read it with.
public struct RecoveryOptions: Sendable {
    public var dataDirectory: DataDirectory
    public var fileSystem: any FileSystem
    /// The checksum new WAL records and store values use.
    public var checksum: any ChecksumAlgorithm
    /// Every checksum algorithm files may have been written with.
    public var checksums: [any ChecksumAlgorithm]
    /// `checksum` and `checksums`: what a file written by this or an earlier configuration verifies under.
    var readableChecksums: [any ChecksumAlgorithm] { [checksum] + checksums }
    /// Every checkpoint codec files may have been written with.
    public var codecs: [any CheckpointCodec]
    public var wal: SegmentedWALOptions
    public var verifyReads = true
    /// The checksum of values in the in-memory store (never on disk); nil: `checksum`.
    public var valueChecksum: (any ChecksumAlgorithm)?
    public var logger: Logger
    /// Called about every 100 ms during a replay.
    public var progress: (@Sendable (RecoveryProgress) -> Void)?

    public init(
        dataDirectory: DataDirectory,
        fileSystem: any FileSystem,
        checksum: any ChecksumAlgorithm,
        checksums: [any ChecksumAlgorithm],
        codecs: [any CheckpointCodec],
        wal: SegmentedWALOptions = SegmentedWALOptions(),
        logger: Logger = Logger(label: "mantisdb.recovery", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        self.dataDirectory = dataDirectory
        self.fileSystem = fileSystem
        self.checksum = checksum
        self.checksums = checksums
        self.codecs = codecs
        self.wal = wal
        self.logger = logger
    }
}
