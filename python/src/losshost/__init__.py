"""losshost for Python: evaluate compiled loss plugins on numpy arrays and train
with them in XGBoost (`losshost.xgboost`), LightGBM (`losshost.lightgbm`),
CatBoost (`losshost.catboost`), PyTorch (`losshost.torch`), JAX (`losshost.jax`)
and Dask (through `losshost.xgboost`)."""
from __future__ import annotations

import importlib

from ._build import build_plugin, include_dir
from ._capi import library_path
from ._errors import LossError
from ._host import Host, HostConfig, LoadFailure
from ._info import Curvature, LossInfo, Parameter
from ._loss import EvaluationResult, Loss

__version__ = "0.1.0"

__all__ = ["Host", "HostConfig", "LoadFailure", "Loss", "LossInfo", "Parameter", "Curvature",
           "EvaluationResult", "LossError", "library_path", "include_dir", "build_plugin", "links", "xgboost",
           "lightgbm", "torch", "catboost", "jax"]

_BRIDGES = ("xgboost", "lightgbm", "torch", "links", "catboost", "jax")


def __getattr__(name: str):
    # The bridges import their library only when first used.
    if name in _BRIDGES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
