import Foundation
import IntegrityKit
import MantisCore
import MantisCoreTesting
import Testing
@testable import WALKit

/// A fresh directory under /tmp, removed by `cleanup()`.
struct TemporaryDirectory {
    let path: String

    init(_ label: String = "walkit") {
        var template = Array("/tmp/\(label)-XXXXXX".utf8CString)
        let result = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(result != nil, "mkdtemp failed")
        path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    func cleanup() { try? FileManager.default.removeItem(atPath: path) }
}

let crc32 = CRC32Checksum()

func options(
    durability: Durability = .sync,
    segmentSize: Int64 = 1 << 20,
    zeroFill: Bool = true,
    archive: String? = nil,
    syncAlignment: Int = 512
) -> SegmentedWALOptions {
    var options = SegmentedWALOptions()
    options.syncAlignment = syncAlignment
    options.durability = durability
    options.segmentSize = segmentSize
    options.zeroFillSegments = zeroFill
    options.archiveDirectory = archive
    return options
}

func payload(_ text: String) -> [UInt8] { Array(text.utf8) }

/// A log in `/db/wal` on `fs`: 64 KiB segments, created on demand (none prepared ahead).
func openOnFaults(_ fs: FaultInjectingFileSystem, durability: Durability = .sync, segmentSize: Int64 = 64 << 10) throws -> SegmentedWAL {
    var opts = options(durability: durability, segmentSize: segmentSize)
    opts.prepareSegmentsAhead = false
    return try SegmentedWAL.open(directory: "/db/wal", fileSystem: fs, checksum: crc32, options: opts)
}

/// Every entry of the log from `lsn`, in order.
func readAll(_ wal: any WriteAheadLog, from lsn: LSN = .zero) throws -> [WALEntry] {
    let cursor = try wal.entries(from: lsn)
    var entries: [WALEntry] = []
    while let entry = try cursor.next() { entries.append(entry) }
    return entries
}

/// The files of `directory` ending in `suffix`.
func files(in directory: String, fileSystem: any FileSystem = PosixFileSystem(), suffix: String) throws -> [String] {
    try fileSystem.contentsOfDirectory(directory).filter { $0.hasSuffix(suffix) }
}

enum Environment {
    static func value(_ name: String) -> String? {
        ProcessInfo.processInfo.environment[name]
    }
}

/// The byte offset of every valid record in a segment file, in order.
func recordStarts(_ path: String) throws -> [Int] {
    let fs = PosixFileSystem()
    let file = try fs.openFile(path, options: .readOnly)
    defer { try? file.close() }
    let header = try SegmentHeader.decode(try file.read(count: WALFormat.segmentHeaderSize, at: 0), file: path)
    let reader = SegmentReader(file: file, fileSize: try file.size(), firstLSN: header.firstLSN, checksum: crc32,
                               maximumPayload: WALFormat.maximumPayloadSize, alignment: header.syncAlignment)
    var starts: [Int] = []
    while let record = try reader.next() { starts.append(Int(reader.offset) - record.recordSize) }
    return starts
}

/// The real file system, with every `fdatasync` taking at least `delay`: makes group commit
/// observable even on a loaded machine whose scheduler might otherwise serialize the appenders.
struct SlowSyncFileSystem: ForwardingFileSystem {
    let base: any FileSystem = PosixFileSystem()
    let delay: Duration
    var name: String { "slow-sync" }
    func openFile(_ path: String, options: FileOpenOptions) throws -> any StorageFile {
        SlowSyncFile(base: try base.openFile(path, options: options), delay: delay)
    }
}

final class SlowSyncFile: ForwardingStorageFile, Sendable {
    let base: any StorageFile
    let delay: Duration
    init(base: any StorageFile, delay: Duration) { self.base = base; self.delay = delay }
    func syncData() throws {
        usleep(UInt32(delay.components.attoseconds / 1_000_000_000_000))
        try base.syncData()
    }
}
