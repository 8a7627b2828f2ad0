"""A loss's metadata as `losshost info --format json` gives it, with the facts a
trainer needs (domains, inverse link, curvature) and fallbacks for plugins that
predate ABI 1.2."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

LINKS = ("identity", "sigmoid", "softmax", "exp")

# Inverse link implied by a prediction domain, for metadata without "link".
_LINK_OF_DOMAIN = {"logit": "sigmoid", "log-rate": "exp", "log_rate": "exp",
                   "log-probability": "exp", "log_probability": "exp"}


@dataclass(frozen=True)
class Parameter:
    """One declared parameter: name, type (real, integer, boolean, list), default and range."""

    name: str
    type: str
    default: Optional[float]
    min: float
    max: float
    doc: str

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "Parameter":
        return cls(name=obj["name"], type=obj.get("type", "real"), default=obj.get("default"),
                   min=obj.get("min", float("-inf")), max=obj.get("max", float("inf")), doc=obj.get("doc", ""))


@dataclass(frozen=True)
class Curvature:
    """What the Hessian looks like: constant (mse), zero almost everywhere
    (piecewise linear: mae, quantile, hinge), and the surrogate curvature the
    loss suggests a trainer use where its Hessian is zero (None: none declared)."""

    constant: bool = False
    piecewise_linear: bool = False
    surrogate: Optional[float] = None


@dataclass(frozen=True)
class LossInfo:
    """Everything the host says about a loss. `json` keeps the full object."""

    qualified_id: str
    plugin: str
    kind: str
    summary: str
    reduce: str
    pred_columns: int
    target_layout: str
    hessian: str
    pred_domain: str
    target_domain: str
    link: str
    curvature: Curvature
    params: tuple[Parameter, ...]
    file: Optional[str]
    json: dict[str, Any] = field(repr=False, compare=False)

    @property
    def id(self) -> str:
        """The id `host.loss` takes: "plugin/loss"."""
        return self.qualified_id

    @property
    def elementwise(self) -> bool:
        return self.reduce == "elementwise"

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "LossInfo":
        kind = obj.get("kind", "other")
        pred_domain = obj.get("pred_domain") or "real"
        link = obj.get("link")
        if link not in LINKS:
            link = _LINK_OF_DOMAIN.get(pred_domain)
            if link is None and "pred_domain" not in obj:
                link = {"binary": "sigmoid", "multiclass": "softmax"}.get(kind)
            link = link or "identity"
        c = obj.get("curvature") or {}
        surrogate = c.get("surrogate")
        curvature = Curvature(constant=bool(c.get("constant", False)),
                              piecewise_linear=bool(c.get("piecewise_linear", False)),
                              surrogate=float(surrogate) if isinstance(surrogate, (int, float)) else None)
        file = obj.get("file")
        return cls(
            qualified_id=obj.get("qualified_id") or f"{obj['plugin']}/{obj['id']}",
            plugin=obj.get("plugin", ""), kind=kind, summary=obj.get("summary", ""),
            reduce=obj.get("reduce", "elementwise"), pred_columns=int(obj.get("pred_columns", 0)),
            target_layout=obj.get("target_layout", ""), hessian=obj.get("hessian", "exact"),
            pred_domain=pred_domain, target_domain=obj.get("target_domain") or "real", link=link,
            curvature=curvature, params=tuple(Parameter.from_json(p) for p in obj.get("params", [])),
            file=None if file in (None, "(built-in)") else file, json=obj,
        )
