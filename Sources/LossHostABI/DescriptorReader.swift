import CLossHost
import LossModel

/// Reads and validates a plugin's `lh_plugin` table. Every rule of the header
/// that the host can check is checked here; anything off is an
/// `invalidDescriptor` naming the loss and field.
package enum DescriptorReader {
    package static let maxLosses = 4096
    static let maxParams = 256
    package static let maxIDLength = 63
    static let maxTextLength = 4096
    /// sizeof(lh_loss) in ABI 1.0: everything before `evaluate_f32`.
    static let lossSizeV1_0 = MemoryLayout<lh_loss>.offset(of: \lh_loss.evaluate_f32)!
    /// The size up to and including `evaluate_f32` (ABI 1.1).
    static let lossSizeV1_1 = lossSizeV1_0 + MemoryLayout<UnsafeRawPointer>.size
    /// The size up to and including `surrogate_hessian` (ABI 1.2).
    static let lossSizeV1_2 = MemoryLayout<lh_loss>.offset(of: \lh_loss.surrogate_hessian)! + MemoryLayout<Double>.size

    package static func read(_ plugin: UnsafePointer<lh_plugin>, path: String?, origin: LossOrigin) throws(LoadFailure) -> LoadedPlugin {
        let p = plugin.pointee
        // A pointer to freed or stack memory reads as garbage: no real ABI is numbered like that.
        if p.abi_major > HostABI.major + 100 || p.abi_minor > 10_000 {
            throw .invalidDescriptor("the entry point returned an invalid table (ABI version \(p.abi_major).\(p.abi_minor) is implausible; a pointer to freed or stack memory?)")
        }
        if p.abi_major > HostABI.major { throw .abiTooNew(major: p.abi_major, minor: p.abi_minor) }
        if p.abi_major < HostABI.major { throw .abiTooOld(major: p.abi_major, minor: p.abi_minor) }
        guard p.struct_size >= UInt32(MemoryLayout<lh_plugin>.size) else {
            throw .invalidDescriptor("lh_plugin.struct_size \(p.struct_size) is smaller than \(MemoryLayout<lh_plugin>.size)")
        }
        let id = try identifier(p.id, "plugin id")
        let version = try text(p.version, "plugin version")
        let summary = try text(p.summary, "plugin summary")
        guard p.loss_count <= maxLosses else { throw .invalidDescriptor("loss_count \(p.loss_count) is over \(maxLosses)") }
        guard p.loss_count > 0 else { throw .invalidDescriptor("the plugin declares no losses") }
        guard let list = p.losses else { throw .invalidDescriptor("losses is NULL") }
        var losses: [LoadedLoss] = []
        var seen = Set<String>()
        for i in 0..<Int(p.loss_count) {
            guard let loss = list[i] else { throw .invalidDescriptor("losses[\(i)] is NULL") }
            let loaded = try readLoss(loss, index: i, pluginID: id, origin: origin)
            guard seen.insert(loaded.info.id).inserted else {
                throw .invalidDescriptor("duplicate loss id '\(loaded.info.id)'")
            }
            losses.append(loaded)
        }
        return LoadedPlugin(id: id, version: version, summary: summary, abiMajor: p.abi_major,
                            abiMinor: p.abi_minor, path: path, losses: losses)
    }

    private static func readLoss(_ loss: UnsafePointer<lh_loss>, index: Int, pluginID: String,
                                 origin: LossOrigin) throws(LoadFailure) -> LoadedLoss {
        // Copy only the bytes the plugin declares: a 1.0 table ends before the 1.1 fields,
        // which then stay zero (NULL).
        let declared = Int(UnsafeRawPointer(loss).load(as: UInt32.self))
        guard declared >= lossSizeV1_0 else {
            throw .invalidDescriptor("losses[\(index)].struct_size \(declared) is smaller than \(lossSizeV1_0)")
        }
        var l = lh_loss()
        withUnsafeMutableBytes(of: &l) { target in
            target.copyMemory(from: UnsafeRawBufferPointer(start: UnsafeRawPointer(loss), count: min(declared, target.count)))
        }
        let id = try identifier(l.id, "losses[\(index)].id")
        let at = "loss '\(id)'"
        let kind = LossKind(abiValue: l.kind)
        guard let reduce = Reduce(rawValue: l.reduce) else { throw .invalidDescriptor("\(at): unknown reduce \(l.reduce)") }
        guard let layout = TargetLayout(rawValue: l.target_layout) else {
            throw .invalidDescriptor("\(at): unknown target_layout \(l.target_layout)")
        }
        let hessian = HessianSupport(rawValue: l.hessian) ?? .none
        guard let create = l.create else { throw .invalidDescriptor("\(at): create is NULL") }
        guard let evaluate = l.evaluate else { throw .invalidDescriptor("\(at): evaluate is NULL") }
        guard let destroy = l.destroy else { throw .invalidDescriptor("\(at): destroy is NULL") }
        if (layout == .classIndex || layout == .indexOrSameShape) && reduce != .rowwise {
            throw .invalidDescriptor("\(at): class-index targets need a row loss")
        }
        var info = LossInfo(
            id: id, summary: try text(l.summary, "\(at) summary", required: true), kind: kind, reduce: reduce,
            predDoc: try text(l.pred_doc, "\(at) pred_doc"), targetDoc: try text(l.target_doc, "\(at) target_doc"),
            predColumns: Int(l.pred_columns), targetLayout: layout, hessian: hessian,
            threadSafe: l.flags & UInt32(LH_LOSS_THREAD_SAFE) != 0,
            deterministic: l.flags & UInt32(LH_LOSS_DETERMINISTIC) != 0,
            parameters: try readParameters(l.params, count: l.param_count, at: at))
        if declared >= lossSizeV1_2 {
            info.predDomain = DeclaredDomain(abiValue: l.pred_domain)
            info.predDomainRest = l.pred_domain_rest == 0 ? nil : DeclaredDomain(abiValue: l.pred_domain_rest)
            info.targetDomain = DeclaredDomain(abiValue: l.target_domain)
            info.link = InverseLink(abiValue: l.link)
            info.curvature = Curvature(flags: l.curvature, surrogate: l.surrogate_hessian)
        }
        return LoadedLoss(info: info, pluginID: pluginID, origin: origin,
                          entry: LossEntry(table: loss, create: create, evaluate: evaluate, destroy: destroy,
                                           evaluateF32: declared >= lossSizeV1_1 ? l.evaluate_f32 : nil))
    }

    private static func readParameters(_ params: UnsafePointer<lh_param_info>?, count: UInt32, at: String) throws(LoadFailure) -> [ParameterInfo] {
        guard count > 0 else { return [] }
        guard count <= maxParams else { throw .invalidDescriptor("\(at): param_count \(count) is over \(maxParams)") }
        guard let params else { throw .invalidDescriptor("\(at): params is NULL but param_count is \(count)") }
        let stride = Int(params.pointee.struct_size)
        guard stride >= MemoryLayout<lh_param_info>.size, stride % MemoryLayout<Double>.alignment == 0 else {
            throw .invalidDescriptor("\(at): params[0].struct_size \(stride) is invalid")
        }
        var result: [ParameterInfo] = []
        var names = Set<String>()
        for i in 0..<Int(count) {
            let p = (UnsafeRawPointer(params) + i * stride).assumingMemoryBound(to: lh_param_info.self).pointee
            let name = try identifier(p.name, "\(at) params[\(i)].name")
            let where_ = "\(at) param '\(name)'"
            guard names.insert(name).inserted else { throw .invalidDescriptor("\(where_): declared twice") }
            guard let type = ParameterType(rawValue: p.type) else { throw .invalidDescriptor("\(where_): unknown type \(p.type)") }
            let info = ParameterInfo(
                name, try text(p.doc, "\(where_) doc"), type: type, default: p.default_value,
                min: p.min_value, max: p.max_value,
                minExclusive: p.flags & UInt32(LH_PARAM_MIN_EXCLUSIVE) != 0,
                maxExclusive: p.flags & UInt32(LH_PARAM_MAX_EXCLUSIVE) != 0)
            guard p.min_value.isFinite, p.max_value.isFinite, p.default_value.isFinite else {
                throw .invalidDescriptor("\(where_): min, max and default must be finite")
            }
            guard p.min_value <= p.max_value else {
                throw .invalidDescriptor("\(where_): min \(formatNumber(p.min_value)) > max \(formatNumber(p.max_value))")
            }
            if type != .list && !info.admits(p.default_value) {
                throw .invalidDescriptor("\(where_): default \(formatNumber(p.default_value)) is outside \(info.rangeDescription)")
            }
            result.append(info)
        }
        return result
    }

    /// A NUL-terminated UTF-8 string of bounded length.
    private static func text(_ pointer: UnsafePointer<CChar>?, _ what: String, required: Bool = false,
                             limit: Int = maxTextLength) throws(LoadFailure) -> String {
        guard let pointer else {
            if required { throw .invalidDescriptor("\(what) is NULL") }
            return ""
        }
        var length = 0
        while pointer[length] != 0 {
            length += 1
            if length > limit { throw .invalidDescriptor("\(what) is longer than \(limit) bytes") }
        }
        let bytes = UnsafeRawBufferPointer(start: pointer, count: length)
        guard let string = String(validating: bytes, as: UTF8.self) else {
            throw .invalidDescriptor("\(what) is not valid UTF-8")
        }
        // Shown by list and info: no control character may reach a terminal or forge a line.
        if let bad = string.unicodeScalars.firstIndex(where: Printable.isControl) {
            let scalar = string.unicodeScalars[bad]
            let hex = String(scalar.value, radix: 16, uppercase: true)
            let offset = string.utf8.distance(from: string.utf8.startIndex, to: bad.samePosition(in: string.utf8) ?? string.utf8.startIndex)
            throw .invalidDescriptor("\(what) contains the control character U+\(String(repeating: "0", count: max(0, 4 - hex.count)))\(hex) at byte \(offset)")
        }
        if required && string.isEmpty { throw .invalidDescriptor("\(what) is empty") }
        return string
    }

    /// An id: `[a-z][a-z0-9_]*`, at most 63 bytes.
    private static func identifier(_ pointer: UnsafePointer<CChar>?, _ what: String) throws(LoadFailure) -> String {
        let id = try text(pointer, what, required: true, limit: maxIDLength)
        guard isIdentifier(id) else { throw .invalidDescriptor("\(what) '\(id)' is not [a-z][a-z0-9_]*") }
        return id
    }

    package static func isIdentifier(_ s: String) -> Bool {
        guard let first = s.utf8.first, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first) else { return false }
        return s.utf8.allSatisfy { c in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(c) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c)
                || c == UInt8(ascii: "_")
        }
    }
}
