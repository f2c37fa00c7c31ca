import CLZ4
import MantisCore

/// Checkpoint codec on system lz4: each block is one raw LZ4 block, decoded only with the
/// bounds-checked `LZ4_decompress_safe`.
///
/// Guarantees: `decompress` returns exactly `originalSize` bytes or throws — `codecError` for a
/// malformed or truncated block or one that expands to any other size; `resourceExhausted`
/// before allocating anything when `originalSize` is over
/// `CheckpointCodecLimits.maximumBlockSize`. It never reads or writes outside its buffers
/// and never allocates more than `originalSize` bytes. LZ4 has no checksum of its own: a
/// damaged literal byte can decode to wrong bytes of the right length, which the checkpoint's
/// block checksum catches. `compress` refuses blocks over the limit, so it never writes a
/// block no reader accepts. Any acceleration decodes with any other's codec.
public struct LZ4CheckpointCodec: CheckpointCodec {
    /// The valid accelerations: 1 compresses most; larger values are faster and compress less.
    /// (65537 is lz4's `LZ4_ACCELERATION_MAX`; it silently clamps larger values.)
    public static let accelerations = 1...65537

    public let acceleration: Int

    /// - Throws: `MantisError(.invalidConfiguration)` if `acceleration` is outside `1...65537`.
    public init(acceleration: Int = 1) throws {
        guard Self.accelerations.contains(acceleration) else {
            throw MantisError(
                .invalidConfiguration,
                "lz4 acceleration \(acceleration) is out of range 1...65537 (1 compresses most, larger is faster)")
        }
        self.acceleration = acceleration
    }

    public var name: String { "lz4" }
    public var identifier: UInt8 { CheckpointCodecIdentifier.lz4 }

    public func compress(_ input: UnsafeRawBufferPointer) throws -> [UInt8] {
        // The limit is far below LZ4_MAX_INPUT_SIZE, so every size below fits an Int32.
        guard input.count <= CheckpointCodecLimits.maximumBlockSize else {
            throw MantisError(.resourceExhausted, "lz4: block of \(input.count) bytes is over the \(CheckpointCodecLimits.maximumBlockSize)-byte limit")
        }
        let bound = Int(LZ4_compressBound(Int32(input.count)))
        return try withSource(input) { source in
            try [UInt8](unsafeUninitializedCapacity: bound) { output, count in
                let written = LZ4_compress_fast(
                    source, UnsafeMutableRawPointer(output.baseAddress!).assumingMemoryBound(to: CChar.self),
                    Int32(input.count), Int32(bound), Int32(acceleration))
                guard written > 0 else {
                    throw MantisError(.internalError, "lz4: LZ4_compress_fast failed on \(input.count) bytes")
                }
                count = Int(written)
            }
        }
    }

    public func decompress(_ input: UnsafeRawBufferPointer, originalSize: Int) throws -> [UInt8] {
        guard originalSize <= CheckpointCodecLimits.maximumBlockSize else {
            throw MantisError(.resourceExhausted, "lz4: block claims \(originalSize) bytes, over the \(CheckpointCodecLimits.maximumBlockSize)-byte limit")
        }
        guard originalSize >= 0 else {
            throw MantisError(.codecError, "lz4: block claims a negative size (\(originalSize))")
        }
        // A block is at least one token byte, and lz4 takes its length as an Int32.
        guard !input.isEmpty, input.count <= Int(Int32.max) else {
            throw MantisError(.codecError, "lz4: a \(input.count)-byte block cannot expand to \(originalSize) bytes")
        }
        return try withSource(input) { source in
            // One spare byte of capacity so a zero-size block still has an output address.
            try [UInt8](unsafeUninitializedCapacity: originalSize + 1) { output, count in
                let decoded = LZ4_decompress_safe(
                    source, UnsafeMutableRawPointer(output.baseAddress!).assumingMemoryBound(to: CChar.self),
                    Int32(input.count), Int32(originalSize))
                guard decoded >= 0 else {
                    throw MantisError(.codecError, "lz4: corrupt or truncated block, or it expands to more than \(originalSize) bytes")
                }
                guard Int(decoded) == originalSize else {
                    throw MantisError(.codecError, "lz4: block expands to \(decoded) bytes, expected \(originalSize)")
                }
                count = originalSize
            }
        }
    }

    /// Runs `body` on `input`'s bytes, with a valid address even when `input` is empty.
    private func withSource<Result>(
        _ input: UnsafeRawBufferPointer, _ body: (UnsafePointer<CChar>) throws -> Result
    ) throws -> Result {
        if let base = input.baseAddress { return try body(base.assumingMemoryBound(to: CChar.self)) }
        var empty: CChar = 0
        return try body(&empty)
    }
}
