import MantisCore

extension CheckpointReader {
    /// Calls `body` with every entry in key order, as buffers valid only during the call (no
    /// copies: the cheapest way to load a store). Verification as for `forEach`.
    public func forEachUnsafe(_ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> Void) throws {
        let footerOffset = footer.footerOffset
        var offset = Int64(CheckpointFormat.headerSize)
        var wholeFileChecksum = checksum.update(0, headerBytes)
        var blockHeader = [UInt8](repeating: 0, count: CheckpointFormat.blockHeaderSize)
        var stored: [UInt8] = []
        var lastKey: [UInt8]?
        var entries: UInt64 = 0
        var uncompressed: UInt64 = 0

        for number in 0..<footer.blockCount {
            let blockStart = offset
            func corrupt(_ message: String, _ field: Int64 = 0, cause: (any Error & Sendable)? = nil) -> MantisError {
                CheckpointError.corruption("block \(number): " + message, file: path, offset: blockStart + field,
                                           metadata: ["block": "\(number)"], cause: cause)
            }
            guard footerOffset - offset >= Int64(CheckpointFormat.blockHeaderSize) else {
                throw CheckpointError.corruption(
                    "the footer counts \(footer.blockCount) blocks, but the file holds \(number) (block \(number) would start at offset \(offset), the footer starts at \(footerOffset))",
                    file: path, offset: footerOffset + 16)
            }
            try readExactly(into: &blockHeader, count: CheckpointFormat.blockHeaderSize, at: offset, what: "block \(number) header")
            let (marker, fields) = blockHeader.withUnsafeBytes { CheckpointBlockHeader.load($0) }
            guard marker == CheckpointFormat.blockMarker else {
                throw corrupt("no block header here (marker \(CheckpointError.hex(marker)), expected \(CheckpointError.hex(CheckpointFormat.blockMarker)))")
            }
            guard UInt64(fields.blockNumber) == number else {
                throw corrupt("the block header says it is block \(fields.blockNumber)", 4)
            }
            guard fields.uncompressedLength <= CheckpointFormat.maximumBlockSize else {
                throw corrupt("claims \(fields.uncompressedLength) uncompressed bytes, over the \(CheckpointFormat.maximumBlockSize)-byte limit", 12)
            }
            let room = footerOffset - offset - Int64(CheckpointFormat.blockHeaderSize)
            guard fields.storedLength <= CheckpointFormat.maximumStoredBlockSize, Int64(fields.storedLength) <= room else {
                throw corrupt("claims \(fields.storedLength) stored bytes, but \(room) bytes remain before the footer (limit \(CheckpointFormat.maximumStoredBlockSize))", 16)
            }
            guard fields.entryCount >= 1,
                  Int(fields.entryCount) <= fields.uncompressedLength / CheckpointFormat.entryOverhead else {
                throw corrupt("claims \(fields.entryCount) entries in \(fields.uncompressedLength) bytes", 8)
            }
            try readExactly(into: &stored, count: fields.storedLength, at: offset + Int64(CheckpointFormat.blockHeaderSize), what: "block \(number)")
            let storedBytes = stored[0..<fields.storedLength]
            let actual = checksum.update(checksum.update(0, blockHeader[0..<20]), storedBytes)
            guard actual == fields.checksum else {
                throw corrupt("checksum mismatch: stored \(CheckpointError.hex(fields.checksum)), computed \(CheckpointError.hex(actual)) (\(checksum.name) over the header and \(fields.storedLength) stored bytes)")
            }
            wholeFileChecksum = checksum.update(checksum.update(wholeFileChecksum, blockHeader), storedBytes)

            let block: [UInt8]
            do {
                block = try storedBytes.withUnsafeBytes { try codec.decompress($0, originalSize: fields.uncompressedLength) }
            } catch {
                throw corrupt("passes its checksum but codec \(codec.name) cannot decompress it", cause: MantisError.wrap(error))
            }
            guard block.count == fields.uncompressedLength else {
                throw corrupt("codec \(codec.name) returned \(block.count) bytes, the header says \(fields.uncompressedLength)")
            }
            try block.withUnsafeBytes { raw in
                let last = try Self.checkEntries(raw, count: Int(fields.entryCount), after: lastKey) { message, entry, position in
                    corrupt("entry \(entry) (uncompressed offset \(position)): " + message)
                }
                try Self.deliverEntries(raw, count: Int(fields.entryCount), to: body)
                lastKey = Array(UnsafeRawBufferPointer(rebasing: raw[last]))
            }
            entries += UInt64(fields.entryCount)
            uncompressed += UInt64(fields.uncompressedLength)
            offset += Int64(CheckpointFormat.blockHeaderSize + fields.storedLength)
        }

        func corruptFooter(_ message: String, _ field: Int64) -> MantisError {
            CheckpointError.corruption(message, file: path, offset: footerOffset + field)
        }
        guard offset == footerOffset else {
            throw corruptFooter(
                "the footer counts \(footer.blockCount) blocks, but they end at offset \(offset) and the footer starts at \(footerOffset)", 16)
        }
        guard entries == footer.entryCount else {
            throw corruptFooter("the blocks hold \(entries) entries, the footer counts \(footer.entryCount)", 8)
        }
        guard uncompressed == footer.uncompressedBytes else {
            throw corruptFooter("the blocks hold \(uncompressed) uncompressed bytes, the footer counts \(footer.uncompressedBytes)", 24)
        }
        wholeFileChecksum = checksum.update(wholeFileChecksum, footerFields)
        guard wholeFileChecksum == footer.wholeFileChecksum else {
            throw corruptFooter("whole-file checksum mismatch: stored \(CheckpointError.hex(footer.wholeFileChecksum)), computed \(CheckpointError.hex(wholeFileChecksum))", 56)
        }
    }

    /// Reads exactly `count` bytes at `offset` into the start of `buffer` (grown if needed).
    /// The caller has checked that the range lies inside the file size seen at open; a short
    /// read means the file shrank since, and is reported as corruption.
    private func readExactly(into buffer: inout [UInt8], count: Int, at offset: Int64, what: String) throws {
        if buffer.count < count { buffer = [UInt8](repeating: 0, count: count) }
        guard count > 0 else { return }
        let got = try buffer.withUnsafeMutableBytes { raw in
            try file.read(into: UnsafeMutableRawBufferPointer(rebasing: raw[0..<count]), at: offset)
        }
        guard got == count else {
            throw CheckpointError.corruption("the file ends inside \(what): read \(got) of \(count) bytes", file: path, offset: offset)
        }
    }
}
