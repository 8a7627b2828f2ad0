import ArgumentParser
import LossHostIO

/// `--dtype auto|f64|f32`.
enum EvalDType: String, ExpressibleByArgument, CaseIterable {
    case auto, f64, f32

    /// The element type to evaluate in; nil: pred's.
    var dtype: DType? { DType(rawValue: rawValue) }
}
