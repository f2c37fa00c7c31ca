import MantisCore

extension SegmentedWAL {
    /// Syncs the tail the open found (`file`, the segment at `path`). If the sync fails, leaves
    /// an `UnsyncedTailMarker` naming the segment before rethrowing, so the next open rewrites
    /// it rather than trust pages a failed sync may have marked clean unwritten.
    static func syncTail(_ file: any StorageFile, path: String, fileSystem: any FileSystem, options: SegmentedWALOptions,
                         metadata: Bool = false) throws {
        do {
            if metadata { try file.sync() } else { try file.syncData() }
        } catch {
            leaveUnsyncedTailMarker(segment: path, fileSystem: fileSystem, options: options, cause: error)
            throw error
        }
    }

    static func leaveUnsyncedTailMarker(segment path: String, fileSystem: any FileSystem, options: SegmentedWALOptions, cause: any Error) {
        let markerPath = Path.join(Path.directory(of: path), UnsyncedTailMarker.fileName)
        // A marker already there names this segment or an earlier one: keep it.
        guard !fileSystem.fileExists(markerPath) else { return }
        do {
            try fileSystem.writeFileAtomically(markerPath, contents: UnsyncedTailMarker(segment: Path.lastComponent(of: path)).encoded())
            options.logger.critical("the open's sync of the write-ahead log's tail failed: the next open rewrites and syncs it before trusting it", metadata: [
                "marker": "\(markerPath)", "segment": "\(path)", "error": "\(cause)",
            ])
        } catch {
            options.logger.critical("the open's sync of the write-ahead log's tail failed and its marker could not be written: the next open may trust records the kernel never wrote", metadata: [
                "marker": "\(markerPath)", "segment": "\(path)", "error": "\(cause)", "marker_error": "\(error)",
            ])
        }
    }

    /// Applies an `UnsyncedTailMarker`: the named segment and every later one are rewritten from
    /// what they read (making any page a failed sync left clean but unwritten dirty again) and
    /// synced. The marker is removed only once that sync succeeds; a failure leaves it for the
    /// next open. Returns how many segments were rewritten.
    static func rewriteUnsyncedTail(_ segments: [SegmentInfo], directory: String, fileSystem: any FileSystem,
                                    options: SegmentedWALOptions) throws -> Int {
        let markerPath = Path.join(directory, UnsyncedTailMarker.fileName)
        let marker = try UnsyncedTailMarker.decode(try fileSystem.readFile(markerPath), path: markerPath)
        guard let index = segments.firstIndex(where: { Path.lastComponent(of: $0.path) == marker.segment }) else {
            throw MantisError(.corruption, "the log's unsynced-tail marker names segment \(marker.segment), which is not in the log: what the failed sync left cannot be made durable; inspect the directory, then remove the marker to accept the log as it reads", context: ErrorContext(operation: "open wal", file: markerPath))
        }
        let chunk: Int64 = 1 << 20
        for segment in segments[index...] {
            let file = try fileSystem.openFile(segment.path, options: .readWrite)
            defer { try? file.close() }
            let size = try file.size()
            var offset: Int64 = 0
            while offset < size {
                let bytes = try file.read(count: Int(min(chunk, size - offset)), at: offset)
                try file.write(bytes, at: offset)
                offset += Int64(bytes.count)
            }
            try file.syncData()
        }
        options.logger.warning("rewrote and synced the write-ahead log's tail after the last open failed to sync it", metadata: [
            "segment": "\(segments[index].path)", "segments": "\(segments.count - index)",
        ])
        try fileSystem.removeItem(markerPath)
        try fileSystem.syncDirectory(directory)
        return segments.count - index
    }
}
