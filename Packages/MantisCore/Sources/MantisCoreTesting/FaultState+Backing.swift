import MantisCore

extension FaultState {
    /// Loads the real directory (created if missing) into the model; everything found is durable.
    mutating func load(_ backing: BackingDirectory) throws {
        try backing.posix.createDirectory(backing.root)
        var node = root
        for name in backing.components {
            node = addDurableDirectory(name, in: node)
        }
        try loadDirectory(backing.root, into: node, backing)
    }

    private mutating func loadDirectory(_ realPath: String, into node: NodeID, _ backing: BackingDirectory) throws {
        for name in try backing.posix.contentsOfDirectory(realPath) {
            let path = Path.join(realPath, name)
            switch try backing.posix.fileType(path) {
            case .directory:
                try loadDirectory(path, into: addDurableDirectory(name, in: node), backing)
            case .regular:
                let bytes = try backing.posix.readFile(path)
                let id = newNode()
                files[id] = FileNode(current: bytes, durable: bytes, parent: node, name: name)
                directories[node]!.entries[name] = id
                directories[node]!.durableEntries[name] = id
            case .other, nil:
                continue
            }
        }
    }

    /// The directory `name` in `parent`, created (and durable at once) if missing.
    mutating func addDurableDirectory(_ name: String, in parent: NodeID) -> NodeID {
        if let existing = directories[parent]!.entries[name], directories[existing] != nil { return existing }
        let id = newNode()
        directories[id] = DirectoryNode(parent: parent, name: name)
        directories[parent]!.entries[name] = id
        directories[parent]!.durableEntries[name] = id
        return id
    }

    /// Backing mode: refuses to change anything outside the backing directory.
    func requireInsideBacking(_ components: [String], path: String, operation: String) throws {
        guard let backing, !backing.contains(components) else { return }
        throw MantisError(
            .invalidArgument, "\(operation): path is outside the backing directory \(backing.root)",
            context: ErrorContext(operation: operation, file: path))
    }

    /// Mirrors a change to the real directory (no-op in memory).
    func mirror(_ body: (BackingDirectory) throws -> Void) throws {
        guard let backing else { return }
        try body(backing)
    }

    /// Mirrors a change to the real file of `node`, if it still has a path.
    func mirrorFile(_ node: NodeID, _ body: (any StorageFile) throws -> Void) throws {
        guard let backing, let path = currentPath(of: node) else { return }
        try backing.withFile(path, body)
    }

    /// After a crash: makes the real directory match the model exactly.
    func rewriteBacking() throws {
        guard let backing, let node = node(at: backing.components), directories[node] != nil else { return }
        try rewrite(directory: node, at: backing.root, backing)
    }

    private func rewrite(directory: NodeID, at realPath: String, _ backing: BackingDirectory) throws {
        try backing.posix.createDirectory(realPath)
        let entries = directories[directory]!.entries
        for name in try backing.posix.contentsOfDirectory(realPath) where entries[name] == nil {
            try backing.removeRecursively(Path.join(realPath, name))
        }
        for (name, child) in entries.sorted(by: { $0.key < $1.key }) {
            let path = Path.join(realPath, name)
            let existing = try backing.posix.fileType(path)
            if let file = files[child] {
                if existing == .directory { try backing.removeRecursively(path) }
                try backing.writeWhole(path, file.current)
            } else {
                if case .regular = existing { try backing.posix.removeItem(path) }
                try rewrite(directory: child, at: path, backing)
            }
        }
    }
}
