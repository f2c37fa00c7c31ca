extension FileSystem {
    /// Takes files out of sight for good before `removeGradually` cuts them short: renames each
    /// to `<path>.removing` (`RemovalPacing.retiredSuffix`) and fsyncs `directory`, so after a
    /// crash a file is either whole under its name or gone from it. Returns the new paths.
    public func retire(_ paths: [String], in directory: String) throws -> [String] {
        var retired: [String] = []
        for path in paths {
            try rename(path, to: path + RemovalPacing.retiredSuffix)
            retired.append(path + RemovalPacing.retiredSuffix)
        }
        try syncDirectory(directory)
        return retired
    }

    /// Removes the regular file at `path`, first cutting it short from the end `pacing.chunk`
    /// bytes at a time with `pacing.pause` after each cut, so the space is freed (and, on a
    /// `discard` mount, trimmed) in small steps that other I/O can pass. A file of at most one
    /// chunk, or `pacing` nil, is removed at once; so is what is left of a file once its file
    /// system has less than `pacing.unpacedBelowFree` free.
    ///
    /// Blocks the calling thread for about `size / chunk × pause`: call it from a thread of its
    /// own, never from a task on Swift's cooperative pool. Anything still reading the file sees
    /// it shrink, so callers first `retire` it (a crash midway then leaves a short file under the
    /// retired name, not under the old one).
    ///
    /// Returns true if space ran short (`pacing.unpacedBelowFree`) and more than a chunk was
    /// unlinked at once, for the caller's log.
    @discardableResult
    public func removeGradually(_ path: String, pacing: RemovalPacing?) throws -> Bool {
        var hurried = false
        if let pacing {
            var size = try fileSize(path)
            if size > pacing.chunk {
                let file = try openFile(path, options: .readWrite)
                defer { try? file.close() }
                while size > pacing.chunk {
                    if pacing.isShortOfSpace(path, on: self) {
                        hurried = true
                        break
                    }
                    size -= pacing.chunk
                    try file.truncate(to: size)
                    BlockingSleep.sleep(for: pacing.pause)
                }
            }
        }
        try removeItem(path)
        return hurried
    }
}
