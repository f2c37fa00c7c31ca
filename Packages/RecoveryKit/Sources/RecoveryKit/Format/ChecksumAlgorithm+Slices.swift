import MantisCore

extension ChecksumAlgorithm {
    /// Extends `checksum` over a slice of an array.
    func update(_ checksum: UInt32, _ bytes: ArraySlice<UInt8>) -> UInt32 {
        bytes.withUnsafeBytes { update(checksum, $0) }
    }
}
