import MantisCore
import Testing
@testable import TxnKit

@Suite("MVCCBytes")
struct MVCCBytesTests {
    @Test("equal agrees with byte-wise equality for every length up to 40 and a difference at every position")
    func equalMatchesArrayEquality() {
        var random = SplitMix64(seed: 41)  // fixed: the keys in a failure message reproduce it
        for length in 0...40 {
            let key = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
            #expect(MVCCBytes.equal(key, key), "length \(length): equal to itself")
            #expect(!MVCCBytes.equal(key, key + [0]), "length \(length): not equal to a longer key")
            for position in 0..<length {
                var other = key
                other[position] ^= 0x01
                #expect(!MVCCBytes.equal(key, other), "length \(length): a difference at byte \(position) was missed")
            }
        }
    }
}
