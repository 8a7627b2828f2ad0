"""Compiling C plugins against the installed header, in the spirit of
`torch.utils.cpp_extension.load`: `include_dir()` and `build_plugin()`."""
from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Optional, Sequence, Union

from ._capi import NATIVE, library_path
from ._errors import LossError

HEADER = "losshost.h"
PLUGIN_ID = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
# Vector math from glibc's libmvec for loops marked `#pragma omp simd` (docs/ABI.md).
DEFAULT_FLAGS = ("-O2", "-fno-math-errno", "-fopenmp-simd")


def include_dir() -> str:
    """The folder that holds losshost.h (and losshost_host.h): `-I` for a C compiler,
    as numpy.get_include() is for numpy's headers."""
    # The wheel's copy, else the checkout the library was built in (an ancestor of its folder).
    folders = [NATIVE / "include", *(ancestor / "include" for ancestor in library_path().parents)]
    for folder in folders:
        if (folder / HEADER).is_file():
            return str(folder)
    raise LossError(f"cannot find {HEADER}: reinstall the losshost wheel, or run from a losshost checkout")


def _compiler() -> list[str]:
    named = os.environ.get("CC") or "cc"
    words = shlex.split(named)
    if not words or shutil.which(words[0]) is None:
        raise LossError(f"no C compiler found ({'CC=' + named if 'CC' in os.environ else 'cc'} is not on PATH): "
                        "install one (gcc or clang, e.g. `apt-get install gcc`) or set CC to its path")
    return words


def build_plugin(sources: Union[str, os.PathLike, Sequence[Union[str, os.PathLike]]], *, name: str,
                 output_dir: Optional[Union[str, os.PathLike]] = None, extra_cflags: Sequence[str] = (),
                 check: bool = True) -> Path:
    """Compiles C `sources` into `output_dir/libNAME.so` against the installed header
    (hidden visibility, -lm), runs `losshost check` on it unless check=False, and
    returns the folder, ready for `Host(plugin_dirs=[folder])`. `name` is the
    plugin's id (the `id` of its table). Raises LossError with the compiler's output
    or the failed checks."""
    if not PLUGIN_ID.match(name):
        raise LossError(f"{name!r} is not a plugin id: a lowercase letter, then lowercase letters, digits or _")
    files = [Path(sources)] if isinstance(sources, (str, os.PathLike)) else [Path(s) for s in sources]
    if not files:
        raise LossError("build_plugin needs at least one C source file")
    for file in files:
        if not file.is_file():
            raise LossError(f"{file}: no such source file")
    folder = Path(output_dir) if output_dir is not None else Path(tempfile.mkdtemp(prefix=f"losshost-{name}-"))
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"lib{name}.so"
    partial = folder / f".lib{name}.so.partial"
    command = [*_compiler(), "-std=c11", *DEFAULT_FLAGS, *extra_cflags, "-shared", "-fPIC", "-fvisibility=hidden",
               "-Wl,--no-undefined", "-I", include_dir(), *map(str, files), "-o", str(partial), "-lm"]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        partial.unlink(missing_ok=True)
        raise LossError(f"compiling {', '.join(map(str, files))} failed:\n{(done.stderr or done.stdout).strip()}")
    partial.replace(target)
    if check:
        from ._host import Host

        report = Host(plugin_dirs=[str(folder)], only_plugin_dirs=True).check(str(target), cached=False)
        failed = [c for c in report.get("checks", []) if str(c.get("result", "")).upper().startswith("FAIL")]
        if failed:
            first = failed[0]
            raise LossError(f"{target}: losshost check failed {len(failed)} check(s); first: "
                            f"{first.get('check')}: {first.get('detail', '')}")
    return folder
