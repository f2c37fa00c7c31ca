extension FileSystem {
    /// Copies `source` to `destination`, at most `limit` bytes: written to `<destination>.tmp`
    /// (a stale one is replaced), synced every MiB as it goes (so a live log's syncs never queue
    /// behind a whole file) and fsynced at the end, then renamed into place. The caller fsyncs the
    /// destination's directory. On an error the temporary file is removed. Returns the bytes copied.
    ///
    /// `readingFrom` reads the source through another file system (e.g. a rate-limited view of
    /// this one); nil: this one.
    @discardableResult
    public func copyFile(_ source: String, to destination: String, limit: Int64? = nil,
                         readingFrom sourceSystem: (any FileSystem)? = nil) throws -> Int64 {
        let input = try (sourceSystem ?? self).openFile(source, options: .readOnly)
        defer { try? input.close() }
        return try writeThroughTemporary(destination) { output in
            let size = min(try input.size(), limit ?? Int64.max)
            return try input.forEachPiece(from: 0, length: size) { piece, offset in
                try output.write(piece, at: offset)
                if offset + Int64(piece.count) < size { try output.syncData() }
            }
        }
    }
}
