import CLossHost
import LossKit
import StandardLosses

/// A parameter value for `CLoss.create`: a number or a list of numbers.
enum ParamValue: Sendable, ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral, ExpressibleByArrayLiteral {
    case scalar(Double)
    case list([Double])

    init(floatLiteral value: Double) { self = .scalar(value) }
    init(integerLiteral value: Int) { self = .scalar(Double(value)) }
    init(arrayLiteral elements: Double...) { self = .list(elements) }
}

/// A failed C call: its status and what it wrote into the error record.
struct CFailure: Error, CustomStringConvertible {
    var status: lh_status
    var message: String
    var row: Int64
    var column: Int32
    var input: Int32
    var description: String { "status \(status) (row \(row), column \(column), input \(input)): \(message)" }
}

/// What one `evaluate` call wrote. Arrays are empty for outputs not asked for.
struct CResult {
    var values: [Double] = []
    var sum = Double.nan
    var normalizer = Double.nan
    var gradient: [Double] = []
    var hessian: [Double] = []
}

/// Which outputs to ask `evaluate` for (the others are passed as NULL).
struct Wanted: OptionSet {
    let rawValue: Int
    static let values = Wanted(rawValue: 1)
    static let sum = Wanted(rawValue: 2)
    static let normalizer = Wanted(rawValue: 4)
    static let gradient = Wanted(rawValue: 8)
    static let hessian = Wanted(rawValue: 16)
    static let all: Wanted = [.values, .sum, .normalizer, .gradient, .hessian]
}

/// One loss of the standard plugin, reached only through its C table, exactly as
/// a host sees it.
struct CLoss {
    let loss: UnsafePointer<lh_loss>

    /// The ids of every loss in the table, in table order.
    static var ids: [String] {
        let plugin = StandardPlugin.table.pointer.pointee
        return (0..<Int(plugin.loss_count)).map { String(cString: plugin.losses[$0]!.pointee.id) }
    }

    init(_ id: String) {
        let plugin = StandardPlugin.table.pointer.pointee
        let match = (0..<Int(plugin.loss_count)).lazy.map { plugin.losses[$0]! }
            .first { String(cString: $0.pointee.id) == id }
        precondition(match != nil, "no loss \(id) in the standard table")
        loss = match!
    }

    /// A loss of another table.
    init(_ loss: UnsafePointer<lh_loss>) {
        self.loss = loss
    }

    var params: [lh_param_info] {
        (0..<Int(loss.pointee.param_count)).map { loss.pointee.params[$0] }
    }

    var reduce: Int32 { loss.pointee.reduce }

    /// create → evaluate → destroy. `params` names any subset of the declared
    /// parameters; the others take their defaults. pred is N×D, target N×T.
    func evaluate(params given: [String: ParamValue] = [:], pred: [[Double]], target: [[Double]],
                  weight: [Double]? = nil, wanted: Wanted = .all,
                  predColumns: Int? = nil, targetColumns: Int? = nil) -> Result<CResult, CFailure> {
        let instance: OpaquePointer
        switch create(given) {
        case .success(let made): instance = made
        case .failure(let failure): return .failure(failure)
        }
        defer { loss.pointee.destroy(instance) }

        let rows = pred.count
        let d = predColumns ?? pred.first?.count ?? 1
        let t = targetColumns ?? target.first?.count ?? 1
        let flatPred = pred.flatMap { $0 }, flatTarget = target.flatMap { $0 }
        precondition(flatPred.count == rows * d && flatTarget.count == rows * t && (weight?.count ?? rows) == rows)
        let valueCount = reduce == LH_ROWWISE ? rows : rows * d

        var result = CResult()
        var values = [Double](repeating: .nan, count: valueCount)
        var gradient = [Double](repeating: .nan, count: rows * d)
        var hessian = [Double](repeating: .nan, count: rows * d)
        var sum = Double.nan, normalizer = Double.nan
        let status = withErrorRecord { error in
            flatPred.withUnsafeBufferPointer { p in
                flatTarget.withUnsafeBufferPointer { y in
                    (weight ?? []).withUnsafeBufferPointer { w in
                        values.withUnsafeMutableBufferPointer { v in
                            gradient.withUnsafeMutableBufferPointer { g in
                                hessian.withUnsafeMutableBufferPointer { h in
                                    withUnsafeMutablePointer(to: &sum) { s in
                                        withUnsafeMutablePointer(to: &normalizer) { n in
                                            var batch = lh_batch(
                                                struct_size: UInt32(MemoryLayout<lh_batch>.size),
                                                pred_columns: UInt32(d), target_columns: UInt32(t), reserved: 0,
                                                rows: UInt64(rows), pred: p.baseAddress, target: y.baseAddress,
                                                weight: weight == nil ? nil : w.baseAddress)
                                            var outputs = lh_outputs(
                                                struct_size: UInt32(MemoryLayout<lh_outputs>.size), reserved: 0,
                                                values: wanted.contains(.values) ? v.baseAddress : nil,
                                                sum: wanted.contains(.sum) ? s : nil,
                                                normalizer: wanted.contains(.normalizer) ? n : nil,
                                                gradient: wanted.contains(.gradient) ? g.baseAddress : nil,
                                                hessian: wanted.contains(.hessian) ? h.baseAddress : nil)
                                            return loss.pointee.evaluate(instance, &batch, &outputs, error)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        if case .failure(let failure) = status { return .failure(failure) }
        if wanted.contains(.values) { result.values = values }
        if wanted.contains(.sum) { result.sum = sum }
        if wanted.contains(.normalizer) { result.normalizer = normalizer }
        if wanted.contains(.gradient) { result.gradient = gradient }
        if wanted.contains(.hessian) { result.hessian = hessian }
        return .success(result)
    }

    /// Calls create with one value per declared parameter, in declaration order.
    func create(_ given: [String: ParamValue]) -> Result<OpaquePointer, CFailure> {
        let declared = params
        let names = Set(declared.map { String(cString: $0.name) })
        precondition(given.keys.allSatisfy(names.contains), "unknown parameter in \(given.keys.sorted())")
        var lists: [UnsafeMutableBufferPointer<Double>] = []
        defer { lists.forEach { $0.deallocate() } }
        let values: [lh_param_value] = declared.map { info in
            var value = lh_param_value(struct_size: UInt32(MemoryLayout<lh_param_value>.size), reserved: 0,
                                       scalar: info.default_value, list: nil, list_length: 0)
            switch given[String(cString: info.name)] {
            case .scalar(let x)?: value.scalar = x
            case .list(let items)?:
                let buffer = UnsafeMutableBufferPointer<Double>.allocate(capacity: max(items.count, 1))
                _ = buffer.initialize(from: items)
                lists.append(buffer)
                value.list = UnsafePointer(buffer.baseAddress)
                value.list_length = UInt64(items.count)
            case nil: break
            }
            return value
        }
        var instance: OpaquePointer?
        let status = withErrorRecord { error in
            values.withUnsafeBufferPointer { v in
                loss.pointee.create(loss, v.baseAddress, UInt32(v.count), &instance, error)
            }
        }
        switch status {
        case .success: return .success(instance!)
        case .failure(let failure): return .failure(failure)
        }
    }

    /// Runs `body` with a fresh host-style error record and reads it back on failure.
    private func withErrorRecord(_ body: (UnsafeMutablePointer<lh_error>) -> lh_status) -> Result<Void, CFailure> {
        var buffer = [CChar](repeating: 0, count: 512)
        return buffer.withUnsafeMutableBufferPointer { message in
            var error = lh_error(struct_size: UInt32(MemoryLayout<lh_error>.size), capacity: UInt32(message.count),
                                 message: message.baseAddress, row: -1, column: -1, input: Int32(LH_INPUT_NONE))
            let status = body(&error)
            guard status == LH_OK else {
                return .failure(CFailure(status: status, message: String(cString: message.baseAddress!),
                                         row: error.row, column: error.column, input: error.input))
            }
            return .success(())
        }
    }
}
