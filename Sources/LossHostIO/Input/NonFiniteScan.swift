import LossHostABI
import LossKit

/// The search for the first NaN or infinity in a buffer of float64 or float32
/// values: the vector math's branch-free scan at this CPU's width, chunk by
/// chunk over `threads` (0: every core), so it runs at memory speed.
public enum NonFiniteScan {
    /// The index of the first NaN or infinity among `count` values of `dtype` at `raw`, or nil.
    public static func first(_ raw: UnsafeRawPointer, count n: Int, dtype: DType, threads: Int = 0) -> Int? {
        let chunk = 1 << 16
        let chunks = (n + chunk - 1) / chunk
        guard chunks > 0 else { return nil }
        let firsts = UnsafeMutablePointer<Int>.allocate(capacity: chunks)
        defer { firsts.deallocate() }
        let f64 = dtype == .f64
        let scan = { (c: Int) in
            let start = c * chunk, end = min(n, start + chunk)
            let found = f64
                ? VectorMath.best.firstNonFinite(raw.assumingMemoryBound(to: Double.self) + start, count: end - start)
                : VectorMath.best.firstNonFinite(raw.assumingMemoryBound(to: Float.self) + start, count: end - start)
            firsts[c] = found.map { start + $0 } ?? -1
        }
        forEachChunk(chunks, workers: threads > 0 ? threads : System.coreCount, scan)
        return (0..<chunks).lazy.map { firsts[$0] }.first { $0 >= 0 }
    }
}
