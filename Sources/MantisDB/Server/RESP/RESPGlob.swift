/// Redis' glob patterns (`KEYS`, `SCAN MATCH`, `CONFIG GET`): `*` any run, `?` one byte,
/// `[abc]`, `[^a]`, `[a-z]` classes, `\x` a literal `x`. Bytes, not characters.
struct RESPGlob: Sendable {
    let pattern: [UInt8]
    let caseInsensitive: Bool

    init(_ pattern: [UInt8], caseInsensitive: Bool = false) {
        self.pattern = pattern
        self.caseInsensitive = caseInsensitive
    }

    /// True for `*`: every key matches.
    var matchesEverything: Bool { pattern == [UInt8(ascii: "*")] }

    /// The literal bytes every match starts with (so a scan can be narrowed to that prefix).
    var literalPrefix: [UInt8] {
        guard !caseInsensitive else { return [] }
        var prefix: [UInt8] = []
        var index = 0
        while index < pattern.count {
            switch pattern[index] {
            case UInt8(ascii: "*"), UInt8(ascii: "?"), UInt8(ascii: "["): return prefix
            case UInt8(ascii: "\\"):
                guard index + 1 < pattern.count else { return prefix }
                prefix.append(pattern[index + 1])
                index += 2
            default:
                prefix.append(pattern[index])
                index += 1
            }
        }
        return prefix
    }

    /// As Redis: the empty key matches only the empty pattern and `*` (which Redis' `KEYS` and
    /// `SCAN` take as "every key" before matching; its matcher never matches an empty string
    /// against a non-empty pattern, `**` included).
    func matches(_ text: [UInt8]) -> Bool {
        if text.isEmpty { return pattern.isEmpty || matchesEverything }
        return pattern.withUnsafeBufferPointer { p in
            text.withUnsafeBufferPointer { t in Self.match(p, 0, t, 0, caseInsensitive) }
        }
    }

    private static func lower(_ byte: UInt8, _ fold: Bool) -> UInt8 {
        fold && byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte
    }

    /// Matching with backtracking only at the last `*` (linear for patterns without classes).
    private static func match(_ p: UnsafeBufferPointer<UInt8>, _ pi: Int, _ t: UnsafeBufferPointer<UInt8>, _ ti: Int, _ fold: Bool) -> Bool {
        var pi = pi, ti = ti
        var starP = -1, starT = -1
        while ti < t.count {
            if pi < p.count {
                let c = p[pi]
                if c == UInt8(ascii: "*") {
                    while pi < p.count, p[pi] == UInt8(ascii: "*") { pi += 1 }
                    if pi == p.count { return true }
                    starP = pi
                    starT = ti
                    continue
                }
                if let next = matchOne(p, pi, t[ti], fold) {
                    pi = next
                    ti += 1
                    continue
                }
            }
            guard starP >= 0 else { return false }
            starT += 1
            ti = starT
            pi = starP
        }
        while pi < p.count, p[pi] == UInt8(ascii: "*") { pi += 1 }
        return pi == p.count
    }

    /// If the pattern element at `pi` matches `byte`, the index after the element.
    private static func matchOne(_ p: UnsafeBufferPointer<UInt8>, _ pi: Int, _ byte: UInt8, _ fold: Bool) -> Int? {
        switch p[pi] {
        case UInt8(ascii: "?"):
            return pi + 1
        case UInt8(ascii: "\\") where pi + 1 < p.count:
            return lower(p[pi + 1], fold) == lower(byte, fold) ? pi + 2 : nil
        case UInt8(ascii: "["):
            var index = pi + 1
            let negate = index < p.count && p[index] == UInt8(ascii: "^")
            if negate { index += 1 }
            var matched = false
            // As Redis' stringmatchlen: `x-y` is a range whenever two bytes follow `x` (`[a-]`
            // is a..`]`, and the class goes on), ends are swapped before case folding, and an
            // escaped byte in a class compares exactly.
            while index < p.count, p[index] != UInt8(ascii: "]") {
                if p[index] == UInt8(ascii: "\\"), index + 1 < p.count {
                    if p[index + 1] == byte { matched = true }
                    index += 2
                } else if index + 2 < p.count, p[index + 1] == UInt8(ascii: "-") {
                    var low = p[index], high = p[index + 2]
                    if low > high { swap(&low, &high) }
                    let value = lower(byte, fold)
                    if value >= lower(low, fold) && value <= lower(high, fold) { matched = true }
                    index += 3
                } else {
                    if lower(p[index], fold) == lower(byte, fold) { matched = true }
                    index += 1
                }
            }
            // An unterminated class ends at the end of the pattern (as Redis).
            let after = index < p.count ? index + 1 : index
            return matched != negate ? after : nil
        default:
            return lower(p[pi], fold) == lower(byte, fold) ? pi + 1 : nil
        }
    }
}
