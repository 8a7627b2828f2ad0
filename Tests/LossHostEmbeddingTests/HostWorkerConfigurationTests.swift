import CLossHost
import Foundation
import LossHostEmbedding
import XCTest

/// Two hosts opened through the C API with different plugin folders and caches:
/// the workers of each run with that host's whole configuration (its folders
/// only, its cache), not with the defaults of a command line.
final class HostWorkerConfigurationTests: XCTestCase {
    /// The scan cache's entries: the plugin files the host and its workers scanned.
    private func scanned(_ cache: String) throws -> [String] {
        let data = try Data(contentsOf: URL(fileURLWithPath: cache + "/scan-cache.json"))
        let root = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        return try XCTUnwrap(root["entries"] as? [String: Any]).keys.sorted()
    }

    func testEachHostsCheckWorkersSearchItsFoldersAndWriteItsCache() throws {
        // A worker that fell back to the defaults would write here.
        let xdg = HostSupport.folder("workers-xdg-cache").path
        let saved = getenv("XDG_CACHE_HOME").map { String(cString: $0) }
        setenv("XDG_CACHE_HOME", xdg, 1)
        defer { if let saved { setenv("XDG_CACHE_HOME", saved, 1) } else { unsetenv("XDG_CACHE_HOME") } }

        var hosts: [(dir: String, cache: String, host: OpaquePointer)] = []
        for name in ["a", "b"] {
            let dir = HostSupport.folder("workers-plugins-\(name)").resolvingSymlinksInPath().path
            try HostSupport.compile([HostSupport.packageRoot.appendingPathComponent("docs/examples/minimal_loss.c").path],
                                    to: dir + "/libminimal.so")
            let cache = HostSupport.folder("workers-cache-\(name)").path
            var host: OpaquePointer?
            XCTAssertEqual(HostSupport.withConfig(dirs: [dir], flags: UInt32(LH_HOST_ONLY_PLUGIN_DIRS), cacheDir: cache) {
                lh_host_open($0, &host)
            }, lh_status(LH_OK), HostSupport.lastError)
            hosts.append((dir, cache, try XCTUnwrap(host)))
        }
        defer { hosts.forEach { lh_host_close($0.host) } }

        for (dir, cache, host) in hosts {
            // A loss id, not a file: the worker finds it on the host's search path.
            var text: UnsafeMutablePointer<CChar>?
            XCTAssertEqual(lh_host_check(host, "minimal/squared_log_error", 5, 0, &text), lh_status(LH_OK), HostSupport.lastError)
            let report = try HostSupport.json(HostSupport.take(text))
            XCTAssertEqual(report["passed"] as? Bool, true, "\(report)")
            XCTAssertEqual(try scanned(cache), [dir + "/libminimal.so"], "only this host's folder, in this host's cache")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: xdg + "/losshost"),
                       "a worker wrote the default cache: \((try? FileManager.default.subpathsOfDirectory(atPath: xdg)) ?? [])")
    }
}
