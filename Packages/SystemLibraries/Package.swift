// swift-tools-version: 6.2
import PackageDescription

// The only place in the dependency graph that declares module maps for system C libraries.
// Every package that needs zlib or lz4 depends on these products instead of declaring its own
// (two module maps named `CZlib` in one build graph do not build together).
let package = Package(
    name: "SystemLibraries",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "CZlib", targets: ["CZlib"]),
        .library(name: "CLZ4", targets: ["CLZ4"]),
    ],
    targets: [
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]
        ),
        .systemLibrary(
            name: "CLZ4",
            pkgConfig: "liblz4",
            providers: [.apt(["liblz4-dev"]), .brew(["lz4"])]
        ),
        .testTarget(name: "SystemLibrariesTests", dependencies: ["CZlib", "CLZ4"]),
    ],
    swiftLanguageModes: [.v6]
)
