"""JAX with plugin losses: parity with Optax (values and gradients), jit, grad,
value_and_grad, vmap, float32 and float64, the Hessian diagonal, the errors,
and an Optax training loop with a loss no built-in matches."""
from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import losshost
import losshost.jax as lj

KEYS = jax.random.split(jax.random.PRNGKey(0), 4)
PRED = jax.random.normal(KEYS[0], (64,)) * 2
TARGET = jax.random.normal(KEYS[1], (64,))
LABEL = (jax.random.uniform(KEYS[2], (64,)) < 0.4).astype(jnp.float32)
LOGITS = jax.random.normal(KEYS[3], (64, 5))
CLASS = jnp.arange(64) % 5
DISTRIBUTION = jax.nn.softmax(jax.random.normal(KEYS[2], (64, 5)))

# (loss id, params, Optax loss as a mean over rows, pred, target). Conventions:
# optax.l2_loss is ½(p − t)², half of std/mse; hinge_loss takes ±1 targets;
# kl_divergence takes log-probabilities, as std/kl_div does, whose mean is per row;
# sigmoid_focal_loss's alpha=None is std/focal's alpha=-1.
OPTAX_CASES = {
    "l2_loss": ("std/mse", {}, lambda p, t: 2 * optax.l2_loss(p, t).mean(), PRED, TARGET),
    "squared_error": ("std/mse", {}, lambda p, t: optax.squared_error(p, t).mean(), PRED, TARGET),
    "huber_loss": ("std/huber", {"delta": 1.5}, lambda p, t: optax.huber_loss(p, t, delta=1.5).mean(), PRED, TARGET),
    "log_cosh": ("std/log_cosh", {}, lambda p, t: optax.log_cosh(p, t).mean(), PRED, TARGET),
    "sigmoid_binary_cross_entropy": ("std/bce_with_logits", {},
                                     lambda p, t: optax.sigmoid_binary_cross_entropy(p, t).mean(), PRED, LABEL),
    "sigmoid_focal_loss": ("std/focal", {"alpha": 0.25, "gamma": 2.0},
                           lambda p, t: optax.sigmoid_focal_loss(p, t, alpha=0.25, gamma=2.0).mean(), PRED, LABEL),
    "sigmoid_focal_loss alpha=None": ("std/focal", {"alpha": -1.0, "gamma": 3.0},
                                      lambda p, t: optax.sigmoid_focal_loss(p, t, gamma=3.0).mean(), PRED, LABEL),
    "hinge_loss": ("std/hinge", {}, lambda p, t: optax.hinge_loss(p, t).mean(), PRED, 2 * LABEL - 1),
    "softmax_cross_entropy_with_integer_labels": (
        "std/cross_entropy", {}, lambda p, t: optax.softmax_cross_entropy_with_integer_labels(p, t).mean(),
        LOGITS, CLASS),
    "softmax_cross_entropy": ("std/cross_entropy", {}, lambda p, t: optax.softmax_cross_entropy(p, t).mean(),
                              LOGITS, DISTRIBUTION),
    "kl_divergence": ("std/kl_div", {}, lambda p, t: optax.kl_divergence(p, t).mean(), jax.nn.log_softmax(LOGITS),
                      DISTRIBUTION),
}


@pytest.mark.parametrize("name", OPTAX_CASES)
def test_value_and_gradient_match_optax(host, name):
    loss_id, params, reference, pred, target = OPTAX_CASES[name]
    f = lj.loss(host.loss(loss_id, **params))
    value, grad = jax.jit(jax.value_and_grad(f))(pred, target)
    expected, expected_grad = jax.value_and_grad(reference)(pred, target)
    assert value.dtype == jnp.float32 and grad.dtype == jnp.float32 and grad.shape == pred.shape
    np.testing.assert_allclose(value, expected, rtol=2e-6)
    np.testing.assert_allclose(grad, expected_grad, rtol=2e-5, atol=1e-8)


def test_float64_computes_in_float64(host):
    f = lj.loss(host.loss("std/bce_with_logits"))
    with jax.enable_x64(True):
        pred = jnp.asarray(np.asarray(PRED), dtype=jnp.float64)
        label = jnp.asarray(np.asarray(LABEL), dtype=jnp.float64)
        value, grad = jax.value_and_grad(f)(pred, label)
        expected, expected_grad = jax.value_and_grad(lambda p: optax.sigmoid_binary_cross_entropy(p, label).mean())(pred)
        assert value.dtype == jnp.float64 and grad.dtype == jnp.float64
        np.testing.assert_allclose(value, expected, rtol=1e-13)
        np.testing.assert_allclose(grad, expected_grad, rtol=1e-12, atol=1e-16)


def test_reductions_and_weights(host):
    f = lj.loss(host.loss("std/mse"))
    p, t, w = jnp.array([1.0, 2.0, -1.0]), jnp.zeros(3), jnp.array([1.0, 2.0, 3.0])
    assert float(f(p, t)) == pytest.approx(2.0)
    assert float(f(p, t, reduction="sum")) == pytest.approx(6.0)
    np.testing.assert_allclose(f(p, t, reduction="none"), [1.0, 4.0, 1.0])
    assert float(f(p, t, w)) == pytest.approx(12.0 / 6.0)  # Σ w·ℓ / Σ w
    np.testing.assert_allclose(jax.grad(f)(p, t, w), 2 * w * p / 6.0, rtol=1e-6)
    # none: the cotangent of each value scales that element's gradient.
    np.testing.assert_allclose(jax.grad(lambda p: jnp.vdot(w, f(p, t, reduction="none")))(p), 2 * w * p, rtol=1e-6)
    # A row loss: one value per row, the row's cotangent scales the whole row.
    ce = lj.loss(host.loss("std/cross_entropy"))
    rows = ce(LOGITS, CLASS, reduction="none")
    np.testing.assert_allclose(rows, optax.softmax_cross_entropy_with_integer_labels(LOGITS, CLASS), rtol=2e-6)
    scale = jnp.linspace(0.5, 2.0, 64)
    np.testing.assert_allclose(
        jax.grad(lambda l: jnp.vdot(scale, ce(l, CLASS, reduction="none")))(LOGITS),
        jax.grad(lambda l: jnp.vdot(scale, optax.softmax_cross_entropy_with_integer_labels(l, CLASS)))(LOGITS),
        rtol=2e-5, atol=1e-8)


def test_vmap_matches_a_loop(host):
    f = lj.loss(host.loss("std/huber", delta=0.5))
    preds = jnp.stack([PRED, -PRED, 0.5 * PRED])
    targets = jnp.stack([TARGET, TARGET, LABEL])
    values = jax.jit(jax.vmap(f))(preds, targets)
    grads = jax.vmap(jax.grad(f))(preds, targets)
    for i in range(3):
        assert float(values[i]) == pytest.approx(float(f(preds[i], targets[i])), rel=1e-6)
        np.testing.assert_allclose(grads[i], jax.grad(f)(preds[i], targets[i]), rtol=1e-6)
    # An unbatched target broadcast against batched predictions.
    np.testing.assert_allclose(jax.vmap(f, in_axes=(0, None))(preds, TARGET)[1], f(-PRED, TARGET), rtol=1e-6)


def test_hessian_is_the_plugin_diagonal(host):
    f = lj.loss(host.loss("std/bce_with_logits"))
    p = PRED[:8]
    expected = jax.hessian(lambda q: optax.sigmoid_binary_cross_entropy(q, LABEL[:8]).mean())(p)
    np.testing.assert_allclose(jax.hessian(f)(p, LABEL[:8]), expected, rtol=1e-5, atol=1e-9)
    # A Hessian-vector product, reverse over reverse.
    v = jnp.linspace(-1.0, 1.0, 8)
    hvp = jax.grad(lambda q: jnp.vdot(v, jax.grad(f)(q, LABEL[:8])))(p)
    np.testing.assert_allclose(hvp, expected @ v, rtol=1e-5, atol=1e-9)


def test_what_cannot_be_differentiated_raises(host):
    ce = lj.loss(host.loss("std/cross_entropy"))
    with pytest.raises(losshost.LossError, match=r"^std/cross_entropy: differentiating the gradient of a row loss "
                                                 r"needs its full Hessian; the plugin gives only the diagonal"):
        jax.hessian(ce)(LOGITS[:4], CLASS[:4])
    mse = lj.loss(host.loss("std/mse"))
    with pytest.raises(losshost.LossError, match=r"^std/mse: the plugin gives no gradient with respect to target"):
        jax.grad(mse, argnums=1)(PRED, TARGET)
    with pytest.raises(losshost.LossError, match=r"with respect to weight"):
        jax.grad(mse, argnums=2)(PRED, TARGET, jnp.ones(64))


def test_bad_input_raises(host):
    f = lj.loss(host.loss("std/mse"))
    with pytest.raises(losshost.LossError, match=r"^unknown reduction 'avg'; expected mean, sum or none$"):
        f(PRED, TARGET, reduction="avg")
    with pytest.raises(losshost.LossError, match=r"^target: 63 rows, but pred has 64$"):
        f(PRED, TARGET[:63])
    with pytest.raises(losshost.LossError, match=r"^weight: expected 64 values \(one per row\), got shape \(3,\)$"):
        f(PRED, TARGET, jnp.ones(3))
    with pytest.raises(losshost.LossError, match=r"^pred: expected floating-point values, got int32$"):
        f(jnp.arange(64), TARGET)


def _mlp(params, x):
    for w, b in params[:-1]:
        x = jnp.tanh(x @ w + b)
    w, b = params[-1]
    return (x @ w + b)[:, 0]


def _init(key, sizes):
    keys = jax.random.split(key, len(sizes) - 1)
    return [(jax.random.normal(k, (m, n)) / np.sqrt(m), jnp.zeros(n)) for k, m, n in zip(keys, sizes[:-1], sizes[1:])]


def _train(loss_fn, X, y, steps=300):
    params = _init(jax.random.PRNGKey(1), [X.shape[1], 16, 1])
    opt = optax.adam(0.02)
    state = opt.init(params)

    @jax.jit
    def step(params, state):
        value, grads = jax.value_and_grad(lambda q: loss_fn(_mlp(q, X), y))(params)
        updates, state = opt.update(grads, state)
        return optax.apply_updates(params, updates), state, value

    first = None
    for _ in range(steps):
        params, state, value = step(params, state)
        first = value if first is None else first
    return _mlp(params, X), float(first), float(value)


def test_optax_training_loop_with_an_asymmetric_plugin(team_host, diabetes):
    X, y = diabetes
    X = jnp.asarray((X - X.mean(0)) / X.std(0), dtype=jnp.float32)
    y = jnp.asarray((y - y.mean()) / y.std(), dtype=jnp.float32)
    plugin = team_host.loss("teamtest/asym_squared", k=9.0)
    calls = []
    evaluate = plugin.evaluate

    def counting(*args, **kwargs):  # the host side of every forward and backward pass
        calls.append(kwargs.get("gradient"))
        return evaluate(*args, **kwargs)

    plugin.evaluate = counting
    try:
        pred, first, last = _train(lj.loss(plugin), X, y)
    finally:
        del plugin.evaluate
    assert calls.count(True) == 300  # one value + gradient evaluation per step, under jit
    assert last < 0.5 * first
    mse_pred, _, _ = _train(lambda p, t: jnp.mean((p - t) ** 2), X, y)
    # k = 9: over-prediction costs nine times more, so the fit leans low (toward the 10 % expectile).
    assert float(jnp.mean(mse_pred > y)) > 0.4
    assert float(jnp.mean(pred > y)) < 0.3
    assert float(jnp.mean(pred - y)) < float(jnp.mean(mse_pred - y)) - 0.3
