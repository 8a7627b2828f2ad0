#if canImport(Glibc)
import Glibc
#endif

/// A shared library opened with `dlopen`. It is never closed: plugin code may
/// hold Swift runtime state or hand out static tables the host keeps using.
package struct DynamicLibrary: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer

    /// Wraps `dlopen(path, RTLD_NOW | RTLD_LOCAL)`: every symbol resolved now,
    /// none visible to other plugins.
    package static func open(_ path: String) throws(LoadFailure) -> DynamicLibrary {
        _ = dlerror()
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            throw .dlopenFailed(lastError() ?? "unknown dlopen error")
        }
        return DynamicLibrary(handle: handle)
    }

    /// Wraps `dlsym`: the address of an exported symbol, or nil.
    package func symbol(_ name: String) -> UnsafeMutableRawPointer? {
        _ = dlerror()
        return dlsym(handle, name)
    }

    /// Wraps `dlerror`.
    private static func lastError() -> String? {
        guard let message = dlerror() else { return nil }
        return String(cString: message)
    }
}
