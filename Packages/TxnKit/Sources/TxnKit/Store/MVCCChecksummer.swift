import MantisCore

/// The store's value checksum with its algorithm's type opened once, at the store's creation.
///
/// Calling through the `any ChecksumAlgorithm` existential copied the existential on every
/// read; this costs one indirect call.
struct MVCCChecksummer: Sendable {
    private let compute: @Sendable (UnsafeRawBufferPointer) -> UInt32

    init<Algorithm: ChecksumAlgorithm>(_ algorithm: Algorithm) {
        compute = { algorithm.update(0, $0) }
    }

    @inline(__always)
    func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 { compute(bytes) }
}
