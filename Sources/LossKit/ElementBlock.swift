/// One of the kit's block buffers (`ElementBlock.capacity` values): a block's
/// inputs, outputs or temporaries. Indices wrap modulo the capacity, so an access
/// can never leave the buffer; a loss uses `block.indices`.
public struct BlockLane<S: KernelScalar> {
    @usableFromInline let base: UnsafeMutablePointer<S>

    @inlinable init(_ base: UnsafeMutablePointer<S>) { self.base = base }

    @inlinable public subscript(_ i: Int) -> S {
        @inline(__always) get { base[i & ElementBlock<S>.mask] }
        @inline(__always) nonmutating set { base[i & ElementBlock<S>.mask] = newValue }
    }
}

/// A block of up to `capacity` elements of an element-wise loss, for
/// `ElementwiseLoss.evaluate(block:)`: the loss reads `pred` and `target`, uses
/// the vector math on whole lanes, and writes the unweighted `value` of every
/// element when `wantsValue` (and `gradient` and `hessian` when
/// `wantsDerivatives`); the kit applies the weights and the reduction. Computes
/// in `S`: float32 batches run in float lanes.
public struct ElementBlock<S: KernelScalar> {
    /// The most elements in one block.
    public static var capacity: Int { 256 }
    @usableFromInline static var mask: Int { 255 }
    /// Temporaries a loss may use (`temporary(0)` … `temporary(temporaries - 1)`).
    public static var temporaries: Int { 6 }
    @usableFromInline static var lanes: Int { 5 + temporaries }

    /// The number of elements, 1 … capacity.
    public let count: Int
    /// The vector math level to use.
    public let math: VectorMath
    /// Whether the gradient and Hessian are wanted (otherwise only `value`).
    public let wantsDerivatives: Bool
    /// Whether `value` is wanted. False only with `wantsDerivatives` (a trainer
    /// asking for the gradient and Hessian alone): the kit then never reads the
    /// value lane, so a loss may skip the work that only the value needs.
    public let wantsValue: Bool
    /// pred and target of each element (read them; writes are ignored).
    public let pred: BlockLane<S>, target: BlockLane<S>
    /// ℓ, dℓ/dpred and d²ℓ/dpred² of each element, before weighting.
    public let value: BlockLane<S>, gradient: BlockLane<S>, hessian: BlockLane<S>
    @usableFromInline let storage: UnsafeMutablePointer<S>

    /// `storage` holds `lanes` buffers of `capacity` values.
    @inlinable init(count: Int, math: VectorMath, wantsValue: Bool, wantsDerivatives: Bool, storage: UnsafeMutablePointer<S>) {
        let c = Self.capacity
        self.count = count
        self.math = math
        self.wantsValue = wantsValue
        self.wantsDerivatives = wantsDerivatives
        self.storage = storage
        pred = BlockLane(storage)
        target = BlockLane(storage + c)
        value = BlockLane(storage + 2 * c)
        gradient = BlockLane(storage + 3 * c)
        hessian = BlockLane(storage + 4 * c)
    }

    /// The element indices, 0 ..< count.
    @inlinable public var indices: Range<Int> { 0..<count }

    /// Scratch lane k (0 ..< `temporaries`), the kit's memory, reused between blocks.
    @inlinable public func temporary(_ k: Int) -> BlockLane<S> {
        precondition(k >= 0 && k < Self.temporaries, "no such block temporary")
        return BlockLane(storage + (5 + k) * Self.capacity)
    }

    /// y[i] = f(x[i]) for every element of the block.
    @inlinable public func apply(_ f: VectorFunction, _ x: BlockLane<S>, into y: BlockLane<S>) {
        S.apply(f, x.base, y.base, count: count, math: math)
    }

    /// softplus(±x[i]) and σ(±x[i]) for every element, in temporaries 0 … 3
    /// (`x` must be another lane: pred, target or a temporary from 4 up).
    @inlinable public func logistic(_ x: BlockLane<S>) -> LogisticLanes<S> {
        let lanes = LogisticLanes(softplus: temporary(0), softplusNeg: temporary(1),
                                  sigmoid: temporary(2), sigmoidNeg: temporary(3))
        precondition(x.base != lanes.softplus.base && x.base != lanes.softplusNeg.base
                     && x.base != lanes.sigmoid.base && x.base != lanes.sigmoidNeg.base, "logistic input overlaps its outputs")
        S.logistic(x.base, lanes.softplus.base, lanes.softplusNeg.base, lanes.sigmoid.base, lanes.sigmoidNeg.base,
                   count: count, math: math)
        return lanes
    }

    /// σ(±x[i]) for every element, in temporaries 2 and 3 (where `logistic`
    /// puts them, bit for bit the same), without `logistic`'s log1p: for a loss
    /// whose derivatives need only the sigmoids. `x` must not be temporary 2 or 3.
    @inlinable public func sigmoid(_ x: BlockLane<S>) -> SigmoidLanes<S> {
        let lanes = SigmoidLanes(sigmoid: temporary(2), sigmoidNeg: temporary(3))
        precondition(x.base != lanes.sigmoid.base && x.base != lanes.sigmoidNeg.base, "sigmoid input overlaps its outputs")
        S.sigmoid(x.base, lanes.sigmoid.base, lanes.sigmoidNeg.base, count: count, math: math)
        return lanes
    }

    /// z[i] = pow(x[i], y[i]) for every element of the block.
    @inlinable public func pow(_ x: BlockLane<S>, _ y: BlockLane<S>, into z: BlockLane<S>) {
        S.pow(x.base, y.base, z.base, count: count, math: math)
    }
}

/// softplus(±x) = log(1 + e^{±x}) and σ(±x) of a block lane (`ElementBlock.logistic`).
public struct LogisticLanes<S: KernelScalar> {
    public let softplus: BlockLane<S>, softplusNeg: BlockLane<S>
    public let sigmoid: BlockLane<S>, sigmoidNeg: BlockLane<S>
    @inlinable init(softplus: BlockLane<S>, softplusNeg: BlockLane<S>, sigmoid: BlockLane<S>, sigmoidNeg: BlockLane<S>) {
        self.softplus = softplus
        self.softplusNeg = softplusNeg
        self.sigmoid = sigmoid
        self.sigmoidNeg = sigmoidNeg
    }
}

/// σ(±x) of a block lane (`ElementBlock.sigmoid`).
public struct SigmoidLanes<S: KernelScalar> {
    public let sigmoid: BlockLane<S>, sigmoidNeg: BlockLane<S>
    @inlinable init(sigmoid: BlockLane<S>, sigmoidNeg: BlockLane<S>) {
        self.sigmoid = sigmoid
        self.sigmoidNeg = sigmoidNeg
    }
}
