"""Train XGBoost with a plugin loss: `xgboost.train(params, dtrain, obj=objective(loss))`,
the scikit-learn forms `XGBRegressor(loss=...)` / `XGBClassifier(loss=...)`, and the
initial score from the loss's optimal constant.

Conventions (see the README, "Train with your loss"):
- The objective hands XGBoost the gradient and Hessian of Σ w·ℓ. `std/mse` gives
  2r and 2 where `reg:squarederror` gives r and 1: the Newton step is the same, but
  reg_lambda, min_child_weight and gamma see the scale (parity with
  reg_lambda=0, min_child_weight=0). `multi:softprob` uses 2·p(1−p) as its
  Hessian: pass hessian_scale=2 to reproduce it with `std/cross_entropy`.
- With a custom objective XGBoost reads `base_score` as a margin and does not
  estimate it (it stays 0.5): set it with `base_score(loss, y)`, which is the
  loss's optimal constant, or give each row a `base_margin(loss, y)`.
- Predictions are margins; `predict(booster, data, loss)` applies the loss's
  inverse link (sigmoid, softmax, exp or identity).
- Multiclass margins are (n, k), as XGBoost ≥ 2 passes them; a flat n·k array
  (XGBoost 1.x) is read row-major and answered in the same layout.
"""
from __future__ import annotations

from typing import Optional

import numpy as np
import xgboost as _xgb

from . import links
from ._boosting import DEFAULT_HESSIAN_FLOOR, BoostingGradients, broadcast_init, margin_matrix, require_class_count
from ._loss import Loss

__all__ = ["objective", "sklearn_objective", "base_score", "base_margin", "predict", "XGBRegressor",
           "XGBClassifier"]


class Objective:
    """callable(predt, dtrain) -> (grad, hess) for `xgboost.train(obj=...)`. Picklable
    (Dask sends it to every worker, which opens its own host)."""

    def __init__(self, loss: Loss, hessian_scale: float = 1.0, hessian_floor: float = DEFAULT_HESSIAN_FLOOR):
        self.gradients = BoostingGradients(loss, hessian_scale, hessian_floor)

    @property
    def loss(self) -> Loss:
        return self.gradients.loss

    def __call__(self, predt: np.ndarray, dtrain):
        rows = dtrain.num_row()
        weight = dtrain.get_weight()
        return self.compute(predt, dtrain.get_label(), weight if weight.size else None, rows)

    def compute(self, predt, label, weight, rows: int):
        predt = np.asarray(predt)
        margin = margin_matrix(predt, rows)
        grad, hess = self.gradients(margin, self.gradients.target(label, rows), weight)
        return grad.reshape(predt.shape), hess.reshape(predt.shape)

    def __repr__(self) -> str:
        return f"losshost.xgboost.objective({self.loss!r})"


class SklearnObjective:
    """callable(y_true, y_pred, sample_weight=None) -> (grad, hess) for
    `xgboost.XGBRegressor(objective=...)`."""

    def __init__(self, loss: Loss, hessian_scale: float = 1.0, hessian_floor: float = DEFAULT_HESSIAN_FLOOR):
        self.objective = Objective(loss, hessian_scale, hessian_floor)

    def __call__(self, y_true, y_pred, sample_weight=None):
        y_pred = np.asarray(y_pred)
        rows = np.asarray(y_true).shape[0]
        return self.objective.compute(y_pred, y_true, sample_weight, rows)

    def __repr__(self) -> str:
        return f"losshost.xgboost.sklearn_objective({self.objective.loss!r})"


def objective(loss: Loss, *, hessian_scale: float = 1.0, hessian_floor: float = DEFAULT_HESSIAN_FLOOR) -> Objective:
    """The loss as an XGBoost objective for `xgboost.train(params, dtrain, obj=...)`
    (and `xgboost.dask.train`). hessian_floor: the curvature used where the
    plugin's Hessian is zero and the loss declares no surrogate."""
    return Objective(loss, hessian_scale, hessian_floor)


def sklearn_objective(loss: Loss, *, hessian_scale: float = 1.0,
                      hessian_floor: float = DEFAULT_HESSIAN_FLOOR) -> SklearnObjective:
    """The loss as `objective=` of xgboost.XGBRegressor / XGBClassifier."""
    return SklearnObjective(loss, hessian_scale, hessian_floor)


def base_score(loss: Loss, y, weight=None, classes: Optional[int] = None):
    """`params["base_score"]` for a custom objective: the loss's optimal constant
    in margin space (a float, or a list of one per class)."""
    c = loss.optimal_constant(y, weight, classes=classes)
    return c if isinstance(c, float) else [float(v) for v in c]


def base_margin(loss: Loss, y, weight=None, classes: Optional[int] = None) -> np.ndarray:
    """A per-row `base_margin` for the DMatrix (rows, or rows × k) from the
    optimal constant; remember to give it to the prediction DMatrix too."""
    return broadcast_init(loss.optimal_constant(y, weight, classes=classes), np.asarray(y).shape[0])


def predict(booster, data, loss: Loss, **kwargs) -> np.ndarray:
    """Booster predictions on the user's scale: the loss's inverse link applied
    to the margins (probabilities for sigmoid/softmax, rates for exp)."""
    if not isinstance(data, _xgb.DMatrix):
        data = _xgb.DMatrix(data)
    margin = booster.predict(data, output_margin=True, **kwargs)
    return links.inverse(loss.info.link, margin)


class _LossEstimator:
    """What the scikit-learn forms share: the objective from `loss`, base_score from
    its optimal constant (unless given), margins through the inverse link."""

    def _wrapper_params(self):
        return super()._wrapper_params() | {"loss", "hessian_floor"}

    def _fit_with_loss(self, fit, X, y, sample_weight, classes: Optional[int], probability: bool, kwargs,
                       codes=None):
        """codes: the labels as the objective sees them (class indices for a classifier)."""
        if self.loss is None:
            raise ValueError(f"{type(self).__name__} needs loss=host.loss(...)")
        self.objective = sklearn_objective(self.loss, hessian_floor=self.hessian_floor)
        given = self.base_score
        if given is None:
            score = base_score(self.loss, y if codes is None else codes, sample_weight, classes=classes)
            if probability and isinstance(score, float):
                # XGBClassifier trains a custom binary objective as binary:logistic,
                # which reads base_score as a probability.
                score = float(links.sigmoid(np.array(score)))
            self.base_score = score
        try:
            return fit(X, y, sample_weight=sample_weight, **kwargs)
        finally:
            self.base_score = given

    def _margin(self, X, **kwargs):
        return _xgb.XGBModel.predict(self, X, output_margin=True, **kwargs)


class XGBRegressor(_LossEstimator, _xgb.XGBRegressor):
    """xgboost.XGBRegressor trained on a plugin loss. `predict` gives the user's
    scale (inverse link: exp for a log-link loss such as poisson_nll or tweedie)."""

    def __init__(self, *, loss: Optional[Loss] = None, hessian_floor: float = DEFAULT_HESSIAN_FLOOR, **kwargs):
        self.loss = loss
        self.hessian_floor = hessian_floor
        super().__init__(**kwargs)

    def fit(self, X, y, *, sample_weight=None, **kwargs):
        return self._fit_with_loss(super().fit, X, y, sample_weight, None, False, kwargs)

    def predict(self, X, *, output_margin: bool = False, **kwargs):
        margin = self._margin(X, **kwargs)
        return margin if output_margin else links.inverse(self.loss.info.link, margin)


class XGBClassifier(_LossEstimator, _xgb.XGBClassifier):
    """xgboost.XGBClassifier trained on a plugin loss (binary: one logit column,
    e.g. std/bce_with_logits or std/focal; multiclass: k logits, e.g.
    std/cross_entropy). predict_proba applies the loss's inverse link."""

    def __init__(self, *, loss: Optional[Loss] = None, hessian_floor: float = DEFAULT_HESSIAN_FLOOR, **kwargs):
        self.loss = loss
        self.hessian_floor = hessian_floor
        super().__init__(**kwargs)

    def fit(self, X, y, *, sample_weight=None, **kwargs):
        names, codes = np.unique(np.asarray(y), return_inverse=True)
        classes = len(names)
        if self.loss is not None:
            require_class_count(type(self).__name__, self.loss, codes, classes)
        return self._fit_with_loss(super().fit, X, y, sample_weight, classes if classes > 2 else None,
                                   classes == 2, kwargs, codes=codes.astype(np.float64))

    def predict_proba(self, X, **kwargs):
        margin = self._margin(X, **kwargs)
        p = links.inverse(self.loss.info.link, margin)
        return np.column_stack([1 - p, p]) if p.ndim == 1 else p

    def predict(self, X, *, output_margin: bool = False, **kwargs):
        if output_margin:
            return self._margin(X, **kwargs)
        return self.classes_[np.argmax(self.predict_proba(X, **kwargs), axis=1)]
