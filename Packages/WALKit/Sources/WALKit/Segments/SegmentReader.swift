import MantisCore

/// Reads one segment's records in order, verifying each: plausible header, length within the
/// file, checksum, and the expected LSN. Reading stops at the end of the file, at an all-zero
/// header (zero-filled space) or at the first damaged record; `stop` says which and where.
final class SegmentReader {
    enum Stop: Equatable {
        case endOfFile(offset: Int64)
        case zeroHeader(offset: Int64)
        case damaged(offset: Int64, reason: String)
        /// Damage inside an alignment gap, before an intact record: always corruption.
        case damagedGap(offset: Int64, reason: String)

        var offset: Int64 {
            switch self {
            case .endOfFile(let offset), .zeroHeader(let offset), .damaged(let offset, _), .damagedGap(let offset, _): offset
            }
        }
    }

    let path: String
    let checksum: any ChecksumAlgorithm
    let maximumPayload: Int
    let alignment: Int
    private let window: FileWindow
    private(set) var offset: Int64
    /// Just past the last valid record (the header's end if there is none): where a writer
    /// continues. `offset` may be further on, past an alignment gap.
    private(set) var recordsEnd: Int64
    private(set) var expectedLSN: LSN
    private(set) var stop: Stop?
    private var payloadView = UnsafeRawBufferPointer(start: nil, count: 0)

    var fileSize: Int64 { window.fileSize }
    var bytesRead: Int64 { window.bytesRead }

    init(file: any StorageFile, fileSize: Int64, firstLSN: LSN, checksum: any ChecksumAlgorithm, maximumPayload: Int, alignment: Int) {
        self.path = file.path
        self.alignment = alignment
        self.window = FileWindow(file: file, fileSize: fileSize)
        self.checksum = checksum
        self.maximumPayload = maximumPayload
        self.offset = Int64(WALFormat.segmentHeaderSize)
        self.recordsEnd = Int64(WALFormat.segmentHeaderSize)
        self.expectedLSN = firstLSN
    }

    /// The payload of the record last returned by `next()`, valid until the next call.
    var payload: UnsafeRawBufferPointer { payloadView }

    /// The next verified record, or nil when reading stopped (see `stop`).
    func next() throws -> RecordHeader? {
        guard stop == nil else { return nil }
        let remaining = window.fileSize - offset
        if remaining <= 0 {
            stop = .endOfFile(offset: offset)
            return nil
        }
        if remaining < Int64(WALFormat.recordHeaderSize) {
            let rest = try window.view(at: offset, count: Int(remaining))
            stop = rest.allSatisfy({ $0 == 0 })
                ? .zeroHeader(offset: offset)
                : .damaged(offset: offset, reason: "truncated record header: \(remaining) bytes before end of file")
            return nil
        }
        let raw = try window.view(at: offset, count: WALFormat.recordHeaderSize)
        if RecordHeader.isZero(raw, at: 0) {
            if try skipAlignmentGap() { return try next() }
            if let intact = try intactRecordAfterGap() {
                stop = .damagedGap(offset: offset, reason: "non-zero bytes in the zero gap after a synced batch (before the intact record LSN \(expectedLSN) at offset \(intact)): a synced sector is damaged")
                return nil
            }
            stop = .zeroHeader(offset: offset)
            return nil
        }
        switch try verifiedRecord(at: offset) {
        case .failure(let damage):
            if let intact = try intactRecordAfterGap() {
                // Sync alignment means nothing is ever written into the gap after a synced batch:
                // non-zero bytes there are damage to a synced sector, never a torn write.
                stop = .damagedGap(offset: offset, reason: "non-zero bytes in the zero gap after a synced batch (before the intact record LSN \(expectedLSN) at offset \(intact)): a synced sector is damaged")
            } else {
                stop = .damaged(offset: offset, reason: damage.reason)
            }
            return nil
        case .success(let (header, record)):
            payloadView = UnsafeRawBufferPointer(rebasing: record[WALFormat.recordHeaderSize..<(WALFormat.recordHeaderSize + header.payloadLength)])
            offset += Int64(header.recordSize)
            recordsEnd = offset
            expectedLSN = expectedLSN.next
            return header
        }
    }

    struct Damage: Error { let reason: String }

    /// The record at `position` if it is whole, checksum-valid and has the expected LSN.
    private func verifiedRecord(at position: Int64) throws -> Result<(RecordHeader, UnsafeRawBufferPointer), Damage> {
        let remaining = window.fileSize - position
        let header = RecordHeader.load(from: try window.view(at: position, count: WALFormat.recordHeaderSize), at: 0)
        guard header.hasPlausibleFields else {
            return .failure(Damage(reason: "implausible record header (kind \(header.kind.rawValue), flags \(header.flags), lsn \(header.lsn))"))
        }
        guard header.payloadLength <= maximumPayload else {
            return .failure(Damage(reason: "payload length \(header.payloadLength) exceeds the maximum \(maximumPayload)"))
        }
        guard Int64(header.recordSize) <= remaining else {
            return .failure(Damage(reason: "record of \(header.recordSize) bytes runs past the end of the file (\(remaining) bytes remain)"))
        }
        let raw = try window.view(at: position, count: header.recordSize)
        let actual = checksum.checksum(UnsafeRawBufferPointer(rebasing: raw[4...]))
        guard actual == header.checksum else {
            return .failure(Damage(reason: "checksum mismatch for LSN \(header.lsn): stored 0x\(String(header.checksum, radix: 16)), computed 0x\(String(actual, radix: 16))"))
        }
        guard header.lsn == expectedLSN else {
            return .failure(Damage(reason: "LSN \(header.lsn) where \(expectedLSN) was expected"))
        }
        return .success((header, raw))
    }

    /// At an unaligned offset whose bytes are not a valid record: the offset where the expected
    /// record starts intact after the alignment gap, if it does.
    private func intactRecordAfterGap() throws -> Int64? {
        guard offset % Int64(alignment) != 0 else { return nil }
        let next = WALFormat.positionAfterSync(offset, alignment: alignment)
        guard next + Int64(WALFormat.recordHeaderSize) <= window.fileSize else { return nil }
        if case .success = try verifiedRecord(at: next) { return next }
        return nil
    }

    /// After a sync the writer continues at the next multiple of the alignment, leaving zeroes.
    /// At an unaligned zero header whose gap is all zero, reading moves to the aligned offset:
    /// the next record, the end of the log or the damage is there.
    private func skipAlignmentGap() throws -> Bool {
        guard offset % Int64(alignment) != 0 else { return false }
        let next = WALFormat.positionAfterSync(offset, alignment: alignment)
        guard next < window.fileSize else { return false }
        let gap = try window.view(at: offset, count: Int(next - offset))
        guard gap.allSatisfy({ $0 == 0 }) else { return false }
        offset = next
        return true
    }
}
