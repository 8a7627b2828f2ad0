"""PyTorch: gradcheck and gradgradcheck of plugin losses, and an MLP trained on one."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.autograd import gradcheck, gradgradcheck

import losshost
import losshost.torch as lt

GEN = torch.Generator().manual_seed(0)


def _away_from(x: torch.Tensor, kinks, gap=0.05) -> torch.Tensor:
    """Moves points that lie within `gap` of a kink off it (finite differences straddle kinks)."""
    for k in kinks:
        near = (x - k).abs() < gap
        x = torch.where(near, x + 2 * gap, x)
    return x


def _inputs(loss_id: str, n=6, d=2):
    """pred, target for an element-wise standard loss, inside its domain and away from its kinks."""
    p = torch.randn(n, d, generator=GEN, dtype=torch.float64)
    t = torch.randn(n, d, generator=GEN, dtype=torch.float64)
    labels = (torch.rand(n, d, generator=GEN) < 0.5).to(torch.float64)
    if loss_id in ("mae", "quantile", "huber", "smooth_l1"):
        r = _away_from(p - t, [0.0, -1.0, 1.0])
        return t + r, t
    if loss_id == "bce":
        return torch.rand(n, d, generator=GEN, dtype=torch.float64) * 0.8 + 0.1, labels
    if loss_id in ("bce_with_logits", "focal", "soft_margin"):
        return p, labels
    if loss_id in ("hinge", "squared_hinge"):
        y = 2 * labels - 1
        m = _away_from(y * p, [1.0])
        return y * m, labels
    if loss_id in ("poisson_nll", "tweedie"):
        return p * 0.5, torch.poisson(torch.full((n, d), 2.0), generator=GEN).to(torch.float64)
    if loss_id == "gamma_nll":  # log-link score, target > 0
        return p * 0.5, torch.rand(n, d, generator=GEN, dtype=torch.float64) + 0.2
    if loss_id == "msle":  # pred and target > -1
        return torch.rand(n, d, generator=GEN, dtype=torch.float64) * 2, torch.rand(n, d, generator=GEN, dtype=torch.float64) * 2
    if loss_id == "mape":  # targets away from 0, residuals away from the kink
        t = torch.sign(t) * (t.abs() + 0.5)
        return t + _away_from(p - t, [0.0]), t
    if loss_id == "hinge_embedding":  # labels ±1, scores away from the margin
        return _away_from(p, [1.0]), 2 * labels - 1
    return p, t


def _elementwise_standard(host):
    return sorted(i.qualified_id.split("/")[1] for i in host.losses() if i.plugin == "std" and i.elementwise)


def test_every_elementwise_standard_loss_is_covered(host):
    assert {"mse", "mae", "huber", "bce_with_logits", "focal", "hinge"} <= set(_elementwise_standard(host))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_gradcheck_and_gradgradcheck_every_elementwise_loss(host, reduction):
    checked = []
    for loss_id in _elementwise_standard(host):
        fn = lt.loss(host.loss(f"std/{loss_id}"), reduction=reduction)
        pred, target = _inputs(loss_id)
        pred.requires_grad_(True)
        weight = torch.rand(pred.shape[0], generator=GEN, dtype=torch.float64) + 0.5
        assert gradcheck(lambda p: fn(p, target, weight), (pred,), eps=1e-6, atol=1e-6, rtol=1e-5), loss_id
        assert gradgradcheck(lambda p: fn(p, target, weight), (pred,), eps=1e-6, atol=1e-5, rtol=1e-4), loss_id
        checked.append(loss_id)
    assert len(checked) >= 10


def test_gradcheck_c_plugin(team_host):
    fn = lt.loss(team_host.loss("teamtest/asym_squared", k=3.0))
    target = torch.randn(8, 1, generator=GEN, dtype=torch.float64)
    pred = (target + _away_from(torch.randn(8, 1, generator=GEN, dtype=torch.float64), [0.0])).requires_grad_(True)
    assert gradcheck(lambda p: fn(p, target), (pred,), eps=1e-6, atol=1e-6)
    assert gradgradcheck(lambda p: fn(p, target), (pred,), eps=1e-6, atol=1e-5)


def test_row_loss_gradcheck_and_no_silent_double_backward(host):
    fn = lt.loss(host.loss("std/cross_entropy"))
    pred = torch.randn(5, 4, generator=GEN, dtype=torch.float64, requires_grad=True)
    target = torch.tensor([0, 3, 1, 2, 2])
    assert gradcheck(lambda p: fn(p, target), (pred,), eps=1e-6, atol=1e-6)
    (g,) = torch.autograd.grad(fn(pred, target), pred, create_graph=True)
    with pytest.raises(RuntimeError, match="double backward of a row loss needs its full Hessian"):
        g.sum().backward()


def test_matches_torch_own_losses(host):
    pred = torch.randn(50, 3, generator=GEN, dtype=torch.float64, requires_grad=True)
    labels = (torch.rand(50, 3, generator=GEN) < 0.4).to(torch.float64)
    ours = lt.loss(host.loss("std/bce_with_logits"))(pred, labels)
    theirs = torch.nn.functional.binary_cross_entropy_with_logits(pred, labels)
    assert ours.item() == pytest.approx(theirs.item(), rel=1e-12)
    (g1,) = torch.autograd.grad(ours, pred)
    (g2,) = torch.autograd.grad(theirs, pred)
    torch.testing.assert_close(g1, g2, rtol=1e-10, atol=1e-12)
    per_row = lt.loss(host.loss("std/cross_entropy"), reduction="none")(pred, torch.tensor([0, 1, 2] * 16 + [0, 1]))
    assert per_row.shape == (50,)


def test_float32_stays_float32(host):
    pred = torch.randn(10, generator=GEN, dtype=torch.float32, requires_grad=True)
    out = lt.loss(host.loss("std/mse"))(pred, torch.zeros(10))
    assert out.dtype == torch.float32
    out.backward()
    assert pred.grad.dtype == torch.float32
    torch.testing.assert_close(pred.grad, 2 * pred.detach() / 10)


def test_two_layer_mlp_trains_with_a_plugin_loss(team_host):
    torch.manual_seed(0)
    X = torch.randn(256, 4)
    y = (X @ torch.tensor([1.0, -2.0, 0.5, 0.0]) + 0.3 * torch.sin(3 * X[:, 0])).unsqueeze(1)
    model = torch.nn.Sequential(torch.nn.Linear(4, 16), torch.nn.Tanh(), torch.nn.Linear(16, 1))
    criterion = lt.loss(team_host.loss("teamtest/asym_squared", k=4.0))
    opt = torch.optim.Adam(model.parameters(), lr=0.02)
    first = criterion(model(X), y).item()
    for _ in range(200):
        opt.zero_grad()
        loss = criterion(model(X), y)
        loss.backward()
        opt.step()
    assert loss.item() < 0.05 * first
    residual = (model(X) - y).detach()
    assert residual.mean() < 0  # over-prediction costs 4x: the fit leans low


def test_pred_must_be_a_tensor(host):
    with pytest.raises(losshost.LossError, match="pred: expected a torch.Tensor, got ndarray"):
        lt.loss(host.loss("std/mse"))(np.zeros(3), torch.zeros(3))


def test_target_or_weight_that_requires_grad_is_refused(host):
    fn = lt.loss(host.loss("std/mse"))
    pred = torch.zeros(3, requires_grad=True)
    with pytest.raises(losshost.LossError, match=r"^std/mse: target requires grad, but the plugin's gradient is for "
                                                 r"pred only; pass target.detach\(\)$"):
        fn(pred, torch.ones(3, requires_grad=True))
    with pytest.raises(losshost.LossError, match=r"^std/mse: weight requires grad"):
        fn(pred, torch.ones(3), torch.ones(3, requires_grad=True))


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_half_precision_follows_pred_dtype(host, dtype):
    pred = torch.tensor([0.5, -1.0, 2.0], dtype=dtype, requires_grad=True)
    target = torch.zeros(3, dtype=dtype)
    out = lt.loss(host.loss("std/mse"))(pred, target)
    assert out.dtype == dtype
    assert out.item() == pytest.approx((0.25 + 1 + 4) / 3, rel=1e-2)
    out.backward()
    assert pred.grad.dtype == dtype
    torch.testing.assert_close(pred.grad, (2 * pred.detach() / 3).to(dtype))
    per_element = lt.loss(host.loss("std/mse"), reduction="none")(pred, target)
    assert per_element.dtype == dtype and per_element.shape == (3,)


def test_shapes_torch_would_broadcast_are_refused(host):
    fn = lt.loss(host.loss("std/mse"))
    with pytest.raises(losshost.LossError, match=r"^std/mse: target has shape \(5,\) and pred \(5, 1\); an "
                                                 r"element-wise loss pairs them element by element \(torch would "
                                                 r"broadcast them\): give both the same shape, e.g. "
                                                 r"target.view_as\(pred\)$"):
        fn(torch.zeros(5, 1, requires_grad=True), torch.zeros(5))
    assert fn(torch.ones(5, 1), torch.zeros(5).view(5, 1)).item() == pytest.approx(1.0)
    # A row loss takes class indices for (N, C) scores, as torch's cross_entropy.
    ce = lt.loss(host.loss("std/cross_entropy"))
    scores = torch.zeros(4, 3)
    assert ce(scores, torch.tensor([0, 1, 2, 0])).item() == pytest.approx(np.log(3))


def test_mean_over_zero_rows_is_an_error(host):
    fn = lt.loss(host.loss("std/mse"))
    empty = torch.zeros(0, 2, requires_grad=True)
    with pytest.raises(losshost.LossError, match=r"^std/mse: the mean over 0 rows is undefined; "
                                                 r"use reduction=\"sum\" \(0 for no rows\)$"):
        fn(empty, torch.zeros(0, 2))
    total = fn(empty, torch.zeros(0, 2), reduction="sum")
    assert total.item() == 0.0
