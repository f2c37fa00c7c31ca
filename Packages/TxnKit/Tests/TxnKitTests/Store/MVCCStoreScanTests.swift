import IntegrityKit
import MantisCore
import Testing
import TxnKit

@Suite("MVCCStore scans and key ranges")
struct MVCCStoreScanTests {
    typealias T = StoreTestSupport

    /// Small leaves and chunks, so scans cross many leaves and lock releases.
    func smallStore() -> MVCCStore {
        MVCCStore(checksum: nil, verifyReads: true, leafCapacity: 8, chunkSize: 5)
    }

    @Test("keys order as unsigned bytes, a proper prefix first")
    func byteOrder() throws {
        let store = smallStore()
        let keys: [[UInt8]] = [[0xFF], [0x00], [], [0x00, 0x00], [0x7F], [0x80], [0x01, 0xFF], [0x01], [0x00, 0x01]]
        store.install(keys.map { ($0, [1]) }, at: 1)
        let scanned = try store.scan(.all, at: 1).map(\.key)
        #expect(scanned == [[], [0x00], [0x00, 0x00], [0x00, 0x01], [0x01], [0x01, 0xFF], [0x7F], [0x80], [0xFF]])
    }

    @Test("range scans are ordered, bounded (lower inclusive, upper exclusive), open at either end")
    func rangeScans() throws {
        let store = smallStore()
        // Inserted in a scrambled order.
        for i in (0..<100).map({ ($0 * 37) % 100 }) { store.install(key: T.key(i), value: T.bytes("v\(i)"), at: 1) }
        func keys(_ range: KeyRange, limit: Int? = nil) throws -> [[UInt8]] {
            try store.scan(range, at: 1, limit: limit).map(\.key)
        }
        #expect(try keys(.all) == (0..<100).map { T.key($0) })
        #expect(try keys(KeyRange(T.key(10), T.key(20))) == (10..<20).map { T.key($0) })
        #expect(try keys(.from(T.key(95))) == (95..<100).map { T.key($0) })
        #expect(try keys(.below(T.key(3))) == (0..<3).map { T.key($0) })
        #expect(try keys(KeyRange(T.key(10), T.key(20)), limit: 4) == (10..<14).map { T.key($0) })
        #expect(try keys(.all, limit: 0).isEmpty)
        #expect(try keys(KeyRange(T.key(20), T.key(10))).isEmpty)
        #expect(try keys(KeyRange(T.bytes("k000010x"), T.bytes("k000012"))) == [T.key(11)])
        #expect(try keys(.from(T.bytes("l"))).isEmpty)
        #expect(try keys(.exactly(T.key(42))) == [T.key(42)])
        let values = try store.scan(KeyRange(T.key(40), T.key(43)), at: 1).map { T.text($0.value)! }
        #expect(values == ["v40", "v41", "v42"])
    }

    @Test("prefix scans, including prefixes ending in 0xFF and the empty prefix")
    func prefixScans() throws {
        let store = smallStore()
        let keys: [[UInt8]] = [
            T.bytes("app"), T.bytes("apple"), T.bytes("apples"), T.bytes("apricot"), T.bytes("b"),
            [0x61, 0xFF], [0x61, 0xFF, 0x00], [0x61, 0xFF, 0xFF], [0x62], [0xFF, 0xFF], [0xFF, 0xFF, 0x01],
        ]
        store.install(keys.map { ($0, [1]) }, at: 1)
        #expect(try store.scan(prefix: T.bytes("app"), at: 1).map(\.key) == [T.bytes("app"), T.bytes("apple"), T.bytes("apples")])
        #expect(try store.scan(prefix: T.bytes("ap"), at: 1).count == 4)
        #expect(try store.scan(prefix: [0x61, 0xFF], at: 1).map(\.key) == [[0x61, 0xFF], [0x61, 0xFF, 0x00], [0x61, 0xFF, 0xFF]])
        #expect(try store.scan(prefix: [0xFF, 0xFF], at: 1).map(\.key) == [[0xFF, 0xFF], [0xFF, 0xFF, 0x01]])
        #expect(try store.scan(prefix: [], at: 1).count == Set(keys).count)   // "b" is [0x62]
        #expect(try store.scan(prefix: T.bytes("c"), at: 1).isEmpty)
    }

    @Test("KeyRange bounds and prefix successors")
    func keyRanges() {
        #expect(KeyRange.prefix([0x01, 0x02]) == KeyRange(lower: [0x01, 0x02], upper: [0x01, 0x03]))
        #expect(KeyRange.prefix([0x01, 0xFF]) == KeyRange(lower: [0x01, 0xFF], upper: [0x02]))
        #expect(KeyRange.prefix([0xFF, 0xFF]) == KeyRange(lower: [0xFF, 0xFF], upper: nil))
        #expect(KeyRange.prefix([]) == .all)
        let range = KeyRange([0x10], [0x20])
        #expect(range.contains([0x10]))
        #expect(range.contains([0x1F, 0xFF, 0xFF]))
        #expect(!range.contains([0x20]))
        #expect(!range.contains([0x0F, 0xFF]))
        #expect(KeyRange.prefix([0x61]).contains([0x61]))
        #expect(KeyRange.prefix([0x61]).contains([0x61, 0xFF, 0xFF]))
        #expect(!KeyRange.prefix([0x61]).contains([0x62]))
        #expect(KeyRange.all.contains([]))
        #expect(KeyRange.exactly([0x05]).contains([0x05]))
        #expect(!KeyRange.exactly([0x05]).contains([0x05, 0x00]))
        #expect(KeyRange([0x05], [0x05]).isEmpty)
        #expect(!KeyRange.all.isEmpty)
        #expect(KeyRange.prefix(Array("ab".utf8)).description == "[\"ab\", \"ac\")")
    }

    @Test("scans at old snapshots see the past: values, deletes and re-inserts")
    func scansAtOldSnapshots() throws {
        let store = smallStore()
        for i in 0..<30 { store.install(key: T.key(i), value: T.bytes("a\(i)"), at: 10) }
        for i in stride(from: 0, to: 30, by: 2) { store.install(key: T.key(i), value: nil, at: 20) }     // evens deleted
        for i in stride(from: 0, to: 30, by: 3) { store.install(key: T.key(i), value: T.bytes("b\(i)"), at: 30) }   // multiples of 3 (re)written
        store.install(key: T.key(100), value: T.bytes("new"), at: 40)

        func snapshot(_ s: UInt64) throws -> [String] {
            try store.scan(.all, at: s).map { T.text($0.key)! + "=" + T.text($0.value)! }
        }
        #expect(try snapshot(9) == [])
        #expect(try snapshot(10) == (0..<30).map { "k\(T.padded($0))=a\($0)" })
        #expect(try snapshot(20) == (0..<30).filter { $0 % 2 == 1 }.map { "k\(T.padded($0))=a\($0)" })
        let at30 = (0..<30).compactMap { i -> String? in
            if i % 3 == 0 { return "k\(T.padded(i))=b\(i)" }
            return i % 2 == 1 ? "k\(T.padded(i))=a\(i)" : nil
        }
        #expect(try snapshot(30) == at30)
        #expect(try snapshot(40) == at30 + ["k000100=new"])
        // Limits count live pairs only, skipping deleted keys.
        #expect(try store.scan(.all, at: 20, limit: 3).map { T.text($0.key)! } == ["k000001", "k000003", "k000005"])
    }

    @Test("forEachLatest visits the snapshot in order across many chunks and stops on a thrown error")
    func forEachLatestChunks() throws {
        let store = smallStore()
        for i in 0..<200 { store.install(key: T.key(i), value: T.bytes("\(i)"), at: UInt64(i + 1)) }
        var seen: [[UInt8]] = []
        try store.forEachLatest(at: 100) { key, _ in seen.append(key) }
        #expect(seen == (0..<100).map { T.key($0) })
        var partial: [[UInt8]] = []
        try store.forEachLatest(in: .prefix(T.bytes("k00015")), at: .max) { key, _ in partial.append(key) }
        #expect(partial == (150..<160).map { T.key($0) })

        struct Stop: Error {}
        var calls = 0
        #expect(throws: Stop.self) {
            try store.forEachLatest(at: .max) { _, _ in
                calls += 1
                if calls == 17 { throw Stop() }
            }
        }
        #expect(calls == 17)
    }

    @Test("forEachLatestInPlace hands out the same pairs as forEachLatest, deletes and old snapshots included")
    func forEachLatestInPlaceMatches() throws {
        let store = MVCCStore(checksum: CRC32Checksum(), verifyReads: true, leafCapacity: 8, chunkSize: 5)
        for i in 0..<200 { store.install(key: T.key(i), value: T.bytes("\(i)"), at: UInt64(i + 1)) }
        for i in stride(from: 0, to: 200, by: 3) { store.install(key: T.key(i), value: nil, at: UInt64(300 + i)) }
        store.install(key: T.key(7), value: [], at: 600)
        for snapshot: UInt64 in [50, 250, 400, .max] {
            var copied: [[UInt8]] = []
            try store.forEachLatest(at: snapshot) { key, value in copied.append(key + [0xFF] + value) }
            var inPlace: [[UInt8]] = []
            try store.forEachLatestInPlace(at: snapshot) { key, value in inPlace.append(Array(key) + [0xFF] + Array(value)) }
            #expect(inPlace == copied)
        }
    }

    @Test("forEachLatestInPlace verifies each value before handing it out")
    func forEachLatestInPlaceVerifies() throws {
        let store = MVCCStore(checksum: CRC32Checksum(), verifyReads: true, leafCapacity: 8, chunkSize: 5)
        for i in 0..<20 { store.install(key: T.key(i), value: T.bytes("value \(i)"), at: UInt64(i + 1)) }
        #expect(store.corrupt(key: T.key(12), at: 13, flipping: 5))
        var seen = 0
        #expect { try store.forEachLatestInPlace(at: .max) { _, _ in seen += 1 } } throws: { error in
            (error as? MantisError)?.code == .corruption && (error as? MantisError)?.context.key == T.key(12)
        }
        #expect(seen == 12)
    }
}
