"""A C plugin compiled at test time with an asymmetric loss (over-prediction
costs k times more) trains in XGBoost and LightGBM, and the fitted predictions
move to the cheap side."""
from __future__ import annotations

import lightgbm as lgb
import numpy as np
import xgboost as xgb

import losshost.lightgbm as ll
import losshost.xgboost as lx

ROUNDS = 30


def _lean(pred, y):
    """Mean signed residual, and the share of rows predicted above the target."""
    return float(np.mean(pred - y)), float(np.mean(pred > y))


def test_asymmetric_loss_shifts_xgboost_predictions_low(team_host, host, diabetes):
    X, y = diabetes
    d = xgb.DMatrix(X, y)
    params = {"tree_method": "hist", "max_depth": 3, "eta": 0.3, "nthread": 2, "seed": 0}
    asym = team_host.loss("teamtest/asym_squared", k=9.0)
    mse = host.loss("std/mse")
    fitted = {}
    for name, loss in (("asym", asym), ("mse", mse)):
        booster = xgb.train({**params, "base_score": lx.base_score(loss, y)}, d, ROUNDS, obj=lx.objective(loss))
        fitted[name] = lx.predict(booster, d, loss)
    mean_asym, above_asym = _lean(fitted["asym"], y)
    mean_mse, above_mse = _lean(fitted["mse"], y)
    assert abs(mean_mse) < 2.0 and 0.35 < above_mse < 0.65
    assert mean_asym < -15.0 and above_asym < 0.4  # k = 9: the fit moves toward the 10 % expectile
    # The start already leans low: the optimal constant of the asymmetric loss is below the mean.
    assert lx.base_score(asym, y) < y.mean() - 15.0


def test_asymmetric_loss_shifts_lightgbm_predictions_low(team_host, host, diabetes):
    X, y = diabetes
    params = {"num_leaves": 8, "learning_rate": 0.3, "num_threads": 2, "verbose": -1, "seed": 0}
    fitted = {}
    for name, loss in (("asym", team_host.loss("teamtest/asym_squared", k=9.0)), ("mse", host.loss("std/mse"))):
        init = ll.init_score(loss, y)
        booster = lgb.train({**params, "objective": ll.objective(loss)}, lgb.Dataset(X, y, init_score=init), ROUNDS)
        fitted[name] = ll.predict(booster, X, loss, init=init)
    mean_asym, above_asym = _lean(fitted["asym"], y)
    mean_mse, above_mse = _lean(fitted["mse"], y)
    assert abs(mean_mse) < 2.0 and 0.35 < above_mse < 0.65
    assert mean_asym < -15.0 and above_asym < 0.4
