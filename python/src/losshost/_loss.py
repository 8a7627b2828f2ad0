"""A loss with its parameters bound: evaluate numpy arrays, find the best constant."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional

import numpy as np

from . import _capi
from ._errors import LossError
from ._info import LossInfo

if TYPE_CHECKING:
    from ._host import Host

_REDUCTIONS = {"mean": _capi.MEAN, "sum": _capi.SUM, "none": _capi.NONE}


@dataclass
class EvaluationResult:
    """What `Loss.evaluate` computed. `value` is the mean or the sum (the sum for
    reduction="none"); `values` the per-element (element-wise losses, pred's
    shape) or per-row values for reduction="none", else None; `gradient` and
    `hessian` (the Hessian diagonal) have pred's shape and dtype, or are None."""

    value: float
    values: Optional[np.ndarray]
    gradient: Optional[np.ndarray]
    hessian: Optional[np.ndarray]
    sum: float
    normalizer: float


def _matrix(name: str, array: Any, dtype: np.dtype, rows: Optional[int]) -> tuple[np.ndarray, int]:
    """A C-contiguous array of `dtype` (the caller's own memory when it already is
    one) and its column count."""
    a = np.ascontiguousarray(array, dtype=dtype)
    if a.ndim == 0:
        a = a.reshape(1)
    if a.ndim > 2:
        raise LossError(f"{name}: expected a 1-D or 2-D array, got shape {a.shape}")
    columns = 1 if a.ndim == 1 else a.shape[1]
    if rows is not None and a.shape[0] != rows:
        raise LossError(f"{name}: {a.shape[0]} rows, but pred has {rows}")
    return a, columns


def _output(name: str, out: Any, like: np.ndarray, inputs: tuple) -> np.ndarray:
    """A caller's output array, checked to be one the host can write in place."""
    if not isinstance(out, np.ndarray):
        raise LossError(f"{name}: expected a numpy array, got {type(out).__name__}")
    if out.dtype != like.dtype:
        raise LossError(f"{name}: dtype {out.dtype}, but this evaluation computes in {like.dtype} "
                        f"(pass an array of pred's dtype, e.g. np.empty_like(pred))")
    if out.shape != like.shape:
        raise LossError(f"{name}: shape {out.shape}, expected pred's shape {like.shape}")
    if not out.flags.c_contiguous or not out.flags.writeable:
        raise LossError(f"{name}: must be C-contiguous and writeable (np.empty_like(pred) is)")
    if any(np.may_share_memory(out, a) for a in inputs):
        raise LossError(f"{name}: shares memory with an input or another output; pass a separate array")
    return out


class Loss:
    """One loss of a host with its parameters bound (`Host.loss`). Picklable: a
    copy in another process reopens the host with the same configuration there."""

    def __init__(self, host: "Host", handle, loss_id: str, params: dict[str, Any], check: Optional[bool]):
        self._host = host
        self._handle = handle
        self._recipe = (loss_id, dict(params), check)
        full = json.loads(_capi.loss_info_json(handle))
        self.info = LossInfo.from_json(full)
        self.params_used: dict[str, Any] = full.get("params_used", {})

    @property
    def id(self) -> str:
        return self.info.qualified_id

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={v!r}" for k, v in self._recipe[1].items())
        return f"<losshost.Loss {self.id}{' ' + shown if shown else ''}>"

    def __reduce__(self):
        loss_id, params, check = self._recipe
        return (_rebuild, (self._host, loss_id, params, check))

    def __del__(self):
        handle, self._handle = getattr(self, "_handle", None), None
        if handle:
            _capi.destroy_loss(handle)

    def evaluate(self, pred, target, weight=None, reduction: str = "mean", gradient: bool = False,
                 hessian: bool = False, *, gradient_out: Optional[np.ndarray] = None,
                 hessian_out: Optional[np.ndarray] = None) -> EvaluationResult:
        """Evaluates the loss on numpy arrays on the host's threads (the GIL is
        released). pred is N or N×D; float32 pred computes in float32 (target and
        weight are converted to it), anything else in float64. Contiguous inputs
        of that dtype are used in place. `gradient_out` / `hessian_out`: arrays
        the gradient / Hessian are written into (C-contiguous, writeable, of pred's
        shape and computing dtype, not overlapping an input), as scikit-learn's
        `_loss` takes them; giving one implies gradient=True / hessian=True.
        Reusing them across calls saves allocating (and the kernel zeroing) fresh
        pages every call."""
        result, _ = self._evaluate(pred, target, weight, reduction, gradient, hessian, gradient_out, hessian_out, 0)
        return result

    def _derivatives(self, pred, target, weight, gradient_out: np.ndarray,
                     hessian_out: Optional[np.ndarray]) -> tuple[int, int, int]:
        """Gradient and Hessian of the weighted sum into the given arrays, without
        the value (the plugin is not asked for the sum), and what the host found in
        the same pass: the flat index of the first non-finite gradient, of the first
        negative or NaN Hessian and of the first zero Hessian (-1: none)."""
        _, out = self._evaluate(pred, target, weight, "sum", True, hessian_out is not None, gradient_out, hessian_out,
                                _capi.OUTPUT_NO_SUM | _capi.OUTPUT_FACTS)
        return out.gradient_nonfinite_first, out.hessian_negative_first, out.hessian_zero_first

    def _evaluate(self, pred, target, weight, reduction, gradient, hessian, gradient_out, hessian_out,
                  flags: int) -> tuple[EvaluationResult, "_capi.HostOutputs"]:
        if reduction not in _REDUCTIONS:
            raise LossError(f"unknown reduction {reduction!r}; expected mean, sum or none")
        dtype = np.dtype(np.float32) if np.asarray(pred).dtype == np.float32 else np.dtype(np.float64)
        p, pred_columns = _matrix("pred", pred, dtype, None)
        rows = p.shape[0]
        t, target_columns = _matrix("target", target, dtype, rows)
        w = None
        if weight is not None:
            w = np.ascontiguousarray(weight, dtype=dtype)
            if w.size != rows or (w.ndim == 2 and w.shape[1] != 1) or w.ndim > 2:
                raise LossError(f"weight: expected {rows} values (one per row), got shape {w.shape}")
        values = None
        if reduction == "none":
            values = np.empty(p.shape if self.info.elementwise else (rows,), dtype=dtype)
        inputs = (p, t) if w is None else (p, t, w)
        grad = hess = None
        if gradient_out is not None:
            grad = _output("gradient_out", gradient_out, p, inputs)
        elif gradient:
            grad = np.empty_like(p)
        if hessian_out is not None:
            hess = _output("hessian_out", hessian_out, p, inputs + (() if grad is None else (grad,)))
        elif hessian:
            hess = np.empty_like(p)
        out = _capi.evaluate(
            self._handle, _capi.F32 if dtype == np.float32 else _capi.F64, rows, pred_columns, target_columns,
            p, t, w, _REDUCTIONS[reduction], values, grad, hess, flags)
        return EvaluationResult(value=out.value, values=values, gradient=grad, hessian=hess, sum=out.sum,
                                normalizer=out.normalizer), out

    def optimal_constant(self, target, weight=None, classes: Optional[int] = None):
        """The constant prediction, in margin space, that minimises the weighted
        loss over these targets (mse: the mean, mae: a median, bce_with_logits:
        the logit of the mean, cross_entropy: log class priors, up to a shift).
        A float for one prediction column, else an array of one per column.
        For class-index targets the number of classes is `classes`, else
        max(target) + 1."""
        t, target_columns = _matrix("target", target, np.dtype(np.float64), None)
        rows = t.shape[0]
        w = None
        if weight is not None:
            w = np.ascontiguousarray(weight, dtype=np.float64).reshape(-1)
            if w.size != rows:
                raise LossError(f"weight: expected {rows} values (one per row), got {w.size}")
        pred_columns = self.prediction_columns(t, classes)
        out = np.empty(pred_columns, dtype=np.float64)
        _capi.optimal_constant(self._handle, rows, pred_columns, target_columns, t, w, out)
        return float(out[0]) if pred_columns == 1 else out

    def prediction_columns(self, target, classes: Optional[int] = None) -> int:
        """How many prediction columns this loss takes for these targets."""
        if self.info.pred_columns > 0:
            return self.info.pred_columns
        t = np.asarray(target)
        columns = 1 if t.ndim < 2 else t.shape[1]
        if self.info.elementwise or columns > 1:
            return columns
        if classes is not None:
            return int(classes)
        return int(np.max(t)) + 1 if t.size else 1

    def _bound_evaluation(self, pred: np.ndarray, target: np.ndarray, weight: Optional[np.ndarray],
                          gradient: np.ndarray, hessian: Optional[np.ndarray]) -> "_capi.BoundEvaluation":
        """`_derivatives` over these float64 C-contiguous arrays, made once and run
        as often as needed: each run reads pred, target and weight as they are then,
        writes gradient and hessian (None: not asked) and returns the host's outputs
        struct, whose gradient_nonfinite_first, hessian_negative_first and
        hessian_zero_first are that run's facts. For callers with many small
        batches; it skips evaluate's checks, so the arrays must have pred's rows,
        which the caller keeps alive as long as the result."""
        rows = pred.shape[0]
        columns = 1 if pred.ndim == 1 else pred.shape[1]
        return _capi.BoundEvaluation(self._handle, rows, columns, max(1, target.size // max(rows, 1)), pred, target,
                                     weight, gradient, hessian, _capi.OUTPUT_NO_SUM | _capi.OUTPUT_FACTS)


def _rebuild(host: "Host", loss_id: str, params: dict[str, Any], check: Optional[bool]) -> Loss:
    return host.loss(loss_id, check=check, **params)
