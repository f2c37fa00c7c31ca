import MantisCore

extension FaultInjectingFileSystem {
    /// Simulates a crash (see `CrashMode`). Afterwards the resulting state is the new durable
    /// state, every handle opened before throws `closed` on every call, and `generation` moves on.
    /// With a backing directory, the real files are rewritten to the post-crash state.
    @discardableResult
    public func crash(_ mode: CrashMode) -> CrashReport {
        state.withLock { state in
            var report = state.crash(mode)
            do {
                try state.rewriteBacking()
            } catch {
                report.backingError = "\(error)"
            }
            return report
        }
    }

    /// Adds an error-injection rule. Its trigger counts matching operations from now on.
    public func inject(_ rule: FaultRule) {
        state.withLock { $0.rules.append(ActiveRule(rule: rule)) }
    }

    /// Removes every injection rule and bit-flip setting (not `capacity`, not past corruption).
    public func removeAllFaults() {
        state.withLock { state in
            state.rules.removeAll()
            state.bitFlips.removeAll()
        }
    }

    /// Transient bit rot: with `probability`, each read (of a path containing `pathContains`)
    /// returns its bytes with exactly one random bit flipped. The stored bytes are unchanged.
    /// A call replaces the setting for the same `pathContains` (probability 0 turns it off);
    /// settings for different fragments add up, and the first that fires flips the bit.
    public func flipBitsOnRead(probability: Double, pathContains: String? = nil) {
        state.withLock { state in
            state.bitFlips.removeAll { $0.pathContains == pathContains }
            if probability > 0 { state.bitFlips.append(BitFlipRule(probability: probability, pathContains: pathContains)) }
        }
    }

    /// Bit rot at rest: XORs the byte at `offset` with `mask` in the current content, the durable
    /// content and every unsynced write covering it, so it survives syncs and crashes.
    /// Throws `notFound` if there is no such file, `invalidArgument` if `offset` is past its end.
    public func corrupt(path: String, offset: Int64, xor mask: UInt8) throws {
        try withState { try $0.corrupt(path: path, offset: offset, mask: mask) }
    }

    /// nil = unlimited. Otherwise the total size of all files (existing or still open) may not
    /// exceed it: growth beyond fails with `diskFull` (ENOSPC), a write keeping the prefix that
    /// fits; `diskSpace` then reports `capacity - used` available out of `capacity`.
    public var capacity: Int64? {
        get { state.withLock { $0.capacity } }
        set { state.withLock { $0.capacity = newValue } }
    }

    /// How many operations of a kind were attempted (failed ones included).
    public func operationCount(_ op: FaultOperation) -> Int {
        state.withLock { $0.counts[op, default: 0] }
    }

    /// A line per fault that fired (operation, errno or kind, path, offset, detail), in order.
    public var injectedFaults: [String] {
        state.withLock { $0.log }
    }

    /// What would survive `crash(.dropUnsynced)` now at `path` (looked up in the durable
    /// namespace), or nil if no durable file is there.
    public func durableContents(of path: String) -> [UInt8]? {
        state.withLock { state in
            guard let components = try? FaultState.components(of: path, operation: "stat"),
                let node = state.node(at: components, durable: true)
            else { return nil }
            return state.files[node]?.durable
        }
    }
}
