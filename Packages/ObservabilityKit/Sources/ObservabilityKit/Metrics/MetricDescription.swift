/// One metric MantisDB exports: its Prometheus name (base units, `_total` for counters), kind,
/// label names, help text and, for histograms, bucket bounds.
///
/// The catalog (`MantisMetrics.all`) is the single source of truth: the Prometheus exporter takes
/// help text and buckets from it, `Docs/observability.md` lists it, and a test checks every name.
public struct MetricDescription: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        case counter, gauge, histogram
    }

    public enum Buckets: Sendable, Hashable {
        /// Upper bounds of a histogram of durations (exported in seconds).
        case durations([Duration])
        /// Upper bounds of a histogram of plain values.
        case values([Double])
    }

    public var name: String
    public var kind: Kind
    public var help: String
    /// The label names; a metric is either always or never labelled.
    public var labels: [String]
    public var buckets: Buckets?

    public init(_ name: String, _ kind: Kind, labels: [String] = [], buckets: Buckets? = nil, _ help: String) {
        self.name = name
        self.kind = kind
        self.help = help
        self.labels = labels
        self.buckets = buckets
    }
}

extension MetricDescription.Buckets {
    /// 50µs … 10s: fsync and commit latency (a healthy SSD syncs in 50µs–5ms, a dying one in seconds).
    public static let latency: Self = .durations(latencyBounds)

    static let latencyBounds: [Duration] = [
        .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500),
        .milliseconds(1), .milliseconds(2) + .microseconds(500), .milliseconds(5), .milliseconds(10),
        .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
    ]

    /// 10ms … 10min: checkpoints.
    public static let long: Self = .durations([
        .milliseconds(10), .milliseconds(50), .milliseconds(100), .milliseconds(500), .seconds(1),
        .seconds(5), .seconds(10), .seconds(30), .seconds(60), .seconds(300), .seconds(600),
    ])

    /// 1 … 4096 in powers of two: records per group commit.
    public static let groupSize: Self = .values([1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096])
}
