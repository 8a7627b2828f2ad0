"""A C plugin compiled at test time with an asymmetric loss (over-prediction
costs k times more) trains in XGBoost and LightGBM, their scikit-learn forms
included: the plugin logs every evaluation, and the fitted predictions move to
the cheap side."""
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


def test_asymmetric_loss_trains_in_the_sklearn_forms(team_host, host, diabetes, tmp_path, monkeypatch):
    X, y = diabetes
    log = tmp_path / "calls.log"
    monkeypatch.setenv("LOSSHOST_TEST_LOG", str(log))  # the plugin appends "PID ROWS SUM" per evaluation
    asym = team_host.loss("teamtest/asym_squared", k=9.0)
    for name, form in (("xgboost", lx.XGBRegressor(loss=asym, n_estimators=ROUNDS, max_depth=3, n_jobs=2)),
                       ("lightgbm", ll.LGBMRegressor(loss=asym, n_estimators=ROUNDS, num_leaves=8, n_jobs=2,
                                                      verbose=-1))):
        log.write_text("")
        pred = form.fit(X, y).predict(X)
        full_batches = [line.split() for line in log.read_text().splitlines() if line.split()[1] == str(len(y))]
        assert len(full_batches) >= ROUNDS, name  # one gradient evaluation per round, plus the start's
        # A round asks for gradient and Hessian only: the plugin gets no sum to compute.
        assert len([b for b in full_batches if b[2] == "0"]) >= ROUNDS, name
        mean, above = _lean(pred, y)
        assert mean < -15.0 and above < 0.4, name
