/// A row-major matrix of float64 read from a file.
///
/// `values` holds `rows * columns` numbers, row after row. A 1-D input of N numbers
/// (a one-column CSV or a `(N,)` .npy) is an N×1 matrix.
public struct Matrix: Sendable, Equatable {
    /// Number of rows (samples).
    public var rows: Int
    /// Number of columns per row.
    public var columns: Int
    /// `rows * columns` values, row-major.
    public var values: [Double]
    /// The 1-based line of the source file that holds row 0 (2 after a header
    /// row), so errors about a cell can name the line a person sees.
    public var firstLine: Int = 1

    /// Makes a matrix; `values.count` must equal `rows * columns` (a programming error otherwise).
    public init(rows: Int, columns: Int, values: [Double]) {
        precondition(rows >= 0 && columns >= 0 && values.count == rows * columns,
                     "Matrix: \(values.count) values do not make \(rows)×\(columns)")
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    /// Equal shapes and values; where the rows came from does not matter.
    public static func == (a: Matrix, b: Matrix) -> Bool {
        a.rows == b.rows && a.columns == b.columns && a.values == b.values
    }
}
