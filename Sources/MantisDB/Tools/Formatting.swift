extension Duration {
    /// The duration in seconds as a `Double`.
    public var seconds: Double {
        let (whole, fraction) = components
        return Double(whole) + Double(fraction) / 1e18
    }
}

extension String {
    /// `value` with `digits` decimals, without Foundation.
    public static func fixed(_ value: Double, digits: Int) -> String {
        guard value.isFinite else { return "\(value)" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let rounded = (abs(value) * scale).rounded()
        let whole = Int(rounded / scale)
        let fraction = Int(rounded - Double(whole) * scale)
        let fractionText = String(fraction)
        let padded = String(repeating: "0", count: Swift.max(0, digits - fractionText.count)) + fractionText
        return (value < 0 ? "-" : "") + String(whole) + (digits > 0 ? "." + padded : "")
    }
}
