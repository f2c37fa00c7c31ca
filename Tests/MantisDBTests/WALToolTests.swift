import Foundation
import IntegrityKit
import MantisCore
import MantisDB
import Testing
import WALKit

@Suite("wal inspect / verify") struct WALToolTests {
    func makeLog(records: Int, syncEach: Bool = true) async throws -> (dir: String, segment: String) {
        let dir = try makeTemporaryDirectory()
        var options = SegmentedWALOptions()
        options.segmentSize = 1 << 20
        options.prepareSegmentsAhead = false
        options.syncAlignment = 512
        let wal = try SegmentedWAL.open(directory: dir, fileSystem: PosixFileSystem(), checksum: CRC32Checksum(), options: options)
        for index in 0..<records {
            try await wal.append([WALRecord(kind: .put, transactionID: TransactionID(UInt64(index + 1)), payload: Array("value \(index)".utf8))])
        }
        let segment = wal.segmentPaths[0]
        try await wal.close()
        return (dir, segment)
    }

    @Test("a clean log verifies with exit 0 and inspect lists segments and records")
    func clean() async throws {
        let (dir, _) = try await makeLog(records: 20)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let verify = WALTool.verify(directory: dir)
        #expect(verify.exitCode == 0)
        #expect(verify.text.contains("20 records, LSN 1...20"))
        #expect(verify.text.contains("result: clean"))
        let inspect = WALTool.inspect(directory: dir, records: true)
        #expect(inspect.exitCode == 0)
        #expect(inspect.text.contains("segment wal-0000000000000001.log: LSN 1...20, 20 records"))
        #expect(inspect.text.contains("lsn 7  put  txn 7"))
        #expect(inspect.text.contains("record kinds: put 20"))
    }

    @Test("a torn tail exits 1 and changes nothing")
    func tornTail() async throws {
        let (dir, segment) = try await makeLog(records: 5)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var bytes = try PosixFileSystem().readFile(segment)
        let lastEnd = bytes.lastIndex { $0 != 0 }!
        bytes[lastEnd - 3] ^= 0xFF
        try PosixFileSystem().writeFileAtomically(segment, contents: bytes)
        let output = WALTool.verify(directory: dir)
        #expect(output.exitCode == 1)
        #expect(output.text.contains("torn tail in \(segment) at offset"))
        #expect(try PosixFileSystem().readFile(segment) == bytes)
    }

    @Test("a sync-failure marker: verify says what the next open cuts (exit 1); a damaged marker is corruption (exit 2)")
    func syncFailureMarker() async throws {
        let (dir, segment) = try await makeLog(records: 5)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let name = (segment as NSString).lastPathComponent
        let body = "mantisdb wal sync failure\nsegment \(name)\nlength 1234\nlsn 3\n"
        let crc = Array(body.utf8).withUnsafeBytes { CRC32Checksum().checksum($0) }
        try PosixFileSystem().writeFileAtomically(dir + "/sync-failed", contents: Array((body + "crc32 \(crc)\n").utf8))
        var output = WALTool.verify(directory: dir)
        #expect(output.exitCode == 1)
        #expect(output.text.contains("sync failure: a sync of the log failed; its last durable record is LSN 3 (1234 bytes of \(name)): the next open cuts the 2 record(s) after it"), "\(output.text)")
        #expect(output.text.contains("result: a failed sync left a marker; opening the database applies it"))

        try PosixFileSystem().writeFileAtomically(dir + "/sync-failed", contents: Array((body + "crc32 1\n").utf8))
        output = WALTool.verify(directory: dir)
        #expect(output.exitCode == 2)
        #expect(output.text.contains("damaged marker: \(dir)/sync-failed: the log's sync-failure marker is damaged (checksum mismatch)"), "\(output.text)")
        #expect(output.text.contains("CORRUPTION"))
    }

    @Test("an unsynced-tail marker: verify says the next open rewrites the tail (exit 1); a damaged one exits 2")
    func unsyncedTailMarker() async throws {
        let (dir, segment) = try await makeLog(records: 5)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let name = (segment as NSString).lastPathComponent
        let body = "mantisdb wal unsynced tail\nsegment \(name)\n"
        let crc = Array(body.utf8).withUnsafeBytes { CRC32Checksum().checksum($0) }
        try PosixFileSystem().writeFileAtomically(dir + "/tail-unsynced", contents: Array((body + "crc32 \(crc)\n").utf8))
        var output = WALTool.verify(directory: dir)
        #expect(output.exitCode == 1)
        #expect(output.text.contains("unsynced tail: the last open failed to sync the log's tail; the next open rewrites segment \(name) and every later one"), "\(output.text)")

        try PosixFileSystem().writeFileAtomically(dir + "/tail-unsynced", contents: Array((body + "crc32 \(crc &+ 1)\n").utf8))
        output = WALTool.verify(directory: dir)
        #expect(output.exitCode == 2)
        #expect(output.text.contains("damaged marker: \(dir)/tail-unsynced: the log's unsynced-tail marker is damaged (checksum mismatch)"), "\(output.text)")
    }

    @Test("corruption exits 2 naming file and offset")
    func corruption() async throws {
        let (dir, segment) = try await makeLog(records: 10)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var bytes = try PosixFileSystem().readFile(segment)
        bytes[512 * 3 + 20] ^= 0x01  // inside the third record: the header sync, then each synced record, start a new 512-byte sector
        try PosixFileSystem().writeFileAtomically(segment, contents: bytes)
        let output = WALTool.verify(directory: dir)
        #expect(output.exitCode == 2)
        #expect(output.text.contains("corruption in \(segment) at offset 1536"))
        #expect(output.text.contains("CORRUPTION"))
    }

    @Test("bad inputs give a clear message and exit 3", arguments: ["missing", "empty", "file"])
    func badInputs(kind: String) throws {
        let base = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: base) }
        let target: String
        switch kind {
        case "missing": target = base + "/does-not-exist"
        case "empty": target = base
        default:
            target = base + "/plain-file"
            try PosixFileSystem().writeFileAtomically(target, contents: Array("hello".utf8))
        }
        let output = WALTool.verify(directory: target)
        #expect(output.exitCode == 3)
        #expect(output.text.hasPrefix("error: cannot verify \(target)"))
        let expected = switch kind {
        case "empty": "no write-ahead log segments"
        case "file": "this is a file, not a log directory: give the directory holding the wal-*.log segments"
        default: "no such directory"
        }
        #expect(output.text.contains(expected), "\(output.text)")
    }

    @Test("a segment file or a data directory given instead of the log directory: exit 3, with a hint naming the log directory")
    func pathHints() async throws {
        let (dir, segment) = try await makeLog(records: 3)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for output in [WALTool.verify(directory: segment), WALTool.inspect(directory: segment, records: false)] {
            #expect(output.exitCode == 3)
            #expect(output.text.contains("this is a file, not a log directory"), "\(output.text)")
            #expect(output.text.contains("did you mean \(dir)?"), "\(output.text)")
        }
        // A data directory: its log is in wal/.
        let data = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: data) }
        try FileManager.default.moveItem(atPath: dir, toPath: data + "/wal")
        let output = WALTool.verify(directory: data)
        #expect(output.exitCode == 3)
        #expect(output.text.contains("did you mean \(data)/wal?"), "\(output.text)")
        #expect(WALTool.verify(directory: data + "/wal").exitCode == 0)
    }
}

func makeTemporaryDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "mantisdb-tests-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}
