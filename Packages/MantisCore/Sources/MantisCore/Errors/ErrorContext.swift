/// Where an error happened: the operation, the file and byte offset, the key, the LSN.
public struct ErrorContext: Sendable, Hashable, CustomStringConvertible {
    public var operation: String?
    public var file: String?
    public var offset: Int64?
    public var key: [UInt8]?
    public var lsn: UInt64?
    public var errno: Int32?
    public var metadata: [String: String]

    public init(
        operation: String? = nil,
        file: String? = nil,
        offset: Int64? = nil,
        key: [UInt8]? = nil,
        lsn: UInt64? = nil,
        errno: Int32? = nil,
        metadata: [String: String] = [:]
    ) {
        self.operation = operation
        self.file = file
        self.offset = offset
        self.key = key
        self.lsn = lsn
        self.errno = errno
        self.metadata = metadata
    }

    public var description: String {
        var parts: [String] = []
        if let operation { parts.append("operation: \(operation)") }
        if let file { parts.append("file: \(file)") }
        if let offset { parts.append("offset: \(offset)") }
        if let key { parts.append("key: \(Self.render(key))") }
        if let lsn { parts.append("lsn: \(lsn)") }
        if let errno { parts.append("errno: \(errno)") }
        for (name, value) in metadata.sorted(by: { $0.key < $1.key }) { parts.append("\(name): \(value)") }
        return parts.joined(separator: ", ")
    }

    /// A key as text if printable ASCII, else as hex.
    public static func render(_ key: [UInt8]) -> String {
        if key.allSatisfy({ $0 >= 0x20 && $0 < 0x7f }) {
            return "\"" + String(decoding: key, as: UTF8.self) + "\""
        }
        return "0x" + key.map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
