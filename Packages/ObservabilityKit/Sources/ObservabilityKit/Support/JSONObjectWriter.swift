import MantisCore

/// Just enough JSON writing for log lines, alert lines and audit entries: objects with keys in
/// the order given, strings escaped per RFC 8259 §7 (every control character, U+2028/2029 too,
/// so a line never breaks).
public struct JSONObjectWriter: Sendable {
    private var text = "{"
    private var empty = true

    public init() {}

    private mutating func key(_ name: String) {
        if !empty { text += "," }
        empty = false
        text += JSONText.quote(name) + ":"
    }

    public mutating func string(_ name: String, _ value: String) {
        key(name)
        text += JSONText.quote(value)
    }

    public mutating func optionalString(_ name: String, _ value: String?) {
        key(name)
        text += value.map(JSONText.quote) ?? "null"
    }

    public mutating func integer<T: BinaryInteger>(_ name: String, _ value: T) {
        key(name)
        text += String(value)
    }

    public mutating func bool(_ name: String, _ value: Bool) {
        key(name)
        text += value ? "true" : "false"
    }

    /// A finite number as JSON; NaN and infinities (not JSON) as strings.
    public mutating func number(_ name: String, _ value: Double) {
        key(name)
        text += value.isFinite ? "\(value)" : JSONText.quote("\(value)")
    }

    /// A flat object of strings, keys sorted (stable output: audit hashes depend on it).
    public mutating func stringMap(_ name: String, _ map: [String: String]) {
        key(name)
        var inner = JSONObjectWriter()
        for (k, v) in map.sorted(by: { $0.key < $1.key }) { inner.string(k, v) }
        text += inner.finish()
    }

    /// Already-encoded JSON (an object or array built elsewhere).
    public mutating func raw(_ name: String, _ json: String) {
        key(name)
        text += json
    }

    /// The object's text so far, without the closing brace.
    public var unclosed: String { text }

    public func finish() -> String { text + "}" }
}
