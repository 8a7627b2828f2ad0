"""What every gradient-boosting bridge does the same way: gradients and Hessians
of the weighted sum from the plugin, the zero-Hessian policy, and a clear error
for a plugin output no trainer can use."""
from __future__ import annotations

import warnings
from typing import Optional

import numpy as np

from ._errors import LossError
from ._loss import Loss

DEFAULT_HESSIAN_FLOOR = 1.0


class BoostingGradients:
    """Per-row gradient and Hessian of Σ w·ℓ for a boosting round.

    Where the plugin's Hessian is zero (mae, quantile, hinge, the huber tails)
    it is replaced by the loss's declared surrogate curvature (ABI 1.2
    `curvature.surrogate`) times the row weight or, when none is declared, by
    `hessian_floor` times the row weight, with a warning the first time: a
    trainer is never handed an all-zero Hessian. A loss without a Hessian gets
    the same treatment everywhere. `hessian_scale` multiplies every Hessian
    (XGBoost's multi:softprob uses 2·p(1−p), LightGBM's multiclass K/(K−1)·p(1−p)).
    NaN or infinite gradients and negative or NaN Hessians raise LossError
    naming the first row. The gradient and Hessian arrays are reused by the next
    round of the same shape (the trainers copy them), so a round allocates nothing."""

    def __init__(self, loss: Loss, hessian_scale: float = 1.0, hessian_floor: float = DEFAULT_HESSIAN_FLOOR):
        if not hessian_floor > 0:
            raise LossError(f"hessian_floor must be positive, got {hessian_floor}")
        self.loss = loss
        self.hessian_scale = float(hessian_scale)
        self.hessian_floor = float(hessian_floor)
        self._warned = False
        self._buffers: Optional[tuple[np.ndarray, np.ndarray]] = None

    def __getstate__(self):
        return {k: v for k, v in self.__dict__.items() if k not in ("_warned", "_buffers")} | {
            "_warned": False, "_buffers": None}

    def _outputs(self, margin: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The round's gradient and Hessian arrays: last round's when they fit."""
        b = self._buffers
        if b is None or b[0].shape != margin.shape or b[0].dtype != margin.dtype:
            b = self._buffers = (np.empty_like(margin), np.empty_like(margin))
        return b

    def target(self, label: np.ndarray, rows: int) -> np.ndarray:
        """Labels as the loss's target: one per row, or rows × C for distributions."""
        label = np.asarray(label)
        if label.dtype not in (np.float32, np.float64):
            label = label.astype(np.float64)
        return label.reshape(rows, -1) if label.size != rows else label.reshape(rows)

    def __call__(self, margin: np.ndarray, target: np.ndarray, weight: Optional[np.ndarray]):
        """(gradient, hessian) in margin's shape (rows or rows × k): float32 for
        float32 margins (XGBoost's), which the plugin then evaluates in float32
        (its `evaluate_f32` where it has one), else float64."""
        margin = np.asarray(margin)
        if margin.dtype != np.float32:
            margin = margin.astype(np.float64)
        target = np.asarray(target, dtype=margin.dtype)
        if self.loss.info.elementwise and target.size != margin.size:
            raise LossError(f"{self.loss.id}: {target.size} labels for {margin.size} margins; an element-wise loss "
                            f"takes one label per margin")
        if weight is not None:
            weight = np.asarray(weight, dtype=margin.dtype)
        info = self.loss.info
        wants_hessian = info.hessian != "none"
        margin = np.ascontiguousarray(margin)
        grad, hess = self._outputs(margin)
        # The host checks both while it writes them (no pass here) and skips the value.
        nonfinite, negative, zero_at = self.loss._derivatives(margin, target, weight, grad,
                                                              hess if wants_hessian else None)
        if nonfinite >= 0:
            self._fail_at("gradient", nonfinite, margin, target)
        if wants_hessian:
            if negative >= 0:
                self._fail_at("Hessian", negative, margin, target)
            has_zero = zero_at >= 0
        else:
            hess.fill(0)
            has_zero = hess.size > 0
        if has_zero:
            zero = hess == 0
            w = np.ones(margin.shape[0]) if weight is None else np.asarray(weight, dtype=np.float64)
            w = w.reshape((-1,) + (1,) * (margin.ndim - 1))
            surrogate = info.curvature.surrogate
            fill = surrogate if surrogate is not None and surrogate > 0 else self.hessian_floor
            if (surrogate is None or surrogate <= 0) and not self._warned:
                self._warned = True
                warnings.warn(
                    f"{self.loss.id}: the Hessian is zero at {zero.mean():.0%} of the elements and the loss declares "
                    f"no surrogate curvature; using hessian_floor={self.hessian_floor:g} (times the row weight) there",
                    RuntimeWarning, stacklevel=3)
            np.copyto(hess, fill * np.broadcast_to(w, hess.shape), where=zero)
        if self.hessian_scale != 1.0:
            hess = np.multiply(hess, self.hessian_scale, out=hess)
        return grad, hess

    def _fail_at(self, what: str, flat: int, margin: np.ndarray, target: np.ndarray):
        """Raises for element `flat` (row-major) of the gradient or Hessian."""
        index = np.unravel_index(flat, margin.shape)
        row = int(index[0])
        raise LossError(
            f"{self.loss.id}: the plugin returned a {'non-finite' if what == 'gradient' else 'negative or NaN'} "
            f"{what} at row {row}{'' if margin.ndim == 1 else f', column {int(index[1])}'} "
            f"(pred {np.array2string(np.atleast_1d(margin[row]), precision=6)}, "
            f"target {np.array2string(np.atleast_1d(target[row]), precision=6)}); training stopped before the "
            f"booster saw it"
        )


def margin_matrix(preds, rows: int, class_major: bool = False) -> np.ndarray:
    """A trainer's margins as rows or rows × k: a flat n·k array is read row-major
    (XGBoost 1.x) or, with class_major, class by class (LightGBM 3)."""
    preds = np.asarray(preds)
    if preds.ndim != 1 or preds.size == rows:
        return preds
    if rows == 0 or preds.size % rows:
        raise LossError(f"{preds.size} margins for {rows} rows of labels: the trainer's margins and labels disagree")
    return preds.reshape(-1, rows).T if class_major else preds.reshape(rows, -1)


def require_class_count(estimator: str, loss: Loss, codes: np.ndarray, classes: int) -> None:
    """Refuses a loss whose prediction columns do not fit the trainer's: XGBoost and
    LightGBM train 2 classes on one logit column and k > 2 classes on k margins."""
    columns = loss.prediction_columns(codes, classes=classes if classes > 2 else None)
    if classes <= 2 and columns != 1:
        raise LossError(f"{estimator}: {loss.id} takes one margin per class, but a 2-class problem trains one logit "
                        f"column: use a binary loss such as host.loss(\"std/bce_with_logits\")")
    if classes > 2 and columns != classes:
        raise LossError(f"{estimator}: {loss.id} takes {columns} margin column(s), but {classes} classes need one per "
                        f"class: use a multiclass loss such as host.loss(\"std/cross_entropy\")")


def broadcast_init(constant, rows: int) -> np.ndarray:
    """A per-row initial margin: rows, or rows × k for a per-class constant."""
    c = np.atleast_1d(np.asarray(constant, dtype=np.float64))
    return np.full(rows, c[0]) if c.size == 1 else np.tile(c, (rows, 1))
