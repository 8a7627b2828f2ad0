"""A plugin loss as a differentiable PyTorch loss: `losshost.torch.loss(loss)(pred, target)`.

The backward pass is the plugin's gradient; the double backward (for
gradgradcheck, Hessian-vector products, second-order methods) is its Hessian
diagonal, which is the whole Hessian of an element-wise loss. For a row loss
(cross_entropy, gaussian_nll, …) the Hessian has off-diagonal terms the ABI does
not give, so its double backward raises instead of returning the diagonal.
Gradients flow to pred only: target and weight are data (a target or weight
that requires grad is refused). Tensors are evaluated on the CPU (float32 in
float32, others in float64); the value and gradient come back in pred's dtype.
An element-wise loss takes a target of pred's shape (torch would broadcast
(N, 1) against (N,) to (N, N); this refuses it), and `mean` over no rows is an
error.
"""
from __future__ import annotations

from typing import Optional

import numpy as np
import torch as _torch
from torch.autograd.function import once_differentiable

from ._errors import LossError
from ._loss import Loss

__all__ = ["loss", "PluginLoss"]


def _numpy(tensor, dtype: np.dtype):
    if tensor is None:
        return None
    if not isinstance(tensor, _torch.Tensor):
        return np.asarray(tensor, dtype=dtype)
    torch_dtype = _torch.float32 if dtype == np.float32 else _torch.float64
    return tensor.detach().to(device="cpu", dtype=torch_dtype).numpy()


def _compute_dtype(pred: _torch.Tensor) -> np.dtype:
    return np.dtype(np.float32) if pred.dtype == _torch.float32 else np.dtype(np.float64)


class _PluginGradient(_torch.autograd.Function):
    """pred -> the plugin's gradient (computed in forward of _PluginLoss); its own
    backward multiplies by the Hessian diagonal."""

    @staticmethod
    def forward(ctx, pred, gradient, hessian, elementwise: bool, loss_id: str):
        ctx.save_for_backward(hessian if hessian is not None else pred.new_empty(0))
        ctx.has_hessian = hessian is not None
        ctx.elementwise = elementwise
        ctx.loss_id = loss_id
        return gradient.clone()

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_gradient):
        if not ctx.elementwise:
            raise RuntimeError(f"{ctx.loss_id}: double backward of a row loss needs its full Hessian; the plugin "
                               f"gives only the diagonal")
        if not ctx.has_hessian:
            raise RuntimeError(f"{ctx.loss_id}: the plugin gives no Hessian, so there is no double backward")
        (hessian,) = ctx.saved_tensors
        return grad_gradient * hessian, None, None, None, None


class _PluginLoss(_torch.autograd.Function):
    """(pred, target, weight) -> the reduced loss (or its values for "none");
    backward: the plugin's gradient, through _PluginGradient so that it is
    differentiable once more."""

    @staticmethod
    def forward(ctx, pred, target, weight, reduction: str, loss: Loss):
        dtype = _compute_dtype(pred)
        wants_gradient = pred.requires_grad
        second = wants_gradient and loss.info.hessian != "none" and loss.info.elementwise
        r = loss.evaluate(_numpy(pred, dtype), _numpy(target, dtype), weight=_numpy(weight, dtype),
                          reduction=reduction, gradient=wants_gradient, hessian=second)
        out_dtype = pred.dtype if pred.is_floating_point() else _torch.float64
        if reduction == "none":
            out = _torch.from_numpy(r.values).to(device=pred.device, dtype=out_dtype)
        else:
            out = _torch.tensor(r.value, dtype=out_dtype, device=pred.device)
        if wants_gradient:
            ctx.save_for_backward(pred)
            ctx.gradient = _torch.from_numpy(r.gradient).to(device=pred.device, dtype=pred.dtype).reshape(pred.shape)
            ctx.hessian = (None if r.hessian is None else
                           _torch.from_numpy(r.hessian).to(device=pred.device, dtype=pred.dtype).reshape(pred.shape))
        ctx.reduction = reduction
        ctx.elementwise = loss.info.elementwise
        ctx.loss_id = loss.id
        return out

    @staticmethod
    def backward(ctx, grad_output):
        (pred,) = ctx.saved_tensors
        gradient = _PluginGradient.apply(pred, ctx.gradient, ctx.hessian, ctx.elementwise, ctx.loss_id)
        if ctx.reduction != "none":
            scale = grad_output
        elif ctx.elementwise:
            scale = grad_output.reshape(pred.shape)
        else:
            scale = grad_output.reshape((-1,) + (1,) * (pred.dim() - 1))
        return scale * gradient, None, None, None, None


class PluginLoss(_torch.nn.Module):
    """A losshost loss as a torch module: forward(pred, target, weight=None,
    reduction=None) -> tensor (a scalar for mean/sum; per element or per row for
    none). reduction defaults to the one given here."""

    def __init__(self, loss: Loss, reduction: str = "mean"):
        super().__init__()
        if reduction not in ("mean", "sum", "none"):
            raise LossError(f"unknown reduction {reduction!r}; expected mean, sum or none")
        self.plugin_loss = loss
        self.reduction = reduction

    def forward(self, pred, target, weight=None, reduction: Optional[str] = None):
        return _apply(self.plugin_loss, pred, target, weight, reduction or self.reduction)

    def extra_repr(self) -> str:
        return f"{self.plugin_loss.id}, reduction={self.reduction!r}"


def _apply(plugin: Loss, pred, target, weight, reduction: str):
    if not isinstance(pred, _torch.Tensor):
        raise LossError(f"pred: expected a torch.Tensor, got {type(pred).__name__}")
    for name, data in (("target", target), ("weight", weight)):
        if isinstance(data, _torch.Tensor) and data.requires_grad:
            raise LossError(f"{plugin.id}: {name} requires grad, but the plugin's gradient is for pred only; "
                            f"pass {name}.detach()")
    if plugin.info.elementwise and tuple(np.shape(target)) != tuple(pred.shape):
        raise LossError(f"{plugin.id}: target has shape {tuple(np.shape(target))} and pred {tuple(pred.shape)}; an "
                        f"element-wise loss pairs them element by element (torch would broadcast them): "
                        f"give both the same shape, e.g. target.view_as(pred)")
    if reduction == "mean" and pred.numel() == 0:
        raise LossError(f"{plugin.id}: the mean over 0 rows is undefined; use reduction=\"sum\" (0 for no rows)")
    return _PluginLoss.apply(pred, target, weight, reduction, plugin)


def loss(plugin: Loss, reduction: str = "mean") -> PluginLoss:
    """The plugin loss as a differentiable callable(pred, target, weight=None,
    reduction="mean") -> torch.Tensor."""
    return PluginLoss(plugin, reduction)
