import ArgumentParser
import LossHostCore

/// `--reduction mean|sum|none`.
extension Reduction: ExpressibleByArgument {}
