// swift-tools-version: 6.2
import PackageDescription

// ObservabilityKit: metrics (swift-metrics, exported in the Prometheus text format), alert
// delivery (de-duplication, rate limiting, escalation; log, file and webhook sinks), alert rules
// over sampled status, structured log handlers (JSON lines, text) and the hash-chained audit trail.
//
// It reads the status snapshots of the other Kits as plain values (the assembly maps them into
// `DatabaseSample`), so WALKit, TxnKit and RecoveryKit stay free of any metrics dependency.
// Minimum versions: swift-log 1.11 (`LogHandler.log(event:)`), swift-prometheus 2.4 (HELP text).
let package = Package(
    name: "ObservabilityKit",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "ObservabilityKit", targets: ["ObservabilityKit"]),
        /// Test helpers: a local webhook server and `promtool check metrics`.
        .library(name: "ObservabilityKitTesting", targets: ["ObservabilityKitTesting"]),
    ],
    dependencies: [
        .package(path: "../MantisCore"),
        .package(path: "../IntegrityKit"),
        .package(url: "https://github.com/apple/swift-log", from: "1.11.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
    ],
    targets: [
        .target(name: "ObservabilityKit", dependencies: [
            .product(name: "MantisCore", package: "MantisCore"),
            .product(name: "IntegrityKit", package: "IntegrityKit"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "CoreMetrics", package: "swift-metrics"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
        .target(name: "ObservabilityKitTesting", dependencies: [
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
        .testTarget(name: "ObservabilityKitTests", dependencies: [
            "ObservabilityKit",
            "ObservabilityKitTesting",
            .product(name: "MantisCore", package: "MantisCore"),
            .product(name: "MantisCoreTesting", package: "MantisCore"),
            .product(name: "IntegrityKit", package: "IntegrityKit"),
            .product(name: "IntegrityKitTesting", package: "IntegrityKit"),
            .product(name: "MetricsTestKit", package: "swift-metrics"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
