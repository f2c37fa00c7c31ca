// swift-tools-version: 6.2
import PackageDescription

// Three libraries, so a package that only needs checksums does not build the log, the
// checkpoints and the store:
// - IntegrityKit: checksums, the error classification and policy, retry with backoff, the
//   circuit breaker, rate limiting, and the disk and memory write guards (MantisCore only).
// - IntegrityScrubber: the background scrubber (re-verifies WAL segments and checkpoints,
//   quarantines damage, self-heals); it needs WALKit and RecoveryKit.
// - IntegrityKitTesting: a manual clock and a recording alert sink for tests.
// WALKit, TxnKit and RecoveryKit depend on this package for their tests (checksums) while the
// scrubber depends on them: SwiftPM accepts the package-level cycle because no *target* cycle
// exists (IntegrityKit itself depends on none of them).
let package = Package(
    name: "IntegrityKit",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "IntegrityKit", targets: ["IntegrityKit"]),
        .library(name: "IntegrityScrubber", targets: ["IntegrityScrubber"]),
        .library(name: "IntegrityKitTesting", targets: ["IntegrityKitTesting"]),
    ],
    dependencies: [
        .package(path: "../MantisCore"),
        .package(path: "../SystemLibraries"),
        .package(path: "../WALKit"),
        .package(path: "../TxnKit"),
        .package(path: "../RecoveryKit"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        // CRC-32C (Castagnoli) in C: SSE4.2 / ARMv8 CRC instructions with a table fallback.
        .target(name: "CCRC32C"),
        .target(
            name: "IntegrityKit",
            dependencies: [
                "CCRC32C",
                .product(name: "MantisCore", package: "MantisCore"),
                .product(name: "CZlib", package: "SystemLibraries"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "IntegrityScrubber",
            dependencies: [
                "IntegrityKit",
                .product(name: "MantisCore", package: "MantisCore"),
                .product(name: "WALKit", package: "WALKit"),
                .product(name: "RecoveryKit", package: "RecoveryKit"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "IntegrityKitTesting",
            dependencies: [
                "IntegrityKit",
                .product(name: "MantisCore", package: "MantisCore"),
            ]
        ),
        .testTarget(
            name: "IntegrityKitTests",
            dependencies: [
                "IntegrityKit",
                "IntegrityScrubber",
                "IntegrityKitTesting",
                .product(name: "MantisCore", package: "MantisCore"),
                .product(name: "MantisCoreTesting", package: "MantisCore"),
                .product(name: "WALKit", package: "WALKit"),
                .product(name: "TxnKit", package: "TxnKit"),
                .product(name: "RecoveryKit", package: "RecoveryKit"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
