// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "losshost",
    products: [
        .executable(name: "losshost", targets: ["losshost"]),
        .library(name: "LossKit", targets: ["LossKit"]),
        // The standard losses as a plugin, for programs in other languages.
        .library(name: "losshost-standard", type: .dynamic, targets: ["StandardLossesPlugin"]),
        // Sample plugins; `liblosshost-plugin-*.so` next to the executable are loaded as bundled plugins.
        .library(name: "losshost-plugin-csample", type: .dynamic, targets: ["CSamplePlugin"]),
        .library(name: "losshost-plugin-swiftsample", type: .dynamic, targets: ["SwiftSamplePlugin"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // The C ABI: one header, shared by the host, the kit and every plugin.
        .target(name: "CLossHost", path: "include", publicHeadersPath: "."),
        // Block-wise exp / log / log1p / expm1 / pow on glibc's libmvec, dispatched per CPU.
        .target(name: "CVectorMath", linkerSettings: [.linkedLibrary("mvec"), .linkedLibrary("m")]),
        // The Swift kit for plugin authors: a loss type in, a C table out.
        .target(name: "LossKit", dependencies: ["CLossHost", "CVectorMath"]),
        .target(name: "StandardLosses", dependencies: ["LossKit"]),
        .target(name: "StandardLossesPlugin", dependencies: ["CLossHost", "StandardLosses"]),
        // libffi, for plain C functions whose signature is known only at run time.
        .systemLibrary(name: "CFFI", path: "Sources/CFFI", pkgConfig: "libffi",
                       providers: [.apt(["libffi-dev"])]),
        // Loader, registry, evaluation engine, input and output.
        .target(name: "LossHostCore", dependencies: ["CLossHost", "CFFI", "LossKit", "StandardLosses"]),
        .executableTarget(
            name: "losshost",
            dependencies: [
                "LossHostCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .target(name: "CSamplePlugin", dependencies: ["CLossHost"], path: "Plugins/CSample",
                publicHeadersPath: ".", linkerSettings: [.linkedLibrary("m")]),
        .target(name: "SwiftSamplePlugin", dependencies: ["CLossHost", "LossKit"], path: "Plugins/SwiftSample"),
        .testTarget(name: "LossKitTests", dependencies: ["LossKit", "StandardLosses"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "LossHostCoreTests", dependencies: ["LossHostCore"]),
        .testTarget(name: "CLITests", dependencies: []),
    ]
)
