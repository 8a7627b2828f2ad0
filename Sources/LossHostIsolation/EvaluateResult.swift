import LossHostEngine
import LossHostIO

/// What an evaluation answers (`EvaluateRequest`), for its client to format:
/// the CLI prints it as `eval` always has.
public struct EvaluateResult: Codable, Sendable {
    /// The loss as `eval --format json` names it: loss, plugin, qualified_id, params, dtype.
    public var identity: JSON
    public var qualifiedID: String
    public var lossID: String
    public var pluginID: String
    /// Values are one per row (a row-wise loss), not one per element.
    public var rowwise: Bool
    public var dtype: DType
    /// Rows and pred columns evaluated (for an optimal constant: the target's rows).
    public var rows: Int
    public var columns: Int
    /// The reduced value (mean or sum; for `none`, the sum), and the weighted sum.
    public var value: Double
    public var sum: Double
    /// Per-element or per-row values (reduction `none`), the gradient and the
    /// Hessian diagonal, widened to float64; nil when not asked for or written to `files`.
    public var values: [Double]?
    public var gradient: [Double]?
    public var hessian: [Double]?
    /// What `out` wrote: (what, file), e.g. ("gradient", "p-gradient.npy").
    public var files: [OutputFile]?
    /// How the plugin changed the process's state (the host restored it after every call).
    public var stateChange: String?
    /// For an optimal-constant request: one value per pred column.
    public var optimalConstant: [Double]?

    /// One file an evaluation wrote.
    public struct OutputFile: Codable, Sendable {
        public var what: String
        public var path: String
    }

    /// The arrays' names in a worker's array folder.
    private static let arrayNames = ["values", "gradient", "hessian"]

    /// Moves the arrays into `.npy` files in `folder` (a worker's answer: its reply stays one short line).
    mutating func writeArrays(to folder: String) throws(InputError) {
        for (name, array) in zip(Self.arrayNames, [values, gradient, hessian]) {
            guard let array else { continue }
            try NpyWriter.write(Matrix(rows: array.count, columns: 1, values: array), to: "\(folder)/\(name).npy", asVector: true)
        }
        (values, gradient, hessian) = (nil, nil, nil)
    }

    /// Reads back the arrays `writeArrays` wrote to `folder`, as `asked` says which there are.
    mutating func readArrays(from folder: String, asked request: EvaluateRequest) throws(InputError) {
        let present = [request.reduction == .none, request.gradient, request.hessian]
        var arrays: [[Double]?] = []
        for (name, wanted) in zip(Self.arrayNames, present) {
            arrays.append(wanted ? try MatrixReader.readArray(path: "\(folder)/\(name).npy", allowNonFinite: true).doubles : nil)
        }
        (values, gradient, hessian) = (arrays[0], arrays[1], arrays[2])
    }
}

/// An evaluation that failed: the library's one-line message, and its kind
/// when a client can fix it (the CLI adds its flag, e.g. `--allow-nonfinite`).
public struct EvaluateFailure: Error, Codable, Sendable, CustomStringConvertible {
    public var message: String
    public var kind: FailureKind?

    public init(_ message: String, kind: FailureKind? = nil) {
        self.message = message
        self.kind = kind
    }

    public var description: String { message }
}

/// The last line an evaluation's worker sends, after its progress (`EvalProgress`).
enum EvaluateReply: Codable, Sendable {
    case evaluated(EvaluateResult)
    case failed(EvaluateFailure)

    private enum Key: String, CodingKey { case event, result, error }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        switch try c.decode(String.self, forKey: .event) {
        case "result": self = .evaluated(try c.decode(EvaluateResult.self, forKey: .result))
        case "error": self = .failed(try c.decode(EvaluateFailure.self, forKey: .error))
        case let other: throw DecodingError.dataCorruptedError(forKey: .event, in: c, debugDescription: "not an evaluate reply: \(other)")
        }
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        switch self {
        case .evaluated(let result):
            try c.encode("result", forKey: .event)
            try c.encode(result, forKey: .result)
        case .failed(let failure):
            try c.encode("error", forKey: .event)
            try c.encode(failure, forKey: .error)
        }
    }
}
