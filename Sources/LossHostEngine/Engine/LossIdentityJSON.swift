import LossHostABI
import LossHostIO

extension LoadedLoss {
    /// Which loss ran, with what: the fields `eval` and `compare` JSON share.
    /// `params` maps every parameter's name to the value used, defaults filled in.
    public func identityJSON(_ parameters: BoundParameters, dtype: DType) -> [(String, JSON)] {
        let params: [(String, JSON)] = zip(info.parameters, parameters.values).map { p, v in
            switch v {
            case .scalar(let x): (p.name, p.type == .integer || p.type == .boolean ? .int(Int(x)) : .number(x))
            case .list(let xs): (p.name, .numbers(xs))
            }
        }
        return [("loss", .string(info.id)), ("plugin", .string(pluginID)), ("qualified_id", .string(qualifiedID)),
                ("params", .object(params)), ("dtype", .string(dtype.rawValue))]
    }
}
