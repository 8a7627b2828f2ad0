"""One library, three clients: the same inputs through the `losshost eval` CLI, the
C host API (called here through ctypes, status and last error read raw) and the
Python API give the same values (1e-12 relative) and, for every bad input of the
CLI's bad-input tests, the same error: one library message (the input's file in
the CLI where the others name the input), the same kind, and each client's own fix."""
from __future__ import annotations

import ctypes
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import numpy as np
import pytest

import losshost
from losshost import _capi
from conftest import REPO, cli_json, compile_plugin, run_cli

LH_ERR_INVALID_ARGUMENT, LH_ERR_SHAPE, LH_ERR_DOMAIN, LH_ERR_UNSUPPORTED, LH_ERR_INTERNAL = 1, 2, 3, 5, 6
KIND_CODES = {None: 0, "nonfinite_input": 1, "undefined_mean": 2, "unwritten_output": 3, "unknown_loss": 4}
CLI_FIX = {"nonfinite_input": "use --allow-nonfinite to accept it", "undefined_mean": "use --reduction sum",
           "unknown_loss": "`losshost list` shows the losses"}
C_FIX = {"nonfinite_input": "set LH_HOST_ALLOW_NONFINITE to accept it", "undefined_mean": "use LH_HOST_SUM",
         "unknown_loss": "lh_host_losses_json lists the losses"}
PY_FIX = {"nonfinite_input": "use Host(allow_nonfinite=True) to accept it", "undefined_mean": 'use reduction="sum"',
          "unknown_loss": "Host.losses() lists the losses"}
REDUCTIONS = {"mean": _capi.MEAN, "sum": _capi.SUM, "none": _capi.NONE}


def with_fix(message: str, kind: Optional[str], fixes: dict[str, str]) -> str:
    return f"{message} ({fixes[kind]})" if kind in fixes else message


@pytest.fixture(scope="module")
def skips_dir(tmp_path_factory) -> Path:
    """A folder with the repository's faulty plugin `skips` (writes half its gradient, has no Hessian)."""
    folder = tmp_path_factory.mktemp("skips")
    folder.chmod(0o755)
    compile_plugin(REPO / "Tests" / "Fixtures" / "plugins" / "skips_outputs.c", folder / "libskips.so")
    return folder


# ---------------------------------------------------------------- the C API, raw

class RawHost:
    """A host opened through lh_host_open directly, searching what the CLI searches:
    statuses and last errors as C gives them."""

    def __init__(self, plugin_dirs: list[str], flags: int, cache_dir: str):
        self.lib = _capi.library()
        encoded = [os.fsencode(d) for d in plugin_dirs]
        dirs = (ctypes.c_char_p * max(1, len(encoded)))(*encoded)
        config = _capi.HostConfig(struct_size=ctypes.sizeof(_capi.HostConfig), flags=flags,
                                  plugin_dirs=ctypes.cast(dirs, ctypes.POINTER(ctypes.c_char_p)) if encoded else None,
                                  plugin_dir_count=len(encoded), threads=2, cache_dir=os.fsencode(cache_dir))
        self.handle = ctypes.c_void_p()
        assert self.lib.lh_host_open(ctypes.byref(config), ctypes.byref(self.handle)) == 0, self.lib.lh_host_last_error()

    def close(self):
        self.lib.lh_host_close(self.handle)

    def last_error(self) -> tuple[str, str, int]:
        """(lh_host_last_error, lh_host_last_error_message, lh_host_last_error_kind)."""
        return (self.lib.lh_host_last_error().decode(), self.lib.lh_host_last_error_message().decode(),
                self.lib.lh_host_last_error_kind())

    def create(self, loss_id: str, params: dict[str, list[float]]):
        array = (_capi.HostParam * max(1, len(params)))()
        keep = []
        for i, (name, values) in enumerate(params.items()):
            buffer = (ctypes.c_double * max(1, len(values)))(*values)
            keep.append(buffer)
            array[i] = _capi.HostParam(name=name.encode(), values=ctypes.cast(buffer, ctypes.POINTER(ctypes.c_double)),
                                       count=len(values))
        loss = ctypes.c_void_p()
        status = self.lib.lh_host_loss_create(self.handle, loss_id.encode(), array, len(params), ctypes.byref(loss))
        return status, loss

    def evaluate(self, loss, pred: np.ndarray, target: np.ndarray, weight: Optional[np.ndarray], reduction: int,
                 gradient: bool, hessian: bool, value_count: int):
        values = np.full(value_count, np.nan) if reduction == _capi.NONE else None
        g = np.full(pred.size, np.nan) if gradient else None
        h = np.full(pred.size, np.nan) if hessian else None

        def address(a):
            return None if a is None else a.ctypes.data

        batch = _capi.HostBatch(struct_size=ctypes.sizeof(_capi.HostBatch), dtype=_capi.F64, rows=pred.shape[0],
                                pred_columns=1 if pred.ndim == 1 else pred.shape[1],
                                target_columns=1 if target.ndim == 1 else target.shape[1],
                                pred=address(pred), target=address(target), weight=address(weight))
        out = _capi.HostOutputs(struct_size=ctypes.sizeof(_capi.HostOutputs), reduction=reduction,
                                values=address(values), gradient=address(g), hessian=address(h))
        status = self.lib.lh_host_loss_evaluate(loss, ctypes.byref(batch), ctypes.byref(out))
        return status, out.value, values, g, h


# ---------------------------------------------------------------- the cases

@dataclass
class Case:
    name: str
    loss: str
    pred: list
    target: list
    weight: Optional[list] = None
    params: dict[str, Any] = field(default_factory=dict)
    reduction: str = "mean"
    gradient: bool = True
    hessian: bool = False
    plugin: Optional[str] = None  # "skips": the faulty plugin's folder is searched
    allow_nonfinite: bool = False


def _arrays(case: Case):
    pred = np.ascontiguousarray(case.pred, dtype=np.float64)
    target = np.ascontiguousarray(case.target, dtype=np.float64)
    weight = None if case.weight is None else np.ascontiguousarray(case.weight, dtype=np.float64)
    return pred, target, weight


def _number_list(value) -> list[float]:
    return [float(v) for v in np.asarray(value, dtype=np.float64).reshape(-1)]


def _typed(v: float) -> str:
    """A number as a person types it on the command line (the CLI's messages quote it so)."""
    return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)


def _cli_args(case: Case, folder: Path, skips_dir: Path) -> tuple[list[str], dict[str, str]]:
    """`eval` arguments for the case's inputs saved as .npy files, and input name -> file."""
    pred, target, weight = _arrays(case)
    files = {"pred": str(folder / "p.npy"), "target": str(folder / "t.npy")}
    np.save(files["pred"], pred)
    np.save(files["target"], target)
    args = ["eval", case.loss, "--pred", files["pred"], "--target", files["target"], "--reduction", case.reduction]
    if weight is not None:
        files["weight"] = str(folder / "w.npy")
        np.save(files["weight"], weight)
        args += ["--weight", files["weight"]]
    for name, value in case.params.items():
        args += ["--param", f"{name}=" + ",".join(_typed(v) for v in _number_list(value))]
    args += (["--grad"] if case.gradient else []) + (["--hessian"] if case.hessian else [])
    args += ["--allow-nonfinite"] if case.allow_nonfinite else []
    args += ["--plugin-dir", str(skips_dir)] if case.plugin else []
    return args, files


def _python_loss(case: Case, cache_dir: str, skips_dir: Path):
    host = losshost.Host(plugin_dirs=[str(skips_dir)] if case.plugin else [], allow_nonfinite=case.allow_nonfinite, cache_dir=cache_dir, threads=2)
    return host.loss(case.loss, check=False, **case.params)


def _python_evaluate(case: Case, cache_dir: str, skips_dir: Path):
    pred, target, weight = _arrays(case)
    loss = _python_loss(case, cache_dir, skips_dir)
    return loss.evaluate(pred, target, weight=weight, reduction=case.reduction, gradient=case.gradient,
                         hessian=case.hessian)


def _raw(case: Case, cache_dir: str, skips_dir: Path):
    """(create status, evaluate status or None, value, values, gradient, hessian, last error) through C."""
    host = RawHost([str(skips_dir)] if case.plugin else [], _capi.ALLOW_NONFINITE if case.allow_nonfinite else 0,
                   cache_dir)
    try:
        status, loss = host.create(case.loss, {k: _number_list(v) for k, v in case.params.items()})
        if status != 0:
            return status, None, None, None, None, None, host.last_error()
        pred, target, weight = _arrays(case)
        value_count = pred.shape[0] if case.loss == "std/cross_entropy" else pred.size  # its one row loss
        result = host.evaluate(loss, pred, target, weight, REDUCTIONS[case.reduction], case.gradient, case.hessian,
                               value_count)
        error = host.last_error()
        host.lib.lh_host_loss_destroy(loss)
        return (status, *result, error)
    finally:
        host.close()


VALUE_CASES = [
    Case("mse weighted", "std/mse", [1.0, 2.5, -3.0, 0.25], [0.5, 2.0, 1.0, 0.0], weight=[1.0, 2.0, 0.5, 0.0],
         hessian=True),
    Case("huber delta", "std/huber", [0.1, 2.0, -4.0, 1.5], [0.0, 0.0, 1.0, 1.4], params={"delta": 0.7},
         weight=[1.0, 0.25, 3.0, 1.0], hessian=True),
    Case("quantile tau 0.9", "std/quantile", [0.3, -1.2, 2.2, 5.0, 0.0], [1.0, -1.0, 2.0, 4.0, 0.1],
         params={"tau": 0.9}),
    Case("bce_with_logits pos_weight 3", "std/bce_with_logits", [0.2, -1.5, 3.0, 0.0], [1.0, 0.0, 1.0, 0.0],
         params={"pos_weight": 3.0}, hessian=True),
    Case("cross_entropy class weights", "std/cross_entropy", [[0.0, 1.0, 2.0], [1.0, 1.0, 1.0], [3.0, -1.0, 0.5]],
         [0.0, 2.0, 1.0], params={"weight": [1.0, 2.0, 0.5], "label_smoothing": 0.1}, hessian=True),
    Case("mse allowing NaN", "std/mse", [1.0, float("nan"), 3.0], [0.0, 0.0, 1.0], allow_nonfinite=True),
    Case("skips: the values it does write", "skips/sq", [1.0, 2.0, 3.0], [0.0, 0.0, 0.0], gradient=False,
         plugin="skips"),
]


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("case", VALUE_CASES, ids=[c.name for c in VALUE_CASES])
def test_the_three_clients_compute_the_same_numbers(case: Case, reduction, cli, cache_dir, skips_dir, tmp_path):
    case = Case(**{**case.__dict__, "reduction": reduction})
    args, _ = _cli_args(case, tmp_path, skips_dir)
    expected = cli_json(cli, *args, cache_dir=cache_dir)
    create, status, value, values, gradient, hessian, error = _raw(case, cache_dir, skips_dir)
    assert (create, status) == (0, 0), error
    py = _python_evaluate(case, cache_dir, skips_dir)

    def same(got, want):
        np.testing.assert_allclose(np.asarray(got, dtype=np.float64).reshape(-1),
                                   np.asarray(want, dtype=np.float64).reshape(-1), rtol=1e-12, atol=0)

    if reduction == "none":
        same(values, expected["value"])
        same(py.values, expected["value"])
    else:
        same([value], [expected["value"]])
        same([py.value], [expected["value"]])
    if case.gradient:
        same(gradient, expected["gradient"])
        same(py.gradient, expected["gradient"])
    if case.hessian:
        same(hessian, expected["hessian"])
        same(py.hessian, expected["hessian"])


# ------------------------------------------------ errors: the CLI's bad-input cases

@dataclass
class ErrorCase:
    case: Case
    message: str  # the library's words, with the input's name where the CLI names its file
    status: int
    kind: Optional[str] = None
    cli_file: Optional[str] = None  # the input whose file the CLI puts first, where the library names none


ERROR_CASES = [
    ErrorCase(Case("unknown loss", "nope", [1.0], [0.0]),
              "unknown loss 'nope'", LH_ERR_INVALID_ARGUMENT, "unknown_loss"),
    ErrorCase(Case("unknown param", "std/huber", [1.0], [0.0], params={"beta": 1.0}),
              "unknown param 'beta' for loss 'huber' (its parameters: delta)", LH_ERR_INVALID_ARGUMENT),
    ErrorCase(Case("param out of range", "std/huber", [1.0], [0.0], params={"delta": -1.0}),
              "param 'delta' = -1 is out of range: expected (0, 1000000]", LH_ERR_INVALID_ARGUMENT),
    ErrorCase(Case("param not a number", "std/huber", [1.0], [0.0], params={"delta": float("nan")}),
              "param 'delta': 'nan' is not a number", LH_ERR_INVALID_ARGUMENT),
    ErrorCase(Case("nan pred", "std/mse", [1.0, float("nan"), 3.0], [0.0, 0.0, 0.0]),
              "pred: row 2, column 1: non-finite value 'nan'", LH_ERR_INVALID_ARGUMENT, "nonfinite_input"),
    ErrorCase(Case("infinite target", "std/mse", [1.0, 2.0, 3.0], [0.0, 0.0, float("-inf")]),
              "target: row 3, column 1: non-finite value '-inf'", LH_ERR_INVALID_ARGUMENT, "nonfinite_input"),
    ErrorCase(Case("probability outside [0,1]", "std/bce", [0.5, 1.5, 0.2], [0.0, 1.0, 1.0]),
              "pred: row 2, column 1: pred value 1.5 is outside the loss's domain (a probability in [0, 1])",
              LH_ERR_DOMAIN),
    ErrorCase(Case("class index out of range", "std/cross_entropy", [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]],
                   [0.0, 2.0, 1.0]),
              "target: row 2, column 1: target value 2 is outside the loss's domain (a whole-number class index in 0...1)",
              LH_ERR_DOMAIN),
    ErrorCase(Case("class index not whole", "std/cross_entropy", [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]],
                   [0.0, 0.5, 1.0]),
              "target: row 2, column 1: target value 0.5 is outside the loss's domain (a whole-number class index in 0...1)",
              LH_ERR_DOMAIN),
    ErrorCase(Case("negative weight", "std/mse", [1.0, 2.0, 3.0], [0.0, 0.0, 0.0], weight=[1.0, -1.0, 1.0]),
              "weight: row 2, column 1: weight -1 must be a finite number >= 0", LH_ERR_DOMAIN),
    ErrorCase(Case("nan weight", "std/mse", [1.0, 2.0, 3.0], [0.0, 0.0, 0.0], weight=[1.0, float("nan"), 1.0]),
              "weight: row 2, column 1: weight nan must be a finite number >= 0", LH_ERR_DOMAIN),
    ErrorCase(Case("shape", "std/gaussian_nll", [1.0, 2.0, 3.0], [0.0, 0.0, 0.0]),
              "pred: loss 'gaussian_nll' needs pred with 2 columns (N x 2: predicted mean, predicted variance "
              "(clamped below at eps)), got 1", LH_ERR_SHAPE),
    ErrorCase(Case("negative Poisson rate", "std/poisson_nll", [1.0, -2.0, 3.0], [0.0, 1.0, 1.0],
                   params={"log_input": 0}),
              "pred: row 2, column 1: pred value -2 is outside the loss's domain (a number >= 0)", LH_ERR_DOMAIN),
    ErrorCase(Case("zero weights, mean", "std/mse", [1.0, 2.0, 3.0], [0.5, 2.0, 2.1], weight=[0.0, 0.0, 0.0]),
              "the weights sum to 0; mean is undefined", LH_ERR_INVALID_ARGUMENT, "undefined_mean", cli_file="weight"),
    ErrorCase(Case("zero class weights, mean", "std/cross_entropy", [[1.0, 2.0, 0.0], [0.0, 1.0, 3.0]], [0.0, 2.0],
                   params={"weight": [0.0, 0.0, 0.0]}),
              "the normalizer is 0 (every row's weight, class weights included, is 0); mean is undefined",
              LH_ERR_INVALID_ARGUMENT, "undefined_mean"),
    ErrorCase(Case("unwritten output", "skips/sq", [1.0, 2.0, 3.0, 4.0], [0.0, 0.0, 0.0, 0.0], reduction="sum",
                   plugin="skips"),
              "plugin 'skips' loss 'sq' returned LH_OK but left gradient[1] (row 2) unwritten", LH_ERR_INTERNAL,
              "unwritten_output"),
    ErrorCase(Case("no Hessian", "skips/sq", [1.0, 2.0], [0.0, 0.0], hessian=True, plugin="skips"),
              "loss 'sq' provides no Hessian", LH_ERR_UNSUPPORTED),
]


@pytest.mark.parametrize("error", ERROR_CASES, ids=[e.case.name for e in ERROR_CASES])
def test_the_three_clients_fail_alike(error: ErrorCase, cli, cache_dir, skips_dir, tmp_path):
    case = error.case
    args, files = _cli_args(case, tmp_path, skips_dir)
    # The CLI: exit 1, one line, the input's file where the others name the input, its own fix.
    done = run_cli(cli, *args, cache_dir=cache_dir)
    located = error.message
    for name, file in files.items():
        if located.startswith(f"{name}: "):
            located = file + located[len(name):]
        elif name == error.cli_file:
            located = f"{file}: {located}"
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == f"losshost: error: {with_fix(located, error.kind, CLI_FIX)}\n"

    # The C API: the status, the kind, the message alone and with the C fix.
    create, status, *_, (text, message, kind) = _raw(case, cache_dir, skips_dir)
    assert (status if create == 0 else create) == error.status
    assert (message, kind) == (error.message, KIND_CODES[error.kind])
    assert text == with_fix(error.message, error.kind, C_FIX)

    # Python: LossError with the kind and the Python fix, never a C flag.
    with pytest.raises(losshost.LossError) as raised:
        _python_evaluate(case, cache_dir, skips_dir)
    assert str(raised.value) == with_fix(error.message, error.kind, PY_FIX)
    assert raised.value.kind == error.kind
    assert "LH_HOST" not in str(raised.value) and "--" not in str(raised.value)


def test_the_fixes_named_work_in_each_client(cli, cache_dir, skips_dir, tmp_path):
    """What each client's fix says to do makes the failing input evaluate, to the same number."""
    nan = Case("nan", "std/mse", [1.0, float("nan"), 3.0], [0.0, 0.0, 1.0], reduction="sum", gradient=False,
               allow_nonfinite=True)
    zeros = Case("zeros", "std/mse", [1.0, 2.0, 3.0], [0.5, 2.0, 2.1], weight=[0.0, 0.0, 0.0], reduction="sum")
    for case in (nan, zeros):
        args, _ = _cli_args(case, tmp_path, skips_dir)
        expected = cli_json(cli, *args, cache_dir=cache_dir)["value"]
        create, status, value, *_ = _raw(case, cache_dir, skips_dir)
        assert (create, status) == (0, 0)
        py = _python_evaluate(case, cache_dir, skips_dir).value
        if case is nan:  # the CLI's JSON writes NaN as null
            assert expected is None and np.isnan(value) and np.isnan(py)
        else:
            assert expected == value == py == 0.0


# ------------------------------------------------ errors each client finds before the library

CLI_ONLY_FILES = [
    # (name, file text or None for missing, expected end of the CLI's message): files have no array counterpart;
    # the nearest Python input (a ragged or non-numeric array) is refused by numpy with a ValueError.
    ("missing file", None, "no such file"),
    ("empty file", "", "no data rows"),
    ("ragged file", "1,2\n3\n", "row 2 has 1 column, expected 2"),
    ("corrupt npy", "\x93NUMPY garbage", "corrupt .npy file"),
    ("non-numeric cell", "1\n2\nabc\n", "row 3, column 1: 'abc' is not a number"),
    ("CR-only line ends", "1\r2\r3\r", "its lines end in CR only (old Mac style); convert them to LF or CR LF"),
    ("only row not a number", "0.5x\n", "row 1, column 1: '0.5x' is not a number (the file's only row, so it is data, not a header)"),
]


@pytest.mark.parametrize("name,text,ending", CLI_ONLY_FILES, ids=[c[0] for c in CLI_ONLY_FILES])
def test_file_errors_are_the_clis_and_arrays_fail_in_numpy(name, text, ending, cli, cache_dir, tmp_path, host):
    target = tmp_path / "y.csv"
    target.write_text("1\n2\n3\n")
    pred = tmp_path / ("p.npy" if name == "corrupt npy" else "p.csv")
    if text is not None:
        pred.write_bytes(text.encode("latin-1"))
    done = run_cli(cli, "eval", "std/mse", "--pred", str(pred), "--target", str(target), cache_dir=cache_dir)
    assert done.returncode == 1 and done.stdout == "" and done.stderr.count("\n") == 1
    assert done.stderr.startswith(f"losshost: error: {pred}") and ending in done.stderr, done.stderr
    loss = host.loss("std/mse")
    with pytest.raises(ValueError):
        loss.evaluate(np.array(["1", "2", "abc"]), np.zeros(3))
    with pytest.raises(ValueError):
        loss.evaluate([[1.0, 2.0], [3.0]], np.zeros(2))


def test_client_level_refusals_each_in_its_own_terms(cli, cache_dir, tmp_path, host):
    """Inputs a client cannot even express to the library: each refuses in its own words."""
    p, y, two = tmp_path / "p.csv", tmp_path / "y.csv", tmp_path / "two.csv"
    p.write_text("1\n2\n3\n")
    y.write_text("0\n0\n0\n")
    two.write_text("1\n2\n")
    loss = host.loss("std/mse")
    # Rows that differ: the C API has one row count; the CLI and Python say which.
    done = run_cli(cli, "eval", "std/mse", "--pred", str(two), "--target", str(y), cache_dir=cache_dir)
    assert done.returncode == 1 and "pred has 2 rows but target has 3" in done.stderr
    with pytest.raises(losshost.LossError, match=r"^target: 3 rows, but pred has 2$"):
        loss.evaluate(np.zeros(2), np.zeros(3))
    # An unknown reduction: a name in the CLI and Python, a code in C.
    done = run_cli(cli, "eval", "std/mse", "--pred", str(p), "--target", str(y), "--reduction", "median",
                   cache_dir=cache_dir)
    assert done.returncode != 0 and "'median' is invalid for '--reduction" in done.stderr
    with pytest.raises(losshost.LossError, match=r"^unknown reduction 'median'; expected mean, sum or none$"):
        loss.evaluate(np.zeros(3), np.zeros(3), reduction="median")
    raw = RawHost([], 0, cache_dir)
    try:
        _, handle = raw.create("std/mse", {})
        status, *_ = raw.evaluate(handle, np.zeros(3), np.zeros(3), None, 9, False, False, 3)
        assert status == LH_ERR_INVALID_ARGUMENT
        assert raw.last_error()[0] == "unknown reduction 9 (expected LH_HOST_MEAN = 0, LH_HOST_SUM = 1 or LH_HOST_NONE = 2)"
        raw.lib.lh_host_loss_destroy(handle)
    finally:
        raw.close()
    # A negative thread count: the C field is unsigned; the CLI and Python refuse it.
    done = run_cli(cli, "eval", "std/mse", "--pred", str(p), "--target", str(y), "--threads=-1", cache_dir=cache_dir)
    assert done.returncode == 1 and done.stderr == "losshost: error: --threads must be >= 0\n"
    with pytest.raises(losshost.LossError, match=r"^threads=-1: must be >= 0 \(0: every core\)$"):
        losshost.Host(threads=-1)
