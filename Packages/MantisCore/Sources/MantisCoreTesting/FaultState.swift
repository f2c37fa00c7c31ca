import MantisCore

/// The whole model of `FaultInjectingFileSystem`, kept behind its one mutex.
///
/// Iteration that consumes randomness always runs in a sorted order, so a seed replays exactly.
struct FaultState: Sendable {
    static let sectorSize = 512
    /// Files larger than this are refused (EFBIG): the model keeps every byte in memory.
    static let maximumFileSize = 1 << 34
    /// `diskSpace().total` in memory when no capacity is set.
    static let unlimitedTotal: Int64 = 1 << 40

    let root: NodeID = 0
    var files: [NodeID: FileNode] = [:]
    var directories: [NodeID: DirectoryNode] = [0: DirectoryNode()]
    var nextNode = 1
    var generation = 0
    var nextHandle = 0
    var openHandles: [Int: NodeID] = [:]

    var rules: [ActiveRule] = []
    var bitFlips: [BitFlipRule] = []
    var capacity: Int64?
    var counts: [FaultOperation: Int] = [:]
    var log: [String] = []

    /// Independent streams, so that e.g. a probability rule does not shift crash outcomes.
    var faultRandom: SplitMix64
    var writeRandom: SplitMix64
    var flipRandom: SplitMix64
    var crashRandom: SplitMix64

    let backing: BackingDirectory?
    /// Set when the backing directory could not be loaded: every file-system call throws it.
    var unusable: MantisError?
    /// Set by `halt()`: the machine is down, every call fails until `restart()`.
    var halted = false

    init(seed: UInt64, backingDirectory: String?) {
        var streams = SplitMix64(seed: seed)
        faultRandom = SplitMix64(seed: streams.next())
        writeRandom = SplitMix64(seed: streams.next())
        flipRandom = SplitMix64(seed: streams.next())
        crashRandom = SplitMix64(seed: streams.next())
        if let backingDirectory {
            let backing = BackingDirectory(path: backingDirectory)
            self.backing = backing
            do {
                try load(backing)
            } catch {
                unusable = MantisError(
                    .invalidConfiguration, "cannot load the backing directory", context: ErrorContext(file: backing.root),
                    cause: MantisError.wrap(error, code: .ioError))
            }
        } else {
            backing = nil
        }
    }

    mutating func checkUsable() throws {
        if let unusable { throw unusable }
        if halted { throw Self.haltedError }
    }

    static let haltedError = MantisError(.ioError, "the file system is halted (simulated machine crash)", context: ErrorContext(errno: 5))

    mutating func count(_ operation: FaultOperation) {
        counts[operation, default: 0] += 1
    }

    mutating func newNode() -> NodeID {
        defer { nextNode += 1 }
        return nextNode
    }

    // MARK: paths

    /// The components of `path`: empty ones and `.` dropped, `..` resolved lexically.
    /// Relative paths are taken from the root, so `a/b` and `/a/b` name the same file.
    static func components(of path: String, operation: String) throws -> [String] {
        guard !path.isEmpty else { throw TestingSyscall.error(operation, path: path, errno: TestingSyscall.noEntry) }
        var result: [String] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." {
                if !result.isEmpty { result.removeLast() }
                continue
            }
            result.append(String(part))
        }
        return result
    }

    static func render(_ components: some Collection<String>) -> String {
        "/" + components.joined(separator: "/")
    }

    /// The node at `components` in the current (or durable) namespace.
    func node(at components: some Collection<String>, durable: Bool = false) -> NodeID? {
        var node = root
        for name in components {
            guard let directory = directories[node],
                let child = (durable ? directory.durableEntries : directory.entries)[name]
            else { return nil }
            node = child
        }
        return node
    }

    /// The directory that holds (or would hold) the last component; ENOENT if there is none.
    func parentDirectory(of components: [String], path: String, operation: String) throws -> NodeID {
        guard let parent = node(at: components.dropLast()), directories[parent] != nil else {
            throw TestingSyscall.error(operation, path: path, errno: TestingSyscall.noEntry)
        }
        return parent
    }

    /// The current path of a node, or nil if it (or a directory above it) was removed.
    func currentPath(of node: NodeID) -> String? {
        var names: [String] = []
        var cursor = node
        while cursor != root {
            if let file = files[cursor], let parent = file.parent {
                names.append(file.name)
                cursor = parent
            } else if let directory = directories[cursor], let parent = directory.parent {
                names.append(directory.name)
                cursor = parent
            } else {
                return nil
            }
        }
        return Self.render(names.reversed())
    }

    /// Every regular file of the current namespace, by path (depth first, names sorted).
    func currentFiles() -> [(path: String, node: NodeID)] {
        var result: [(path: String, node: NodeID)] = []
        func visit(_ directory: NodeID, _ prefix: [String]) {
            guard let entries = directories[directory]?.entries else { return }
            for (name, child) in entries.sorted(by: { $0.key < $1.key }) {
                if files[child] != nil {
                    result.append((Self.render(prefix + [name]), child))
                } else {
                    visit(child, prefix + [name])
                }
            }
        }
        visit(root, [])
        return result
    }

    /// Drops nodes no namespace (current or durable) and no open handle can reach.
    mutating func collectGarbage() {
        var live: Set<NodeID> = [root]
        var stack = [root]
        for node in openHandles.values where live.insert(node).inserted { stack.append(node) }
        while let node = stack.popLast() {
            guard let directory = directories[node] else { continue }
            for child in directory.entries.values where live.insert(child).inserted { stack.append(child) }
            for child in directory.durableEntries.values where live.insert(child).inserted { stack.append(child) }
        }
        if live.count == files.count + directories.count { return }
        files = files.filter { live.contains($0.key) }
        directories = directories.filter { live.contains($0.key) }
    }
}
