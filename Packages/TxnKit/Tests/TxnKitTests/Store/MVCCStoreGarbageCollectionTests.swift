import MantisCore
import Testing
import TxnKit

@Suite("MVCCStore garbage collection")
struct MVCCStoreGarbageCollectionTests {
    typealias T = StoreTestSupport

    @Test("collection keeps what snapshots >= the horizon need and frees the rest")
    func keepsWhatSnapshotsNeed() throws {
        let store = MVCCStore()
        let a = T.bytes("a"), b = T.bytes("b"), c = T.bytes("c"), d = T.bytes("d"), e = T.bytes("e"), f = T.bytes("f")
        store.install([(a, T.bytes("a10")), (b, T.bytes("b10")), (c, T.bytes("c10")), (d, nil), (e, T.bytes("e10")), (f, T.bytes("f10"))], at: 10)
        store.install([(a, T.bytes("a20")), (b, nil), (d, T.bytes("d20")), (e, nil)], at: 20)
        store.install([(a, T.bytes("a30")), (c, nil), (e, T.bytes("e30"))], at: 30)
        #expect(store.statistics.versions == 13)

        // Horizon 25: a keeps 20 and 30 (drops 10); b (value, tombstone 20) goes entirely;
        // c keeps 10 and its tombstone 30; d drops its tombstone 10; e drops 10 and the
        // tombstone 20, keeps 30; f (one live version) is untouched.
        #expect(store.collectGarbage(oldestActiveSnapshot: 25) == 1 + 2 + 0 + 1 + 2)
        #expect(try T.text(store.get(a, at: 25)) == "a20")
        #expect(try T.text(store.get(a, at: 30)) == "a30")
        #expect(try store.get(b, at: 25) == nil)
        #expect(store.latestCommit(of: b) == nil)
        #expect(try T.text(store.get(c, at: 29)) == "c10")
        #expect(try store.get(c, at: 30) == nil)
        #expect(store.latestCommit(of: c) == 30)
        #expect(try T.text(store.get(d, at: 25)) == "d20")
        #expect(try store.get(e, at: 25) == nil)
        #expect(try T.text(store.get(e, at: 30)) == "e30")
        #expect(try T.text(store.get(f, at: 25)) == "f10")
        #expect(try store.scan(.all, at: 25).map { T.text($0.key)! } == ["a", "c", "d", "f"])

        var stats = store.statistics
        #expect(stats.keys == 5)
        #expect(stats.versions == 7)
        #expect(stats.tombstones == 1)
        #expect(stats.liveKeys == 4)
        #expect(stats.collectionHorizon == 25)
        #expect(stats.garbageCandidates == 2)   // a (older version) and c (tombstone)
        #expect(store.invariantViolations() == [])

        // Nothing more to free at the same horizon.
        #expect(store.collectGarbage(oldestActiveSnapshot: 25) == 0)
        // At 30 everything but the newest versions goes, and c's tombstone with its key.
        #expect(store.collectGarbage(oldestActiveSnapshot: 30) == 1 + 2)
        stats = store.statistics
        #expect(stats.keys == 4)
        #expect(stats.versions == 4)
        #expect(stats.tombstones == 0)
        #expect(stats.garbageCandidates == 0)
        #expect(stats.valueBytes == 3 * 4)
        #expect(store.invariantViolations() == [])
    }

    @Test("reads below the collection horizon are refused, not answered wrongly")
    func snapshotTooOld() throws {
        let store = MVCCStore()
        store.install(key: T.bytes("k"), value: T.bytes("old"), at: 5)
        store.install(key: T.bytes("k"), value: T.bytes("new"), at: 15)
        store.collectGarbage(oldestActiveSnapshot: 10)
        let error = try #require(throws: MantisError.self) { try store.get(T.bytes("k"), at: 9) }
        #expect(error.code == .lsnUnavailable)
        #expect(error.context.lsn == 9)
        #expect(throws: MantisError.self) { try store.scan(.all, at: 9) }
        #expect(throws: MantisError.self) { try store.forEachLatest(at: 0) { _, _ in } }
        #expect(try T.text(store.get(T.bytes("k"), at: 10)) == "old")
        // A lower horizon later does not move it back.
        store.collectGarbage(oldestActiveSnapshot: 3)
        #expect(store.statistics.collectionHorizon == 10)
    }

    @Test("mayHaveChanged is exact while a key has versions, and conservative once a delete after the snapshot was forgotten")
    func mayHaveChangedAcrossCollection() {
        let store = MVCCStore()
        let kept = T.bytes("kept"), deleted = T.bytes("deleted"), old = T.bytes("old"), absent = T.bytes("absent")
        store.install([(kept, T.bytes("1")), (deleted, T.bytes("1")), (old, T.bytes("1"))], at: 10)
        store.install([(old, nil)], at: 15)
        store.collectGarbage(oldestActiveSnapshot: 20)   // forgets `old`, deleted at 15
        let snapshot: UInt64 = 20
        #expect(!store.mayHaveChanged(kept, since: snapshot))
        #expect(!store.mayHaveChanged(old, since: snapshot), "deleted before the snapshot")
        #expect(!store.mayHaveChanged(absent, since: snapshot))
        store.install([(deleted, nil)], at: 25)
        store.install([(kept, T.bytes("2"))], at: 26)
        #expect(store.mayHaveChanged(deleted, since: snapshot))
        #expect(store.mayHaveChanged(kept, since: snapshot))
        #expect(!store.mayHaveChanged(absent, since: snapshot))
        // The delete at 25 is collected with its key: that key and every other absent one may
        // have changed since 20, but not since 25; a key with versions stays exact.
        store.collectGarbage(oldestActiveSnapshot: 30)
        #expect(store.latestCommit(of: deleted) == nil)
        #expect(store.mayHaveChanged(deleted, since: snapshot))
        #expect(store.mayHaveChanged(absent, since: snapshot))
        #expect(!store.mayHaveChanged(absent, since: 25))
        #expect(store.mayHaveChanged(kept, since: snapshot))
        #expect(!store.mayHaveChanged(kept, since: 26))
    }

    @Test("an active snapshot keeps its versions while newer commits and collections go on")
    func activeSnapshotSurvives() throws {
        let store = MVCCStore(checksum: nil, verifyReads: true, leafCapacity: 8, chunkSize: 4)
        for i in 0..<40 { store.install(key: T.key(i), value: T.bytes("s\(i)"), at: 1) }
        let snapshot: UInt64 = 1
        for round in 2...20 {
            store.install((0..<40).map { (T.key($0), $0 % 5 == 0 ? nil : T.bytes("r\(round)")) }, at: UInt64(round))
            store.collectGarbage(oldestActiveSnapshot: snapshot)
            #expect(try store.scan(.all, at: snapshot).map { T.text($0.value)! } == (0..<40).map { "s\($0)" })
        }
        #expect(store.statistics.versions == 40 * 20)
        // Once the snapshot ends: one version per live key, and the deleted keys are gone.
        #expect(store.collectGarbage(oldestActiveSnapshot: 20) == 40 * 20 - 32)
        let stats = store.statistics
        #expect(stats.keys == 32)
        #expect(stats.versions == 32)
        #expect(store.invariantViolations() == [])
    }

    @Test("deleting and collecting most keys shrinks the indexes and keeps them sound")
    func massDeletion() throws {
        let store = MVCCStore(checksum: nil, verifyReads: true, leafCapacity: 16, chunkSize: 7)
        store.install((0..<3000).map { (T.key($0), T.bytes("v")) }, at: 1)
        let leavesBefore = store.statistics.leaves
        store.install((0..<3000).filter { $0 % 50 != 0 }.map { (T.key($0), nil) }, at: 2)
        #expect(store.collectGarbage(oldestActiveSnapshot: 2) == 2 * 2940)
        let stats = store.statistics
        #expect(stats.keys == 60)
        #expect(stats.versions == 60)
        #expect(stats.leaves < leavesBefore / 10)
        #expect(try store.scan(.all, at: 2).map(\.key) == stride(from: 0, to: 3000, by: 50).map { T.key($0) })
        #expect(store.invariantViolations() == [])
        // And it grows again.
        store.install((0..<3000).map { (T.key($0), T.bytes("again")) }, at: 3)
        #expect(try store.scan(.all, at: 3).count == 3000)
        #expect(store.invariantViolations() == [])
    }
}
