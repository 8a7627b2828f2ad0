import ArgumentParser
import LossHostEngine

/// `--reduction mean|sum|none`.
extension Reduction: ExpressibleByArgument {}
