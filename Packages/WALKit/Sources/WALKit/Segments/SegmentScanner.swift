import MantisCore

/// What reading one whole segment found.
public struct SegmentScan: Sendable, Hashable {
    public var path: String
    public var header: SegmentHeader
    public var recordCount: Int
    /// The last valid record's LSN (`firstLSN - 1` if the segment holds none).
    public var lastLSN: LSN
    /// The offset just past the last valid record.
    public var endOffset: Int64
    public var fileSize: Int64
    public var bytesRead: Int64
    public var finding: WALFinding?
}

/// Reads a segment end to end and classifies how it ends. A sealed segment must end exactly at
/// its last record; only the last segment may have a torn tail.
enum SegmentScanner {
    static func readHeader(_ path: String, fileSystem: any FileSystem) throws -> SegmentHeader {
        let file = try fileSystem.openFile(path, options: .readOnly)
        defer { try? file.close() }
        return try SegmentHeader.decode(try file.read(count: WALFormat.segmentHeaderSize, at: 0), file: path)
    }

    static func scan(
        _ path: String,
        isLast: Bool,
        fileSystem: any FileSystem,
        checksums: ChecksumSet,
        visit: ((RecordHeader, UnsafeRawBufferPointer) throws -> Void)? = nil
    ) throws -> SegmentScan {
        let file = try fileSystem.openFile(path, options: .readOnly)
        defer { try? file.close() }
        let fileSize = try file.size()
        let header = try SegmentHeader.decode(try file.read(count: WALFormat.segmentHeaderSize, at: 0), file: path)
        let checksum = try checksums.algorithm(identifier: header.checksumIdentifier, file: path)
        let reader = SegmentReader(
            file: file, fileSize: fileSize, firstLSN: header.firstLSN,
            checksum: checksum, maximumPayload: WALFormat.maximumPayloadSize, alignment: header.syncAlignment
        )
        var count = 0
        while let record = try reader.next() {
            count += 1
            try visit?(record, reader.payload)
        }
        var result = SegmentScan(
            path: path, header: header, recordCount: count, lastLSN: reader.expectedLSN.previous,
            endOffset: reader.recordsEnd, fileSize: fileSize, bytesRead: reader.bytesRead + Int64(WALFormat.segmentHeaderSize)
        )
        guard let stop = reader.stop else { return result }
        if !isLast {
            switch stop {
            case .endOfFile: break
            case .zeroHeader(let offset):
                result.finding = .corruption(file: path, offset: offset, reason: "zeroed bytes inside a sealed segment after LSN \(result.lastLSN)")
            case .damaged(let offset, let reason), .damagedGap(let offset, let reason):
                result.finding = .corruption(file: path, offset: offset, reason: reason)
            }
            return result
        }
        if case .endOfFile = stop { return result }
        let analyzer = TailAnalyzer(file: file, fileSize: fileSize, checksum: checksum, maximumPayload: WALFormat.maximumPayloadSize)
        switch try analyzer.analyze(stop: stop, expectedLSN: reader.expectedLSN) {
        case .clean:
            break
        case let .torn(offset, length, reason):
            result.finding = .tornTail(file: path, offset: offset, length: length, reason: reason)
        case let .corruption(offset, reason):
            result.finding = .corruption(file: path, offset: offset, reason: reason)
        }
        result.bytesRead += fileSize - stop.offset
        return result
    }
}
