#!/usr/bin/env python3
"""Reference cases for the standard losses added for gradient-boosting and PyTorch users:
pseudo_huber, gamma_nll, mape, msle, nll, multilabel_soft_margin, hinge_embedding.

Writes Tests/LossKitTests/Fixtures/reference/LOSS_NN.json in the format of the
shared reference vectors (see docs/LOSSES.md, "Reference cases"): for each case,
the value, gradient and Hessian diagonal under the reductions none, sum and mean.

Everything is float64. Values and derivatives come from PyTorch autograd over the
formula of docs/LOSSES.md (the Hessian diagonal by differentiating the gradient,
which for these losses depends on its own element only). Each case is then
cross-checked, and the script stops if any check fails, against:
- PyTorch's own loss where one exists (nll_loss, multilabel_soft_margin_loss,
  hinge_embedding_loss), with its reduction;
- the gradient and Hessian formulas of XGBoost (reg:pseudohubererror, reg:gamma,
  reg:squaredlogerror) and LightGBM (gamma, mape) as their sources write them;
- scikit-learn's definitions of mean_absolute_percentage_error and
  mean_squared_log_error (written out here; scikit-learn is not needed).

    /work/pyvenv/bin/python scripts/make_reference_gbm_losses.py   # needs numpy and torch
"""
import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(os.path.dirname(HERE), "Tests", "LossKitTests", "Fixtures", "reference")
RNG = np.random.default_rng(20261201)


def softplus(x):
    return torch.clamp(x, min=0) + torch.log1p(torch.exp(-torch.abs(x)))


# Per-element (or per-row) unweighted loss values as torch functions of pred.
def pseudo_huber(p, t, delta=1.0):
    return delta**2 * (torch.sqrt(1 + ((p - t) / delta) ** 2) - 1)


def gamma_nll(p, t):
    return t * torch.exp(-p) + p


def mape(p, t, eps=np.finfo(np.float64).eps):
    return torch.abs(p - t) / torch.clamp(torch.abs(t), min=eps)


def msle(p, t):
    return (torch.log1p(p) - torch.log1p(t)) ** 2


def hinge_embedding(p, t, margin=1.0):
    return torch.where(t == 1, p, torch.clamp(margin - p, min=0))


def nll_rows(p, t, weight=None):
    y = t[:, 0].long()
    w = torch.ones(p.shape[1]) if weight is None else torch.tensor(weight)
    return -w[y] * p[torch.arange(p.shape[0]), y]


def multilabel_rows(p, t, weight=None):
    w = torch.ones(p.shape[1]) if weight is None else torch.tensor(weight)
    per = w * (t * softplus(-p) + (1 - t) * softplus(p))
    return per.sum(dim=1) / p.shape[1]


def row_normalizer(loss, t, params):
    """What one row adds to the mean's denominator before its sample weight."""
    if loss == "nll" and "weight" in params:
        return np.array(params["weight"])[t[:, 0].astype(int)]
    return np.ones(t.shape[0])


def expected(loss, fn, rowwise, pred, target, weight, params):
    p = torch.tensor(pred, requires_grad=True)
    t = torch.tensor(target)
    n, d = pred.shape
    w = np.ones(n) if weight is None else np.array(weight)
    per = fn(p, t)  # N x D, or N for row losses
    wt = torch.tensor(w if rowwise else np.repeat(w[:, None], d, axis=1))
    total = (wt * per).sum()
    (g,) = torch.autograd.grad(total, p, create_graph=True)
    if g.requires_grad:
        (h,) = torch.autograd.grad(g.sum(), p, allow_unused=True, materialize_grads=True)
    else:  # the gradient does not depend on pred: a loss linear in pred
        h = torch.zeros_like(p)
    values = (wt * per).detach().numpy().reshape(-1)
    grad = g.detach().numpy(force=True).reshape(-1)
    hess = h.detach().numpy(force=True).reshape(-1)
    norm = float((w * row_normalizer(loss, target, params)).sum()) * (1 if rowwise else d)
    out = {
        "mean": {"value": float(values.sum() / norm), "gradient": list(grad / norm), "hessian": list(hess / norm)},
        "sum": {"value": float(values.sum()), "gradient": list(grad), "hessian": list(hess)},
        "none": {"value": list(values), "gradient": list(grad), "hessian": list(hess)},
    }
    return out, per.detach().numpy(), grad.reshape(pred.shape), hess.reshape(pred.shape), w


def close(a, b, what, rtol=1e-12, atol=1e-13):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    scale = max(1.0, float(np.max(np.abs(b))) if b.size else 1.0)
    if not np.all(np.abs(a - b) <= rtol * np.abs(b) + atol * scale):
        raise SystemExit(f"cross-check failed: {what}\n got {a}\n expected {b}")


def cross_check(loss, params, pred, target, per, grad, hess, w, weight):
    """Agreement with the libraries named in docs/LOSSES.md, at these points."""
    wd = w[:, None] if pred.ndim == 2 else w
    if loss == "pseudo_huber":  # XGBoost src/objective/regression_obj.cu, PseudoHuberRegression
        slope = params.get("delta", 1.0)
        z = pred - target
        scale = 1 + (z / slope) ** 2
        close(grad, wd * z / np.sqrt(scale), "pseudo_huber gradient = XGBoost's")
        close(hess, wd * 1 / (scale * np.sqrt(scale)), "pseudo_huber hessian = XGBoost's")
        close(per, slope**2 * (np.sqrt(scale) - 1), "pseudo_huber value = XGBoost's mphe metric")
    elif loss == "gamma_nll":  # XGBoost GammaRegression; LightGBM RegressionGammaLoss
        close(grad, wd * (1 - target * np.exp(-pred)), "gamma_nll gradient = XGBoost's / LightGBM's")
        close(hess, wd * target * np.exp(-pred), "gamma_nll hessian = XGBoost's / LightGBM's")
        mu = np.exp(pred)  # XGBoost's gamma-nloglik metric with psi = 1: y/mu + log(mu)
        close(per, target / mu + np.log(mu), "gamma_nll value = XGBoost's gamma-nloglik")
    elif loss == "mape":
        eps = params.get("eps", np.finfo(np.float64).eps)
        close(per, np.abs(pred - target) / np.maximum(np.abs(target), eps), "mape value = scikit-learn's")
        if eps == 1:  # LightGBM RegressionMAPELOSS: sign(score - label) / max(1, |label|)
            close(grad, wd * np.sign(pred - target) / np.maximum(1, np.abs(target)), "mape gradient = LightGBM's")
    elif loss == "msle":  # scikit-learn mean_squared_log_error; XGBoost SquaredLogError (half of it)
        close(per, (np.log1p(target) - np.log1p(pred)) ** 2, "msle value = scikit-learn's")
        xgb_grad = (np.log1p(pred) - np.log1p(target)) / (pred + 1)
        xgb_hess = np.maximum((-np.log1p(pred) + np.log1p(target) + 1) / (pred + 1) ** 2, 1e-6)
        close(grad, wd * 2 * xgb_grad, "msle gradient = 2 x XGBoost's")
        unclamped = xgb_hess > 1e-6
        close((hess / wd)[unclamped], 2 * xgb_hess[unclamped], "msle hessian = 2 x XGBoost's where XGBoost does not clamp")
    elif loss == "hinge_embedding":
        if weight is None:
            m = params.get("margin", 1.0)
            for red in ["none", "sum", "mean"]:
                ref = F.hinge_embedding_loss(torch.tensor(pred), torch.tensor(target), margin=m, reduction=red)
                mine = per if red == "none" else per.sum() if red == "sum" else per.mean()
                close(mine, ref.numpy(), f"hinge_embedding = torch's ({red})")
    elif loss == "nll":
        if weight is None:
            cw = params.get("weight")
            x = torch.tensor(pred, requires_grad=True)
            ref = F.nll_loss(x, torch.tensor(target[:, 0]).long(), weight=None if cw is None else torch.tensor(cw))
            ref.backward()
            norm = row_normalizer("nll", target, params).sum()
            close(per.sum() / norm, ref.item(), "nll mean = torch's")
            close(grad / norm, x.grad.numpy(), "nll mean gradient = torch's")
    elif loss == "multilabel_soft_margin":
        if weight is None:
            cw = params.get("weight")
            x = torch.tensor(pred, requires_grad=True)
            ref = F.multilabel_soft_margin_loss(x, torch.tensor(target), weight=None if cw is None else torch.tensor(cw))
            ref.backward()
            close(per.mean(), ref.item(), "multilabel_soft_margin mean = torch's")
            close(grad / pred.shape[0], x.grad.numpy(), "multilabel_soft_margin mean gradient = torch's")


def write(loss, k, params, pred, target, weight, fn, rowwise):
    out, per, grad, hess, w = expected(loss, fn, rowwise, pred, target, weight, params)
    cross_check(loss, params, pred, target, per, grad, hess, w, weight)
    case = {"loss": loss, "params": params, "pred": pred.tolist(), "target": target.tolist(),
            "weight": None if weight is None else list(weight), "expected": out}
    with open(os.path.join(OUT, f"{loss}_{k:02d}.json"), "w") as f:
        json.dump(case, f, separators=(",", ":"))
        f.write("\n")


def weights(n):
    return list(RNG.uniform(0.5, 2.0, n))


def away_from(x, kinks, gap=0.05):
    """Moves entries closer than gap to a kink to kink + 2 gap (reference data avoids kinks)."""
    for k in kinks:
        x = np.where(np.abs(x - k) < gap, k + 2 * gap, x)
    return x


def main():
    cases = []
    # pseudo_huber: defaults; a small delta (mostly linear) with weights; a large delta (mostly quadratic)
    for k, (params, n, d, wt) in enumerate([({}, 4, 2, False), ({"delta": 0.3}, 5, 1, True), ({"delta": 4.0}, 3, 3, True)], 1):
        pred, target = RNG.uniform(-4, 4, (n, d)), RNG.uniform(-4, 4, (n, d))
        cases.append(("pseudo_huber", k, params, pred, target, weights(n) if wt else None,
                      lambda p, t, params=params: pseudo_huber(p, t, **params), False))
    # gamma_nll: log-link scores, positive targets over two decades
    for k, (n, d, wt) in enumerate([(4, 2, False), (5, 1, True), (3, 3, True)], 1):
        pred, target = RNG.uniform(-3, 3, (n, d)), np.exp(RNG.uniform(-2, 2.5, (n, d)))
        cases.append(("gamma_nll", k, {}, pred, target, weights(n) if wt else None, gamma_nll, False))
    # mape: default eps; eps = 1 (LightGBM's weighting) with targets on both sides of 1; weights
    for k, (params, n, d, wt) in enumerate([({}, 4, 2, False), ({"eps": 1.0}, 5, 2, True), ({"eps": 0.5}, 3, 3, True)], 1):
        target = RNG.uniform(0.1, 5, (n, d)) * RNG.choice([-1, 1], (n, d))
        pred = target + RNG.uniform(-3, 3, (n, d))
        pred = np.where(np.abs(pred - target) < 0.05, target + 0.1, pred)
        cases.append(("mape", k, params, pred, target, weights(n) if wt else None,
                      lambda p, t, params=params: mape(p, t, **params), False))
    # msle: preds and targets > -1, some far apart (where the exact Hessian is negative)
    for k, (n, d, wt) in enumerate([(4, 2, False), (5, 1, True), (3, 3, True)], 1):
        pred, target = np.exp(RNG.uniform(-3, 3, (n, d))) - 0.9, np.exp(RNG.uniform(-3, 3, (n, d))) - 0.9
        cases.append(("msle", k, {}, pred, target, weights(n) if wt else None, msle, False))
    # hinge_embedding: distances around the margin, labels ±1
    for k, (params, n, d, wt) in enumerate([({}, 4, 2, False), ({"margin": 2.5}, 5, 1, True), ({"margin": 0.5}, 3, 3, False)], 1):
        m = params.get("margin", 1.0)
        pred = away_from(RNG.uniform(-1, m + 2, (n, d)), [m])
        target = RNG.choice([-1.0, 1.0], (n, d))
        cases.append(("hinge_embedding", k, params, pred, target, weights(n) if wt else None,
                      lambda p, t, params=params: hinge_embedding(p, t, **params), False))
    # nll: log-softmax rows; class weights; sample weights
    for k, (params, n, c, wt) in enumerate([({}, 4, 3, False), ({"weight": [0.5, 2.0, 1.0, 3.0]}, 5, 4, False), ({"weight": [1.5, 0.25, 1.0]}, 4, 3, True)], 1):
        logits = RNG.uniform(-3, 3, (n, c))
        pred = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
        target = RNG.integers(0, c, (n, 1)).astype(float)
        cases.append(("nll", k, params, pred, target, weights(n) if wt else None,
                      lambda p, t, params=params: nll_rows(p, t, **params), True))
    # multilabel_soft_margin: logits, 0/1 labels; label weights; soft labels with sample weights
    for k, (params, n, c, wt, soft) in enumerate([({}, 4, 3, False, False), ({"weight": [0.5, 2.0, 1.0, 3.0]}, 3, 4, False, False), ({}, 4, 2, True, True)], 1):
        pred = RNG.uniform(-5, 5, (n, c))
        target = RNG.uniform(0, 1, (n, c)) if soft else RNG.integers(0, 2, (n, c)).astype(float)
        cases.append(("multilabel_soft_margin", k, params, pred, target, weights(n) if wt else None,
                      lambda p, t, params=params: multilabel_rows(p, t, **params), True))
    for case in cases:
        write(*case)
    print(f"wrote {len(cases)} cases to {OUT}")


if __name__ == "__main__":
    main()
