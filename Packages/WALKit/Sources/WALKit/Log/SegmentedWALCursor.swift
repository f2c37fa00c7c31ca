import MantisCore

/// Reads entries across segments in LSN order. Checks every record's checksum and the LSN
/// continuity between segments; damage is thrown as `corruption` with file and offset.
final class SegmentedWALCursor: WALCursor {
    private let segments: [SegmentInfo]
    private let start: LSN
    /// The last LSN to return; nil reads to the end of the last segment.
    private let limit: LSN?
    private let fileSystem: any FileSystem
    private let checksums: ChecksumSet
    private var index: Int
    private var file: (any StorageFile)?
    private var reader: SegmentReader?
    private var expected: LSN?

    init(segments: [SegmentInfo], from start: LSN, through limit: LSN?, fileSystem: any FileSystem, checksums: ChecksumSet) {
        self.segments = segments
        self.start = start
        self.limit = limit
        self.fileSystem = fileSystem
        self.checksums = checksums
        self.index = max(0, (segments.lastIndex { $0.firstLSN <= start }) ?? 0)
    }

    deinit { try? file?.close() }

    func next() throws -> WALEntry? {
        var entry: WALEntry?
        _ = try nextView { view in
            entry = WALEntry(lsn: view.lsn, kind: view.kind, transactionID: view.transactionID, payload: Array(view.payload))
        }
        return entry
    }

    /// Hands the next verified record to `body` without copying its payload; false at the end.
    func nextView(_ body: (WALRecordView) throws -> Void) throws -> Bool {
        while true {
            if let expected, let limit, expected > limit { return false }
            guard let reader = try currentReader() else { return false }
            if let header = try reader.next() {
                expected = header.lsn.next
                if header.lsn < start { continue }
                try body(WALRecordView(lsn: header.lsn, kind: header.kind, transactionID: header.transactionID, payload: reader.payload))
                return true
            }
            try finishSegment(reader)
        }
    }

    private func currentReader() throws -> SegmentReader? {
        if let reader { return reader }
        guard index < segments.count else { return nil }
        let segment = segments[index]
        let file = try fileSystem.openFile(segment.path, options: .readOnly)
        self.file = file
        let header = try SegmentHeader.decode(try file.read(count: WALFormat.segmentHeaderSize, at: 0), file: segment.path)
        if let expected, header.firstLSN != expected {
            throw MantisError(.corruption, "segment starts at LSN \(header.firstLSN) but the previous one ended before LSN \(expected): LSN gap", context: ErrorContext(operation: "read wal", file: segment.path, offset: 16))
        }
        let reader = SegmentReader(
            file: file, fileSize: try file.size(), firstLSN: header.firstLSN,
            checksum: try checksums.algorithm(identifier: header.checksumIdentifier, file: segment.path),
            maximumPayload: WALFormat.maximumPayloadSize, alignment: header.syncAlignment
        )
        self.reader = reader
        expected = header.firstLSN
        return reader
    }

    /// The current segment stopped: fine at the end of a sealed segment or past the limit;
    /// anything else before the limit is damage.
    private func finishSegment(_ reader: SegmentReader) throws {
        let isLast = index == segments.count - 1
        let path = segments[index].path
        if isLast, limit == nil, let stop = reader.stop, stop != .endOfFile(offset: stop.offset) {
            // Reading to the end of a log nobody vouches for: what follows the last record must be
            // clean zeroes, else it is a torn tail or corruption — never a silent early end.
            try checkTail(reader, stop: stop, path: path)
        }
        switch reader.stop {
        case .endOfFile?, .zeroHeader?:
            if isLast, let limit, reader.expectedLSN <= limit {
                throw MantisError(.corruption, "the log ends before LSN \(reader.expectedLSN), but records up to \(limit) were written", context: ErrorContext(operation: "read wal", file: path, offset: reader.offset))
            }
            if case .zeroHeader(let offset)? = reader.stop, !isLast {
                throw MantisError(.corruption, "zeroed bytes inside a sealed segment after LSN \(reader.expectedLSN.previous)", context: ErrorContext(operation: "read wal", file: path, offset: offset))
            }
        case .damaged(let offset, let reason)?, .damagedGap(let offset, let reason)?:
            throw MantisError(.corruption, reason, context: ErrorContext(operation: "read wal", file: path, offset: offset, lsn: reader.expectedLSN.rawValue))
        case nil:
            break
        }
        try? file?.close()
        file = nil
        self.reader = nil
        index += 1
        if index >= segments.count { expected = (limit ?? reader.expectedLSN.previous).next }
    }

    private func checkTail(_ reader: SegmentReader, stop: SegmentReader.Stop, path: String) throws {
        guard let file else { return }
        let analyzer = TailAnalyzer(file: file, fileSize: reader.fileSize, checksum: reader.checksum, maximumPayload: WALFormat.maximumPayloadSize)
        switch try analyzer.analyze(stop: stop, expectedLSN: reader.expectedLSN) {
        case .clean:
            return
        case let .torn(offset, length, reason):
            throw MantisError(.tornWrite, "torn tail of \(length) bytes after LSN \(reader.expectedLSN.previous): \(reason)",
                              context: ErrorContext(operation: "read wal", file: path, offset: offset))
        case let .corruption(offset, reason):
            throw MantisError(.corruption, reason, context: ErrorContext(operation: "read wal", file: path, offset: offset))
        }
    }
}
