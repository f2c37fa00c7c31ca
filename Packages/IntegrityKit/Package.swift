// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "IntegrityKit",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "IntegrityKit", targets: ["IntegrityKit"]),
    ],
    dependencies: [
        .package(path: "../MantisCore"),
        .package(path: "../SystemLibraries"),
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
            ]
        ),
        .testTarget(
            name: "IntegrityKitTests",
            dependencies: [
                "IntegrityKit",
                .product(name: "MantisCore", package: "MantisCore"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
