"""Loss.evaluate against the CLI's numbers for every standard loss, every
reduction, float64 and float32, on the repository's reference inputs."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from conftest import REPO, cli_json

REFERENCE = REPO / "Tests" / "LossKitTests" / "Fixtures" / "reference"
CASES = sorted(REFERENCE.glob("*.json"))
STANDARD = sorted({p.stem.rsplit("_", 1)[0] for p in CASES})


def test_reference_cases_cover_every_standard_loss(host):
    listed = {i.qualified_id.split("/", 1)[1] for i in host.losses() if i.plugin == "std"}
    assert listed and listed == set(STANDARD)


def _cli_param_args(params: dict) -> list[str]:
    args = []
    for name, value in params.items():
        text = ",".join(repr(float(v)) for v in value) if isinstance(value, list) else repr(float(value))
        args += ["--param", f"{name}={text}"]
    return args


@pytest.mark.parametrize("case", CASES, ids=[p.stem for p in CASES])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_evaluate_matches_cli(case: Path, reduction, host, cli, tmp_path, cache_dir):
    ref = json.loads(case.read_text())
    pred = np.array(ref["pred"], dtype=np.float64)
    target = np.array(ref["target"], dtype=np.float64)
    weight = None if ref["weight"] is None else np.array(ref["weight"], dtype=np.float64)
    np.save(tmp_path / "p.npy", pred)
    np.save(tmp_path / "t.npy", target)
    args = ["eval", f"std/{ref['loss']}", "--pred", str(tmp_path / "p.npy"), "--target", str(tmp_path / "t.npy"),
            "--reduction", reduction, "--grad", "--hessian", *_cli_param_args(ref["params"])]
    if weight is not None:
        np.save(tmp_path / "w.npy", weight)
        args += ["--weight", str(tmp_path / "w.npy")]
    expected = cli_json(cli, *args, cache_dir=cache_dir)
    loss = host.loss(f"std/{ref['loss']}", **ref["params"])

    r = loss.evaluate(pred, target, weight=weight, reduction=reduction, gradient=True, hessian=True)
    assert r.gradient.dtype == np.float64 and r.gradient.shape == pred.shape
    np.testing.assert_allclose(r.gradient.reshape(-1), expected["gradient"], rtol=1e-12, atol=0)
    np.testing.assert_allclose(r.hessian.reshape(-1), expected["hessian"], rtol=1e-12, atol=0)
    if reduction == "none":
        np.testing.assert_allclose(r.values.reshape(-1), expected["value"], rtol=1e-12, atol=0)
        assert r.values.shape == (pred.shape if loss.info.elementwise else (pred.shape[0],))
    else:
        assert r.values is None
        assert r.value == pytest.approx(expected["value"], rel=1e-12, abs=0)
    # The same numbers as the reference vectors the Swift suite checks.
    np.testing.assert_allclose(r.gradient.reshape(-1), ref["expected"][reduction]["gradient"], rtol=1e-9, atol=1e-12)

    # float32 (the same inputs rounded to float32): the float32 path agrees with the
    # float64 path just checked against the CLI, on those rounded inputs, to float32
    # precision (relative to the largest entry).
    p32, t32 = pred.astype(np.float32), target.astype(np.float32)
    w32 = None if weight is None else weight.astype(np.float32)
    r32 = loss.evaluate(p32, t32, weight=w32, reduction=reduction, gradient=True, hessian=True)
    r64 = loss.evaluate(p32.astype(np.float64), t32.astype(np.float64),
                        weight=None if w32 is None else w32.astype(np.float64), reduction=reduction,
                        gradient=True, hessian=True)
    assert r32.gradient.dtype == np.float32 and r32.hessian.dtype == np.float32
    assert r32.gradient.shape == pred.shape

    def close32(actual, wanted):
        wanted = np.asarray(wanted, dtype=np.float64).reshape(-1)
        scale = max(np.abs(wanted).max(initial=0.0), 1e-30)
        np.testing.assert_allclose(np.asarray(actual, dtype=np.float64).reshape(-1), wanted, rtol=1e-5,
                                   atol=1e-5 * scale)

    close32(r32.gradient, r64.gradient)
    close32(r32.hessian, r64.hessian)
    if reduction == "none":
        assert r32.values.dtype == np.float32
        close32(r32.values, r64.values)
    else:
        assert r32.value == pytest.approx(r64.value, rel=1e-6)
