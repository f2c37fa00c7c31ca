import Testing
@testable import TxnKit

@Suite("SipHash")
struct SipHash13Tests {
    /// Key 00 01 … 0f, message 00 01 … (n-1): the reference vectors of the SipHash paper.
    static let key = SipHash13(k0: 0x0706_0504_0302_0100, k1: 0x0f0e_0d0c_0b0a_0908)

    static func message(_ count: Int) -> [UInt8] { (0..<count).map { UInt8($0) } }

    @Test("SipHash-2-4 matches the published vectors (empty message, 15 bytes)")
    func referenceVectors() {
        let empty = Self.message(0).withUnsafeBytes { Self.key.hash($0, compressionRounds: 2, finalizationRounds: 4) }
        let fifteen = Self.message(15).withUnsafeBytes { Self.key.hash($0, compressionRounds: 2, finalizationRounds: 4) }
        #expect(empty == 0x726f_db47_dd0e_0e31)
        #expect(fifteen == 0xa129_ca61_49be_45e5)
    }

    @Test("SipHash-1-3 depends on every byte, the length and the key")
    func sensitivity() {
        let other = SipHash13(k0: Self.key.k0 ^ 1, k1: Self.key.k1)
        for count in 0...24 {
            let base = Self.message(count)
            let hash = base.withUnsafeBytes { Self.key.hash($0) }
            #expect((base + [0]).withUnsafeBytes { Self.key.hash($0) } != hash, "length \(count): a trailing zero byte")
            #expect(base.withUnsafeBytes { other.hash($0) } != hash, "length \(count): the key")
            for position in 0..<count {
                var changed = base
                changed[position] ^= 0x80
                #expect(changed.withUnsafeBytes { Self.key.hash($0) } != hash, "length \(count): byte \(position)")
            }
        }
    }
}
