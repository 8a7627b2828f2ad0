import Dispatch

/// Runs chunk 0..<chunks on up to `workers` threads, worker w taking chunks w,
/// w + workers, …; on the calling thread alone when one worker is enough.
/// `body` must touch only its chunk's part of shared buffers.
package func forEachChunk(_ chunks: Int, workers: Int, _ body: @escaping (Int) -> Void) {
    let workers = min(chunks, workers)
    if workers <= 1 {
        for c in 0..<chunks { body(c) }
        return
    }
    let job = UncheckedSendable(body)
    DispatchQueue.concurrentPerform(iterations: workers) { worker in
        var c = worker
        while c < chunks {
            job.value(c)
            c += workers
        }
    }
}
