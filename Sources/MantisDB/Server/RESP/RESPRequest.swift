/// One client request: the command name and its arguments, as binary-safe strings.
public struct RESPRequest: Sendable, Hashable {
    /// `arguments[0]` is the command name; never empty.
    public var arguments: [[UInt8]]

    public init(arguments: [[UInt8]]) {
        precondition(!arguments.isEmpty, "a request has at least the command name")
        self.arguments = arguments
    }

    public init(_ words: String...) {
        self.init(arguments: words.map { Array($0.utf8) })
    }

    /// The command name in upper case (ASCII), e.g. `GET`.
    public var name: String { Self.uppercased(arguments[0]) }

    /// The `index`th argument as text (lossy UTF-8).
    func text(_ index: Int) -> String { String(decoding: arguments[index], as: UTF8.self) }

    /// The `index`th argument in upper case, for option words.
    func word(_ index: Int) -> String { Self.uppercased(arguments[index]) }

    var count: Int { arguments.count }

    /// ASCII upper case, without an intermediate array.
    static func uppercased(_ bytes: [UInt8]) -> String {
        String(unsafeUninitializedCapacity: bytes.count) { buffer in
            for (index, byte) in bytes.enumerated() {
                buffer[index] = byte >= 0x61 && byte <= 0x7A ? byte - 0x20 : byte
            }
            return bytes.count
        }
    }
}
