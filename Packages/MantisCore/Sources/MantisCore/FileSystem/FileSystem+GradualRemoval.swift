extension FileSystem {
    /// Removes the regular file at `path`, first cutting it short from the end `pacing.chunk`
    /// bytes at a time with `pacing.pause` after each cut, so the space is freed (and, on a
    /// `discard` mount, trimmed) in small steps that other I/O can pass. A file of at most one
    /// chunk, or `pacing` nil, is removed at once.
    ///
    /// Blocks the calling thread for about `size / chunk × pause`: call it from a thread of its
    /// own, never from a task on Swift's cooperative pool. Anything still reading the file sees
    /// it shrink, so callers first rename it where no reader looks (and fsync the directory, so a
    /// crash midway leaves a short file under that name, not under the old one).
    public func removeGradually(_ path: String, pacing: RemovalPacing?) throws {
        if let pacing {
            var size = try fileSize(path)
            if size > pacing.chunk {
                let file = try openFile(path, options: .readWrite)
                defer { try? file.close() }
                while size > pacing.chunk {
                    size -= pacing.chunk
                    try file.truncate(to: size)
                    BlockingSleep.sleep(for: pacing.pause)
                }
            }
        }
        try removeItem(path)
    }
}
