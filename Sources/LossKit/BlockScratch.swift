import Synchronization

/// The lanes and the weight buffer of `Kernels.blockSpan` (about 24 KB: too big
/// for the stack), kept by one instance between its calls: a call takes them
/// and gives them back, so a small batch allocates nothing. A call that finds
/// them taken (another thread evaluating the same instance) allocates its own.
public final class BlockScratch: Sendable {
    /// The kept memory's address; 0: none.
    private let kept = Atomic<Int>(0)

    public init() {}

    deinit {
        UnsafeMutableRawPointer(bitPattern: kept.load(ordering: .acquiring))?.deallocate()
    }

    /// Bytes for float64 lanes and buffer (float32 ones need half).
    @usableFromInline static var bytes: Int { (ElementBlock<Double>.lanes + 1) * ElementBlock<Double>.capacity * 8 }

    /// The kept memory, or new memory when another call holds it.
    @usableFromInline func take() -> UnsafeMutableRawPointer {
        UnsafeMutableRawPointer(bitPattern: kept.exchange(0, ordering: .acquiring))
            ?? .allocate(byteCount: Self.bytes, alignment: 64)
    }

    /// Keeps `memory` for the next call (frees it when some is kept already).
    @usableFromInline func giveBack(_ memory: UnsafeMutableRawPointer) {
        UnsafeMutableRawPointer(bitPattern: kept.exchange(Int(bitPattern: memory), ordering: .acquiringAndReleasing))?.deallocate()
    }
}
