import MantisCore
@testable import MantisDB
import Testing

@Suite("RESP encoder") struct RESPEncoderTests {
    func wire(_ value: RESPValue, _ version: RESPProtocolVersion) -> String {
        String(decoding: RESPEncoder(version: version).encode(value), as: UTF8.self)
    }

    @Test("every type in RESP3 and its RESP2 downgrade", arguments: [
        (RESPValue.simpleString("OK"), "+OK\r\n", "+OK\r\n"),
        (.error("ERR bad"), "-ERR bad\r\n", "-ERR bad\r\n"),
        (.integer(-42), ":-42\r\n", ":-42\r\n"),
        (.integer(Int64.min), ":-9223372036854775808\r\n", ":-9223372036854775808\r\n"),
        (.bulkString(Array("a\r\nb".utf8)), "$4\r\na\r\nb\r\n", "$4\r\na\r\nb\r\n"),
        (.bulkString([]), "$0\r\n\r\n", "$0\r\n\r\n"),
        (.array([.integer(1), .bulk("x")]), "*2\r\n:1\r\n$1\r\nx\r\n", "*2\r\n:1\r\n$1\r\nx\r\n"),
        (.array([]), "*0\r\n", "*0\r\n"),
        (.null, "_\r\n", "$-1\r\n"),
        (.nullArray, "_\r\n", "*-1\r\n"),
        (.map([RESPMapEntry(.bulk("k"), .integer(1))]), "%1\r\n$1\r\nk\r\n:1\r\n", "*2\r\n$1\r\nk\r\n:1\r\n"),
        (.set([.bulk("a")]), "~1\r\n$1\r\na\r\n", "*1\r\n$1\r\na\r\n"),
        (.double(1.5), ",1.5\r\n", "$3\r\n1.5\r\n"),
        (.double(3), ",3\r\n", "$1\r\n3\r\n"),
        (.double(.infinity), ",inf\r\n", "$3\r\ninf\r\n"),
        (.double(-.infinity), ",-inf\r\n", "$4\r\n-inf\r\n"),
        (.boolean(true), "#t\r\n", ":1\r\n"),
        (.boolean(false), "#f\r\n", ":0\r\n"),
        (.bigNumber("123456789012345678901234567890"), "(123456789012345678901234567890\r\n", "$30\r\n123456789012345678901234567890\r\n"),
        (.verbatimString(format: "txt", text: "hi"), "=6\r\ntxt:hi\r\n", "$2\r\nhi\r\n"),
        (.push([.bulk("m")]), ">1\r\n$1\r\nm\r\n", "*1\r\n$1\r\nm\r\n"),
    ])
    func types(value: RESPValue, resp3: String, resp2: String) {
        #expect(wire(value, .resp3) == resp3)
        #expect(wire(value, .resp2) == resp2)
    }

    @Test("nested maps downgrade recursively; status lines cannot break the framing")
    func nesting() {
        let value = RESPValue.map([RESPMapEntry(.bulk("m"), .map([RESPMapEntry(.bulk("t"), .boolean(true))]))])
        #expect(wire(value, .resp2) == "*2\r\n$1\r\nm\r\n*2\r\n$1\r\nt\r\n:1\r\n")
        #expect(wire(.error("ERR a\r\nb"), .resp3) == "-ERR a  b\r\n")
        #expect(wire(.simpleString("x\ny"), .resp2) == "+x y\r\n")
    }

    @Test("error lines quoting a client's bytes send them as they came, UTF-8 or not")
    func quotedBytes() {
        func bytes(_ value: RESPValue) -> [UInt8] { RESPEncoder(version: .resp2).encode(value) }
        let unknown = RESPValue.unknownCommand(RESPRequest(arguments: [[0x46, 0xFF], [0xC3], [0x61, 0x0D, 0x0A, 0x00, 0x62]]))
        #expect(bytes(unknown) == Array("-ERR unknown command 'F".utf8) + [0xFF] + Array("', with args beginning with: '".utf8)
            + [0xC3] + Array("' 'a  ' \r\n".utf8))
        let subcommand = RESPValue.unknownSubcommand(RESPRequest(arguments: [Array("CONFIG".utf8), [0x80] + Array(repeating: 0x78, count: 200)]))
        #expect(bytes(subcommand) == Array("-ERR unknown subcommand '".utf8) + [0x80] + Array(repeating: 0x78, count: 127)
            + Array("'. Try CONFIG HELP.\r\n".utf8))
        // `text` (for tools and tests) decodes them as UTF-8, replacing what is not.
        #expect(RESPValue.errorBytes([0x45, 0xFF]).text == "E\u{FFFD}")
    }

    @Test("database errors map to Redis-style error codes")
    func errors() {
        func reply(_ code: MantisError.Code, _ message: String = "m", key: [UInt8]? = nil) -> String {
            RESPValue.failure(MantisError(code, message, context: ErrorContext(key: key))).text ?? ""
        }
        #expect(reply(.readOnly, "safe mode").hasPrefix("READONLY safe mode"))
        #expect(reply(.deadlock, "deadlock: T5 → T7 → T5").hasPrefix("DEADLOCK deadlock: T5 → T7 → T5"))
        #expect(reply(.deadlock).hasSuffix("retry it"))
        #expect(reply(.serializationFailure).hasPrefix("SERIALIZATION "))
        #expect(reply(.corruption, "checksum mismatch", key: Array("user:1".utf8)) == "CORRUPTION checksum mismatch (key \"user:1\")")
        #expect(reply(.diskFull).hasPrefix("DISKFULL "))
        #expect(reply(.memoryLimit).hasPrefix("OOM "))
        #expect(reply(.walFailed, "the log failed").hasPrefix("ERR the log failed"))
        #expect(reply(.closed).hasPrefix("ERR "))
        let wrapped = MantisError(.walFailed, "wal failed", cause: MantisError(.diskFull, "no space"))
        #expect(RESPValue.failure(wrapped).text!.hasPrefix("DISKFULL "))
    }
}
