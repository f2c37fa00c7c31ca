/// Compares a presented secret (a password, a bearer token) with the expected one in time that
/// depends only on their lengths, not on where they first differ.
enum SecretComparison {
    static func matches(_ presented: some Collection<UInt8>, _ expected: some Collection<UInt8>) -> Bool {
        var difference = UInt8(presented.count == expected.count ? 0 : 1)
        var a = presented.makeIterator(), b = expected.makeIterator()
        for _ in 0..<max(presented.count, expected.count) {
            difference |= (a.next() ?? 0) ^ (b.next() ?? 0)
        }
        return difference == 0
    }
}
