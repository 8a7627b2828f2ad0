import Foundation
import LossHostABI
import LossModel

/// A manifest error: the 1-based line of the offending key or value, and one line of text.
struct ManifestError: Error, Sendable {
    let line: Int
    let message: String
}

/// A `*.losshost.json` manifest, read and checked, with every library opened
/// and every symbol resolved. The format is documented in docs/SCALAR.md and
/// docs/scalar-manifest.schema.json.
struct ScalarManifest {
    /// One loss: its metadata and its prepared C function.
    struct Loss {
        let info: LossInfo
        let function: ScalarFunction
        let numericGradient: Bool
        let numericHessian: Bool
    }

    static let formatVersion = 1

    let pluginID: String
    let version: String
    let summary: String
    let losses: [Loss]

    /// Reads the manifest at `path` (absolute). Throws the first problem found.
    static func read(_ path: String) throws(ManifestError) -> ScalarManifest {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ManifestError(line: 1, message: "cannot read the manifest")
        }
        let root: ManifestJSON.Node
        do {
            root = try ManifestJSON.parse(Array(data))
        } catch {
            throw ManifestError(line: error.line, message: "invalid JSON: \(error.message)")
        }
        let folder = (path as NSString).deletingLastPathComponent
        var reader = Reader(folder: folder)
        return try reader.manifest(root)
    }

    /// `double *pred` → (`double*`, `pred`).
    static func splitDeclaration(_ text: String) -> (type: String, name: String) { Reader.splitDeclaration(text) }

    /// The canonical paths of the libraries a manifest names, without opening
    /// them; empty when the manifest cannot be read.
    static func libraryPaths(_ path: String) -> [String] {
        guard let data = FileManager.default.contents(atPath: path),
              let root = try? ManifestJSON.parse(Array(data)), case .object(let top) = root.value else { return [] }
        var names: [String] = []
        for m in top where m.key == "library" { if case .string(let s) = m.value.value { names.append(s) } }
        for m in top where m.key == "losses" {
            guard case .array(let losses) = m.value.value else { continue }
            for loss in losses {
                guard case .object(let fields) = loss.value else { continue }
                for f in fields where f.key == "library" { if case .string(let s) = f.value.value { names.append(s) } }
            }
        }
        let folder = (path as NSString).deletingLastPathComponent
        return names.filter { !$0.isEmpty }.map { PluginLoader.canonicalPath($0.hasPrefix("/") ? $0 : folder + "/" + $0) }
    }

    /// Walks the JSON tree; keeps the libraries opened so far.
    private struct Reader {
        let folder: String
        var libraries: [String: DynamicLibrary] = [:]

        init(folder: String) { self.folder = folder }

        typealias Node = ManifestJSON.Node

        /// An object's members by key, refusing keys outside `allowed`.
        func object(_ node: Node, _ what: String, allowed: [String]) throws(ManifestError) -> [String: ManifestJSON.Member] {
            guard case .object(let members) = node.value else {
                throw ManifestError(line: node.line, message: "\(what) must be an object, found \(node.kindName)")
            }
            var byKey: [String: ManifestJSON.Member] = [:]
            for m in members {
                guard allowed.contains(m.key) else {
                    throw ManifestError(line: m.keyLine, message: "unknown key '\(m.key)' in \(what) (allowed: \(allowed.filter { $0 != "$schema" }.joined(separator: ", ")))")
                }
                byKey[m.key] = m
            }
            return byKey
        }

        func required(_ members: [String: ManifestJSON.Member], _ key: String, in what: String, line: Int) throws(ManifestError) -> ManifestJSON.Member {
            guard let m = members[key] else { throw ManifestError(line: line, message: "\(what) has no \"\(key)\"") }
            return m
        }

        func string(_ m: ManifestJSON.Member) throws(ManifestError) -> String {
            guard case .string(let s) = m.value.value else {
                throw ManifestError(line: m.value.line, message: "\"\(m.key)\" must be a string, found \(m.value.kindName)")
            }
            return s
        }

        func number(_ m: ManifestJSON.Member) throws(ManifestError) -> Double {
            guard case .number(let x) = m.value.value else {
                throw ManifestError(line: m.value.line, message: "\"\(m.key)\" must be a number, found \(m.value.kindName)")
            }
            return x
        }

        func bool(_ m: ManifestJSON.Member) throws(ManifestError) -> Bool {
            guard case .bool(let b) = m.value.value else {
                throw ManifestError(line: m.value.line, message: "\"\(m.key)\" must be true or false, found \(m.value.kindName)")
            }
            return b
        }

        func identifier(_ m: ManifestJSON.Member) throws(ManifestError) -> String {
            let s = try string(m)
            guard DescriptorReader.isIdentifier(s), s.utf8.count <= DescriptorReader.maxIDLength else {
                throw ManifestError(line: m.value.line, message: "\"\(m.key)\" '\(s)' is not an id ([a-z][a-z0-9_]*, at most 63 bytes)")
            }
            return s
        }

        mutating func manifest(_ root: Node) throws(ManifestError) -> ScalarManifest {
            let top = try object(root, "the manifest", allowed: ["$schema", "manifest_version", "plugin", "version", "summary", "library", "losses"])
            let versionMember = try required(top, "manifest_version", in: "the manifest", line: root.line)
            let format = try number(versionMember)
            guard format == Double(ScalarManifest.formatVersion) else {
                throw ManifestError(line: versionMember.value.line,
                                    message: "manifest_version \(formatNumber(format)) is not supported (this host reads version \(ScalarManifest.formatVersion))")
            }
            let pluginID = try identifier(try required(top, "plugin", in: "the manifest", line: root.line))
            let version = try top["version"].map { m throws(ManifestError) in try string(m) } ?? "0"
            let summary = try string(try required(top, "summary", in: "the manifest", line: root.line))
            let lossesMember = try required(top, "losses", in: "the manifest", line: root.line)
            guard case .array(let items) = lossesMember.value.value, !items.isEmpty else {
                throw ManifestError(line: lossesMember.value.line, message: "\"losses\" must be a non-empty list")
            }
            var losses: [Loss] = []
            var ids = Set<String>()
            for item in items {
                let loss = try self.loss(item, defaultLibrary: top["library"])
                guard ids.insert(loss.info.id).inserted else {
                    throw ManifestError(line: item.line, message: "loss id '\(loss.info.id)' is declared twice")
                }
                losses.append(loss)
            }
            return ScalarManifest(pluginID: pluginID, version: version, summary: summary, losses: losses)
        }

        static let lossKeys = ["id", "summary", "kind", "pred_doc", "target_doc", "library", "returns", "args",
                               "value", "gradient", "hessian", "params", "thread_safe", "deterministic",
                               "pred_domain", "target_domain", "link", "curvature"]
        static let curvatureKeys = ["convex", "constant", "piecewise_linear", "surrogate"]
        static let paramKeys = ["default", "min", "max", "min_exclusive", "max_exclusive", "doc"]

        mutating func loss(_ node: Node, defaultLibrary: ManifestJSON.Member?) throws(ManifestError) -> Loss {
            let m = try object(node, "a loss", allowed: Self.lossKeys)
            let id = try identifier(try required(m, "id", in: "a loss", line: node.line))
            let at = "loss '\(id)'"
            var summary = try string(try required(m, "summary", in: at, line: node.line))
            let kindName = try m["kind"].map { k throws(ManifestError) in try string(k) } ?? "regression"
            guard let kind = LossKind.allCases.first(where: { $0.description == kindName }) else {
                throw ManifestError(line: m["kind"]!.value.line,
                                    message: "unknown kind '\(kindName)' (one of \(LossKind.allCases.map(\.description).joined(separator: ", ")))")
            }
            let predDoc = try m["pred_doc"].map { k throws(ManifestError) in try string(k) } ?? "prediction"
            let targetDoc = try m["target_doc"].map { k throws(ManifestError) in try string(k) } ?? "target"
            let threadSafe = try m["thread_safe"].map { k throws(ManifestError) in try bool(k) } ?? true
            let deterministic = try m["deterministic"].map { k throws(ManifestError) in try bool(k) } ?? true
            let predDomain = try domain(m["pred_domain"])
            let targetDomain = try domain(m["target_domain"])
            var link = InverseLink.identity
            if let l = m["link"] {
                let name = try string(l)
                guard let known = InverseLink(name: name) else {
                    throw ManifestError(line: l.value.line, message: "unknown link '\(name)' (one of \(InverseLink.allCases.map(\.description).joined(separator: ", ")))")
                }
                link = known
            }
            let curvature = try m["curvature"].map { c throws(ManifestError) in try self.curvature(c) } ?? .unknown

            var returns = ScalarCType.double
            if let r = m["returns"] {
                let spelling = try string(r)
                guard let t = ScalarCType(spelling: Self.normalizedType(spelling)) else {
                    throw ManifestError(line: r.value.line, message: "unknown C type '\(Self.normalizedType(spelling))' (use double, float, int32 or int64)")
                }
                guard t.isFloatingPoint else { throw ManifestError(line: r.value.line, message: "\(at): the functions must return double or float, not \(t.rawValue)") }
                returns = t
            }

            // "args": the C argument list, e.g. ["double pred", "double target", "double tau"].
            let argsMember = try required(m, "args", in: at, line: node.line)
            guard case .array(let argNodes) = argsMember.value.value else {
                throw ManifestError(line: argsMember.value.line, message: "\"args\" must be a list such as [\"double pred\", \"double target\"]")
            }
            var argTypes: [ScalarCType] = []
            var argNames: [String] = []
            var argLines: [Int] = []
            for a in argNodes {
                guard case .string(let declaration) = a.value else {
                    throw ManifestError(line: a.line, message: "each of \"args\" must be a string such as \"double pred\", found \(a.kindName)")
                }
                let (typeText, name) = Self.splitDeclaration(declaration)
                guard let type = ScalarCType(spelling: typeText) else {
                    throw ManifestError(line: a.line, message: typeText.isEmpty
                                        ? "argument '\(declaration)' needs a C type and a name, e.g. \"double pred\""
                                        : "unknown C type '\(typeText)' (use double, float, int32 or int64)")
                }
                guard DescriptorReader.isIdentifier(name), name.utf8.count <= DescriptorReader.maxIDLength else {
                    throw ManifestError(line: a.line, message: "argument name '\(name)' is not [a-z][a-z0-9_]*")
                }
                guard !argNames.contains(name) else { throw ManifestError(line: a.line, message: "argument '\(name)' is declared twice") }
                argTypes.append(type)
                argNames.append(name)
                argLines.append(a.line)
            }
            guard let predIndex = argNames.firstIndex(of: "pred"), let targetIndex = argNames.firstIndex(of: "target") else {
                throw ManifestError(line: argsMember.keyLine, message: "\(at): \"args\" must include \"pred\" and \"target\" (e.g. \"double pred\", \"double target\")")
            }
            guard argTypes[predIndex].isFloatingPoint else {
                throw ManifestError(line: argLines[predIndex], message: "pred must be double or float (it is differentiated), not \(argTypes[predIndex].rawValue)")
            }

            // "params": one entry per argument other than pred and target.
            let parameterArgs = argNames.indices.filter { $0 != predIndex && $0 != targetIndex }
            let paramsMember = m["params"]
            var paramMembers: [ManifestJSON.Member] = []
            if let paramsMember {
                guard case .object(let members) = paramsMember.value.value else {
                    throw ManifestError(line: paramsMember.value.line, message: "\"params\" must be an object, found \(paramsMember.value.kindName)")
                }
                paramMembers = members
            }
            if paramMembers.count != parameterArgs.count {
                let names = parameterArgs.map { argNames[$0] }
                let list = names.isEmpty ? "" : " (\(names.joined(separator: ", ")))"
                throw ManifestError(line: paramsMember?.keyLine ?? argsMember.keyLine,
                                    message: "argument count mismatch: \"args\" has \(argNames.count) arguments, so pred, target and \(names.count) parameter\(names.count == 1 ? "" : "s")\(list), but \"params\" declares \(paramMembers.count)")
            }
            var parameters: [ParameterInfo] = []
            var roles = [ScalarArgRole](repeating: .pred, count: argNames.count)
            roles[targetIndex] = .target
            for (k, argIndex) in parameterArgs.enumerated() {
                let name = argNames[argIndex]
                guard let pm = paramMembers.first(where: { $0.key == name }) else {
                    let extra = paramMembers.first { !argNames.contains($0.key) }!
                    throw ManifestError(line: extra.keyLine, message: "param '\(extra.key)' is not one of \"args\" (\(argNames.joined(separator: ", ")))")
                }
                parameters.append(try parameter(pm, type: argTypes[argIndex]))
                roles[argIndex] = .parameter(k)
            }

            // The library and its symbols.
            guard let libraryMember = m["library"] ?? defaultLibrary else {
                throw ManifestError(line: node.line, message: "\(at) names no \"library\" (give one for the manifest or for the loss)")
            }
            let libraryName = try string(libraryMember)
            let library = try open(libraryMember, libraryName)
            let valueMember = try required(m, "value", in: at, line: node.line)
            let value = try symbol(valueMember, library, libraryName)!
            let gradient = try symbol(m["gradient"], library, libraryName)
            let hessian = try symbol(m["hessian"], library, libraryName)

            let numericGradient = gradient == nil, numericHessian = hessian == nil
            if numericGradient && numericHessian {
                summary += " [numeric gradient and hessian]"
            } else if numericGradient {
                summary += " [numeric gradient]"
            } else if numericHessian {
                summary += " [numeric hessian]"
            }
            let info = LossInfo(id: id, summary: summary, kind: kind, reduce: .elementwise, predDoc: predDoc, targetDoc: targetDoc,
                                predColumns: 0, targetLayout: .sameShape, hessian: numericHessian ? .approximate : .exact,
                                threadSafe: threadSafe, deterministic: deterministic, parameters: parameters,
                                predDomain: predDomain, targetDomain: targetDomain, link: link, curvature: curvature)
            let function: ScalarFunction
            let valueName = try string(valueMember)
            do throws(ScalarFunction.PrepareError) {
                function = try ScalarFunction(name: valueName, returns: returns, argTypes: argTypes, roles: roles,
                                              value: value, gradient: gradient, hessian: hessian)
            } catch {
                throw ManifestError(line: argsMember.keyLine, message: "libffi cannot prepare this signature (ffi_prep_cif status \(error.status))")
            }
            return Loss(info: info, function: function, numericGradient: numericGradient, numericHessian: numericHessian)
        }

        /// A `"pred_domain"` / `"target_domain"` name; absent: unspecified.
        func domain(_ member: ManifestJSON.Member?) throws(ManifestError) -> DeclaredDomain {
            guard let member else { return .unspecified }
            let name = try string(member)
            guard let known = DeclaredDomain(name: name), known != .unspecified else {
                let names = DeclaredDomain.allCases.dropFirst().map(\.description).joined(separator: ", ")
                throw ManifestError(line: member.value.line, message: "unknown domain '\(name)' (one of \(names))")
            }
            return known
        }

        /// The `"curvature"` object: {"convex": true, "piecewise_linear": true, "surrogate": 1}.
        func curvature(_ member: ManifestJSON.Member) throws(ManifestError) -> Curvature {
            let c = try object(member.value, "\"curvature\"", allowed: Self.curvatureKeys)
            var result = Curvature(
                convex: try c["convex"].map { k throws(ManifestError) in try bool(k) } ?? false,
                constant: try c["constant"].map { k throws(ManifestError) in try bool(k) } ?? false,
                piecewiseLinear: try c["piecewise_linear"].map { k throws(ManifestError) in try bool(k) } ?? false)
            if let s = c["surrogate"] {
                let value = try number(s)
                guard value.isFinite, value > 0 else {
                    throw ManifestError(line: s.value.line, message: "\"surrogate\" must be a finite number > 0")
                }
                result.surrogate = value
            }
            return result
        }

        /// One `"params"` entry.
        func parameter(_ pm: ManifestJSON.Member, type: ScalarCType) throws(ManifestError) -> ParameterInfo {
            let name = pm.key
            let p = try object(pm.value, "param '\(name)'", allowed: Self.paramKeys)
            guard let defaultMember = p["default"] else {
                throw ManifestError(line: pm.keyLine, message: "param '\(name)' has no default")
            }
            let (lowest, highest): (Double, Double) = switch type {
            case .double: (-Double.greatestFiniteMagnitude, Double.greatestFiniteMagnitude)
            case .float: (-Double(Float.greatestFiniteMagnitude), Double(Float.greatestFiniteMagnitude))
            case .int32: (Double(Int32.min), Double(Int32.max))
            case .int64: (-9007199254740992, 9007199254740992)  // ±2^53: every whole double in range
            }
            let info = ParameterInfo(
                name, try p["doc"].map { m throws(ManifestError) in try string(m) } ?? "",
                type: type.isFloatingPoint ? .real : .integer,
                default: try number(defaultMember),
                min: try p["min"].map { m throws(ManifestError) in try number(m) } ?? lowest,
                max: try p["max"].map { m throws(ManifestError) in try number(m) } ?? highest,
                minExclusive: try p["min_exclusive"].map { m throws(ManifestError) in try bool(m) } ?? false,
                maxExclusive: try p["max_exclusive"].map { m throws(ManifestError) in try bool(m) } ?? false)
            for (key, x) in [("min", info.min), ("max", info.max)] where x < lowest || x > highest || (!type.isFloatingPoint && x.rounded() != x) {
                throw ManifestError(line: p[key]!.value.line, message: "param '\(name)': \(key) \(formatNumber(x)) does not fit C type \(type.rawValue)")
            }
            guard info.min <= info.max else {
                throw ManifestError(line: p["min"]?.value.line ?? pm.keyLine, message: "param '\(name)': min \(formatNumber(info.min)) > max \(formatNumber(info.max))")
            }
            guard info.admits(info.defaultValue) else {
                throw ManifestError(line: defaultMember.value.line,
                                    message: "param '\(name)': default \(formatNumber(info.defaultValue)) is outside \(info.rangeDescription)\(type.isFloatingPoint ? "" : " or not a whole number")")
            }
            return info
        }

        /// Opens a library named relative to the manifest's folder (or absolute), once per manifest.
        mutating func open(_ member: ManifestJSON.Member, _ name: String) throws(ManifestError) -> DynamicLibrary {
            guard !name.isEmpty else { throw ManifestError(line: member.value.line, message: "\"library\" is empty") }
            let path = PluginLoader.canonicalPath(name.hasPrefix("/") ? name : folder + "/" + name)
            if let open = libraries[path] { return open }
            let library: DynamicLibrary
            do throws(LoadFailure) {
                try ELFCheck.check(path)
                library = try DynamicLibrary.open(path)
            } catch {
                throw ManifestError(line: member.value.line, message: "library '\(name)' does not load: \(error)")
            }
            libraries[path] = library
            return library
        }

        /// Looks up the symbol a member names; nil when the member is absent.
        func symbol(_ member: ManifestJSON.Member?, _ library: DynamicLibrary, _ libraryName: String) throws(ManifestError) -> UnsafeRawPointer? {
            guard let member else { return nil }
            let name = try string(member)
            guard let address = library.symbol(name) else {
                throw ManifestError(line: member.value.line, message: "symbol '\(name)' (\"\(member.key)\") is not in \(libraryName)")
            }
            return UnsafeRawPointer(address)
        }

        /// `double *pred` → (`double*`, `pred`); `const` on a by-value type is dropped.
        static func splitDeclaration(_ text: String) -> (type: String, name: String) {
            let scalars = Array(text.unicodeScalars)
            var end = scalars.count
            while end > 0, scalars[end - 1] == " " || scalars[end - 1] == "\t" { end -= 1 }
            var start = end
            while start > 0, scalars[start - 1] == "_" || scalars[start - 1].properties.isAlphabetic && scalars[start - 1].isASCII
                    || ("0"..."9").contains(scalars[start - 1]) {
                start -= 1
            }
            let name = String(String.UnicodeScalarView(scalars[start..<end]))
            let type = normalizedType(String(String.UnicodeScalarView(scalars[0..<start])))
            return (type, name)
        }

        /// Collapses spaces, glues `*` to the type, drops a leading `const`.
        static func normalizedType(_ text: String) -> String {
            var words = text.replacingOccurrences(of: "*", with: " * ").split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            if words.first == "const" { words.removeFirst() }
            var out = ""
            for w in words {
                if w == "*" { out += "*" } else { out += out.isEmpty ? w : " " + w }
            }
            return out
        }
    }
}
