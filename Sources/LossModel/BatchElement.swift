/// The element types of a batch (`losshost.h`): `double` for `lh_batch`, `float`
/// for `lh_batch_f32` (ABI 1.1). The host's calls are generic over it; the kit's
/// loops use `KernelScalar`, which refines it.
public protocol BatchElement: BinaryFloatingPoint, Sendable {}

extension Double: BatchElement {}
extension Float: BatchElement {}
