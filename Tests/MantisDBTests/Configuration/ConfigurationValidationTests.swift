import Foundation
import MantisCore
import MantisDB
import Testing

@Suite("Configuration validation errors") struct ConfigurationValidationTests {
    /// Expects exactly one problem, about `key`, whose text contains every fragment.
    func expectProblem(
        _ yaml: String?, environment: [String: String] = [:], overrides: [String: String] = [:],
        key: String, contains fragments: [String], sourceLine: Int? = nil, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let problems = try ConfigFixture.problems(yaml, environment: environment, overrides: overrides)
        #expect(problems.count == 1, "\(problems)", sourceLocation: sourceLocation)
        guard let problem = problems.first else { return }
        #expect(problem.key == key, "\(problem)", sourceLocation: sourceLocation)
        let text = problem.description
        for fragment in fragments {
            #expect(text.contains(fragment), "\"\(fragment)\" not in: \(text)", sourceLocation: sourceLocation)
        }
        if let sourceLine {
            guard case .file(_, let line) = problem.source else {
                Issue.record("source is \(problem.source), not the file", sourceLocation: sourceLocation)
                return
            }
            #expect(line == sourceLine, sourceLocation: sourceLocation)
            #expect(text.contains("mantisdb.yaml:\(sourceLine): "), sourceLocation: sourceLocation)
        }
    }

    // MARK: Unknown keys

    @Test("an unknown key in the file: full path, line, and the likely key")
    func unknownFileKey() throws {
        try expectProblem("data_dir: /tmp\nwal:\n  durabilty: async\n", key: "wal.durabilty",
                          contains: ["is not a configuration key", "did you mean \"wal.durability\""], sourceLine: 3)
        try expectProblem("durability: async\n", key: "durability", contains: ["did you mean \"wal.durability\""], sourceLine: 1)
        try expectProblem("colour: blue\n", key: "colour", contains: ["is not a configuration key"], sourceLine: 1)
    }

    @Test("an unknown MANTISDB_ environment variable is an error; others are ignored")
    func unknownEnvironmentVariable() throws {
        try expectProblem(nil, environment: ["MANTISDB_WAL_DURABILTY": "async", "HOME": "/root"], key: "MANTISDB_WAL_DURABILTY",
                          contains: ["environment variable MANTISDB_WAL_DURABILTY", "did you mean \"MANTISDB_WAL_DURABILITY\""])
    }

    @Test("MANTISDB_HUGE_PAGES, read by the process itself, is not refused as an unknown setting")
    func processVariablesPassThrough() throws {
        let loaded = try MantisConfiguration.load(file: nil, environment: ["MANTISDB_HUGE_PAGES": "off"], overrides: [:], checkDataDirectory: false)
        #expect(loaded == MantisConfiguration())
        try expectProblem(nil, environment: ["MANTISDB_HUGE_PAGES": "off", "MANTISDB_HUGE_PAGE": "off"], key: "MANTISDB_HUGE_PAGE",
                          contains: ["is not a MantisDB setting"])
    }

    @Test("an unknown command-line key")
    func unknownOverride() throws {
        try expectProblem(nil, overrides: ["server.prot": "1"], key: "server.prot",
                          contains: ["command line (server.prot)", "did you mean \"server.port\""])
        // A section given a value, as in a file: what to set instead.
        try expectProblem(nil, overrides: ["server": "5"], key: "server",
                          contains: ["is a section, not a value", "server.port"])
    }

    @Test("a bad value hidden by a higher layer is still reported, at its own source")
    func overriddenButInvalid() throws {
        try expectProblem("server: {port: abc}\n", environment: ["MANTISDB_SERVER_PORT": "7400"], key: "server.port",
                          contains: ["\"abc\" is not a whole number", "overridden by environment variable MANTISDB_SERVER_PORT"], sourceLine: 1)
        try expectProblem(nil, environment: ["MANTISDB_WAL_DURABILITY": "fast"], overrides: ["wal.durability": "sync"], key: "wal.durability",
                          contains: ["environment variable MANTISDB_WAL_DURABILITY: wal.durability: \"fast\"", "overridden by command line"])
    }

    @Test("hints only for likely typos")
    func hints() throws {
        let problem = try ConfigFixture.problem(nil, environment: ["MANTISDB_FOO": "1"])
        #expect(problem?.description.contains("did you mean") == false, "\(String(describing: problem))")
    }

    // MARK: Types and shapes

    @Test("wrong types name the key, the value and what is allowed")
    func wrongTypes() throws {
        try expectProblem("server:\n  port: abc\n", key: "server.port", contains: ["\"abc\" is not a whole number"], sourceLine: 2)
        try expectProblem("integrity: {verify_reads: maybe}\n", key: "integrity.verify_reads", contains: ["\"maybe\"", "true, false"], sourceLine: 1)
        try expectProblem(nil, environment: ["MANTISDB_SERVER_PORT": "70000"], key: "server.port",
                          contains: ["\"70000\" is out of range; allowed values: 0...65535", "MANTISDB_SERVER_PORT"])
        try expectProblem(nil, overrides: ["server.port": "-1"], key: "server.port", contains: ["\"-1\"", "0...65535", "command line"])
        try expectProblem("checkpoint: {keep: 0}\n", key: "checkpoint.keep", contains: ["\"0\" is out of range; allowed values: 1...1000"])
    }

    @Test("shapes: a mapping or list where a value belongs, a value where a section belongs")
    func shapes() throws {
        try expectProblem("server:\n  port:\n    number: 1\n", key: "server.port", contains: ["is a mapping; expected a single value (integer)"], sourceLine: 3)
        try expectProblem("server: {port: [1, 2]}\n", key: "server.port", contains: ["is a list"], sourceLine: 1)
        try expectProblem("wal: fast\n", key: "wal", contains: ["is a section", "durability"], sourceLine: 1)
        try expectProblem("alerts: {sinks: [{name: log}]}\n", key: "alerts.sinks", contains: ["mapping as an item"])
        try expectProblem("- a\n- b\n", key: "(file)", contains: ["top level must be a mapping"])
    }

    @Test("a value that may not be null")
    func nullNotAllowed() throws {
        try expectProblem("server: {port: null}\n", key: "server.port", contains: ["has no value", "integer"])
        try expectProblem("data_dir:\n", key: "data_dir", contains: ["has no value"])
    }

    @Test("a choice lists the allowed words", arguments: [
        ("wal.durability", "fast", "sync, async, os"),
        ("safe_mode", "maybe", "read-only, refuse"),
        ("logging.level", "verbose", "trace, debug, info, notice, warning, error, critical"),
        ("logging.format", "xml", "text, json"),
    ])
    func badChoice(key: String, value: String, allowed: String) throws {
        try expectProblem(nil, overrides: [key: value], key: key, contains: ["\"\(value)\" is not valid; allowed values: \(allowed)"])
    }

    @Test("bad sizes and durations name the key and the syntax")
    func badSizesAndDurations() throws {
        try expectProblem("wal: {segment_size: 64XB}\n", key: "wal.segment_size", contains: ["\"64XB\"", "unknown size unit", "MiB", "MB"], sourceLine: 1)
        try expectProblem("wal: {max_record_size: 1GiB}\n", key: "wal.max_record_size", contains: ["\"1GiB\" is out of range", "1...64MiB"])
        try expectProblem("checkpoint: {interval: 5}\n", key: "checkpoint.interval", contains: ["\"5\" has no unit", "5s"])
        try expectProblem("transactions: {lock_timeout: 0s}\n", key: "transactions.lock_timeout", contains: ["must be more than 0"])
        try expectProblem("rpo: soon\n", key: "rpo", contains: ["\"soon\""])
    }

    // MARK: Conflicts

    @Test("the memory WAL meets no rpo: every write is lost at exit, so it needs rpo null", arguments: ["0", "1s"])
    func rpoWithMemoryWAL(rpo: String) throws {
        try expectProblem("wal: {kind: memory}\nrpo: \(rpo)\n", key: "rpo", contains: ["wal.kind \"memory\"", "lost when the process exits", "rpo to null"])
        #expect(try ConfigFixture.problems("wal: {kind: memory}\nrpo: null\n").isEmpty)
    }

    @Test("rpo 0 requires sync durability")
    func rpoZero() throws {
        try expectProblem("rpo: 0\nwal: {durability: async}\n", key: "rpo",
                          contains: ["requires wal.durability \"sync\"", "\"async\" (from", "mantisdb.yaml:2"], sourceLine: 1)
    }

    @Test("os durability meets no rpo: the advice is rpo null", arguments: ["0", "250ms"])
    func rpoWithOSDurability(rpo: String) throws {
        try expectProblem("rpo: \(rpo)\nwal: {durability: os}\n", key: "rpo",
                          contains: ["cannot be met with wal.durability \"os\" (from", "mantisdb.yaml:2", "set rpo to null"], sourceLine: 1)
        #expect(try ConfigFixture.problems(nil, overrides: ["wal.durability": "os", "rpo": "null"]).isEmpty)
    }

    @Test("an async flush interval longer than the rpo")
    func flushIntervalOverRPO() throws {
        try expectProblem(nil, environment: ["MANTISDB_RPO": "20"], overrides: ["wal.durability": "async", "wal.flush_interval": "50ms"],
                          key: "wal.flush_interval", contains: ["\"50ms\" exceeds rpo \"20ms\" (from environment variable MANTISDB_RPO)"])
        // Equal is fine, and so is no rpo at all.
        #expect(try ConfigFixture.problems(nil, overrides: ["wal.durability": "async", "wal.flush_interval": "20ms", "rpo": "20"]).isEmpty)
        #expect(try ConfigFixture.problems(nil, overrides: ["wal.durability": "async", "wal.flush_interval": "2s", "rpo": "null"]).isEmpty)
    }

    @Test("WAL geometry: alignment a power of two, segments big enough, records that fit")
    func walGeometry() throws {
        try expectProblem("wal: {sync_alignment: 3000}\n", key: "wal.sync_alignment", contains: ["\"3000\" is not a power of two", "4KiB"])
        try expectProblem("wal: {sync_alignment: 1MiB, segment_size: 2MiB, max_record_size: 1KiB}\ntransactions: {max_record_payload: 1KiB}\n",
                          key: "wal.segment_size", contains: ["\"2MiB\" is too small", "4 x sync_alignment (4MiB)"])
        try expectProblem("wal: {sync_alignment: 1MiB, segment_size: 2MiB}\n", key: "wal.segment_size", contains: ["too small"])
        try expectProblem("wal: {segment_size: 4MiB, max_record_size: 16MiB}\n", key: "wal.max_record_size",
                          contains: ["\"16MiB\" does not fit in one segment", "wal.segment_size \"4MiB\" (from"])
        // The default record limit is capped to the segment silently (the WAL does the same).
        #expect(try ConfigFixture.problems("wal: {segment_size: 4MiB}\n").isEmpty)
        try expectProblem("wal: {segment_size: 16KiB}\n", key: "transactions.max_record_payload",
                          contains: ["\"1MiB\" exceeds the", "record limit of wal.segment_size \"16KiB\""])
        try expectProblem("wal: {max_record_size: 512KiB}\n", key: "transactions.max_record_payload",
                          contains: ["\"1MiB\" exceeds wal.max_record_size \"512KiB\""])
        try expectProblem("wal: {segment_size: 4KiB}\n", key: "wal.segment_size", contains: ["out of range", "4160"])
    }

    @Test("removal pacing: a chunk in range, a pause of at most 1s")
    func removalPacing() throws {
        try expectProblem("removal_pause: 5s\n", key: "removal_pause", contains: ["\"5s\" is longer than 1s", "removal_chunk to null"])
        try expectProblem("removal_chunk: 100\n", key: "removal_chunk", contains: ["out of range"])
        #expect(try ConfigFixture.problems("removal_chunk: 1MiB\nremoval_pause: 0ms\n").isEmpty)
        #expect(try ConfigFixture.problems("removal_chunk: null\nremoval_pause: 1s\n").isEmpty)
    }

    @Test("values the open parses (disk reserve, webhook) are checked with the rest; the webhook URL is never quoted")
    func valuesParsedAtOpen() throws {
        try expectProblem("integrity: {disk_reserve: lots}\n", key: "integrity.disk_reserve",
                          contains: ["\"lots\" is neither a size (256MiB, 1GB) nor a percentage (5%)"], sourceLine: 1)
        try expectProblem("integrity: {disk_reserve: 150%}\n", key: "integrity.disk_reserve", contains: ["is not a percentage between 0% and 100%"])
        try expectProblem("alerts: {sinks: [log, webhook]}\n", key: "alerts.sinks", contains: ["needs alerts.webhook_url"])
        for (url, why) in [("ftp://user:hunter4@host/x", "is not an http:// URL"), ("https://hooks.example/hunter4", "uses https")] {
            let problems = try ConfigFixture.problems("alerts: {webhook_url: \"\(url)\"}\n")
            #expect(problems.count == 1 && problems.first?.key == "alerts.webhook_url", "\(problems)")
            #expect(problems.first?.description.contains(why) == true && problems.first?.description.contains("hunter4") == false,
                    "\(problems)")
        }
        #expect(try ConfigFixture.problems("integrity: {disk_reserve: 5%}\nalerts: {sinks: [webhook], webhook_url: \"http://h:9/x\"}\n").isEmpty)
        try expectProblem("integrity: {memory_soft_limit: 2GiB, memory_hard_limit: 1GiB}\n", key: "integrity.memory_soft_limit",
                          contains: ["is not below integrity.memory_hard_limit \"1GiB\""])
        #expect(try ConfigFixture.problems("integrity: {memory_soft_limit: 1GiB, memory_hard_limit: 2GiB}\n").isEmpty)
    }

    @Test("server limits and ports")
    func servers() throws {
        try expectProblem("server: {max_bulk_length: 256MiB}\nwal: {kind: memory}\nrpo: null\n", key: "server.max_pipeline_bytes",
                          contains: ["\"128MiB\" is less than server.max_bulk_length \"256MiB\""])
        try expectProblem("server: {port: 8000}\nadmin: {port: 8000}\n", key: "admin.port", contains: ["\"8000\" is also server.port \"8000\""], sourceLine: 2)
        #expect(try ConfigFixture.problems("server: {port: 8000}\nadmin: {port: 8000, enabled: false}\n").isEmpty)
        #expect(try ConfigFixture.problems("server: {port: 8000, host: 127.0.0.1}\nadmin: {port: 8000, host: 10.1.1.1}\n").isEmpty)
        try expectProblem("checkpoint: {retry_initial_delay: 2m}\n", key: "checkpoint.retry_initial_delay", contains: ["exceeds checkpoint.retry_max_delay"])
    }

    @Test("a bulk limit set above what one log record holds")
    func bulkLengthOverTheRecordLimit() throws {
        try expectProblem("server: {max_bulk_length: 32MiB}\n", key: "server.max_bulk_length", contains: [
            "\"32MiB\" exceeds wal.max_record_size \"16MiB\" (default): a value that large could be received but never stored",
            "lower server.max_bulk_length or raise wal.max_record_size",
        ], sourceLine: 1)
        try expectProblem("server: {max_bulk_length: 16MiB}\nwal: {segment_size: 4MiB}\n", key: "server.max_bulk_length",
                          contains: ["\"16MiB\" exceeds the", "record limit of wal.segment_size \"4MiB\" (from"])
        try expectProblem(nil, overrides: ["server.max_bulk_length": "2MiB", "wal.max_record_size": "1MiB"],
                          key: "server.max_bulk_length", contains: ["wal.max_record_size \"1MiB\" (from command line"])
        // Within the limit; the default limit (documented: the write's error names the key); the
        // memory log, which has no record limit.
        #expect(try ConfigFixture.problems("server: {max_bulk_length: 16MiB}\n").isEmpty)
        #expect(try ConfigFixture.problems("server: {max_bulk_length: 1MiB}\nwal: {max_record_size: 1MiB}\n").isEmpty)
        #expect(try ConfigFixture.problems("wal: {segment_size: 4MiB}\n").isEmpty)
        #expect(try ConfigFixture.problems("server: {max_bulk_length: 64MiB}\nwal: {kind: memory}\nrpo: null\n").isEmpty)
    }

    // MARK: Names

    @Test("an unknown implementation name lists the valid ones", arguments: [
        ("file_system", "ext4", "posix"),
        ("wal.kind", "disk", "memory, segmented"),
        ("integrity.checksum", "md5", "crc32, crc32c"),
        ("checkpoint.codec", "zstd", "lz4, none, zlib"),
        ("transactions.lock_policy", "optimistic", "timeout, wait-die, wait-for-graph, wound-wait"),
        ("alerts.sinks", "pager", "file, log, webhook"),
        ("metrics.exporter", "statsd", "none, prometheus"),
    ])
    func unknownNames(key: String, name: String, valid: String) throws {
        try expectProblem(nil, overrides: [key: name], key: key, contains: ["\"\(name)\" is not a registered", "valid names: \(valid)"])
    }

    @Test("a misspelt name gets a suggestion")
    func nameSuggestion() throws {
        try expectProblem("checkpoint: {codec: lz5}\n", key: "checkpoint.codec", contains: ["did you mean \"lz4\""], sourceLine: 1)
    }

    // MARK: Collected errors

    @Test("every problem is reported at once, one per line, in one invalidConfiguration error")
    func collected() throws {
        let scratch = try ConfigScratch()
        defer { scratch.remove() }
        let file = try scratch.write("server:\n  port: abc\nwal:\n  durability: fast\nbogus: 1\n")
        do {
            _ = try MantisConfiguration.load(file: file, environment: ["MANTISDB_NOPE": "1"], overrides: ["admin.port": "x"],
                                             checkDataDirectory: false)
            Issue.record("loaded an invalid configuration")
        } catch let error as MantisError {
            #expect(error.code == .invalidConfiguration)
            let lines = error.message.split(separator: "\n")
            #expect(lines.first == "invalid configuration (5 problems):")
            #expect(lines.count == 6)
            #expect(error.message.contains("\(file):5: bogus: is not a configuration key"))
            #expect(error.message.contains("\(file):2: server.port: \"abc\" is not a whole number"))
            #expect(error.message.contains("\(file):4: wal.durability: \"fast\" is not valid; allowed values: sync, async, os"))
            #expect(error.message.contains("environment variable MANTISDB_NOPE: MANTISDB_NOPE: is not a MantisDB setting"))
            #expect(error.message.contains("command line (admin.port): admin.port: \"x\" is not a whole number"))
        }
    }

    @Test("YAML syntax errors and a missing file name the file (and line)")
    func fileErrors() throws {
        try expectProblem("server:\n  port: [1, 2\n", key: "(file)", contains: ["is not valid YAML"])
        let problems = try ConfigFixture.problems("server:\n  port: 1\n  port: 2\n")
        #expect(problems.count == 1 && problems.first?.message.contains("duplicate key") == true, "\(problems)")
        let missing = MantisConfiguration.inspect(file: "/nonexistent/mantisdb.yaml", checkDataDirectory: false).1
        #expect(missing.count == 1 && missing[0].description.hasPrefix("/nonexistent/mantisdb.yaml: (file): cannot read"), "\(missing)")
    }

    @Test("secrets are never echoed in errors")
    func secretsRedacted() throws {
        let problem = try ConfigFixture.problem("server: {requirepass: [hunter2]}\n")
        #expect(problem?.key == "server.requirepass" && problem?.message.contains("is a list") == true)
        #expect(problem?.description.contains("hunter2") == false)
    }

    // MARK: Data directory

    @Test("an unusable data directory: a clear message, no crash")
    func unwritableDataDirectory() throws {
        let scratch = try ConfigScratch()
        defer { scratch.remove() }
        let blocker = try scratch.write("not a directory", to: "blocker")
        let asFile = MantisConfiguration.inspect(file: nil, overrides: ["data_dir": blocker]).1
        #expect(asFile.count == 1 && asFile[0].key == "data_dir")
        #expect(asFile.first?.description.contains("\"\(blocker)\" exists and is not a directory") == true, "\(asFile)")

        let below = blocker + "/data"
        let underFile = MantisConfiguration.inspect(file: nil, overrides: ["data_dir": below]).1
        #expect(underFile.count == 1 && underFile.first?.description.contains("\"\(below)\" cannot be created") == true, "\(underFile)")

        let archive = MantisConfiguration.inspect(file: nil, overrides: ["data_dir": scratch.dataDirectory, "wal.archive_dir": below]).1
        #expect(archive.count == 1 && archive.first?.key == "wal.archive_dir", "\(archive)")
    }

    @Test("a read-only data directory is refused", .enabled(if: geteuid() != 0, "root writes anywhere"))
    func readOnlyDataDirectory() throws {
        let scratch = try ConfigScratch()
        defer {
            try? FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: scratch.dataDirectory)
            scratch.remove()
        }
        try FileManager.default.createDirectory(atPath: scratch.dataDirectory, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o500], ofItemAtPath: scratch.dataDirectory)
        let problems = MantisConfiguration.inspect(file: nil, overrides: ["data_dir": scratch.dataDirectory]).1
        #expect(problems.count == 1 && problems.first?.description.contains("is not writable") == true, "\(problems)")
    }

    @Test("a writable data directory is created and left clean")
    func createsDataDirectory() throws {
        let scratch = try ConfigScratch()
        defer { scratch.remove() }
        let dir = scratch.dataDirectory + "/nested"
        let c = try MantisConfiguration.load(file: nil, environment: [:], overrides: ["data_dir": dir])
        #expect(c.dataDirectory == dir)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
    }
}
