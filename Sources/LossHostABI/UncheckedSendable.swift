/// Hands a closure over raw buffers to worker threads that touch disjoint parts.
package struct UncheckedSendable<T>: @unchecked Sendable {
    package let value: T
    package init(_ value: T) { self.value = value }
}
