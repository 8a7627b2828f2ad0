import LossHostIO

extension NpyWriter {
    /// Writes an evaluation's per-element outputs next to `path` (`FILE.npy`):
    /// values to FILE.npy (when computed), gradient to FILE-gradient.npy, Hessian
    /// to FILE-hessian.npy, in the evaluation's dtype; one-column outputs are 1-D.
    /// Returns what was written, as (output, path).
    public static func writeOutputs(_ e: Evaluation, perRowValues: Bool, to path: String) throws(InputError) -> [(String, String)] {
        let base = path.lowercased().hasSuffix(".npy") ? String(path.dropLast(4)) : path
        let shape = e.columns == 1 ? [e.rows] : [e.rows, e.columns]
        let valueShape = perRowValues ? [e.rows] : shape
        var written: [(String, String)] = []
        func put(_ name: String, _ file: String, _ d: [Double]?, _ f: [Float]?, _ shape: [Int]) throws(InputError) {
            if let f {
                let r = f.withUnsafeBytes { b in Result { () throws(InputError) in try write(b.baseAddress ?? UnsafeRawPointer(bitPattern: 64)!, dtype: .f32, shape: shape, to: file) } }
                try r.get()
            } else if let d {
                let r = d.withUnsafeBytes { b in Result { () throws(InputError) in try write(b.baseAddress ?? UnsafeRawPointer(bitPattern: 64)!, dtype: .f64, shape: shape, to: file) } }
                try r.get()
            } else {
                return
            }
            written.append((name, file))
        }
        let f32 = e.dtype == .f32
        try put("values", base + ".npy", e.values, f32 ? e.valuesF32 : nil, valueShape)
        try put("gradient", base + "-gradient.npy", e.gradient, f32 ? e.gradientF32 : nil, shape)
        try put("hessian", base + "-hessian.npy", e.hessian, f32 ? e.hessianF32 : nil, shape)
        return written
    }
}
