// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "ZlibCodec",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "ZlibCodec", targets: ["ZlibCodec"]),
    ],
    dependencies: [
        .package(path: "../../Packages/MantisCore"),
        .package(path: "../../Packages/SystemLibraries"),
    ],
    targets: [
        .target(
            name: "ZlibCodec",
            dependencies: [
                .product(name: "MantisCore", package: "MantisCore"),
                .product(name: "CZlib", package: "SystemLibraries"),
            ]
        ),
        .testTarget(
            name: "ZlibCodecTests",
            dependencies: [
                "ZlibCodec",
                .product(name: "MantisCore", package: "MantisCore"),
                .product(name: "MantisCoreTesting", package: "MantisCore"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
