"""The wheel as a user gets it: installed into a fresh environment outside the
checkout, with no LOSSHOST_LIBRARY, no LD_LIBRARY_PATH and no Swift toolchain on
PATH (scripts/test-wheel sets that up and runs this file there)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

import losshost

HERE = Path(__file__).resolve().parent
TOOLCHAIN = os.environ["LOSSHOST_TOOLCHAIN_DIR"]  # the folder the wheel must not need


@pytest.fixture(scope="module")
def host(tmp_path_factory) -> losshost.Host:
    return losshost.Host(cache_dir=str(tmp_path_factory.mktemp("cache")))


def cli(*args: str) -> subprocess.CompletedProcess:
    script = shutil.which("losshost")
    assert script is not None and Path(script).parent == Path(os.sys.executable).parent, script
    return subprocess.run([script, *args], capture_output=True, text=True, timeout=300)


def test_the_environment_is_a_users():
    assert "LOSSHOST_LIBRARY" not in os.environ and "LD_LIBRARY_PATH" not in os.environ
    assert shutil.which("swift") is None
    if os.environ["LOSSHOST_TOOLCHAIN_MASKED"] == "1":
        assert os.listdir(TOOLCHAIN) == []
    native = Path(losshost.__file__).parent / "_native"
    assert losshost.library_path() == (native / "liblosshost-host.so").resolve()
    assert "site-packages" in str(native)


def test_every_shipped_elf_file_resolves_inside_the_wheel():
    native = Path(losshost.__file__).parent / "_native"
    elves = [p for p in native.rglob("*") if p.is_file() and p.read_bytes()[:4] == b"\x7fELF"]
    assert len(elves) >= 10, elves
    for elf in elves:
        out = subprocess.run(["ldd", str(elf)], capture_output=True, text=True).stdout
        assert "not found" not in out, f"{elf}:\n{out}"
        assert TOOLCHAIN not in out, f"{elf}:\n{out}"


def test_console_script_list_eval_and_check(tmp_path):
    listed = cli("list", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    ids = {loss["qualified_id"] for loss in json.loads(listed.stdout)["losses"]}
    assert {"std/huber", "csample/cauchy", "swiftsample/tukey"} <= ids
    (tmp_path / "p.csv").write_text("0.5\n2.0\n-0.5\n")
    (tmp_path / "y.csv").write_text("0\n0\n0\n")
    run = cli("eval", "huber", "--pred", str(tmp_path / "p.csv"), "--target", str(tmp_path / "y.csv"),
              "--reduction", "sum", "--grad", "--format", "json")
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert report["value"] == pytest.approx(0.125 + 1.5 + 0.125, rel=1e-12)
    assert report["gradient"] == pytest.approx([0.5, 1.0, -0.5], rel=1e-12)
    checked = cli("check", "csample")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert " 0 failed" in checked.stdout
    bad = cli("eval", "no_such_loss", "--pred", str(tmp_path / "p.csv"), "--target", str(tmp_path / "y.csv"))
    assert bad.returncode != 0 and bad.stderr.startswith("losshost: error:"), bad.stderr


def test_python_evaluate_and_the_bundled_plugins(host):
    ids = [loss.qualified_id for loss in host.losses()]
    assert {"std/quantile", "csample/cauchy", "swiftsample/expectile"} <= set(ids)
    pred, target = np.array([1.0, 2.0, 3.0]), np.array([2.0, 2.0, 0.0])
    result = host.loss("std/quantile", tau=0.9).evaluate(pred, target, reduction="sum", gradient=True)
    u = target - pred
    assert result.value == pytest.approx(np.sum(np.where(u >= 0, 0.9 * u, (0.9 - 1) * u)), rel=1e-12)


def test_xgboost_trains_with_the_plugin(host):
    xgb = pytest.importorskip("xgboost")
    import losshost.xgboost as lx

    rng = np.random.default_rng(0)
    X = rng.normal(size=(2000, 3))
    y = X[:, 0] + rng.normal(size=2000)
    loss = host.loss("std/quantile", tau=0.9)
    objective = lx.objective(loss)
    calls = []

    def counted(preds, dtrain):
        calls.append(1)
        return objective(preds, dtrain)

    data = xgb.DMatrix(X, y, base_margin=lx.base_margin(loss, y))
    booster = xgb.train({"max_depth": 3, "eta": 0.3, "nthread": 2}, data, 40, obj=counted)
    pred = lx.predict(booster, xgb.DMatrix(X, base_margin=lx.base_margin(loss, y)), loss)
    assert len(calls) == 40
    assert 0.05 < np.mean(y > pred) < 0.16  # a tau = 0.9 fit: about 10 % of targets above


def test_build_plugin_compiles_checks_and_loads(tmp_path):
    header = Path(losshost.include_dir()) / "losshost.h"
    assert header.is_file() and "site-packages" in str(header)
    folder = losshost.build_plugin(HERE / "minimal_loss.c", name="minimal", output_dir=tmp_path / "plugins")
    assert (folder / "libminimal.so").is_file()
    own = losshost.Host(plugin_dirs=[str(folder)], cache_dir=str(tmp_path / "cache"))
    result = own.loss("minimal/squared_log_error").evaluate(np.array([1.0]), np.array([0.0]), reduction="sum")
    assert result.value == pytest.approx(np.log1p(1.0) ** 2, rel=1e-12)


def test_build_plugin_without_a_compiler(tmp_path, monkeypatch):
    monkeypatch.setenv("CC", str(tmp_path / "no-such-cc"))
    with pytest.raises(losshost.LossError, match="no C compiler found"):
        losshost.build_plugin(HERE / "minimal_loss.c", name="minimal", output_dir=tmp_path)


def test_a_swift_plugin_loads_without_the_toolchain(tmp_path):
    """A release-built LossKit plugin needs the Swift runtime libraries the wheel
    ships (and has loaded), and no Foundation."""
    folder = os.environ["LOSSHOST_SWIFT_PLUGIN_DIR"]
    host = losshost.Host(plugin_dirs=[folder], only_plugin_dirs=True, cache_dir=str(tmp_path))
    assert "swiftsample/expectile" in [loss.qualified_id for loss in host.losses()]
    r = host.loss("swiftsample/expectile", tau=0.9).evaluate(np.array([0.0, 2.0]), np.array([1.0, 1.0]),
                                                             reduction="sum", gradient=True)
    assert r.value == pytest.approx(0.9 * 1 + 0.1 * 1, rel=1e-12)
    run = cli("check", str(Path(folder) / "libswiftsample.so"))
    assert run.returncode == 0, run.stdout + run.stderr


def test_a_scaffolded_c_plugin_finds_the_header_through_the_package(tmp_path):
    """`losshost new` writes no path of the build machine: make finds losshost.h
    through the installed package and `make check` runs the console script."""
    project = tmp_path / "team"
    made = cli("new", "team", "--output", str(project))
    assert made.returncode == 0, made.stderr
    built = subprocess.run(["make", "-C", str(project)], capture_output=True, text=True)  # python3: the environment's
    assert built.returncode == 0, built.stdout + built.stderr
    assert "site-packages/losshost/_native/include" in built.stdout
    checked = subprocess.run(["make", "-C", str(project), "check"], capture_output=True, text=True)
    assert checked.returncode == 0 and " 0 failed" in checked.stdout, checked.stdout + checked.stderr
