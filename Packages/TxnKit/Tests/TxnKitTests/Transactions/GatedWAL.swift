import MantisCore
import Synchronization
import WALKit

/// A log that holds the durability waits of the records up to `holdThrough` until `open()`:
/// those commits stay pending (logged, not installed) for as long as a test needs; later
/// records pass. Everything else is the wrapped in-memory log.
final class GatedWAL: WriteAheadLog {
    private let base = InMemoryWAL()
    private let gate: Mutex<(open: Bool, waiting: [CheckedContinuation<Void, Never>])>
    private let holdThrough: LSN

    init(holdThrough: LSN) {
        self.holdThrough = holdThrough
        gate = Mutex((false, []))
    }

    /// Lets the held waits, and every later one, through.
    func open() {
        let waiting = gate.withLock { gate in
            gate.open = true
            defer { gate.waiting = [] }
            return gate.waiting
        }
        for continuation in waiting { continuation.resume() }
    }

    /// How many durability waits are held.
    var held: Int { gate.withLock { $0.waiting.count } }

    func enqueue(_ records: [WALRecord]) throws -> LSN { try base.enqueue(records) }

    func waitForDurability(of lsn: LSN) async throws {
        if lsn <= holdThrough {
            await withCheckedContinuation { continuation in
                let passes = gate.withLock { gate in
                    if !gate.open { gate.waiting.append(continuation) }
                    return gate.open
                }
                if passes { continuation.resume() }
            }
        }
        try await base.waitForDurability(of: lsn)
    }

    func sync() async throws { try await base.sync() }
    func entries(from lsn: LSN) throws -> any WALCursor { try base.entries(from: lsn) }
    func removeSegments(below lsn: LSN) throws -> Int { try base.removeSegments(below: lsn) }
    var status: WALStatus { base.status }
    func close() async throws { try await base.close() }
}
