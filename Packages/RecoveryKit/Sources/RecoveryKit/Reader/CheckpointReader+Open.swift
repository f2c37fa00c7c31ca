import MantisCore

extension CheckpointReader {
    /// Opens the checkpoint at `path`, verifying its header and footer.
    ///
    /// - Parameters:
    ///   - codecs: every codec this build has; the one whose identifier the header records is used.
    ///   - checksums: every checksum algorithm this build has; likewise.
    /// - Throws: `corruption` (damaged or truncated header or footer, an LSN that differs from the
    ///   file name's, implausible counts), `unsupportedFormat` (format version, codec or checksum
    ///   algorithm not available), or the file system's errors — each naming the file and offset.
    public static func open(
        path: String,
        fileSystem: any FileSystem,
        codecs: [any CheckpointCodec],
        checksums: [any ChecksumAlgorithm]
    ) throws -> CheckpointReader {
        let file = try fileSystem.openFile(path, options: .readOnly)
        do {
            let size = try file.size()
            let headerBytes = try file.read(count: Int(min(size, Int64(CheckpointFormat.headerSize))), at: 0)
            let header = try CheckpointHeader.decode(headerBytes, file: path)
            let codec = try codec(header.codecIdentifier, in: codecs, file: path)
            let checksum = try checksum(header.checksumIdentifier, in: checksums, file: path)
            let name = Path.lastComponent(of: path)
            if let named = CheckpointFormat.lsn(ofCheckpointNamed: name) ?? CheckpointFormat.lsn(ofTemporaryNamed: name), named != header.lsn {
                throw CheckpointError.corruption(
                    "the header records LSN \(header.lsn), but the file name says \(named)", file: path, offset: 16, operation: "read checkpoint header")
            }
            guard size >= Int64(CheckpointFormat.minimumFileSize) else {
                throw CheckpointError.corruption(
                    "the file ends at offset \(size), before its footer: a checkpoint is at least \(CheckpointFormat.minimumFileSize) bytes",
                    file: path, offset: size, operation: "read checkpoint footer")
            }
            let footerOffset = size - Int64(CheckpointFormat.footerSize)
            let footerBytes = try file.read(count: CheckpointFormat.footerSize, at: footerOffset)
            let footer = try CheckpointFooter.decode(footerBytes, at: footerOffset, file: path)
            try checkPlausible(footer, header: header, file: path)
            return CheckpointReader(
                path: path, file: file, fileSize: size, header: header, footer: footer, codec: codec, checksum: checksum,
                headerBytes: headerBytes, footerFields: Array(footerBytes[0..<56]))
        } catch {
            try? file.close()
            throw error
        }
    }

    static func codec(_ identifier: UInt8, in codecs: [any CheckpointCodec], file: String) throws -> any CheckpointCodec {
        if let codec = codecs.first(where: { $0.identifier == identifier }) { return codec }
        let available = codecs.map { "\($0.name) (\($0.identifier))" }.joined(separator: ", ")
        throw CheckpointError.unsupported(
            "the checkpoint was written with codec id \(identifier), which is not available (available: \(available.isEmpty ? "none" : available))",
            file: file, offset: 40)
    }

    static func checksum(_ identifier: UInt8, in checksums: [any ChecksumAlgorithm], file: String) throws -> any ChecksumAlgorithm {
        if let checksum = checksums.first(where: { $0.identifier == identifier }) { return checksum }
        let available = checksums.map { "\($0.name) (\($0.identifier))" }.joined(separator: ", ")
        throw CheckpointError.unsupported(
            "the checkpoint was written with checksum algorithm id \(identifier), which is not available (available: \(available.isEmpty ? "none" : available))",
            file: file, offset: 41)
    }

    /// Footer counts that cannot describe the bytes between header and footer are corruption
    /// (its CRC was valid, so a writer bug or a forged footer): caught before reading blocks.
    static func checkPlausible(_ footer: CheckpointFooter, header: CheckpointHeader, file: String) throws {
        let at = footer.footerOffset
        func corrupt(_ message: String, _ field: Int64) -> MantisError {
            CheckpointError.corruption(message, file: file, offset: at + field, operation: "read checkpoint footer")
        }
        guard footer.lsn == header.lsn else {
            throw corrupt("the footer records LSN \(footer.lsn), the header \(header.lsn)", 40)
        }
        let space = UInt64(at) - UInt64(CheckpointFormat.headerSize)
        guard footer.blockCount <= space / UInt64(CheckpointFormat.blockHeaderSize),
              footer.blockCount <= UInt64(UInt32.max) else {
            throw corrupt("the footer counts \(footer.blockCount) blocks, more than \(space) bytes can hold", 16)
        }
        if footer.blockCount == 0 {
            guard space == 0 else { throw corrupt("the footer counts no blocks, but \(space) bytes lie between header and footer", 16) }
        }
        guard footer.entryCount >= footer.blockCount,
              footer.entryCount <= footer.uncompressedBytes / UInt64(CheckpointFormat.entryOverhead) else {
            throw corrupt("the footer counts \(footer.entryCount) entries in \(footer.blockCount) blocks of \(footer.uncompressedBytes) bytes, which is impossible", 8)
        }
        let (limit, overflow) = footer.blockCount.multipliedReportingOverflow(by: UInt64(CheckpointFormat.maximumBlockSize))
        guard overflow || footer.uncompressedBytes <= limit else {
            throw corrupt("the footer counts \(footer.uncompressedBytes) uncompressed bytes, over the limit for \(footer.blockCount) blocks", 24)
        }
    }
}
