// The host's layers under one import: `import LossHostCore` is the whole library.
@_exported import LossHostABI
@_exported import LossHostCheck
@_exported import LossHostEngine
@_exported import LossHostIO
@_exported import LossHostIsolation
@_exported import LossHostScalar
@_exported import LossHostTools
