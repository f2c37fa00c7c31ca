extension Duration {
    /// Seconds as a floating-point number.
    var secondsDouble: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) * 1e-18
    }

    /// Whole nanoseconds, saturating at the bounds of `Int64`.
    var nanosecondsClamped: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        let (sum, overflow2) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000)
        if overflow2 { return seconds < 0 ? .min : .max }
        return sum
    }

    /// A short human form: `850µs`, `12.5ms`, `3.2s`, `4m10s`.
    var brief: String {
        let nanos = nanosecondsClamped
        if nanos < 1_000_000 { return "\(nanos / 1000)µs" }
        if nanos < 1_000_000_000 { return "\(Self.oneDecimal(Double(nanos) / 1e6))ms" }
        if nanos < 60_000_000_000 { return "\(Self.oneDecimal(Double(nanos) / 1e9))s" }
        let seconds = nanos / 1_000_000_000
        return "\(seconds / 60)m\(seconds % 60)s"
    }

    private static func oneDecimal(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return tenths % 10 == 0 ? "\(tenths / 10)" : "\(tenths / 10).\(tenths % 10)"
    }
}
