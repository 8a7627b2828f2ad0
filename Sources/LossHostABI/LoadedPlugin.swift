import CLossHost
import LossModel

/// The C functions and table of one loss, as read from a plugin.
package struct LossEntry: @unchecked Sendable {
    package let table: UnsafePointer<lh_loss>
    package let create: @convention(c) (UnsafePointer<lh_loss>?, UnsafePointer<lh_param_value>?, UInt32,
                                UnsafeMutablePointer<OpaquePointer?>?, UnsafeMutablePointer<lh_error>?) -> lh_status
    package let evaluate: @convention(c) (OpaquePointer?, UnsafePointer<lh_batch>?, UnsafePointer<lh_outputs>?,
                                  UnsafeMutablePointer<lh_error>?) -> lh_status
    package let destroy: @convention(c) (OpaquePointer?) -> Void
    /// ABI 1.1: float32 evaluation; nil for 1.0 plugins and float64-only losses.
    package var evaluateF32: (@convention(c) (OpaquePointer?, UnsafePointer<lh_batch_f32>?, UnsafePointer<lh_outputs_f32>?,
                                      UnsafeMutablePointer<lh_error>?) -> lh_status)? = nil
}

/// A loss that passed validation, ready to be instantiated.
public struct LoadedLoss: Sendable {
    public let info: LossInfo
    public let pluginID: String
    public package(set) var origin: LossOrigin
    package let entry: LossEntry

    /// The host computes the gradient by finite differences (a scalar loss whose
    /// manifest names no gradient symbol).
    public var numericGradient: Bool {
        if case .scalar(let facts) = origin { return facts.numericGradient }
        return false
    }

    /// The host computes the Hessian by finite differences.
    public var numericHessian: Bool {
        if case .scalar(let facts) = origin { return facts.numericHessian }
        return false
    }

    /// `plugin/loss`.
    public var qualifiedID: String { "\(pluginID)/\(info.id)" }
}

/// A plugin table that passed validation.
public struct LoadedPlugin: Sendable {
    public let id: String
    public let version: String
    public let summary: String
    public let abiMajor: UInt32
    public let abiMinor: UInt32
    /// The file it came from; nil for the losses built into the host.
    public let path: String?
    public let losses: [LoadedLoss]

    package init(id: String, version: String, summary: String, abiMajor: UInt32, abiMinor: UInt32, path: String?,
                 losses: [LoadedLoss]) {
        self.id = id
        self.version = version
        self.summary = summary
        self.abiMajor = abiMajor
        self.abiMinor = abiMinor
        self.path = path
        self.losses = losses
    }
}

/// A plugin file that could not be used, and why.
public struct PluginFailure: Sendable, Error {
    public let path: String
    public let reason: LoadFailure

    public init(path: String, reason: LoadFailure) {
        self.path = path
        self.reason = reason
    }
}
