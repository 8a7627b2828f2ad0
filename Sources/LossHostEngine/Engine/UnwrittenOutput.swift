import LossHostABI
import LossHostIO
import LossKit

/// The value every output of a plugin's call starts as: a signalling NaN with
/// a payload no arithmetic produces (it survives the host's `mean` scaling,
/// which only quiets it). An output still holding it after `LH_OK` was never
/// written, and the evaluation fails naming the plugin, the loss and the output.
enum UnwrittenOutput {
    static let payload = 0x0BAD

    static func marker<S: BinaryFloatingPoint>() -> S {
        S(sign: .plus, exponentBitPattern: S.RawExponent((1 << S.exponentBitCount) - 1), significandBitPattern: S.RawSignificand(payload))
    }

    @inline(__always)
    static func isMarker<S: BinaryFloatingPoint>(_ x: S) -> Bool {
        x.isNaN && x.significandBitPattern & S.RawSignificand(0xFFFF) == S.RawSignificand(payload)
    }

    /// The first element of `buffer` still holding the marker. The marker is a
    /// NaN: the vector scan for non-finite values jumps to each candidate.
    static func first<S: KernelScalar>(in buffer: UnsafePointer<S>, count: Int) -> Int? {
        var i = 0
        while i < count, let j = NonFiniteInput.first(buffer + i, count: count - i) {
            if isMarker(buffer[i + j]) { return i + j }
            i += j + 1
        }
        return nil
    }

    /// Fills an output buffer with the marker before a plugin's call.
    static func fill<S: BinaryFloatingPoint>(_ buffer: UnsafeMutablePointer<S>?, count: Int) {
        buffer?.update(repeating: marker(), count: count)
    }

    /// Whether some of the `count` elements of an output (nil: not asked for) still holds the marker.
    @inline(__always)
    static func any<S: KernelScalar>(_ buffer: UnsafeMutablePointer<S>?, count: Int) -> Bool {
        buffer.map { first(in: $0, count: count) != nil } ?? false
    }

    /// Throws for the first output element still holding the marker; each
    /// output is (name, buffer, element count, elements per row).
    static func check<S: KernelScalar>(_ loss: LoadedLoss,
                                              _ outputs: [(String, UnsafeMutablePointer<S>?, Int, Int)]) throws(EvaluationError) {
        for case let (name, buffer?, count, columns) in outputs {
            if let i = first(in: buffer, count: count) { throw error(loss, name, index: i, columns: columns) }
        }
    }

    /// The error for output `name` left unwritten at element `index` (of a row of `columns`).
    static func error(_ loss: LoadedLoss, _ name: String, index: Int?, columns: Int) -> EvaluationError {
        let at = index.map { i in columns > 1 ? "\(name)[\(i)] (row \(i / columns + 1), column \(i % columns + 1))" : "\(name)[\(i)] (row \(i + 1))" } ?? name
        return EvaluationError("plugin '\(loss.pluginID)' loss '\(loss.info.id)' returned LH_OK but left \(at) unwritten",
                               kind: .unwrittenOutput)
    }
}
