/// SipHash-1-3 (one compression round, three finalization rounds; the variant Swift's `Hasher`
/// uses) over a byte buffer, with a 128-bit key. Written for the store's key hash: the same
/// flooding resistance as `Hasher`, without its streaming state (a read hashes one short key).
struct SipHash13 {
    let k0: UInt64
    let k1: UInt64

    /// A key drawn from the system's random source.
    static func randomKey() -> SipHash13 {
        var random = SystemRandomNumberGenerator()
        return SipHash13(k0: random.next(), k1: random.next())
    }

    func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        hash(bytes, compressionRounds: 1, finalizationRounds: 3)
    }

    /// SipHash-c-d; the general form exists so tests can check it against the published
    /// SipHash-2-4 vectors.
    @inline(__always)
    func hash(_ bytes: UnsafeRawBufferPointer, compressionRounds: Int, finalizationRounds: Int) -> UInt64 {
        var state = (k0 ^ 0x736f_6d65_7073_6575, k1 ^ 0x646f_7261_6e64_6f6d,
                     k0 ^ 0x6c79_6765_6e65_7261, k1 ^ 0x7465_6462_7974_6573)
        let count = bytes.count
        var offset = 0
        while offset + 8 <= count {
            let word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            Self.compress(word, into: &state, rounds: compressionRounds)
            offset += 8
        }
        var last = UInt64(truncatingIfNeeded: count) << 56
        var shift: UInt64 = 0
        while offset < count {
            last |= UInt64(bytes[offset]) << shift
            shift += 8
            offset += 1
        }
        Self.compress(last, into: &state, rounds: compressionRounds)
        state.2 ^= 0xff
        for _ in 0..<finalizationRounds { Self.round(&state) }
        return state.0 ^ state.1 ^ state.2 ^ state.3
    }

    @inline(__always)
    private static func compress(_ word: UInt64, into state: inout (UInt64, UInt64, UInt64, UInt64), rounds: Int) {
        state.3 ^= word
        for _ in 0..<rounds { round(&state) }
        state.0 ^= word
    }

    @inline(__always)
    private static func round(_ v: inout (UInt64, UInt64, UInt64, UInt64)) {
        v.0 &+= v.1; v.1 = rotate(v.1, 13); v.1 ^= v.0; v.0 = rotate(v.0, 32)
        v.2 &+= v.3; v.3 = rotate(v.3, 16); v.3 ^= v.2
        v.0 &+= v.3; v.3 = rotate(v.3, 21); v.3 ^= v.0
        v.2 &+= v.1; v.1 = rotate(v.1, 17); v.1 ^= v.2; v.2 = rotate(v.2, 32)
    }

    @inline(__always)
    private static func rotate(_ value: UInt64, _ bits: UInt64) -> UInt64 {
        (value << bits) | (value >> (64 &- bits))
    }
}
