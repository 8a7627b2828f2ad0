/// What the evaluation does to each chunk besides calling the plugin, in the
/// same pass while the chunk is in cache: scan its pred and target, mark and
/// check its outputs, look at its derivatives. Errors are the same as those of
/// separate whole-buffer passes (a chunk that finds a fault sends the
/// evaluation to the whole-buffer check that names it).
package struct ChunkGuards: Sendable {
    /// Refuse NaN and infinite pred and target values (`NonFiniteInput`).
    package var refuseNonFinite = false
    /// Fill the outputs with `UnwrittenOutput`'s marker before the call and
    /// look for it after (plugins other than the built-ins).
    package var markOutputs = false
    /// Ask the plugin for the sum; false passes a NULL sum (and a NULL
    /// normalizer unless `mean` scales derivatives), and the sum is NaN.
    package var sum = true
    /// Find the gradient's and Hessian's `DerivativeFacts`.
    package var facts = false

    package init(refuseNonFinite: Bool = false, markOutputs: Bool = false, sum: Bool = true, facts: Bool = false) {
        self.refuseNonFinite = refuseNonFinite
        self.markOutputs = markOutputs
        self.sum = sum
        self.facts = facts
    }
}
