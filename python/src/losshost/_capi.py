"""The C host API (include/losshost_host.h) through ctypes: finding the library,
its structs and prototypes. The only module that touches C pointers."""
from __future__ import annotations

import ctypes
import os
import threading
from pathlib import Path

from ._errors import LossError, host_error

API_MAJOR = 1

LH_OK = 0

ALLOW_UNSAFE_PLUGINS = 1 << 0
ONLY_PLUGIN_DIRS = 1 << 1
ALLOW_NONFINITE = 1 << 2

F64 = 0
F32 = 1

MEAN = 0
SUM = 1
NONE = 2

CHECK_CACHED = 1 << 0

#: lh_host_outputs.flags (host API 1.2).
OUTPUT_NO_SUM = 1 << 0
OUTPUT_FACTS = 1 << 1

#: lh_host_last_error_kind() codes (host API 1.1) and the LossError.kind each becomes.
ERROR_KINDS = {1: "nonfinite_input", 2: "undefined_mean", 3: "unwritten_output", 4: "unknown_loss"}

LIBRARY_NAME = "liblosshost-host.so"
LIBRARY_VARIABLE = "LOSSHOST_LIBRARY"


class HostConfig(ctypes.Structure):
    _fields_ = [
        ("struct_size", ctypes.c_uint32),
        ("flags", ctypes.c_uint32),
        ("plugin_dirs", ctypes.POINTER(ctypes.c_char_p)),
        ("plugin_dir_count", ctypes.c_uint32),
        ("threads", ctypes.c_uint32),
        ("worker_executable", ctypes.c_char_p),
        ("cache_dir", ctypes.c_char_p),
        ("scan_timeout", ctypes.c_double),
        ("call_timeout", ctypes.c_double),
        ("eval_timeout", ctypes.c_double),
    ]


class HostParam(ctypes.Structure):
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("values", ctypes.POINTER(ctypes.c_double)),
        ("count", ctypes.c_uint64),
    ]


class HostBatch(ctypes.Structure):
    _fields_ = [
        ("struct_size", ctypes.c_uint32),
        ("dtype", ctypes.c_int32),
        ("rows", ctypes.c_uint64),
        ("pred_columns", ctypes.c_uint32),
        ("target_columns", ctypes.c_uint32),
        ("pred", ctypes.c_void_p),
        ("target", ctypes.c_void_p),
        ("weight", ctypes.c_void_p),
    ]


class HostOutputs(ctypes.Structure):
    _fields_ = [
        ("struct_size", ctypes.c_uint32),
        ("reduction", ctypes.c_int32),
        ("values", ctypes.c_void_p),
        ("gradient", ctypes.c_void_p),
        ("hessian", ctypes.c_void_p),
        ("value", ctypes.c_double),
        ("sum", ctypes.c_double),
        ("normalizer", ctypes.c_double),
        # 1.2
        ("flags", ctypes.c_uint32),
        ("reserved", ctypes.c_uint32),
        ("gradient_nonfinite_first", ctypes.c_int64),
        ("hessian_negative_first", ctypes.c_int64),
        ("hessian_zero_first", ctypes.c_int64),
    ]


NATIVE = Path(__file__).resolve().parent / "_native"


def _candidates() -> list[Path]:
    """Where the library is looked for, in order, when LOSSHOST_LIBRARY is unset:
    the wheel's own copy, then the repository's build."""
    if (NATIVE / LIBRARY_NAME).is_file():
        return [NATIVE / LIBRARY_NAME]
    roots: list[Path] = []
    try:
        from ._origin import REPOSITORY  # written by setup.py at install time

        roots.append(Path(REPOSITORY))
    except ImportError:
        pass
    # A source checkout used in place (PYTHONPATH=python/src or an editable install).
    roots.append(Path(__file__).resolve().parents[3])
    seen: list[Path] = []
    for root in roots:
        for config in ("release", "debug"):
            path = root / ".build" / config / LIBRARY_NAME
            if path not in seen:
                seen.append(path)
    return seen


def library_path() -> Path:
    """The host library this process uses: $LOSSHOST_LIBRARY, else the wheel's
    losshost/_native, else the repository's .build/release, then .build/debug."""
    named = os.environ.get(LIBRARY_VARIABLE)
    if named:
        path = Path(named).expanduser()
        if not path.is_file():
            raise LossError(f"{LIBRARY_VARIABLE}={named}: no such file; point it at {LIBRARY_NAME}")
        return path.resolve()
    candidates = _candidates()
    for path in candidates:
        if path.is_file():
            return path.resolve()
    looked = ", ".join(str(p) for p in candidates)
    raise LossError(
        f"cannot find {LIBRARY_NAME} (looked in {looked}); run `swift build` in the losshost "
        f"repository, or set {LIBRARY_VARIABLE} to the library's path"
    )


_lock = threading.Lock()
_library: ctypes.CDLL | None = None


def library() -> ctypes.CDLL:
    """The loaded host library with its prototypes (loaded once per process)."""
    global _library
    with _lock:
        if _library is None:
            _library = _load(library_path())
        return _library


def _load(path: Path) -> ctypes.CDLL:
    # CDLL (not PyDLL): every call releases the GIL.
    lib = ctypes.CDLL(str(path))
    vp = ctypes.c_void_p
    status = ctypes.c_int32
    prototypes = {
        "lh_host_api_version": (ctypes.c_uint32, []),
        "lh_host_last_error": (ctypes.c_char_p, []),
        "lh_host_last_error_kind": (ctypes.c_int32, []),
        "lh_host_last_error_message": (ctypes.c_char_p, []),
        "lh_host_free_string": (None, [vp]),
        "lh_host_open": (status, [ctypes.POINTER(HostConfig), ctypes.POINTER(vp)]),
        "lh_host_close": (None, [vp]),
        "lh_host_losses_json": (status, [vp, ctypes.POINTER(vp)]),
        "lh_host_loss_create": (status, [vp, ctypes.c_char_p, ctypes.POINTER(HostParam), ctypes.c_uint32,
                                         ctypes.POINTER(vp)]),
        "lh_host_loss_destroy": (None, [vp]),
        "lh_host_loss_info_json": (status, [vp, ctypes.POINTER(vp)]),
        "lh_host_loss_evaluate": (status, [vp, ctypes.POINTER(HostBatch), ctypes.POINTER(HostOutputs)]),
        "lh_host_loss_optimal_constant": (status, [vp, ctypes.POINTER(HostBatch), ctypes.POINTER(ctypes.c_double)]),
        "lh_host_check": (status, [vp, ctypes.c_char_p, ctypes.c_uint64, ctypes.c_uint32, ctypes.POINTER(vp)]),
        "lh_host_check_params": (status, [vp, ctypes.c_char_p, ctypes.POINTER(HostParam), ctypes.c_uint32,
                                          ctypes.c_uint64, ctypes.c_uint32, ctypes.POINTER(vp)]),
    }
    for name, (restype, argtypes) in prototypes.items():
        try:
            function = getattr(lib, name)
        except AttributeError:
            # An older library: the functions it has still work; a missing one says so when called.
            setattr(lib, name, _missing(path, name))
            continue
        function.restype = restype
        function.argtypes = argtypes
    version = lib.lh_host_api_version()
    if version >> 16 != API_MAJOR:
        raise LossError(
            f"{path}: host API {version >> 16}.{version & 0xFFFF}, this package needs {API_MAJOR}.x"
        )
    return lib


def _missing(path: Path, name: str):
    def call(*_args):
        raise LossError(f"{path} has no {name}: it is older than this package; run `swift build`")

    return call


def fail(lib: ctypes.CDLL, status: int) -> None:
    """Raises LossError when status is not LH_OK: the host's one-line message
    (without the C API's fix, which names C flags), its kind, and the Python fix."""
    if status == LH_OK:
        return
    if lib.lh_host_api_version() & 0xFFFF >= 1:
        kind = ERROR_KINDS.get(lib.lh_host_last_error_kind())
        message = (lib.lh_host_last_error_message() or b"").decode("utf-8", "replace")
    else:  # a 1.0 library: one message, no kinds
        kind, message = None, (lib.lh_host_last_error() or b"").decode("utf-8", "replace")
    raise host_error(message or f"host call failed with status {status}", kind)


def take_string(lib: ctypes.CDLL, pointer: ctypes.c_void_p) -> str:
    """Copies a string the host allocated and frees it."""
    try:
        return ctypes.string_at(pointer.value).decode("utf-8") if pointer.value else ""
    finally:
        lib.lh_host_free_string(pointer)


def open_host(plugin_dirs: list[str], flags: int, threads: int, worker: str | None,
              cache_dir: str | None) -> ctypes.c_void_p:
    if threads < 0:
        raise LossError(f"threads={threads}: must be >= 0 (0: every core)")
    lib = library()
    encoded = [os.fsencode(d) for d in plugin_dirs]
    dirs = (ctypes.c_char_p * max(1, len(encoded)))(*encoded)
    config = HostConfig(struct_size=ctypes.sizeof(HostConfig), flags=flags,
                        plugin_dirs=ctypes.cast(dirs, ctypes.POINTER(ctypes.c_char_p)) if encoded else None,
                        plugin_dir_count=len(encoded), threads=threads,
                        worker_executable=os.fsencode(worker) if worker else None,
                        cache_dir=os.fsencode(cache_dir) if cache_dir else None)
    handle = ctypes.c_void_p()
    fail(lib, lib.lh_host_open(ctypes.byref(config), ctypes.byref(handle)))
    return handle


def losses_json(host: ctypes.c_void_p) -> str:
    lib = library()
    out = ctypes.c_void_p()
    fail(lib, lib.lh_host_losses_json(host, ctypes.byref(out)))
    return take_string(lib, out)


def _param_array(params: dict[str, list[float]]):
    """An lh_host_param array, and the value buffers it points into (keep them alive)."""
    keep = []
    array = (HostParam * max(1, len(params)))()
    for i, (name, values) in enumerate(params.items()):
        buffer = (ctypes.c_double * max(1, len(values)))(*values)
        keep.append(buffer)
        array[i] = HostParam(name=name.encode("utf-8"), values=ctypes.cast(buffer, ctypes.POINTER(ctypes.c_double)),
                             count=len(values))
    return array, keep


def create_loss(host: ctypes.c_void_p, loss_id: str, params: dict[str, list[float]]) -> ctypes.c_void_p:
    lib = library()
    array, _keep = _param_array(params)
    handle = ctypes.c_void_p()
    fail(lib, lib.lh_host_loss_create(host, loss_id.encode("utf-8"), array, len(params), ctypes.byref(handle)))
    return handle


def loss_info_json(loss: ctypes.c_void_p) -> str:
    lib = library()
    out = ctypes.c_void_p()
    fail(lib, lib.lh_host_loss_info_json(loss, ctypes.byref(out)))
    return take_string(lib, out)


def _address(array) -> int | None:
    return None if array is None else array.ctypes.data


def _require_output_flags(lib) -> None:
    """lh_host_outputs.flags and the facts are host API 1.2."""
    if lib.lh_host_api_version() & 0xFFFF < 2:
        raise LossError(f"{library_path()} speaks host API 1.{lib.lh_host_api_version() & 0xFFFF}; the boosting "
                        f"bridges need 1.2: run `swift build`")


def evaluate(loss: ctypes.c_void_p, dtype: int, rows: int, pred_columns: int, target_columns: int,
             pred, target, weight, reduction: int, values, gradient, hessian, flags: int = 0) -> HostOutputs:
    """One evaluation over caller arrays (C-contiguous, of the batch's dtype); returns
    the outputs struct (value, sum, normalizer and, with OUTPUT_FACTS, the *_first facts)."""
    lib = library()
    if flags:
        _require_output_flags(lib)
    batch = HostBatch(struct_size=ctypes.sizeof(HostBatch), dtype=dtype, rows=rows, pred_columns=pred_columns,
                      target_columns=target_columns, pred=_address(pred), target=_address(target),
                      weight=_address(weight))
    outputs = HostOutputs(struct_size=ctypes.sizeof(HostOutputs), reduction=reduction, values=_address(values),
                          gradient=_address(gradient), hessian=_address(hessian), flags=flags)
    fail(lib, lib.lh_host_loss_evaluate(loss, ctypes.byref(batch), ctypes.byref(outputs)))
    return outputs


_evaluate_unconverted = None


class BoundEvaluation:
    """lh_host_loss_evaluate over fixed float64 arrays, called again and again: the
    batch and outputs structs are built once, and the three arguments are
    ready-made pointer values passed to a prototype without argument types, so
    ctypes converts nothing per call (through the typed prototype the
    conversions cost more than the host's work on a few hundred rows). A call
    returns the outputs struct, the same object every time: with OUTPUT_FACTS
    in `flags` its *_first fields are this call's facts. Like
    every call into the library it releases the GIL: for CatBoost's blocks,
    asked for by two threads at once, the other thread's Python then runs while
    this one's loss computes (measured in CatBoost's fit: no slower than keeping
    the GIL for std/mse, faster for std/bce_with_logits). Each call reads what the arrays
    hold at that moment; a loss with a call in progress on another thread is
    waited for."""

    def __init__(self, loss: ctypes.c_void_p, rows: int, pred_columns: int, target_columns: int, pred, target,
                 weight, gradient, hessian, flags: int = 0):
        global _evaluate_unconverted
        lib = library()
        if flags:
            _require_output_flags(lib)
        if _evaluate_unconverted is None:
            _evaluate_unconverted = ctypes.CFUNCTYPE(ctypes.c_int32)(
                ctypes.cast(lib.lh_host_loss_evaluate, ctypes.c_void_p).value)
        self._batch = HostBatch(struct_size=ctypes.sizeof(HostBatch), dtype=F64, rows=rows,
                                pred_columns=pred_columns, target_columns=target_columns, pred=_address(pred),
                                target=_address(target), weight=_address(weight))
        self._outputs = HostOutputs(struct_size=ctypes.sizeof(HostOutputs), reduction=SUM,
                                    gradient=_address(gradient), hessian=_address(hessian), flags=flags)
        self._arguments = (ctypes.c_void_p(loss.value), ctypes.c_void_p(ctypes.addressof(self._batch)),
                           ctypes.c_void_p(ctypes.addressof(self._outputs)))
        self._arrays = (pred, target, weight, gradient, hessian)  # the memory the structs point into

    def __call__(self) -> HostOutputs:
        status = _evaluate_unconverted(*self._arguments)
        if status != LH_OK:
            fail(library(), status)
        return self._outputs


def optimal_constant(loss: ctypes.c_void_p, rows: int, pred_columns: int, target_columns: int, target,
                     weight, out) -> None:
    lib = library()
    batch = HostBatch(struct_size=ctypes.sizeof(HostBatch), dtype=F64, rows=rows, pred_columns=pred_columns,
                      target_columns=target_columns, pred=None, target=_address(target), weight=_address(weight))
    fail(lib, lib.lh_host_loss_optimal_constant(loss, ctypes.byref(batch),
                                                ctypes.cast(out.ctypes.data, ctypes.POINTER(ctypes.c_double))))


def check(host: ctypes.c_void_p, target: str, seed: int, flags: int) -> str:
    lib = library()
    out = ctypes.c_void_p()
    fail(lib, lib.lh_host_check(host, target.encode("utf-8"), seed, flags, ctypes.byref(out)))
    return take_string(lib, out)


def check_params(host: ctypes.c_void_p, target: str, params: dict[str, list[float]], seed: int, flags: int) -> str:
    lib = library()
    array, _keep = _param_array(params)
    out = ctypes.c_void_p()
    fail(lib, lib.lh_host_check_params(host, target.encode("utf-8"), array, len(params), seed, flags,
                                       ctypes.byref(out)))
    return take_string(lib, out)


def destroy_loss(loss: ctypes.c_void_p) -> None:
    library().lh_host_loss_destroy(loss)


def close_host(host: ctypes.c_void_p) -> None:
    library().lh_host_close(host)
