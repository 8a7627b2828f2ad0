"""The package's one error type, and the fixes it names in Python's terms."""
from __future__ import annotations

from typing import Optional

#: What to do about each kind of host failure a caller can act on, in this
#: package's terms (the host's message names no setting; the C API's names C flags).
FIXES = {
    "nonfinite_input": "use Host(allow_nonfinite=True) to accept it",
    "undefined_mean": 'use reduction="sum"',
    "unknown_loss": "Host.losses() lists the losses",
}


class LossError(ValueError):
    """A loss the host refused, a bad parameter or input, or a failed check; the
    message is the host's one line, with the Python fix when there is one.
    `kind` names the failures a caller can act on: "nonfinite_input" (a NaN or
    infinite pred or target), "undefined_mean" (mean over all-zero weights or
    no rows), "unwritten_output" (a plugin left an output unwritten),
    "unknown_loss" (an id that names no loss); else None."""

    def __init__(self, message: str, kind: Optional[str] = None):
        super().__init__(message)
        self.kind = kind

    def __reduce__(self):
        return (type(self), (str(self), self.kind))


def host_error(message: str, kind: Optional[str]) -> LossError:
    """The error for a failed host call: its message plus the Python fix for its kind."""
    fix = FIXES.get(kind) if kind else None
    return LossError(f"{message} ({fix})" if fix else message, kind)
