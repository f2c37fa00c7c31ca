/// Compresses checkpoint blocks. Implementations: `none` (MantisCore), `zlib` and `lz4` (plugins).
///
/// A checkpoint file records the codec's `identifier`, so a file written with one codec still
/// opens after the configuration switches to another.
public protocol CheckpointCodec: Sendable {
    /// The registry name (`none`, `zlib`, `lz4`).
    var name: String { get }
    /// The byte recorded in checkpoint headers.
    var identifier: UInt8 { get }

    /// Compresses one block.
    func compress(_ input: UnsafeRawBufferPointer) throws -> [UInt8]

    /// Decompresses one block that must expand to exactly `originalSize` bytes.
    /// Throws `codecError` on corrupt or truncated input and `resourceExhausted` if
    /// `originalSize` exceeds `CheckpointCodecLimits.maximumBlockSize` (nothing is allocated then).
    func decompress(_ input: UnsafeRawBufferPointer, originalSize: Int) throws -> [UInt8]
}

public enum CheckpointCodecLimits {
    /// The largest uncompressed block any codec accepts: a corrupt header cannot make a
    /// reader allocate more than this.
    public static let maximumBlockSize = 64 << 20
}

/// The identifiers recorded in checkpoint headers for each codec.
public enum CheckpointCodecIdentifier {
    public static let none: UInt8 = 0
    public static let zlib: UInt8 = 1
    public static let lz4: UInt8 = 2
}

/// Stores blocks as they are.
public struct NoneCheckpointCodec: CheckpointCodec {
    public init() {}
    public var name: String { "none" }
    public var identifier: UInt8 { CheckpointCodecIdentifier.none }

    public func compress(_ input: UnsafeRawBufferPointer) throws -> [UInt8] {
        Array(input)
    }

    public func decompress(_ input: UnsafeRawBufferPointer, originalSize: Int) throws -> [UInt8] {
        guard originalSize <= CheckpointCodecLimits.maximumBlockSize else {
            throw MantisError(.resourceExhausted, "block claims \(originalSize) bytes, over the \(CheckpointCodecLimits.maximumBlockSize) limit")
        }
        guard input.count == originalSize else {
            throw MantisError(.codecError, "stored block is \(input.count) bytes, header says \(originalSize)")
        }
        return Array(input)
    }
}
