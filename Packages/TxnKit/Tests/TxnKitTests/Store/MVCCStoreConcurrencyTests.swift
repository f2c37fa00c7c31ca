import IntegrityKit
import MantisCore
import Synchronization
import Testing
import TxnKit

@Suite("MVCCStore under concurrency")
struct MVCCStoreConcurrencyTests {
    typealias T = StoreTestSupport

    static func account(_ number: Int) -> [UInt8] { T.bytes("acct/") + T.key(number) }

    /// Installs a starting balance for each account at commit 1.
    static func openAccounts(_ store: MVCCStore, count: Int, balance: Int64, clock: StoreTestCommitClock) {
        let commit = clock.allocate()
        store.install((0..<count).map { (account($0), T.encode(balance)) }, at: commit)
        clock.installed(commit)
    }

    /// A writer moving money between the accounts it owns (`owned`): each transfer is one
    /// commit of two writes. Commit timestamps come from the shared clock before the work, so
    /// writers install out of timestamp order.
    static func transfers(
        _ store: MVCCStore, clock: StoreTestCommitClock, owned: Range<Int>, count: Int, seed: UInt64
    ) {
        var random = StoreTestRandom(seed: seed)
        for _ in 0..<count {
            let commit = clock.allocate()
            let from = owned.lowerBound + random.below(owned.count)
            var to = owned.lowerBound + random.below(owned.count)
            if to == from { to = owned.lowerBound + (to - owned.lowerBound + 1) % owned.count }
            // Only this writer writes these accounts, so their newest versions are its own.
            let fromBalance = T.decode(try! store.get(account(from), at: .max)!)
            let toBalance = T.decode(try! store.get(account(to), at: .max)!)
            let amount = Int64(random.below(50))
            store.install([(account(from), T.encode(fromBalance - amount)), (account(to), T.encode(toBalance + amount))], at: commit)
            clock.installed(commit)
        }
    }

    @Test("bank invariant: every snapshot a reader sees sums to the constant while writers, churn and GC run")
    func bankInvariant() throws {
        let store = MVCCStore(checksum: CRC32Checksum(), verifyReads: true, leafCapacity: 32, chunkSize: 16)
        let clock = StoreTestCommitClock()
        let accounts = 200, balance: Int64 = 1_000
        let total = Int64(accounts) * balance
        Self.openAccounts(store, count: accounts, balance: balance, clock: clock)
        let writersDone = StoreTestFlag()
        let finishedWriters = Atomic<Int>(0)
        let violations = StoreTestLocked<[String]>([])
        let snapshotsRead = Atomic<Int>(0)
        let distinctSnapshots = StoreTestLocked(Set<UInt64>())

        @Sendable func record(_ problem: String) { violations.withLock { $0.append(problem) } }

        var bodies: [@Sendable () -> Void] = []
        for writer in 0..<2 {
            bodies.append {
                Self.transfers(store, clock: clock, owned: (writer * 100)..<(writer * 100 + 100), count: 1_500, seed: UInt64(writer + 1))
                if finishedWriters.add(1, ordering: .relaxed).newValue == 2 { writersDone.raise() }
            }
        }
        // Churn in another key range: inserts and deletes split and merge leaves and resize the
        // hash index under the readers' feet.
        bodies.append {
            var random = StoreTestRandom(seed: 99)
            var round = 0
            while !writersDone.isRaised {
                let commit = clock.allocate()
                let keys = (0..<20).map { _ in T.bytes("churn/") + T.key(random.below(2_000)) }
                store.install(keys.map { ($0, random.chance(40) ? nil : T.bytes("x")) }, at: commit)
                clock.installed(commit)
                round += 1
            }
        }
        for reader in 0..<2 {
            bodies.append {
                var random = StoreTestRandom(seed: UInt64(100 + reader))
                var iterations = 0
                while !writersDone.isRaised || iterations < 20 {
                    let snapshot = clock.beginRead()
                    defer { clock.endRead(snapshot) }
                    distinctSnapshots.withLock { _ = $0.insert(snapshot) }
                    do {
                        let rows = try store.scan(.prefix(T.bytes("acct/")), at: snapshot)
                        let sum = rows.reduce(0) { $0 + T.decode($1.value) }
                        if rows.count != accounts || sum != total {
                            record("scan at \(snapshot): \(rows.count) accounts summing to \(sum)")
                        }
                        if random.chance(30) {
                            // The same snapshot by point reads.
                            var pointSum: Int64 = 0
                            for number in 0..<accounts { pointSum += T.decode(try store.get(Self.account(number), at: snapshot)!) }
                            if pointSum != total { record("gets at \(snapshot) sum to \(pointSum)") }
                        }
                    } catch {
                        record("read at \(snapshot) failed: \(error)")
                    }
                    iterations += 1
                    snapshotsRead.add(1, ordering: .relaxed)
                }
            }
        }
        bodies.append {
            while !writersDone.isRaised {
                store.collectGarbage(oldestActiveSnapshot: clock.oldestActive)
            }
        }
        T.runOnThreads(bodies)

        #expect(violations.withLock { $0 } == [])
        #expect(snapshotsRead.load(ordering: .relaxed) >= 40)
        #expect(distinctSnapshots.withLock { $0.count } > 10)   // readers really overlapped the writers
        let final = clock.stable
        #expect(try store.scan(.prefix(T.bytes("acct/")), at: final).reduce(0) { $0 + T.decode($1.value) } == total)
        store.collectGarbage(oldestActiveSnapshot: final)
        let stats = store.statistics
        #expect(stats.versions == stats.liveKeys)      // one version per live key, no tombstones left
        #expect(store.invariantViolations() == [])
    }

    @Test("forEachLatest yields exactly its snapshot while writers keep installing, and holds no lock while calling back")
    func checkpointIterationUnderWriters() throws {
        let store = MVCCStore(checksum: CRC32Checksum(), verifyReads: true, leafCapacity: 64, chunkSize: 100)
        let clock = StoreTestCommitClock()
        let accounts = 5_000, balance: Int64 = 10
        let total = Int64(accounts) * balance
        Self.openAccounts(store, count: accounts, balance: balance, clock: clock)
        let writerDone = StoreTestFlag()
        let problems = StoreTestLocked<[String]>([])
        let iterations = Atomic<Int>(0)

        T.runOnThreads([
            {
                Self.transfers(store, clock: clock, owned: 0..<accounts, count: 3_000, seed: 7)
                writerDone.raise()
            },
            {
                while !writerDone.isRaised || iterations.load(ordering: .relaxed) < 3 {
                    let snapshot = clock.beginRead()
                    defer { clock.endRead(snapshot) }
                    var count = 0
                    var sum: Int64 = 0
                    var previous: [UInt8]?
                    do {
                        try store.forEachLatest(at: snapshot) { key, value in
                            if let previous, !previous.lexicographicallyPrecedes(key) {
                                problems.withLock { $0.append("out of order at \(ErrorContext.render(key))") }
                            }
                            previous = key
                            count += 1
                            sum += T.decode(value)
                        }
                    } catch {
                        problems.withLock { $0.append("iteration failed: \(error)") }
                    }
                    if count != accounts || sum != total {
                        problems.withLock { $0.append("snapshot \(snapshot): \(count) accounts, sum \(sum)") }
                    }
                    iterations.add(1, ordering: .relaxed)
                }
            },
            {
                while !writerDone.isRaised { store.collectGarbage(oldestActiveSnapshot: clock.oldestActive) }
            },
        ])
        #expect(problems.withLock { $0 } == [])

        // The body may write to the store itself: a lock held across the callback would
        // deadlock here (the lock is not recursive). The new commit is not in the snapshot.
        let snapshot = clock.stable
        var count = 0
        try store.forEachLatest(at: snapshot) { key, _ in
            if count == 0 { store.install(key: T.bytes("acct/zzz"), value: T.encode(1), at: snapshot + 1) }
            count += 1
        }
        #expect(count == accounts)
        #expect(try store.get(T.bytes("acct/zzz"), at: snapshot + 1) == T.encode(1))
    }

    @Test("readers on many threads agree on a fixed snapshot while installs and collection run")
    func parallelPointReads() throws {
        let store = MVCCStore()
        let keys = 2_000
        store.install((0..<keys).map { (T.key($0), T.bytes("base")) }, at: 1)
        let done = StoreTestFlag()
        let mismatches = Atomic<Int>(0)
        T.runOnThreads([
            {
                for commit in 2...400 {
                    store.install((0..<10).map { (T.key((commit * 10 + $0) % keys), T.bytes("c\(commit)")) }, at: UInt64(commit))
                    if commit % 50 == 0 { store.collectGarbage(oldestActiveSnapshot: 1) }
                }
                done.raise()
            },
            {
                var random = StoreTestRandom(seed: 3)
                while !done.isRaised {
                    let number = random.below(keys)
                    if (try? store.get(T.key(number), at: 1)) != T.bytes("base") { mismatches.add(1, ordering: .relaxed) }
                }
            },
            {
                while !done.isRaised {
                    if (try? store.scan(KeyRange(T.key(100), T.key(200)), at: 1).count) != 100 { mismatches.add(1, ordering: .relaxed) }
                }
            },
        ])
        #expect(mismatches.load(ordering: .relaxed) == 0)
        #expect(store.invariantViolations() == [])
    }
}
