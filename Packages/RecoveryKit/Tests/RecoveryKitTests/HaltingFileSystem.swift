import Dispatch
import MantisCore
import MantisCoreTesting
import Synchronization

/// Wraps a `FaultInjectingFileSystem` and sees every call, file-system and file calls alike (the
/// fault model does not count them all): counts them, halts the machine before the call numbered
/// `haltAfter + 1`, records the largest read asked for (to prove no huge length drives a read or
/// an allocation) and, with `recordsTrace`, what each call was. A gate can hold the next call
/// until released, to stop a workload at a chosen point.
final class HaltingFileSystem: FileSystem {
    let inner: FaultInjectingFileSystem
    let haltAfter: Int?
    let recordsTrace: Bool
    private let state = Mutex<(count: Int, largestRead: Int, trace: [String])>((0, 0, []))
    private let gate = Mutex<(armed: Bool, reached: Bool)>((false, false))
    private let gateOpen = DispatchSemaphore(value: 0)

    init(_ inner: FaultInjectingFileSystem, haltAfter: Int? = nil, recordsTrace: Bool = false) {
        self.inner = inner
        self.haltAfter = haltAfter
        self.recordsTrace = recordsTrace
    }

    var count: Int { state.withLock { $0.count } }
    var largestRead: Int { state.withLock { $0.largestRead } }
    /// Each call as "operation detail" (empty without `recordsTrace`).
    var trace: [String] { state.withLock { $0.trace } }
    var gateReached: Bool { gate.withLock { $0.reached } }

    /// The next call waits until `releaseGate()`.
    func armGate() { gate.withLock { $0 = (true, false) } }

    func releaseGate() {
        let waiting = gate.withLock { gate -> Bool in
            defer { gate.armed = false }
            return gate.reached
        }
        if waiting { gateOpen.signal() }
    }

    /// Counts (and traces) one call; halts the machine before the call numbered `haltAfter + 1`.
    func tick(_ operation: String, _ detail: @autoclosure () -> String) {
        let hold = gate.withLock { gate -> Bool in
            guard gate.armed, !gate.reached else { return false }
            gate.reached = true
            return true
        }
        if hold { gateOpen.wait() }
        let call = recordsTrace ? "\(operation) \(detail())" : nil
        let count = state.withLock { state in
            state.count += 1
            if let call { state.trace.append(call) }
            return state.count
        }
        if let haltAfter, count > haltAfter { inner.halt() }
    }

    func noteRead(_ count: Int) {
        state.withLock { $0.largestRead = Swift.max($0.largestRead, count) }
    }

    var name: String { "halting" }

    func openFile(_ path: String, options: FileOpenOptions) throws -> any StorageFile {
        tick("open", path)
        return HaltingFile(try inner.openFile(path, options: options), fileSystem: self)
    }

    func createDirectory(_ path: String) throws { tick("mkdir", path); try inner.createDirectory(path) }
    func contentsOfDirectory(_ path: String) throws -> [String] { tick("list", path); return try inner.contentsOfDirectory(path) }
    func fileType(_ path: String) throws -> FileType? { tick("stat", path); return try inner.fileType(path) }
    func rename(_ source: String, to destination: String) throws { tick("rename", "\(source) → \(destination)"); try inner.rename(source, to: destination) }
    func removeItem(_ path: String) throws { tick("remove", path); try inner.removeItem(path) }
    func syncDirectory(_ path: String) throws { tick("dirsync", path); try inner.syncDirectory(path) }
    func diskSpace(_ path: String) throws -> DiskSpace { tick("statvfs", path); return try inner.diskSpace(path) }
}
