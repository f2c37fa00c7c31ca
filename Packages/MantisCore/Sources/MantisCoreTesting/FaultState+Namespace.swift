import MantisCore

extension FaultState {
    mutating func open(_ path: String, options: FileOpenOptions) throws -> HandleToken {
        count(.open)
        try checkUsable()
        try failIfInjected(.open, paths: [path])
        let components = try Self.components(of: path, operation: "open")
        guard let name = components.last else { throw TestingSyscall.error("open", path: path, errno: TestingSyscall.isDirectory) }
        let parent = try parentDirectory(of: components, path: path, operation: "open")
        let node: NodeID
        if let existing = directories[parent]!.entries[name] {
            if options.contains(.create) && options.contains(.exclusive) {
                throw TestingSyscall.error("open", path: path, errno: TestingSyscall.exists)
            }
            guard files[existing] != nil else { throw TestingSyscall.error("open", path: path, errno: TestingSyscall.isDirectory) }
            node = existing
            if options.contains(.truncate) {
                files[node]!.current.removeAll()
                files[node]!.pending.append(.truncate(0))
                try mirrorFile(node) { try $0.truncate(to: 0) }
            }
        } else {
            guard options.contains(.create) else { throw TestingSyscall.error("open", path: path, errno: TestingSyscall.noEntry) }
            try requireInsideBacking(components, path: path, operation: "open")
            node = newNode()
            files[node] = FileNode(parent: parent, name: name)
            directories[parent]!.entries[name] = node
            try mirror { try $0.writeWhole(Self.render(components), []) }
        }
        let token = HandleToken(id: nextHandle, node: node, generation: generation, writable: options.contains(.write))
        nextHandle += 1
        openHandles[token.id] = node
        files[node]!.openHandles += 1
        return token
    }

    /// Creates missing directories; they are durable at once (the model's simplification).
    mutating func createDirectory(_ path: String) throws {
        try checkUsable()
        let components = try Self.components(of: path, operation: "mkdir")
        var node = root
        for (index, name) in components.enumerated() {
            if let child = directories[node]!.entries[name] {
                if directories[child] != nil {
                    node = child
                    continue
                }
                if index == components.count - 1 {
                    throw MantisError(.alreadyExists, "exists and is not a directory", context: ErrorContext(file: path))
                }
                throw TestingSyscall.error("mkdir", path: path, errno: TestingSyscall.notDirectory)
            }
            try requireInsideBacking(Array(components[...index]), path: path, operation: "mkdir")
            node = addDurableDirectory(name, in: node)
        }
        try mirror { try $0.posix.createDirectory(Self.render(components)) }
    }

    mutating func contentsOfDirectory(_ path: String) throws -> [String] {
        count(.list)
        try checkUsable()
        try failIfInjected(.list, paths: [path])
        let components = try Self.components(of: path, operation: "opendir")
        guard let node = node(at: components) else { throw TestingSyscall.error("opendir", path: path, errno: TestingSyscall.noEntry) }
        guard let directory = directories[node] else {
            throw TestingSyscall.error("opendir", path: path, errno: TestingSyscall.notDirectory)
        }
        return directory.entries.keys.sorted()
    }

    func fileType(_ path: String) throws -> FileType? {
        if let unusable { throw unusable }
        if halted { throw Self.haltedError }
        guard let components = try? Self.components(of: path, operation: "stat"), let node = node(at: components) else {
            return nil
        }
        if let file = files[node] { return .regular(size: Int64(file.current.count)) }
        return .directory
    }

    mutating func rename(_ source: String, to destination: String) throws {
        count(.rename)
        try checkUsable()
        try failIfInjected(.rename, paths: [source, destination])
        func failure(_ code: Int32) -> MantisError {
            var error = TestingSyscall.error("rename", path: source, errno: code)
            error.context.metadata["destination"] = destination
            return error
        }
        let from = try Self.components(of: source, operation: "rename")
        let to = try Self.components(of: destination, operation: "rename")
        guard let name = from.last, let newName = to.last else { throw failure(TestingSyscall.busy) }
        try requireInsideBacking(from, path: source, operation: "rename")
        try requireInsideBacking(to, path: destination, operation: "rename")
        guard let fromParent = node(at: from.dropLast()), let moving = directories[fromParent]?.entries[name] else {
            throw failure(TestingSyscall.noEntry)
        }
        guard let toParent = node(at: to.dropLast()), directories[toParent] != nil else { throw failure(TestingSyscall.noEntry) }
        if from == to { return }
        let replaced = directories[toParent]!.entries[newName]
        if directories[moving] != nil {
            if to.starts(with: from) { throw failure(TestingSyscall.invalid) }
            if let replaced {
                guard let target = directories[replaced] else { throw failure(TestingSyscall.notDirectory) }
                guard target.entries.isEmpty else { throw failure(TestingSyscall.notEmpty) }
                directories[replaced]!.parent = nil
            }
            directories[moving]!.parent = toParent
            directories[moving]!.name = newName
        } else {
            if let replaced {
                guard files[replaced] != nil else { throw failure(TestingSyscall.isDirectory) }
                files[replaced]!.parent = nil
            }
            files[moving]!.parent = toParent
            files[moving]!.name = newName
        }
        directories[fromParent]!.entries[name] = nil
        directories[toParent]!.entries[newName] = moving
        try mirror { try $0.posix.rename(Self.render(from), to: Self.render(to)) }
        if replaced != nil { collectGarbage() }
    }

    mutating func removeItem(_ path: String) throws {
        count(.remove)
        try checkUsable()
        try failIfInjected(.remove, paths: [path])
        let components = try Self.components(of: path, operation: "remove")
        guard let name = components.last else { throw TestingSyscall.error("remove", path: path, errno: TestingSyscall.busy) }
        try requireInsideBacking(components, path: path, operation: "remove")
        guard let parent = node(at: components.dropLast()), let node = directories[parent]?.entries[name] else {
            throw TestingSyscall.error("remove", path: path, errno: TestingSyscall.noEntry)
        }
        if let directory = directories[node] {
            guard directory.entries.isEmpty else { throw TestingSyscall.error("remove", path: path, errno: TestingSyscall.notEmpty) }
            directories[node]!.parent = nil
        } else {
            files[node]!.parent = nil
        }
        directories[parent]!.entries[name] = nil
        try mirror { try $0.posix.removeItem(Self.render(components)) }
        collectGarbage()
    }

    /// Makes the directory's current entries its durable entries. A failed (injected) directory
    /// sync changes nothing durable.
    mutating func syncDirectory(_ path: String) throws {
        count(.directorySync)
        try checkUsable()
        try failIfInjected(.directorySync, paths: [path])
        let components = try Self.components(of: path, operation: "open")
        guard let node = node(at: components) else { throw TestingSyscall.error("open", path: path, errno: TestingSyscall.noEntry) }
        guard directories[node] != nil else { throw TestingSyscall.error("open", path: path, errno: TestingSyscall.notDirectory) }
        directories[node]!.durableEntries = directories[node]!.entries
        collectGarbage()
    }
}
