// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "RecoveryKit",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "RecoveryKit", targets: ["RecoveryKit"]),
    ],
    dependencies: [
        .package(path: "../MantisCore"),
        .package(path: "../IntegrityKit"),
        .package(path: "../WALKit"),
        .package(path: "../TxnKit"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        .target(name: "RecoveryKit", dependencies: [
            .product(name: "MantisCore", package: "MantisCore"),
            .product(name: "WALKit", package: "WALKit"),
            .product(name: "TxnKit", package: "TxnKit"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "RecoveryKitTests", dependencies: [
            "RecoveryKit",
            .product(name: "MantisCore", package: "MantisCore"),
            .product(name: "MantisCoreTesting", package: "MantisCore"),
            .product(name: "IntegrityKit", package: "IntegrityKit"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
