// What a plugin needs besides the kit: the C ABI types (`lh_plugin` for the entry)
// and the C math library, so `import LossKit` is the only import a plugin writes.
@_exported import CLossHost
#if canImport(Glibc)
@_exported import Glibc
#elseif canImport(Darwin)
@_exported import Darwin
#endif
