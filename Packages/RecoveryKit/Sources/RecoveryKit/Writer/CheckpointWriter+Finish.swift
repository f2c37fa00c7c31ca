import MantisCore

extension CheckpointWriter {
    /// Writes the last block and the footer, fsyncs the file, renames it into place and fsyncs
    /// the directory. When this returns the checkpoint exists durably and verifies.
    ///
    /// On an error before the rename the temporary file is removed and nothing was published.
    /// If the final directory fsync fails (`syncFailed`), the complete, verifying file is
    /// already under its final name but may or may not survive a crash: treat the checkpoint as
    /// not taken (do not remove WAL it would cover). Never retried (rule 2).
    ///
    /// - Parameter beforeRename: runs on the complete, fsynced temporary file (its path given)
    ///   before it is renamed over anything; if it throws, nothing is published (`Checkpointer`
    ///   reads the file back here with `keep: 1`).
    @discardableResult
    public func finish(beforeRename: ((String) throws -> Void)? = nil) throws -> CheckpointInfo {
        try requireWriting("finish checkpoint")
        var renamed = false
        do {
            return try failing {
                try writeBlock()
                guard let sink else {
                    throw MantisError(.closed, "the checkpoint file is closed", context: ErrorContext(operation: "finish checkpoint", file: temporaryPath))
                }
                sink.drain()
                if let failure = sink.failure { throw failure }
                let footerOffset = sink.position
                let fields = CheckpointFooter.encodedFields(
                    entryCount: entryCount, blockCount: blockCount, uncompressedBytes: uncompressedBytes,
                    footerOffset: footerOffset, lsn: lsn)
                let footer = CheckpointFooter.complete(fields, wholeFileChecksum: checksum.update(sink.wholeFileChecksum, fields))
                try write(footer)
                guard let file else {
                    throw MantisError(.closed, "the checkpoint file is closed", context: ErrorContext(operation: "finish checkpoint", file: temporaryPath))
                }
                try file.sync()
                try file.close()
                self.file = nil
                try beforeRename?(temporaryPath)
                try fileSystem.rename(temporaryPath, to: path)
                renamed = true
                try fileSystem.syncDirectory(directory)
                let info = CheckpointInfo(
                    path: path, lsn: lsn, nextTransactionID: nextTransactionID,
                    codecName: codec.name, codecIdentifier: codec.identifier,
                    checksumName: checksum.name, checksumIdentifier: checksum.identifier,
                    blockSize: blockSize, entryCount: entryCount, blockCount: blockCount,
                    uncompressedBytes: uncompressedBytes, fileBytes: sink.position, createdAtNanoseconds: createdAtNanoseconds)
                state = .finished(info)
                logger.info("checkpoint written", metadata: [
                    "file": "\(path)", "lsn": "\(lsn)", "entries": "\(entryCount)", "blocks": "\(blockCount)",
                    "bytes": "\(sink.position)", "uncompressed": "\(uncompressedBytes)", "codec": "\(codec.name)",
                ])
                return info
            }
        } catch {
            if !renamed { removeTemporaryFile() }
            logger.error("checkpoint write failed", metadata: ["file": "\(path)", "error": "\(error)", "renamed": "\(renamed)"])
            throw error
        }
    }

    /// Stops writing and removes the temporary file (best effort: a leftover is removed later by
    /// `CheckpointDirectory.removeTemporaryFiles()`). Does nothing after a successful `finish()`.
    public func abandon() {
        if case .finished = state { return }
        if case .abandoned = state { return }
        removeTemporaryFile()
        state = .abandoned
    }

    /// Waits for the blocks in flight, closes the file if open and removes the temporary file if
    /// it exists.
    func removeTemporaryFile() {
        sink?.drain()
        if let file {
            try? file.close()
            self.file = nil
        }
        do {
            try fileSystem.removeIfExists(temporaryPath)
        } catch {
            logger.warning("could not remove a temporary checkpoint file", metadata: ["file": "\(temporaryPath)", "error": "\(error)"])
        }
    }
}
