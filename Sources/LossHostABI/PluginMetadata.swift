import Foundation
import LossModel

/// What a loss declares, without its functions: enough for `list` and `info`,
/// which show a plugin from its scan (cached) and never run its code here.
public struct LossMetadata: Sendable {
    public var info: LossInfo
    public var pluginID: String
    /// Derivatives the host computes by finite differences (scalar plugins).
    public var numericGradient: Bool
    public var numericHessian: Bool

    /// `plugin/loss`.
    public var qualifiedID: String { "\(pluginID)/\(info.id)" }

    /// `numeric` when the host computes the Hessian, else the declared support.
    public var hessianDescription: String { numericHessian ? "numeric" : info.hessian.description }
}

/// What a plugin declares, without its functions.
public struct PluginMetadata: Sendable {
    public var id: String
    public var version: String
    public var summary: String
    public var abiMajor: UInt32
    public var abiMinor: UInt32
    /// The file it came from; nil for the built-in losses.
    public var path: String?
    public var losses: [LossMetadata]
}

extension LoadedLoss {
    public var metadata: LossMetadata {
        LossMetadata(info: info, pluginID: pluginID, numericGradient: numericGradient, numericHessian: numericHessian)
    }
}

extension LoadedPlugin {
    public var metadata: PluginMetadata {
        PluginMetadata(id: id, version: version, summary: summary, abiMajor: abiMajor, abiMinor: abiMinor,
                       path: path, losses: losses.map(\.metadata))
    }
}

/// The JSON a scan worker reports and the scan cache keeps (a nested object):
/// every field but the path, by raw value, so the host
/// needs no `dlopen` to show it. Decoding fails on a kind, reduction, layout,
/// Hessian support or parameter type this host does not know.
extension PluginMetadata: Codable {
    private struct Stored: Codable {
        struct Param: Codable {
            var name, doc: String
            var type: Int32
            var defaultValue, min, max: Double
            var minExclusive, maxExclusive: Bool
        }
        struct Loss: Codable {
            var id, summary, predDoc, targetDoc: String
            var kind, reduce, targetLayout, hessian: Int32
            var predColumns: Int
            var threadSafe, deterministic, numericGradient, numericHessian: Bool
            var params: [Param]
            /// ABI 1.2 facts; 0 for a domain the loss does not declare.
            var predDomain, predDomainRest, targetDomain, link: Int32
            var curvature: UInt32
            var surrogate: Double
        }
        var id, version, summary: String
        var abiMajor, abiMinor: UInt32
        var losses: [Loss]
    }

    public init(from decoder: any Decoder) throws {
        guard let metadata = Self(try Stored(from: decoder)) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "a value this host does not know"))
        }
        self = metadata
    }

    public func encode(to encoder: any Encoder) throws {
        try stored.encode(to: encoder)
    }

    private var stored: Stored {
        Stored(id: id, version: version, summary: summary, abiMajor: abiMajor, abiMinor: abiMinor,
               losses: losses.map { l in
            Stored.Loss(id: l.info.id, summary: l.info.summary, predDoc: l.info.predDoc, targetDoc: l.info.targetDoc,
                        kind: l.info.kind.rawValue, reduce: l.info.reduce.rawValue, targetLayout: l.info.targetLayout.rawValue,
                        hessian: l.info.hessian.rawValue, predColumns: l.info.predColumns, threadSafe: l.info.threadSafe,
                        deterministic: l.info.deterministic, numericGradient: l.numericGradient, numericHessian: l.numericHessian,
                        params: l.info.parameters.map { p in
                Stored.Param(name: p.name, doc: p.doc, type: p.type.rawValue, defaultValue: p.defaultValue, min: p.min, max: p.max,
                             minExclusive: p.minExclusive, maxExclusive: p.maxExclusive)
            }, predDomain: l.info.predDomain.rawValue, predDomainRest: (l.info.predDomainRest ?? .unspecified).rawValue,
                        targetDomain: l.info.targetDomain.rawValue, link: l.info.link.rawValue,
                        curvature: l.info.curvature.flags, surrogate: l.info.curvature.surrogate ?? 0)
        })
    }

    /// The metadata `stored` holds, without a path; nil when it names a value this host does not know.
    private init?(_ stored: Stored) {
        var losses: [LossMetadata] = []
        for l in stored.losses {
            guard let kind = LossKind(rawValue: l.kind), let reduce = Reduce(rawValue: l.reduce),
                  let layout = TargetLayout(rawValue: l.targetLayout), let hessian = HessianSupport(rawValue: l.hessian) else { return nil }
            var parameters: [ParameterInfo] = []
            for p in l.params {
                guard let type = ParameterType(rawValue: p.type) else { return nil }
                parameters.append(ParameterInfo(p.name, p.doc, type: type, default: p.defaultValue, min: p.min, max: p.max,
                                                minExclusive: p.minExclusive, maxExclusive: p.maxExclusive))
            }
            let info = LossInfo(id: l.id, summary: l.summary, kind: kind, reduce: reduce, predDoc: l.predDoc, targetDoc: l.targetDoc,
                                predColumns: l.predColumns, targetLayout: layout, hessian: hessian, threadSafe: l.threadSafe,
                                deterministic: l.deterministic, parameters: parameters,
                                predDomain: DeclaredDomain(rawValue: l.predDomain) ?? .real,
                                predDomainRest: l.predDomainRest == 0 ? nil : DeclaredDomain(rawValue: l.predDomainRest) ?? .real,
                                targetDomain: DeclaredDomain(rawValue: l.targetDomain) ?? .real,
                                link: InverseLink(abiValue: l.link), curvature: Curvature(flags: l.curvature, surrogate: l.surrogate))
            losses.append(LossMetadata(info: info, pluginID: stored.id, numericGradient: l.numericGradient,
                                       numericHessian: l.numericHessian))
        }
        self.init(id: stored.id, version: stored.version, summary: stored.summary, abiMajor: stored.abiMajor,
                  abiMinor: stored.abiMinor, path: nil, losses: losses)
    }
}
