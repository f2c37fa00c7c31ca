import Histogram

/// Per-task latency histogram in microseconds (HdrHistogram, 3 significant digits).
struct LatencyRecorder: Sendable {
    var histogram = Histogram<UInt64>(highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three)

    mutating func record(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        let micros = UInt64(max(0, seconds)) * 1_000_000 + UInt64(max(0, attoseconds)) / 1_000_000_000_000
        _ = histogram.record(max(1, micros))
    }

    mutating func merge(_ other: LatencyRecorder) {
        histogram.add(other.histogram)
    }

    func percentile(_ p: Double) -> UInt64 { histogram.valueAtPercentile(p) }
}
