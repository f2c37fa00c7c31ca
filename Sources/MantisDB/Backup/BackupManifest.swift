import Foundation
import IntegrityKit
import MantisCore

/// `backup.manifest.json`: what a backup holds and the CRC-32 of every file in it.
public struct BackupManifest: Codable, Sendable, Equatable {
    public struct File: Codable, Sendable, Equatable {
        /// Relative to the backup directory (`checkpoints/…`, `wal/…`).
        public var path: String
        public var bytes: Int64
        public var crc32: UInt32
    }

    public static let fileName = "backup.manifest.json"
    public static let currentFormat = 1

    public var format = BackupManifest.currentFormat
    public var createdAt: String
    public var source: String
    /// The checkpoint the backup starts from (relative path) and its LSN.
    public var checkpoint: String?
    public var checkpointLSN: UInt64
    /// The last complete log record in the backup: a restore recovers exactly up to here.
    public var lastLSN: UInt64
    public var files: [File]

    public func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return Array(try encoder.encode(self)) + [0x0A]
    }

    public static func decode(_ bytes: [UInt8], path: String) throws -> BackupManifest {
        do {
            let manifest = try JSONDecoder().decode(BackupManifest.self, from: Data(bytes))
            guard manifest.format == currentFormat else {
                throw MantisError(.unsupportedFormat, "backup manifest format \(manifest.format) is not supported", context: ErrorContext(file: path))
            }
            return manifest
        } catch let error as MantisError {
            throw error
        } catch {
            throw MantisError(.corruption, "the backup manifest is not valid: \(error)", context: ErrorContext(operation: "read backup manifest", file: path))
        }
    }

    /// CRC-32 (zlib) of a whole file, read in 1 MiB chunks.
    static func checksum(of path: String, fileSystem: any FileSystem) throws -> (bytes: Int64, crc32: UInt32) {
        let file = try fileSystem.openFile(path, options: .readOnly)
        defer { try? file.close() }
        let crc = CRC32Checksum()
        var value: UInt32 = 0
        var offset: Int64 = 0
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = try chunk.withUnsafeMutableBytes { try file.read(into: $0, at: offset) }
            if count == 0 { break }
            value = chunk.withUnsafeBytes { crc.update(value, UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
            offset += Int64(count)
        }
        return (offset, value)
    }
}
