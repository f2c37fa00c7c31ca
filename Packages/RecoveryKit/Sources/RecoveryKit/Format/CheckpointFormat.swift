import MantisCore

/// The on-disk layout of checkpoint files (documented byte by byte in Docs/formats.md,
/// section "Checkpoint file").
///
/// A checkpoint is a 64-byte header, then zero or more blocks (a 24-byte block header and the
/// block's bytes as the codec stored them), then a 64-byte footer that ends the file:
///
/// ```
/// header (64) | block 0 (24 + C0) | block 1 (24 + C1) | … | footer (64)
/// ```
/// Uncompressed, a block is a run of whole entries (`u32 key length, key, u32 value length,
/// value`), in strictly ascending key order across the whole file. The counts live in the
/// footer, because the writer streams and never rewrites bytes it has written.
public enum CheckpointFormat {
    /// "MANTISCK" little-endian: the first 8 bytes of every checkpoint file.
    public static let magic: UInt64 = 0x4B43_5349_544E_414D
    /// "MCKPTEND" little-endian: the first 8 bytes of the footer.
    public static let footerMagic: UInt64 = 0x444E_4554_504B_434D
    /// "CBLK" little-endian: the first 4 bytes of every block header.
    public static let blockMarker: UInt32 = 0x4B4C_4243
    public static let formatVersion: UInt32 = 1

    public static let headerSize = 64
    public static let blockHeaderSize = 24
    public static let footerSize = 64
    /// The bytes in front of each entry's key and value: two `u32` lengths.
    public static let entryOverhead = 8
    /// The smallest possible checkpoint: a header and a footer, no blocks.
    public static let minimumFileSize = headerSize + footerSize

    /// The writer's default target for the uncompressed size of a block.
    public static let defaultBlockSize = 1 << 20
    /// The largest uncompressed block (`CheckpointCodecLimits.maximumBlockSize`, 64 MiB). An
    /// entry (8 + key + value bytes) larger than this cannot be stored.
    public static var maximumBlockSize: Int { CheckpointCodecLimits.maximumBlockSize }
    /// The largest stored (compressed) block a reader accepts: the codec conformance suite bounds
    /// a compressed block by its input + 1/16 + 1 KiB, and this leaves room for that.
    public static var maximumStoredBlockSize: Int { maximumBlockSize + maximumBlockSize / 16 + 1024 }

    static let fileNamePrefix = "checkpoint-"
    static let fileNameSuffix = ".ckpt"
    /// Appended to a checkpoint's name while it is being written.
    public static let temporarySuffix = ".tmp"

    /// `checkpoint-<LSN as 16 lower-case hex digits>.ckpt`: names sort in LSN order.
    public static func fileName(lsn: LSN) -> String {
        let hex = String(lsn.rawValue, radix: 16)
        return fileNamePrefix + String(repeating: "0", count: max(0, 16 - hex.count)) + hex + fileNameSuffix
    }

    /// The name of the file a checkpoint is written to before it is renamed into place.
    public static func temporaryFileName(lsn: LSN) -> String {
        fileName(lsn: lsn) + temporarySuffix
    }

    /// The LSN in a checkpoint file name, or nil if `name` is not a checkpoint's (temporary
    /// files included: they are not checkpoints).
    public static func lsn(ofCheckpointNamed name: String) -> LSN? {
        guard name.hasPrefix(fileNamePrefix), name.hasSuffix(fileNameSuffix) else { return nil }
        let hex = name.dropFirst(fileNamePrefix.count).dropLast(fileNameSuffix.count)
        guard hex.count == 16, hex.allSatisfy({ $0.isHexDigit && !$0.isUppercase }),
              let value = UInt64(hex, radix: 16) else { return nil }
        return LSN(value)
    }

    /// The LSN in a temporary checkpoint file name (`checkpoint-<hex>.ckpt.tmp`), or nil.
    public static func lsn(ofTemporaryNamed name: String) -> LSN? {
        guard name.hasSuffix(temporarySuffix) else { return nil }
        return lsn(ofCheckpointNamed: String(name.dropLast(temporarySuffix.count)))
    }
}
