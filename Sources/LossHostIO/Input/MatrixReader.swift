/// Reads a numeric matrix from a CSV, TSV or NumPy `.npy` file (or standard input).
///
/// See `DelimitedParser` and `NpyReader` for the exact formats accepted. Errors are one line,
/// starting with the file's name as given (`<stdin>` for standard input).
public enum MatrixReader {
    /// What error messages call standard input.
    public static let standardInputName = "<stdin>"

    /// Reads CSV (comma), TSV (tab) or NumPy .npy (by extension .npy or by the magic bytes
    /// "\x93NUMPY"); "-" reads standard input (CSV/TSV, or .npy if it starts with the magic).
    /// allowNonFinite: when false, nan/inf cells are an error naming file, row and column.
    public static func read(path: String, allowNonFinite: Bool = false) throws(InputError) -> Matrix {
        if path == "-" {
            return try FileBytes.withStandardInput(name: standardInputName) { (bytes) throws(InputError) in
                try parse(bytes, name: standardInputName, npyByName: false, allowNonFinite: allowNonFinite)
            }
        }
        let npyByName = path.lowercased().hasSuffix(".npy")
        return try FileBytes.withContents(ofPath: path, name: path) { (bytes) throws(InputError) in
            try parse(bytes, name: path, npyByName: npyByName, allowNonFinite: allowNonFinite)
        }
    }

    /// Parses CSV/TSV text already in memory (used by tests and stdin); `name` is what errors
    /// call the source. `bytes` need not be NUL-terminated and are only read during the call.
    public static func parseText(_ bytes: UnsafeRawBufferPointer, name: String,
                                 allowNonFinite: Bool = false) throws(InputError) -> Matrix {
        try DelimitedParser.parse(bytes, name: name, allowNonFinite: allowNonFinite)
    }

    /// `parseText` on an array of bytes (e.g. `Array("1,2\n3,4\n".utf8)`).
    public static func parseText(_ bytes: [UInt8], name: String,
                                 allowNonFinite: Bool = false) throws(InputError) -> Matrix {
        try FileBytes.withBytes(of: bytes) { (buffer) throws(InputError) in
            try DelimitedParser.parse(buffer, name: name, allowNonFinite: allowNonFinite)
        }
    }

    private static func parse(_ bytes: UnsafeRawBufferPointer, name: String, npyByName: Bool,
                              allowNonFinite: Bool) throws(InputError) -> Matrix {
        if npyByName || NpyReader.hasMagic(bytes) {
            return try NpyReader.parse(bytes, name: name, allowNonFinite: allowNonFinite)
        }
        return try DelimitedParser.parse(bytes, name: name, allowNonFinite: allowNonFinite)
    }

    /// Reads per-sample weights: one column (or one row) of N numbers, returned
    /// as an N×1 matrix that keeps `firstLine`.
    public static func readWeights(path: String, allowNonFinite: Bool = false) throws(InputError) -> Matrix {
        var m = try read(path: path, allowNonFinite: allowNonFinite)
        guard m.columns == 1 || m.rows == 1 else {
            throw InputError.file(path, "weights must be one column (got \(m.rows) x \(m.columns))")
        }
        let firstLine = m.firstLine
        m = Matrix(rows: m.values.count, columns: 1, values: m.values)
        m.firstLine = firstLine
        return m
    }
}
