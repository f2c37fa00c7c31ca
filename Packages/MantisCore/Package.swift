// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "MantisCore",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "MantisCore", targets: ["MantisCore"]),
        .library(name: "MantisCoreTesting", targets: ["MantisCoreTesting"]),
    ],
    targets: [
        .target(name: "MantisCore"),
        .target(name: "MantisCoreTesting", dependencies: ["MantisCore"]),
        .testTarget(name: "MantisCoreTests", dependencies: ["MantisCore", "MantisCoreTesting"]),
        .testTarget(name: "MantisCoreTestingTests", dependencies: ["MantisCore", "MantisCoreTesting"]),
    ],
    swiftLanguageModes: [.v6]
)
