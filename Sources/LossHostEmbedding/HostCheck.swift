import Foundation
import LossHostCheck

/// `lh_host_check`: `losshost check TARGET` run in worker processes (the CLI's
/// check session), its JSON report with the fingerprint of the file it checked
/// and, with `cached`, a verdict reused from the check-verdict cache.
enum HostCheck {
    /// The report, with `"fingerprint"` and `"cached"`, as JSON text. `pins` and `sweep`: as
    /// `check --param` and (when false) `--no-sweep`.
    static func run(_ host: Host, target: String, seed: UInt64, cached: Bool, pins: [String] = [],
                    sweep: Bool = true) throws(HostError) -> String {
        let resolved: CheckTarget
        do {
            resolved = try CheckTarget.resolve(target, registry: host.registry, builtIns: LibraryLocation.path)
        } catch {
            throw .argument(error.detail, kind: error.kind)
        }
        let options = CheckOptions(target: resolved.workerTarget, seed: seed, only: nil,
                                   configuration: host.configuration, params: pins, sweep: sweep)
        let cache = CheckVerdictCache(cacheDirectory: host.options.cacheDir)
        let verdict = try cache.verdict(options, target: resolved, reuse: cached) { () throws(HostError) in
            do {
                return try CheckSession(options).runIsolated(executable: host.options.workerExecutable)
            } catch {
                throw .argument("\(error)")
            }
        }
        return CheckResult.report(target: target, seed: seed, results: verdict.results, verdict: verdict).text
    }
}
