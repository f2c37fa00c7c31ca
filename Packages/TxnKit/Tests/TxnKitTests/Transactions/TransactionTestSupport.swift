import IntegrityKit
import MantisCore
import MantisCoreTesting
import Synchronization
import Testing
import TxnKit
import WALKit

/// A transaction manager over a real `SegmentedWAL` on a fault-injecting file system, reopenable
/// after a simulated crash to check what survived.
final class TestDatabase: Sendable {
    let fileSystem: FaultInjectingFileSystem
    let wal: SegmentedWAL
    let manager: TransactionManager
    let replay: ReplayResult
    static let directory = "/db/wal"

    init(fileSystem: FaultInjectingFileSystem, lockManager: (any LockManager)? = nil, options: TransactionManagerOptions = TransactionManagerOptions()) throws {
        self.fileSystem = fileSystem
        var walOptions = SegmentedWALOptions()
        walOptions.segmentSize = 256 << 10
        walOptions.syncAlignment = 512
        walOptions.prepareSegmentsAhead = false
        wal = try SegmentedWAL.open(directory: Self.directory, fileSystem: fileSystem, checksum: CRC32Checksum(), options: walOptions)
        let store = MVCCStore(checksum: CRC32Checksum())
        let replayer = TransactionReplayer(store: store)
        let cursor = try wal.entries(from: .zero)
        while let entry = try cursor.next() { try replayer.apply(entry) }
        replay = replayer.finish()
        manager = TransactionManager(
            store: store, wal: wal, lockManager: lockManager ?? WaitForGraphLockManager(defaultTimeout: .seconds(5)),
            options: options, lastCommit: wal.status.lastLSN.rawValue,
            nextTransactionID: TransactionID(replay.maxTransactionID.rawValue + 1))
    }

    convenience init(seed: UInt64 = 1, lockManager: (any LockManager)? = nil) throws {
        try self.init(fileSystem: FaultInjectingFileSystem(seed: seed), lockManager: lockManager)
    }

    /// Ends what a test left open (an open transaction and its manager reference each other),
    /// as the process's end would, so LeakSanitizer (`make asan`) reports only real leaks.
    deinit {
        manager.abortRunning()
    }

    /// Simulates power loss, then opens a fresh instance on what survived.
    func crashAndReopen(_ mode: CrashMode = .dropUnsynced) async throws -> TestDatabase {
        fileSystem.halt()
        fileSystem.crash(mode)
        try? await wal.close()
        fileSystem.restart()
        return try TestDatabase(fileSystem: fileSystem)
    }

    /// Every live pair at the newest snapshot.
    func contents() throws -> [[UInt8]: [UInt8]] {
        var result: [[UInt8]: [UInt8]] = [:]
        for pair in try manager.store.scan(.all, at: manager.visibleSnapshot) { result[pair.key] = pair.value }
        return result
    }
}

/// Runs `body` in a transaction, retrying deadlocks and serialization failures.
@discardableResult
func retrying<T>(_ manager: TransactionManager, _ isolation: IsolationLevel, attempts: Int = 200, _ body: (Transaction) async throws -> T) async throws -> T {
    var attempt = 0
    while true {
        attempt += 1
        let transaction = manager.begin(isolation)
        do {
            let result = try await body(transaction)
            if !transaction.isFinished { try await transaction.commit() }
            return result
        } catch let error as MantisError where (error.code == .deadlock || error.code == .serializationFailure) && attempt < attempts {
            transaction.rollback()
            try await Task.sleep(for: .microseconds(Int64.random(in: 0...(200 * Int64(min(attempt, 20))))))
        } catch {
            transaction.rollback()
            throw error
        }
    }
}

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

func encode(_ value: Int) -> [UInt8] {
    var result: [UInt8] = []
    result.appendLittleEndian(Int64(value))
    return result
}

func decode(_ bytes: [UInt8]?) -> Int {
    guard let bytes, bytes.count == 8 else { return 0 }
    return Int(bytes.withUnsafeBytes { $0.loadLittleEndian(Int64.self, at: 0) })
}

func expectCode(_ code: MantisError.Code, _ body: () async throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) async {
    do {
        try await body()
        Issue.record("expected \(code), nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as MantisError {
        #expect(error.code == code, "got \(error)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected \(code), got \(error)", sourceLocation: sourceLocation)
    }
}

/// A value shared between test tasks.
final class Shared<Value: Sendable>: Sendable {
    private let storage: Mutex<Value>
    init(_ value: Value) { storage = Mutex(value) }
    var value: Value {
        get { storage.withLock { $0 } }
        set { storage.withLock { $0 = newValue } }
    }
}
