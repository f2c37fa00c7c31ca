/// Bounds-checked little-endian decoding of a byte array. Every read past the end throws
/// `corruption` naming `source` and the offset, so a damaged length never crashes or
/// drives an allocation.
public struct ByteReader: Sendable {
    public let bytes: [UInt8]
    public private(set) var offset: Int
    public let source: String

    public init(_ bytes: [UInt8], offset: Int = 0, source: String = "buffer") {
        self.bytes = bytes
        self.offset = offset
        self.source = source
    }

    public var remaining: Int { bytes.count - offset }
    public var isAtEnd: Bool { offset >= bytes.count }

    private func check(_ count: Int, _ what: String) throws {
        guard count >= 0, count <= remaining else {
            throw MantisError(
                .corruption,
                "truncated \(what): needs \(count) bytes, \(remaining) remain",
                context: ErrorContext(operation: "decode", file: source, offset: Int64(offset))
            )
        }
    }

    public mutating func read<T: FixedWidthInteger>(_ type: T.Type, _ what: String = "integer") throws -> T {
        try check(MemoryLayout<T>.size, what)
        let value = bytes.withUnsafeBytes { $0.loadLittleEndian(T.self, at: offset) }
        offset += MemoryLayout<T>.size
        return value
    }

    public mutating func readBytes(_ count: Int, _ what: String = "bytes") throws -> [UInt8] {
        try check(count, what)
        let slice = Array(bytes[offset..<(offset + count)])
        offset += count
        return slice
    }

    /// A `UInt32` length followed by that many bytes.
    public mutating func readLengthPrefixed(_ what: String = "field") throws -> [UInt8] {
        let length = Int(try read(UInt32.self, "\(what) length"))
        return try readBytes(length, what)
    }
}

extension Array where Element == UInt8 {
    /// Appends a `UInt32` length followed by `bytes` (the format `ByteReader.readLengthPrefixed` reads).
    public mutating func appendLengthPrefixed(_ bytes: [UInt8]) {
        appendLittleEndian(UInt32(bytes.count))
        append(contentsOf: bytes)
    }
}
