/// How sizes, durations, booleans and integers are written in the configuration (file,
/// environment and command line alike), and how they are printed back.
///
/// - Sizes: a whole number of bytes (`4096`) or a number with a unit: `KiB`, `MiB`, `GiB`, `TiB`
///   (powers of 1024) or `KB`, `MB`, `GB`, `TB` (powers of 1000), `B` for bytes. Units are
///   case-insensitive, a space may separate them (`64 MiB`), a fraction is allowed when the result
///   is a whole number of bytes (`1.5KiB` = 1536).
/// - Durations: one or more number-unit pairs, units `ns`, `us` (or `µs`), `ms`, `s`, `m`, `h`,
///   `d`: `250ms`, `5s`, `5m`, `1h30m`, `1.5s`. A bare number is refused (is `5` seconds or
///   milliseconds?) except `0`, and except where a setting defines its unit (`rpo`: milliseconds).
public enum ConfigurationSyntax {
    /// Why a text is not a valid value; `message` is written to follow the value in an error line.
    public struct SyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
        public var message: String
        public init(_ message: String) { self.message = message }
        public var description: String { message }
    }

    /// The size units, lower-cased, with their multipliers.
    static let sizeUnits: [(name: String, multiplier: Int)] = [
        ("b", 1),
        ("kib", 1 << 10), ("mib", 1 << 20), ("gib", 1 << 30), ("tib", 1 << 40),
        ("kb", 1_000), ("mb", 1_000_000), ("gb", 1_000_000_000), ("tb", 1_000_000_000_000),
    ]
    static let sizeUnitHelp = "use plain bytes (4096) or a unit: KiB, MiB, GiB, TiB (powers of 1024) or KB, MB, GB, TB (powers of 1000)"

    /// The duration units with their length in nanoseconds.
    static let durationUnits: [(name: String, nanoseconds: Int64)] = [
        ("ns", 1), ("us", 1_000), ("µs", 1_000), ("ms", 1_000_000), ("s", 1_000_000_000),
        ("m", 60_000_000_000), ("h", 3_600_000_000_000), ("d", 86_400_000_000_000),
    ]
    static let durationUnitHelp = "units: ns, us, ms, s, m, h, d (e.g. 250ms, 5s, 5m, 1h30m)"

    // MARK: Sizes

    /// Bytes from `64MiB`, `512KiB`, `1GiB`, `1MB`, `4096`.
    public static func parseSize(_ text: String) throws(SyntaxError) -> Int {
        let trimmed = text.trimmingWhitespace()
        guard !trimmed.isEmpty else { throw SyntaxError("is empty; \(sizeUnitHelp)") }
        if trimmed.hasPrefix("-") { throw SyntaxError("is negative; a size is 0 or more bytes") }
        guard let (number, rest) = splitNumber(trimmed) else {
            throw SyntaxError("is not a size; \(sizeUnitHelp)")
        }
        let unit = rest.trimmingWhitespace().lowercased()
        let multiplier: Int
        if unit.isEmpty {
            multiplier = 1
        } else if let known = sizeUnits.first(where: { $0.name == unit }) {
            multiplier = known.multiplier
        } else {
            throw SyntaxError("has an unknown size unit \"\(rest.trimmingWhitespace())\"; \(sizeUnitHelp)")
        }
        guard let bytes = number.scaled(by: Int64(multiplier)) else {
            throw SyntaxError(number.fractionDigits.isEmpty ? "is too large" : "is not a whole number of bytes")
        }
        return Int(bytes)
    }

    /// The shortest exact spelling: `64MiB`, `1GiB`, `1KB`, `4097`.
    public static func formatSize(_ bytes: Int) -> String {
        guard bytes != 0 else { return "0" }
        for (name, multiplier) in [("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10),
                                   ("TB", 1_000_000_000_000), ("GB", 1_000_000_000), ("MB", 1_000_000), ("KB", 1_000)]
        where bytes % multiplier == 0 {
            return "\(bytes / multiplier)\(name)"
        }
        return "\(bytes)"
    }

    // MARK: Durations

    /// A duration from `250ms`, `5s`, `1h30m`; a bare number is taken in `bareNumberUnit` if
    /// given, else refused (bare `0` is always zero).
    public static func parseDuration(_ text: String, bareNumberUnit: Duration? = nil) throws(SyntaxError) -> Duration {
        let trimmed = text.trimmingWhitespace()
        guard !trimmed.isEmpty else { throw SyntaxError("is empty; \(durationUnitHelp)") }
        if trimmed.hasPrefix("-") { throw SyntaxError("is negative; a duration is 0 or more") }
        if let (number, rest) = splitNumber(trimmed), rest.isEmpty {
            if let unit = bareNumberUnit {
                guard let nanos = number.scaled(by: unit.totalNanoseconds) else { throw SyntaxError("is out of range") }
                return .nanoseconds(nanos)
            }
            if number.isZero { return .zero }
            throw SyntaxError("has no unit: write \(trimmed)ms, \(trimmed)s, \(trimmed)m or \(trimmed)h (\(durationUnitHelp))")
        }
        var remaining = Substring(trimmed)
        var total: Int64 = 0
        while !remaining.isEmpty {
            guard let (number, afterNumber) = splitNumber(String(remaining)) else {
                throw SyntaxError("is not a duration; \(durationUnitHelp)")
            }
            let rest = afterNumber.drop { $0 == " " }
            let unitText = rest.prefix { !$0.isNumber && $0 != "." }
            guard let unit = durationUnits.first(where: { $0.name == unitText.lowercased() }) else {
                throw SyntaxError(unitText.isEmpty
                    ? "is not a duration; \(durationUnitHelp)"
                    : "has an unknown duration unit \"\(unitText)\"; \(durationUnitHelp)")
            }
            guard let nanos = number.scaled(by: unit.nanoseconds) else {
                throw SyntaxError(number.fractionDigits.isEmpty ? "is out of range" : "is finer than a nanosecond")
            }
            let (sum, overflow) = total.addingReportingOverflow(nanos)
            guard !overflow else { throw SyntaxError("is out of range") }
            total = sum
            remaining = rest.dropFirst(unitText.count)
        }
        return .nanoseconds(total)
    }

    /// The largest exact unit: `5m`, `90s`, `10ms`, `0s`.
    public static func formatDuration(_ duration: Duration) -> String {
        let nanos = duration.totalNanoseconds
        guard nanos != 0 else { return "0s" }
        for unit in durationUnits.reversed() where unit.name != "µs" && unit.name != "d" && nanos % unit.nanoseconds == 0 {
            return "\(nanos / unit.nanoseconds)\(unit.name)"
        }
        return "\(nanos)ns"
    }

    // MARK: Scalars

    /// `true`/`false`, `yes`/`no`, `on`/`off`, `1`/`0` (any case).
    public static func parseBool(_ text: String) -> Bool? {
        switch text.trimmingWhitespace().lowercased() {
        case "true", "yes", "on", "1": true
        case "false", "no", "off", "0": false
        default: nil
        }
    }

    /// A whole number (optionally with `_` digit separators).
    public static func parseInteger(_ text: String) -> Int? {
        let cleaned = text.trimmingWhitespace().replacingAll("_", with: "")
        return Int(cleaned)
    }

    /// `null`, `~` and the empty string: "no value" for settings that may be unset.
    public static func isNull(_ text: String) -> Bool {
        let trimmed = text.trimmingWhitespace()
        return trimmed.isEmpty || trimmed == "~" || trimmed.lowercased() == "null"
    }

    // MARK: Helpers

    /// A non-negative decimal number as written: integer digits and fraction digits.
    struct DecimalNumber {
        var integerDigits: Substring
        var fractionDigits: Substring

        var isZero: Bool { (integerDigits + fractionDigits).allSatisfy { $0 == "0" } }

        /// number × multiplier, if that is a whole number that fits in Int64.
        func scaled(by multiplier: Int64) -> Int64? {
            var value: Int64 = 0
            var scale: Int64 = 1
            for digit in integerDigits + fractionDigits {
                guard let d = digit.wholeNumberValue else { return nil }
                let (times, o1) = value.multipliedReportingOverflow(by: 10)
                let (plus, o2) = times.addingReportingOverflow(Int64(d))
                guard !o1, !o2 else { return nil }
                value = plus
            }
            for _ in fractionDigits {
                let (next, overflow) = scale.multipliedReportingOverflow(by: 10)
                guard !overflow else { return nil }
                scale = next
            }
            // value × multiplier / scale, exactly: reduce by the common factor first.
            var a = multiplier, b = scale
            while b != 0 { (a, b) = (b, a % b) }
            let divisor = scale / a
            guard value % divisor == 0 else { return nil }
            let (result, overflow) = (value / divisor).multipliedReportingOverflow(by: multiplier / a)
            return overflow ? nil : result
        }
    }

    /// Splits `12.5MiB` into the number and the rest; nil if it does not start with a number.
    static func splitNumber(_ text: String) -> (DecimalNumber, Substring)? {
        let chars = Substring(text)
        let integer = chars.prefix { $0.isASCII && $0.isNumber }
        var rest = chars.dropFirst(integer.count)
        var fraction: Substring = ""
        if rest.first == "." {
            fraction = rest.dropFirst().prefix { $0.isASCII && $0.isNumber }
            guard !fraction.isEmpty else { return nil }
            rest = rest.dropFirst(1 + fraction.count)
        }
        guard !integer.isEmpty || !fraction.isEmpty else { return nil }
        return (DecimalNumber(integerDigits: integer, fractionDigits: fraction), rest)
    }
}

extension Duration {
    /// The whole duration in nanoseconds (saturating at Int64's range).
    var totalNanoseconds: Int64 {
        let (seconds, overflow) = components.seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return components.seconds < 0 ? .min : .max }
        let (sum, overflow2) = seconds.addingReportingOverflow(components.attoseconds / 1_000_000_000)
        return overflow2 ? .max : sum
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(String.UnicodeScalarView(scalars[first...last]))
    }

    func replacingAll(_ target: Character, with replacement: String) -> String {
        var result = ""
        for character in self {
            if character == target { result += replacement } else { result.append(character) }
        }
        return result
    }
}
