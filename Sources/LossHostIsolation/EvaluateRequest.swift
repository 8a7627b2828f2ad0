import LossHostABI
import LossHostEngine
import LossHostIO

/// Evaluates one loss on input files, as `losshost eval` does: in a worker
/// (`IsolatedEval`), which answers with an `EvaluateReply`, or in the caller's
/// process (`evaluate(in:)`). Either way the caller gets an `EvaluateResult` to format.
public struct EvaluateRequest: WorkerRequest {
    public static let kind = "evaluate"
    /// Search path, formats, threads, the time limits of an isolated evaluation (`evalTimeout`, `callTimeout`), ….
    public var configuration: HostConfiguration
    /// A bare loss id when it is unique, or plugin/loss.
    public var loss: String
    /// The parameters as given: NAME=VALUE, a list as NAME=1,2,0.5.
    public var parameters: [String]
    public var inputs: EvaluationInputs
    public var reduction: Reduction
    public var gradient: Bool
    public var hessian: Bool
    /// The element type to evaluate in; nil: pred's.
    public var dtype: DType?
    public var allowNonFinite: Bool
    /// Write the per-element outputs as `.npy` here (see `OutputFiles`) instead of answering them.
    public var out: String?
    /// Instead of evaluating pred: the constant prediction that minimises the loss on
    /// the targets, with this many pred columns (nil: `OptimalConstant.defaultPredColumns`).
    public var optimalConstant: OptimalConstantQuery?
    /// In a worker: the folder its answer's arrays are written to (see `EvaluateResult.writeArrays`).
    var arrayFolder: String?

    /// `eval --optimal-constant`, and its `--pred-columns`.
    public struct OptimalConstantQuery: Codable, Sendable {
        public var predColumns: Int?
        public init(predColumns: Int?) { self.predColumns = predColumns }
    }

    public init(configuration: HostConfiguration, loss: String, parameters: [String], inputs: EvaluationInputs,
                reduction: Reduction, gradient: Bool, hessian: Bool, dtype: DType?, allowNonFinite: Bool, out: String?,
                optimalConstant: OptimalConstantQuery?) {
        self.configuration = configuration
        self.loss = loss
        self.parameters = parameters
        self.inputs = inputs
        self.reduction = reduction
        self.gradient = gradient
        self.hessian = hessian
        self.dtype = dtype
        self.allowNonFinite = allowNonFinite
        self.out = out
        self.optimalConstant = optimalConstant
    }

    /// Whether an input is read from standard input (`-`).
    public var readsStandardInput: Bool {
        [inputs.pred, inputs.target, inputs.data, inputs.weight].contains("-")
    }

    /// What `out` writes: the values (reduction `none`), the gradient, the Hessian.
    public var wantedOutputs: [String] {
        (reduction == .none ? ["values"] : []) + (gradient ? ["gradient"] : []) + (hessian ? ["hessian"] : [])
    }

    /// Evaluates in this process, the loss found in `registry`. Every failure is one line;
    /// those of the evaluation itself name the file, row and column of the cell at fault.
    public func evaluate(in registry: LossRegistry) throws(EvaluateFailure) -> EvaluateResult {
        do {
            // Where `out` writes is fixed now, before plugin code can change the directory or umask.
            let output = try out.map { path throws(InputError) in try OutputFiles(path, wanted: wantedOutputs) }
            let found = try registry.resolve(loss)
            let bound = try BoundParameters.bind(parameters, to: found.info)
            if let optimalConstant { return try constant(found, bound, predColumns: optimalConstant.predColumns) }
            // Non-finite values are the engine's to refuse (as for the C host API): the readers take them.
            let read = try inputs.read(allowNonFinite: true)
            let weightMatrix = try inputs.weight.map { path throws(InputError) in try MatrixReader.readWeights(path: path, allowNonFinite: true) }
            let weights = weightMatrix?.values
            let instance = try LossInstance(found, parameters: bound)
            let options = EvaluationOptions(reduction: reduction, gradient: gradient, hessian: hessian, threads: configuration.threads,
                                            dtype: dtype, allowNonFinite: allowNonFinite)
            var evaluation: Evaluation
            do {
                evaluation = try Evaluator.evaluate(instance, pred: read.pred, target: read.target, weight: weights, options: options)
            } catch {
                // Weights that are all 0 make the mean undefined: the weight file is what to fix.
                if let weight = inputs.weight, error.input != .weight, reduction == .mean, weights?.allSatisfy({ $0 == 0 }) == true {
                    throw EvaluateFailure("\(weight): \(error.message)", kind: error.kind)
                }
                throw EvaluateFailure(locate(error, read, weightFirstLine: weightMatrix?.firstLine ?? 1), kind: error.kind)
            }
            let rowwise = found.info.reduce == .rowwise
            var result = EvaluateResult(
                identity: .object(found.identityJSON(bound, dtype: evaluation.dtype)), qualifiedID: found.qualifiedID,
                lossID: found.info.id, pluginID: found.pluginID, rowwise: rowwise, dtype: evaluation.dtype,
                rows: evaluation.rows, columns: evaluation.columns, value: evaluation.value, sum: evaluation.sum,
                stateChange: instance.stateLog.take())
            if let output {
                result.files = try output.write(evaluation, perRowValues: rowwise).map { .init(what: $0.0, path: $0.1) }
            } else {
                evaluation.widenFloat32()
                (result.values, result.gradient, result.hessian) = (evaluation.values, evaluation.gradient, evaluation.hessian)
            }
            return result
        } catch let failure as EvaluateFailure {
            throw failure
        } catch {
            throw EvaluateFailure("\(error)")
        }
    }

    /// The best constant prediction for the targets (and weights).
    private func constant(_ found: LoadedLoss, _ bound: BoundParameters, predColumns: Int?) throws -> EvaluateResult {
        guard let target = inputs.target else { throw EvaluateFailure("--optimal-constant needs --target FILE") }
        let targetArray = try MatrixReader.readArray(path: target, allowNonFinite: true)
        let weightMatrix = try inputs.weight.map { path throws(InputError) in try MatrixReader.readWeights(path: path, allowNonFinite: true) }
        let columns = predColumns ?? OptimalConstant.defaultPredColumns(found.info, target: targetArray)
        let instance = try LossInstance(found, parameters: bound)
        let constant: [Double]
        do {
            constant = try OptimalConstant.find(instance, predColumns: columns, target: targetArray, weight: weightMatrix?.values,
                                                threads: configuration.threads, allowNonFinite: allowNonFinite)
        } catch {
            throw EvaluateFailure(locateTarget(error, target: target, firstLine: targetArray.firstLine,
                                               weightFirstLine: weightMatrix?.firstLine ?? 1), kind: error.kind)
        }
        return EvaluateResult(
            identity: .object(found.identityJSON(bound, dtype: .f64)), qualifiedID: found.qualifiedID, lossID: found.info.id,
            pluginID: found.pluginID, rowwise: found.info.reduce == .rowwise, dtype: .f64, rows: targetArray.rows, columns: columns,
            value: 0, sum: 0, stateChange: instance.stateLog.take(), optimalConstant: constant)
    }

    /// Prefixes an engine error with the file and the row and column a person
    /// sees in it (a header row counts as a line).
    private func locate(_ error: EvaluationError, _ read: EvaluationInputs.Read, weightFirstLine: Int) -> String {
        if error.input == .weight, let weight = inputs.weight {
            guard let row = error.row else { return "\(weight): \(error.message)" }
            let column = error.column.map { ", column \($0 + 1)" } ?? ""
            return "\(weight): row \(row + weightFirstLine)\(column): \(error.message)"
        }
        guard let at = read.locate(error.input, row: error.row, column: error.column) else { return error.message }
        return "\(at): \(error.message)"
    }

    /// As `locate`, for an optimal constant, which reads only targets (and weights).
    private func locateTarget(_ error: EvaluationError, target: String, firstLine: Int, weightFirstLine: Int) -> String {
        let (file, first) = error.input == .weight ? (inputs.weight ?? target, weightFirstLine) : (target, firstLine)
        guard error.input == .target || error.input == .weight else { return error.message }
        guard let row = error.row else { return "\(file): \(error.message)" }
        return "\(file): row \(row + first)\(error.column.map { ", column \($0 + 1)" } ?? ""): \(error.message)"
    }

    /// Runs the evaluation in this process (the worker), reporting its plugin calls
    /// (`EvalProgress`) and then its reply on `channel`.
    public func serve(on channel: WorkerChannel) {
        if readsStandardInput { WorkerRequestCoding.takeForwardedStandardInput() }
        let progress = EvalProgressReporter(channel: channel)
        let reply: EvaluateReply
        do throws(EvaluateFailure) {
            var result = try evaluate(in: LossRegistry.discover(configuration, lazily: true))
            if let arrayFolder {
                do { try result.writeArrays(to: arrayFolder) } catch { throw EvaluateFailure(error.message) }
            }
            reply = .evaluated(result)
        } catch {
            reply = .failed(error)
        }
        progress.finish()
        channel.send(reply)
    }
}

/// A reduction travels in a request by name.
extension Reduction: Codable {}
