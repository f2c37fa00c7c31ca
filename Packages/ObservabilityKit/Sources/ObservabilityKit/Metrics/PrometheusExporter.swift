import CoreMetrics
import Prometheus

/// A swift-metrics `MetricsFactory` backed by a swift-prometheus registry, which exports in the
/// Prometheus text format with a `# HELP` line and the right buckets for every metric of the
/// catalog (`MantisMetrics.all`).
///
/// swift-prometheus's own `PrometheusMetricsFactory` cannot pass help text, and `promtool check
/// metrics` rejects metrics without it; this factory looks the text up by name. Metrics from
/// elsewhere (another library recording through the same factory) get a generic help line, so the
/// exposition always lints clean. A `Timer` becomes a histogram in seconds, a `Recorder` with
/// `aggregate: true` a value histogram, a `Gauge`/`Meter` a gauge.
public final class PrometheusExporter: MetricsFactory, Sendable {
    public let registry: PrometheusCollectorRegistry
    let catalog: [String: MetricDescription]
    let defaultDurationBuckets: [Duration]
    let defaultValueBuckets: [Double]

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), catalog: [MetricDescription] = MantisMetrics.all) {
        self.registry = registry
        self.catalog = Dictionary(catalog.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        defaultDurationBuckets = MetricDescription.Buckets.latencyBounds
        defaultValueBuckets = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000]
    }

    /// The exposition, Prometheus text format 0.0.4.
    public func render() -> String { registry.emitToString() }

    func help(_ name: String) -> String {
        catalog[name]?.help ?? "\(name) (recorded through swift-metrics; no description registered)."
    }

    func descriptor(_ name: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help(name))
    }

    func durationBuckets(_ name: String) -> [Duration] {
        if case .durations(let bounds)? = catalog[name]?.buckets { return bounds }
        return defaultDurationBuckets
    }

    func valueBuckets(_ name: String) -> [Double] {
        if case .values(let bounds)? = catalog[name]?.buckets { return bounds }
        return defaultValueBuckets
    }

    // MARK: MetricsFactory

    public func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        registry.makeCounter(descriptor: descriptor(label), labels: dimensions)
    }

    public func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        registry.makeCounter(descriptor: descriptor(label), labels: dimensions)
    }

    public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        guard aggregate else { return registry.makeGauge(descriptor: descriptor(label), labels: dimensions) }
        return registry.makeValueHistogram(descriptor: descriptor(label), labels: dimensions, buckets: valueBuckets(label))
    }

    public func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        registry.makeGauge(descriptor: descriptor(label), labels: dimensions)
    }

    public func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        registry.makeDurationHistogram(descriptor: descriptor(label), labels: dimensions, buckets: durationBuckets(label))
    }

    public func destroyCounter(_ handler: any CounterHandler) {
        if let counter = handler as? Prometheus.Counter { registry.unregisterCounter(counter) }
    }

    public func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {
        if let counter = handler as? Prometheus.Counter { registry.unregisterCounter(counter) }
    }

    public func destroyRecorder(_ handler: any RecorderHandler) {
        if let gauge = handler as? Prometheus.Gauge { registry.unregisterGauge(gauge) }
        if let histogram = handler as? ValueHistogram { registry.unregisterValueHistogram(histogram) }
    }

    public func destroyMeter(_ handler: any MeterHandler) {
        if let gauge = handler as? Prometheus.Gauge { registry.unregisterGauge(gauge) }
    }

    public func destroyTimer(_ handler: any TimerHandler) {
        if let histogram = handler as? DurationHistogram { registry.unregisterDurationHistogram(histogram) }
    }
}
