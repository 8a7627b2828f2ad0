import Foundation
import LossHostABI
import LossHostEngine
import LossHostSystem
import SystemPackage

/// What a worker is asked to do: a `Codable` value that carries the whole
/// `HostConfiguration` it runs with. It travels as one JSON object on the
/// worker's standard input, `{"kind": KIND, "request": {…}}`; the kind is also
/// the worker's one argument, so `ps` shows what a worker does.
public protocol WorkerRequest: Codable, Sendable {
    /// The request's name: "scan", "check", "evaluate".
    static var kind: String { get }
}

/// The JSON a request travels as, and how a worker reads it back.
public enum WorkerRequestCoding {
    private struct Envelope<Request: Codable>: Codable {
        let kind: String
        let request: Request
    }

    private struct Kind: Decodable {
        let kind: String
    }

    /// A request's bytes on the worker's standard input.
    static func encode<Request: WorkerRequest>(_ request: Request) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(Envelope(kind: Request.kind, request: request)))
    }

    /// In a worker, first thing: the whole of standard input (its request); standard
    /// input is then /dev/null, as for any other program that plugin code runs in.
    public static func readStandardInput() -> Data {
        let data = FileHandle.standardInput.readDataToEndOfFile()
        if let null = try? FileDescriptor.open("/dev/null", .readOnly) {
            _ = try? null.duplicate(as: .standardInput)
            try? null.close()
        }
        return data
    }

    /// In a worker its parent started with `forwardingStandardInput` (an evaluation that
    /// reads `-`): the parent's standard input, forwarded as descriptor 3, becomes standard input.
    public static func takeForwardedStandardInput() {
        let forwarded = FileDescriptor(rawValue: ProcessSpawn.forwardedNumber)
        _ = try? forwarded.duplicate(as: .standardInput)
        try? forwarded.close()
    }

    /// The kind a request's bytes name.
    public static func kind(of data: Data) throws -> String {
        try JSONDecoder().decode(Kind.self, from: data).kind
    }

    /// The request in `data`; `formats` are the plugin formats its configuration may name.
    public static func decode<Request: WorkerRequest>(_ type: Request.Type, from data: Data,
                                                       formats: PluginFormats) throws -> Request {
        let decoder = JSONDecoder()
        decoder.userInfo[HostConfiguration.knownFormats] = formats
        return try decoder.decode(Envelope<Request>.self, from: data).request
    }
}
