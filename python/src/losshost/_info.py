"""A loss's metadata as `losshost info --format json` gives it (docs/SCHEMA.md,
"loss"), with the facts a trainer needs: domains, inverse link, curvature."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

LINKS = ("identity", "sigmoid", "softmax", "exp")


@dataclass(frozen=True)
class Parameter:
    """One declared parameter: name, type (real, integer, boolean, list), default
    (None for a list) and range (infinite where unbounded)."""

    name: str
    type: str
    default: Optional[float]
    min: float
    max: float
    doc: str

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "Parameter":
        low, high = obj["min"], obj["max"]
        return cls(name=obj["name"], type=obj["type"], default=obj["default"],
                   min=float("-inf") if low is None else low, max=float("inf") if high is None else high, doc=obj["doc"])


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
        c = obj["curvature"]
        file = obj["file"]
        return cls(
            qualified_id=obj["qualified_id"], plugin=obj["plugin"], kind=obj["kind"], summary=obj["summary"],
            reduce=obj["reduce"], pred_columns=obj["pred_columns"], target_layout=obj["target_layout"],
            hessian=obj["hessian"], pred_domain=obj["pred_domain"], target_domain=obj["target_domain"], link=obj["link"],
            curvature=Curvature(constant=c["constant"], piecewise_linear=c["piecewise_linear"], surrogate=c["surrogate"]),
            params=tuple(Parameter.from_json(p) for p in obj["params"]),
            file=None if file == "(built-in)" else file, json=obj,
        )
