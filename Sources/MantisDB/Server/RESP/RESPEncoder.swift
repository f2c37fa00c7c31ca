import NIOCore

/// Writes `RESPValue`s in the wire format of one protocol version.
///
/// RESP3 values are written as they are. For RESP2 they are downgraded the way Redis does it:
/// a map becomes a flat array of keys and values, a set or push an array, a double, big number
/// or verbatim string a bulk string, a boolean the integer 1 or 0, `null` `$-1` and
/// `nullArray` `*-1`. Error and simple-string text never contains CR or LF (they are replaced
/// by spaces), so a reply can never break the framing.
public struct RESPEncoder: Sendable {
    public var version: RESPProtocolVersion

    public init(version: RESPProtocolVersion) {
        self.version = version
    }

    public func encode(_ value: RESPValue, into buffer: inout ByteBuffer) {
        switch value {
        case .simpleString(let text):
            buffer.writeInteger(UInt8(ascii: "+"))
            Self.writeLine(text, into: &buffer)
        case .error(let text):
            buffer.writeInteger(UInt8(ascii: "-"))
            Self.writeLine(text, into: &buffer)
        case .errorBytes(let bytes):
            buffer.writeInteger(UInt8(ascii: "-"))
            buffer.writeBytes(bytes.lazy.map { $0 == 13 || $0 == 10 ? UInt8(ascii: " ") : $0 })
            buffer.writeStaticString("\r\n")
        case .integer(let number):
            Self.writeHeader(UInt8(ascii: ":"), number, into: &buffer)
        case .bulkString(let bytes):
            Self.writeBulk(bytes, into: &buffer)
        case .array(let elements):
            Self.writeHeader(UInt8(ascii: "*"), Int64(elements.count), into: &buffer)
            for element in elements { encode(element, into: &buffer) }
        case .null:
            buffer.writeStaticString(version == .resp3 ? "_\r\n" : "$-1\r\n")
        case .nullArray:
            buffer.writeStaticString(version == .resp3 ? "_\r\n" : "*-1\r\n")
        case .map(let entries):
            if version == .resp3 {
                Self.writeHeader(UInt8(ascii: "%"), Int64(entries.count), into: &buffer)
            } else {
                Self.writeHeader(UInt8(ascii: "*"), Int64(entries.count * 2), into: &buffer)
            }
            for entry in entries {
                encode(entry.key, into: &buffer)
                encode(entry.value, into: &buffer)
            }
        case .set(let elements):
            Self.writeHeader(UInt8(ascii: version == .resp3 ? "~" : "*"), Int64(elements.count), into: &buffer)
            for element in elements { encode(element, into: &buffer) }
        case .push(let elements):
            Self.writeHeader(UInt8(ascii: version == .resp3 ? ">" : "*"), Int64(elements.count), into: &buffer)
            for element in elements { encode(element, into: &buffer) }
        case .double(let number):
            let text = Self.format(number)
            if version == .resp3 {
                buffer.writeInteger(UInt8(ascii: ","))
                Self.writeLine(text, into: &buffer)
            } else {
                Self.writeBulk(Array(text.utf8), into: &buffer)
            }
        case .boolean(let flag):
            if version == .resp3 {
                buffer.writeStaticString(flag ? "#t\r\n" : "#f\r\n")
            } else {
                buffer.writeStaticString(flag ? ":1\r\n" : ":0\r\n")
            }
        case .bigNumber(let digits):
            if version == .resp3 {
                buffer.writeInteger(UInt8(ascii: "("))
                Self.writeLine(digits, into: &buffer)
            } else {
                Self.writeBulk(Array(digits.utf8), into: &buffer)
            }
        case .verbatimString(let format, let text):
            if version == .resp3 {
                let body = Array((String(format.prefix(3)).padding(toLength: 3, withPad: " ", startingAt: 0) + ":" + text).utf8)
                Self.writeHeader(UInt8(ascii: "="), Int64(body.count), into: &buffer)
                buffer.writeBytes(body)
                buffer.writeStaticString("\r\n")
            } else {
                Self.writeBulk(Array(text.utf8), into: &buffer)
            }
        }
    }

    /// The encoding of `value` as bytes (for tests and tools).
    public func encode(_ value: RESPValue) -> [UInt8] {
        var buffer = ByteBuffer()
        encode(value, into: &buffer)
        return buffer.readBytes(length: buffer.readableBytes) ?? []
    }

    static func writeBulk(_ bytes: [UInt8], into buffer: inout ByteBuffer) {
        writeHeader(UInt8(ascii: "$"), Int64(bytes.count), into: &buffer)
        buffer.writeBytes(bytes)
        buffer.writeStaticString("\r\n")
    }

    static func writeHeader(_ type: UInt8, _ number: Int64, into buffer: inout ByteBuffer) {
        buffer.writeInteger(type)
        writeDecimal(number, into: &buffer)
        buffer.writeStaticString("\r\n")
    }

    /// Decimal digits without going through `String`.
    static func writeDecimal(_ number: Int64, into buffer: inout ByteBuffer) {
        if number >= 0 && number < 10 {
            buffer.writeInteger(UInt8(ascii: "0") &+ UInt8(number))
            return
        }
        var magnitude = number.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: enough for 20 digits and a sign
        var count = 0
        withUnsafeMutableBytes(of: &digits) { raw in
            while magnitude > 0 {
                count += 1
                raw[24 - count] = UInt8(ascii: "0") &+ UInt8(magnitude % 10)
                magnitude /= 10
            }
            if number < 0 {
                count += 1
                raw[24 - count] = UInt8(ascii: "-")
            }
            buffer.writeBytes(UnsafeRawBufferPointer(rebasing: raw[(24 - count)...]))
        }
    }

    static func writeLine(_ text: String, into buffer: inout ByteBuffer) {
        if text.utf8.contains(where: { $0 == 13 || $0 == 10 }) {
            buffer.writeBytes(text.utf8.map { $0 == 13 || $0 == 10 ? UInt8(ascii: " ") : $0 })
        } else {
            buffer.writeString(text)
        }
        buffer.writeStaticString("\r\n")
    }

    /// Doubles as Redis writes them: `inf`, `-inf`, `nan`, integers without a fraction.
    static func format(_ number: Double) -> String {
        if number.isNaN { return "nan" }
        if number.isInfinite { return number < 0 ? "-inf" : "inf" }
        if number == number.rounded(), abs(number) < 1e17 { return String(Int64(number)) }
        return "\(number)"
    }
}
