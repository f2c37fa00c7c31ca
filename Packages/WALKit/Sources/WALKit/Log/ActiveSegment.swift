import MantisCore

/// The segment being appended to. Touched only by the current group-commit leader (the
/// `ioActive` flag of the append state hands it from one leader to the next), hence unchecked.
final class ActiveSegment: @unchecked Sendable {
    var file: any StorageFile
    var info: SegmentInfo
    /// Where the next record goes.
    var writeOffset: Int64
    var openedAt: ContinuousClock.Instant
    /// Set after every sync: the next write starts at the next multiple of `alignment`.
    var alignNext = true
    /// The sync alignment recorded in this segment's header.
    var alignment: Int
    /// The file's size: preallocated, or grown by writes past that.
    var fileSize: Int64
    /// The leader's second buffer, swapped with the pending one each round.
    var spare: [UInt8] = []
    /// Set while this segment's records are being synced: a failure then is a failed sync.
    var syncing = false

    init(file: any StorageFile, info: SegmentInfo, writeOffset: Int64, alignment: Int) {
        self.file = file
        self.fileSize = max(info.size, writeOffset)
        self.alignment = alignment
        self.info = info
        self.writeOffset = writeOffset
        self.openedAt = .now
    }

    var hasRecords: Bool { writeOffset > Int64(WALFormat.segmentHeaderSize) }
}
