// swift-tools-version:6.0
import PackageDescription

/// Typed file descriptors, errno and paths (swift-system).
let system: Target.Dependency = .product(name: "SystemPackage", package: "swift-system")

/// Links a shared library that exports only the symbols its version script lists
/// (`Sources/Exports/*.map`); the Swift and C code behind them stays local.
func exports(_ map: String) -> LinkerSetting {
    let root = String(#filePath.dropLast("Package.swift".count))
    return .unsafeFlags(["-Xlinker", "--version-script=\(root)Sources/Exports/\(map).map"])
}

let package = Package(
    name: "losshost",
    products: [
        .executable(name: "losshost", targets: ["losshost"]),
        // Runs plugin code (scans, checks) for the CLI and the host library, one typed request per process.
        .executable(name: "losshost-worker", targets: ["LossHostWorker"]),
        // The kit for Swift plugins; an outside package depends on this product alone (docs/ABI.md, section 8).
        .library(name: "LossKit", targets: ["LossKit"]),
        // The C host API (include/losshost_host.h), for programs that embed the host.
        .library(name: "losshost-host", type: .dynamic, targets: ["LossHostEmbedding"]),
        // The standard losses as a plugin, for programs in other languages.
        .library(name: "losshost-standard", type: .dynamic, targets: ["StandardLossesPlugin"]),
        // Sample plugins; `liblosshost-plugin-*.so` next to the executable are loaded as bundled plugins.
        .library(name: "losshost-plugin-csample", type: .dynamic, targets: ["CSamplePlugin"]),
        .library(name: "losshost-plugin-swiftsample", type: .dynamic, targets: ["SwiftSamplePlugin"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // Typed file descriptors, errno and paths for the host's system calls.
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
    ],
    targets: [
        // The C ABI: one header, shared by the host, the kit and every plugin.
        .target(name: "CLossHost", path: "include", publicHeadersPath: "."),
        // Block-wise exp / log / log1p / expm1 / pow on glibc's libmvec, dispatched per CPU.
        .target(name: "CVectorMath", linkerSettings: [.linkedLibrary("mvec"), .linkedLibrary("m")]),
        // Plain value types that mirror losshost.h (a loss's and a parameter's description, domains,
        // links, curvature, the batch element types), no Foundation: the host's model of a loss and the kit's.
        .target(name: "LossModel", dependencies: ["CLossHost"]),
        // The Swift kit for plugin authors: a loss type in, a C table out (re-exports LossModel).
        .target(name: "LossKit", dependencies: ["CLossHost", "CVectorMath", "LossModel"]),
        .target(name: "StandardLosses", dependencies: ["LossKit"]),
        .target(name: "StandardLossesPlugin", dependencies: ["CLossHost", "StandardLosses"],
                linkerSettings: [exports("plugin")]),
        // libffi, for plain C functions whose signature is known only at run time.
        .systemLibrary(name: "CFFI", path: "Sources/CFFI", pkgConfig: "libffi",
                       providers: [.apt(["libffi-dev"])]),
        // The host's layers, each seeing only the ones above it in this list:
        // one typed wrapper per system call (files, processes, signals, polls, limits),
        .target(name: "LossHostSystem", dependencies: [system]),
        // the C boundary (dynamic libraries, descriptor reader, plugin calls, error records),
        .target(name: "LossHostABI", dependencies: ["CLossHost", "LossModel", "LossHostSystem", system]),
        // input and output files (LossKit: the vector math of the non-finite scan),
        .target(name: "LossHostIO", dependencies: ["LossHostABI", "LossModel", "LossKit", "LossHostSystem", system]),
        // the evaluation engine, the registry and the host configuration (LossKit: the kernels' `KernelScalar`),
        .target(name: "LossHostEngine", dependencies: ["LossHostABI", "LossHostIO", "LossModel", "LossKit", system]),
        // scalar-function manifests, a plugin format called through libffi (LossKit: each function becomes a kit table),
        .target(name: "LossHostScalar", dependencies: ["LossHostABI", "LossKit", "CFFI"]),
        // worker processes, the scan cache, folder rules and discovery,
        .target(name: "LossHostIsolation", dependencies: ["LossHostEngine", "StandardLosses", system]),
        // the plugin checker,
        .target(name: "LossHostCheck", dependencies: ["LossHostIsolation"]),
        // and compare, plot, fit and bench (the CLI's tools; the host library does without them).
        .target(name: "LossHostTools", dependencies: ["LossHostIsolation", "LossHostScalar"]),
        // The C host API, a client of the layers like the CLI: @_cdecl functions of include/losshost_host.h.
        .target(name: "LossHostEmbedding",
                dependencies: ["CLossHost", "LossHostABI", "LossHostIO", "LossHostEngine", "LossHostScalar",
                               "LossHostIsolation", "LossHostCheck"],
                linkerSettings: [exports("host")]),
        // The worker executable: no argument parser, no CLI; serves `WorkerRequest`s.
        .executableTarget(name: "LossHostWorker", dependencies: ["LossHostABI", "LossHostIsolation", "LossHostCheck", "LossHostScalar"]),
        .executableTarget(
            name: "losshost",
            dependencies: [
                "LossHostSystem", "LossHostABI", "LossHostIO", "LossHostEngine", "LossHostScalar", "LossHostIsolation",
                "LossHostCheck", "LossHostTools", system,
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .target(name: "CSamplePlugin", dependencies: ["CLossHost"], path: "Plugins/CSample",
                publicHeadersPath: ".", cSettings: [.unsafeFlags(["-fvisibility=hidden"])],
                linkerSettings: [.linkedLibrary("m"), exports("plugin")]),
        .target(name: "SwiftSamplePlugin", dependencies: ["LossKit"], path: "Plugins/SwiftSample",
                linkerSettings: [exports("plugin")]),
        .testTarget(name: "LossKitTests", dependencies: ["LossKit", "StandardLosses"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "LossHostCoreTests",
                    dependencies: ["LossHostSystem", "LossHostABI", "LossHostIO", "LossHostEngine", "LossHostScalar",
                                   "LossHostIsolation", "LossHostCheck", "LossHostTools", "LossKit", "StandardLosses", system]),
        .testTarget(name: "CLITests", dependencies: []),
        .testTarget(name: "LossHostEmbeddingTests", dependencies: ["LossHostEmbedding", "CLossHost"]),
    ]
)
