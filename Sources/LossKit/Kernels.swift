/// The batch loops behind `ElementwiseLoss` and `RowLoss`. Generic and
/// `@inlinable`, so each loss gets its own specialised, inlined loop, for
/// float64 and float32 batches alike (per-element and per-row forms compute in
/// Double, block forms in the batch's type; sums are accumulated in Double).
///
/// Element-wise losses run one fused pass: value, gradient and Hessian of each
/// element together, with one loop per combination of wanted outputs (no
/// per-element test of an optional output; no value at all when neither the
/// values nor the sum are wanted), four independent partial sums (so
/// the loop can be vectorised; the order is fixed, so results do not depend on
/// how the host splits or threads batches beyond its chunking).
public enum Kernels {
    /// Σ w over `count` weights, in the kit's fixed order (four lanes, then the
    /// tail). The host uses the same function to know an element-wise loss's
    /// normalizer before evaluating it.
    @inlinable
    public static func weightSum<S: KernelScalar>(_ w: UnsafePointer<S>, _ count: Int) -> Double {
        var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
        var i = 0
        while i &+ 4 <= count {
            s0 += w[i].asDouble
            s1 += w[i &+ 1].asDouble
            s2 += w[i &+ 2].asDouble
            s3 += w[i &+ 3].asDouble
            i &+= 4
        }
        var tail = 0.0
        while i < count {
            tail += w[i].asDouble
            i &+= 1
        }
        return ((s0 + s1) + (s2 + s3)) + tail
    }

    /// The index of the first of `count` values outside `domain`, or nil: the
    /// vector math's branch-free scans of the bounds and of up to four members,
    /// a plain search for a longer member list.
    @inlinable
    static func firstOutside<S: KernelScalar>(_ x: UnsafePointer<S>, _ count: Int, _ domain: Domain, _ math: VectorMath) -> Int? {
        var first = S.firstOutside(x, count: count, domain, math: math)
        if let members = domain.members, !members.isEmpty {
            let scanned = first ?? count
            if members.count <= 4 {
                if let j = S.firstNotMember(x, count: scanned, members, math: math) { first = j }
            } else {
                for i in 0..<scanned where !domain.contains(x[i].asDouble) { return i }
            }
        }
        return first
    }

    /// Checks every pred and target element against the loss's domains.
    @inlinable
    static func checkDomains<L: ElementwiseLoss, S: KernelScalar>(_ loss: L, _ b: KernelBatch<S>, _ math: VectorMath) throws(LossFailure) {
        let count = b.rows * b.predColumns
        guard count > 0, let pred = b.pred, let target = b.target else { return }
        let pd = loss.boundPredDomain, td = L.targetDomain
        if !pd.isUnbounded, let i = firstOutside(pred, count, pd, math) {
            throw .domain(.pred, row: i / b.predColumns, column: i % b.predColumns, value: pred[i].asDouble, expected: pd.description)
        }
        if !td.isUnbounded, let i = firstOutside(target, count, td, math) {
            throw .domain(.target, row: i / b.predColumns, column: i % b.predColumns, value: target[i].asDouble, expected: td.description)
        }
    }

    /// One element: its weighted value (returned: unused, and so not computed
    /// once inlined, where the caller does not sum it) and the wanted outputs.
    /// `wantV` / `wantG` / `wantH` / `perElement` are constants at every call
    /// site, so each combination compiles to its own branch-free loop body.
    @inlinable @inline(__always)
    static func element<L: ElementwiseLoss, S: KernelScalar, V: KernelFlag, G: KernelFlag, H: KernelFlag, E: KernelFlag>(
        _ loss: L, _ p: UnsafePointer<S>, _ t: UnsafePointer<S>, _ i: Int, _ scale: Double, _ ew: UnsafePointer<S>,
        _ v: UnsafeMutablePointer<S>, _ g: UnsafeMutablePointer<S>, _ h: UnsafeMutablePointer<S>,
        _: V.Type, _: G.Type, _: H.Type, _: E.Type
    ) -> Double {
        let perElement = E.on, wantV = V.on, wantG = G.on, wantH = H.on
        let w = perElement ? ew[i].asDouble : scale
        if wantG || wantH {
            let e = loss.derivatives(pred: p[i].asDouble, target: t[i].asDouble)
            let value = w * e.value
            if wantV { v[i] = S(fromDouble: value) }
            if wantG { g[i] = S(fromDouble: w * e.gradient) }
            if wantH { h[i] = S(fromDouble: w * e.hessian) }
            return value
        } else {
            let value = w * loss.value(pred: p[i].asDouble, target: t[i].asDouble)
            if wantV { v[i] = S(fromDouble: value) }
            return value
        }
    }

    /// x(0) … x(n − 1) added to four partial sums: x(k) to s(k mod 4), the tail to s0.
    @inlinable @inline(__always)
    static func addInFours(_ n: Int, _ s0: inout Double, _ s1: inout Double, _ s2: inout Double, _ s3: inout Double,
                           _ x: (Int) -> Double) {
        var k = 0
        while k &+ 4 <= n {
            s0 += x(k)
            s1 += x(k &+ 1)
            s2 += x(k &+ 2)
            s3 += x(k &+ 3)
            k &+= 4
        }
        while k < n {
            s0 += x(k)
            k &+= 1
        }
    }

    /// Elements `start..<end`, four partial sums combined in a fixed order (0
    /// without `U`: the value is not wanted). The wanted outputs are types
    /// (`KernelFlag`), so every specialisation has them as constants: no
    /// per-element test, whether or not this is inlined.
    @inlinable
    static func span<L: ElementwiseLoss, S: KernelScalar, V: KernelFlag, U: KernelFlag, G: KernelFlag, H: KernelFlag, E: KernelFlag>(
        _ loss: L, _ p: UnsafePointer<S>, _ t: UnsafePointer<S>, _ start: Int, _ end: Int, _ scale: Double,
        _ ew: UnsafePointer<S>, _ v: UnsafeMutablePointer<S>, _ g: UnsafeMutablePointer<S>, _ h: UnsafeMutablePointer<S>,
        _ fv: V.Type, _: U.Type, _ fg: G.Type, _ fh: H.Type, _ fe: E.Type
    ) -> Double {
        guard U.on else {
            for i in start..<end { _ = element(loss, p, t, i, scale, ew, v, g, h, fv, fg, fh, fe) }
            return 0
        }
        // Blocks of `block` elements: a loop with no reduction in it (so the
        // compiler can vectorise it) writes the weighted values to a stack
        // buffer, then four partial sums add the buffer up in a fixed order.
        // 128 Doubles: within the 1 KiB that `withUnsafeTemporaryAllocation`
        // always puts on the stack (a larger buffer may go to the heap, per call).
        let block = 128
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: block) { buffer -> Double in
            let tmp = buffer.baseAddress!
            var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
            var i = start
            while i < end {
                let n = min(block, end &- i)
                for k in 0..<n {
                    tmp[k] = element(loss, p, t, i &+ k, scale, ew, v, g, h, fv, fg, fh, fe)
                }
                addInFours(n, &s0, &s1, &s2, &s3) { tmp[$0] }
                i &+= n
            }
            return (s0 + s1) + (s2 + s3)
        }
    }

    /// Elements `start..<end` of a block loss: blocks of `ElementBlock.capacity`
    /// copied into the kit's lanes, evaluated by the loss with vector math,
    /// weighted and stored; the same fixed-order partial sums as `span`.
    /// Without `U` the blocks say `wantsValue: false` and the value lane is
    /// never read. The lanes are `scratch`'s when given (else allocated here).
    @inlinable
    static func blockSpan<L: ElementwiseLoss, S: KernelScalar, V: KernelFlag, U: KernelFlag, G: KernelFlag, H: KernelFlag, E: KernelFlag>(
        _ loss: L, _ p: UnsafePointer<S>, _ t: UnsafePointer<S>, _ start: Int, _ end: Int, _ scale: Double,
        _ ew: UnsafePointer<S>, _ v: UnsafeMutablePointer<S>, _ g: UnsafeMutablePointer<S>, _ h: UnsafeMutablePointer<S>,
        _: V.Type, _: U.Type, _: G.Type, _: H.Type, _: E.Type, _ math: VectorMath, _ scratch: BlockScratch?
    ) -> Double {
        let perElement = E.on, wantV = V.on, used = U.on, wantG = G.on, wantH = H.on
        let capacity = ElementBlock<S>.capacity
        let lanes = ElementBlock<S>.lanes
        let memory = scratch?.take() ?? .allocate(byteCount: BlockScratch.bytes, alignment: 64)
        defer {
            if let scratch { scratch.giveBack(memory) } else { memory.deallocate() }
        }
        // Trivial values: each lane is written before it is read.
        let base = memory.bindMemory(to: S.self, capacity: lanes * capacity)
        let tmp = (memory + lanes * capacity * MemoryLayout<S>.stride).bindMemory(to: Double.self, capacity: capacity)
        let pb = base, tb = base + capacity
        let vb = base + 2 * capacity, gb = base + 3 * capacity, hb = base + 4 * capacity
        var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
        var i = start
        while i < end {
            let n = min(capacity, end &- i)
            pb.update(from: p + i, count: n)
            tb.update(from: t + i, count: n)
            loss.evaluate(block: ElementBlock(count: n, math: math, wantsValue: used, wantsDerivatives: wantG || wantH,
                                               storage: base))
            if !perElement && scale == 1 {
                // Unweighted: the lanes are the outputs (in S: no round trip
                // through Double), and the values are summed in Double.
                if wantG { (g + i).update(from: gb, count: n) }
                if wantH { (h + i).update(from: hb, count: n) }
                if wantV { (v + i).update(from: vb, count: n) }
                if used { addInFours(n, &s0, &s1, &s2, &s3) { vb[$0].asDouble } }
                i &+= n
                continue
            }
            // One simple loop per output (each vectorises on its own, whatever
            // the optimiser merges): the weights, then w·ℓ′, w·ℓ″, w·ℓ.
            if perElement {
                for k in 0..<n { tmp[k] = ew[i &+ k].asDouble }
            } else {
                for k in 0..<n { tmp[k] = scale }
            }
            if wantG { for k in 0..<n { g[i &+ k] = S(fromDouble: tmp[k] * gb[k].asDouble) } }
            if wantH { for k in 0..<n { h[i &+ k] = S(fromDouble: tmp[k] * hb[k].asDouble) } }
            if used {
                for k in 0..<n { tmp[k] = tmp[k] * vb[k].asDouble }
                if wantV { for k in 0..<n { v[i &+ k] = S(fromDouble: tmp[k]) } }
                addInFours(n, &s0, &s1, &s2, &s3) { tmp[$0] }
            }
            i &+= n
        }
        return (s0 + s1) + (s2 + s3)
    }

    /// One loop (per-element or block) for the given outputs, per-element
    /// weights (`elementWeight`) or one `scale`.
    @inlinable @inline(__always)
    static func run<L: ElementwiseLoss, S: KernelScalar, V: KernelFlag, U: KernelFlag, G: KernelFlag, H: KernelFlag>(
        _ loss: L, _ b: KernelBatch<S>, _ start: Int, _ end: Int, _ scale: Double, _ elementWeight: UnsafePointer<S>?,
        _ fv: V.Type, _ fu: U.Type, _ fg: G.Type, _ fh: H.Type, _ math: VectorMath, _ scratch: BlockScratch?
    ) -> Double {
        let p = b.pred!, t = b.target!
        let unused = UnsafeMutablePointer<S>(bitPattern: 64)!  // never read or written: its flag is off
        let v = b.values ?? unused, g = b.gradient ?? unused, h = b.hessian ?? unused
        if let ew = elementWeight {
            return L.evaluatesBlocks
                ? blockSpan(loss, p, t, start, end, scale, ew, v, g, h, fv, fu, fg, fh, On.self, math, scratch)
                : span(loss, p, t, start, end, scale, ew, v, g, h, fv, fu, fg, fh, On.self)
        }
        let ew = UnsafePointer(unused)
        return L.evaluatesBlocks
            ? blockSpan(loss, p, t, start, end, scale, ew, v, g, h, fv, fu, fg, fh, Off.self, math, scratch)
            : span(loss, p, t, start, end, scale, ew, v, g, h, fv, fu, fg, fh, Off.self)
    }

    /// Picks the loop for the outputs `b` asks for. `elementWeight`: one weight
    /// per element (one-column batches); otherwise every element is scaled by
    /// `scale`. The value is computed only for the values or the sum (`wantsSum`).
    @inlinable
    static func fused<L: ElementwiseLoss, S: KernelScalar>(
        _ loss: L, _ b: KernelBatch<S>, _ start: Int, _ end: Int, scale: Double, elementWeight: UnsafePointer<S>?,
        math: VectorMath, scratch: BlockScratch?
    ) -> Double {
        let w = elementWeight
        switch (b.values != nil, b.values != nil || b.wantsSum, b.gradient != nil, b.hessian != nil) {
        case (true, _, false, false): return run(loss, b, start, end, scale, w, On.self, On.self, Off.self, Off.self, math, scratch)
        case (true, _, false, true): return run(loss, b, start, end, scale, w, On.self, On.self, Off.self, On.self, math, scratch)
        case (true, _, true, false): return run(loss, b, start, end, scale, w, On.self, On.self, On.self, Off.self, math, scratch)
        case (true, _, true, true): return run(loss, b, start, end, scale, w, On.self, On.self, On.self, On.self, math, scratch)
        case (false, true, false, false): return run(loss, b, start, end, scale, w, Off.self, On.self, Off.self, Off.self, math, scratch)
        case (false, true, false, true): return run(loss, b, start, end, scale, w, Off.self, On.self, Off.self, On.self, math, scratch)
        case (false, true, true, false): return run(loss, b, start, end, scale, w, Off.self, On.self, On.self, Off.self, math, scratch)
        case (false, true, true, true): return run(loss, b, start, end, scale, w, Off.self, On.self, On.self, On.self, math, scratch)
        case (false, false, false, false): return 0  // nothing wanted
        case (false, false, false, true): return run(loss, b, start, end, scale, w, Off.self, Off.self, Off.self, On.self, math, scratch)
        case (false, false, true, false): return run(loss, b, start, end, scale, w, Off.self, Off.self, On.self, Off.self, math, scratch)
        case (false, false, true, true): return run(loss, b, start, end, scale, w, Off.self, Off.self, On.self, On.self, math, scratch)
        }
    }

    /// Evaluates an element-wise loss over a batch (float64 or float32), with
    /// vector math at `math`'s level (a test passes each level; plugins use the
    /// best); a block loss's lanes are `scratch`'s (an instance's) when given.
    @inlinable
    public static func elementwise<L: ElementwiseLoss, S: KernelScalar>(
        _ loss: L, _ b: KernelBatch<S>, math: VectorMath = .best, scratch: BlockScratch? = nil
    ) throws(LossFailure) -> BatchTotals {
        try checkDomains(loss, b, math)
        let d = b.predColumns
        let count = b.rows * d
        guard count > 0, b.pred != nil, b.target != nil else {
            return .init(sum: 0, normalizer: 0)
        }
        guard let weight = b.weight else {
            let sum = fused(loss, b, 0, count, scale: 1, elementWeight: nil, math: math, scratch: scratch)
            return .init(sum: sum, normalizer: Double(d) * Double(b.rows))
        }
        let weights = weightSum(weight, b.rows)
        var sum = 0.0
        if d == 1 {
            sum = fused(loss, b, 0, count, scale: 1, elementWeight: weight, math: math, scratch: scratch)
        } else {
            for r in 0..<b.rows {
                sum += fused(loss, b, r * d, (r + 1) * d, scale: weight[r].asDouble, elementWeight: nil, math: math, scratch: scratch)
            }
        }
        return .init(sum: sum, normalizer: Double(d) * weights)
    }

    /// A block's gradient or Hessian lane into the batch's output, each row
    /// scaled by its weight when there are weights.
    @inlinable
    static func store<S: KernelScalar>(_ lane: RowLane<S>, _ out: UnsafeMutablePointer<S>, rows: Int, columns d: Int,
                                       weight: UnsafePointer<S>?) {
        guard let weight else {
            out.update(from: lane.base, count: rows &* d)
            return
        }
        for r in 0..<rows {
            let w = weight[r].asDouble
            for j in 0..<d { out[r &* d &+ j] = S(fromDouble: w * lane.base[r &* d &+ j].asDouble) }
        }
    }

    /// Evaluates a row loss over a batch (float64 or float32), block by block
    /// (`RowLoss.evaluate(block:)`), with vector math at `math`'s level: each
    /// block's rows are copied into the kit's lanes, evaluated, weighted and
    /// stored; the sum and the normalizer add the rows in order, in Double.
    @inlinable
    public static func rowwise<L: RowLoss, S: KernelScalar>(_ loss: L, _ b: KernelBatch<S>, math: VectorMath = .best) throws(LossFailure) -> BatchTotals {
        try loss.validate(predColumns: b.predColumns, targetColumns: b.targetColumns)
        guard b.rows > 0, let pred = b.pred, let target = b.target else {
            return .init(sum: 0, normalizer: 0)
        }
        let d = b.predColumns, t = b.targetColumns
        let storage = RowBlockStorage<S>(rows: b.rows, predColumns: d, targetColumns: t)
        var sum = 0.0
        var normalizer = 0.0
        var start = 0
        while start < b.rows {
            let rows = min(storage.rowsPerBlock, b.rows &- start)
            let block = RowBlock(rows: rows, math: math, wantsGradient: b.gradient != nil, wantsHessian: b.hessian != nil,
                                 storage: storage)
            block.pred.base.update(from: pred + start &* d, count: rows &* d)
            block.target.base.update(from: target + start &* t, count: rows &* t)
            block.normalizer.base.update(repeating: 1, count: rows)
            do {
                try loss.evaluate(block: block)
            } catch {
                var failure = error
                failure.row = start + (failure.row ?? 0)
                throw failure
            }
            for r in 0..<rows {
                let w = b.weight?[start &+ r].asDouble ?? 1
                let v = w * block.value[r]
                b.values?[start &+ r] = S(fromDouble: v)
                sum += v
                normalizer += w * block.normalizer[r]
            }
            if let out = b.gradient { store(block.gradient, out + start &* d, rows: rows, columns: d, weight: b.weight.map { $0 + start }) }
            if let out = b.hessian { store(block.hessian, out + start &* d, rows: rows, columns: d, weight: b.weight.map { $0 + start }) }
            start &+= rows
        }
        return .init(sum: sum, normalizer: normalizer)
    }
}

/// A compile-time yes / no for the kit's loops (see `Kernels.span`).
@usableFromInline protocol KernelFlag { static var on: Bool { get } }
@usableFromInline enum On: KernelFlag { @inlinable static var on: Bool { true } }
@usableFromInline enum Off: KernelFlag { @inlinable static var on: Bool { false } }
