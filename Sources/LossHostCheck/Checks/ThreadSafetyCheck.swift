import Foundation
import Synchronization
import LossHostEngine

/// Several threads evaluating at once agree bitwise with serial runs: on ONE
/// instance when the loss declares itself thread-safe, else one instance per thread.
enum ThreadSafetyCheck {
    static let threads = 4

    static func run(_ ctx: LossCheckContext) throws -> String {
        let domain = try ctx.domain()
        var rng = SeededRandom(seed: ctx.seed, label: "\(ctx.info.id).threads")
        let batches = (0..<8).map { _ in domain.batch(rows: 64, weighted: true, using: &rng) }
        let shared = try ctx.instance()
        let serial = try batches.map { batch throws(CheckFailure) in try ctx.evaluate(shared, batch, ctx.everything) }
        let oneInstance = ctx.info.threadSafe
        let instances = try (0..<threads).map { _ throws(CheckFailure) in oneInstance ? shared : try ctx.instance() }
        let problems = Problems()
        let box = Unchecked((ctx, instances, batches, serial))
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            let (ctx, instances, batches, serial) = box.value
            for round in 0..<10 {
                let k = (t + round) % batches.count
                do {
                    let out = try ctx.evaluate(instances[t], batches[k], ctx.everything)
                    if let difference = serial[k].firstDifference(out) {
                        let perRow = ctx.info.reduce == .elementwise ? batches[k].predColumns : 1
                        problems.add("thread \(t) differs from the serial run on batch \(k): \(difference.describe(batches[k], valuesPerRow: perRow))")
                    }
                } catch {
                    problems.add((error as? CheckFailure)?.detail ?? "\(error)")
                }
            }
        }
        if let first = problems.first { throw CheckFailure(first) }
        return oneInstance ? "\(threads) threads on one instance agree with serial runs"
            : "not declared thread-safe: \(threads) threads on their own instances agree with serial runs"
    }
}

private final class Problems: Sendable {
    private let list = Mutex<[String]>([])
    func add(_ s: String) { list.withLock { $0.append(s) } }
    var first: String? { list.withLock { $0.first } }
}

private struct Unchecked<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
