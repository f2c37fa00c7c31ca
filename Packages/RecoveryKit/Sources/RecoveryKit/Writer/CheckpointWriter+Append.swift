import MantisCore

extension CheckpointWriter {
    /// Adds one entry. Keys must come in strictly ascending byte-wise order (the order of an
    /// ordered index scan of the snapshot).
    ///
    /// - Throws: `invalidArgument` if `key` does not sort after the previous key,
    ///   `recordTooLarge` if `8 + key + value` bytes exceed `CheckpointFormat.maximumBlockSize`
    ///   (both leave the writer unchanged); on a write or codec error the writer is failed.
    public func append(key: [UInt8], value: [UInt8]) throws {
        try key.withUnsafeBytes { key in
            try value.withUnsafeBytes { value in try append(key: key, value: value) }
        }
    }

    /// `append(key:value:)` for bytes the caller holds in buffers (copied before returning).
    public func append(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) throws {
        try requireWriting("append to checkpoint")
        let entrySize = CheckpointFormat.entryOverhead + key.count + value.count
        guard entrySize <= CheckpointFormat.maximumBlockSize else {
            throw MantisError(
                .recordTooLarge,
                "checkpoint entry of \(entrySize) bytes (key \(key.count), value \(value.count), 8 length bytes) is over the \(CheckpointFormat.maximumBlockSize)-byte block limit",
                context: ErrorContext(operation: "append to checkpoint", file: temporaryPath, key: Array(key.prefix(64)), lsn: lsn.rawValue))
        }
        guard followsPreviousKey(key) else {
            throw MantisError(
                .invalidArgument, "checkpoint keys must be strictly ascending: this key does not sort after the previous one",
                context: ErrorContext(operation: "append to checkpoint", file: temporaryPath, key: Array(key.prefix(64)), lsn: lsn.rawValue))
        }
        if !block.isEmpty && block.count + entrySize > blockSize {
            try failing { try writeBlock() }
        }
        let start = block.count
        block.appendLittleEndian(UInt32(key.count))
        block.append(contentsOf: key)
        block.appendLittleEndian(UInt32(value.count))
        block.append(contentsOf: value)
        lastKeyInBlock = (start + 4)..<(start + 4 + key.count)
        blockEntryCount += 1
        if block.count >= blockSize {
            try failing { try writeBlock() }
        }
    }

    /// True if `key` sorts strictly after the last key appended (or is the first).
    private func followsPreviousKey(_ key: UnsafeRawBufferPointer) -> Bool {
        if let range = lastKeyInBlock {
            return block.withUnsafeBytes { KeyOrder.precedes(UnsafeRawBufferPointer(rebasing: $0[range]), key) }
        }
        if let previous = lastKeyOfPreviousBlock {
            return previous.withUnsafeBytes { KeyOrder.precedes($0, key) }
        }
        return true
    }

    /// Compresses the current block, hands it to the sink (checksummed and written there, in
    /// the background or now) and starts a new block. Throws a codec error, or the sink's
    /// failure once a block's write failed.
    func writeBlock() throws {
        guard let sink else {
            throw MantisError(.closed, "the checkpoint file is closed", context: ErrorContext(operation: "write checkpoint", file: temporaryPath))
        }
        if let failure = sink.failure { throw failure }
        guard !block.isEmpty else { return }
        guard blockCount < UInt64(UInt32.max) else {
            throw MantisError(.resourceExhausted, "a checkpoint holds at most \(UInt32.max) blocks; use a larger block size",
                              context: ErrorContext(operation: "write checkpoint", file: temporaryPath))
        }
        let stored: [UInt8]
        do {
            stored = try block.withUnsafeBytes { try codec.compress($0) }
        } catch {
            throw MantisError(.codecError, "codec \(codec.name) failed to compress a block of \(block.count) bytes",
                              context: ErrorContext(operation: "write checkpoint", file: temporaryPath, offset: sink.position),
                              cause: MantisError.wrap(error))
        }
        guard stored.count <= CheckpointFormat.maximumStoredBlockSize else {
            throw MantisError(.codecError, "codec \(codec.name) expanded a block of \(block.count) bytes to \(stored.count), over the \(CheckpointFormat.maximumStoredBlockSize)-byte limit readers accept",
                              context: ErrorContext(operation: "write checkpoint", file: temporaryPath))
        }
        sink.submit(CheckpointBlockSink.PendingBlock(
            stored: stored, number: UInt32(blockCount), entryCount: blockEntryCount, uncompressedLength: block.count))
        if let failure = sink.failure { throw failure }

        blockCount += 1
        entryCount += UInt64(blockEntryCount)
        uncompressedBytes += UInt64(block.count)
        if let range = lastKeyInBlock { lastKeyOfPreviousBlock = Array(block[range]) }
        lastKeyInBlock = nil
        blockEntryCount = 0
        if block.capacity > 2 * blockSize {
            // An oversized entry grew the buffer: give the memory back.
            block = []
            block.reserveCapacity(blockSize)
        } else {
            block.removeAll(keepingCapacity: true)
        }
    }
}
