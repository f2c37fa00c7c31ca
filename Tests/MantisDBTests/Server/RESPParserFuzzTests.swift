@testable import MantisDB
import MantisCore
import NIOCore
import Testing

/// Seeded random pipelines, valid and then damaged, parsed whole, in random chunks and a byte at
/// a time: the parser must reach the same requests and the same error (or the same wait for
/// more input) however the bytes arrive, and never crash or loop.
@Suite("RESP parser fuzzing") struct RESPParserFuzzTests {
    struct Outcome: Equatable, CustomStringConvertible {
        var requests: [[[UInt8]]] = []
        var error: String?
        var description: String { "\(requests.count) requests, error \(error ?? "none")" }
    }

    static func parse(_ bytes: [UInt8], chunks: [Int], parser: RESPParser) -> Outcome {
        var parser = parser
        var buffer = ByteBuffer()
        var outcome = Outcome()
        var offset = 0
        for size in chunks + [bytes.count] where offset < bytes.count {
            let end = min(bytes.count, offset + max(1, size))
            buffer.writeBytes(bytes[offset..<end])
            offset = end
            do {
                while let request = try parser.next(&buffer) { outcome.requests.append(request.arguments) }
            } catch {
                outcome.error = (error as? RESPProtocolError)?.message ?? "\(error)"
                return outcome
            }
        }
        return outcome
    }

    static func argument(_ random: inout SplitMix64) -> [UInt8] {
        let alphabet = Array("abcXYZ019 \"'\\\r\n*$:\t".utf8) + [0, 0xFF]
        return (0..<Int(random.next() % 12)).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] }
    }

    /// A pipeline of multibulk requests, inline commands and empty arrays, and what it holds.
    static func pipeline(_ random: inout SplitMix64) -> (bytes: [UInt8], requests: [[[UInt8]]]) {
        var bytes: [UInt8] = []
        var requests: [[[UInt8]]] = []
        for _ in 0..<(1 + Int(random.next() % 6)) {
            switch random.next() % 5 {
            case 0:
                let word = Array("PING".utf8), value = Array("v\(random.next() % 100)".utf8)
                bytes += Array("PING v".utf8) + Array(value.dropFirst()) + Array("\r\n".utf8)
                requests.append([word, value])
            case 1:
                bytes += Array((random.next() % 2 == 0 ? "*0\r\n" : "*-1\r\n").utf8)
            default:
                let arguments = (0..<(1 + Int(random.next() % 4))).map { _ in argument(&random) }
                bytes += Array("*\(arguments.count)\r\n".utf8)
                for argument in arguments { bytes += Array("$\(argument.count)\r\n".utf8) + argument + Array("\r\n".utf8) }
                requests.append(arguments)
            }
        }
        return (bytes, requests)
    }

    static func damage(_ bytes: inout [UInt8], _ random: inout SplitMix64) {
        let inserts = Array("*$:-\r\n0923xa".utf8)
        for _ in 0..<(1 + Int(random.next() % 3)) where !bytes.isEmpty {
            let at = Int(random.next() % UInt64(bytes.count))
            switch random.next() % 4 {
            case 0: bytes[at] ^= UInt8(1 << (random.next() % 8))
            case 1: bytes.insert(inserts[Int(random.next() % UInt64(inserts.count))], at: at)
            case 2: bytes.remove(at: at)
            default: bytes.removeLast(bytes.count - at)
            }
        }
    }

    @Test("valid pipelines parse to what was sent; damaged ones to the same requests and error however they are chunked",
          arguments: Array(UInt64(1)...UInt64(8)))
    func chunkingInvariance(seed: UInt64) {
        var random = SplitMix64(seed: seed &* 0x9E37_79B9)
        // Small limits, so some damaged lengths and counts cross them.
        let parser = RESPParser(maxBulkLength: 64, maxArrayLength: 8, maxInlineLength: 48, maxRequestBytes: 512)
        var errors = 0
        for iteration in 0..<1500 {
            var (bytes, requests) = Self.pipeline(&random)
            let context = "seed \(seed), iteration \(iteration)"
            if iteration % 3 == 0 {
                #expect(Self.parse(bytes, chunks: [], parser: parser) == Outcome(requests: requests), "\(context): a valid pipeline")
            } else {
                Self.damage(&bytes, &random)
            }
            let whole = Self.parse(bytes, chunks: [], parser: parser)
            let chunks = (0..<8).map { _ in 1 + Int(random.next() % 9) }
            let chunked = Self.parse(bytes, chunks: chunks, parser: parser)
            let bytewise = Self.parse(bytes, chunks: Array(repeating: 1, count: bytes.count), parser: parser)
            #expect(chunked == whole, "\(context): chunks \(chunks) give \(chunked), whole \(whole); input \(bytes)")
            #expect(bytewise == whole, "\(context): a byte at a time gives \(bytewise), whole \(whole); input \(bytes)")
            if whole.error != nil { errors += 1 }
        }
        #expect(errors > 100, "seed \(seed): the damage produced only \(errors) protocol errors")
    }
}
