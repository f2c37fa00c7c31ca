import MantisCore
import MantisCoreTesting
import Testing
@testable import WALKit

@Suite("Segments: rotation, cleanup, archive") struct SegmentLifecycleTests {
    @Test("rotation by size seals segments at their last record and chains them")
    func rotationBySize() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let wal = try SegmentedWAL.open(directory: dir.path, fileSystem: PosixFileSystem(), checksum: crc32, options: options(segmentSize: 8192))
        for index in 0..<200 { try await wal.append([WALRecord(kind: .put, payload: [UInt8](repeating: UInt8(index % 250 + 1), count: 100))]) }
        let paths = wal.segmentPaths
        #expect(paths.count >= 3)
        for path in paths.dropLast() {
            let size = try PosixFileSystem().fileSize(path)
            #expect(size <= 8192)
            let starts = try recordStarts(path)
            #expect(Int64(starts.last! + WALFormat.recordSize(payloadLength: 100)) == size, "sealed exactly at the end of its last record")
        }
        try await wal.close()
        let report = try WALVerifier.verify(directory: dir.path, fileSystem: PosixFileSystem(), checksums: [crc32])
        #expect(report.exitCode == 0)
        #expect(report.recordCount == 200)
        #expect(report.segments.count == paths.count)
    }

    @Test("the active segment's durable prefix, copied while appends go on, opens as a log of exactly the records synced before it was read; sealed segments have none")
    func durablePrefixOfActiveSegment() async throws {
        let dir = TemporaryDirectory(), copy = TemporaryDirectory()
        defer { dir.cleanup(); copy.cleanup() }
        let fs = PosixFileSystem()
        let wal = try SegmentedWAL.open(directory: dir.path, fileSystem: fs, checksum: crc32, options: options(segmentSize: 16384))
        for index in 0..<300 { try await wal.append([WALRecord(kind: .put, payload: payload("record \(index)"))]) }
        let paths = wal.segmentPaths
        #expect(paths.count >= 2)
        for sealed in paths.dropLast() { #expect(wal.durablePrefixLength(ofSegment: sealed) == nil) }
        let active = try #require(paths.last)
        let length = try #require(wal.durablePrefixLength(ofSegment: active))
        #expect(length < 16384 && length > Int64(WALFormat.segmentHeaderSize))
        let synced = try readAll(wal).count
        // Appended (written and synced, same segment) after the length was read: not in the copy.
        for index in 300..<310 { try await wal.append([WALRecord(kind: .put, payload: payload("later \(index)"))]) }
        #expect(wal.segmentPaths.last == active)
        for path in paths {
            let bytes = try fs.readFile(path)
            let kept = path == active ? Array(bytes.prefix(Int(length))) : bytes
            try fs.writeFileAtomically(copy.path + "/" + Path.lastComponent(of: path), contents: kept)
        }
        try await wal.close()
        let reopened = try SegmentedWAL.open(directory: copy.path, fileSystem: fs, checksum: crc32, options: options(segmentSize: 16384))
        #expect(reopened.openReport.repairs.isEmpty, "the prefix should end at a record boundary: \(reopened.openReport.repairs)")
        let entries = try readAll(reopened)
        #expect(entries.count == synced && entries.last?.payload == payload("record 299"))
        try await reopened.append([WALRecord(kind: .put, payload: payload("after the copy"))])
        #expect(try readAll(reopened).last?.payload == payload("after the copy"))
        try await reopened.close()
    }

    @Test("rotation by age")
    func rotationByAge() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        var opts = options(segmentSize: 1 << 20)
        opts.segmentMaxAge = .milliseconds(30)
        let wal = try SegmentedWAL.open(directory: dir.path, fileSystem: PosixFileSystem(), checksum: crc32, options: opts)
        try await wal.append([WALRecord(kind: .put, payload: payload("first"))])
        try await Task.sleep(for: .milliseconds(60))
        try await wal.append([WALRecord(kind: .put, payload: payload("second"))])
        #expect(wal.segmentPaths.count == 2)
        #expect(try readAll(wal).map(\.payload) == [payload("first"), payload("second")])
        try await wal.close()
    }

    @Test("cleanup removes only segments wholly below the LSN, never the active one; LSNs survive reopen")
    func cleanup() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let wal = try SegmentedWAL.open(directory: dir.path, fileSystem: PosixFileSystem(), checksum: crc32, options: options(segmentSize: 8192))
        for index in 0..<300 { try await wal.append([WALRecord(kind: .put, payload: payload("record \(index) " + String(repeating: "c", count: 90)))]) }
        let before = wal.segmentPaths
        let firsts = before.map { WALFormat.firstLSN(ofSegmentNamed: Path.lastComponent(of: $0))! }
        let cut = firsts[2].next  // inside the third segment
        let removed = try wal.removeSegments(below: cut)
        #expect(removed == 2)
        #expect(wal.segmentPaths == Array(before.dropFirst(2)))
        #expect(try readAll(wal, from: firsts[2]).first?.lsn == firsts[2])
        #expect(throws: MantisError.self) { _ = try readAll(wal, from: LSN(1)) }
        #expect(try wal.removeSegments(below: LSN(1_000_000)) == before.count - 3, "everything but the active segment")
        #expect(wal.segmentPaths == [before.last!])
        try await wal.close()
        let reopened = try SegmentedWAL.open(directory: dir.path, fileSystem: PosixFileSystem(), checksum: crc32, options: options(segmentSize: 8192))
        #expect(reopened.status.lastLSN == LSN(300))
        #expect(try await reopened.append([WALRecord(kind: .put, payload: payload("next"))]) == LSN(301))
        try await reopened.close()
    }

    @Test("archive copies removed segments (verified intact) before removing them")
    func archive() async throws {
        let dir = TemporaryDirectory()
        let archive = TemporaryDirectory("archive")
        defer { dir.cleanup(); archive.cleanup() }
        let wal = try SegmentedWAL.open(directory: dir.path, fileSystem: PosixFileSystem(), checksum: crc32, options: options(segmentSize: 8192, archive: archive.path))
        for index in 0..<150 { try await wal.append([WALRecord(kind: .put, payload: payload("a\(index) " + String(repeating: "q", count: 90)))]) }
        let before = wal.segmentPaths
        let originals = try before.dropLast().map { try PosixFileSystem().readFile($0) }
        try wal.removeSegments(below: wal.status.lastLSN)
        let archived = try files(in: archive.path, suffix: ".log")
        #expect(archived == before.dropLast().map { Path.lastComponent(of: $0) })
        for (name, bytes) in zip(archived, originals) {
            #expect(try PosixFileSystem().readFile(archive.path + "/" + name) == bytes)
        }
        try await wal.close()
    }

    @Test("a failing archive keeps the segment")
    func archiveFailureKeepsSegment() async throws {
        let fs = FaultInjectingFileSystem(seed: 1)
        var opts = options(segmentSize: 8192, archive: "/archive")
        opts.prepareSegmentsAhead = false
        let wal = try SegmentedWAL.open(directory: "/db/wal", fileSystem: fs, checksum: crc32, options: opts)
        for index in 0..<150 { try await wal.append([WALRecord(kind: .put, payload: payload("a\(index) " + String(repeating: "q", count: 90)))]) }
        let before = wal.segmentPaths
        fs.inject(FaultRule([.write], .enospc, trigger: .fromNth(1), pathContains: "/archive"))
        #expect(throws: MantisError.self) { try wal.removeSegments(below: wal.status.lastLSN) }
        #expect(wal.segmentPaths == before)
        for path in before { #expect(fs.fileExists(path)) }
        fs.removeAllFaults()
        #expect(try readAll(wal).count == 150)
        try await wal.close()
    }

    @Test("the in-memory WAL keeps the same contract")
    func memoryWAL() async throws {
        let wal = InMemoryWAL()
        #expect(try await wal.append([WALRecord(kind: .put, payload: payload("a")), WALRecord(kind: .commit)]) == LSN(2))
        #expect(try readAll(wal).map(\.lsn) == [LSN(1), LSN(2)])
        #expect(try wal.removeSegments(below: LSN(2)) == 1)
        #expect(throws: MantisError.self) { _ = try wal.entries(from: LSN(1)) }
        try await wal.close()
        await #expect(throws: MantisError.self) { try await wal.append([WALRecord(kind: .put)]) }
    }
}

@Suite("Sealing and read-only reads") struct SealingTests {
    @Test("sealActiveSegment seals the active segment at its last record and continues in a new one")
    func seal() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let wal = try SegmentedWAL.open(directory: dir.path, fileSystem: PosixFileSystem(), checksum: crc32, options: options(segmentSize: 1 << 20))
        for index in 0..<10 { try await wal.append([WALRecord(kind: .put, payload: payload("r\(index)"))]) }
        let before = wal.segmentPaths
        try await wal.sealActiveSegment()
        #expect(wal.segmentPaths.count == before.count + 1)
        let sealed = try PosixFileSystem().fileSize(before.last!)
        #expect(Int64(try recordStarts(before.last!).last! + WALFormat.recordSize(payloadLength: 2)) == sealed)
        #expect(wal.status.durableLSN == LSN(10))
        try await wal.append([WALRecord(kind: .put, payload: payload("after"))])
        #expect(try readAll(wal).count == 11)
        #expect(try wal.removeSegments(below: LSN(11)) == before.count)
        try await wal.close()
    }

    @Test("reading to the end without a limit reports a damaged tail instead of stopping silently")
    func readOnlyTail() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        var opts = options(segmentSize: 64 << 10)
        opts.prepareSegmentsAhead = false
        let wal = try SegmentedWAL.open(directory: dir.path, fileSystem: PosixFileSystem(), checksum: crc32, options: opts)
        for index in 0..<6 { try await wal.append([WALRecord(kind: .put, payload: payload("record \(index)"))]) }
        let segment = wal.segmentPaths[0]
        try await wal.close()
        let starts = try recordStarts(segment)
        // Garbage in the zero gap after record 2 (where the reader skips to the next sector).
        var bytes = try PosixFileSystem().readFile(segment)
        bytes[starts[2] + 48 + 8] = 0x77
        try PosixFileSystem().writeFileAtomically(segment, contents: bytes)
        let cursor = try SegmentedWAL.readOnlyEntries(directory: dir.path, fileSystem: PosixFileSystem(), checksums: [crc32])
        var read = 0
        #expect(throws: MantisError.self) {
            while try cursor.next() != nil { read += 1 }
        }
        #expect(read == 3)
    }
}
