"""LightGBM with plugin objectives: parity with binary and multiclass, init_score,
the scikit-learn forms."""
from __future__ import annotations

import lightgbm as lgb
import numpy as np
import pytest

import losshost.lightgbm as ll

ROUNDS = 20
PARAMS = {"num_leaves": 8, "learning_rate": 0.3, "min_data_in_leaf": 5, "min_sum_hessian_in_leaf": 0.0,
          "lambda_l2": 0.0, "num_threads": 2, "verbose": -1, "seed": 0, "deterministic": True,
          "force_row_wise": True}


def _train(params, X, y, rounds=ROUNDS, init_score=None, weight=None):
    data = lgb.Dataset(X, y, init_score=init_score, weight=weight, free_raw_data=False)
    return lgb.train(params, data, rounds)


def test_bce_with_logits_with_init_score_matches_binary(host, breast_cancer):
    X, y = breast_cancer
    builtin = _train({**PARAMS, "objective": "binary"}, X, y)  # boost_from_average: starts at logit(mean)
    loss = host.loss("std/bce_with_logits")
    init = ll.init_score(loss, y)
    assert init.shape == (len(y),)
    np.testing.assert_allclose(init, np.log(y.mean() / (1 - y.mean())), rtol=1e-6)
    plugin = _train({**PARAMS, "objective": ll.objective(loss)}, X, y, init_score=init)
    expected = builtin.predict(X)
    got = ll.predict(plugin, X, loss, init=init)  # raw + init, through the sigmoid
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)
    # Without the init score the custom objective starts at 0 and ends elsewhere.
    cold = _train({**PARAMS, "objective": ll.objective(loss)}, X, y)
    assert np.abs(ll.predict(cold, X, loss) - expected).max() > 1e-3


def test_cross_entropy_matches_multiclass(host, iris):
    X, y = iris
    k = 3
    builtin = _train({**PARAMS, "objective": "multiclass", "num_class": k}, X, y)
    loss = host.loss("std/cross_entropy")
    # LightGBM's multiclass Hessian is K/(K-1)·p(1-p); the plugin's is p(1-p). With the
    # factor the models are equal; without it the first tree splits the same way and
    # only the leaf values differ (by the factor).
    init = ll.init_score(loss, y)
    assert init.shape == (len(y), k)
    plugin = _train({**PARAMS, "objective": ll.objective(loss, hessian_scale=k / (k - 1)), "num_class": k}, X, y,
                    init_score=init)
    expected = builtin.predict(X)
    got = ll.predict(plugin, X, loss, init=init)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(got.sum(axis=1), 1.0, rtol=1e-12)

    unscaled = _train({**PARAMS, "objective": ll.objective(loss), "num_class": k}, X, y, rounds=1, init_score=init)
    one = _train({**PARAMS, "objective": "multiclass", "num_class": k}, X, y, rounds=1)
    a, b = unscaled.dump_model()["tree_info"], one.dump_model()["tree_info"]

    def splits(node):
        if "split_feature" not in node:
            return []
        return [(node["split_feature"], node["threshold"])] + splits(node["left_child"]) + splits(node["right_child"])

    def leaves(node):
        return [node["leaf_value"]] if "leaf_value" in node else leaves(node["left_child"]) + leaves(node["right_child"])

    for ta, tb in zip(a, b):
        assert splits(ta["tree_structure"]) == splits(tb["tree_structure"])
        np.testing.assert_allclose(np.array(leaves(ta["tree_structure"])) / (k / (k - 1)),
                                   leaves(tb["tree_structure"]), rtol=1e-5)


def test_sklearn_forms(host, breast_cancer, diabetes):
    X, y = breast_cancer
    kw = {"n_estimators": ROUNDS, "num_leaves": 8, "learning_rate": 0.3, "min_child_samples": 5,
          "min_child_weight": 0.0, "reg_lambda": 0.0, "n_jobs": 2, "verbose": -1, "random_state": 0,
          "deterministic": True, "force_row_wise": True}
    builtin = lgb.LGBMClassifier(**kw).fit(X, y)
    model = ll.LGBMClassifier(loss=host.loss("std/bce_with_logits"), **kw).fit(X, y)
    np.testing.assert_allclose(model.predict_proba(X), builtin.predict_proba(X), rtol=1e-5, atol=1e-7)
    np.testing.assert_array_equal(model.predict(X), builtin.predict(X))

    X, y = diabetes
    builtin = lgb.LGBMRegressor(**kw).fit(X, y)
    model = ll.LGBMRegressor(loss=host.loss("std/mse"), **kw).fit(X, y)
    # regression's Hessian is 1, std/mse's is 2: equal with reg_lambda=0 and
    # min_child_weight=0 (min_child_samples still counts rows, not Hessians).
    np.testing.assert_allclose(model.predict(X), builtin.predict(X), rtol=1e-5)
    plain = lgb.LGBMRegressor(objective=ll.sklearn_objective(host.loss("std/mse")), **kw)
    plain.fit(X, y, init_score=np.full(len(y), y.mean()))
    np.testing.assert_allclose(plain.predict(X, raw_score=True) + y.mean(), builtin.predict(X), rtol=1e-5)


def test_weights_pass_through(host, diabetes):
    X, y = diabetes
    w = np.random.default_rng(5).uniform(0.2, 3.0, size=len(y))
    builtin = _train({**PARAMS, "objective": "regression"}, X, y, weight=w)
    loss = host.loss("std/mse")
    init = ll.init_score(loss, y, w)
    np.testing.assert_allclose(init, np.average(y, weights=w), rtol=1e-9)
    plugin = _train({**PARAMS, "objective": ll.objective(loss)}, X, y, init_score=init, weight=w)
    np.testing.assert_allclose(ll.predict(plugin, X, loss, init=init), builtin.predict(X), rtol=1e-5)


def test_class_major_layout_of_lightgbm_3(host, monkeypatch):
    loss = host.loss("std/cross_entropy")
    obj = ll.objective(loss)
    margin = np.random.default_rng(2).normal(size=(4, 3))
    label = np.array([0, 2, 1, 0], dtype=float)
    g, h = obj.compute(margin, label, None, 4)
    monkeypatch.setattr(ll, "_MAJOR", 3)
    g3, h3 = obj.compute(margin.T.reshape(-1), label, None, 4)  # class-major, as LightGBM 3 passes it
    np.testing.assert_array_equal(g3, g.T.reshape(-1))
    np.testing.assert_array_equal(h3, h.T.reshape(-1))
    assert ll.init_score(loss, label).shape == (12,)


def test_init_score_is_required_for_the_right_start(host, diabetes):
    X, y = diabetes
    loss = host.loss("std/mse")
    model = _train({**PARAMS, "objective": ll.objective(loss)}, X, y, rounds=1)
    # boost_from_average does nothing for a custom objective: the raw scores start at 0.
    assert abs(model.predict(X, raw_score=True).mean()) < 0.5 * y.mean()
    assert pytest.approx(y.mean(), rel=1e-9) == ll.init_score(loss, y)[0]
