import MantisCore

extension SegmentedWAL {
    /// Removes every segment whose records all have LSN < `lsn`, never the active segment.
    /// With `options.archiveDirectory` set, each is first copied there and fsynced (file and
    /// directory); if archiving fails, the segment is kept and the error thrown.
    ///
    /// When this returns the segments are out of the log for good: renamed to
    /// `<segment>.removing` with the directory fsynced, then deleted at `options.removalPacing`
    /// (blocking the caller meanwhile: call it off Swift's cooperative pool). A crash during the
    /// deletion leaves a `.removing` file, which the next `open` deletes.
    @discardableResult
    public func removeSegments(below lsn: LSN) throws -> Int {
        let doomed = try cleanupLock.withLock { _ -> [String] in
            let candidates = catalog.withLock { segments -> [SegmentInfo] in
                guard segments.count > 1 else { return [] }
                var removable: [SegmentInfo] = []
                for index in 0..<(segments.count - 1) where segments[index + 1].firstLSN <= lsn {
                    removable.append(segments[index])
                }
                return removable
            }
            guard !candidates.isEmpty else { return [] }
            if let archive = options.archiveDirectory {
                try fileSystem.createDirectory(archive)
                for segment in candidates { try copyToArchive(segment, archive: archive) }
                try fileSystem.syncDirectory(archive)
            }
            let removedPaths = Set(candidates.map(\.path))
            catalog.withLock { segments in segments.removeAll { removedPaths.contains($0.path) } }
            return try fileSystem.retire(candidates.map(\.path), in: directory)
        }
        for path in doomed {
            do {
                let hurried = try fileSystem.removeGradually(path, pacing: options.removalPacing)
                logger.log(level: hurried ? .notice : .info, hurried ? "removed write-ahead log segment at once: the disk is short of space" : "removed write-ahead log segment", metadata: [
                    "file": "\(path.dropLast(WALFormat.removingSuffix.count))", "archived": "\(options.archiveDirectory != nil)",
                ])
            } catch {
                // Out of the log already; the next open deletes what is left.
                logger.error("could not delete a trimmed write-ahead log segment; it is deleted at the next open",
                             metadata: ["file": "\(path)", "error": "\(error)"])
            }
        }
        return doomed.count
    }

    /// Copies a segment into the archive (`FileSystem.copyFile`: synced, renamed into place).
    private func copyToArchive(_ segment: SegmentInfo, archive: String) throws {
        try fileSystem.copyFile(segment.path, to: Path.join(archive, segment.name))
    }
}
