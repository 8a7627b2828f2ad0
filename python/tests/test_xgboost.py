"""XGBoost with plugin objectives: parity with the built-ins on scikit-learn's
bundled datasets, the scikit-learn forms, zero Hessians, bad plugin output."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import xgboost as xgb
from sklearn.model_selection import train_test_split

import losshost
import losshost.xgboost as lx
from conftest import count_rounds

ROUNDS = 20
# reg_lambda=0 and min_child_weight=0: the Newton step -G/H and the split order
# do not see the plugin's scale (std/mse gives 2r and 2 where XGBoost uses r and 1).
PARAMS = {"tree_method": "hist", "max_depth": 3, "eta": 0.3, "reg_lambda": 0.0, "min_child_weight": 0.0,
          "nthread": 2, "seed": 0}


def test_mse_matches_reg_squarederror(host, diabetes):
    X, y = diabetes
    d = xgb.DMatrix(X, y)
    builtin = xgb.train({**PARAMS, "objective": "reg:squarederror"}, d, ROUNDS)
    loss = host.loss("std/mse")
    plugin = xgb.train({**PARAMS, "base_score": lx.base_score(loss, y)}, d, ROUNDS, obj=lx.objective(loss))
    expected = builtin.predict(d)
    got = lx.predict(plugin, d, loss)
    np.testing.assert_allclose(got, expected, rtol=1e-5)
    assert np.abs(expected - y.mean()).max() > 10  # the model learned something


def test_bce_with_logits_matches_binary_logistic(host, breast_cancer):
    X, y = breast_cancer
    d = xgb.DMatrix(X, y)
    builtin = xgb.train({**PARAMS, "objective": "binary:logistic"}, d, ROUNDS)
    loss = host.loss("std/bce_with_logits")
    base = lx.base_score(loss, y)
    assert base == pytest.approx(np.log(y.mean() / (1 - y.mean())), rel=1e-6)
    plugin = xgb.train({**PARAMS, "base_score": base}, d, ROUNDS, obj=lx.objective(loss))
    expected = builtin.predict(d)
    got = lx.predict(plugin, d, loss)  # sigmoid of the margins
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)
    assert 0.0 < got.min() < 0.05 and 0.95 < got.max() < 1.0


def test_cross_entropy_matches_multi_softprob(host, iris):
    X, y = iris
    d = xgb.DMatrix(X, y)
    builtin = xgb.train({**PARAMS, "objective": "multi:softprob", "num_class": 3}, d, ROUNDS)
    loss = host.loss("std/cross_entropy")
    # multi:softprob starts every class at 0 and uses 2·p(1-p) as its Hessian.
    plugin = xgb.train({**PARAMS, "num_class": 3, "base_score": [0.0, 0.0, 0.0]}, d, ROUNDS,
                       obj=lx.objective(loss, hessian_scale=2.0))
    expected = builtin.predict(d)
    got = lx.predict(plugin, d, loss)  # softmax of the (n, 3) margins
    assert got.shape == (150, 3)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(got.sum(axis=1), 1.0, rtol=1e-12)


def test_weights_pass_through(host, diabetes):
    X, y = diabetes
    w = np.random.default_rng(3).uniform(0.2, 3.0, size=len(y))
    d = xgb.DMatrix(X, y, weight=w)
    builtin = xgb.train({**PARAMS, "objective": "reg:squarederror", "base_score": float(np.average(y, weights=w))},
                        d, ROUNDS)
    loss = host.loss("std/mse")
    base = lx.base_score(loss, y, w)
    assert base == pytest.approx(np.average(y, weights=w), rel=1e-9)
    plugin = xgb.train({**PARAMS, "base_score": base}, d, ROUNDS, obj=lx.objective(loss))
    np.testing.assert_allclose(plugin.predict(d, output_margin=True), builtin.predict(d), rtol=1e-5)


def test_flat_multiclass_layout_round_trips(host):
    loss = host.loss("std/cross_entropy")
    obj = lx.objective(loss)
    margin = np.random.default_rng(1).normal(size=(5, 3))
    label = np.array([0, 2, 1, 1, 0], dtype=float)
    g2, h2 = (a.copy() for a in obj.compute(margin, label, None, 5))  # the next round reuses the arrays
    g1, h1 = obj.compute(margin.reshape(-1), label, None, 5)  # XGBoost 1.x passes n·k, row-major
    assert g2.shape == (5, 3) and g1.shape == (15,)
    np.testing.assert_array_equal(g1, g2.reshape(-1))
    np.testing.assert_array_equal(h1, h2.reshape(-1))


SKLEARN = {"n_estimators": ROUNDS, "max_depth": 3, "learning_rate": 0.3, "reg_lambda": 0.0, "min_child_weight": 0.0,
           "tree_method": "hist", "n_jobs": 2, "random_state": 0}


def test_sklearn_regressor_trains_the_plugin(host, diabetes, monkeypatch):
    X, y = diabetes
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=0)
    rounds = count_rounds(monkeypatch, lx)
    model = lx.XGBRegressor(loss=host.loss("std/quantile", tau=0.9), n_estimators=30, max_depth=3)
    model.fit(X_train, y_train)
    assert rounds == [len(y_train)] * 30
    assert 0.06 < np.mean(y_train > model.predict(X_train)) < 0.14  # a τ = 0.9 fit: about 10 % above
    assert 0.03 < np.mean(y_test > model.predict(X_test)) < 0.2


def test_sklearn_classifier_with_pos_weight_trains_the_plugin(host, breast_cancer, monkeypatch):
    X, y = breast_cancer
    loss = host.loss("std/bce_with_logits", pos_weight=3.0)
    model = lx.XGBClassifier(loss=loss, **SKLEARN).fit(X, y)
    # binary:logistic with scale_pos_weight=3 is the same loss (from the same start);
    # its default (pos_weight 1) is another one.
    start = float(1 / (1 + np.exp(-loss.optimal_constant(y))))
    same = xgb.XGBClassifier(scale_pos_weight=3.0, base_score=start, **SKLEARN).fit(X, y)
    np.testing.assert_allclose(model.predict_proba(X), same.predict_proba(X), rtol=1e-5, atol=1e-6)
    default = xgb.XGBClassifier(**SKLEARN).fit(X, y)
    assert np.abs(model.predict_proba(X) - default.predict_proba(X)).max() > 0.05
    rounds = count_rounds(monkeypatch, lx)
    lx.XGBClassifier(loss=loss, **SKLEARN).fit(X, y)
    assert rounds == [len(y)] * ROUNDS


def test_sklearn_multiclass_with_label_smoothing_trains_the_plugin(host, iris, monkeypatch):
    X, y = iris
    rounds = count_rounds(monkeypatch, lx)
    model = lx.XGBClassifier(loss=host.loss("std/cross_entropy", label_smoothing=0.3), **SKLEARN).fit(X, y)
    assert rounds == [len(y)] * ROUNDS
    # Smoothing 0.3 over 3 classes puts the best probability at 0.8; multi:softprob goes to 1.
    assert 0.7 < model.predict_proba(X).max() < 0.9
    assert xgb.XGBClassifier(**SKLEARN).fit(X, y).predict_proba(X).max() > 0.97
    assert (model.predict(X) == y).mean() > 0.95


def test_sklearn_classifier_refuses_a_loss_that_does_not_fit_the_classes(host, breast_cancer):
    X, y = breast_cancer
    with pytest.raises(losshost.LossError, match=r"^XGBClassifier: std/cross_entropy takes one margin per class, "
                                                 r"but a 2-class problem trains one logit column: use a binary loss "
                                                 r"such as host.loss\(\"std/bce_with_logits\"\)$"):
        lx.XGBClassifier(loss=host.loss("std/cross_entropy"), **SKLEARN).fit(X, y)


def test_objective_checks_labels_against_margins(host):
    labels = np.array([0.0, 1.0] * 4 + [1.0])
    with pytest.raises(losshost.LossError, match=r"^std/bce_with_logits: 9 labels for 18 margins; an element-wise "
                                                 r"loss takes one label per margin$"):
        lx.sklearn_objective(host.loss("std/bce_with_logits"))(labels, np.zeros(18))
    with pytest.raises(losshost.LossError, match=r"^std/mse: 18 labels for 9 margins"):
        lx.objective(host.loss("std/mse")).compute(np.zeros(9), np.zeros(18), None, 9)
    with pytest.raises(losshost.LossError, match=r"^20 margins for 9 rows of labels"):
        lx.objective(host.loss("std/cross_entropy")).compute(np.zeros(20), labels, None, 9)


def test_sklearn_regressor_matches_builtin(host, diabetes):
    # Parity (conventions); the same loss as the built-in: the tests above show the plugin runs.
    X, y = diabetes
    kw = {"n_estimators": ROUNDS, "max_depth": 3, "learning_rate": 0.3, "reg_lambda": 0.0, "min_child_weight": 0.0,
          "tree_method": "hist", "n_jobs": 2, "random_state": 0}
    builtin = xgb.XGBRegressor(objective="reg:squarederror", **kw).fit(X, y)
    model = lx.XGBRegressor(loss=host.loss("std/mse"), **kw).fit(X, y)
    np.testing.assert_allclose(model.predict(X), builtin.predict(X), rtol=1e-5)
    assert model.get_params()["loss"].id == "std/mse"
    # The plain scikit-learn form: xgboost.XGBRegressor(objective=...).
    plain = xgb.XGBRegressor(objective=lx.sklearn_objective(host.loss("std/mse")), base_score=float(y.mean()),
                             **kw).fit(X, y)
    np.testing.assert_allclose(plain.predict(X, output_margin=True), builtin.predict(X), rtol=1e-5)


def test_sklearn_classifier_matches_builtin(host, breast_cancer, iris):
    # Parity (conventions); the same losses as the built-ins: the tests above show the plugin runs.
    X, y = breast_cancer
    kw = {"n_estimators": ROUNDS, "max_depth": 3, "learning_rate": 0.3, "reg_lambda": 0.0, "min_child_weight": 0.0,
          "tree_method": "hist", "n_jobs": 2, "random_state": 0}
    builtin = xgb.XGBClassifier(**kw).fit(X, y)
    model = lx.XGBClassifier(loss=host.loss("std/bce_with_logits"), **kw).fit(X, y)
    np.testing.assert_allclose(model.predict_proba(X), builtin.predict_proba(X), rtol=1e-5, atol=1e-7)
    np.testing.assert_array_equal(model.predict(X), builtin.predict(X))
    X, y = iris
    model = lx.XGBClassifier(loss=host.loss("std/cross_entropy"), **kw).fit(X, y)
    p = model.predict_proba(X)
    assert p.shape == (150, 3)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-9)
    assert (model.predict(X) == y).mean() > 0.95


def test_zero_hessian_uses_surrogate_or_floor(host, diabetes):
    X, y = diabetes
    loss = host.loss("std/mae")
    assert loss.info.curvature.piecewise_linear or "curvature" not in loss.info.json
    raw = loss.evaluate(np.zeros_like(y), y, reduction="sum", hessian=True).hessian
    assert not raw.any()  # what the plugin itself says: zero everywhere
    obj = lx.objective(loss, hessian_floor=0.5)
    w = np.linspace(0.5, 1.5, len(y))
    surrogate = loss.info.curvature.surrogate
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        grad, hess = obj.compute(np.zeros_like(y), y, w, len(y))
    fill = surrogate if surrogate else 0.5
    np.testing.assert_allclose(hess, fill * w)
    np.testing.assert_allclose(grad, -np.sign(y) * w)
    messages = [str(c.message) for c in caught if issubclass(c.category, RuntimeWarning)]
    if surrogate:
        assert messages == []
    else:
        assert messages == ["std/mae: the Hessian is zero at 100% of the elements and the loss declares no "
                            "surrogate curvature; using hessian_floor=0.5 (times the row weight) there"]
    # And it trains (a zero Hessian would give XGBoost infinite leaves). With h = 1
    # per row the step is a plain gradient step: XGBoost's own reg:absoluteerror
    # also refits each leaf to a median, which a custom objective cannot do.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        d = xgb.DMatrix(X, y)
        booster = xgb.train({**PARAMS, "base_score": lx.base_score(loss, y)}, d, ROUNDS, obj=obj)
    before = np.abs(y - np.median(y)).mean()
    after = np.abs(y - booster.predict(d)).mean()
    assert np.isfinite(after) and after < before


def test_non_finite_gradient_stops_training(team_host, diabetes):
    X, y = diabetes
    loss = team_host.loss("badtest/nan_gradient", check=False)
    d = xgb.DMatrix(X, np.full(len(y), 20.0))
    with pytest.raises(losshost.LossError, match=r"^badtest/nan_gradient: the plugin returned a non-finite gradient "
                                                 r"at row 0 \(pred \[12\.\], target \[20\.\]\)"):
        xgb.train({**PARAMS, "base_score": 12.0}, d, 2, obj=lx.objective(loss))


def test_negative_hessian_stops_training(host):
    loss = host.loss("std/focal")
    obj = lx.objective(loss)
    margin = np.array([0.0, 0.5, -6.0])
    label = np.array([1.0, 1.0, 1.0])
    h = loss.evaluate(margin, label, reduction="sum", hessian=True).hessian
    assert (h < 0).any()
    row = int(np.argmax(h < 0))
    with pytest.raises(losshost.LossError, match=rf"negative or NaN Hessian at row {row} "):
        obj.compute(margin, label, None, 3)
