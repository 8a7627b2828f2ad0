"""Loss.optimal_constant against the closed forms (the host computes it from the
loss's own value and gradient; the closed forms are only the oracle here)."""
from __future__ import annotations

import numpy as np
import pytest

RNG = np.random.default_rng(7)


def test_mse_is_the_weighted_mean(host):
    y = RNG.normal(3.0, 2.0, size=501)
    w = RNG.uniform(0.5, 2.0, size=501)
    loss = host.loss("std/mse")
    assert loss.optimal_constant(y) == pytest.approx(y.mean(), rel=1e-9)
    assert loss.optimal_constant(y, w) == pytest.approx(np.average(y, weights=w), rel=1e-9)


def test_mae_is_the_median(host):
    y = RNG.standard_exponential(size=501)  # odd count: one median
    c = host.loss("std/mae").optimal_constant(y)
    assert c == pytest.approx(np.median(y), rel=1e-6)


@pytest.mark.parametrize("tau", [0.1, 0.5, 0.9])
def test_quantile_is_the_tau_quantile(host, tau):
    y = RNG.normal(size=1001)
    c = host.loss("std/quantile", tau=tau).optimal_constant(y)
    # τ·n is not a whole number, so the minimiser is one order statistic.
    assert c == pytest.approx(np.quantile(y, tau, method="inverted_cdf"), abs=1e-6)


def test_bce_with_logits_is_the_logit_of_the_mean(host):
    y = (RNG.uniform(size=400) < 0.3).astype(float)
    w = RNG.uniform(0.5, 2.0, size=400)
    loss = host.loss("std/bce_with_logits")
    m = y.mean()
    assert loss.optimal_constant(y) == pytest.approx(np.log(m / (1 - m)), rel=1e-7)
    mw = np.average(y, weights=w)
    assert loss.optimal_constant(y, w) == pytest.approx(np.log(mw / (1 - mw)), rel=1e-7)


def test_cross_entropy_is_log_class_priors(host):
    y = RNG.choice(4, size=600, p=[0.1, 0.2, 0.3, 0.4]).astype(float)
    c = host.loss("std/cross_entropy").optimal_constant(y)
    assert c.shape == (4,)
    priors = np.bincount(y.astype(int), minlength=4) / len(y)
    # Unique up to a common shift: compare the centred logits.
    np.testing.assert_allclose(c - c.mean(), np.log(priors) - np.log(priors).mean(), atol=1e-6)
    # With probability targets the priors are the mean distribution.
    q = RNG.dirichlet(np.ones(3), size=200)
    c = host.loss("std/cross_entropy").optimal_constant(q)
    p = q.mean(axis=0)
    np.testing.assert_allclose(c - c.mean(), np.log(p) - np.log(p).mean(), atol=1e-6)


def test_classes_beyond_the_labels_seen(host):
    y = np.array([0.0, 1.0, 1.0, 0.0])
    c = host.loss("std/cross_entropy", label_smoothing=0.1).optimal_constant(y, classes=3)
    assert c.shape == (3,)
    assert c[2] < c[0] and c[0] == pytest.approx(c[1], abs=1e-6)
