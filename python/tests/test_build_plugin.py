"""include_dir and build_plugin from a checkout (the wheel's own test, in
python/tests_wheel, runs them where the package is installed)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import losshost

from conftest import PLUGIN_SOURCES


def test_include_dir_holds_the_headers():
    folder = Path(losshost.include_dir())
    assert (folder / "losshost.h").is_file() and (folder / "losshost_host.h").is_file()


def test_build_plugin_compiles_checks_and_the_host_loads_it(tmp_path, cache_dir):
    folder = losshost.build_plugin(PLUGIN_SOURCES / "asymmetric.c", name="teamtest", output_dir=tmp_path / "out")
    assert folder == tmp_path / "out" and (folder / "libteamtest.so").is_file()
    assert not list(folder.glob(".*partial"))
    host = losshost.Host(plugin_dirs=[str(folder)], only_plugin_dirs=True, cache_dir=cache_dir)
    r = host.loss("teamtest/asym_squared", k=4.0).evaluate(np.array([1.0, -1.0]), np.zeros(2), reduction="sum",
                                                          gradient=True)
    np.testing.assert_allclose([r.value, *r.gradient], [5.0, 8.0, -2.0], rtol=1e-12)


def test_build_plugin_reports_the_compilers_error(tmp_path):
    source = tmp_path / "broken.c"
    source.write_text("#include <losshost.h>\nint broken( {\n")
    with pytest.raises(losshost.LossError, match=r"compiling .*broken\.c failed:\n.*error"):
        losshost.build_plugin(source, name="broken", output_dir=tmp_path / "out")
    assert not (tmp_path / "out" / "libbroken.so").exists()


def test_build_plugin_refuses_a_plugin_that_fails_check(tmp_path):
    with pytest.raises(losshost.LossError, match=r"libbadtest\.so: losshost check failed .*gradient"):
        losshost.build_plugin(PLUGIN_SOURCES / "broken.c", name="badtest", output_dir=tmp_path)


def test_build_plugin_input_errors(tmp_path, monkeypatch):
    with pytest.raises(losshost.LossError, match="is not a plugin id"):
        losshost.build_plugin(PLUGIN_SOURCES / "asymmetric.c", name="Team-Losses")
    with pytest.raises(losshost.LossError, match="no such source file"):
        losshost.build_plugin(tmp_path / "missing.c", name="missing")
    monkeypatch.setenv("CC", "no-such-compiler-xyz")
    with pytest.raises(losshost.LossError, match=r"no C compiler found \(CC=no-such-compiler-xyz is not on PATH\)"):
        losshost.build_plugin(PLUGIN_SOURCES / "asymmetric.c", name="teamtest", output_dir=tmp_path)
