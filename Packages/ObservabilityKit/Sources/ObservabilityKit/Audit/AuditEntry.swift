import MantisCore

/// The on-disk form of one audit trail entry: one JSON line, keys in this order,
///
/// `{"seq":7,"time":"2026-11-26T14:08:13.123Z","time_ns":…,"action":"checkpoint","outcome":"success",`
/// `"actor":"system","details":{…sorted…},"prev":"<64 hex>","hash":"<64 hex>"}`
///
/// `seq` starts at 1 and increases by one; `prev` is the previous entry's `hash` (64 zeros for
/// the first); `hash` is the SHA-256 of `mantisdb-audit-v1\n` followed by the line up to (not
/// including) `,"hash":` — every field, `prev` included, so each entry commits to all before it.
/// Byte-by-byte in `Docs/observability.md`.
public struct AuditEntry: Sendable, Hashable {
    public var sequence: UInt64
    public var event: AuditEvent
    public var previousHash: String
    public var hash: String

    public static let genesisHash = String(repeating: "0", count: 64)
    static let domain = "mantisdb-audit-v1\n"
    /// `,"hash":"` + 64 hex digits + `"}`.
    static let hashSuffixLength = 75
    /// `,"prev":"` + 64 hex digits + `"`.
    static let prevSuffixLength = 74

    /// Builds the entry after `previousHash` and returns it with its line (newline included).
    public static func make(sequence: UInt64, event: AuditEvent, previousHash: String) -> (entry: AuditEntry, line: String) {
        var object = JSONObjectWriter()
        object.integer("seq", sequence)
        object.string("time", WallClock.iso8601(nanosecondsSinceEpoch: event.timeNanoseconds))
        object.integer("time_ns", event.timeNanoseconds)
        object.string("action", event.action)
        object.string("outcome", event.outcome.rawValue)
        object.string("actor", event.actor)
        object.stringMap("details", event.details)
        object.string("prev", previousHash)
        let body = object.unclosed
        let hash = digest(body: body)
        let line = body + ",\"hash\":\"" + hash + "\"}\n"
        return (AuditEntry(sequence: sequence, event: event, previousHash: previousHash, hash: hash), line)
    }

    /// The hash of an entry whose line, without `,"hash":…}`, is `body`.
    static func digest(body: some StringProtocol) -> String {
        var hasher = SHA256()
        hasher.update(Array(domain.utf8))
        hasher.update(Array(body.utf8))
        return SHA256.hexString(hasher.finalize())
    }
}

/// One line of the audit file taken apart (without trusting it).
struct ParsedAuditLine {
    var sequence: UInt64?
    var previousHash: String?
    var storedHash: String?
    /// The hash recomputed from the line's content.
    var computedHash: String?
    var action: String?
    var time: String?
    /// Why the line is not a well-formed entry, if it is not.
    var malformed: String?

    init(_ line: Substring) {
        let bytes = Array(line.utf8)
        let suffix = AuditEntry.hashSuffixLength
        guard bytes.count > suffix + AuditEntry.prevSuffixLength, bytes.first == UInt8(ascii: "{"), bytes.last == UInt8(ascii: "}") else {
            malformed = "not an audit entry (too short, or not a JSON object)"
            return
        }
        let tail = String(decoding: bytes[(bytes.count - suffix)...], as: UTF8.self)
        guard tail.hasPrefix(",\"hash\":\""), tail.hasSuffix("\"}") else {
            malformed = "no hash at the end of the entry"
            return
        }
        let hash = String(tail.dropFirst(9).dropLast(2))
        guard Self.isHex(hash) else {
            malformed = "the hash is not 64 hex digits"
            return
        }
        storedHash = hash
        let body = bytes[..<(bytes.count - suffix)]
        computedHash = AuditEntry.digest(body: String(decoding: body, as: UTF8.self))
        let prevTail = String(decoding: body.suffix(AuditEntry.prevSuffixLength), as: UTF8.self)
        if prevTail.hasPrefix(",\"prev\":\""), prevTail.hasSuffix("\""), Self.isHex(String(prevTail.dropFirst(9).dropLast()))  {
            previousHash = String(prevTail.dropFirst(9).dropLast())
        } else {
            malformed = "no previous-entry hash"
        }
        let head = String(decoding: body.prefix(40), as: UTF8.self)
        if head.hasPrefix("{\"seq\":") {
            let digits = head.dropFirst(7).prefix(while: \.isNumber)
            sequence = UInt64(digits)
        }
        if sequence == nil { malformed = malformed ?? "no sequence number" }
        let text = String(decoding: body, as: UTF8.self)
        action = Self.field("action", in: text)
        time = Self.field("time", in: text)
    }

    static func isHex(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }
    }

    /// The value of a top-level string field written by `AuditEntry.make` (best effort, for messages).
    static func field(_ name: String, in text: String) -> String? {
        let marker = Array(",\"\(name)\":\"".utf8)
        let bytes = Array(text.utf8)
        guard bytes.count >= marker.count,
              let start = (0...(bytes.count - marker.count)).first(where: { bytes[$0..<($0 + marker.count)].elementsEqual(marker) }) else { return nil }
        var value = ""
        var escaped = false
        for character in String(decoding: bytes[(start + marker.count)...], as: UTF8.self) {
            if escaped { value.append(character); escaped = false; continue }
            if character == "\\" { escaped = true; continue }
            if character == "\"" { return value }
            value.append(character)
        }
        return nil
    }
}

/// The newest entry's sequence number and hash, kept beside the log (`audit.head`, replaced
/// atomically after each entry) so removing entries from the end is detected too.
public struct AuditHead: Sendable, Hashable {
    public var sequence: UInt64
    public var hash: String

    public init(sequence: UInt64, hash: String) {
        self.sequence = sequence
        self.hash = hash
    }

    /// `{"seq":N,"hash":"…","check":"<SHA-256 of "N:hash">"}` and a newline.
    public var encoded: [UInt8] {
        var object = JSONObjectWriter()
        object.integer("seq", sequence)
        object.string("hash", hash)
        object.string("check", SHA256.hex("\(sequence):\(hash)"))
        return Array((object.finish() + "\n").utf8)
    }

    /// Nil if `bytes` is not a head whose check matches.
    public init?(decoding bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self).trimmingTrailingNewlines()
        guard text.hasPrefix("{\"seq\":") else { return nil }
        guard let sequence = UInt64(text.dropFirst(7).prefix(while: \.isNumber)),
              let hash = ParsedAuditLine.field("hash", in: text), let check = ParsedAuditLine.field("check", in: text),
              ParsedAuditLine.isHex(hash), check == SHA256.hex("\(sequence):\(hash)") else { return nil }
        self.init(sequence: sequence, hash: hash)
    }
}

extension String {
    func trimmingTrailingNewlines() -> String {
        var text = self
        while text.last == "\n" || text.last == "\r" { text.removeLast() }
        return text
    }
}
