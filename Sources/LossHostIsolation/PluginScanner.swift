import Foundation
import LossHostABI
import LossHostEngine

/// How plugin files are loaded during discovery: the folder rules, then a scan
/// in a worker process (cached), and only then `dlopen` in this process.
/// A plugin whose constructor or entry point crashes or hangs kills only the worker.
///
/// Scalar manifests get the same treatment: the rules apply to the manifest and
/// to every library it names, the scan loads the manifest (and so `dlopen`s its
/// libraries) in a worker, and the cached result is keyed on the manifest and
/// its libraries. A manifest's own errors (with file and line) come from loading
/// it here once its scan showed that loading it does not crash or hang.
public struct PluginScanner: Sendable {
    /// Runs scans; nil loads in this process directly (tests, and workers themselves).
    public let worker: WorkerProcess?
    /// The host configuration scan requests carry (a scanner with a worker is made from one).
    private let configuration: HostConfiguration?
    /// Loads plugins from files and folders that break the folder rules.
    public var allowUnsafeLocations: Bool
    public var cache: ScanCache?
    /// File formats besides shared libraries.
    public var formats: PluginFormats
    /// Seconds a scan may take before its worker is killed.
    public var scanTimeout: Double

    /// A scanner without workers (`worker` nil) or with a worker of its own.
    public init(worker: WorkerProcess?, allowUnsafeLocations: Bool = false, cache: ScanCache? = nil,
                formats: PluginFormats = PluginFormats(), scanTimeout: Double = 10) {
        self.init(worker: worker, allowUnsafeLocations: allowUnsafeLocations, cache: cache, formats: formats,
                  scanTimeout: scanTimeout, configuration: nil)
    }

    private init(worker: WorkerProcess?, allowUnsafeLocations: Bool, cache: ScanCache?, formats: PluginFormats,
                 scanTimeout: Double, configuration: HostConfiguration?) {
        self.worker = worker
        self.configuration = configuration
        self.allowUnsafeLocations = allowUnsafeLocations
        self.cache = cache
        self.formats = formats
        self.scanTimeout = scanTimeout
    }

    /// The scanner a configuration describes: workers when it names the
    /// executable, the cache when it names the folder.
    public init(_ configuration: HostConfiguration) {
        self.init(worker: configuration.workerExecutable.map {
                      WorkerProcess(timeout: configuration.scanTimeout, executable: $0, memoryMiB: configuration.workerMemoryMiB)
                  },
                  allowUnsafeLocations: configuration.allowUnsafePlugins,
                  cache: configuration.cacheDirectory.map { ScanCache(directory: $0) },
                  formats: configuration.formats, scanTimeout: configuration.scanTimeout, configuration: configuration)
    }

    /// Whether `path` is a file of a registered format (not a shared library).
    func isFormatFile(_ path: String) -> Bool { formats.format(for: path) != nil }

    /// Why the file at `path` (canonical) breaks the folder rules, or nil.
    public func locationProblem(_ path: String) -> String? {
        if allowUnsafeLocations { return nil }
        return SafeLocation.problem(with: path, companions: formats.companionFiles(of: path))
    }

    /// Checks, scans and loads one plugin file.
    public func load(path: String) -> Result<LoadedPlugin, PluginFailure> {
        let canonical = PluginLoader.canonicalPath(path)
        if let kind = FileKind.nonRegularKind(canonical) {
            return .failure(PluginFailure(path: canonical, reason: .unreadable("not a regular file (\(kind))")))
        }
        if let why = locationProblem(canonical) {
            return .failure(PluginFailure(path: canonical, reason: .unsafeLocation(why)))
        }
        if let why = scan(canonical) { return .failure(PluginFailure(path: canonical, reason: .crashed(why))) }
        return PluginLoader.load(path: canonical, formats: formats)
    }

    /// Scans the files the cache does not know yet, several workers at a time,
    /// so a first `list` over a folder of many plugins stays quick.
    public func prescan(_ paths: [String]) {
        guard worker != nil, let cache else { return }
        let todo = paths.map(PluginLoader.canonicalPath).filter { path in
            guard let fingerprint = fingerprint(path), usableEntry(path, fingerprint, in: cache) == nil else { return false }
            return locationProblem(path) == nil
        }
        guard todo.count > 1 else { return }
        DispatchQueue.concurrentPerform(iterations: todo.count) { i in _ = scan(todo[i]) }
    }

    /// Scans every plugin file on `path` that the cache does not know yet,
    /// without loading any here, and saves the cache (for workers to read).
    public func warm(_ path: PluginSearchPath) {
        guard worker != nil, let cache else { return }
        for folder in path.folders {
            let files = (PluginSearchPath.pluginFiles(in: folder, formats: formats) ?? []).map(PluginLoader.canonicalPath)
            prescan(files)
            for file in files where locationProblem(file) == nil { _ = scan(file) }
        }
        cache.save()
    }

    /// Loads the file in a worker first (or takes the cached result); nil when
    /// it may be loaded here, else why not. For a manifest, nil also when it
    /// failed cleanly in the worker: loading it here gives the error with its line.
    public func scan(_ path: String) -> String? {
        guard let worker else { return nil }
        let manifest = isFormatFile(path)
        if !manifest {
            do throws(LoadFailure) { try ELFCheck.check(path) } catch { return error.description }
        }
        let fingerprint = fingerprint(path)
        if let fingerprint, let cache, let entry = usableEntry(path, fingerprint, in: cache) { return entry.failure }
        let request = ScanRequest(path: path, configuration: configuration ?? HostConfiguration(
            searchPath: .standard(optionFolders: [], environment: [:], executablePath: nil), formats: formats,
            allowUnsafePlugins: allowUnsafeLocations, scanTimeout: scanTimeout))
        let run = worker.with(timeout: scanTimeout).run(request)
        if run.outcome == .exited(127), run.lines.isEmpty, run.stderr.hasPrefix(WorkerProcess.cannotStart) {
            return "\(run.stderr) (\(worker.executable))"  // not cached: the plugin is not to blame
        }
        let messages = run.lines.compactMap { WorkerChannel.decode(ScanMessage.self, from: $0) }
        var failure: String?
        var metadata: PluginMetadata?
        if let report = messages.first(where: { !$0.isDone }), messages.contains(where: \.isDone) {
            if run.outcome != .exited(0) {
                // It loaded, then died on the way out: in a destructor of the plugin or a library.
                failure = "\(run.outcome) after loading (in a destructor, at exit)"
            } else {
                switch report {
                case .loaded(let plugin): metadata = plugin
                case .failed(let reason): failure = manifest ? nil : reason
                case .refused(let reason): failure = reason
                case .done: break
                }
            }
            if failure == nil, let leftover = run.leftover {
                failure = "\(leftover) after loading (in its constructor or entry point)"
                metadata = nil
            }
        } else if manifest {
            failure = "\(run.outcome) while loading the libraries it names (in a constructor)"
        } else {
            failure = "\(run.outcome) while loading (in its constructor or entry point)"
        }
        if let fingerprint, let cache {
            // A run mark recorded for this very file (before its metadata was cached) is kept.
            let previous = cache.entry(for: path, fingerprint: fingerprint)
            var entry = ScanCache.Entry(fingerprint: fingerprint, failure: failure, crashedInRun: previous?.crashedInRun)
            entry.metadata = metadata
            cache.store(entry, for: path)
        }
        return failure
    }

    /// The cached entry for `path` if it can stand for a scan: it matches the
    /// file now, and for a plugin that loaded it holds the plugin's ids (an
    /// entry written before they were cached, or by `setRunMark`, is scanned again).
    /// A manifest that failed cleanly has no ids: it is loaded here for its error.
    private func usableEntry(_ path: String, _ fingerprint: PluginFingerprint, in cache: ScanCache) -> ScanCache.Entry? {
        guard let entry = cache.entry(for: path, fingerprint: fingerprint) else { return nil }
        if entry.failure == nil && entry.metadata == nil && !isFormatFile(path) { return nil }
        return entry
    }

    /// The fingerprint of a plugin file and of its companion files, reusing the
    /// cache's hashes of files whose size and modification time have not changed.
    public func fingerprint(_ path: String) -> PluginFingerprint? {
        PluginFingerprint.of(path, companions: formats.companionFiles(of: path), reusing: cache?.recorded(path))
    }

    /// What a plugin file whose scan passed declares, from the cache (scanning
    /// it first if needed), so it need not be loaded here to be listed or shown;
    /// nil when it must be loaded here as before (no worker, no cache, a
    /// failure, or a manifest that failed cleanly).
    public func metadata(_ path: String) -> PluginMetadata? {
        guard worker != nil, let cache else { return nil }
        let canonical = PluginLoader.canonicalPath(path)
        guard locationProblem(canonical) == nil, scan(canonical) == nil,
              let fingerprint = fingerprint(canonical),
              let entry = cache.entry(for: canonical, fingerprint: fingerprint), entry.failure == nil,
              var metadata = entry.metadata else { return nil }
        metadata.path = canonical
        return metadata
    }

    /// Why the plugin at `path` should run only in a worker, from its cached history.
    public func isolationReason(for path: String) -> String? {
        guard let fingerprint = fingerprint(path) else { return nil }
        return cache?.entry(for: path, fingerprint: fingerprint)?.crashedInRun
    }
}
