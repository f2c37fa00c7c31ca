import MantisCore
import Synchronization
import WALKit

/// An in-memory log whose durability waits sometimes yield or sleep briefly (seeded): commits
/// stay logged but not yet installed for a while, as with a real group commit, so concurrent
/// transactions meet pending commits (validation against them, snapshots that lag).
final class JitterWAL: WriteAheadLog {
    private let base = InMemoryWAL()
    private let random: Mutex<StoreTestRandom>

    init(seed: UInt64) {
        random = Mutex(StoreTestRandom(seed: seed))
    }

    func enqueue(_ records: [WALRecord]) throws -> LSN { try base.enqueue(records) }

    func waitForDurability(of lsn: LSN) async throws {
        let draw = random.withLock { $0.below(100) }
        if draw < 30 {
            await Task.yield()
        } else if draw < 40 {
            try await Task.sleep(for: .microseconds(50 + draw * 10))
        }
        try await base.waitForDurability(of: lsn)
    }

    func sync() async throws { try await base.sync() }
    func entries(from lsn: LSN) throws -> any WALCursor { try base.entries(from: lsn) }
    func removeSegments(below lsn: LSN) throws -> Int { try base.removeSegments(below: lsn) }
    var status: WALStatus { base.status }
    func close() async throws { try await base.close() }
}
