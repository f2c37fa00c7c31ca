// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "TxnKit",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "TxnKit", targets: ["TxnKit"]),
    ],
    dependencies: [
        .package(path: "../MantisCore"),
        .package(path: "../WALKit"),
        .package(path: "../IntegrityKit"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        .target(name: "TxnKit", dependencies: [
            .product(name: "MantisCore", package: "MantisCore"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "TxnKitTests", dependencies: [
            "TxnKit",
            .product(name: "MantisCoreTesting", package: "MantisCore"),
            .product(name: "WALKit", package: "WALKit"),
            .product(name: "IntegrityKit", package: "IntegrityKit"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
