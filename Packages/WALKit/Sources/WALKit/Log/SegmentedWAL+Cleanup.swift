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
            var renamed: [String] = []
            for segment in candidates {
                let removing = segment.path + WALFormat.removingSuffix
                try fileSystem.rename(segment.path, to: removing)
                renamed.append(removing)
            }
            try fileSystem.syncDirectory(directory)
            return renamed
        }
        for path in doomed {
            do {
                try fileSystem.removeGradually(path, pacing: options.removalPacing)
                logger.info("removed write-ahead log segment", metadata: [
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

    private func copyToArchive(_ segment: SegmentInfo, archive: String) throws {
        let destination = Path.join(archive, segment.name)
        let temporary = destination + ".tmp"
        let source = try fileSystem.openFile(segment.path, options: .readOnly)
        defer { try? source.close() }
        try fileSystem.removeIfExists(temporary)
        let target = try fileSystem.openFile(temporary, options: .createNew)
        do {
            let size = try source.size()
            var offset: Int64 = 0
            var chunk = [UInt8](repeating: 0, count: 1 << 20)
            while offset < size {
                let count = try chunk.withUnsafeMutableBytes { try source.read(into: $0, at: offset) }
                guard count > 0 else { break }
                try chunk.withUnsafeBytes { try target.write(UnsafeRawBufferPointer(rebasing: $0[0..<count]), at: offset) }
                offset += Int64(count)
                // A MiB at a time to the device, so the log's own syncs never queue behind a whole segment.
                if offset < size { try target.syncData() }
            }
            try target.sync()
            try target.close()
        } catch {
            try? target.close()
            try? fileSystem.removeItem(temporary)
            throw error
        }
        try fileSystem.rename(temporary, to: destination)
    }
}
