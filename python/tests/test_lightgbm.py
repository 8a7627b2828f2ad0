"""LightGBM with plugin objectives: parity with binary and multiclass, init_score,
the scikit-learn forms (which must train the plugin, not LightGBM's default)."""
from __future__ import annotations

import lightgbm as lgb
import numpy as np
import pytest
from sklearn.model_selection import train_test_split

import losshost
import losshost.lightgbm as ll
from conftest import count_rounds

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

    # Without the factor the leaves are K/(K-1) times larger (the root's two leaves
    # here), the trees grow differently and the model is another one.
    unscaled = _train({**PARAMS, "objective": ll.objective(loss), "num_class": k}, X, y, rounds=1, init_score=init)
    scaled = _train({**PARAMS, "objective": ll.objective(loss, hessian_scale=k / (k - 1)), "num_class": k}, X, y,
                    rounds=1, init_score=init)

    def leaves(node):
        return [node["leaf_value"]] if "leaf_value" in node else leaves(node["left_child"]) + leaves(node["right_child"])

    first_unscaled = leaves(unscaled.dump_model()["tree_info"][0]["tree_structure"])
    first_scaled = leaves(scaled.dump_model()["tree_info"][0]["tree_structure"])
    assert first_unscaled[0] == pytest.approx(first_scaled[0] * k / (k - 1), rel=1e-6)
    cold = _train({**PARAMS, "objective": ll.objective(loss), "num_class": k}, X, y, init_score=init)
    assert np.abs(ll.predict(cold, X, loss, init=init) - expected).max() > 1e-3


# The scikit-learn forms' equivalent of PARAMS.
SKLEARN = {"n_estimators": ROUNDS, "num_leaves": 8, "learning_rate": 0.3, "min_child_samples": 5,
           "min_child_weight": 0.0, "reg_lambda": 0.0, "n_jobs": 2, "verbose": -1, "random_state": 0,
           "deterministic": True, "force_row_wise": True}


def test_sklearn_regressor_trains_the_plugin(host, diabetes, monkeypatch):
    # The case: LightGBM 4 built its parameters from `_objective` and trained
    # its default `regression` (41 % of the targets above the prediction).
    X, y = diabetes
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=0)
    rounds = count_rounds(monkeypatch, ll)
    model = ll.LGBMRegressor(loss=host.loss("std/quantile", tau=0.9), n_estimators=30, verbose=-1)
    model.fit(X_train, y_train)
    assert rounds == [len(y_train)] * 30
    assert 0.06 < np.mean(y_train > model.predict(X_train)) < 0.14  # a τ = 0.9 fit: about 10 % above
    assert 0.03 < np.mean(y_test > model.predict(X_test)) < 0.2
    assert model.objective is None  # the constructor's parameter is left as given


def test_sklearn_classifier_with_pos_weight_trains_the_plugin(host, breast_cancer, monkeypatch):
    X, y = breast_cancer
    loss = host.loss("std/bce_with_logits", pos_weight=3.0)
    model = ll.LGBMClassifier(loss=loss, **SKLEARN).fit(X, y)
    assert repr(model.objective_) == "losshost.lightgbm.sklearn_objective(<losshost.Loss std/bce_with_logits " \
                                     "pos_weight=3.0>)"
    # LightGBM's binary with scale_pos_weight=3 is the same loss: started from the same
    # init score it gives the same model; its default (pos_weight 1) is another one.
    init = ll.init_score(loss, y)
    same = _train({**PARAMS, "objective": "binary", "scale_pos_weight": 3.0}, X, y, init_score=init)
    np.testing.assert_allclose(model.predict_proba(X)[:, 1], ll.predict(same, X, loss, init=init), rtol=1e-5,
                               atol=1e-6)
    default = lgb.LGBMClassifier(**SKLEARN).fit(X, y)
    assert np.abs(model.predict_proba(X) - default.predict_proba(X)).max() > 0.05
    rounds = count_rounds(monkeypatch, ll)
    ll.LGBMClassifier(loss=loss, **SKLEARN).fit(X, y)
    assert rounds == [len(y)] * ROUNDS


def test_sklearn_multiclass_with_label_smoothing_trains_the_plugin(host, iris, monkeypatch):
    X, y = iris
    rounds = count_rounds(monkeypatch, ll)
    model = ll.LGBMClassifier(loss=host.loss("std/cross_entropy", label_smoothing=0.3), **SKLEARN).fit(X, y)
    assert rounds == [len(y)] * ROUNDS
    # Smoothing 0.3 over 3 classes puts the best probability at 0.8; multiclass goes to 1.
    assert 0.7 < model.predict_proba(X).max() < 0.9
    assert lgb.LGBMClassifier(**SKLEARN).fit(X, y).predict_proba(X).max() > 0.97
    assert (model.predict(X) == y).mean() > 0.95


def test_sklearn_classifier_refuses_a_loss_that_does_not_fit_the_classes(host, breast_cancer, iris):
    X, y = breast_cancer
    with pytest.raises(losshost.LossError, match=r"^LGBMClassifier: std/cross_entropy takes one margin per class, "
                                                 r"but a 2-class problem trains one logit column: use a binary loss "
                                                 r"such as host.loss\(\"std/bce_with_logits\"\)$"):
        ll.LGBMClassifier(loss=host.loss("std/cross_entropy"), **SKLEARN).fit(X, y)
    X, y = iris
    with pytest.raises(losshost.LossError, match=r"^LGBMClassifier: std/bce_with_logits takes 1 margin column\(s\), "
                                                 r"but 3 classes need one per class"):
        ll.LGBMClassifier(loss=host.loss("std/bce_with_logits"), **SKLEARN).fit(X, y)
    with pytest.raises(ValueError, match="give loss= or objective=, not both"):
        ll.LGBMClassifier(loss=host.loss("std/cross_entropy"), objective="multiclass", **SKLEARN).fit(X, y)


def test_predict_on_new_rows_takes_the_training_init(host, diabetes, iris):
    X, y = diabetes
    X_train, X_test, y_train, _ = train_test_split(X, y, test_size=0.3, random_state=0)
    loss = host.loss("std/mse")
    init = ll.init_score(loss, y_train)
    booster = _train({**PARAMS, "objective": ll.objective(loss)}, X_train, y_train, init_score=init)
    expected = booster.predict(X_test, raw_score=True) + loss.optimal_constant(y_train)
    np.testing.assert_allclose(ll.predict(booster, X_test, loss, init=init), expected, rtol=1e-12)
    np.testing.assert_allclose(ll.predict(booster, X_test, loss, init=init[0]), expected, rtol=1e-12)
    with pytest.raises(losshost.LossError, match=rf"^init: {len(y_train)} initial scores for {len(X_test)} rows of 1 "
                                                 r"margin\(s\), and not one constant; pass the constant the model "
                                                 r"started from, loss.optimal_constant\(y_train\), or scores"):
        ll.predict(booster, X_test, loss, init=init + np.arange(len(init)))
    X, y = iris
    loss = host.loss("std/cross_entropy")
    init = ll.init_score(loss, y[::2])
    booster = _train({**PARAMS, "objective": ll.objective(loss), "num_class": 3}, X[::2], y[::2], init_score=init)
    held_out = ll.predict(booster, X[1::2], loss, init=init)
    np.testing.assert_allclose(held_out, ll.predict(booster, X[1::2], loss, init=loss.optimal_constant(y[::2])),
                               rtol=1e-12)
    assert (held_out.argmax(axis=1) == y[1::2]).mean() > 0.9


def test_objective_checks_labels_against_margins(host):
    bce = host.loss("std/bce_with_logits")
    labels = np.array([0.0, 1.0] * 4 + [1.0])
    with pytest.raises(losshost.LossError, match=r"^std/bce_with_logits: 9 labels for 18 margins; an element-wise "
                                                 r"loss takes one label per margin$"):
        ll.sklearn_objective(bce)(labels, np.zeros(18), None)
    with pytest.raises(losshost.LossError, match=r"^20 margins for 9 rows of labels: the trainer's margins and labels "
                                                 r"disagree$"):
        ll.objective(host.loss("std/cross_entropy")).compute(np.zeros(20), labels, None, 9)


def test_sklearn_forms_match_the_builtins(host, breast_cancer, diabetes):
    # Parity (the conventions: scaling, init, link); the same loss as the built-in, so
    # this cannot tell whether the plugin ran: the tests above do.
    X, y = breast_cancer
    kw = SKLEARN
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
