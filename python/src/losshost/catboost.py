"""Train CatBoost with a plugin loss: `loss_function=objective(loss)` and
`eval_metric=metric(loss)` for `CatBoostRegressor` / `CatBoostClassifier` /
`catboost.train`, the scikit-learn forms `CatBoostRegressor(loss=...)` /
`CatBoostClassifier(loss=...)`, and the initial score from the loss's optimal constant.

Conventions (see the README, "Train with your loss"):
- CatBoost maximises: a custom objective returns the derivatives of −Σ w·ℓ. The
  objective negates the plugin's gradient and Hessian (both taken of Σ w·ℓ as the
  loss defines it), so a der2 is ≤ 0. `std/mse` gives −2r and −2 where `RMSE`
  uses −r and −1: the Newton step is the same, but `l2_leaf_reg` sees the scale
  (parity with l2_leaf_reg=0).
- One prediction column (regression, binary): `calc_ders_range` on CatBoost's
  blocks (1000, 500 or a few hundred rows each, fixed in CatBoost's sources),
  answered as an (n, 2) float64 view of a buffer reused for the next block of that
  size (see `Objective`). Several (multiclass): CatBoost
  asks `calc_ders_multi` one row at a time, and the plugin's Hessian diagonal is
  the der2 matrix's diagonal (CatBoost's `MultiClass` uses the full matrix under
  Newton leaf estimation; under `leaf_estimation_method="Gradient"` they agree).
- With an object as loss_function CatBoost neither estimates a starting constant
  (boost_from_average) nor accepts a missing eval_metric: give the Pool
  `baseline=baseline(loss, y)` and add it back with `predict(model, X, loss,
  init=...)`. The scikit-learn forms do all of it and store the constant in the
  model's bias (`get_scale_and_bias`), so a saved model predicts from it.
- Predictions are margins; `predict` and the forms apply the loss's inverse link.
"""
from __future__ import annotations

from threading import get_ident
from typing import Optional

import catboost as _cb
import numpy as np

from . import links
from ._boosting import DEFAULT_HESSIAN_FLOOR, BoostingGradients, broadcast_init
from ._errors import LossError
from ._loss import Loss

__all__ = ["objective", "metric", "baseline", "predict", "CatBoostRegressor", "CatBoostClassifier"]


class Objective:
    """A CatBoost objective object (`calc_ders_range`, `calc_ders_multi`). CatBoost
    deep-copies its parameters; a copy of this object is the object itself, so
    what it holds (and counts) is shared with the caller.

    calc_ders_range is CatBoost's hot path: about 18 000 calls in a fit of 100 k
    rows and 50 trees, where the fixed cost of a call is what counts. It gives
    BoostingGradients' numbers, zero-Hessian policy and errors from buffers and a
    host call made once per thread and block size: a block is copied in
    (CatBoost's float32 labels widened), evaluated without the loss's value, checked
    by the facts the host found in the same pass (the first non-finite gradient,
    negative or NaN Hessian, zero Hessian: no scan here), negated in place by one
    ufunc call and answered as the (n, 2) view of the buffer, valid until the
    thread's next block of that size (CatBoost copies it at once). The buffers
    are keyed by the thread's id, not kept in a threading.local: CatBoost's own
    threads enter Python with a fresh thread state on every call, which would
    empty a threading.local each time."""

    no_jit = True  # CatBoost would otherwise try to compile these methods with numba

    #: Block buffers kept (per thread and size); CatBoost uses a handful.
    BLOCKS = 64

    def __init__(self, loss: Loss, hessian_scale: float = 1.0, hessian_floor: float = DEFAULT_HESSIAN_FLOOR):
        self.gradients = BoostingGradients(loss, hessian_scale, hessian_floor)
        self._blocks: dict = {}

    @property
    def loss(self) -> Loss:
        return self.gradients.loss

    def __deepcopy__(self, memo):
        return self

    def __getstate__(self):
        return {"gradients": self.gradients}

    def __setstate__(self, state):
        self.gradients, self._blocks = state["gradients"], {}

    def calc_ders_range(self, approxes, targets, weights):
        """(n, 2) float64: the derivatives of −Σ w·ℓ over one block of rows (a view of
        this thread's buffer for blocks of n rows, overwritten by its next such block)."""
        block = self._blocks.get((get_ident(), len(approxes), weights is None))
        if block is None:
            block = self._block(len(approxes), weights is not None)
        return block(approxes, targets, weights)

    def _block(self, rows: int, weighted: bool):
        """This thread's calc_ders_range for blocks of `rows` rows, with its buffers and bound host call."""
        if len(self._blocks) >= self.BLOCKS:
            self._blocks.clear()
        gradients = self.gradients
        loss = gradients.loss
        wants_hessian = loss.info.hessian != "none"
        surrogate = loss.info.curvature.surrogate
        surrogate = surrogate if surrogate is not None and surrogate > 0 else None
        scale = gradients.hessian_scale
        pred, label = np.empty(rows), np.empty(rows)
        w = np.empty(rows) if weighted else None
        derivatives = np.empty((2, rows))
        grad, hess = derivatives
        answer, flat = derivatives.T, derivatives.reshape(-1)  # a 1-d ufunc call costs half a 2-d one's
        signs = np.array([[-1.0], [-scale]])  # −gradient, −scale·Hessian in one call
        evaluate = loss._bound_evaluation(pred, label, w, grad, hess if wants_hessian else None) if rows else None

        def block(approxes, targets, weights):
            if len(targets) != rows or (weighted and len(weights) != rows):
                raise LossError(f"{loss.id}: a block of {rows} margins with {len(targets)} labels"
                                f"{'' if weights is None else f' and {len(weights)} weights'}; expected one of "
                                f"each per row")
            if not rows:
                return answer
            pred[...] = approxes
            label[...] = targets
            if weighted:
                w[...] = weights
            facts = evaluate()  # what the host found while it wrote grad and hess
            if facts.gradient_nonfinite_first >= 0:
                gradients._fail_at("gradient", facts.gradient_nonfinite_first, pred, label)
            if facts.hessian_negative_first >= 0:
                gradients._fail_at("Hessian", facts.hessian_negative_first, pred, label)
            if facts.hessian_zero_first >= 0 or not wants_hessian:
                if surrogate is None:  # hessian_floor and its warning: the general path's
                    derivatives[0], derivatives[1] = gradients(pred, label, w)
                    np.negative(flat, out=flat)
                    return answer
                if not wants_hessian:
                    hess.fill(0)
                np.copyto(hess, surrogate if w is None else surrogate * w, where=hess == 0)
            if scale == 1.0:
                np.negative(flat, out=flat)
            else:
                np.multiply(derivatives, signs, out=derivatives)
            return answer

        self._blocks[(get_ident(), rows, not weighted)] = block
        return block

    def calc_ders_multi(self, approx, target, weight):
        """One row of k margins: (−gradient, −diag(Hessian)) of w·ℓ."""
        margin = np.asarray(approx, dtype=np.float64).reshape(1, -1)
        w = None if weight is None else np.array([weight], dtype=np.float64)
        grad, hess = self.gradients(margin, np.array([target], dtype=np.float64), w)
        return -grad[0], np.diag(-hess[0])


class Metric:
    """A CatBoost eval_metric object: the loss's weighted mean (its `mean`
    reduction), lower is better. Like Objective, its copy is itself."""

    no_jit = True

    def __init__(self, loss: Loss):
        self.loss = loss

    def __deepcopy__(self, memo):
        return self

    def is_max_optimal(self) -> bool:
        return False

    def evaluate(self, approxes, target, weight):
        """(Σ w·ℓ, normaliser) over CatBoost's block; approxes holds one array per prediction column."""
        margin = (np.asarray(approxes[0], dtype=np.float64) if len(approxes) == 1
                  else np.column_stack([np.asarray(a, dtype=np.float64) for a in approxes]))
        t = np.asarray(target, dtype=np.float64)
        w = None if weight is None else np.asarray(weight, dtype=np.float64)
        r = self.loss.evaluate(margin, t if t.size == margin.shape[0] else t.reshape(margin.shape[0], -1), weight=w,
                               reduction="sum")
        return r.sum, r.normalizer

    def get_final_error(self, error, weight):
        if not weight > 0:
            raise LossError(f"{self.loss.id}: the eval set's weights sum to {weight}; the metric's mean is undefined")
        return error / weight


def objective(loss: Loss, *, hessian_scale: float = 1.0, hessian_floor: float = DEFAULT_HESSIAN_FLOOR) -> Objective:
    """The loss as CatBoost's `loss_function`. hessian_floor: the curvature used
    where the plugin's Hessian is zero and the loss declares no surrogate."""
    return Objective(loss, hessian_scale, hessian_floor)


def metric(loss: Loss) -> Metric:
    """The loss as CatBoost's `eval_metric` (its weighted mean)."""
    return Metric(loss)


def baseline(loss: Loss, y, weight=None, classes: Optional[int] = None) -> np.ndarray:
    """`baseline` for a Pool (or fit): the optimal constant on every row (rows, or rows × k)."""
    return broadcast_init(loss.optimal_constant(y, weight, classes=classes), np.asarray(y).shape[0])


def predict(model, data, loss: Loss, init=None, raw: bool = False, **kwargs) -> np.ndarray:
    """Predictions on the user's scale: the model's raw values plus the initial
    score it was trained from (`init`: the constant or per-row baselines), through
    the loss's inverse link (raw=True stops before the link)."""
    margin = np.asarray(_cb.CatBoost.predict(model, data, prediction_type="RawFormulaVal", **kwargs),
                        dtype=np.float64)
    if init is not None:
        init = np.asarray(init, dtype=np.float64)
        margin = margin + (init if init.ndim < 2 or init.shape == margin.shape else init.reshape(margin.shape))
    return margin if raw else links.inverse(loss.info.link, margin)


class _LossEstimator:
    """What the scikit-learn forms share: loss_function and eval_metric from
    `loss`, a baseline from its optimal constant that ends up in the model's bias,
    margins through the inverse link. The loss lives in CatBoost's own
    `loss_function` parameter, so get_params, clone and pickling keep it."""

    def _set_loss(self, loss: Optional[Loss], hessian_floor: float, kwargs: dict) -> dict:
        if loss is not None:
            kwargs["loss_function"] = objective(loss, hessian_floor=hessian_floor)
        if isinstance(kwargs.get("loss_function"), Objective):
            kwargs.setdefault("eval_metric", metric(kwargs["loss_function"].loss))
        return kwargs

    @property
    def loss(self) -> Loss:
        objective_ = self._init_params.get("loss_function")
        if not isinstance(objective_, Objective):
            raise ValueError(f"{type(self).__name__} needs loss=host.loss(...)")
        return objective_.loss

    def _fit_with_loss(self, fit, X, y, sample_weight, classes: Optional[int], kwargs, codes=None):
        """codes: the labels as the objective sees them (class indices for a classifier)."""
        loss = self.loss
        if isinstance(X, _cb.Pool):
            raise ValueError(f"{type(self).__name__}(loss=...) takes X and y; with a Pool use "
                             f"loss_function=objective(loss) and baseline(loss, y)")
        labels = np.asarray(y if codes is None else codes)
        constant = np.atleast_1d(np.asarray(loss.optimal_constant(labels, sample_weight, classes=classes),
                                            dtype=np.float64))
        if kwargs.get("baseline") is not None:
            constant = np.zeros_like(constant)  # the caller's per-row scores: they add them back themselves
        else:
            kwargs["baseline"] = broadcast_init(constant, labels.shape[0])
            eval_set = kwargs.get("eval_set")
            if eval_set is not None:
                kwargs["eval_set"] = [self._eval_pool(e, constant) for e in
                                      (eval_set if isinstance(eval_set, list) else [eval_set])]
        fit(X, y, sample_weight=sample_weight, **kwargs)
        scale, bias = self.get_scale_and_bias()
        bias = np.atleast_1d(np.asarray(bias, dtype=np.float64)) + constant
        self.set_scale_and_bias(scale, float(bias[0]) if bias.size == 1 else [float(b) for b in bias])
        return self

    def _eval_pool(self, eval_set, constant: np.ndarray) -> _cb.Pool:
        if isinstance(eval_set, _cb.Pool):
            pool = eval_set
        else:
            X, y = eval_set
            pool = _cb.Pool(X, y)
        if pool.get_baseline() is None or np.size(pool.get_baseline()) == 0:
            pool.set_baseline(broadcast_init(constant, pool.num_row()))
        return pool

    def _restore_param(self, name: str, value) -> None:
        if value is None:
            self._init_params.pop(name, None)
        else:
            self._init_params[name] = value
        self._canonized_params = None

    def _margin(self, X, **kwargs) -> np.ndarray:
        return np.asarray(_cb.CatBoost.predict(self, X, prediction_type="RawFormulaVal", **kwargs), dtype=np.float64)


class CatBoostRegressor(_LossEstimator, _cb.CatBoostRegressor):
    """catboost.CatBoostRegressor trained on a plugin loss (`loss=host.loss(...)`;
    eval_metric defaults to the same loss). predict gives the user's scale
    (inverse link: exp for a log-link loss such as poisson_nll or tweedie)."""

    def __init__(self, *, loss: Optional[Loss] = None, hessian_floor: float = DEFAULT_HESSIAN_FLOOR, **kwargs):
        super().__init__(**self._set_loss(loss, hessian_floor, kwargs))

    def fit(self, X, y=None, *, sample_weight=None, **kwargs):
        return self._fit_with_loss(super().fit, X, y, sample_weight, None, kwargs)

    def predict(self, data, prediction_type: Optional[str] = None, **kwargs):
        margin = self._margin(data, **kwargs)
        return margin if prediction_type == "RawFormulaVal" else links.inverse(self.loss.info.link, margin)


class CatBoostClassifier(_LossEstimator, _cb.CatBoostClassifier):
    """catboost.CatBoostClassifier trained on a plugin loss (binary: one logit
    column, e.g. std/bce_with_logits or std/focal; multiclass: k logits, e.g.
    std/cross_entropy). Labels may be any values; the loss sees their indices in
    sorted order (`classes_`). predict_proba applies the loss's inverse link."""

    def __init__(self, *, loss: Optional[Loss] = None, hessian_floor: float = DEFAULT_HESSIAN_FLOOR, **kwargs):
        super().__init__(**self._set_loss(loss, hessian_floor, kwargs))

    def fit(self, X, y=None, *, sample_weight=None, **kwargs):
        names, codes = np.unique(np.asarray(y), return_inverse=True)
        classes = len(names)
        given = self._init_params.get("class_names")
        # With class_names CatBoost hands the objective class indices (in this
        # order) and asks calc_ders_multi for more than two classes.
        self._init_params["class_names"] = names.tolist()
        self._canonized_params = None
        try:
            return self._fit_with_loss(super().fit, X, y, sample_weight, classes if classes > 2 else None, kwargs,
                                       codes=codes.astype(np.float64))
        finally:
            self._restore_param("class_names", given)

    def predict_proba(self, X, **kwargs):
        p = links.inverse(self.loss.info.link, self._margin(X, **kwargs))
        return np.column_stack([1 - p, p]) if p.ndim == 1 else p

    def predict(self, data, prediction_type: str = "Class", **kwargs):
        if prediction_type == "RawFormulaVal":
            return self._margin(data, **kwargs)
        if prediction_type == "Probability":
            return self.predict_proba(data, **kwargs)
        return self.classes_[np.argmax(self.predict_proba(data, **kwargs), axis=1)]
