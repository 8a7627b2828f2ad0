"""Shared fixtures: the host, the losshost CLI next to its library, plugins compiled
at test time, scikit-learn's bundled datasets."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

import losshost

REPO = Path(__file__).resolve().parents[2]
PLUGIN_SOURCES = Path(__file__).resolve().parent / "plugins"


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory) -> str:
    """A private scan and check cache, so a run never reuses another's verdicts."""
    return str(tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="session")
def host(cache_dir) -> losshost.Host:
    return losshost.Host(cache_dir=cache_dir, threads=2)


@pytest.fixture(scope="session")
def cli() -> Path:
    """The losshost executable built next to the host library."""
    path = losshost.library_path().parent / "losshost"
    assert path.is_file(), f"{path} is missing: run swift build"
    return path


def run_cli(cli: Path, *args: str, cache_dir: str | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    if cache_dir:
        env["XDG_CACHE_HOME"] = cache_dir
    return subprocess.run([str(cli), *args], capture_output=True, text=True, env=env, timeout=120)


def cli_json(cli: Path, *args: str, cache_dir: str | None = None):
    done = run_cli(cli, *args, "--format", "json", cache_dir=cache_dir)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def compile_plugin(source: Path, output: Path) -> None:
    """Builds a C plugin with `cc` against the repository's include/."""
    compiler = shutil.which("cc")
    assert compiler, "cc is needed to build the test plugins"
    subprocess.run([compiler, "-shared", "-fPIC", "-O2", "-fvisibility=hidden", "-I", str(REPO / "include"),
                    str(source), "-o", str(output), "-lm"], check=True)


def count_rounds(monkeypatch, bridge) -> list[int]:
    """The rows of every call the trainer makes to the objective of `bridge`'s
    scikit-learn forms (losshost.xgboost or losshost.lightgbm)."""
    rounds: list[int] = []
    make = bridge.sklearn_objective

    def counted(loss, **kwargs):
        objective = make(loss, **kwargs)

        def call(y_true, y_pred, sample_weight=None):
            rounds.append(len(y_true))
            return objective(y_true, y_pred, sample_weight)
        return call

    monkeypatch.setattr(bridge, "sklearn_objective", counted)
    return rounds


@pytest.fixture(scope="session")
def plugin_dir(tmp_path_factory) -> Path:
    """A team folder with the test plugins compiled by `cc` from tests/plugins."""
    folder = tmp_path_factory.mktemp("team-losses")
    folder.chmod(0o755)
    for name in ("asymmetric", "broken", "extreme"):
        compile_plugin(PLUGIN_SOURCES / f"{name}.c", folder / f"lib{name}.so")
    return folder


@pytest.fixture(scope="session")
def team_host(plugin_dir, cache_dir) -> losshost.Host:
    return losshost.Host(plugin_dirs=[str(plugin_dir)], cache_dir=cache_dir, threads=2)


@pytest.fixture(scope="session")
def diabetes():
    from sklearn.datasets import load_diabetes

    X, y = load_diabetes(return_X_y=True)
    return X, y


@pytest.fixture(scope="session")
def breast_cancer():
    from sklearn.datasets import load_breast_cancer

    X, y = load_breast_cancer(return_X_y=True)
    return X, y.astype(np.float64)


@pytest.fixture(scope="session")
def iris():
    from sklearn.datasets import load_iris

    X, y = load_iris(return_X_y=True)
    return X, y.astype(np.float64)
