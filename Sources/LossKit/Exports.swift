// What a plugin needs besides the kit: the C ABI types (`lh_plugin` for the entry),
// the value types that describe a loss (`LossInfo`, `ParameterInfo`, … of LossModel)
// and the C math library, so `import LossKit` is the only import a plugin writes.
@_exported import CLossHost
@_exported import LossModel
#if canImport(Glibc)
@_exported import Glibc
#elseif canImport(Darwin)
@_exported import Darwin
#endif
