import LossKit

/// The standard losses of LOSSES.md as one plugin table, `std`.
public enum StandardPlugin {
    /// The id the standard losses are registered under.
    public static let id = "std"

    /// Every standard loss, in the order `list` shows them.
    public static let losses: [LossExport] = [
        .elementwise(MSE.self),
        .elementwise(MAE.self),
        .elementwise(Huber.self),
        .elementwise(SmoothL1.self),
        .elementwise(LogCosh.self),
        .elementwise(PseudoHuber.self),
        .elementwise(Quantile.self),
        .elementwise(PoissonNLL.self),
        .elementwise(Tweedie.self),
        .elementwise(GammaNLL.self),
        .elementwise(MAPE.self),
        .elementwise(MSLE.self),
        .rowwise(GaussianNLL.self),
        .elementwise(BCE.self),
        .elementwise(BCEWithLogits.self),
        .elementwise(Focal.self),
        .elementwise(Hinge.self),
        .elementwise(SquaredHinge.self),
        .elementwise(SoftMargin.self),
        .elementwise(HingeEmbedding.self),
        .rowwise(CrossEntropy.self),
        .rowwise(NLL.self),
        .rowwise(MultiMargin.self),
        .rowwise(KLDiv.self),
        .rowwise(MultilabelSoftMargin.self),
    ]

    /// The C table; the host loads it through the same path as any plugin.
    public static let table = PluginTable(
        id: id, version: "1.0.0", summary: "the standard losses (LOSSES.md)", losses: losses)
}
