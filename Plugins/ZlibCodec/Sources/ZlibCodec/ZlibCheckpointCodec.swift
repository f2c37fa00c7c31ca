import CZlib
import MantisCore

/// Checkpoint codec on system zlib: each block is one zlib stream (RFC 1950), whose Adler-32
/// trailer catches most corruption on its own.
///
/// Guarantees: `decompress` returns exactly `originalSize` bytes or throws — `codecError` for a
/// corrupt, truncated, over-long or trailing-garbage block or one that expands to any other
/// size; `resourceExhausted` before allocating anything when `originalSize` is over
/// `CheckpointCodecLimits.maximumBlockSize`. It never allocates more than `originalSize` bytes
/// of output. `compress` refuses blocks over that limit too, so it never writes a block no
/// reader accepts. Any level decodes with any other level's codec.
public struct ZlibCheckpointCodec: CheckpointCodec {
    /// The valid compression levels: 0 stores, 1 is fastest, 9 compresses most.
    public static let levels = 0...9

    public let level: Int

    /// - Throws: `MantisError(.invalidConfiguration)` if `level` is outside `0...9`.
    public init(level: Int = 1) throws {
        guard Self.levels.contains(level) else {
            throw MantisError(
                .invalidConfiguration,
                "zlib compression level \(level) is out of range 0...9 (0 stores, 1 is fastest, 9 compresses most)")
        }
        self.level = level
    }

    public var name: String { "zlib" }
    public var identifier: UInt8 { CheckpointCodecIdentifier.zlib }

    public func compress(_ input: UnsafeRawBufferPointer) throws -> [UInt8] {
        guard input.count <= CheckpointCodecLimits.maximumBlockSize else {
            throw MantisError(.resourceExhausted, "zlib: block of \(input.count) bytes is over the \(CheckpointCodecLimits.maximumBlockSize)-byte limit")
        }
        let bound = Int(compressBound(uLong(input.count)))
        return try [UInt8](unsafeUninitializedCapacity: bound) { output, count in
            var outputLength = uLong(bound)
            // zlib accepts a NULL source when its length is 0.
            let status = compress2(
                output.baseAddress, &outputLength,
                input.baseAddress?.assumingMemoryBound(to: Bytef.self), uLong(input.count), Int32(level))
            guard status == Z_OK else {
                throw MantisError(status == Z_MEM_ERROR ? .resourceExhausted : .internalError,
                                  "zlib: compress2 failed: \(Self.describe(status))")
            }
            count = Int(outputLength)
        }
    }

    public func decompress(_ input: UnsafeRawBufferPointer, originalSize: Int) throws -> [UInt8] {
        guard originalSize <= CheckpointCodecLimits.maximumBlockSize else {
            throw MantisError(.resourceExhausted, "zlib: block claims \(originalSize) bytes, over the \(CheckpointCodecLimits.maximumBlockSize)-byte limit")
        }
        guard originalSize >= 0 else {
            throw MantisError(.codecError, "zlib: block claims a negative size (\(originalSize))")
        }
        guard let source = input.baseAddress, !input.isEmpty else {
            throw MantisError(.codecError, "zlib: block is empty; a zlib stream is at least 8 bytes")
        }
        // One spare byte lets a stream one byte too long show itself as such (zlib's own
        // check for that, with a zero-size output, silently drops the extra byte).
        return try [UInt8](unsafeUninitializedCapacity: originalSize + 1) { output, count in
            var outputLength = uLong(originalSize + 1)
            var inputLength = uLong(input.count)
            let status = uncompress2(
                output.baseAddress, &outputLength, source.assumingMemoryBound(to: Bytef.self), &inputLength)
            switch status {
            case Z_OK:
                break
            case Z_BUF_ERROR:
                throw MantisError(.codecError, "zlib: block expands to more than \(originalSize) bytes")
            case Z_MEM_ERROR:
                throw MantisError(.resourceExhausted, "zlib: out of memory while inflating")
            default:
                throw MantisError(.codecError, "zlib: corrupt or truncated block (\(Self.describe(status)))")
            }
            guard Int(outputLength) == originalSize else {
                throw MantisError(.codecError, "zlib: block expands to \(outputLength) bytes, expected \(originalSize)")
            }
            guard Int(inputLength) == input.count else {
                throw MantisError(.codecError, "zlib: \(input.count - Int(inputLength)) unexpected bytes after the end of the stream")
            }
            count = originalSize
        }
    }

    /// zlib's name for a status code.
    static func describe(_ status: Int32) -> String {
        guard let text = zError(status) else { return "status \(status)" }
        return "\(String(cString: text)), status \(status)"
    }
}
