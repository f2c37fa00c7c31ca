import MantisCore

/// A test-only compressing codec (PackBits-style run-length encoding), so tests can switch
/// codecs without depending on the zlib and lz4 plugins.
///
/// Stream of packets: a control byte c < 128 is followed by c + 1 literal bytes; c ≥ 128 is
/// followed by one byte repeated c − 125 times (3…130). Worst-case growth is 1/128 + 1 byte.
struct RunLengthCodec: CheckpointCodec {
    static let identifier: UInt8 = 200
    var name: String { "rle-test" }
    var identifier: UInt8 { Self.identifier }

    func compress(_ input: UnsafeRawBufferPointer) throws -> [UInt8] {
        guard input.count <= CheckpointCodecLimits.maximumBlockSize else {
            throw MantisError(.resourceExhausted, "rle: block of \(input.count) bytes is over the limit")
        }
        var output: [UInt8] = []
        output.reserveCapacity(input.count + input.count / 128 + 1)
        var index = 0
        var literalStart = 0
        func flushLiterals(upTo end: Int) {
            var start = literalStart
            while start < end {
                let count = min(128, end - start)
                output.append(UInt8(count - 1))
                output.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[start..<(start + count)]))
                start += count
            }
        }
        while index < input.count {
            let byte = input[index]
            var end = index + 1
            // Eight bytes at a time first (the tests run unoptimized builds over 64 MiB blocks).
            let pattern = UInt64(byte) &* 0x0101_0101_0101_0101
            while end + 8 <= input.count && end - index < 130 && input.loadUnaligned(fromByteOffset: end, as: UInt64.self) == pattern {
                end += 8
            }
            while end < input.count && end - index < 130 && input[end] == byte { end += 1 }
            let run = min(end - index, 130)
            if run >= 3 {
                flushLiterals(upTo: index)
                output.append(UInt8(run + 125))
                output.append(byte)
                index += run
                literalStart = index
            } else {
                index += run
            }
        }
        flushLiterals(upTo: input.count)
        return output
    }

    func decompress(_ input: UnsafeRawBufferPointer, originalSize: Int) throws -> [UInt8] {
        guard originalSize <= CheckpointCodecLimits.maximumBlockSize else {
            throw MantisError(.resourceExhausted, "rle: block claims \(originalSize) bytes, over the limit")
        }
        guard originalSize >= 0 else { throw MantisError(.codecError, "rle: negative size \(originalSize)") }
        // Raw-pointer fills: the tests run unoptimized builds over 64 MiB blocks.
        return try [UInt8](unsafeUninitializedCapacity: originalSize) { output, initialized in
            let target = UnsafeMutableRawBufferPointer(output)
            var written = 0
            var index = 0
            while index < input.count {
                let control = Int(input[index])
                index += 1
                if control < 128 {
                    let count = control + 1
                    guard input.count - index >= count, originalSize - written >= count else {
                        throw MantisError(.codecError, "rle: literal packet runs past the input or the output size")
                    }
                    target.baseAddress!.advanced(by: written).copyMemory(from: input.baseAddress! + index, byteCount: count)
                    index += count
                    written += count
                } else {
                    let count = control - 125
                    guard index < input.count, originalSize - written >= count else {
                        throw MantisError(.codecError, "rle: run packet runs past the input or the output size")
                    }
                    target.baseAddress!.advanced(by: written).initializeMemory(as: UInt8.self, repeating: input[index], count: count)
                    index += 1
                    written += count
                }
            }
            guard written == originalSize else {
                throw MantisError(.codecError, "rle: block expands to \(written) bytes, expected \(originalSize)")
            }
            initialized = written
        }
    }
}
