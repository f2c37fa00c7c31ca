import MantisCore

/// Reads and verifies one checkpoint file.
///
/// `open` reads and verifies the header and the footer (each with its own CRC) and finds the
/// codec and checksum algorithm the file names among those given — the file's own, whatever the
/// configuration prefers now. `forEach` then streams the entries block by block; `verify` reads
/// everything and keeps nothing.
///
/// Guarantees:
/// - **Corrupt bytes never reach the caller.** A block's checksum is verified before its bytes
///   reach the codec, and the whole decompressed block (entry lengths, strictly ascending key
///   order) is checked before its first entry is delivered. Entries of earlier, good blocks may
///   already have been delivered when a later block fails: load into a fresh store and discard
///   it on error. At the end the counts and the whole-file checksum are compared with the footer.
/// - **Bounded memory:** one stored and one decompressed block at a time. Every length read from
///   the file is checked against the file size and `CheckpointCodecLimits.maximumBlockSize`
///   before anything is allocated for it.
/// - **Every failure is a `MantisError` naming the file and the offset** of the structure at
///   fault: `corruption` for damaged, truncated or inconsistent bytes; `unsupportedFormat` for
///   another format version or a codec or checksum algorithm this build was not given (the
///   message names the identifier and what is available). Errors thrown by the caller's `body`
///   pass through unchanged.
///
/// Not `Sendable`: one task uses a reader at a time. `close()` (or releasing it) closes the file.
public final class CheckpointReader {
    public let path: String
    /// What the header and footer record (counts are confirmed by `forEach`/`verify`).
    public let info: CheckpointInfo
    public let header: CheckpointHeader
    public let footer: CheckpointFooter

    let file: any StorageFile
    let fileSize: Int64
    let codec: any CheckpointCodec
    let checksum: any ChecksumAlgorithm
    let headerBytes: [UInt8]
    /// The footer's first 56 bytes, the last ones the whole-file checksum covers.
    let footerFields: [UInt8]
    private var isClosed = false

    init(path: String, file: any StorageFile, fileSize: Int64, header: CheckpointHeader, footer: CheckpointFooter,
         codec: any CheckpointCodec, checksum: any ChecksumAlgorithm, headerBytes: [UInt8], footerFields: [UInt8]) {
        self.path = path
        self.file = file
        self.fileSize = fileSize
        self.header = header
        self.footer = footer
        self.codec = codec
        self.checksum = checksum
        self.headerBytes = headerBytes
        self.footerFields = footerFields
        self.info = CheckpointInfo(
            path: path, lsn: header.lsn, nextTransactionID: header.nextTransactionID,
            codecName: codec.name, codecIdentifier: codec.identifier,
            checksumName: checksum.name, checksumIdentifier: checksum.identifier,
            blockSize: header.blockSize, entryCount: footer.entryCount, blockCount: footer.blockCount,
            uncompressedBytes: footer.uncompressedBytes, fileBytes: fileSize,
            createdAtNanoseconds: header.createdAtNanoseconds)
    }

    deinit {
        if !isClosed { try? file.close() }
    }

    /// Closes the file. Later reads throw `closed`.
    public func close() throws {
        guard !isClosed else { return }
        isClosed = true
        try file.close()
    }

    /// Calls `body` with every entry in key order.
    /// - Throws: `corruption`/`unsupportedFormat` as described on the type; `body`'s errors.
    public func forEach(_ body: (_ key: [UInt8], _ value: [UInt8]) throws -> Void) throws {
        try forEachUnsafe { key, value in try body(Array(key), Array(value)) }
    }

    /// Reads and verifies the whole file without keeping any entry.
    @discardableResult
    public func verify() throws -> CheckpointInfo {
        try forEachUnsafe { _, _ in }
        return info
    }
}

@available(*, unavailable, message: "a CheckpointReader is used by one task at a time")
extension CheckpointReader: Sendable {}
