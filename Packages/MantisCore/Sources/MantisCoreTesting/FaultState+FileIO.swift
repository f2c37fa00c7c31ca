import MantisCore

extension FaultState {
    func checkOpen(_ token: HandleToken, path: String) throws {
        if halted { throw Self.haltedError }
        guard token.generation == generation else {
            throw MantisError(.closed, "file handle invalidated by a simulated crash", context: ErrorContext(file: path))
        }
        guard openHandles[token.id] != nil else {
            throw MantisError(.closed, "file is closed", context: ErrorContext(file: path))
        }
    }

    mutating func read(_ token: HandleToken, path: String, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws -> Int {
        count(.read)
        try checkOpen(token, path: path)
        guard offset >= 0 else { throw TestingSyscall.error("pread", path: path, errno: TestingSyscall.invalid, offset: offset) }
        try failIfInjected(.read, paths: [path], offset: offset)
        guard let base = buffer.baseAddress, !buffer.isEmpty else { return 0 }
        let content = files[token.node]!.current
        guard offset < Int64(content.count) else { return 0 }
        let start = Int(offset)
        let count = min(buffer.count, content.count - start)
        content.withUnsafeBytes { source in
            base.copyMemory(from: source.baseAddress! + start, byteCount: count)
        }
        maybeFlipBit(in: UnsafeMutableRawBufferPointer(rebasing: buffer[..<count]), path: path, offset: offset)
        return count
    }

    mutating func write(_ token: HandleToken, path: String, bytes: UnsafeRawBufferPointer, at offset: Int64) throws {
        count(.write)
        try checkOpen(token, path: path)
        guard token.writable else { throw TestingSyscall.error("pwrite", path: path, errno: TestingSyscall.badDescriptor, offset: offset) }
        guard offset >= 0 else { throw TestingSyscall.error("pwrite", path: path, errno: TestingSyscall.invalid, offset: offset) }
        guard offset <= Int64(Self.maximumFileSize - bytes.count) else {
            throw TestingSyscall.error("pwrite", path: path, errno: TestingSyscall.tooBig, offset: offset)
        }
        let data = [UInt8](bytes)
        let start = Int(offset)
        if let rule = firingRule(.write, paths: [path]) {
            // A real short write: a prefix of whole sectors (possibly none) reaches the page cache.
            let cuts = Self.sectorCuts(offset: start, length: data.count, includingEnd: false)
            let kept = fittingLength(token.node, offset: start, length: cuts[writeRandom.below(cuts.count)] - start)
            if kept > 0 { try apply(token.node, write: data[..<kept], at: start) }
            record("write", "\(rule.failure)", path: path, offset: offset, detail: "short write kept \(kept) of \(data.count) byte(s)")
            throw Self.injectedError(.write, rule.failure, path: path, offset: offset + Int64(kept))
        }
        guard !data.isEmpty else { return }
        let fitting = fittingLength(token.node, offset: start, length: data.count)
        if fitting < data.count {
            if fitting > 0 { try apply(token.node, write: data[..<fitting], at: start) }
            record("write", "ENOSPC", path: path, offset: offset, detail: "capacity \(capacity ?? 0) reached, kept \(fitting) of \(data.count) byte(s)")
            var error = TestingSyscall.error("pwrite", path: path, errno: TestingSyscall.noSpace, offset: offset + Int64(fitting), injected: true)
            error.context.metadata["capacity"] = "\(capacity ?? 0)"
            throw error
        }
        try apply(token.node, write: data[...], at: start)
    }

    private mutating func apply(_ node: NodeID, write bytes: ArraySlice<UInt8>, at offset: Int) throws {
        PendingChange.write(bytes, at: offset, into: &files[node]!.current)
        files[node]!.pending.append(.write(offset: offset, bytes: Array(bytes)))
        try mirrorFile(node) { try $0.write(Array(bytes), at: Int64(offset)) }
    }

    /// The offsets a write of `length` bytes at `offset` may be cut at: its start, every 512-byte
    /// boundary inside it, and (if `includingEnd`) its end.
    static func sectorCuts(offset: Int, length: Int, includingEnd: Bool) -> [Int] {
        var cuts = [offset]
        var boundary = (offset / sectorSize + 1) * sectorSize
        while boundary < offset + length {
            cuts.append(boundary)
            boundary += sectorSize
        }
        if includingEnd && length > 0 { cuts.append(offset + length) }
        return cuts
    }

    func size(_ token: HandleToken, path: String) throws -> Int64 {
        try checkOpen(token, path: path)
        return Int64(files[token.node]!.current.count)
    }

    mutating func truncate(_ token: HandleToken, path: String, to size: Int64) throws {
        count(.truncate)
        try checkOpen(token, path: path)
        guard token.writable, size >= 0 else { throw TestingSyscall.error("ftruncate", path: path, errno: TestingSyscall.invalid) }
        guard size <= Int64(Self.maximumFileSize) else { throw TestingSyscall.error("ftruncate", path: path, errno: TestingSyscall.tooBig) }
        try failIfInjected(.truncate, paths: [path], offset: size)
        try resize(token, path: path, to: Int(size), operation: "ftruncate", change: .truncate(Int(size)))
    }

    mutating func preallocate(_ token: HandleToken, path: String, length: Int64) throws {
        count(.preallocate)
        try checkOpen(token, path: path)
        guard token.writable else { throw TestingSyscall.error("fallocate", path: path, errno: TestingSyscall.badDescriptor) }
        guard length >= 0 else { throw TestingSyscall.error("fallocate", path: path, errno: TestingSyscall.invalid) }
        guard length <= Int64(Self.maximumFileSize) else { throw TestingSyscall.error("fallocate", path: path, errno: TestingSyscall.tooBig) }
        try failIfInjected(.preallocate, paths: [path], offset: 0)
        guard Int(length) > files[token.node]!.current.count else { return }
        try resize(token, path: path, to: Int(length), operation: "fallocate", change: .preallocate(Int(length)))
    }

    private mutating func resize(_ token: HandleToken, path: String, to size: Int, operation: String, change: PendingChange) throws {
        let oldSize = files[token.node]!.current.count
        if size > oldSize && fittingLength(token.node, offset: oldSize, length: size - oldSize) < size - oldSize {
            record(operation, "ENOSPC", path: path, offset: Int64(oldSize), detail: "capacity \(capacity ?? 0) reached")
            var error = TestingSyscall.error(operation, path: path, errno: TestingSyscall.noSpace, offset: Int64(oldSize), injected: true)
            error.context.metadata["capacity"] = "\(capacity ?? 0)"
            throw error
        }
        change.apply(to: &files[token.node]!.current)
        files[token.node]!.pending.append(change)
        try mirrorFile(token.node) { try $0.truncate(to: Int64(size)) }
    }

    /// A successful sync makes durable what the pending changes describe. A failed one drops them
    /// ("fsyncgate"): reads still see them, but no later sync will make them durable.
    mutating func sync(_ token: HandleToken, path: String, dataOnly: Bool) throws {
        count(.sync)
        try checkOpen(token, path: path)
        if let rule = firingRule(.sync, paths: [path]) {
            let lost = files[token.node]!.pending.count
            files[token.node]!.pending.removeAll()
            let call = TestingSyscall.operationName(.sync, dataOnly: dataOnly)
            record(call, "\(rule.failure)", path: path, offset: nil, detail: "\(lost) unsynced change(s) lost for durability")
            throw Self.injectedError(.sync, rule.failure, path: path, offset: nil, dataOnly: dataOnly)
        }
        let pending = files[token.node]!.pending
        files[token.node]!.pending.removeAll()
        for change in pending { change.apply(to: &files[token.node]!.durable) }
    }

    mutating func close(_ token: HandleToken, path: String) throws {
        guard token.generation == generation else {
            throw MantisError(.closed, "file handle invalidated by a simulated crash", context: ErrorContext(file: path))
        }
        guard openHandles.removeValue(forKey: token.id) != nil else { return }
        files[token.node]!.openHandles -= 1
        if files[token.node]!.parent == nil { collectGarbage() }
    }
}
