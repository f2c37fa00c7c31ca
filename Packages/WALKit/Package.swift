// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "WALKit",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "WALKit", targets: ["WALKit"]),
    ],
    dependencies: [
        .package(path: "../MantisCore"),
        .package(path: "../IntegrityKit"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        .target(name: "WALKit", dependencies: [
            .product(name: "MantisCore", package: "MantisCore"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "WALKitTests", dependencies: [
            "WALKit",
            .product(name: "MantisCoreTesting", package: "MantisCore"),
            .product(name: "IntegrityKit", package: "IntegrityKit"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
