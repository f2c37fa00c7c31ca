// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "LZ4Codec",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "LZ4Codec", targets: ["LZ4Codec"]),
    ],
    dependencies: [
        .package(path: "../../Packages/MantisCore"),
        .package(path: "../../Packages/SystemLibraries"),
    ],
    targets: [
        .target(
            name: "LZ4Codec",
            dependencies: [
                .product(name: "MantisCore", package: "MantisCore"),
                .product(name: "CLZ4", package: "SystemLibraries"),
            ]
        ),
        .testTarget(
            name: "LZ4CodecTests",
            dependencies: [
                "LZ4Codec",
                .product(name: "MantisCore", package: "MantisCore"),
                .product(name: "MantisCoreTesting", package: "MantisCore"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
