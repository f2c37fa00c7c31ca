import MantisCore

/// Written last on a graceful close (after the final sync), removed at open. Its presence at
/// open means the log was complete and synced when the process stopped: a torn tail then is
/// corruption, not a crash artefact, and the log must end exactly at the recorded LSN.
///
/// Format (24 bytes): `u64 magic "MNTCLEAN"`, `u64 last LSN`, `u32 format (1)`, `u32 CRC-32 of the 20 bytes before`.
public struct CleanShutdownMarker: Sendable, Hashable {
    static let magic: UInt64 = 0x4E41_454C_4354_4E4D
    public var lastLSN: LSN

    public init(lastLSN: LSN) { self.lastLSN = lastLSN }

    func encoded(checksum: any ChecksumAlgorithm) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.appendLittleEndian(Self.magic)
        bytes.appendLittleEndian(lastLSN.rawValue)
        bytes.appendLittleEndian(UInt32(1))
        bytes.appendLittleEndian(checksum.checksum(bytes))
        return bytes
    }

    /// Writes the marker atomically and durably.
    public static func write(_ marker: CleanShutdownMarker, to path: String, fileSystem: any FileSystem, checksum: any ChecksumAlgorithm) throws {
        try fileSystem.writeFileAtomically(path, contents: marker.encoded(checksum: checksum))
    }

    /// The marker at `path`, nil if absent; a damaged marker throws `corruption`. It verifies
    /// under any of `checksums` (the configured algorithm may have changed since it was written).
    public static func read(_ path: String, fileSystem: any FileSystem, checksums: [any ChecksumAlgorithm]) throws -> CleanShutdownMarker? {
        guard fileSystem.fileExists(path) else { return nil }
        let bytes = try fileSystem.readFile(path)
        var reader = ByteReader(bytes, source: path)
        let magic = try reader.read(UInt64.self, "magic")
        let lsn = try reader.read(UInt64.self, "last LSN")
        let format = try reader.read(UInt32.self, "format")
        let stored = try reader.read(UInt32.self, "checksum")
        guard magic == Self.magic, format == 1, checksums.contains(where: { stored == $0.checksum(Array(bytes[0..<20])) }) else {
            throw MantisError(.corruption, "the clean-shutdown marker is damaged", context: ErrorContext(operation: "recover", file: path, offset: 0))
        }
        return CleanShutdownMarker(lastLSN: LSN(lsn))
    }

    /// Removes the marker durably (before the database accepts writes).
    public static func remove(_ path: String, fileSystem: any FileSystem) throws {
        guard fileSystem.fileExists(path) else { return }
        try fileSystem.removeItem(path)
        try fileSystem.syncDirectory(Path.directory(of: path))
    }
}
