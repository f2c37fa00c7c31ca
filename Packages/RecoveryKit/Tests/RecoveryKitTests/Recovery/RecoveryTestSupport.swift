import IntegrityKit
import MantisCore
import MantisCoreTesting
import RecoveryKit
import Synchronization
import TxnKit
import WALKit

/// A database assembled the way the server assembles one — recovery engine, transaction
/// manager, checkpointer — over a fault-injecting file system.
final class RecoveringDatabase: Sendable {
    static let dataDirectory = DataDirectory("/data")
    let fileSystem: FaultInjectingFileSystem
    let state: RecoveredState
    let manager: TransactionManager?
    let checkpointer: Checkpointer?

    init(fileSystem: FaultInjectingFileSystem, checkpoints: CheckpointOptions? = nil, codec: any CheckpointCodec = RunLengthCodec(),
         segmentSize: Int64 = 32 << 10, durability: Durability = .sync) throws {
        self.fileSystem = fileSystem
        state = try RecoveryEngine(options: Self.recoveryOptions(fileSystem, segmentSize: segmentSize, durability: durability)).recover()
        if let wal = state.wal {
            let manager = TransactionManager(
                store: state.store, wal: wal, lockManager: WaitForGraphLockManager(defaultTimeout: .seconds(5)),
                lastCommit: wal.status.lastLSN.rawValue, nextTransactionID: TransactionID(state.maxTransactionID.rawValue + 1))
            self.manager = manager
            var checkpointOptions = checkpoints ?? CheckpointOptions()
            checkpointOptions.interval = nil
            checkpointOptions.walBytes = nil
            checkpointer = Checkpointer(
                manager: manager, wal: wal,
                directory: CheckpointDirectory(path: Self.dataDirectory.checkpoints, fileSystem: fileSystem),
                codec: codec, checksum: CRC32Checksum(), options: checkpointOptions)
        } else {
            manager = nil
            checkpointer = nil
        }
    }

    /// The recovery options every instance opens with.
    static func recoveryOptions(_ fileSystem: FaultInjectingFileSystem, segmentSize: Int64 = 32 << 10, durability: Durability = .sync) -> RecoveryOptions {
        var walOptions = SegmentedWALOptions()
        walOptions.segmentSize = segmentSize
        walOptions.syncAlignment = 512
        walOptions.prepareSegmentsAhead = false
        walOptions.durability = durability
        return RecoveryOptions(
            dataDirectory: dataDirectory, fileSystem: fileSystem, checksum: CRC32Checksum(),
            checksums: [CRC32Checksum(), CRC32CChecksum()], codecs: [NoneCheckpointCodec(), RunLengthCodec()], wal: walOptions)
    }

    var report: RecoveryReport { state.report }

    /// Every live pair at the newest snapshot.
    func contents() throws -> [[UInt8]: [UInt8]] { try state.contents(at: manager) }

    /// Graceful close: sync, then the clean-shutdown marker.
    func close() async throws { try await state.closeCleanly(in: Self.dataDirectory, fileSystem: fileSystem) }

    /// Power loss: the machine halts, the old instance is abandoned, the disk shows `mode`.
    func crash(_ mode: CrashMode) async {
        fileSystem.haltAndCrash(mode)
        try? await state.wal?.close()
        fileSystem.restart()
    }
}


/// Commits `writes` in one transaction at snapshot isolation.
func commit(_ manager: TransactionManager, _ writes: [([UInt8], [UInt8]?)]) async throws {
    let txn = manager.begin(.snapshot)
    do {
        for (key, value) in writes {
            if let value { try await txn.put(key, value) } else { try await txn.delete(key) }
        }
        try await txn.commit()
    } catch {
        txn.rollback()
        throw error
    }
}

extension RecoveredState {
    /// Every live pair at the newest snapshot `manager` shows (the store's newest without one).
    func contents(at manager: TransactionManager?) throws -> [[UInt8]: [UInt8]] {
        var result: [[UInt8]: [UInt8]] = [:]
        let snapshot = manager?.visibleSnapshot ?? UInt64.max >> 1
        for pair in try store.scan(.all, at: snapshot) { result[pair.key] = pair.value }
        return result
    }

    /// Graceful close: sync, then the clean-shutdown marker.
    func closeCleanly(in dataDirectory: DataDirectory, fileSystem: any FileSystem) async throws {
        guard let wal else { return }
        try await wal.close()
        try CleanShutdownMarker.write(CleanShutdownMarker(lastLSN: wal.status.lastLSN), to: dataDirectory.cleanShutdownMarker,
                                      fileSystem: fileSystem, checksum: CRC32Checksum())
    }
}
