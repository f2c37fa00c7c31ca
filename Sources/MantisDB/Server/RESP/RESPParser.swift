import NIOCore

/// Incremental parser of client requests: arrays of bulk strings (`*2\r\n$3\r\nGET\r\n$1\r\nk\r\n`)
/// and inline commands (`PING\r\n`, what `redis-cli` and telnet send).
///
/// Feed it the connection's unparsed bytes as they arrive; each `next` call consumes one whole
/// request (or as much of one as has arrived, keeping its progress) and returns it, or returns
/// `nil` when more bytes are needed. Fragmented and pipelined input are both fine.
///
/// Limits are enforced from the headers, **before anything is allocated**: an array longer than
/// `maxArrayLength`, a bulk string longer than `maxBulkLength` (or taking the request past
/// `maxRequestBytes`), a header or inline line longer
/// than `maxInlineLength` throw `RESPProtocolError` as soon as their header (or that many bytes)
/// is seen; space for the elements of an array is reserved only as they arrive. (The caller
/// bounds the bytes buffered overall.) After an error the parser must not be used again.
public struct RESPParser: Sendable {
    public var maxBulkLength: Int
    public var maxArrayLength: Int
    /// The longest inline command or header line (Redis: 64 KiB).
    public var maxInlineLength: Int
    /// The most bytes of arguments one request may carry (checked on each bulk header).
    public var maxRequestBytes: Int

    /// Elements of the current array still to come (0: between requests).
    private var remaining = 0
    private var arguments: [[UInt8]] = []
    /// Length of the bulk string whose header was read but whose bytes have not all arrived.
    private var pendingBulkLength = -1

    public init(maxBulkLength: Int = 512 << 20, maxArrayLength: Int = 1 << 20, maxInlineLength: Int = 64 << 10,
                maxRequestBytes: Int = Int.max) {
        self.maxBulkLength = maxBulkLength
        self.maxArrayLength = maxArrayLength
        self.maxInlineLength = maxInlineLength
        self.maxRequestBytes = maxRequestBytes
    }

    /// The limits of `options`; a request may carry at most `maxPipelineBytes`.
    public init(options: RESPServerOptions) {
        self.init(maxBulkLength: options.maxBulkLength, maxArrayLength: options.maxArrayLength,
                  maxRequestBytes: options.maxPipelineBytes)
    }

    /// Bytes of the arguments of the partly parsed request (they count as buffered input).
    public private(set) var partialBytes = 0

    /// True when no request is partly parsed.
    public var isIdle: Bool { remaining == 0 }

    /// The next complete request from `buffer` (consuming it), or `nil` if more bytes are needed.
    public mutating func next(_ buffer: inout ByteBuffer) throws(RESPProtocolError) -> RESPRequest? {
        while true {
            if remaining == 0 {
                guard let first = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) else { return nil }
                if first != UInt8(ascii: "*") {
                    guard let words = try parseInline(&buffer) else { return nil }
                    if words.isEmpty { continue }  // an empty line: nothing to do (as Redis)
                    return RESPRequest(arguments: words)
                }
                guard let count = try readHeader(&buffer, tooLong: "too big mbulk count string", invalid: "invalid multibulk length") else {
                    return nil
                }
                if count <= 0 { continue }  // `*0` and `*-1` are no request (as Redis)
                guard count <= maxArrayLength else {
                    throw RESPProtocolError("invalid multibulk length \(count) (the limit is \(maxArrayLength))")
                }
                remaining = count
                arguments = []
                arguments.reserveCapacity(min(count, 16))
            }
            while remaining > 0 {
                if pendingBulkLength < 0 {
                    guard let type = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) else { return nil }
                    guard type == UInt8(ascii: "$") else {
                        throw RESPProtocolError("expected '$', got '\(Self.printable(type))'")
                    }
                    guard let length = try readHeader(&buffer, tooLong: "too big bulk count string", invalid: "invalid bulk length") else {
                        return nil
                    }
                    guard length >= 0, length <= maxBulkLength else {
                        throw RESPProtocolError("invalid bulk length \(length) (the limit is \(maxBulkLength))")
                    }
                    guard partialBytes + length <= maxRequestBytes else {
                        throw RESPProtocolError("too big request: more than \(maxRequestBytes) bytes")
                    }
                    pendingBulkLength = length
                }
                guard buffer.readableBytes >= pendingBulkLength + 2 else { return nil }
                let bytes = buffer.readBytes(length: pendingBulkLength)!
                guard buffer.readInteger(as: UInt16.self) == 0x0D0A else {
                    throw RESPProtocolError("expected CRLF after a bulk string of \(pendingBulkLength) bytes")
                }
                arguments.append(bytes)
                partialBytes += bytes.count
                pendingBulkLength = -1
                remaining -= 1
            }
            let request = RESPRequest(arguments: arguments)
            arguments = []
            partialBytes = 0
            return request
        }
    }

    /// Reads `<type><integer>\r\n`; nil if the line is incomplete.
    private func readHeader(_ buffer: inout ByteBuffer, tooLong: String, invalid: String) throws(RESPProtocolError) -> Int? {
        guard let end = Self.find(UInt8(ascii: "\r"), in: buffer, limit: maxInlineLength) else {
            if buffer.readableBytes > maxInlineLength { throw RESPProtocolError(tooLong) }
            return nil
        }
        guard buffer.readableBytes > end + 1 else { return nil }
        guard buffer.getInteger(at: buffer.readerIndex + end + 1, as: UInt8.self) == UInt8(ascii: "\n"),
              let number = Self.parseInteger(buffer, from: 1, to: end)
        else { throw RESPProtocolError(invalid) }
        buffer.moveReaderIndex(forwardBy: end + 2)
        return number
    }

    /// The offset (from the reader index) of the first `byte` within the first `limit + 1` bytes.
    static func find(_ byte: UInt8, in buffer: ByteBuffer, limit: Int) -> Int? {
        buffer.withUnsafeReadableBytes { raw in
            let span = min(raw.count, limit + 1)
            for index in 0..<span where raw[index] == byte { return index }
            return nil
        }
    }

    /// A decimal integer (optional `-`) in readable bytes `[from, to)`; nil if not one. Strict,
    /// as Redis' `string2ll`: no leading zero, no `-0`.
    static func parseInteger(_ buffer: ByteBuffer, from: Int, to: Int) -> Int? {
        buffer.withUnsafeReadableBytes { raw in
            guard to > from, to - from <= 19 else { return nil }
            var index = from
            var negative = false
            if raw[index] == UInt8(ascii: "-") {
                negative = true
                index += 1
                guard index < to else { return nil }
            }
            if raw[index] == UInt8(ascii: "0") {
                return !negative && index + 1 == to ? 0 : nil
            }
            var value = 0
            while index < to {
                let digit = raw[index] &- UInt8(ascii: "0")
                guard digit < 10 else { return nil }
                let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = times10.addingReportingOverflow(Int(digit))
                guard !overflow1, !overflow2 else { return nil }
                value = sum
                index += 1
            }
            return negative ? -value : value
        }
    }

    static func printable(_ byte: UInt8) -> String {
        byte >= 0x20 && byte < 0x7F ? String(UnicodeScalar(byte)) : "\\x" + String(byte, radix: 16)
    }
}
