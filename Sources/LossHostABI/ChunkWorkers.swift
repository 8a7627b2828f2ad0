import Dispatch
import Synchronization

/// Runs chunk 0..<chunks on up to `workers` threads, each taking the next chunk
/// not yet taken (so a thread the system runs late takes fewer, and the call
/// does not wait for it); on the calling thread alone when one worker is
/// enough. `body` must touch only its chunk's part of shared buffers.
package func forEachChunk(_ chunks: Int, workers: Int, _ body: @escaping (Int) -> Void) {
    let workers = min(chunks, workers)
    if workers <= 1 {
        for c in 0..<chunks { body(c) }
        return
    }
    let next = ChunkIndex(0)
    let job = UncheckedSendable(body)
    DispatchQueue.concurrentPerform(iterations: workers) { _ in
        while true {
            let c = next.takeNext()
            guard c < chunks else { return }
            job.value(c)
        }
    }
}

/// A chunk index the workers share: the next one to take, or the lowest one
/// that failed.
package final class ChunkIndex: Sendable {
    private let value: Atomic<Int>

    package init(_ start: Int) { value = Atomic(start) }

    /// The index, then one more for the next taker.
    package func takeNext() -> Int { value.wrappingAdd(1, ordering: .relaxed).oldValue }

    /// Keeps the lower of the index and `c`.
    package func lower(to c: Int) { _ = value.min(c, ordering: .relaxed) }

    package var current: Int { value.load(ordering: .relaxed) }
}
