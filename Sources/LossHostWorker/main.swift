// losshost-worker: runs plugin code for losshost and its host library (scans,
// checks, isolated evaluations), one request per process (`WorkerRequest`: JSON on standard input), and reports
// on its channel (`WorkerChannel`). Its parent watches it (`WorkerProcess`).
import Foundation
import LossHostABI
import LossHostCheck
import LossHostIsolation
import LossHostScalar
import LossHostSystem
import SystemPackage

/// The formats a request's configuration may name: every one this host knows.
let formats = PluginFormats([ScalarManifestFormat()])

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("losshost-worker: error: \(message)\n".utf8))
    exit(2)
}

if FileDescriptor.standardInput.isTerminal {
    fail("this program runs plugin code for losshost and its host library; it reads its request on standard input and is not run by hand")
}
let input = WorkerRequestCoding.readStandardInput()
do {
    switch try WorkerRequestCoding.kind(of: input) {
    case ScanRequest.kind:
        let request = try WorkerRequestCoding.decode(ScanRequest.self, from: input, formats: formats)
        request.serve(on: WorkerRuntime.prepareReporting())
    case EvaluateRequest.kind:
        let request = try WorkerRequestCoding.decode(EvaluateRequest.self, from: input, formats: formats)
        request.serve(on: WorkerRuntime.prepareReporting())
    case CheckRequest.kind:
        let request = try WorkerRequestCoding.decode(CheckRequest.self, from: input, formats: formats)
        request.serve(on: WorkerRuntime.prepareReporting())
    case let other:
        fail("unknown request '\(other)'")
    }
} catch {
    fail("cannot read the request on standard input: \(error)")
}
