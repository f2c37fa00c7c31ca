@testable import MantisDB
import NIOCore
import Testing

@Suite("RESP parser") struct RESPParserTests {
    func requests(_ chunks: [String], parser: RESPParser = RESPParser()) throws -> [[String]] {
        var parser = parser
        var buffer = ByteBuffer()
        var result: [[String]] = []
        for chunk in chunks {
            buffer.writeString(chunk)
            while let request = try parser.next(&buffer) {
                result.append(request.arguments.map { String(decoding: $0, as: UTF8.self) })
            }
        }
        return result
    }

    @Test("a whole request, pipelined requests, and empty arrays")
    func pipelined() throws {
        #expect(try requests(["*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"]) == [["GET", "k"]])
        let two = "*1\r\n$4\r\nPING\r\n**0\r\n".replacingOccurrences(of: "**", with: "*")
            + "*3\r\n$3\r\nSET\r\n$1\r\na\r\n$0\r\n\r\n*-1\r\n"
        #expect(try requests([two]) == [["PING"], ["SET", "a", ""]])
    }

    @Test("fragmented input: every split point of a pipeline gives the same requests")
    func fragmented() throws {
        let input = "*3\r\n$3\r\nSET\r\n$5\r\nhello\r\n$11\r\nwor\r\nld\u{0}bin\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\n"
        let expected = [["SET", "hello", "wor\r\nld\u{0}bin"], ["PING"], ["ECHO", "hi"]]
        let bytes = Array(input.utf8)
        for split in 0...bytes.count {
            let chunks = [String(decoding: bytes[..<split], as: UTF8.self), String(decoding: bytes[split...], as: UTF8.self)]
            #expect(try requests(chunks) == expected, "split at \(split)")
        }
        // One byte at a time.
        #expect(try requests(bytes.map { String(UnicodeScalar($0)) }) == expected)
    }

    @Test("inline commands: words, quotes, escapes, CRLF or LF, empty lines")
    func inline() throws {
        #expect(try requests(["PING\r\n"]) == [["PING"]])
        #expect(try requests(["set  k   v\n", "\r\n", "\n"]) == [["set", "k", "v"]])
        #expect(try requests(["SET \"a b\" 'c d' \"x\\x41\\n\"\r\n"]) == [["SET", "a b", "c d", "xA\n"]])
        #expect(try requests(["GET 'it\\'s'\r\n"]) == [["GET", "it's"]])
        #expect(try requests(["PI", "NG\r", "\n"]) == [["PING"]])
    }

    @Test("malformed frames are protocol errors")
    func malformed() {
        let cases: [(String, String)] = [
            ("*x\r\n", "invalid multibulk length"),
            ("*1\r\n:5\r\n", "expected '$', got ':'"),
            ("*1\r\n$abc\r\n", "invalid bulk length"),
            ("*1\r\n$-5\r\n", "invalid bulk length"),
            ("*1\r\n$3\r\nabcXY", "expected CRLF"),
            ("SET \"unterminated\r\n", "unbalanced quotes"),
            ("SET \"a\"b\r\n", "unbalanced quotes"),
            ("*1\rX", "invalid multibulk length"),
            // Strict numbers, as Redis' string2ll: no leading zero, no -0.
            ("*01\r\n$4\r\nPING\r\n", "invalid multibulk length"),
            ("*-0\r\n", "invalid multibulk length"),
            ("*1\r\n$04\r\nPING\r\n", "invalid bulk length"),
            ("*1\r\n$-0\r\n", "invalid bulk length"),
        ]
        for (input, message) in cases {
            #expect(throws: RESPProtocolError.self, "\(input.debugDescription)") { try requests([input]) }
            do {
                _ = try requests([input])
            } catch let error as RESPProtocolError {
                #expect(error.message.contains(message), "\(input.debugDescription): \(error.message)")
                #expect(error.reply == .error("ERR Protocol error: \(error.message)"))
            } catch {}
        }
    }

    @Test("limits are enforced from the header, before the payload arrives")
    func limits() throws {
        let parser = RESPParser(maxBulkLength: 100, maxArrayLength: 10, maxInlineLength: 64)
        // An oversized bulk is refused on its header alone: none of its bytes are needed.
        #expect(throws: RESPProtocolError.self) { try requests(["*1\r\n$101\r\n"], parser: parser) }
        #expect(try requests(["*1\r\n$100\r\n" + String(repeating: "x", count: 100) + "\r\n"], parser: parser).count == 1)
        // A huge array is refused on its header: nothing is reserved for a billion elements.
        #expect(throws: RESPProtocolError.self) { try requests(["*1000000000\r\n"], parser: parser) }
        #expect(throws: RESPProtocolError.self) { try requests(["*11\r\n"], parser: parser) }
        // A header or inline line that never ends is cut at the inline limit.
        #expect(throws: RESPProtocolError.self) { try requests([String(repeating: "A", count: 65)], parser: parser) }
        #expect(try requests([String(repeating: "A", count: 64)], parser: parser).isEmpty)
        #expect(throws: RESPProtocolError.self) { try requests(["*" + String(repeating: "1", count: 70)], parser: parser) }
        #expect(throws: RESPProtocolError.self) { try requests(["*1\r\n$" + String(repeating: "1", count: 70)], parser: parser) }
        // A request whose bulks add up past the request limit is refused at the header that crosses it.
        let small = RESPParser(maxBulkLength: 100, maxArrayLength: 10, maxInlineLength: 64, maxRequestBytes: 150)
        #expect(throws: RESPProtocolError.self) {
            try requests(["*2\r\n$100\r\n" + String(repeating: "x", count: 100) + "\r\n$51\r\n"], parser: small)
        }
        #expect(try requests(["*2\r\n$100\r\n" + String(repeating: "x", count: 100) + "\r\n$50\r\n" + String(repeating: "y", count: 50) + "\r\n"], parser: small).count == 1)
        // An integer that overflows is invalid, not wrapped.
        #expect(throws: RESPProtocolError.self) { try requests(["*1\r\n$99999999999999999999\r\n"]) }
    }

    @Test("the parser keeps progress across chunks instead of reparsing")
    func progress() throws {
        var parser = RESPParser()
        var buffer = ByteBuffer(string: "*2\r\n$3\r\nGET\r\n$5\r\nab")
        #expect(try parser.next(&buffer) == nil)
        #expect(!parser.isIdle)
        // The completed element and header were consumed; only the partial bulk is left.
        #expect(buffer.readableBytes == 2)
        buffer.writeString("cde\r\n")
        #expect(try parser.next(&buffer) == RESPRequest("GET", "abcde"))
        #expect(parser.isIdle)
    }
}

@Suite("RESP glob and integers") struct RESPGlobTests {
    @Test("glob patterns match like Redis' stringmatchlen")
    func glob() {
        func match(_ pattern: String, _ text: String, nocase: Bool = false) -> Bool {
            RESPGlob(Array(pattern.utf8), caseInsensitive: nocase).matches(Array(text.utf8))
        }
        #expect(match("*", ""))
        #expect(match("key:*", "key:1"))
        #expect(!match("key:*", "kex:1"))
        #expect(match("h?llo", "hello"))
        #expect(!match("h?llo", "hllo"))
        #expect(match("h[ae]llo", "hallo"))
        #expect(!match("h[^e]llo", "hello"))
        #expect(match("h[a-b]llo", "hbllo"))
        #expect(match("a*b*c", "axxbyyc"))
        #expect(!match("a*b*c", "axxbyy"))
        #expect(match("\\*x", "*x"))
        #expect(!match("\\*x", "ax"))
        #expect(match("SAVE", "save", nocase: true))
        // As stringmatchlen: `[a-]` is the range `]`…`a`, and the class goes on to the end.
        for text in ["]", "^", "_", "`", "a"] { #expect(match("[a-]", text), "\(text)") }
        for text in ["-", "b", "\\"] { #expect(!match("[a-]", text), "\(text)") }
        #expect(match("[a-]x", "x"))
        #expect(match("[a-]x", "_"))
        #expect(!match("[a-]x", "_x"))
        // An escaped byte in a class compares exactly, even without case.
        #expect(match("[\\A]", "A", nocase: true))
        #expect(!match("[\\A]", "a", nocase: true))
        // The empty key matches only the empty pattern and `*` (Redis' KEYS and SCAN special-case `*`).
        #expect(match("", ""))
        #expect(match("*", ""))
        for pattern in ["**", "?*", "[^x]*", "a*"] { #expect(!match(pattern, ""), "\(pattern)") }
        #expect(!match("", "a"))
        // Range ends are swapped before case folding.
        #expect(match("[M-m]axmemory", "maxmemory", nocase: true))
        #expect(RESPGlob(Array("user:1*".utf8)).literalPrefix == Array("user:1".utf8))
        #expect(RESPGlob(Array("a\\*b*".utf8)).literalPrefix == Array("a*b".utf8))
    }

    @Test("integers parse strictly, as Redis' string2ll")
    func integers() {
        #expect(RESPInteger.parse(Array("0".utf8)) == 0)
        #expect(RESPInteger.parse(Array("-12".utf8)) == -12)
        #expect(RESPInteger.parse(Array("9223372036854775807".utf8)) == .max)
        #expect(RESPInteger.parse(Array("-9223372036854775808".utf8)) == .min)
        for bad in ["", "01", "+1", " 1", "1 ", "9223372036854775808", "1.5", "-", "-0", "abc"] {
            #expect(RESPInteger.parse(Array(bad.utf8)) == nil, "\(bad)")
        }
    }
}
