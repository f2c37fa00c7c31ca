import MantisCore

extension FaultState {
    /// Counts a matching operation for every rule and returns the first rule that fires.
    /// Every rule sees every operation, so adding a rule never shifts another rule's count.
    mutating func firingRule(_ operation: FaultOperation, paths: [String]) -> FaultRule? {
        var fired: FaultRule?
        for index in rules.indices {
            let rule = rules[index].rule
            guard rule.operations.contains(operation) else { continue }
            if let fragment = rule.pathContains, !paths.contains(where: { $0.contains(fragment) }) { continue }
            rules[index].matched += 1
            let matched = rules[index].matched
            let fires: Bool
            switch rule.trigger {
            case .nth(let n):
                fires = matched == n
            case .fromNth(let n):
                fires = matched >= n
            case .probability(let p):
                fires = faultRandom.chance(p)
            }
            if fires && fired == nil { fired = rule }
        }
        return fired
    }

    /// Appends a line to the log of faults that fired.
    mutating func record(_ operation: String, _ what: String, path: String, offset: Int64?, detail: String? = nil) {
        var line = "#\(log.count + 1) gen \(generation) \(operation) \(what) \(path)"
        if let offset { line += " @\(offset)" }
        if let detail { line += ": \(detail)" }
        log.append(line)
    }

    static func errno(of failure: FaultRule.Failure) -> Int32 {
        switch failure {
        case .eio: TestingSyscall.io
        case .enospc: TestingSyscall.noSpace
        }
    }

    static func injectedError(
        _ operation: FaultOperation, _ failure: FaultRule.Failure, path: String, offset: Int64?, dataOnly: Bool = false
    ) -> MantisError {
        TestingSyscall.error(
            TestingSyscall.operationName(operation, dataOnly: dataOnly), path: path, errno: errno(of: failure),
            offset: offset, injected: true)
    }

    /// Throws the injected error if a rule fires for this operation (logging it).
    mutating func failIfInjected(_ operation: FaultOperation, paths: [String], offset: Int64? = nil) throws {
        guard let rule = firingRule(operation, paths: paths) else { return }
        record("\(operation)", "\(rule.failure)", path: paths[0], offset: offset)
        throw Self.injectedError(operation, rule.failure, path: paths[0], offset: offset)
    }

    // MARK: capacity

    /// Bytes held by files that still exist or are still open.
    func usedBytes() -> Int64 {
        var used: Int64 = 0
        for file in files.values where file.parent != nil || file.openHandles > 0 {
            used += Int64(file.current.count)
        }
        return used
    }

    /// How many bytes of a change ending at `offset + length` fit under the capacity.
    func fittingLength(_ node: NodeID, offset: Int, length: Int) -> Int {
        guard let capacity else { return length }
        let size = files[node]!.current.count
        let growth = max(0, offset + length - size)
        let room = capacity - usedBytes()
        if Int64(growth) <= room { return length }
        let maximumEnd = size + Int(max(0, room))
        return max(0, min(length, maximumEnd - offset))
    }

    func diskSpace(_ path: String) throws -> DiskSpace {
        let components = try Self.components(of: path, operation: "statvfs")
        guard node(at: components) != nil else {
            throw TestingSyscall.error("statvfs", path: path, errno: TestingSyscall.noEntry)
        }
        let used = usedBytes()
        if let capacity { return DiskSpace(available: max(0, capacity - used), total: capacity) }
        if let backing { return try backing.posix.diskSpace(backing.root) }
        return DiskSpace(available: Self.unlimitedTotal - used, total: Self.unlimitedTotal)
    }

    // MARK: bit rot

    /// Transient read corruption: flips one random bit of `buffer` if a flip rule fires.
    mutating func maybeFlipBit(in buffer: UnsafeMutableRawBufferPointer, path: String, offset: Int64) {
        guard !buffer.isEmpty else { return }
        for flip in bitFlips {
            if let fragment = flip.pathContains, !path.contains(fragment) { continue }
            guard flipRandom.chance(flip.probability) else { continue }
            let bit = flipRandom.below(buffer.count * 8)
            buffer[bit / 8] ^= UInt8(1) << UInt8(bit % 8)
            record("read", "bit flip", path: path, offset: offset + Int64(bit / 8), detail: "bit \(bit % 8) of the returned byte")
            return
        }
    }

    /// Persistent corruption: XORs the byte in every version of the file (current, durable and
    /// every pending write covering it), so it survives syncs and crashes.
    mutating func corrupt(path: String, offset: Int64, mask: UInt8) throws {
        try checkUsable()
        let components = try Self.components(of: path, operation: "corrupt")
        guard let node = node(at: components), files[node] != nil else {
            throw TestingSyscall.error("corrupt", path: path, errno: TestingSyscall.noEntry)
        }
        guard offset >= 0, offset < Int64(files[node]!.current.count) else {
            throw MantisError(
                .invalidArgument, "corrupt: offset beyond the end of the file",
                context: ErrorContext(operation: "corrupt", file: path, offset: offset))
        }
        let at = Int(offset)
        files[node]!.current[at] ^= mask
        if at < files[node]!.durable.count { files[node]!.durable[at] ^= mask }
        for index in files[node]!.pending.indices {
            guard case .write(let start, var bytes) = files[node]!.pending[index],
                start <= at, at < start + bytes.count
            else { continue }
            bytes[at - start] ^= mask
            files[node]!.pending[index] = .write(offset: start, bytes: bytes)
        }
        record("corrupt", "xor 0x\(String(mask, radix: 16))", path: path, offset: offset)
        let byte = files[node]!.current[at]
        try mirrorFile(node) { try $0.write([byte], at: offset) }
    }
}
