/// One RESP3 value: what a command replies. `RESPEncoder` writes it as RESP3, or downgrades it
/// to RESP2 for connections that did not switch with `HELLO 3`.
public indirect enum RESPValue: Sendable, Hashable {
    /// `+OK`: a short status line (no CR or LF).
    case simpleString(String)
    /// `-ERR …`: the first word is the error code (`ERR`, `WRONGPASS`, `DEADLOCK`, …).
    case error(String)
    /// `-ERR …` that quotes a client's bytes as they came (Redis' `%s`), UTF-8 or not. CR and LF
    /// are sent as spaces, as in `error`.
    case errorBytes([UInt8])
    case integer(Int64)
    /// A binary-safe string.
    case bulkString([UInt8])
    case array([RESPValue])
    /// RESP3 `_`; RESP2 `$-1` (a missing value).
    case null
    /// RESP3 `_`; RESP2 `*-1` (a missing array, e.g. `EXEC` after a `WATCH` conflict).
    case nullArray
    /// RESP3 `%`; RESP2 a flat array `key, value, key, value, …`.
    case map([RESPMapEntry])
    /// RESP3 `~`; RESP2 an array.
    case set([RESPValue])
    /// RESP3 `,`; RESP2 a bulk string.
    case double(Double)
    /// RESP3 `#t`/`#f`; RESP2 the integer 1 or 0.
    case boolean(Bool)
    /// RESP3 `(` (decimal digits, optional sign); RESP2 a bulk string.
    case bigNumber(String)
    /// RESP3 `=` with a three-letter format (`txt`, `mkd`); RESP2 a bulk string of the text.
    case verbatimString(format: String, text: String)
    /// RESP3 `>` (out-of-band data); RESP2 an array.
    case push([RESPValue])

    public static let ok = RESPValue.simpleString("OK")
    public static let queued = RESPValue.simpleString("QUEUED")

    /// A bulk string of UTF-8 text.
    public static func bulk(_ text: String) -> RESPValue { .bulkString(Array(text.utf8)) }
}

/// One key-value pair of a `RESPValue.map`.
public struct RESPMapEntry: Sendable, Hashable {
    public var key: RESPValue
    public var value: RESPValue

    public init(_ key: RESPValue, _ value: RESPValue) {
        self.key = key
        self.value = value
    }
}

extension RESPValue {
    /// A map from text keys, in order.
    public static func map(_ pairs: KeyValuePairs<String, RESPValue>) -> RESPValue {
        .map(pairs.map { RESPMapEntry(.bulk($0.key), $0.value) })
    }

    /// The text of a simple string, bulk string or verbatim string (for tests and tools).
    public var text: String? {
        switch self {
        case .simpleString(let text), .error(let text), .bigNumber(let text): text
        case .bulkString(let bytes), .errorBytes(let bytes): String(decoding: bytes, as: UTF8.self)
        case .verbatimString(_, let text): text
        default: nil
        }
    }
}
