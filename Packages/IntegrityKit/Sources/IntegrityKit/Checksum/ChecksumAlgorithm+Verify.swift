import MantisCore

extension ChecksumAlgorithm {
    /// Checks that `bytes` have the checksum `expected`.
    /// - Throws: `MantisError(.checksumMismatch)` with both values in hex, the algorithm and
    ///   `context` (which should name the file and byte offset of the data).
    public func verify(_ bytes: UnsafeRawBufferPointer, expected: UInt32, context: ErrorContext) throws {
        let actual = checksum(bytes)
        guard actual == expected else {
            throw MantisError(
                .checksumMismatch,
                "\(name) mismatch over \(bytes.count) bytes: expected \(Self.hex(expected)), actual \(Self.hex(actual))",
                context: context)
        }
    }

    /// `verify(_:expected:context:)` over an array.
    public func verify(_ bytes: [UInt8], expected: UInt32, context: ErrorContext) throws {
        try bytes.withUnsafeBytes { try verify($0, expected: expected, context: context) }
    }

    /// `0x` and eight hex digits.
    static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
    }
}
