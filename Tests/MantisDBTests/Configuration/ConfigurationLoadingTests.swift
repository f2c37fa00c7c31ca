import Foundation
import Logging
import MantisCore
import MantisDB
import RecoveryKit
import TxnKit
import WALKit
import Testing

@Suite("Configuration loading and precedence") struct ConfigurationLoadingTests {
    @Test("the embedded default: ./mantisdb-data, sync, lz4, RESP 127.0.0.1:7379, admin 127.0.0.1:7380")
    func embeddedDefault() throws {
        let defaults = MantisConfiguration()
        #expect(defaults == MantisConfiguration.embeddedDefault)
        #expect(defaults.dataDirectory == "./mantisdb-data")
        #expect(defaults.fileSystem == "posix")
        #expect(defaults.wal.kind == "segmented" && defaults.wal.durability == .sync && defaults.wal.effectiveDurability == .sync)
        #expect(defaults.checkpoint.codec == "lz4")
        #expect(defaults.rpo == .zero)
        #expect(defaults.server.host == "127.0.0.1" && defaults.server.port == 7379)
        #expect(defaults.admin.enabled && defaults.admin.host == "127.0.0.1" && defaults.admin.port == 7380)
        #expect(defaults.alerts.sinks == ["log"] && defaults.metrics.exporter == "prometheus")
        #expect(defaults.logging.level == .info && defaults.logging.format == .text)
        #expect(defaults.safeMode == .readOnly)
    }

    @Test("no file, no environment, no flags: exactly the embedded default, all from defaults")
    func loadWithNothing() throws {
        let loaded = try ConfigFixture.load(nil)
        #expect(loaded.configuration == MantisConfiguration())
        #expect(loaded.sources.isEmpty)
        #expect(loaded.source(of: "server.port") == .defaultValue)
        #expect(try MantisConfiguration.load(file: nil, environment: [:], overrides: [:], checkDataDirectory: false) == MantisConfiguration())
    }

    @Test("the default values match the options types' own defaults where they share them")
    func defaultsMatchOptionTypes() throws {
        let options = try MantisConfiguration().databaseOptions(logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        let walDefaults = SegmentedWALOptions()
        #expect(options.wal.segmentSize == walDefaults.segmentSize && options.wal.maxPendingBytes == walDefaults.maxPendingBytes)
        #expect(options.wal.syncAlignment == walDefaults.syncAlignment && options.wal.maxRecordSize == walDefaults.maxRecordSize)
        #expect(options.transactions.lockTimeout == TransactionManagerOptions().lockTimeout)
        #expect(options.transactions.maxWriteSetBytes == TransactionManagerOptions().maxWriteSetBytes)
        #expect(options.checkpoints.interval == CheckpointOptions().interval && options.checkpoints.keep == CheckpointOptions().keep)
        #expect(options.retry.maxAttempts == TransactionRetryPolicy().maxAttempts)
        #expect(options.wal.removalPacing == walDefaults.removalPacing && options.checkpoints.removalPacing == CheckpointOptions().removalPacing)
        #expect(MantisConfiguration().respServerOptions() == RESPServerOptions())
        #expect(MantisConfiguration().adminServerOptions() == AdminServerOptions())
    }

    @Test("flag > environment > file > default, with each value's source")
    func precedence() throws {
        let yaml = "data_dir: /tmp/x\nserver:\n  port: 7001\n  host: 0.0.0.0\n"
        let env = ["MANTISDB_SERVER_PORT": "7002", "MANTISDB_SERVER_HOST": "10.0.0.1"]
        let flags = ["server.port": "7003"]

        let all = try ConfigFixture.load(yaml, environment: env, overrides: flags)
        #expect(all.configuration.server.port == 7003)
        #expect(all.source(of: "server.port") == .commandLine(key: "server.port"))
        #expect(all.configuration.server.host == "10.0.0.1")
        #expect(all.source(of: "server.host") == .environment(variable: "MANTISDB_SERVER_HOST"))
        #expect(all.configuration.dataDirectory == "/tmp/x")
        guard case .file(_, let line) = all.source(of: "data_dir") else { Issue.record("data_dir not from the file"); return }
        #expect(line == 1)

        let noFlag = try ConfigFixture.load(yaml, environment: env)
        #expect(noFlag.configuration.server.port == 7002)
        #expect(noFlag.source(of: "server.port") == .environment(variable: "MANTISDB_SERVER_PORT"))

        let fileOnly = try ConfigFixture.load(yaml)
        #expect(fileOnly.configuration.server.port == 7001)
        guard case .file(_, let portLine) = fileOnly.source(of: "server.port") else { Issue.record("port not from the file"); return }
        #expect(portLine == 3)

        let nothing = try ConfigFixture.load(nil)
        #expect(nothing.configuration.server.port == 7379 && nothing.source(of: "server.port") == .defaultValue)

        // A flag beats the environment even with no file.
        let noFile = try ConfigFixture.load(nil, environment: ["MANTISDB_WAL_DURABILITY": "os", "MANTISDB_RPO": "null"],
                                            overrides: ["wal.durability": "sync"])
        #expect(noFile.configuration.wal.durability == .sync && noFile.configuration.rpo == nil)
    }

    @Test("environment variable names: MANTISDB_ + the key upper-cased, '.' as '_'; all distinct")
    func environmentNames() throws {
        #expect(MantisConfiguration.setting("wal.durability")?.environmentVariable == "MANTISDB_WAL_DURABILITY")
        #expect(MantisConfiguration.setting("server.port")?.environmentVariable == "MANTISDB_SERVER_PORT")
        #expect(MantisConfiguration.setting("data_dir")?.environmentVariable == "MANTISDB_DATA_DIR")
        let names = MantisConfiguration.settings.map(\.environmentVariable)
        #expect(Set(names).count == names.count)
        #expect(Set(MantisConfiguration.settings.map(\.key)).count == MantisConfiguration.settings.count)

        let loaded = try ConfigFixture.load(nil, environment: [
            "MANTISDB_WAL_DURABILITY": "async", "MANTISDB_WAL_FLUSH_INTERVAL": "5ms", "MANTISDB_RPO": "50",
            "MANTISDB_WAL_SEGMENT_SIZE": "8MiB", "MANTISDB_ALERTS_SINKS": "log", "MANTISDB_ADMIN_ENABLED": "false",
            "MANTISDB_SERVER_REQUIREPASS": "s3cret", "PATH": "/usr/bin", "HOME": "/root",
        ])
        let c = loaded.configuration
        #expect(c.wal.effectiveDurability == .async(flushInterval: .milliseconds(5)))
        #expect(c.rpo == .milliseconds(50) && c.wal.segmentSize == 8 << 20 && c.alerts.sinks == ["log"])
        #expect(!c.admin.enabled && c.server.requirePassword == "s3cret")
    }

    @Test("a full file in the documented shape (flow and block mappings) loads every value")
    func fullFile() throws {
        let yaml = """
        data_dir: /var/lib/mantisdb
        file_system: posix
        wal: {kind: segmented, durability: async, flush_interval: 10ms, segment_size: 32MiB, segment_max_age: 1h, sync_alignment: 4096, max_pending: 16MiB, max_record_size: 8MiB, archive_dir: null}
        checkpoint: {codec: zlib, zlib_level: 6, interval: 10m, wal_bytes: 1GiB, keep: 3, on_close: false}
        rpo: 100                      # ms
        integrity: {checksum: crc32c, verify_reads: false}
        transactions: {lock_policy: wound-wait, lock_timeout: 2s, timeout: 30s, max_write_set: 64MiB, max_attempts: 3}
        safe_mode: refuse
        server:
          host: 0.0.0.0
          port: 6379
          max_connections: 10
          idle_timeout: 5m
          requirepass: "hunter2"
        admin: {enabled: true, host: 127.0.0.1, port: 9090, token: abc}
        alerts: {sinks: [log]}
        metrics: {exporter: none}
        logging: {level: debug, format: json}
        """
        let c = try ConfigFixture.load(yaml).configuration
        #expect(c.dataDirectory == "/var/lib/mantisdb")
        #expect(c.wal.effectiveDurability == .async(flushInterval: .milliseconds(10)))
        #expect(c.wal.segmentSize == 32 << 20 && c.wal.segmentMaxAge == .seconds(3600) && c.wal.maxPending == 16 << 20)
        #expect(c.wal.maxRecordSize == 8 << 20 && c.wal.archiveDirectory == nil)
        #expect(c.checkpoint.codec == "zlib" && c.checkpoint.zlibLevel == 6 && c.checkpoint.interval == .seconds(600))
        #expect(c.checkpoint.walBytes == 1 << 30 && c.checkpoint.keep == 3 && !c.checkpoint.onClose)
        #expect(c.rpo == .milliseconds(100))
        #expect(c.integrity.checksum == "crc32c" && !c.integrity.verifyReads)
        #expect(c.transactions.lockPolicy == "wound-wait" && c.transactions.lockTimeout == .seconds(2) && c.transactions.maxAttempts == 3)
        #expect(c.safeMode == .refuse)
        #expect(c.server.host == "0.0.0.0" && c.server.port == 6379 && c.server.maxConnections == 10)
        #expect(c.server.idleTimeout == .seconds(300) && c.server.requirePassword == "hunter2")
        #expect(c.admin.port == 9090 && c.admin.token == "abc")
        #expect(c.metrics.exporter == "none" && c.logging.level == .debug && c.logging.format == .json)
    }

    @Test("removal_chunk and removal_pause reach the log and the checkpointer; null unlinks at once")
    func removalPacing() throws {
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let paced = try ConfigFixture.load("removal_chunk: 1MiB\nremoval_pause: 5ms\n").configuration.databaseOptions(logger: logger)
        #expect(paced.wal.removalPacing == RemovalPacing(chunk: 1 << 20, pause: .milliseconds(5)))
        #expect(paced.checkpoints.removalPacing == RemovalPacing(chunk: 1 << 20, pause: .milliseconds(5)))
        let atOnce = try ConfigFixture.load(nil, environment: ["MANTISDB_REMOVAL_CHUNK": "null"]).configuration.databaseOptions(logger: logger)
        #expect(atOnce.wal.removalPacing == nil && atOnce.checkpoints.removalPacing == nil)
    }

    @Test("`config init` output: every key, commented, and it parses back to exactly the defaults")
    func defaultFileRoundTrip() throws {
        let text = MantisConfiguration.defaultFileText()
        for setting in MantisConfiguration.settings {
            let leaf = setting.components.last!
            #expect(text.contains("\(leaf): "), "\(setting.key) missing from the default file")
        }
        #expect(text.contains("# type: size; default: 64MiB"))
        #expect(text.contains("allowed: sync, async, os"))
        #expect(text.contains("allowed: crc32, crc32c"))
        #expect(text.contains("allowed: lz4, none, zlib"))
        let loaded = try ConfigFixture.load(text)
        #expect(loaded.configuration == MantisConfiguration())
        #expect(loaded.sources.count == MantisConfiguration.settings.count, "every key is set by the file")
    }

    @Test("the effective YAML `config check` prints loads back to the same configuration")
    func effectiveRoundTrip() throws {
        let yaml = "wal:\n  durability: async\n  flush_interval: 3ms\nrpo: 250ms\nserver: {host: \"::1\", port: 7400}\nalerts: {sinks: []}\nwal_dummy_line_is_not_here: null\n"
        let problems = try ConfigFixture.problems(yaml)
        #expect(problems.count == 1 && problems.first?.key == "wal_dummy_line_is_not_here")
        let loaded = try ConfigFixture.load(yaml.replacingOccurrences(of: "wal_dummy_line_is_not_here: null\n", with: ""),
                                            environment: ["MANTISDB_ADMIN_TOKEN": "t0ken"])
        let printed = loaded.configuration.effectiveYAML(sources: loaded.sources)
        #expect(printed.contains("durability: async  # "))
        #expect(printed.contains("token: \"<redacted>\"  # environment variable MANTISDB_ADMIN_TOKEN"))
        #expect(!printed.contains("t0ken"))
        var expected = loaded.configuration
        expected.admin.token = "<redacted>"
        #expect(try ConfigFixture.load(printed).configuration == expected)
        #expect(loaded.configuration.server.host == "::1" && loaded.configuration.alerts.sinks.isEmpty)
    }

    @Test("command-line lists are comma-separated; null unsets a nullable key")
    func overridesSyntax() throws {
        let c = try ConfigFixture.load("server: {idle_timeout: 5m}\n", overrides: [
            "alerts.sinks": "log, log", "server.idle_timeout": "null", "checkpoint.interval": "~", "checkpoint.wal_bytes": "",
        ]).configuration
        #expect(c.alerts.sinks == ["log"])
        #expect(c.server.idleTimeout == nil && c.checkpoint.interval == nil && c.checkpoint.walBytes == nil)
    }

    @Test("wal.loop_sync_bound: 1ms by default, a duration, or null (event loops never lead a sync)")
    func loopSyncBound() throws {
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        #expect(MantisConfiguration().segmentedWALOptions(logger: logger).shortRoundBound == .milliseconds(1))
        let five = try ConfigFixture.load("wal: {loop_sync_bound: 5ms}\n").configuration
        #expect(five.segmentedWALOptions(logger: logger).shortRoundBound == .milliseconds(5))
        let never = try ConfigFixture.load("wal: {loop_sync_bound: null}\n").configuration
        #expect(never.wal.loopSyncBound == nil && never.segmentedWALOptions(logger: logger).shortRoundBound == .zero)
    }

    @Test("server.event_loops: one per core (NIO's shared group) by default, a number, null; 0 and words are refused")
    func eventLoops() throws {
        #expect(MantisConfiguration().server.eventLoops == nil)
        #expect(try ConfigFixture.load("server: {event_loops: 1}\n").configuration.server.eventLoops == 1)
        #expect(try ConfigFixture.load("server: {event_loops: null}\n").configuration.server.eventLoops == nil)
        let zero = try ConfigFixture.problems("server: {event_loops: 0}\n")
        #expect(zero.count == 1 && zero.first?.key == "server.event_loops" && zero.first?.description.contains("1...1024") == true, "\(zero)")
        let word = try ConfigFixture.problems(nil, environment: ["MANTISDB_SERVER_EVENT_LOOPS": "two"])
        #expect(word.count == 1 && word.first?.description.contains("not a whole number") == true, "\(word)")
    }

    @Test("the mapping to DatabaseOptions, RESPServerOptions and AdminServerOptions")
    func mapping() throws {
        let c = try ConfigFixture.load("""
        data_dir: /srv/db
        wal: {kind: memory, durability: async, flush_interval: 20ms, segment_size: 1MiB, sync_alignment: 512, max_record_size: 512KiB, archive_dir: /srv/archive, zero_fill_segments: false}
        checkpoint: {codec: none, interval: null, wal_bytes: 10MiB, keep: 4, on_close: false, block_size: 64KiB}
        rpo: null
        integrity: {checksum: crc32c, verify_reads: false}
        transactions: {lock_policy: timeout, lock_timeout: 1s, timeout: 9s, max_write_set: 1MiB, max_record_payload: 256KiB, max_attempts: 2}
        safe_mode: refuse
        server: {host: 0.0.0.0, port: 1, max_connections: 2, max_bulk_length: 3KiB, max_pipeline_bytes: 4KiB, max_array_length: 5, idle_timeout: 6s, requirepass: pw, shutdown_grace_period: 0s}
        admin: {enabled: false, host: 0.0.0.0, port: 2, token: tk}
        logging: {level: warning}
        """).configuration
        let options = try c.databaseOptions(logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        #expect(options.directory == "/srv/db" && options.walKind == .memory)
        #expect(options.wal.durability == .async(flushInterval: .milliseconds(20)))
        #expect(options.wal.segmentSize == 1 << 20 && options.wal.syncAlignment == 512 && options.wal.maxRecordSize == 512 << 10)
        #expect(options.wal.archiveDirectory == "/srv/archive" && !options.wal.zeroFillSegments)
        #expect(options.checkpointCodec.name == "none" && options.checkpoints.interval == nil && options.checkpoints.walBytes == 10 << 20)
        #expect(options.checkpoints.keep == 4 && !options.checkpointOnClose && options.checkpoints.blockSize == 64 << 10)
        #expect(options.rpo == nil && options.checksum.name == "crc32c" && !options.verifyReads)
        let withRPO = try ConfigFixture.load("wal: {durability: async, flush_interval: 20ms}\nrpo: 1s\n").configuration
        #expect(try withRPO.databaseOptions(logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })).rpo == .seconds(1))
        #expect(options.readableChecksums.map(\.name) == ["crc32c", "crc32"])
        #expect(Set(options.readableCodecs.map(\.name)) == ["none", "lz4", "zlib"] && options.readableCodecs.first?.name == "none")
        #expect(options.lockManager?.policyName == "timeout")
        #expect(options.transactions.lockTimeout == .seconds(1) && options.transactions.transactionTimeout == .seconds(9))
        #expect(options.transactions.maxWriteSetBytes == 1 << 20 && options.transactions.maxRecordPayload == 256 << 10)
        #expect(options.retry.maxAttempts == 2 && options.safeMode == .refuse)
        #expect(options.alertSinks.map(\.name) == ["log"])

        let resp = c.respServerOptions()
        #expect(resp.host == "0.0.0.0" && resp.port == 1 && resp.maxConnections == 2 && resp.maxBulkLength == 3 << 10)
        #expect(resp.maxPipelineBytes == 4 << 10 && resp.maxArrayLength == 5 && resp.idleTimeout == .seconds(6) && resp.requirePassword == "pw")
        #expect(resp.shutdownGracePeriod == .zero)
        let admin = c.adminServerOptions()
        #expect(!admin.enabled && admin.host == "0.0.0.0" && admin.port == 2 && admin.bearerToken == "tk")
        #expect(c.logLevel == .warning)
    }

    @Test("Docs/configuration.md documents every key and its environment variable")
    func documented() throws {
        let docs = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Docs/configuration.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        for setting in MantisConfiguration.settings {
            #expect(text.contains("`\(setting.key)`"), "\(setting.key) is not documented")
        }
    }

    @Test("the Redis-compatible view: appendonly yes, appendfsync per wal.durability, no save schedule")
    func redisCompatibleView() {
        var configuration = MantisConfiguration()
        for (mode, fsync) in [(MantisConfiguration.DurabilityMode.sync, "always"), (.async, "everysec"), (.os, "no")] {
            configuration.wal.durability = mode
            let pairs = Dictionary(uniqueKeysWithValues: configuration.redisCompatiblePairs())
            #expect(pairs == ["appendonly": "yes", "appendfsync": fsync, "save": ""])
        }
    }
    @Test("CONFIG GET's view: a set secret is redacted, an unset one is empty (nothing to hide)")
    func effectivePairsRedactSecrets() {
        var configuration = MantisConfiguration()
        configuration.admin.token = "tk"
        let pairs = Dictionary(uniqueKeysWithValues: configuration.effectivePairs())
        #expect(pairs["admin.token"] == "<redacted>")
        #expect(pairs["alerts.webhook_url"] == "" && pairs["server.requirepass"] == "")
        #expect(pairs["wal.durability"] == "sync")
    }
}
