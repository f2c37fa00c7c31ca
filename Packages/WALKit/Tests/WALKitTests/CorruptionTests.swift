import MantisCore
import Testing
@testable import WALKit

@Suite("Corruption") struct CorruptionTests {
    static let recordSize = WALFormat.recordSize(payloadLength: 64)

    func openOptions(segmentSize: Int64 = 64 << 10) -> SegmentedWALOptions {
        var opts = options(segmentSize: segmentSize)
        opts.prepareSegmentsAhead = false
        return opts
    }

    func write(_ dir: String, count: Int, segmentSize: Int64 = 64 << 10) async throws -> [String] {
        let wal = try SegmentedWAL.open(directory: dir, fileSystem: PosixFileSystem(), checksum: crc32, options: openOptions(segmentSize: segmentSize))
        for index in 0..<count {
            try await wal.append([WALRecord(kind: .put, transactionID: TransactionID(UInt64(index)), payload: [UInt8](repeating: UInt8(index % 200 + 1), count: 64))])
        }
        let paths = wal.segmentPaths
        try await wal.close()
        return paths
    }

    func flip(_ path: String, at offset: Int, mask: UInt8 = 0x01) throws {
        var bytes = try PosixFileSystem().readFile(path)
        bytes[offset] ^= mask
        try PosixFileSystem().writeFileAtomically(path, contents: bytes)
    }

    @Test("every single-bit flip in a record is detected")
    func everyBitFlip() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let path = try await write(dir.path, count: 2)[0]
        let original = try PosixFileSystem().readFile(path)
        let start = try recordStarts(path)[0]
        for byte in start..<(start + Self.recordSize) {
            for bit in 0..<8 {
                var bytes = original
                bytes[byte] ^= UInt8(1 << bit)
                let file = try InMemoryFile(path: path, bytes: bytes)
                let reader = SegmentReader(file: file, fileSize: Int64(bytes.count), firstLSN: LSN(1), checksum: crc32, maximumPayload: WALFormat.maximumPayloadSize, alignment: 512)
                let first = try reader.next()
                #expect(first == nil, "flip of bit \(bit) at byte \(byte) not detected")
                guard case .damaged(let offset, _)? = reader.stop else {
                    Issue.record("flip of bit \(bit) at byte \(byte): stop \(String(describing: reader.stop))")
                    continue
                }
                #expect(offset == Int64(start))
            }
        }
    }

    @Test("a bad record followed by synced valid ones is corruption naming file and offset, and nothing is cut")
    func corruptionInLastSegment() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let path = try await write(dir.path, count: 10)[0]
        let third = try recordStarts(path)[2]
        try flip(path, at: third + 40)
        let before = try PosixFileSystem().readFile(path)
        #expect {
            _ = try SegmentedWAL.open(directory: dir.path, fileSystem: PosixFileSystem(), checksum: crc32, options: openOptions())
        } throws: { error in
            let error = error as? MantisError
            return error?.code == .corruption && error?.context.file == path && error?.context.offset == Int64(third)
        }
        #expect(try PosixFileSystem().readFile(path) == before)
        let report = try WALVerifier.verify(directory: dir.path, fileSystem: PosixFileSystem(), checksums: [crc32])
        #expect(report.exitCode == 2)
        #expect(report.findings == [report.findings[0]])
        if case .corruption(let file, let offset, _) = report.findings.first {
            #expect(file == path && offset == Int64(third))
        } else {
            Issue.record("expected corruption, got \(report.findings)")
        }
    }

    @Test("corruption in a sealed segment: the reader throws with the offset, verify exits 2")
    func corruptionInSealedSegment() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let paths = try await write(dir.path, count: 300, segmentSize: 8192)
        #expect(paths.count > 3)
        let target = paths[1]
        let offset = try recordStarts(target)[5] + 10
        try flip(target, at: offset)
        let wal = try SegmentedWAL.open(directory: dir.path, fileSystem: PosixFileSystem(), checksum: crc32, options: openOptions(segmentSize: 8192))
        #expect {
            _ = try readAll(wal)
        } throws: { error in
            let error = error as? MantisError
            return error?.code == .corruption && error?.context.file == target && error?.context.offset == Int64(offset - 10)
        }
        try await wal.close()
        let report = try WALVerifier.verify(directory: dir.path, fileSystem: PosixFileSystem(), checksums: [crc32])
        #expect(report.exitCode == 2)
        #expect(report.findings.count == 1)
    }

    @Test("a missing middle segment is corruption naming the segment after the gap")
    func missingSegment() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let paths = try await write(dir.path, count: 300, segmentSize: 8192)
        try PosixFileSystem().removeItem(paths[2])
        #expect {
            _ = try SegmentedWAL.open(directory: dir.path, fileSystem: PosixFileSystem(), checksum: crc32, options: openOptions(segmentSize: 8192))
        } throws: { error in
            let error = error as? MantisError
            return error?.code == .corruption && error?.context.file == paths[3] && error!.message.contains("missing")
        }
        let report = try WALVerifier.verify(directory: dir.path, fileSystem: PosixFileSystem(), checksums: [crc32])
        #expect(report.exitCode == 2)
    }

    @Test("a damaged segment header is corruption at offset 0")
    func badHeader() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let paths = try await write(dir.path, count: 3)
        try flip(paths[0], at: 2)
        #expect {
            _ = try SegmentedWAL.open(directory: dir.path, fileSystem: PosixFileSystem(), checksum: crc32, options: openOptions())
        } throws: { error in
            let error = error as? MantisError
            return error?.code == .corruption && error?.context.file == paths[0] && error?.context.offset == 0
        }
    }

    @Test("zeroed bytes in the middle of synced records are corruption, not end of log")
    func zeroedSectorBeforeValidRecords() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let path = try await write(dir.path, count: 20)[0]
        let fourth = try recordStarts(path)[3]
        var bytes = try PosixFileSystem().readFile(path)
        for index in fourth..<(fourth + Self.recordSize) { bytes[index] = 0 }
        try PosixFileSystem().writeFileAtomically(path, contents: bytes)
        #expect {
            _ = try SegmentedWAL.open(directory: dir.path, fileSystem: PosixFileSystem(), checksum: crc32, options: openOptions())
        } throws: { error in
            (error as? MantisError)?.code == .corruption && (error as? MantisError)?.context.offset == Int64(fourth)
        }
    }
}

/// A read-only in-memory file for feeding bytes straight to a `SegmentReader`.
final class InMemoryFile: StorageFile, @unchecked Sendable {
    let path: String
    let bytes: [UInt8]
    init(path: String, bytes: [UInt8]) throws {
        self.path = path
        self.bytes = bytes
    }
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws -> Int {
        let start = Int(offset)
        guard start < bytes.count else { return 0 }
        let count = min(buffer.count, bytes.count - start)
        bytes.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[start..<(start + count)])) }
        return count
    }
    func write(_ bytes: UnsafeRawBufferPointer, at offset: Int64) throws { throw MantisError(.permissionDenied, "read-only") }
    func size() throws -> Int64 { Int64(bytes.count) }
    func truncate(to size: Int64) throws { throw MantisError(.permissionDenied, "read-only") }
    func preallocate(_ length: Int64) throws { throw MantisError(.permissionDenied, "read-only") }
    func sync() throws {}
    func syncData() throws {}
    func close() throws {}
}
