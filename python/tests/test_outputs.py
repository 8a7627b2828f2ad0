"""Caller-provided output arrays (`gradient_out=`, `hessian_out=`) and the boosting
bridges' reuse of theirs across rounds."""
from __future__ import annotations

import numpy as np
import pytest

import losshost
import losshost.xgboost as lx
from losshost import LossError


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_outputs_are_written_in_place_and_match_fresh_arrays(host, dtype):
    loss = host.loss("std/huber", delta=0.5)
    rng = np.random.default_rng(3)
    pred, target = rng.normal(size=(400, 3)).astype(dtype), rng.normal(size=(400, 3)).astype(dtype)
    fresh = loss.evaluate(pred, target, gradient=True, hessian=True)
    g, h = np.full_like(pred, np.nan), np.full_like(pred, np.nan)
    r = loss.evaluate(pred, target, gradient_out=g, hessian_out=h)
    assert r.gradient is g and r.hessian is h
    np.testing.assert_array_equal(g, fresh.gradient)
    np.testing.assert_array_equal(h, fresh.hessian)
    assert r.value == fresh.value
    # Reused for other inputs: every element is rewritten.
    r2 = loss.evaluate(target, pred, gradient_out=g)
    np.testing.assert_array_equal(g, loss.evaluate(target, pred, gradient=True).gradient)
    assert r2.hessian is None


def test_bad_output_arrays_are_refused(host):
    loss = host.loss("std/mse")
    pred = np.linspace(-1, 1, 12).reshape(4, 3)
    target = np.zeros((4, 3))
    cases = [
        (np.empty((4, 3), dtype=np.float32), "gradient_out: dtype float32, but this evaluation computes in float64"),
        (np.empty((3, 4)), r"gradient_out: shape \(3, 4\), expected pred's shape \(4, 3\)"),
        (np.empty((3, 4)).T, "gradient_out: must be C-contiguous and writeable"),
        ([0.0] * 12, "gradient_out: expected a numpy array, got list"),
        (pred, "gradient_out: shares memory with an input or another output"),
    ]
    for out, message in cases:
        with pytest.raises(LossError, match=message):
            loss.evaluate(pred, target, gradient_out=out)
    g = np.empty_like(pred)
    with pytest.raises(LossError, match="hessian_out: shares memory"):
        loss.evaluate(pred, target, gradient_out=g, hessian_out=g)
    frozen = np.empty_like(pred)
    frozen.flags.writeable = False
    with pytest.raises(LossError, match="hessian_out: must be C-contiguous and writeable"):
        loss.evaluate(pred, target, hessian_out=frozen)


def test_boosting_rounds_reuse_their_arrays(host):
    obj = lx.objective(host.loss("std/quantile", tau=0.8))  # no built-in objective matches tau = 0.8
    rng = np.random.default_rng(5)
    y = rng.normal(size=300)
    g1, h1 = obj.compute(np.zeros(300), y, None, 300)
    first = g1.copy()
    g2, h2 = obj.compute(np.full(300, 10.0), y, None, 300)
    assert np.shares_memory(g2, g1) and np.shares_memory(h2, h1)  # the same buffers, rewritten
    # quantile's gradient of Σℓ: −tau where target > pred, 1 − tau elsewhere.
    np.testing.assert_allclose(first, np.where(y > 0, -0.8, 0.2))
    np.testing.assert_allclose(g2, np.where(y > 10, -0.8, 0.2))
    g3, _ = obj.compute(np.zeros(200, dtype=np.float32), y[:200], None, 200)  # another shape: new arrays
    assert g3.shape == (200,) and g3.dtype == np.float32 and not np.shares_memory(g3, g1)
