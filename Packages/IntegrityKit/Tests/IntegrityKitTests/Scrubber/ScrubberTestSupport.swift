import IntegrityKit
import IntegrityKitTesting
import IntegrityScrubber
import MantisCore
import MantisCoreTesting
import RecoveryKit
import Testing
import WALKit

extension AssembledDatabase {
    /// Commits one transaction per key, recording what was acknowledged in `model`.
    func populate(_ keys: Range<Int>, version: Int = 0, into model: inout [[UInt8]: [UInt8]]) async throws {
        for key in keys {
            let value = Fixture.value(key, version: version)
            try await commit([(Fixture.key(key), value)])
            model[Fixture.key(key)] = value
        }
    }

    /// The log as WALVerifier sees it now.
    func scanLog() throws -> WALVerificationReport {
        try WALVerifier.verify(directory: directory.wal, fileSystem: fileSystem, checksums: Fixture.checksums)
    }

    @discardableResult
    func checkpoint() async throws -> CheckpointInfo {
        try await #require(checkpointer).checkpoint()
    }
}

/// The files in the quarantine directory.
func quarantined(_ database: AssembledDatabase) -> [String] {
    ((try? database.fileSystem.contentsOfDirectory(database.directory.quarantine)) ?? [])
}

func text(_ fileSystem: any FileSystem, _ path: String) throws -> String {
    String(decoding: try fileSystem.readFile(path), as: UTF8.self)
}

/// The byte offset of the record with `lsn` in the segment at `path` (records start at 8-byte
/// aligned offsets with the LSN at +8 and a non-zero kind at +24).
func recordOffset(of lsn: LSN, in path: String, _ fileSystem: any FileSystem) throws -> Int64 {
    let bytes = try fileSystem.readFile(path)
    var offset = WALFormat.segmentHeaderSize
    while offset + WALFormat.recordHeaderSize <= bytes.count {
        var value: UInt64 = 0
        for index in 0..<8 { value |= UInt64(bytes[offset + 8 + index]) << (8 * index) }
        let length = Int(bytes[offset + 4]) | Int(bytes[offset + 5]) << 8 | Int(bytes[offset + 6]) << 16 | Int(bytes[offset + 7]) << 24
        if value == lsn.rawValue, (1...7).contains(bytes[offset + 24]), length < 1 << 20 { return Int64(offset) }
        offset += WALFormat.recordAlignment
    }
    throw MantisError(.notFound, "no record with LSN \(lsn)", context: ErrorContext(file: path))
}
