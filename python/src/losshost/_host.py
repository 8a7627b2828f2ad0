"""An open host: plugin folders, the losses found there, and `check` before use."""
from __future__ import annotations

import json
import os
import warnings
from dataclasses import dataclass
from typing import Any, Iterable, Optional, Sequence

import numpy as np

from . import _capi
from ._errors import LossError
from ._info import LossInfo
from ._loss import Loss

CHECK_VARIABLE = "LOSSHOST_CHECK"
CHECK_SEED = 1


@dataclass(frozen=True)
class HostConfig:
    """How a host was opened; a picklable value, so a copy can reopen it elsewhere."""

    plugin_dirs: tuple[str, ...] = ()
    allow_unsafe_plugins: bool = False
    threads: int = 0
    only_plugin_dirs: bool = False
    allow_nonfinite: bool = False
    cache_dir: Optional[str] = None
    worker_executable: Optional[str] = None


@dataclass(frozen=True)
class LoadFailure:
    """A plugin file the host could not load, and why."""

    path: str
    reason: str


def _param_values(name: str, value: Any) -> list[float]:
    """A parameter's values; numbers only (a string such as "0.5" is refused, not parsed)."""
    if isinstance(value, (bool, np.bool_)):
        return [1.0 if value else 0.0]
    if isinstance(value, (int, float, np.integer, np.floating)):
        return [float(value)]
    try:
        array = np.asarray(value)
    except (TypeError, ValueError):
        array = np.asarray(None)
    if array.dtype.kind not in "biuf":
        raise LossError(f"param {name}: expected a number or a list of numbers, got {value!r}")
    return [float(v) for v in array.astype(np.float64).reshape(-1)]


def _check_by_default() -> bool:
    return os.environ.get(CHECK_VARIABLE, "1").strip().lower() not in ("0", "false", "no", "off")


class Host:
    """The losshost host in this process, with the CLI's search path and folder
    rules: `plugin_dirs` first (like --plugin-dir), then LOSSHOST_PLUGIN_PATH,
    the user folder and the bundled plugins (only `plugin_dirs` and the
    built-ins with only_plugin_dirs=True). threads=0 uses every core;
    allow_nonfinite evaluates NaN and infinite inputs instead of refusing them."""

    def __init__(self, plugin_dirs: Iterable[str] = (), allow_unsafe_plugins: bool = False, threads: int = 0,
                 *, only_plugin_dirs: bool = False, allow_nonfinite: bool = False, cache_dir: Optional[str] = None,
                 worker_executable: Optional[str] = None):
        dirs = tuple(os.path.abspath(os.path.expanduser(str(d))) for d in plugin_dirs)
        self.config = HostConfig(dirs, bool(allow_unsafe_plugins), int(threads), bool(only_plugin_dirs),
                                 bool(allow_nonfinite), cache_dir, worker_executable)
        flags = ((_capi.ALLOW_UNSAFE_PLUGINS if allow_unsafe_plugins else 0)
                 | (_capi.ONLY_PLUGIN_DIRS if only_plugin_dirs else 0)
                 | (_capi.ALLOW_NONFINITE if allow_nonfinite else 0))
        self._handle = _capi.open_host(list(dirs), flags, int(threads), worker_executable, cache_dir)
        self._verdicts: dict[str, dict[str, Any]] = {}

    def __reduce__(self):
        return (_reopen, (self.config,))

    def __del__(self):
        handle, self._handle = getattr(self, "_handle", None), None
        if handle:
            _capi.close_host(handle)

    def _listing(self) -> dict[str, Any]:
        return json.loads(_capi.losses_json(self._handle))

    def losses(self) -> list[LossInfo]:
        """Every loss the host found, with the metadata of `losshost info`."""
        return [LossInfo.from_json(obj) for obj in self._listing()["losses"]]

    def failures(self) -> list[LoadFailure]:
        """The plugin files that failed to load, with the host's reason."""
        return [LoadFailure(f["path"], f["reason"]) for f in self._listing()["failures"]]

    def loss(self, loss_id: str, /, *, check: Optional[bool] = None, **params: Any) -> Loss:
        """Resolves `loss_id` ("plugin/loss", or a bare id only one plugin has) and
        binds parameters by name (numbers, or lists of numbers). check=None (the
        default) runs `losshost check` on a loss from outside the bundled set
        (built-ins and bundled plugins are not checked), in a worker, before the
        loss is loaded here: at the parameters bound, the others at their
        defaults (`check(id, params=...)`; the CLI's `check` also sweeps the
        ranges); the verdict is cached by the file's fingerprint and the
        parameters. check=False, or LOSSHOST_CHECK=0 in the environment, skips
        it; check=True always checks."""
        values = {name: _param_values(name, value) for name, value in params.items()}
        info = self._resolve(loss_id)
        run_check = check if check is not None else (_check_by_default() and not self._bundled(info))
        if run_check and info is not None:
            self._require_passing(info, values)
        handle = _capi.create_loss(self._handle, loss_id, values)
        return Loss(self, handle, loss_id, params, check)

    def check(self, target: str, seed: int = CHECK_SEED, cached: bool = True,
              params: Optional[dict[str, Any]] = None) -> dict[str, Any]:
        """The JSON report of `losshost check TARGET --format json` (a loss id, a
        plugin id or a plugin file; docs/SCHEMA.md, "check"), run in a worker;
        with "fingerprint" and "cached" (a verdict reused for the unchanged file). With `params` (a dict, {} for the defaults) only at that one
        point, the others at their defaults (`check --param ... --no-sweep`)."""
        flags = _capi.CHECK_CACHED if cached else 0
        if params is None:
            return json.loads(_capi.check(self._handle, target, seed, flags))
        values = {name: _param_values(name, value) for name, value in params.items()}
        return json.loads(_capi.check_params(self._handle, target, values, seed, flags))

    def _resolve(self, loss_id: str) -> Optional[LossInfo]:
        """The listed loss this id names; None when it names none or several (then
        creating it gives the host's own error)."""
        listed = self.losses()
        found = [i for i in listed if i.qualified_id == loss_id]
        if not found and "/" not in loss_id:
            found = [i for i in listed if i.json["id"] == loss_id]
        return found[0] if len(found) == 1 else None

    def _bundled(self, info: Optional[LossInfo]) -> bool:
        if info is None or info.file is None:
            return True  # built-in (or unknown: the host's error comes next)
        folder = os.path.realpath(os.path.dirname(info.file))
        return any(entry["origin"] == "bundled" and os.path.realpath(entry["folder"]) == folder
                   for entry in self._listing()["searched"])

    def _require_passing(self, info: LossInfo, values: dict[str, list[float]]) -> None:
        """The check's verdict at these parameters (the others at their defaults)."""
        key = (info.qualified_id, tuple(sorted((name, tuple(v)) for name, v in values.items())))
        report = self._verdicts.get(key)
        if report is None:
            report = self.check(info.qualified_id, params=values)
            self._verdicts[key] = report
        checks: Sequence[dict[str, Any]] = report["checks"]
        failed = [c for c in checks if c["result"] == "fail"]
        if failed:
            first = failed[0]
            names = ", ".join(c["check"] for c in failed)
            point = _point(info, values)
            pins = "".join(f" --param {name}={','.join(map(repr, vs))}" for name, vs in values.items())
            raise LossError(
                f"{info.qualified_id}: losshost check failed{f' at {point}' if point else ''} ({names}); first: "
                f"{first['check']}: {first['detail']} (run `losshost check {info.qualified_id}{pins} "
                f"--no-sweep` for the report; check=False or {CHECK_VARIABLE}=0 skips the check)"
            )
        # A warning (e.g. a value too noisy to verify the gradient at some inputs) does not refuse the loss.
        for c in checks:
            if c["result"] == "warn":
                warnings.warn(f"{info.qualified_id}: losshost check warns: {c['check']}: {c['detail']}",
                              RuntimeWarning, stacklevel=3)


def _point(info: LossInfo, values: dict[str, list[float]]) -> str:
    """"delta=200000.0 tau=0.5": the parameter point checked, defaults filled in."""
    shown = []
    for p in info.params:
        vs = values.get(p.name, [] if p.default is None else [float(p.default)])
        if vs:
            text = ",".join(map(repr, vs))
            shown.append(f"{p.name}={text}" if len(vs) == 1 else f"{p.name}=[{text}]")
    return " ".join(shown)


def _reopen(config: HostConfig) -> Host:
    return Host(config.plugin_dirs, config.allow_unsafe_plugins, config.threads,
                only_plugin_dirs=config.only_plugin_dirs, allow_nonfinite=config.allow_nonfinite, cache_dir=config.cache_dir,
                worker_executable=config.worker_executable)
