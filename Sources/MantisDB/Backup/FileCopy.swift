import MantisCore

enum FileCopy {
    /// Copies `source` to `destination` (temp file, synced every MiB and at the end, rename; the
    /// caller fsyncs the directory), at most `limit` bytes. Returns the bytes copied.
    @discardableResult
    static func copy(_ source: String, to destination: String, limit: Int64? = nil, fileSystem: any FileSystem) throws -> Int64 {
        let input = try fileSystem.openFile(source, options: .readOnly)
        defer { try? input.close() }
        let temporary = destination + ".tmp"
        try fileSystem.removeIfExists(temporary)
        let output = try fileSystem.openFile(temporary, options: .createNew)
        var offset: Int64 = 0
        do {
            let size = min(try input.size(), limit ?? Int64.max)
            var chunk = [UInt8](repeating: 0, count: 1 << 20)
            while offset < size {
                let want = Int(min(Int64(chunk.count), size - offset))
                let count = try chunk.withUnsafeMutableBytes { try input.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<want]), at: offset) }
                guard count > 0 else { break }
                try chunk.withUnsafeBytes { try output.write(UnsafeRawBufferPointer(rebasing: $0[0..<count]), at: offset) }
                offset += Int64(count)
                // Synced a MiB at a time: a live server's log syncs do not queue behind a whole file.
                if offset < size { try output.syncData() }
            }
            try output.sync()
            try output.close()
        } catch {
            try? output.close()
            try? fileSystem.removeItem(temporary)
            throw error
        }
        try fileSystem.rename(temporary, to: destination)
        return offset
    }
}
