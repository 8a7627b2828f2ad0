"""The package's one error type."""


class LossError(ValueError):
    """A loss the host refused, a bad parameter or input, or a failed check; the
    message is the host's one line."""
