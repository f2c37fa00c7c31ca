import IntegrityKit
import MantisCore

/// Makes transaction ids unique and increasing across restarts without logging every id:
/// each open bumps a durable epoch (`txn-epoch`, written atomically) and ids are
/// `epoch << 32 | counter`. Ids of read-only and aborted transactions, which never reach the
/// log, are therefore not reused either, except those of a safe-mode run, which writes nothing
/// (`peek`).
enum TransactionIDEpoch {
    static let fileName = "txn-epoch"
    static let magic: UInt32 = 0x4550_4E4D  // "MNPE"

    /// Reads the last epoch, stores the next one durably, and returns the first id of the new epoch.
    static func advance(directory: String, fileSystem: any FileSystem) throws -> TransactionID {
        let path = Path.join(directory, fileName)
        let epoch = try read(path, fileSystem: fileSystem) + 1
        var bytes: [UInt8] = []
        bytes.appendLittleEndian(magic)
        bytes.appendLittleEndian(epoch)
        bytes.appendLittleEndian(check(epoch))
        try fileSystem.writeFileAtomically(path, contents: bytes)
        return TransactionID(epoch << 32)
    }

    /// For safe mode, which writes nothing: the first id of the epoch after the stored one,
    /// not stored. Its transactions never reach the log, so a later open may hand the same ids
    /// out again. An unreadable or damaged file gives epoch 1, and `problem` says why (the next
    /// normal open will refuse that file).
    static func peek(directory: String, fileSystem: any FileSystem) -> (first: TransactionID, problem: String?) {
        do {
            let epoch = try read(Path.join(directory, fileName), fileSystem: fileSystem)
            return (TransactionID((epoch + 1) << 32), nil)
        } catch {
            return (TransactionID(1 << 32), "\(error)")
        }
    }

    /// The stored epoch (0 if there is no file); a damaged file is `corruption` naming it.
    private static func read(_ path: String, fileSystem: any FileSystem) throws -> UInt64 {
        guard fileSystem.fileExists(path) else { return 0 }
        let bytes = try fileSystem.readFile(path)
        var reader = ByteReader(bytes, source: path)
        let magicRead = try reader.read(UInt32.self, "magic")
        let value = try reader.read(UInt64.self, "epoch")
        let stored = try reader.read(UInt32.self, "checksum")
        guard magicRead == magic, stored == Self.check(value) else {
            throw MantisError(.corruption, "transaction id epoch file is damaged", context: ErrorContext(operation: "open", file: path, offset: 0))
        }
        return value
    }

    /// CRC-32 (zlib) of the epoch's bytes, whatever checksum the database is configured with.
    private static func check(_ value: UInt64) -> UInt32 {
        var bytes: [UInt8] = []
        bytes.appendLittleEndian(value)
        return CRC32Checksum().checksum(bytes)
    }
}
