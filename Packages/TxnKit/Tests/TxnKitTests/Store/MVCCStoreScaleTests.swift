import IntegrityKit
import MantisCore
import Testing
import TxnKit

@Suite("MVCCStore at scale")
struct MVCCStoreScaleTests {
    /// A 16-byte key: "key:" and the number as 12 hex digits, scrambled so inserts are not in
    /// key order.
    static func key(_ number: Int) -> [UInt8] {
        var scrambled = UInt64(number) &* 0x9E37_79B9_7F4A_7C15 >> 16
        var key = [UInt8](repeating: 0, count: 16)
        key[0] = 0x6B; key[1] = 0x65; key[2] = 0x79; key[3] = 0x3A   // "key:"
        var index = 15
        while index >= 4 {
            key[index] = hexDigits[Int(scrambled & 0xF)]
            scrambled >>= 4
            index -= 1
        }
        return key
    }

    static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    @Test("a million keys: install, sample point reads, range scan, statistics")
    func millionKeys() throws {
        let store = MVCCStore(checksum: CRC32Checksum())
        let count = 1_000_000
        let batch = 10_000
        for start in stride(from: 0, to: count, by: batch) {
            store.install((start..<(start + batch)).map { (Self.key($0), [UInt8](repeating: UInt8(truncatingIfNeeded: $0), count: 8)) },
                          at: UInt64(start / batch + 1))
        }
        let stats = store.statistics
        #expect(stats.keys == count)
        #expect(stats.liveKeys == count)
        #expect(stats.versions == count)
        #expect(stats.approximateBytes < count * 300)

        var random = StoreTestRandom(seed: 1)
        for _ in 0..<10_000 {
            let number = random.below(count)
            let expected = [UInt8](repeating: UInt8(truncatingIfNeeded: number), count: 8)
            #expect(try store.get(Self.key(number), at: .max) == expected)
            #expect(try store.get(Self.key(number), at: UInt64(number / batch)) == nil)   // before its install
        }
        #expect(try store.get(Array("key:zzzzzzzzzzzz".utf8), at: .max) == nil)

        let rows = try store.scan(KeyRange(lower: Array("key:10".utf8), upper: Array("key:11".utf8)), at: .max)
        #expect(rows.count > 3_000 && rows.count < 5_000)   // about 1/256 of the keys
        #expect(zip(rows, rows.dropFirst()).allSatisfy { $0.key.lexicographicallyPrecedes($1.key) })
        #expect(rows.allSatisfy { $0.key.starts(with: Array("key:10".utf8)) })
        #expect(try store.scan(.prefix(Array("key:".utf8)), at: .max, limit: 1_000).count == 1_000)
    }
}
