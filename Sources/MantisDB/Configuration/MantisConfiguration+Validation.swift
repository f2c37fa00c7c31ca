import MantisCore
import ObservabilityKit
import WALKit

extension MantisConfiguration {
    /// Checks a configuration built in code the way `load` checks a loaded one.
    /// - Throws: `MantisError(.invalidConfiguration)` listing every problem.
    public func validate(registry: ComponentRegistry = .standard, checkDataDirectory: Bool = true) throws {
        let problems = problems(registry: registry, checkDataDirectory: checkDataDirectory)
        guard problems.isEmpty else { throw ConfigurationProblem.error(problems) }
    }

    /// What single-key parsing cannot see: names not in the registry, settings that contradict
    /// each other, directories that cannot be written. `sources` names where values came from.
    public func problems(
        registry: ComponentRegistry = .standard, sources: [String: ConfigurationSource] = [:], checkDataDirectory: Bool = true
    ) -> [ConfigurationProblem] {
        var problems: [ConfigurationProblem] = []
        func source(_ key: String) -> ConfigurationSource { sources[key] ?? .defaultValue }
        func add(_ key: String, _ value: String?, _ message: String) {
            problems.append(ConfigurationProblem(key: key, value: value, message: message, source: source(key)))
        }
        /// `wal.durability "async" (MANTISDB_WAL_DURABILITY)` — another key in a message.
        func other(_ key: String, _ value: String) -> String {
            let from = source(key)
            return from == .defaultValue ? "\(key) \(ConfigurationProblem.quote(value)) (default)" : "\(key) \(ConfigurationProblem.quote(value)) (from \(from))"
        }

        // Implementation names.
        for setting in Self.settings {
            switch (setting.type, setting.value(in: self)) {
            case (.component(let point), .text(let name)) where !registry.contains(name, for: point):
                add(setting.key, name, unknownName(point, registry: registry, name: name))
            case (.componentList(let point), .list(let names)):
                for name in names where !registry.contains(name, for: point) {
                    add(setting.key, name, unknownName(point, registry: registry, name: name))
                }
            default: break
            }
        }

        // Durability and the RPO.
        let durability = wal.durability.rawValue
        if let rpo {
            if wal.kind == "memory" {
                // Nothing reaches the disk: every write is lost when the process ends.
                add("rpo", ConfigurationSyntax.formatDuration(rpo), "cannot be met with \(other("wal.kind", wal.kind)): the log is kept in memory only, so every write is lost when the process exits; set rpo to null to accept that (tests, throwaway caches), or use wal.kind segmented")
            } else if wal.durability == .os {
                // The log is never synced on a timer: no bound on what a power loss takes.
                add("rpo", ConfigurationSyntax.formatDuration(rpo), "cannot be met with \(other("wal.durability", durability)), which survives a process crash but syncs the log on no schedule (a power loss can take every write since the last sync); set rpo to null to accept that, or use wal.durability sync (or async with wal.flush_interval within the rpo)")
            } else if rpo == .zero, wal.durability != .sync {
                add("rpo", "0", "requires wal.durability \"sync\" (no acknowledged write may be lost), but it is \(other("wal.durability", durability)); set wal.durability to sync, or rpo to the loss you accept (at least wal.flush_interval)")
            } else if rpo > .zero, wal.durability == .async, wal.flushInterval > rpo {
                add("wal.flush_interval", ConfigurationSyntax.formatDuration(wal.flushInterval),
                    "exceeds \(other("rpo", ConfigurationSyntax.formatDuration(rpo))): with async durability writes could stay undurable longer than the rpo allows; lower wal.flush_interval or raise rpo")
            }
        }

        if removalPause > .seconds(1) {
            add("removal_pause", ConfigurationSyntax.formatDuration(removalPause),
                "is longer than 1s: deleting a 64 MiB segment in 256KiB cuts would take over a minute; use at most 1s, or set removal_chunk to null to unlink at once")
        }

        // WAL geometry.
        let alignment = wal.syncAlignment
        if alignment & (alignment - 1) != 0 {
            add("wal.sync_alignment", "\(alignment)", "is not a power of two; allowed values: 8, 16, 32, … 4KiB … 1MiB (use the device's physical sector size, usually 4096)")
        } else if wal.segmentSize < alignment * 4 {
            add("wal.segment_size", ConfigurationSyntax.formatSize(wal.segmentSize),
                "is too small for \(other("wal.sync_alignment", ConfigurationSyntax.formatSize(alignment))): a segment must be at least 4 x sync_alignment (\(ConfigurationSyntax.formatSize(alignment * 4)))")
        }
        // The WAL caps records at what fits in one segment; an explicit larger limit is a mistake
        // worth reporting (the default one is silently capped, as documented).
        let fitsInSegment = wal.segmentSize - max(WALFormat.segmentHeaderSize, alignment) - WALFormat.recordHeaderSize - WALFormat.recordAlignment
        if wal.maxRecordSize > fitsInSegment, wal.segmentSize >= alignment * 4, sources["wal.max_record_size"] != nil {
            add("wal.max_record_size", ConfigurationSyntax.formatSize(wal.maxRecordSize),
                "does not fit in one segment of \(other("wal.segment_size", ConfigurationSyntax.formatSize(wal.segmentSize))): at most \(max(0, fitsInSegment)) bytes; raise wal.segment_size or lower wal.max_record_size")
        }
        let walRecordLimit = min(wal.maxRecordSize, max(0, fitsInSegment))
        /// The log's record limit, named by the setting that sets it.
        var recordLimit: String {
            walRecordLimit == wal.maxRecordSize
                ? other("wal.max_record_size", ConfigurationSyntax.formatSize(wal.maxRecordSize))
                : "the \(walRecordLimit)-byte record limit of \(other("wal.segment_size", ConfigurationSyntax.formatSize(wal.segmentSize)))"
        }
        if transactions.maxRecordPayload > walRecordLimit, wal.segmentSize >= alignment * 4 {
            add("transactions.max_record_payload", ConfigurationSyntax.formatSize(transactions.maxRecordPayload),
                "exceeds \(recordLimit): commits would be split into records the WAL refuses; lower transactions.max_record_payload")
        }

        // A value the protocol accepts but no log record can hold would be received in full and
        // then refused (with an error naming the key). An explicit bulk limit above the record
        // limit expects such values; the default one is left alone, as the record limit is.
        if wal.kind == "segmented", wal.segmentSize >= alignment * 4, sources["server.max_bulk_length"] != nil,
           server.maxBulkLength > walRecordLimit {
            add("server.max_bulk_length", ConfigurationSyntax.formatSize(server.maxBulkLength),
                "exceeds \(recordLimit): a value that large could be received but never stored; lower server.max_bulk_length or raise wal.max_record_size")
        }

        // Backoffs.
        if checkpoint.retryInitialDelay > checkpoint.retryMaxDelay {
            add("checkpoint.retry_initial_delay", ConfigurationSyntax.formatDuration(checkpoint.retryInitialDelay),
                "exceeds \(other("checkpoint.retry_max_delay", ConfigurationSyntax.formatDuration(checkpoint.retryMaxDelay)))")
        }
        if transactions.retryInitialDelay > transactions.retryMaxDelay {
            add("transactions.retry_initial_delay", ConfigurationSyntax.formatDuration(transactions.retryInitialDelay),
                "exceeds \(other("transactions.retry_max_delay", ConfigurationSyntax.formatDuration(transactions.retryMaxDelay)))")
        }

        // Servers.
        if server.maxPipelineBytes < server.maxBulkLength {
            add("server.max_pipeline_bytes", ConfigurationSyntax.formatSize(server.maxPipelineBytes),
                "is less than \(other("server.max_bulk_length", ConfigurationSyntax.formatSize(server.maxBulkLength))): a request carrying the largest allowed value could never be buffered")
        }
        if admin.enabled, admin.port != 0, admin.port == server.port, Self.hostsOverlap(admin.host, server.host) {
            add("admin.port", "\(admin.port)", "is also \(other("server.port", "\(server.port)")): the RESP and admin servers need different ports")
        }

        if let soft = integrity.memorySoftLimit, let hard = integrity.memoryHardLimit, soft >= hard {
            add("integrity.memory_soft_limit", ConfigurationSyntax.formatSize(soft),
                "is not below \(other("integrity.memory_hard_limit", ConfigurationSyntax.formatSize(hard))): collection and slowing down must start before writes are refused; lower it or raise the hard limit")
        }

        // Values parsed when the database opens: checked here too, so `config check` finds them.
        if let reserve = integrity.diskReserve, case .failure(let problem) = Self.diskReserve(reserve) {
            add("integrity.disk_reserve", reserve, problem.reason)
        }
        let webhookURL = alerts.webhookURL ?? ""
        if alerts.sinks.contains("webhook"), webhookURL.isEmpty {
            add("alerts.sinks", "webhook", "needs alerts.webhook_url (http://host:port/path), which is not set")
        }
        if !webhookURL.isEmpty, let reason = HTTPEndpoint.problem(with: webhookURL) {
            add("alerts.webhook_url", nil, reason)  // a secret: not quoted
        }

        // Directories.
        if checkDataDirectory {
            if let reason = Self.writableDirectoryProblem(dataDirectory) {
                add("data_dir", dataDirectory, reason)
            }
            if let archive = wal.archiveDirectory, wal.kind == "segmented", let reason = Self.writableDirectoryProblem(archive) {
                add("wal.archive_dir", archive, reason)
            }
        }
        return problems
    }

    private func unknownName(_ point: ExtensionPoint, registry: ComponentRegistry, name: String) -> String {
        let names = registry.names(for: point)
        return "is not a registered \(point.rawValue); valid names: \(names.joined(separator: ", "))\(Spelling.hint(for: name, among: names))"
    }

    static func hostsOverlap(_ a: String, _ b: String) -> Bool {
        let wildcard: Set<String> = ["0.0.0.0", "::", "[::]", "*"]
        return a == b || wildcard.contains(a) || wildcard.contains(b)
    }

    /// Why `path` cannot serve as a writable directory, or nil if it can: it is created if
    /// missing (mode 0700, parents too), and a probe file is created and removed in it.
    static func writableDirectoryProblem(_ path: String) -> String? {
        let fileSystem = PosixFileSystem()
        func reason(_ error: any Error) -> String { (error as? MantisError)?.message ?? "\(error)" }
        do {
            if case .some(let type) = try fileSystem.fileType(path), type != .directory {
                return "exists and is not a directory"
            }
            try fileSystem.createDirectory(path)
        } catch {
            return "cannot be created: \(reason(error)); create it and give the server's user write access, or choose another directory"
        }
        let probe = Path.join(path, ".mantisdb-write-probe-\(UInt64.random(in: 0 ... .max))")
        do {
            let file = try fileSystem.openFile(probe, options: [.write, .create, .exclusive])
            defer { try? fileSystem.removeItem(probe) }
            do {
                try file.write([0x4D], at: 0)
            } catch {
                try? file.close()
                throw error
            }
            try file.close()
        } catch {
            return "is not writable: \(reason(error)); give the server's user write access, or choose another directory"
        }
        return nil
    }
}
