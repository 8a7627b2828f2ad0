/// One of a row block's buffers: `count` values, one per element of the block
/// (rows × columns, row-major: element (r, j) is at r · columns + j) or one per
/// row. Indices wrap modulo the buffer's capacity, so an access never leaves it.
public struct RowLane<T> {
    @usableFromInline let base: UnsafeMutablePointer<T>
    @usableFromInline let mask: Int
    /// The values in use in this block.
    public let count: Int

    @inlinable init(_ base: UnsafeMutablePointer<T>, capacity: Int, count: Int) {
        self.base = base
        self.mask = capacity - 1
        self.count = count
    }

    @inlinable public subscript(_ i: Int) -> T {
        @inline(__always) get { base[i & mask] }
        @inline(__always) nonmutating set { base[i & mask] = newValue }
    }
}

/// A block of rows of a row loss, for `RowLoss.evaluate(block:)`: the loss reads
/// `pred` and `target`, uses the vector math on whole lanes, and writes each
/// row's unweighted `value` (and `gradient` / `hessian` of every element when
/// wanted, and `normalizer` when the loss has its own); the kit applies the
/// weights and the reduction. Computes in `S`: float32 batches run in float
/// lanes (keep sums and cancelling differences in Double).
public struct RowBlock<S: KernelScalar> {
    /// Scratch element lanes a loss may use (`temporary(0)` … `temporary(temporaries - 1)`).
    public static var temporaries: Int { 2 }
    /// Scratch row lanes a loss may use (`rowTemporary(0)` …).
    public static var rowTemporaries: Int { 4 }

    /// The number of rows in this block (at least 1).
    public let rows: Int
    /// Values per row of pred, gradient and Hessian.
    public let predColumns: Int
    /// Values per row of target.
    public let targetColumns: Int
    /// The vector math level to use.
    public let math: VectorMath
    /// Whether the gradient / the Hessian diagonal are wanted.
    public let wantsGradient: Bool, wantsHessian: Bool
    /// pred and target (read them; writes are ignored).
    public let pred: RowLane<S>, target: RowLane<S>
    /// dℓ/dpred and the Hessian diagonal of every element, before weighting.
    public let gradient: RowLane<S>, hessian: RowLane<S>
    /// ℓ of each row, before weighting.
    public let value: RowLane<Double>
    /// What each row adds to the `mean` denominator before its sample weight:
    /// 1 on entry (write it only for a loss that documents otherwise).
    public let normalizer: RowLane<Double>
    @usableFromInline let storage: RowBlockStorage<S>

    @inlinable init(rows: Int, math: VectorMath, wantsGradient: Bool, wantsHessian: Bool, storage: RowBlockStorage<S>) {
        self.rows = rows
        self.predColumns = storage.predColumns
        self.targetColumns = storage.targetColumns
        self.math = math
        self.wantsGradient = wantsGradient
        self.wantsHessian = wantsHessian
        self.storage = storage
        let n = rows * storage.predColumns
        pred = storage.elementLane(0, count: n)
        target = storage.elementLane(1, count: rows * storage.targetColumns)
        gradient = storage.elementLane(2, count: n)
        hessian = storage.elementLane(3, count: n)
        value = storage.rowLane(0, count: rows)
        normalizer = storage.rowLane(1, count: rows)
    }

    /// Scratch lane k of rows × predColumns values (k in 0 ..< `temporaries`).
    @inlinable public func temporary(_ k: Int) -> RowLane<S> {
        precondition(k >= 0 && k < Self.temporaries, "no such row-block temporary")
        return storage.elementLane(4 + k, count: rows * predColumns)
    }

    /// Scratch lane k of one Double per row (k in 0 ..< `rowTemporaries`).
    @inlinable public func rowTemporary(_ k: Int) -> RowLane<Double> {
        precondition(k >= 0 && k < Self.rowTemporaries, "no such row-block row temporary")
        return storage.rowLane(2 + k, count: rows)
    }

    /// y[i] = f(x[i]) for every value of `x` (an element lane, or a row lane of Doubles).
    @inlinable public func apply<T: KernelScalar>(_ f: VectorFunction, _ x: RowLane<T>, into y: RowLane<T>) {
        precondition(x.count <= y.mask + 1, "the output lane is shorter than the input")
        T.apply(f, x.base, y.base, count: x.count, math: math)
    }

    /// y[r, j] = x[r, j] · factor[r] for every element (x and y element lanes,
    /// `factor` a row lane; y may be x).
    @inlinable public func scaleRows(_ x: RowLane<S>, by factor: RowLane<Double>, into y: RowLane<S>) {
        precondition(x.count == rows * predColumns && y.count == x.count && factor.count == rows, "scaleRows takes element lanes and a row lane")
        S.scaleRows(x.base, rows: rows, columns: predColumns, by: factor.base, into: y.base, math: math)
    }

    /// The log-sum-exp parts of every row of `x` (an element lane): per row the
    /// first maximum m and its column `top`, every e^{x_j − m} in `exps` (one
    /// vector exp over the block, in `S`), and the sum of the row's other exps
    /// `rest` in Double, so that Σ_j e^{x_j} = e^m (1 + rest) and both softmax and
    /// 1 − softmax stay accurate. The lanes are the kit's own, valid until the next call.
    /// `probabilities` (an element lane other than `x`), when given, gets the softmax
    /// in the same pass: bit for bit `scaleRows(exps, by: 1 / (1 + rest))`.
    @inlinable public func softmax(_ x: RowLane<S>, probabilities: RowLane<S>? = nil) -> SoftmaxRows<S> {
        precondition(x.count == rows * predColumns, "softmax takes an element lane")
        precondition(probabilities.map { $0.count == x.count && $0.base != x.base } ?? true,
                     "softmax writes the probabilities into another element lane")
        let parts = SoftmaxRows(exps: storage.elementLane(4 + Self.temporaries, count: x.count),
                                max: storage.rowLane(2 + Self.rowTemporaries, count: rows),
                                rest: storage.rowLane(3 + Self.rowTemporaries, count: rows),
                                top: RowLane(storage.tops, capacity: storage.rowCapacity, count: rows))
        S.softmaxRows(x.base, rows: rows, columns: predColumns, exps: parts.exps.base, probabilities: probabilities?.base,
                      max: parts.max.base, top: parts.top.base, rest: parts.rest.base, math: math)
        return parts
    }
}

/// What `RowBlock.softmax` computes for each row.
public struct SoftmaxRows<S: KernelScalar> {
    /// e^{x_j − max} of every element.
    public let exps: RowLane<S>
    /// The row's first maximum and the sum of its exps but the top one's.
    public let max: RowLane<Double>, rest: RowLane<Double>
    /// The column of the row's first maximum.
    public let top: RowLane<Int>

    @inlinable init(exps: RowLane<S>, max: RowLane<Double>, rest: RowLane<Double>, top: RowLane<Int>) {
        self.exps = exps
        self.max = max
        self.rest = rest
        self.top = top
    }
}

/// The memory of the kit's row blocks for one batch, allocated once per batch:
/// element lanes of `elementCapacity` values (a power of two holding
/// `rowsPerBlock` rows), row lanes of `rowCapacity` Doubles, and Double rows
/// for the per-row form.
@usableFromInline final class RowBlockStorage<S: KernelScalar> {
    /// The most values in a block's element lanes (unless one row is longer).
    @usableFromInline static var blockValues: Int { 512 }
    /// pred, target, gradient, hessian, the temporaries, the softmax exps.
    @usableFromInline static var elementLanes: Int { 5 + RowBlock<S>.temporaries }
    /// value, normalizer, the row temporaries, the softmax max and rest.
    @usableFromInline static var rowLanes: Int { 4 + RowBlock<S>.rowTemporaries }

    @usableFromInline let predColumns: Int
    @usableFromInline let targetColumns: Int
    /// Rows in a full block.
    @usableFromInline let rowsPerBlock: Int
    @usableFromInline let elementCapacity: Int
    @usableFromInline let rowCapacity: Int
    @usableFromInline let elements: UnsafeMutablePointer<S>
    @usableFromInline let rowValues: UnsafeMutablePointer<Double>
    @usableFromInline let tops: UnsafeMutablePointer<Int>
    /// pred, target, gradient, Hessian and scratch rows in Double for `RowLoss`'s per-row form.
    @usableFromInline let wide: UnsafeMutablePointer<Double>

    /// Blocks of at most `blockValues` values (one row when a row is longer), a
    /// whole number of 8-row groups when at least 8 rows fit (the vector math's
    /// softmax across rows pads a block to whole groups), and never more rows
    /// than the batch has.
    @inlinable init(rows: Int, predColumns: Int, targetColumns: Int) {
        self.predColumns = predColumns
        self.targetColumns = targetColumns
        let widest = Swift.max(predColumns, targetColumns, 1)
        let fit = Self.blockValues / widest
        rowsPerBlock = Swift.max(1, Swift.min(rows, fit >= 8 ? fit & ~7 : fit))
        var capacity = 1
        while capacity < rowsPerBlock * widest { capacity <<= 1 }
        elementCapacity = capacity
        var rowCapacity = 1
        while rowCapacity < rowsPerBlock { rowCapacity <<= 1 }
        self.rowCapacity = rowCapacity
        elements = .allocate(capacity: Self.elementLanes * capacity)
        elements.initialize(repeating: 0, count: Self.elementLanes * capacity)
        rowValues = .allocate(capacity: Self.rowLanes * rowCapacity)
        rowValues.initialize(repeating: 0, count: Self.rowLanes * rowCapacity)
        tops = .allocate(capacity: rowCapacity)
        tops.initialize(repeating: 0, count: rowCapacity)
        wide = .allocate(capacity: 4 * predColumns + targetColumns)
        wide.initialize(repeating: 0, count: 4 * predColumns + targetColumns)
    }

    deinit {
        elements.deallocate()
        rowValues.deallocate()
        tops.deallocate()
        wide.deallocate()
    }

    @inlinable func elementLane(_ k: Int, count: Int) -> RowLane<S> {
        RowLane(elements + k * elementCapacity, capacity: elementCapacity, count: count)
    }

    @inlinable func rowLane(_ k: Int, count: Int) -> RowLane<Double> {
        RowLane(rowValues + k * rowCapacity, capacity: rowCapacity, count: count)
    }
}

extension KernelScalar {
    /// `VectorMath.softmaxRows` in this type's lanes (Double and Float call the
    /// vector math directly; any other type goes through Double).
    @inlinable
    static func softmaxRows(_ x: UnsafePointer<Self>, rows: Int, columns: Int, exps: UnsafeMutablePointer<Self>,
                            probabilities: UnsafeMutablePointer<Self>?, max: UnsafeMutablePointer<Double>,
                            top: UnsafeMutablePointer<Int>, rest: UnsafeMutablePointer<Double>, math: VectorMath) {
        let n = rows * columns
        if Self.self == Double.self {
            math.softmaxRows(UnsafeRawPointer(x).assumingMemoryBound(to: Double.self), rows: rows, columns: columns,
                             exps: UnsafeMutableRawPointer(exps).assumingMemoryBound(to: Double.self),
                             probabilities: probabilities.map { UnsafeMutableRawPointer($0).assumingMemoryBound(to: Double.self) },
                             max: max, top: top, rest: rest)
        } else if Self.self == Float.self {
            math.softmaxRows(UnsafeRawPointer(x).assumingMemoryBound(to: Float.self), rows: rows, columns: columns,
                             exps: UnsafeMutableRawPointer(exps).assumingMemoryBound(to: Float.self),
                             probabilities: probabilities.map { UnsafeMutableRawPointer($0).assumingMemoryBound(to: Float.self) },
                             max: max, top: top, rest: rest)
        } else {
            let wideX = UnsafeMutablePointer<Double>.allocate(capacity: 2 * n)
            defer { wideX.deallocate() }
            for i in 0..<n { wideX[i] = x[i].asDouble }
            math.softmaxRows(wideX, rows: rows, columns: columns, exps: wideX + n, max: max, top: top, rest: rest)
            for i in 0..<n { exps[i] = Self(fromDouble: wideX[n + i]) }
            if let probabilities {
                var factor = [Double](repeating: 0, count: rows)
                for r in 0..<rows { factor[r] = 1 / (1 + rest[r]) }
                scaleRows(exps, rows: rows, columns: columns, by: factor, into: probabilities, math: math)
            }
        }
    }

    /// `VectorMath.scaleRows` in this type's lanes (any type but Double and Float in a plain loop).
    @inlinable
    static func scaleRows(_ x: UnsafePointer<Self>, rows: Int, columns: Int, by factor: UnsafePointer<Double>,
                          into y: UnsafeMutablePointer<Self>, math: VectorMath) {
        if Self.self == Double.self {
            math.scaleRows(UnsafeRawPointer(x).assumingMemoryBound(to: Double.self), rows: rows, columns: columns, by: factor,
                           into: UnsafeMutableRawPointer(y).assumingMemoryBound(to: Double.self))
        } else if Self.self == Float.self {
            math.scaleRows(UnsafeRawPointer(x).assumingMemoryBound(to: Float.self), rows: rows, columns: columns, by: factor,
                           into: UnsafeMutableRawPointer(y).assumingMemoryBound(to: Float.self))
        } else {
            for r in 0..<rows {
                let f = Self(fromDouble: factor[r])
                for j in 0..<columns { y[r * columns + j] = x[r * columns + j] * f }
            }
        }
    }
}
