/// A buffer of doubles with canary guard bands on both sides. Output buffers
/// are also filled with the canary inside, so an element the plugin never
/// wrote is found as well as one it wrote out of bounds.
final class GuardedBuffer {
    /// Guard doubles on each side.
    static let guardCount = 16
    /// A NaN with a payload no arithmetic produces.
    static let canary = Double(bitPattern: 0x7FF4_DEAD_BEEF_CAFE)

    let count: Int
    private let storage: UnsafeMutablePointer<Double>

    /// An output buffer: canaries everywhere.
    init(output count: Int) {
        self.count = count
        storage = .allocate(capacity: count + 2 * Self.guardCount)
        storage.initialize(repeating: Self.canary, count: count + 2 * Self.guardCount)
    }

    /// An input buffer: canaries around a copy of `values`.
    init(input values: [Double]) {
        count = values.count
        storage = .allocate(capacity: count + 2 * Self.guardCount)
        storage.initialize(repeating: Self.canary, count: count + 2 * Self.guardCount)
        for (i, x) in values.enumerated() { storage[Self.guardCount + i] = x }
    }

    deinit { storage.deallocate() }

    /// The first element.
    var pointer: UnsafeMutablePointer<Double> { storage + Self.guardCount }

    var contents: [Double] { Array(UnsafeBufferPointer(start: pointer, count: count)) }

    /// Where the guards were overwritten: "wrote past the end of gradient (1 element
    /// after its 3)", or nil.
    func guardViolation(_ name: String) -> String? {
        for i in 0..<Self.guardCount where storage[i].bitPattern != Self.canary.bitPattern {
            return "wrote \(Self.guardCount - i) element(s) before the start of \(name) (value \(formatCheckNumber(storage[i])))"
        }
        for i in 0..<Self.guardCount where storage[Self.guardCount + count + i].bitPattern != Self.canary.bitPattern {
            return "wrote past the end of \(name): element [\(count + i)] of a \(count)-element buffer = \(formatCheckNumber(storage[Self.guardCount + count + i]))"
        }
        return nil
    }

    /// The first element an output call left unwritten, or nil.
    func firstUnwritten() -> Int? {
        (0..<count).first { pointer[$0].bitPattern == Self.canary.bitPattern }
    }

    /// The first element that differs from `original`, or nil.
    func firstChange(from original: [Double]) -> Int? {
        (0..<count).first { pointer[$0].bitPattern != original[$0].bitPattern }
    }
}
