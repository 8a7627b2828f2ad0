"""Train LightGBM with a plugin loss: `lightgbm.train({"objective": objective(loss)}, ...)`
(LightGBM 3: `lightgbm.train(params, data, fobj=objective(loss))`), the scikit-learn
forms `LGBMRegressor(loss=...)` / `LGBMClassifier(loss=...)` (LightGBM 3 and 4), and
the initial score from the loss's optimal constant.

Conventions (see the README, "Train with your loss"):
- With a custom objective LightGBM's boost_from_average does nothing: give the
  Dataset `init_score=init_score(loss, y)`. LightGBM does not store it in the
  model, so add it back at prediction: `predict(booster, X, loss, init=...)`
  (the scikit-learn forms do both).
- Multiclass: LightGBM ≥ 4 passes (n, k) predictions and takes (n, k) gradients;
  older versions pass a flat array in class-major (column-major) order, which
  is read and answered in that layout. Its built-in multiclass Hessian is
  K/(K−1)·p(1−p): pass hessian_scale=K/(K−1) to reproduce it with
  std/cross_entropy.
"""
from __future__ import annotations

from typing import Optional

import lightgbm as _lgb
import numpy as np

from . import links
from ._boosting import DEFAULT_HESSIAN_FLOOR, BoostingGradients, broadcast_init, margin_matrix, require_class_count
from ._errors import LossError
from ._loss import Loss

__all__ = ["objective", "sklearn_objective", "init_score", "predict", "LGBMRegressor", "LGBMClassifier"]

_MAJOR = int(_lgb.__version__.split(".")[0])


def _class_major(rows: int, flat: np.ndarray) -> bool:
    """Whether a flat multiclass array is LightGBM < 4's class-major layout."""
    return flat.ndim == 1 and flat.size != rows and _MAJOR < 4


class Objective:
    """callable(preds, train_data) -> (grad, hess) for `lightgbm.train`. Picklable."""

    def __init__(self, loss: Loss, hessian_scale: float = 1.0, hessian_floor: float = DEFAULT_HESSIAN_FLOOR):
        self.gradients = BoostingGradients(loss, hessian_scale, hessian_floor)

    @property
    def loss(self) -> Loss:
        return self.gradients.loss

    def __call__(self, preds: np.ndarray, train_data):
        return self.compute(preds, train_data.get_label(), train_data.get_weight(), train_data.num_data())

    def compute(self, preds, label, weight, rows: int):
        preds = np.asarray(preds)
        class_major = _class_major(rows, preds)
        margin = margin_matrix(preds, rows, class_major)
        grad, hess = self.gradients(margin, self.gradients.target(label, rows),
                                    None if weight is None else np.asarray(weight))
        if class_major:
            return grad.T.reshape(-1), hess.T.reshape(-1)
        return grad.reshape(preds.shape), hess.reshape(preds.shape)

    def __repr__(self) -> str:
        return f"losshost.lightgbm.objective({self.loss!r})"


class SklearnObjective:
    """callable(y_true, y_pred, weight) -> (grad, hess) for `LGBMRegressor(objective=...)`."""

    def __init__(self, loss: Loss, hessian_scale: float = 1.0, hessian_floor: float = DEFAULT_HESSIAN_FLOOR):
        self.objective = Objective(loss, hessian_scale, hessian_floor)

    def __call__(self, y_true, y_pred, weight):
        return self.objective.compute(y_pred, y_true, weight, np.asarray(y_true).shape[0])

    def __repr__(self) -> str:
        return f"losshost.lightgbm.sklearn_objective({self.objective.loss!r})"


def objective(loss: Loss, *, hessian_scale: float = 1.0, hessian_floor: float = DEFAULT_HESSIAN_FLOOR) -> Objective:
    """The loss as `params["objective"]` of `lightgbm.train`. hessian_floor: the
    curvature used where the plugin's Hessian is zero and the loss declares no surrogate."""
    return Objective(loss, hessian_scale, hessian_floor)


def sklearn_objective(loss: Loss, *, hessian_scale: float = 1.0,
                      hessian_floor: float = DEFAULT_HESSIAN_FLOOR) -> SklearnObjective:
    """The loss as `objective=` of lightgbm.LGBMRegressor / LGBMClassifier."""
    return SklearnObjective(loss, hessian_scale, hessian_floor)


def init_score(loss: Loss, y, weight=None, classes: Optional[int] = None) -> np.ndarray:
    """`init_score` for the Dataset: the optimal constant on every row (rows, or
    rows × k; class-major flat for LightGBM < 4)."""
    score = broadcast_init(loss.optimal_constant(y, weight, classes=classes), np.asarray(y).shape[0])
    return score.T.reshape(-1) if score.ndim == 2 and _MAJOR < 4 else score


def predict(booster, X, loss: Loss, init=None, raw_score: bool = False, **kwargs) -> np.ndarray:
    """Predictions on the user's scale: raw scores plus the initial score the
    model was trained from, through the loss's inverse link (raw_score=True
    stops before the link). `init`: the constant (a float, or one per class),
    per-row scores for these rows, or the training rows' `init_score(loss, y)`,
    which is that constant on every row."""
    margin = np.asarray(booster.predict(X, raw_score=True, **kwargs), dtype=np.float64)
    if init is not None:
        margin = margin + _init_for(np.asarray(init, dtype=np.float64), margin)
    return margin if raw_score else links.inverse(loss.info.link, margin)


def _init_for(init: np.ndarray, margin: np.ndarray) -> np.ndarray:
    """The initial scores to add to these margins (rows, or rows × k)."""
    columns = 1 if margin.ndim == 1 else margin.shape[1]
    if init.size in (1, columns):
        return init.reshape(margin.shape[1:])
    if init.size % columns == 0:
        rows = init.size // columns
        per_row = init.reshape(columns, rows).T if _class_major(rows, init) else init.reshape(rows, columns)
        if rows == margin.shape[0]:
            return per_row.reshape(margin.shape)
        if (per_row == per_row[0]).all():  # the training rows' init_score: one constant, good for any rows
            return per_row[0].reshape(margin.shape[1:])
    raise LossError(f"init: {init.size} initial scores for {margin.shape[0]} rows of {columns} margin(s), and not one "
                    f"constant; pass the constant the model started from, loss.optimal_constant(y_train), or "
                    f"scores for these rows")


class _LossEstimator:
    """What the scikit-learn forms share: the objective from `loss`, init_score
    from its optimal constant, margins plus that constant through the inverse link."""

    # No get_params here: LightGBM's get_params walks __bases__[0] and must skip this mixin.
    # While set, get_params leaves out this package's parameters: LightGBM builds its
    # booster parameters from it, in fit (3 and 4) and in _process_params (4, also at predict).
    _hide_loss_params = False

    def _process_params(self, stage):
        hidden, self._hide_loss_params = self._hide_loss_params, True
        try:
            return super()._process_params(stage)
        finally:
            self._hide_loss_params = hidden

    def _fit_with_loss(self, fit, X, y, sample_weight, classes: Optional[int], kwargs, codes=None):
        """codes: the labels as the objective sees them (class indices for a classifier)."""
        if self.loss is None:
            raise ValueError(f"{type(self).__name__} needs loss=host.loss(...)")
        if self.objective is not None:
            raise ValueError(f"{type(self).__name__}: give loss= or objective=, not both (the loss is the objective)")
        labels = y if codes is None else codes
        constant = self.loss.optimal_constant(labels, sample_weight, classes=classes)
        self.init_constant_ = np.atleast_1d(np.asarray(constant, dtype=np.float64))
        if kwargs.get("init_score") is None:
            kwargs["init_score"] = broadcast_init(constant, np.asarray(labels).shape[0])
            if _MAJOR < 4 and kwargs["init_score"].ndim == 2:
                kwargs["init_score"] = kwargs["init_score"].T.reshape(-1)
        else:
            self.init_constant_ = None  # the caller's per-row scores: they add them back themselves
        # LightGBM (3 and 4) trains `self._objective`, which only __init__ and
        # set_params write, and LightGBM 4's classifier resets it while
        # `self.objective` is None: both name the plugin during the fit, and
        # `objective` is the constructor's None again after it (`objective_` is the plugin's).
        self.objective = self._objective = sklearn_objective(self.loss, hessian_floor=self.hessian_floor)
        self._hide_loss_params = True
        try:
            return fit(X, y, sample_weight=sample_weight, **kwargs)
        finally:
            self.objective = None
            self._hide_loss_params = False

    def _margin(self, X, **kwargs):
        margin = np.asarray(_lgb.LGBMModel.predict(self, X, raw_score=True, **kwargs), dtype=np.float64)
        if self.init_constant_ is not None:
            margin = margin + (self.init_constant_[0] if margin.ndim == 1 else self.init_constant_)
        return margin


def _visible(estimator: _LossEstimator, params: dict) -> dict:
    """get_params with LightGBM's own parameters (LightGBM 3's lists only those of
    the subclass's __init__) and, while LightGBM builds its booster parameters,
    without this package's ("loss" is LightGBM's alias of "objective")."""
    for name in _lgb.LGBMModel._get_param_names():
        params.setdefault(name, getattr(estimator, name))
    if estimator._hide_loss_params:
        for name in ("loss", "hessian_floor"):
            params.pop(name, None)
    return params


class LGBMRegressor(_LossEstimator, _lgb.LGBMRegressor):
    """lightgbm.LGBMRegressor trained on a plugin loss; predict gives the user's scale."""

    def get_params(self, deep=True):
        return _visible(self, super().get_params(deep))

    def __init__(self, *, loss: Optional[Loss] = None, hessian_floor: float = DEFAULT_HESSIAN_FLOOR, **kwargs):
        self.loss = loss
        self.hessian_floor = hessian_floor
        super().__init__(**kwargs)

    def fit(self, X, y, sample_weight=None, **kwargs):
        return self._fit_with_loss(super().fit, X, y, sample_weight, None, kwargs)

    def predict(self, X, raw_score: bool = False, **kwargs):
        margin = self._margin(X, **kwargs)
        return margin if raw_score else links.inverse(self.loss.info.link, margin)


class LGBMClassifier(_LossEstimator, _lgb.LGBMClassifier):
    """lightgbm.LGBMClassifier trained on a plugin loss; predict_proba applies its inverse link."""

    def get_params(self, deep=True):
        return _visible(self, super().get_params(deep))

    def __init__(self, *, loss: Optional[Loss] = None, hessian_floor: float = DEFAULT_HESSIAN_FLOOR, **kwargs):
        self.loss = loss
        self.hessian_floor = hessian_floor
        super().__init__(**kwargs)

    def fit(self, X, y, sample_weight=None, **kwargs):
        names, codes = np.unique(np.asarray(y), return_inverse=True)
        classes = len(names)
        if self.loss is not None:
            require_class_count(type(self).__name__, self.loss, codes, classes)
        return self._fit_with_loss(super().fit, X, y, sample_weight, classes if classes > 2 else None, kwargs,
                                   codes=codes.astype(np.float64))

    def predict_proba(self, X, **kwargs):
        p = links.inverse(self.loss.info.link, self._margin(X, **kwargs))
        return np.column_stack([1 - p, p]) if p.ndim == 1 else p

    def predict(self, X, raw_score: bool = False, **kwargs):
        if raw_score:
            return self._margin(X, **kwargs)
        return self.classes_[np.argmax(self.predict_proba(X, **kwargs), axis=1)]
