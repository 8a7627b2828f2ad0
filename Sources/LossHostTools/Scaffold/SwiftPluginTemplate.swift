import Foundation

/// The Swift project of `losshost new --lang swift`: a SwiftPM package whose
/// dynamic library product `libNAME.so` is the plugin, on LossKit from the
/// losshost package as a local path dependency.
struct SwiftPluginTemplate {
    let scaffold: PluginScaffold

    var name: String { scaffold.name }

    /// The folder of the losshost package when LOSSHOST_PACKAGE does not name one:
    /// a clone next to the project. SwiftPM names the dependency after it ("losshost").
    static let defaultPackage = "../losshost"

    var files: [(path: String, text: String)] {
        [("Package.swift", manifest), ("Sources/\(name)/LogCosh.swift", loss), ("Sources/\(name)/Plugin.swift", entry),
         ("exports.map", exportList), ("README.md", readme), (".gitignore", ".build/\nPackage.resolved\n")]
    }

    var manifest: String {
        #"""
        // swift-tools-version:6.0
        import PackageDescription

        // The losshost plugin '\#(name)': `swift build -c release` makes .build/release/lib\#(name).so.
        // exports.map keeps every symbol but the entry point local to the library.
        let exports = "--version-script=" + String(#filePath.dropLast("Package.swift".count)) + "exports.map"
        // The losshost package, for LossKit: the folder LOSSHOST_PACKAGE names, else a clone
        // next to this one. SwiftPM names a path dependency after its folder, lowercased.
        let losshost = Context.environment["LOSSHOST_PACKAGE"] ?? "\#(Self.defaultPackage)"
        let identity = String(losshost.split(separator: "/").last ?? "losshost").lowercased()

        let package = Package(
            name: "\#(name)",
            products: [
                .library(name: "\#(name)", type: .dynamic, targets: ["\#(name)"]),
            ],
            dependencies: [
                .package(path: losshost),
            ],
            targets: [
                .target(name: "\#(name)", dependencies: [.product(name: "LossKit", package: identity)],
                        linkerSettings: [.unsafeFlags(["-Xlinker", exports])]),
            ]
        )

        """#
    }

    /// The linker's version script: a plugin exports one symbol (include/losshost.h).
    var exportList: String {
        """
        { global: losshost_plugin_entry; local: *; };

        """
    }

    var loss: String {
        #"""
        import LossKit

        /// log(cosh(s·r))/s² with r = pred − target: r²/2 near 0, like mse; beyond |r| of
        /// about 1/s it grows like |r|/s, like mae. `scale` (s) says where an error starts
        /// to count as an outlier.
        struct LogCosh: ElementwiseLoss {
            static let info = LossInfo(
                id: "logcosh",
                summary: "log(cosh(s * (pred - target))) / s^2: squared near 0, absolute far away",
                kind: .regression, predDoc: "predicted value, N x D", targetDoc: "observed value, N x D",
                parameters: [ParameterInfo("scale", "s: errors beyond about 1/s cost linearly", default: 1, min: 0.01, max: 100)],
                // What pred and target mean, and what a trainer may assume of the Hessian (1 - tanh² >= 0).
                predDomain: .real, targetDomain: .real, curvature: Curvature(convex: true))

            let s: Double

            init(_ parameters: ParameterValues) {
                s = parameters["scale"]
            }

            func derivatives(pred: Double, target: Double) -> Derivatives {
                let x = s * (pred - target), a = abs(x)
                let m = expm1(-2 * a), u = exp(-2 * a)
                let t = -m / (2 + m)  // tanh a, accurate for small and large a
                let d = 1 + u
                return Derivatives(value: Self.logCosh(a, m: m, tanh: t) / (s * s), gradient: (x < 0 ? -t : t) / s,
                                   hessian: 4 * u / (d * d))  // sech² x, no 1 − tanh² cancellation
            }

            /// log cosh a (a = |x|) from m = e^{−2a} − 1 and t = tanh a: −½·log(1 − t²) near 0
            /// (no cancellation), a + log1p(m/2) elsewhere (no overflow).
            static func logCosh(_ a: Double, m: Double, tanh t: Double) -> Double {
                a < 0.5 ? -0.5 * log1p(-t * t) : a + log1p(0.5 * m)
            }

            // Vector math: the kit hands the loss blocks of up to 256 elements in the batch's
            // own float type, and whole lanes go through libmvec (exp, log, log1p, expm1), so
            // the transcendental functions run 4 or 8 at a time. The same function as
            // `derivatives` (which the checker and the per-element paths use), on lanes.
            static let evaluatesBlocks = true
            func evaluate<S: KernelScalar>(block b: ElementBlock<S>) {
                let scale = S(fromDouble: s), inverse = 1 / S(fromDouble: s * s)
                let m = b.temporary(0), u = b.temporary(1), lane = b.temporary(2)
                for i in b.indices { lane[i] = -2 * abs(scale * (b.pred[i] - b.target[i])) }
                b.apply(.expm1, lane, into: m)
                if b.wantsDerivatives { b.apply(.exp, lane, into: u) }
                for i in b.indices {
                    let a = abs(scale * (b.pred[i] - b.target[i])), t = -m[i] / (2 + m[i])
                    lane[i] = a < 0.5 ? -t * t : 0.5 * m[i]
                }
                b.apply(.log1p, lane, into: lane)
                for i in b.indices {
                    // a/s² as |r|/s: s·r may overflow a float32 where the value does not.
                    let r = b.pred[i] - b.target[i], a = abs(scale * r)
                    b.value[i] = a < 0.5 ? -0.5 * lane[i] * inverse : abs(r) / scale + lane[i] * inverse
                }
                guard b.wantsDerivatives else { return }
                for i in b.indices {
                    let x = scale * (b.pred[i] - b.target[i]), t = -m[i] / (2 + m[i]), d = 1 + u[i]
                    b.gradient[i] = (x < 0 ? -t : t) / scale
                    b.hessian[i] = 4 * u[i] / (d * d)
                }
            }

            // Refuse an element (LH_ERR_DOMAIN naming its row) exactly where an output would not
            // be finite for finite inputs: here where s * (pred - target) overflows.
            static let refusesElements = true
            func refusal(pred: Double, target: Double) -> String? {
                (s * (pred - target)).isFinite ? nil : "s * (pred - target) overflows a float64"
            }
        }

        """#
    }

    var entry: String {
        #"""
        import LossKit

        /// The plugin '\#(name)': its losses, exported as the C table.
        let table = PluginTable(
            id: "\#(name)", version: "0.1.0",
            summary: "\#(name): one example loss (logcosh)",
            losses: [.elementwise(LogCosh.self)])

        /// The one symbol the host looks up.
        @_cdecl("losshost_plugin_entry")
        public func losshost_plugin_entry(_ hostMajor: UInt32, _ hostMinor: UInt32) -> UnsafePointer<lh_plugin>? {
            table.entry(hostMajor: hostMajor, hostMinor: hostMinor)
        }

        """#
    }

    var readme: String {
        #"""
        # \#(name): a losshost plugin in Swift

        Made by `losshost new \#(name) --lang swift`. It has one example loss, `\#(name)/logcosh`:
        log(cosh(s·r))/s² with r = pred − target, squared near 0 and absolute far away,
        with one parameter, `scale` (s, default 1). Replace it with your own losses in
        `Sources/\#(name)/` and list them in `Plugin.swift`; the Swift section of
        losshost's `docs/ABI.md` is the guide. `import LossKit` is
        the only import a loss needs.

        ## Build

        ```sh
        swift build -c release
        ```

        makes `.build/release/lib\#(name).so`, the plugin. `Package.swift` depends on the
        losshost package by path, for its `LossKit` product: a clone at `\#(Self.defaultPackage)`
        (next to this folder), or the folder `LOSSHOST_PACKAGE` names
        (`LOSSHOST_PACKAGE=~/src/losshost swift build -c release`).

        The library links the Swift runtime (`libswiftCore.so`, `libswift_Concurrency.so`,
        `libswiftGlibc.so`, …; `readelf -d .build/release/lib\#(name).so` lists them). losshost
        is a Swift program and has them loaded already; it must come from the same Swift
        toolchain as the plugin.

        ## Check

        ```sh
        losshost check .build/release/lib\#(name).so
        ```

        checks the gradient and Hessian against finite differences, weights, composition,
        determinism, threads, robustness at the edges of the domain, memory and parameters.

        ## Use

        ```sh
        mkdir -p plugins && cp .build/release/lib\#(name).so plugins/
        printf '0.5\n2.0\n-1.0\n' > p.csv; printf '0\n0\n0\n' > y.csv
        losshost eval \#(name)/logcosh --plugin-dir plugins --pred p.csv --target y.csv --param scale=2 --grad
        ```

        To have every command find it, copy `lib\#(name).so` into a plugin folder, e.g.
        `~/.local/share/losshost/plugins` (`losshost list` prints the folders it searches).

        """#
    }
}
