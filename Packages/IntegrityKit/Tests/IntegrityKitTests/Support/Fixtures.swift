import IntegrityKit
import IntegrityScrubber
import MantisCore
import MantisCoreTesting
import RecoveryKit
import Synchronization
import TxnKit
import WALKit

/// Deterministic keys and values.
enum Fixture {
    static func key(_ index: Int) -> [UInt8] { Array("key-\(index)".utf8) }

    /// `size` bytes derived from `index` and `version`.
    static func value(_ index: Int, version: Int = 0, size: Int = 48) -> [UInt8] {
        var random = SplitMix64(seed: UInt64(index) &* 0x9E37_79B9 &+ UInt64(version))
        return (0..<size).map { _ in UInt8(truncatingIfNeeded: random.next()) }
    }

    static let checksums: [any ChecksumAlgorithm] = [CRC32Checksum(), CRC32CChecksum()]
    static let codecs: [any CheckpointCodec] = [NoneCheckpointCodec()]
}

/// A database assembled the way the server assembles one — recovery engine, transaction
/// manager (with write guards), checkpointer — over any file system.
final class AssembledDatabase: Sendable {
    let fileSystem: any FileSystem
    let directory: DataDirectory
    let state: RecoveredState
    let manager: TransactionManager?
    let checkpointer: Checkpointer?

    init(fileSystem: any FileSystem, directory: DataDirectory = DataDirectory("/data"), segmentSize: Int64 = 16 << 10,
         durability: Durability = .sync, admission: [any WriteAdmission] = [], keep: Int = 2) throws {
        self.fileSystem = fileSystem
        self.directory = directory
        var walOptions = SegmentedWALOptions()
        walOptions.segmentSize = segmentSize
        walOptions.syncAlignment = 512
        walOptions.prepareSegmentsAhead = false
        walOptions.durability = durability
        let options = RecoveryOptions(
            dataDirectory: directory, fileSystem: fileSystem, checksum: CRC32Checksum(),
            checksums: Fixture.checksums, codecs: Fixture.codecs, wal: walOptions)
        state = try RecoveryEngine(options: options).recover()
        if let wal = state.wal {
            let manager = TransactionManager(
                store: state.store, wal: wal, lockManager: WaitForGraphLockManager(defaultTimeout: .seconds(5)),
                lastCommit: max(wal.status.lastLSN.rawValue, state.store.statistics.newestCommit),
                nextTransactionID: TransactionID(state.maxTransactionID.rawValue + 1), admission: admission)
            self.manager = manager
            var checkpointOptions = CheckpointOptions()
            checkpointOptions.interval = nil
            checkpointOptions.walBytes = nil
            checkpointOptions.keep = keep
            checkpointer = Checkpointer(
                manager: manager, wal: wal,
                directory: CheckpointDirectory(path: directory.checkpoints, quarantinePath: directory.quarantine, fileSystem: fileSystem),
                codec: NoneCheckpointCodec(), checksum: CRC32Checksum(), options: checkpointOptions)
        } else {
            manager = nil
            checkpointer = nil
        }
    }

    var wal: SegmentedWAL? { state.wal }
    var report: RecoveryReport { state.report }
    var isSafeMode: Bool { state.report.mode.isSafe }

    /// Commits `writes` in one transaction (nil value = delete).
    func commit(_ writes: [([UInt8], [UInt8]?)]) async throws {
        guard let manager else { throw MantisError(.readOnly, "safe mode") }
        let transaction = manager.begin(.snapshot)
        do {
            for (key, value) in writes {
                if let value { try await transaction.put(key, value) } else { try await transaction.delete(key) }
            }
            try await transaction.commit()
        } catch {
            transaction.rollback()
            throw error
        }
    }

    /// A read through a transaction.
    func read(_ key: [UInt8]) async throws -> [UInt8]? {
        if let manager {
            let transaction = manager.begin(.snapshot)
            defer { transaction.rollback() }
            return try transaction.get(key)
        }
        return try state.store.get(key, at: UInt64.max >> 1)
    }

    /// Every live pair at the newest snapshot.
    func contents() throws -> [[UInt8]: [UInt8]] {
        var result: [[UInt8]: [UInt8]] = [:]
        let snapshot = manager?.visibleSnapshot ?? UInt64.max >> 1
        for pair in try state.store.scan(.all, at: snapshot) { result[pair.key] = pair.value }
        return result
    }

    func close() async throws {
        guard let wal = state.wal else { return }
        try await wal.close()
        try CleanShutdownMarker.write(CleanShutdownMarker(lastLSN: wal.status.lastLSN), to: directory.cleanShutdownMarker,
                                      fileSystem: fileSystem, checksum: CRC32Checksum())
    }

    /// Power loss on a fault-injecting file system, then a fresh instance on what survived.
    func crashAndReopen(_ fileSystem: FaultInjectingFileSystem, mode: CrashMode = .dropUnsynced, admission: [any WriteAdmission] = []) async throws -> AssembledDatabase {
        fileSystem.haltAndCrash(mode)
        try? await state.wal?.close()
        fileSystem.restart()
        return try AssembledDatabase(fileSystem: fileSystem, directory: directory, admission: admission)
    }

    /// The scrubber the database would run: live log, checkpoint as self-healing, trimming.
    func scrubber(alerts: any AlertSink = NoAlertSink(), clock: any MonotonicClock = SystemMonotonicClock(),
                  heal: Bool = true, maintenance: WALMaintenance? = nil, options: ScrubberOptions = Fixture.scrubOptions,
                  healCalls: Counter? = nil) -> Scrubber {
        var liveLog: (@Sendable () -> LiveLogPosition?)?
        var selfHeal: (@Sendable () async throws -> Void)?
        var logMaintenance = maintenance
        if let wal = state.wal {
            liveLog = { LiveLogPosition.of(wal) }
            if logMaintenance == nil { logMaintenance = WALMaintenance.of(wal) }
        }
        if heal, let checkpointer {
            selfHeal = {
                healCalls?.increment()
                try await checkpointer.checkpoint()
            }
        }
        return Scrubber(
            dataDirectory: directory, fileSystem: fileSystem, checksums: Fixture.checksums, codecs: Fixture.codecs,
            options: options, alerts: alerts, clock: clock, liveLog: liveLog, selfHeal: selfHeal, maintenance: logMaintenance)
    }
}

extension Fixture {
    static var scrubOptions: ScrubberOptions {
        var options = ScrubberOptions()
        options.bytesPerSecond = nil
        return options
    }
}

/// A thread-safe counter.
final class Counter: Sendable {
    private let value = Atomic<Int>(0)
    init() {}
    func increment() { value.add(1, ordering: .relaxed) }
    var count: Int { value.load(ordering: .relaxed) }
}

/// The regular files under `directory` whose names satisfy `filter`, as paths.
func files(in directory: String, _ fileSystem: any FileSystem, where filter: (String) -> Bool = { _ in true }) -> [String] {
    ((try? fileSystem.contentsOfDirectory(directory)) ?? []).filter(filter).map { Path.join(directory, $0) }
}

func segmentFiles(_ database: AssembledDatabase) -> [String] {
    files(in: database.directory.wal, database.fileSystem) { WALFormat.firstLSN(ofSegmentNamed: $0) != nil }
}

func checkpointFiles(_ database: AssembledDatabase) -> [String] {
    files(in: database.directory.checkpoints, database.fileSystem) { CheckpointFormat.lsn(ofCheckpointNamed: $0) != nil }
}
