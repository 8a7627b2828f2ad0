import CLossHost
#if canImport(Glibc)
import Glibc
#endif

/// The C table (`lh_plugin`) for a set of Swift losses, built once and never
/// freed, so its address stays valid for the life of the process.
///
/// A Swift plugin exports it with one function:
///
///     let table = PluginTable(id: "my_losses", version: "1.0.0", summary: "…",
///                             losses: [.elementwise(Cauchy.self)])
///     @_cdecl("losshost_plugin_entry")
///     public func entry(_ major: UInt32, _ minor: UInt32) -> UnsafePointer<lh_plugin>? {
///         table.entry(hostMajor: major, hostMinor: minor)
///     }
public final class PluginTable: @unchecked Sendable {
    /// The table; valid until the process exits.
    public let pointer: UnsafePointer<lh_plugin>

    public init(id: String, version: String, summary: String, losses: [LossExport]) {
        let list = UnsafeMutablePointer<UnsafePointer<lh_loss>?>.allocate(capacity: max(losses.count, 1))
        for (i, export) in losses.enumerated() {
            list[i] = CTable.makeLoss(export)
        }
        let plugin = UnsafeMutablePointer<lh_plugin>.allocate(capacity: 1)
        plugin.initialize(to: lh_plugin(
            abi_major: UInt32(LOSSHOST_ABI_MAJOR), abi_minor: UInt32(LOSSHOST_ABI_MINOR),
            struct_size: UInt32(MemoryLayout<lh_plugin>.size), loss_count: UInt32(losses.count),
            id: CTable.string(id), version: CTable.string(version), summary: CTable.string(summary),
            losses: UnsafePointer(list)))
        pointer = UnsafePointer(plugin)
    }

    /// What `losshost_plugin_entry` returns: the table, or nil for a host of another major.
    public func entry(hostMajor: UInt32, hostMinor: UInt32) -> UnsafePointer<lh_plugin>? {
        hostMajor == UInt32(LOSSHOST_ABI_MAJOR) ? pointer : nil
    }
}

/// The three C functions every kit loss shares, and the allocation of its
/// `lh_loss`. The export is stored right after the `lh_loss` struct, so the C
/// functions find it from the `loss` pointer they are given.
enum CTable {
    final class ExportBox {
        let export: LossExport
        init(_ export: LossExport) { self.export = export }
    }

    final class InstanceBox {
        let evaluate: LossExport.Evaluator
        let evaluateF32: LossExport.EvaluatorF32?
        let hessian: HessianSupport
        init(_ evaluate: @escaping LossExport.Evaluator, f32: LossExport.EvaluatorF32?, hessian: HessianSupport) {
            self.evaluate = evaluate
            self.evaluateF32 = f32
            self.hessian = hessian
        }
    }

    static func string(_ s: String) -> UnsafePointer<CChar> {
        UnsafePointer(strdup(s)!)
    }

    static let lossStride = (MemoryLayout<lh_loss>.stride + 15) & ~15

    static func makeLoss(_ export: LossExport) -> UnsafePointer<lh_loss> {
        let info = export.info
        let params = UnsafeMutablePointer<lh_param_info>.allocate(capacity: max(info.parameters.count, 1))
        for (i, p) in info.parameters.enumerated() {
            params[i] = lh_param_info(
                struct_size: UInt32(MemoryLayout<lh_param_info>.size), type: p.type.rawValue,
                name: string(p.name), doc: string(p.doc), default_value: p.defaultValue,
                min_value: p.min, max_value: p.max,
                flags: (p.minExclusive ? UInt32(LH_PARAM_MIN_EXCLUSIVE) : 0) | (p.maxExclusive ? UInt32(LH_PARAM_MAX_EXCLUSIVE) : 0),
                reserved: 0)
        }
        let raw = UnsafeMutableRawPointer.allocate(byteCount: lossStride + MemoryLayout<UnsafeRawPointer>.stride, alignment: 16)
        let loss = raw.bindMemory(to: lh_loss.self, capacity: 1)
        var flags: UInt32 = 0
        if info.threadSafe { flags |= UInt32(LH_LOSS_THREAD_SAFE) }
        if info.deterministic { flags |= UInt32(LH_LOSS_DETERMINISTIC) }
        loss.initialize(to: lh_loss(
            struct_size: UInt32(MemoryLayout<lh_loss>.size), flags: flags,
            id: string(info.id), summary: string(info.summary),
            pred_doc: string(info.predDoc), target_doc: string(info.targetDoc),
            kind: info.kind.rawValue, reduce: info.reduce.rawValue, pred_columns: UInt32(info.predColumns),
            target_layout: info.targetLayout.rawValue, hessian: info.hessian.rawValue,
            param_count: UInt32(info.parameters.count), params: info.parameters.isEmpty ? nil : UnsafePointer(params),
            create: create, evaluate: evaluate, destroy: destroy,
            evaluate_f32: export.supportsFloat32 ? evaluateF32 : nil,
            pred_domain: info.predDomain.rawValue, pred_domain_rest: (info.predDomainRest ?? .unspecified).rawValue,
            target_domain: info.targetDomain.rawValue, link: info.link.rawValue,
            curvature: info.curvature.flags, reserved: 0, surrogate_hessian: info.curvature.surrogate ?? 0))
        (raw + lossStride).storeBytes(of: Unmanaged.passRetained(ExportBox(export)).toOpaque(), as: UnsafeMutableRawPointer.self)
        return UnsafePointer(loss)
    }

    static func exportBox(_ loss: UnsafePointer<lh_loss>) -> ExportBox {
        let raw = UnsafeRawPointer(loss) + lossStride
        return Unmanaged<ExportBox>.fromOpaque(raw.load(as: UnsafeRawPointer.self)).takeUnretainedValue()
    }

    /// Writes a failure into the host's error record and returns its status.
    static func report(_ failure: LossFailure, _ error: UnsafeMutablePointer<lh_error>?) -> lh_status {
        if let error {
            if let buffer = error.pointee.message, error.pointee.capacity > 0 {
                var bytes: [UInt8] = []
                for scalar in failure.message.unicodeScalars {  // whole characters only
                    let utf8 = Array(String(scalar).utf8)
                    if bytes.count + utf8.count > Int(error.pointee.capacity) - 1 { break }
                    bytes += utf8
                }
                for (i, byte) in bytes.enumerated() { buffer[i] = CChar(bitPattern: byte) }
                buffer[bytes.count] = 0
            }
            error.pointee.row = Int64(failure.row ?? -1)
            error.pointee.column = Int32(failure.column ?? -1)
            error.pointee.input = failure.input.rawValue
        }
        return failure.status.rawValue
    }

    static let create: @convention(c) (UnsafePointer<lh_loss>?, UnsafePointer<lh_param_value>?, UInt32,
                                       UnsafeMutablePointer<OpaquePointer?>?, UnsafeMutablePointer<lh_error>?) -> lh_status = {
        loss, values, count, out, record in
        guard let loss, let out else {
            return report(LossFailure(.invalidArgument, "create: NULL loss or output pointer"), record)
        }
        let export = exportBox(loss).export
        let declared = export.info.parameters
        guard Int(count) == declared.count, declared.isEmpty || values != nil else {
            return report(LossFailure(.invalidArgument, "create: expected \(declared.count) parameter values, got \(count)"), record)
        }
        var scalars: [String: Double] = [:]
        var lists: [String: [Double]] = [:]
        for (i, p) in declared.enumerated() {
            let stride = max(Int(values!.pointee.struct_size), MemoryLayout<lh_param_value>.size)
            let v = (UnsafeRawPointer(values!) + i * stride).assumingMemoryBound(to: lh_param_value.self).pointee
            if p.type == .list {
                let items = v.list_length == 0 || v.list == nil ? [] : Array(UnsafeBufferPointer(start: v.list, count: Int(v.list_length)))
                var itemRule = p
                itemRule.type = .real
                if let bad = items.first(where: { !itemRule.admits($0) }) {
                    return report(LossFailure(.invalidArgument, "param '\(p.name)': item \(formatNumber(bad)) is outside \(p.rangeDescription)",
                                              input: .parameter, column: i), record)
                }
                lists[p.name] = items
            } else {
                // The host checks ranges first, but a plugin answers a bad value with a status, never a trap.
                guard p.admits(v.scalar) else {
                    return report(LossFailure(.invalidArgument, "param '\(p.name)' = \(formatNumber(v.scalar)) is outside \(p.rangeDescription)",
                                              input: .parameter, column: i), record)
                }
                scalars[p.name] = v.scalar
            }
        }
        do throws(LossFailure) {
            let bound = ParameterValues(scalars: scalars, lists: lists)
            let box: InstanceBox
            if let makeEvaluators = export.makeEvaluators {
                let evaluators = try makeEvaluators(bound)
                box = InstanceBox(evaluators.f64, f32: evaluators.f32, hessian: export.info.hessian)
            } else {
                box = InstanceBox(try export.make(bound), f32: nil, hessian: export.info.hessian)
            }
            out.pointee = OpaquePointer(Unmanaged.passRetained(box).toOpaque())
            return lh_status(LH_OK)
        } catch {
            return report(error, record)
        }
    }

    static let evaluate: @convention(c) (OpaquePointer?, UnsafePointer<lh_batch>?, UnsafePointer<lh_outputs>?,
                                         UnsafeMutablePointer<lh_error>?) -> lh_status = {
        instance, batch, outputs, record in
        guard let instance, let batch, let outputs else {
            return report(LossFailure(.invalidArgument, "evaluate: NULL instance, batch or outputs"), record)
        }
        let box = Unmanaged<InstanceBox>.fromOpaque(UnsafeRawPointer(instance)).takeUnretainedValue()
        let b = batch.pointee, o = outputs.pointee
        if o.hessian != nil && box.hessian == .none {
            return report(LossFailure(.unsupported, "this loss has no Hessian"), record)
        }
        let view = Batch(
            rows: Int(b.rows), predColumns: Int(b.pred_columns), targetColumns: Int(b.target_columns),
            pred: b.pred, target: b.target, weight: b.weight,
            values: o.values, gradient: o.gradient, hessian: o.hessian,
            wantsSum: o.sum != nil)
        do throws(LossFailure) {
            let totals = try box.evaluate(view)
            o.sum?.pointee = totals.sum
            o.normalizer?.pointee = totals.normalizer
            return lh_status(LH_OK)
        } catch {
            return report(error, record)
        }
    }

    static let evaluateF32: @convention(c) (OpaquePointer?, UnsafePointer<lh_batch_f32>?, UnsafePointer<lh_outputs_f32>?,
                                            UnsafeMutablePointer<lh_error>?) -> lh_status = {
        instance, batch, outputs, record in
        guard let instance, let batch, let outputs else {
            return report(LossFailure(.invalidArgument, "evaluate_f32: NULL instance, batch or outputs"), record)
        }
        let box = Unmanaged<InstanceBox>.fromOpaque(UnsafeRawPointer(instance)).takeUnretainedValue()
        let b = batch.pointee, o = outputs.pointee
        if o.hessian != nil && box.hessian == .none {
            return report(LossFailure(.unsupported, "this loss has no Hessian"), record)
        }
        guard let evaluate = box.evaluateF32 else {
            return report(LossFailure(.unsupported, "this loss has no float32 evaluation"), record)
        }
        let view = BatchF32(
            rows: Int(b.rows), predColumns: Int(b.pred_columns), targetColumns: Int(b.target_columns),
            pred: b.pred, target: b.target, weight: b.weight,
            values: o.values, gradient: o.gradient, hessian: o.hessian,
            wantsSum: o.sum != nil)
        do throws(LossFailure) {
            let totals = try evaluate(view)
            o.sum?.pointee = totals.sum
            o.normalizer?.pointee = totals.normalizer
            return lh_status(LH_OK)
        } catch {
            return report(error, record)
        }
    }

    static let destroy: @convention(c) (OpaquePointer?) -> Void = { instance in
        guard let instance else { return }
        Unmanaged<InstanceBox>.fromOpaque(UnsafeRawPointer(instance)).release()
    }
}
