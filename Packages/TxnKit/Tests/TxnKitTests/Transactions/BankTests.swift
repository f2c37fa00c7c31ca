import MantisCore
import MantisCoreTesting
import Synchronization
import Testing
import TxnKit

@Suite("Bank invariant") struct BankTests {
    static let accounts = 100
    static let initial = 1_000

    static func account(_ index: Int) -> [UInt8] { bytes("acct/" + String(repeating: "0", count: 3 - String(index).count) + String(index)) }

    @Test("16 tasks transferring for a few seconds: the total never changes in any snapshot, nor after a crash and reopen",
          arguments: [IsolationLevel.snapshot, .serializable])
    func transfers(isolation: IsolationLevel) async throws {
        let seed: UInt64 = isolation == .snapshot ? 101 : 202
        let db = try TestDatabase(seed: seed)
        try await retrying(db.manager, .snapshot) { txn in
            for index in 0..<Self.accounts { try await txn.put(Self.account(index), encode(Self.initial)) }
        }
        let total = Self.accounts * Self.initial
        let deadline = ContinuousClock.now + .seconds(3)
        let committed = Counter()
        let badSnapshots = Counter()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<16 {
                group.addTask {
                    var random = SplitMix64(seed: seed &+ UInt64(worker))
                    // A few seconds, and at least 20 transfers per task (a loaded machine may starve the pool).
                    var mine = 0
                    while ContinuousClock.now < deadline || mine < 20 {
                        mine += 1
                        let from = Int(random.next() % UInt64(Self.accounts))
                        var to = Int(random.next() % UInt64(Self.accounts))
                        if to == from { to = (to + 1) % Self.accounts }
                        let amount = Int(random.next() % 50) + 1
                        try await retrying(db.manager, isolation) { txn in
                            let a = decode(try txn.get(Self.account(from)))
                            let b = decode(try txn.get(Self.account(to)))
                            try await txn.put(Self.account(from), encode(a - amount))
                            try await txn.put(Self.account(to), encode(b + amount))
                        }
                        committed.increment()
                    }
                }
            }
            group.addTask {
                while ContinuousClock.now < deadline || committed.value < 16 * 20 {
                    let txn = db.manager.begin(.snapshot)
                    let sum = try txn.scan(.prefix(bytes("acct/"))).reduce(0) { $0 + decode($1.value) }
                    try await txn.commit()
                    if sum != total { badSnapshots.increment() }
                    try await Task.sleep(for: .milliseconds(5))
                }
            }
            try await group.waitForAll()
        }
        #expect(badSnapshots.value == 0, "seed \(seed): a snapshot saw a total other than \(total)")
        #expect(committed.value > 100, "seed \(seed): too few transfers committed")
        let sum = try db.contents().values.reduce(0) { $0 + decode($1) }
        #expect(sum == total)

        let reopened = try await db.crashAndReopen(.dropUnsynced)
        let after = try reopened.contents()
        #expect(after.count == Self.accounts)
        #expect(after.values.reduce(0) { $0 + decode($1) } == total, "seed \(seed): total changed across a crash")
        #expect(after == (try db.contents()), "seed \(seed): every acknowledged transfer survived (sync durability)")
    }

    @Test("a contended counter (16 tasks, 1 key, serializable) makes progress and loses no increment")
    func contendedCounter() async throws {
        let db = try TestDatabase(seed: 3)
        try await Self.countConcurrently(db) {
            try await retrying(db.manager, .serializable, attempts: 10_000) { txn in
                let value = decode(try txn.get(bytes("counter")))
                try await txn.put(bytes("counter"), encode(value + 1))
            }
        }
    }

    @Test("lockForUpdate at read committed: a contended counter loses no increment and no attempt fails (no retry needed)")
    func lockForUpdateCounter() async throws {
        let db = try TestDatabase(seed: 4)
        try await Self.countConcurrently(db) {
            // No retry: any deadlock or serialization failure fails the test.
            let txn = db.manager.begin(.readCommitted)
            try await txn.lockForUpdate(bytes("counter"))
            let value = decode(try txn.get(bytes("counter")))
            await Task.yield()  // let others run between the read and the write
            try await txn.put(bytes("counter"), encode(value + 1))
            try await txn.commit()
        }
    }

    /// Runs `increment` 25 times in each of 16 concurrent tasks; the counter must end at 400.
    static func countConcurrently(_ db: TestDatabase, _ increment: @escaping @Sendable () async throws -> Void) async throws {
        let tasks = 16, perTask = 25
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<tasks {
                group.addTask { for _ in 0..<perTask { try await increment() } }
            }
            try await group.waitForAll()
        }
        #expect(decode(try db.contents()[bytes("counter")]) == Int64(tasks * perTask))
    }

    @Test("lockForUpdate at snapshot fails with serializationFailure if the key was committed after the snapshot")
    func lockForUpdateAtSnapshot() async throws {
        let db = try TestDatabase(seed: 5)
        let old = db.manager.begin(.snapshot)
        let writer = db.manager.begin(.readCommitted)
        try await writer.put(bytes("k"), bytes("v"))
        try await writer.commit()
        await #expect { try await old.lockForUpdate(bytes("k")) } throws: { ($0 as? MantisError)?.code == .serializationFailure }
        #expect(old.isFinished, "the failure aborted the transaction")
    }
}

final class Counter: Sendable {
    private let storage = Atomic<Int>(0)
    func increment() { storage.add(1, ordering: .relaxed) }
    var value: Int { storage.load(ordering: .relaxed) }
}
