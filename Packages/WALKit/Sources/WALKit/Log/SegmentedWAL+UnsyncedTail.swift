import MantisCore

extension SegmentedWAL {
    /// Syncs the tail the open found (`file`, the segment at `path`). If the sync fails, leaves
    /// an `UnsyncedTailMarker` naming the segment before rethrowing, so the next open rewrites
    /// it rather than trust pages a failed sync may have marked clean unwritten.
    static func syncTailOrLeaveMarker(_ file: any StorageFile, path: String, fileSystem: any FileSystem, options: SegmentedWALOptions,
                         metadata: Bool = false) throws {
        do {
            if metadata { try file.sync() } else { try file.syncData() }
        } catch {
            leaveUnsyncedTailMarker(segment: path, fileSystem: fileSystem, options: options, cause: error)
            throw error
        }
    }

    /// Writes the `UnsyncedTailMarker` naming the segment at `path` (atomically: temporary file,
    /// fsync, rename, directory fsync). Best effort: the disk that failed the sync may fail this
    /// too, which is logged as critical. An existing marker is never replaced: it names the
    /// earliest segment still to rewrite.
    static func leaveUnsyncedTailMarker(segment path: String, fileSystem: any FileSystem, options: SegmentedWALOptions, cause: any Error) {
        let markerPath = Path.join(Path.directory(of: path), UnsyncedTailMarker.fileName)
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
        for segment in segments[index...] {
            do {
                let file = try fileSystem.openFile(segment.path, options: .readWrite)
                defer { try? file.close() }
                let size = try file.size()
                let rewritten = try file.forEachPiece(from: 0, length: size) { piece, at in try file.write(piece, at: at) }
                guard rewritten == size else {
                    throw MantisError(.ioError, "the segment ended at \(rewritten) bytes though its size is \(size)", context: ErrorContext(operation: "rewrite wal tail", file: segment.path, offset: rewritten))
                }
                try file.syncData()
            } catch {
                let cause = MantisError.wrap(error, code: .ioError)
                throw MantisError(cause.code, "could not rewrite the log's tail as its unsynced-tail marker asks (the marker stays; the next open tries again)",
                                  context: ErrorContext(operation: "open wal", file: segment.path), cause: cause)
            }
        }
        options.logger.warning("rewrote and synced the write-ahead log's tail after the last open failed to sync it", metadata: [
            "segment": "\(segments[index].path)", "segments": "\(segments.count - index)",
        ])
        try fileSystem.removeItem(markerPath)
        try fileSystem.syncDirectory(directory)
        return segments.count - index
    }
}
