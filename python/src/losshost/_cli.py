"""The `losshost` console script: runs the losshost executable that sits next to the
host library (in a wheel, losshost/_native/losshost)."""
from __future__ import annotations

import os
import sys

from ._capi import library_path
from ._errors import LossError


def main() -> None:
    try:
        executable = library_path().parent / "losshost"
    except LossError as error:
        sys.exit(f"losshost: error: {error}")
    if not os.access(executable, os.X_OK):
        sys.exit(f"losshost: error: {executable} is missing; reinstall the losshost wheel")
    os.execv(executable, [str(executable), *sys.argv[1:]])
