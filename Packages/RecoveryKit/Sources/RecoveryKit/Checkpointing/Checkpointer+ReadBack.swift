import MantisCore

extension Checkpointer {
    /// With `keep: 1` a new checkpoint is about to be the only way back past the log it lets
    /// go: before that, it is read back and verified (every block decoded, every checksum). A
    /// failure is read a second time, so one bad read does not condemn a good file. Damage found
    /// twice is quarantined; an unreadable file stays in place; either way the checkpoint fails,
    /// so the previous checkpoint and the log are kept.
    func readBack(_ info: CheckpointInfo) throws {
        let verify = { [self] in
            let reader = try CheckpointReader.open(path: info.path, fileSystem: directory.fileSystem, codecs: [codec], checksums: [checksum])
            defer { try? reader.close() }
            _ = try reader.verify()
        }
        let first: any Error
        do { return try verify() } catch { first = error }
        do {
            try verify()
            logger.warning("checkpoint read-back failed once and then verified: a transient read error", metadata: ["file": "\(info.path)", "error": "\(first)"])
            return
        } catch {}
        let cause = MantisError.wrap(first, code: .corruption)
        var fate = "unreadable, left in place"
        if cause.code != .ioError {
            do {
                try directory.quarantine(path: info.path, reason: QuarantineReason(error: cause, detectedBy: "checkpoint read-back"))
                fate = "quarantined"
            } catch {
                fate = "could not be quarantined: \(error)"
            }
        }
        throw MantisError(cause.code == .ioError ? .ioError : .corruption,
                          "the new checkpoint does not read back whole (\(fate)); the previous checkpoint and the log are kept",
                          context: ErrorContext(operation: "checkpoint", file: info.path), cause: cause)
    }
}
