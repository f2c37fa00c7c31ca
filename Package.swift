// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "MantisDB",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "MantisDB", targets: ["MantisDB"]),
        .executable(name: "mantisdb", targets: ["mantisdb"]),
    ],
    dependencies: [
        .package(path: "Packages/MantisCore"),
        .package(path: "Packages/IntegrityKit"),
        .package(path: "Packages/WALKit"),
        .package(path: "Packages/TxnKit"),
        .package(path: "Packages/RecoveryKit"),
        .package(path: "Plugins/ZlibCodec"),
        .package(path: "Plugins/LZ4Codec"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.1.0"),
        .package(url: "https://github.com/apple/swift-configuration", from: "1.0.0", traits: [.defaults, "YAML"]),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        .package(url: "https://github.com/jpsim/Yams", "5.4.0"..<"7.0.0"),
    ],
    targets: [
        .target(name: "MantisDB", dependencies: [
            .product(name: "MantisCore", package: "MantisCore"),
            .product(name: "IntegrityKit", package: "IntegrityKit"),
            .product(name: "IntegrityScrubber", package: "IntegrityKit"),
            .product(name: "WALKit", package: "WALKit"),
            .product(name: "TxnKit", package: "TxnKit"),
            .product(name: "RecoveryKit", package: "RecoveryKit"),
            .product(name: "ZlibCodec", package: "ZlibCodec"),
            .product(name: "LZ4Codec", package: "LZ4Codec"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Configuration", package: "swift-configuration"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "Yams", package: "Yams"),
        ]),
        .executableTarget(name: "mantisdb", dependencies: [
            "MantisDB",
            .product(name: "MantisCoreTesting", package: "MantisCore"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Histogram", package: "hdrhistogram-swift"),
        ]),
        .testTarget(name: "MantisDBTests", dependencies: [
            "MantisDB",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "MantisCoreTesting", package: "MantisCore"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
