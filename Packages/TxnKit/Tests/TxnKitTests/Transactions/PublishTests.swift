import IntegrityKit
import MantisCore
import Testing
import TxnKit

@Suite("Publishing commits: visible on return, in LSN order") struct PublishTests {
    static let commits = 48
    /// Extra keys per commit, so installs take long enough for committers to find one running.
    static let filler = 1500

    /// With `installHandOffWrites` 1 the installer hands its role on after every batch whenever a
    /// committer waits, so the role passes between committers many times.
    @Test("commits whose durability arrives together are each visible when their commit returns, and every snapshot sees a prefix of them in LSN order",
          .timeLimit(.minutes(1)), arguments: [8192, 1])
    func releasedTogether(handOffWrites: Int) async throws {
        let wal = GatedWAL(holdThrough: LSN(UInt64.max))
        var options = TransactionManagerOptions()
        options.installHandOffWrites = handOffWrites
        let manager = TransactionManager(store: MVCCStore(checksum: CRC32Checksum()), wal: wal,
                                         lockManager: WaitForGraphLockManager(defaultTimeout: .seconds(5)),
                                         options: options, lastCommit: 0, nextTransactionID: TransactionID(1))
        // One at a time up to the durability wait, so commit i + 1 follows commit i in the log.
        var committers: [Task<Bool, any Error>] = []
        let limit = ContinuousClock.now + .seconds(30)
        for index in 0..<Self.commits {
            committers.append(Task {
                let txn = manager.begin(.readCommitted)
                try await txn.put(Self.key(index), Self.value(index))
                for extra in 0..<Self.filler { try await txn.put(bytes("f\(index)/\(extra)"), Self.value(extra)) }
                try await txn.commit()
                // Read-your-commit: a snapshot begun after commit returned must include it.
                let reader = manager.begin(.snapshot)
                defer { reader.rollback() }
                return try reader.get(Self.key(index)) == Self.value(index)
            })
            while wal.held < index + 1, ContinuousClock.now < limit { try await Task.sleep(for: .milliseconds(1)) }
            try #require(wal.held == index + 1, "commit \(index) reached its durability wait")
        }
        #expect(try Self.visiblePrefix(manager) == 0, "nothing is visible before the log is durable")

        let observer = Task {
            var seen: [Int] = []
            while !Task.isCancelled {
                seen.append(try Self.visiblePrefix(manager))
                await Task.yield()
            }
            return seen
        }
        wal.open()
        for (index, committer) in committers.enumerated() {
            #expect(try await committer.value, "commit \(index) was visible to a snapshot begun after it returned")
        }
        observer.cancel()
        let prefixes = try await observer.value
        #expect(prefixes == prefixes.sorted(), "visibility never went backwards")
        #expect(try Self.visiblePrefix(manager) == Self.commits)
        #expect(manager.visibleSnapshot == wal.status.lastLSN.rawValue)
        if handOffWrites == 1 {
            #expect(manager.statistics.installHandOffs > 0, "the installing role was never handed on")
        }
    }

    static func key(_ index: Int) -> [UInt8] { bytes("k\(1000 + index)") }
    static func value(_ index: Int) -> [UInt8] { bytes("v\(index)") }

    /// How many of the commits a new snapshot sees; throws unless they are commits 0..<n (a
    /// prefix in LSN order).
    static func visiblePrefix(_ manager: TransactionManager) throws -> Int {
        let reader = manager.begin(.snapshot)
        defer { reader.rollback() }
        let visible = try (0..<commits).map { try reader.get(key($0)) != nil }
        let count = visible.prefix { $0 }.count
        try #require(visible.dropFirst(count).allSatisfy { !$0 }, "snapshot \(reader.snapshot) sees commits out of LSN order: \(visible)")
        return count
    }
}
