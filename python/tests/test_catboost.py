"""CatBoost with plugin objectives: parity with the built-ins under matched
settings, the sign convention, the starting constant, the eval metric, the
scikit-learn forms, and a C plugin no built-in matches moving the fit."""
from __future__ import annotations

import contextlib
import dataclasses
import pickle
import types
import warnings
from threading import get_ident

import catboost as cb
import numpy as np
import pytest
import sklearn.base

import losshost.catboost as lc
from losshost import LossError

# Plain boosting without bagging or random split noise, one Newton step per leaf:
# the tree and leaf computations CatBoost does for its built-ins and a custom objective alike.
PARAMS = dict(iterations=20, depth=3, learning_rate=0.3, boosting_type="Plain", bootstrap_type="No",
              random_strength=0, leaf_estimation_method="Newton", leaf_estimation_iterations=1, thread_count=2,
              random_seed=0, verbose=0, allow_writing_files=False)


class CountingObjective(lc.Objective):
    """The bridge's objective, counting the rows CatBoost asked about."""

    rows = 0

    def calc_ders_range(self, approxes, targets, weights):
        self.rows += len(approxes)
        return super().calc_ders_range(approxes, targets, weights)


def test_derivatives_are_of_minus_the_loss(host):
    loss = host.loss("std/mse")
    obj = lc.objective(loss)
    ders = obj.calc_ders_range(np.array([1.0, -2.0]), np.array([0.0, 0.0], dtype=np.float32),
                               np.array([1.0, 3.0], dtype=np.float32))
    np.testing.assert_array_equal(ders, [[-2.0, -2.0], [12.0, -6.0]])  # −w·2r, −w·2
    scaled = lc.objective(loss, hessian_scale=0.5).calc_ders_range(np.array([1.0, -2.0]), np.zeros(2, np.float32),
                                                                   np.array([1.0, 3.0], dtype=np.float32))
    np.testing.assert_array_equal(scaled, [[-2.0, -1.0], [12.0, -3.0]])  # −w·2r, −0.5·w·2
    ce = lc.objective(host.loss("std/cross_entropy"))
    g, h = ce.calc_ders_multi(np.array([0.0, 0.0, 0.0]), 1.0, 2.0)
    np.testing.assert_allclose(g, [-2 / 3, 4 / 3, -2 / 3])  # −w·(p − onehot)
    np.testing.assert_allclose(h, np.diag([-4 / 9] * 3))  # −w·p(1 − p) on the diagonal



def general_ders(objective_, approxes, targets, weights):
    """What calc_ders_range answered before its per-block path: BoostingGradients on the whole block."""
    grad, hess = objective_.gradients(approxes, objective_.gradients.target(targets, len(approxes)), weights)
    return np.column_stack([-grad, -hess])


@pytest.mark.parametrize("loss_id, params", [("std/mse", {}), ("std/bce_with_logits", {"pos_weight": 3.0}),
                                             ("std/quantile", {"tau": 0.9}), ("std/huber", {"delta": 0.5})])
def test_block_path_gives_the_general_paths_derivatives(host, loss_id, params):
    objective_ = lc.objective(host.loss(loss_id, **params))
    rng = np.random.default_rng(3)
    # huber's tails have a zero Hessian and it declares no surrogate: hessian_floor, with its warning.
    with (pytest.warns(RuntimeWarning, match=r"^std/huber: the Hessian is zero at") if loss_id == "std/huber"
          else contextlib.nullcontext()):
        check_blocks(objective_, loss_id, rng)
    if loss_id == "std/quantile":  # a zero Hessian everywhere: the surrogate times the weight
        w = np.array([0.5, 2.0], dtype=np.float32)
        np.testing.assert_array_equal(objective_.calc_ders_range(np.zeros(2), np.ones(2, np.float32), w)[:, 1],
                                      [-0.5, -2.0])


def check_blocks(objective_, loss_id, rng):
    for rows in (1000, 282, 1000, 1):  # new shapes and a reused one
        approxes = rng.normal(size=rows)
        targets = (rng.uniform(size=rows) < 0.5 if "bce" in loss_id else rng.normal(size=rows)).astype(np.float32)
        for weights in (None, rng.uniform(0.1, 3.0, size=rows).astype(np.float32)):
            ders = objective_.calc_ders_range(approxes, targets, weights)
            assert type(ders) is np.ndarray and ders.shape == (rows, 2) and ders.dtype == np.float64
            np.testing.assert_array_equal(ders, general_ders(objective_, approxes, targets, weights))


def test_block_path_floor_warning_and_errors(host, team_host):
    loss = host.loss("std/mae")
    loss.info = dataclasses.replace(loss.info, curvature=dataclasses.replace(loss.info.curvature, surrogate=None))
    objective_ = lc.objective(loss, hessian_floor=0.25)
    approxes, targets, weights = np.zeros(3), np.array([1, -1, 0], np.float32), np.array([1, 2, 4], np.float32)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ders = objective_.calc_ders_range(approxes, targets, weights)
        objective_.calc_ders_range(approxes, targets, weights)
    np.testing.assert_array_equal(ders, [[1.0, -0.25], [-2.0, -0.5], [0.0, -1.0]])  # −w·sign(r), −floor·w
    assert [str(c.message) for c in caught] == [
        "std/mae: the Hessian is zero at 100% of the elements and the loss declares no surrogate curvature; using "
        "hessian_floor=0.25 (times the row weight) there"]  # once
    bad = lc.objective(team_host.loss("badtest/nan_gradient", check=False))
    approxes = np.array([1.0, 2.0, 11.0, 12.0])
    with pytest.raises(LossError, match=r"^badtest/nan_gradient: the plugin returned a non-finite gradient at row 2 "
                                        r"\(pred \[11\.\], target \[3\.\]\); training stopped"):
        bad.calc_ders_range(approxes, np.full(4, 3.0, np.float32), None)
    with pytest.raises(LossError, match=r"a block of 4 margins with 3 labels; expected one of each per row"):
        bad.calc_ders_range(approxes, np.zeros(3, np.float32), None)


def test_block_path_stops_where_the_host_found_bad_output(host):
    """The block path checks nothing itself: it raises at the row the host reported (its facts, found
    while it wrote the block) and names that row, even where the arrays it answers from look fine."""
    approxes, targets = np.zeros(4), np.arange(4, dtype=np.float32)
    for facts, message in (((2, -1, -1), r"a non-finite gradient at row 2 \(pred \[0\.\], target \[2\.\]\)"),
                           ((1, 3, -1), "a non-finite gradient at row 1 "),  # the gradient first, as BoostingGradients
                           ((-1, 3, -1), "a negative or NaN Hessian at row 3 ")):
        loss = host.loss("std/mse")
        real = loss._bound_evaluation

        def reporting(pred, target, weight, gradient, hessian, real=real, facts=facts):
            evaluate = real(pred, target, weight, gradient, hessian)

            def run():
                evaluate()
                return types.SimpleNamespace(gradient_nonfinite_first=facts[0], hessian_negative_first=facts[1],
                                             hessian_zero_first=facts[2])
            return run
        loss._bound_evaluation = reporting
        with pytest.raises(LossError, match=rf"^std/mse: the plugin returned {message}"):
            lc.objective(loss).calc_ders_range(approxes, targets, None)


def test_block_path_stops_at_infinite_gradients_and_negative_hessians(host):
    """What the host reports, end to end: an overflowing std/mse gradient (+inf, -inf) and std/focal's
    negative Hessian, at the row the general path names."""
    mse = lc.objective(host.loss("std/mse"))
    approxes = np.array([0.0, 1e308, 0.0, -1e308])
    targets = np.array([0.0, -3e38, 1.0, 3e38], dtype=np.float32)
    with pytest.raises(LossError, match=r"^std/mse: the plugin returned a non-finite gradient at row 1 "):
        mse.calc_ders_range(approxes, targets, None)
    with pytest.raises(LossError, match=r"^std/mse: the plugin returned a non-finite gradient at row 3 "):
        mse.calc_ders_range(approxes[[0, 2, 2, 3]], targets[[0, 2, 2, 3]], None)
    focal = lc.objective(host.loss("std/focal"))
    margin, label = np.array([0.0, 0.5, -6.0]), np.ones(3, np.float32)
    h = focal.loss.evaluate(margin, label, reduction="sum", hessian=True).hessian
    row = int(np.argmax(h < 0))
    assert h[row] < 0
    message = rf"^std/focal: the plugin returned a negative or NaN Hessian at row {row} "
    with pytest.raises(LossError, match=message):
        focal.calc_ders_range(margin, label, None)
    with pytest.raises(LossError, match=message):
        general_ders(focal, margin, label, None)


class ThreadsObjective(lc.Objective):
    """The bridge's objective, noting the threads that called it and the block buffers it made."""

    def __init__(self, loss):
        super().__init__(loss)
        self.callers, self.made = set(), []

    def calc_ders_range(self, approxes, targets, weights):
        self.callers.add(get_ident())
        return super().calc_ders_range(approxes, targets, weights)

    def _block(self, rows, weighted):
        self.made.append((get_ident(), rows))
        return super()._block(rows, weighted)


def test_catboost_threads_keep_their_blocks(host):
    """CatBoost's own threads enter Python with a fresh thread state on every call (a threading.local
    would be empty each time): the block buffers, kept by thread id, are made once per thread and size."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30000, 5))
    y = X[:, 0] + rng.normal(size=30000)
    for _ in range(5):  # CatBoost decides which thread takes a block; most fits use more than one
        objective_ = ThreadsObjective(host.loss("std/mse"))
        cb.CatBoostRegressor(loss_function=objective_, eval_metric="RMSE",
                             **{**PARAMS, "iterations": 5, "thread_count": 4}).fit(X, y)
        if len(objective_.callers) > 1:
            break
    assert len(objective_.callers) > 1
    assert len(objective_.made) == len(set(objective_.made))


def test_mse_matches_rmse(host, diabetes):
    X, y = diabetes
    # l2_leaf_reg=0: the Newton step does not see std/mse's factor 2.
    builtin = cb.CatBoostRegressor(loss_function="RMSE", l2_leaf_reg=0, **PARAMS).fit(X, y)
    loss = host.loss("std/mse")
    form = lc.CatBoostRegressor(loss=loss, l2_leaf_reg=0, **PARAMS).fit(X, y)
    expected = builtin.predict(X)
    np.testing.assert_allclose(form.predict(X), expected, rtol=1e-7)
    assert np.abs(expected - y.mean()).max() > 10  # the model learned something
    # The start: RMSE's boost_from_average and the loss's optimal constant are both the mean.
    assert form.get_scale_and_bias()[1] == pytest.approx(builtin.get_scale_and_bias()[1], rel=1e-6)
    # The same through a Pool with a baseline, adding it back at prediction.
    base = lc.baseline(loss, y)
    np.testing.assert_allclose(base, np.full(len(y), y.mean()))
    model = cb.CatBoost({**PARAMS, "l2_leaf_reg": 0, "loss_function": lc.objective(loss),
                         "eval_metric": lc.metric(loss)}).fit(cb.Pool(X, y, baseline=base))
    np.testing.assert_allclose(lc.predict(model, X, loss, init=y.mean()), expected, rtol=1e-7)


def test_weights_pass_through(host, diabetes):
    X, y = diabetes
    w = np.random.default_rng(3).uniform(0.2, 3.0, size=len(y))
    builtin = cb.CatBoostRegressor(loss_function="RMSE", l2_leaf_reg=0, **PARAMS).fit(X, y, sample_weight=w)
    form = lc.CatBoostRegressor(loss=host.loss("std/mse"), l2_leaf_reg=0, **PARAMS).fit(X, y, sample_weight=w)
    np.testing.assert_allclose(form.predict(X), builtin.predict(X), rtol=1e-6)
    assert form.get_scale_and_bias()[1] == pytest.approx(np.average(y, weights=w), rel=1e-9)


def test_bce_with_logits_matches_logloss(host, breast_cancer):
    X, y = breast_cancer
    builtin = cb.CatBoostClassifier(loss_function="Logloss", boost_from_average=True, **PARAMS).fit(X, y)
    form = lc.CatBoostClassifier(loss=host.loss("std/bce_with_logits"), **PARAMS).fit(X, y)
    expected = builtin.predict_proba(X)
    got = form.predict_proba(X)
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-7)
    assert got[:, 1].min() < 0.05 and got[:, 1].max() > 0.95
    np.testing.assert_array_equal(form.predict(X), builtin.predict(X))


def test_cross_entropy_matches_multiclass_under_gradient_leaves(host, iris):
    X, y = iris
    params = {**PARAMS, "leaf_estimation_method": "Gradient"}
    builtin = cb.CatBoostClassifier(loss_function="MultiClass", **params).fit(X, y)
    form = lc.CatBoostClassifier(loss=host.loss("std/cross_entropy"), **params).fit(X, y)
    got = form.predict_proba(X)
    assert got.shape == (150, 3)
    np.testing.assert_allclose(got, builtin.predict_proba(X), rtol=1e-6, atol=1e-9)
    # Both start from equal class scores: the log priors of iris's balanced classes.
    np.testing.assert_allclose(form.get_scale_and_bias()[1], [np.log(1 / 3)] * 3, rtol=1e-9)
    assert (form.predict(X) == y).mean() > 0.9


def test_quantile_matches_catboost_quantile(host, diabetes):
    X, y = diabetes
    loss = host.loss("std/quantile", tau=0.9)
    # Quantile allows no Newton leaves; the gradient step reads der1 only.
    params = {**PARAMS, "leaf_estimation_method": "Gradient"}
    builtin = cb.CatBoostRegressor(loss_function="Quantile:alpha=0.9", boost_from_average=False, **params).fit(X, y)
    bare = cb.CatBoostRegressor(loss_function=lc.objective(loss), eval_metric=lc.metric(loss), **params).fit(X, y)
    np.testing.assert_allclose(bare.predict(X), builtin.predict(X), rtol=1e-7)
    started = cb.CatBoostRegressor(loss_function="Quantile:alpha=0.9", boost_from_average=True, **params).fit(X, y)
    form = lc.CatBoostRegressor(loss=loss, **params).fit(X, y)
    # Both start at the 0.9-quantile, 265 (CatBoost's exactly, the plugin's to 1e-10);
    # the rows whose target is 265 fall on the other side of the kink.
    assert form.get_scale_and_bias()[1] == pytest.approx(265.0, abs=1e-6)
    np.testing.assert_allclose(form.predict(X), started.predict(X), atol=1e-2)
    assert 0.07 < np.mean(y > form.predict(X)) < 0.13  # τ = 0.9: about 10 % of targets above


@pytest.mark.parametrize("builtin_name, loss_id, params", [
    ("Poisson", "std/poisson_nll", {}),
    ("Tweedie:variance_power=1.5", "std/tweedie", {"rho": 1.5}),
])
def test_log_link_losses_match_poisson_and_tweedie(host, diabetes, builtin_name, loss_id, params):
    X, y = diabetes
    counts = np.round(y / 30)
    loss = host.loss(loss_id, **params)
    # CatBoost cannot boost_from_average these: both start from 0.
    builtin = cb.CatBoostRegressor(loss_function=builtin_name, **PARAMS).fit(X, counts)
    bare = cb.CatBoostRegressor(loss_function=lc.objective(loss), eval_metric=lc.metric(loss), **PARAMS).fit(X, counts)
    expected = builtin.predict(X)  # CatBoost predicts exp(raw) for these
    np.testing.assert_allclose(lc.predict(bare, X, loss), expected, rtol=1e-7)
    # The form starts from the optimal constant, log(mean): a better first model.
    form = lc.CatBoostRegressor(loss=loss, **PARAMS).fit(X, counts)
    assert form.get_scale_and_bias()[1] == pytest.approx(np.log(counts.mean()), rel=1e-6)
    assert loss.evaluate(np.log(form.predict(X)), counts).value < loss.evaluate(np.log(expected), counts).value


def test_metric_is_the_loss_on_the_eval_set(host, diabetes):
    X, y = diabetes
    loss = host.loss("std/pseudo_huber", delta=20.0)
    w = np.linspace(0.5, 2.0, 142)
    model = lc.CatBoostRegressor(loss=loss, **PARAMS).fit(X[:300], y[:300],
                                                          eval_set=cb.Pool(X[300:], y[300:], weight=w))
    history = model.get_evals_result()["validation"]["Metric"]
    assert len(history) == PARAMS["iterations"]
    expected = loss.evaluate(model.predict(X[300:]), y[300:], weight=w).value
    # use_best_model (on with an eval set) keeps the trees up to the best iteration.
    assert model.get_best_score()["validation"]["Metric"] == pytest.approx(expected, rel=1e-6)
    assert min(history) == pytest.approx(expected, rel=1e-6) and min(history) < history[0]
    assert not lc.metric(loss).is_max_optimal()


def test_asymmetric_plugin_moves_the_fit_and_runs(team_host, host, diabetes):
    X, y = diabetes
    asym = team_host.loss("teamtest/asym_squared", k=9.0)
    counting = CountingObjective(asym)
    fitted = {}
    for name, objective_ in (("asym", counting), ("mse", lc.objective(host.loss("std/mse")))):
        model = lc.CatBoostRegressor(loss_function=objective_, **PARAMS).fit(X, y)
        fitted[name] = model.predict(X)
    assert counting.rows >= PARAMS["iterations"] * len(y)  # the plugin gave every round's derivatives
    assert abs(np.mean(fitted["mse"] - y)) < 2.0 and 0.35 < np.mean(fitted["mse"] > y) < 0.65
    assert np.mean(fitted["asym"] - y) < -15.0 and np.mean(fitted["asym"] > y) < 0.4  # toward the 10 % expectile


def test_pos_weight_moves_probabilities_up(host, breast_cancer):
    X, y = breast_cancer
    plain = lc.CatBoostClassifier(loss=host.loss("std/bce_with_logits"), **PARAMS).fit(X, y)
    weighted = lc.CatBoostClassifier(loss=host.loss("std/bce_with_logits", pos_weight=5.0), **PARAMS).fit(X, y)
    # pos_weight = 5 starts at logit(5p / (5p + 1 − p)) and lifts every probability.
    p = y.mean()
    assert weighted.get_scale_and_bias()[1] == pytest.approx(np.log(5 * p / (1 - p)), rel=1e-6)
    assert weighted.predict_proba(X)[:, 1].mean() > plain.predict_proba(X)[:, 1].mean() + 0.02


def test_classifier_labels_are_any_values(host, iris):
    X, y = iris
    names = np.array(["setosa", "versicolor", "virginica"])[y.astype(int)]
    model = lc.CatBoostClassifier(loss=host.loss("std/cross_entropy"), **PARAMS).fit(
        X[::2], names[::2], eval_set=(X[1::2], names[1::2]))
    assert list(model.classes_) == ["setosa", "versicolor", "virginica"]
    assert model.get_best_score()["validation"]["Metric"] < 0.3  # the held-out cross entropy, from log 3 = 1.1
    assert (model.predict(X) == names).mean() > 0.9
    assert model.get_params().get("class_names") is None  # given to CatBoost for the fit only


def test_forms_clone_and_pickle(host, diabetes):
    X, y = diabetes
    loss = host.loss("std/quantile", tau=0.9)
    model = lc.CatBoostRegressor(loss=loss, **{**PARAMS, "leaf_estimation_method": "Gradient"})
    clone = sklearn.base.clone(model)
    assert clone.loss.id == "std/quantile" and clone.loss.params_used == loss.params_used
    model.fit(X, y)
    again = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(again.predict(X), model.predict(X))
    assert again.get_scale_and_bias() == model.get_scale_and_bias()


def test_bad_plugin_output_stops_training(team_host, diabetes):
    X, y = diabetes
    loss = team_host.loss("badtest/nan_gradient", check=False)
    with pytest.raises(cb.CatBoostError, match=r"badtest/nan_gradient: the plugin returned a non-finite gradient "
                                               r"at row 0 \(pred \[12\.\], target \[20\.\]\)"):
        cb.CatBoost({**PARAMS, "loss_function": lc.objective(loss), "eval_metric": "RMSE"}).fit(
            cb.Pool(X, 20.0 + (np.arange(len(y)) % 2), baseline=np.full(len(y), 12.0)))


def test_form_needs_a_loss(diabetes):
    X, y = diabetes
    with pytest.raises(ValueError, match="CatBoostRegressor needs loss=host.loss"):
        lc.CatBoostRegressor(**PARAMS).fit(X, y)
