import MantisCore
import Testing
import TxnKit

@Suite("MVCCStore visibility")
struct MVCCStoreVisibilityTests {
    typealias T = StoreTestSupport

    @Test("a reader at S sees exactly the versions with ts <= S")
    func snapshotVisibility() throws {
        let store = MVCCStore()
        let a = T.bytes("a"), b = T.bytes("b")
        store.install([(a, T.bytes("a1")), (b, T.bytes("b1"))], at: 10)
        store.install([(a, T.bytes("a2"))], at: 20)
        store.install([(a, nil)], at: 30)             // delete
        store.install([(a, T.bytes("a4"))], at: 40)   // re-insert
        store.install([(b, nil)], at: 50)

        #expect(try store.get(a, at: 0) == nil)
        #expect(try store.get(a, at: 9) == nil)
        #expect(try T.text(store.get(a, at: 10)) == "a1")
        #expect(try T.text(store.get(a, at: 19)) == "a1")
        #expect(try T.text(store.get(a, at: 20)) == "a2")
        #expect(try T.text(store.get(a, at: 29)) == "a2")
        #expect(try store.get(a, at: 30) == nil)
        #expect(try store.get(a, at: 39) == nil)
        #expect(try T.text(store.get(a, at: 40)) == "a4")
        #expect(try T.text(store.get(a, at: .max)) == "a4")
        #expect(try T.text(store.get(b, at: 49)) == "b1")
        #expect(try store.get(b, at: 50) == nil)
        #expect(try store.get(T.bytes("c"), at: .max) == nil)

        let stats = store.statistics
        #expect(stats.keys == 2)
        #expect(stats.liveKeys == 1)
        #expect(stats.versions == 6)
        #expect(stats.tombstones == 2)
        #expect(stats.newestCommit == 50)
        #expect(store.invariantViolations() == [])
    }

    @Test("all writes of one install become visible together")
    func atomicInstall() throws {
        let store = MVCCStore()
        let keys = (0..<100).map { T.key($0) }
        store.install(keys.map { ($0, T.bytes("v1")) }, at: 5)
        store.install(keys.map { ($0, T.bytes("v2")) }, at: 6)
        for key in keys {
            #expect(try T.text(store.get(key, at: 5)) == "v1")
            #expect(try T.text(store.get(key, at: 6)) == "v2")
        }
        #expect(try store.scan(.all, at: 4).isEmpty)
    }

    @Test("installs arriving out of timestamp order are placed by timestamp")
    func outOfOrderInstalls() throws {
        let store = MVCCStore()
        let k = T.bytes("k")
        store.install([(k, T.bytes("v30"))], at: 30)
        store.install([(k, T.bytes("v10"))], at: 10)
        store.install([(k, nil)], at: 20)
        store.install([(k, T.bytes("v40"))], at: 40)
        store.install([(k, T.bytes("v15"))], at: 15)
        #expect(try store.get(k, at: 9) == nil)
        #expect(try T.text(store.get(k, at: 10)) == "v10")
        #expect(try T.text(store.get(k, at: 15)) == "v15")
        #expect(try T.text(store.get(k, at: 19)) == "v15")
        #expect(try store.get(k, at: 20) == nil)
        #expect(try T.text(store.get(k, at: 30)) == "v30")
        #expect(try T.text(store.get(k, at: 41)) == "v40")
        #expect(store.latestCommit(of: k) == 40)
        #expect(store.statistics.versions == 5)
        #expect(store.invariantViolations() == [])
    }

    @Test("re-installing a commit replaces its versions; a key written twice keeps the last write")
    func idempotentReinstall() throws {
        let store = MVCCStore()
        let k = T.bytes("k")
        store.install([(k, T.bytes("first")), (k, T.bytes("second"))], at: 7)
        #expect(try T.text(store.get(k, at: 7)) == "second")
        store.install([(k, T.bytes("x"))], at: 9)
        store.install([(k, T.bytes("second"))], at: 7)   // redo of commit 7
        store.install([(k, nil)], at: 9)                  // redo of commit 9, now a delete
        #expect(try T.text(store.get(k, at: 8)) == "second")
        #expect(try store.get(k, at: 9) == nil)
        let stats = store.statistics
        #expect(stats.versions == 2)
        #expect(stats.liveKeys == 0)
        #expect(stats.tombstones == 1)
        #expect(store.invariantViolations() == [])
    }

    @Test("an empty install changes nothing; empty keys and values are ordinary")
    func emptyThings() throws {
        let store = MVCCStore()
        store.install([], at: 3)
        #expect(store.statistics.newestCommit == 0)
        store.install([([], []), (T.bytes("e"), [])], at: 4)
        #expect(try store.get([], at: 4) == [])
        #expect(try store.get(T.bytes("e"), at: 4) == [])
        #expect(try store.scan(.all, at: 4).map(\.key) == [[], T.bytes("e")])
    }

    @Test("latestCommit reports the newest version, tombstones included")
    func latestCommit() {
        let store = MVCCStore()
        let k = T.bytes("k")
        #expect(store.latestCommit(of: k) == nil)
        store.install([(k, T.bytes("v"))], at: 3)
        #expect(store.latestCommit(of: k) == 3)
        store.install([(k, nil)], at: 8)
        #expect(store.latestCommit(of: k) == 8)
        store.install(key: T.bytes("never-existed"), value: nil, at: 9)
        #expect(store.latestCommit(of: T.bytes("never-existed")) == 9)
    }

    @Test("hasVersion(in:newerThan:) sees values and tombstones, respects the range bounds")
    func hasVersionInRange() {
        let store = MVCCStore(checksum: nil, verifyReads: true, leafCapacity: 8, chunkSize: 3)
        for i in 0..<50 { store.install(key: T.key(i), value: T.bytes("v"), at: 10) }
        store.install(key: T.key(20), value: T.bytes("w"), at: 20)
        store.install(key: T.key(30), value: nil, at: 30)

        #expect(store.hasVersion(in: .all, newerThan: 10))
        #expect(!store.hasVersion(in: .all, newerThan: 30))
        #expect(store.hasVersion(in: KeyRange(T.key(20), T.key(21)), newerThan: 19))
        #expect(!store.hasVersion(in: KeyRange(T.key(20), T.key(21)), newerThan: 20))
        #expect(!store.hasVersion(in: KeyRange(T.key(21), T.key(30)), newerThan: 10))   // upper exclusive
        #expect(store.hasVersion(in: KeyRange(T.key(21), T.key(31)), newerThan: 20))    // the tombstone
        #expect(store.hasVersion(in: .from(T.key(25)), newerThan: 20))
        #expect(!store.hasVersion(in: .below(T.key(20)), newerThan: 10))
        #expect(store.hasVersion(in: .below(T.key(20) + [0]), newerThan: 10))
        // A range of keys that do not exist yet: an insert there is a phantom.
        #expect(!store.hasVersion(in: .prefix(T.bytes("p")), newerThan: 0))
        store.install(key: T.bytes("p1"), value: T.bytes("x"), at: 40)
        #expect(store.hasVersion(in: .prefix(T.bytes("p")), newerThan: 39))
        #expect(!store.hasVersion(in: KeyRange(T.key(5), T.key(5)), newerThan: 0))       // empty range
    }
}
