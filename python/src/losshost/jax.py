"""A plugin loss as a differentiable JAX function: `losshost.jax.loss(loss)(pred, target)`.

The value and gradient come from the plugin, evaluated on the host through
`jax.pure_callback`; `jax.custom_vjp` makes that gradient the one `jax.grad`,
`jax.value_and_grad` and `jax.vjp` see, under `jax.jit` and `jax.vmap` (a vmapped
call is one host callback that evaluates each batch member in turn).
Differentiating the gradient once more (`jax.hessian`, Hessian-vector products)
gives the plugin's Hessian diagonal, which is the whole Hessian of an element-wise
loss; for a row loss (cross_entropy, gaussian_nll, …) it raises instead, as the
ABI gives only the diagonal. Forward mode on the loss itself (`jax.jvp`,
`jax.jacfwd(f)`) is not available: custom_vjp functions are reverse-mode.
Gradients flow to pred only: differentiating with respect to target or weight
raises. float32 (and narrower) pred computes in float32, float64 in float64;
results have pred's dtype.
"""
from __future__ import annotations

from functools import partial
from typing import NamedTuple, Optional

import jax as _jax
import jax.numpy as _jnp
import numpy as np
from jax.custom_derivatives import SymbolicZero as _SymbolicZero

from ._errors import LossError
from ._loss import Loss

__all__ = ["loss", "PluginLoss"]

_REDUCTIONS = ("mean", "sum", "none")


class _Call(NamedTuple):
    """What one traced call evaluates: static (hashable) for JAX."""

    plugin: Loss
    reduction: str
    pred_ndim: int  # pred's rank without vmap's batch dimensions

    @property
    def elementwise(self) -> bool:
        return self.plugin.info.elementwise

    def value_shape(self, pred_shape: tuple) -> tuple:
        if self.reduction != "none":
            return ()
        return pred_shape if self.elementwise else pred_shape[:1]


def _evaluate_one(call: _Call, outputs: tuple, pred: np.ndarray, target: np.ndarray, weight) -> tuple:
    r = call.plugin.evaluate(pred, target, weight=weight, reduction=call.reduction,
                             gradient="gradient" in outputs, hessian="hessian" in outputs)
    value = r.values if call.reduction == "none" else np.asarray(r.value, dtype=pred.dtype)
    return tuple(value if name == "value" else getattr(r, name) for name in outputs)


def _evaluate(call: _Call, outputs: tuple, pred, target, weight=None) -> tuple:
    """The host side: numpy arrays, with vmap's batch dimensions in front of each
    (broadcast_all), one plugin evaluation per batch member. outputs names what to
    return, of "value", "gradient" and "hessian"."""
    pred, target = np.asarray(pred), np.asarray(target)
    weight = None if weight is None else np.asarray(weight)
    batch = pred.shape[:pred.ndim - call.pred_ndim]
    if not batch:  # no vmap: the plugin's own arrays are the results
        return _evaluate_one(call, outputs, pred, target, weight)
    results = tuple(np.empty(batch + (call.value_shape(pred.shape[len(batch):]) if name == "value"
                                      else pred.shape[len(batch):]), dtype=pred.dtype) for name in outputs)
    for index in np.ndindex(batch):
        member = _evaluate_one(call, outputs, pred[index], target[index], None if weight is None else weight[index])
        for out, part in zip(results, member):
            out[index] = part
    return results


def _host(call: _Call, outputs: tuple, pred, target, weight):
    """pure_callback of _evaluate; pred, target and weight are already in the compute dtype."""
    shapes = tuple(_jax.ShapeDtypeStruct(call.value_shape(pred.shape) if name == "value" else pred.shape, pred.dtype)
                   for name in outputs)
    args = (pred, target) if weight is None else (pred, target, weight)
    # The plugin's numbers are constants to JAX: the derivative rules below say what they are.
    args = tuple(_jax.lax.stop_gradient(a) for a in args)
    return _jax.pure_callback(partial(_evaluate, call, outputs), shapes, *args, vmap_method="broadcast_all")


@partial(_jax.custom_jvp, nondiff_argnums=(0,))
def _gradient(call: _Call, pred, target, weight, gradient):
    """The plugin's gradient (computed in the forward pass), differentiable once
    more in pred through its Hessian diagonal."""
    return gradient


@_gradient.defjvp
def _gradient_jvp(call: _Call, primals, tangents):
    pred, target, weight, gradient = primals
    info = call.plugin.info
    if not call.elementwise:
        raise LossError(f"{call.plugin.id}: differentiating the gradient of a row loss needs its full Hessian; "
                        f"the plugin gives only the diagonal")
    if info.hessian == "none":
        raise LossError(f"{call.plugin.id}: the plugin gives no Hessian, so its gradient cannot be differentiated")
    (hessian,) = _host(call, ("hessian",), pred, target, weight)
    return gradient, hessian * tangents[0]


@partial(_jax.custom_vjp, nondiff_argnums=(0,))
def _loss(call: _Call, pred, target, weight):
    (value,) = _host(call, ("value",), pred, target, weight)
    return value


def _loss_fwd(call: _Call, pred, target, weight):
    for name, arg in (("target", target), ("weight", weight)):
        if arg is not None and arg.perturbed:
            raise LossError(f"{call.plugin.id}: the plugin gives no gradient with respect to {name}; differentiate "
                            f"with respect to pred only (target and weight are data)")
    pred, target = pred.value, target.value
    weight = None if weight is None else weight.value
    value, gradient = _host(call, ("value", "gradient"), pred, target, weight)
    return value, (pred, target, weight, gradient)


def _loss_bwd(call: _Call, residuals, cotangent):
    pred, target, weight, gradient = residuals
    if isinstance(cotangent, _SymbolicZero):
        return _jnp.zeros_like(pred), None, None
    if call.reduction == "none" and not call.elementwise:
        cotangent = cotangent.reshape(cotangent.shape + (1,) * (pred.ndim - 1))
    return cotangent * _gradient(call, pred, target, weight, gradient), None, None


_loss.defvjp(_loss_fwd, _loss_bwd, symbolic_zeros=True)


class PluginLoss:
    """A losshost loss as a JAX function: (pred, target, weight=None, reduction=None)
    -> a scalar for mean/sum, values per element (element-wise losses) or per row
    for none. reduction defaults to the one given here. pred is N or N×D (more
    dimensions through jax.vmap); weight has one value per row."""

    def __init__(self, plugin: Loss, reduction: str = "mean"):
        _check_reduction(reduction)
        self.plugin = plugin
        self.reduction = reduction

    def __repr__(self) -> str:
        return f"<losshost.jax.PluginLoss {self.plugin.id}, reduction={self.reduction!r}>"

    def __call__(self, pred, target, weight=None, reduction: Optional[str] = None):
        reduction = reduction or self.reduction
        _check_reduction(reduction)
        pred = _jnp.asarray(pred)
        if pred.ndim not in (1, 2):
            raise LossError(f"pred: expected N or N×D values, got shape {pred.shape}")
        if not _jnp.issubdtype(pred.dtype, _jnp.floating):
            raise LossError(f"pred: expected floating-point values, got {pred.dtype}")
        compute = _jnp.float64 if pred.dtype == _jnp.float64 else _jnp.float32
        target = _jnp.asarray(target).astype(compute)
        if target.shape[:1] != pred.shape[:1]:
            raise LossError(f"target: {target.shape[0] if target.ndim else 1} rows, but pred has {pred.shape[0]}")
        if weight is not None:
            weight = _jnp.asarray(weight).astype(compute)
            if weight.size != pred.shape[0]:
                raise LossError(f"weight: expected {pred.shape[0]} values (one per row), got shape {weight.shape}")
            weight = weight.reshape(pred.shape[0])
        call = _Call(self.plugin, reduction, pred.ndim)
        return _loss(call, pred.astype(compute), target, weight).astype(pred.dtype)


def _check_reduction(reduction: str) -> None:
    if reduction not in _REDUCTIONS:
        raise LossError(f"unknown reduction {reduction!r}; expected mean, sum or none")


def loss(plugin: Loss, reduction: str = "mean") -> PluginLoss:
    """The plugin loss as a differentiable JAX callable(pred, target, weight=None,
    reduction="mean")."""
    return PluginLoss(plugin, reduction)
