import MantisCore

extension Checkpointer {
    /// With `keep: 1` a new checkpoint is about to be the only way back past the log it lets go
    /// (and, at an unchanged LSN, to replace the previous file of the same name). So the complete
    /// temporary file at `path` is read back and verified first: every block decoded, every
    /// checksum. It reads what the page cache holds, so it catches a file written wrong (a codec
    /// or encoding fault), not later damage on the medium (the scrubber's job). A failure is read
    /// once more, so one bad read does not condemn a good file. Damage found twice is moved to
    /// quarantine; either way this throws, the writer publishes nothing, and the previous
    /// checkpoint and the log are kept.
    func readBack(_ path: String) throws {
        let verifyOnce = { [self] in
            let reader = try CheckpointReader.open(path: path, fileSystem: directory.fileSystem, codecs: [codec], checksums: [checksum])
            defer { try? reader.close() }
            _ = try reader.verify()
        }
        let first: any Error
        do { return try verifyOnce() } catch { first = error }
        do {
            try verifyOnce()
            logger.warning("checkpoint read-back failed once and then verified: a transient read error", metadata: ["file": "\(path)", "error": "\(first)"])
            return
        } catch {}
        let cause = MantisError.wrap(first, code: .corruption)
        var outcome = "unreadable; the file was removed"
        if cause.code != .ioError {
            do {
                let quarantined = try directory.quarantine(path: path, reason: QuarantineReason(error: cause, detectedBy: "checkpoint read-back"))
                outcome = "quarantined as \(quarantined)"
            } catch {
                outcome = "could not be quarantined (\(error)); the file was removed"
            }
        }
        throw MantisError(cause.code == .ioError ? .ioError : .corruption,
                          "the new checkpoint does not read back whole (\(outcome)); it replaced nothing: the previous checkpoint and the log are kept",
                          context: ErrorContext(operation: "checkpoint", file: path), cause: cause)
    }
}
