"""The host: finding the library, listing, parameters, errors, check before use, pickling."""
from __future__ import annotations

import os
import pickle
import re
import subprocess
import sys

import numpy as np
import pytest

import losshost
from conftest import REPO, run_cli


def test_missing_library_names_the_fix(tmp_path):
    code = "import losshost\ntry:\n    losshost.Host()\nexcept losshost.LossError as e:\n    print(e)\n"
    env = dict(os.environ, LOSSHOST_LIBRARY=str(tmp_path / "nope.so"))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True).stdout
    assert out.strip() == f"LOSSHOST_LIBRARY={tmp_path / 'nope.so'}: no such file; point it at liblosshost-host.so"


def test_library_is_the_repository_build():
    path = losshost.library_path()
    assert path.name == "liblosshost-host.so" and path.parent.name in ("debug", "release")


def test_losses_have_qualified_ids_and_metadata(host, cli, cache_dir):
    infos = {i.qualified_id: i for i in host.losses()}
    assert "std/mse" in infos and "std/cross_entropy" in infos
    assert all("/" in qid for qid in infos)
    huber = infos["std/huber"]
    assert huber.kind == "regression" and huber.elementwise and huber.link == "identity"
    assert [p.name for p in huber.params] == ["delta"] and huber.params[0].default == 1.0
    assert infos["std/bce_with_logits"].link == "sigmoid"
    assert infos["std/cross_entropy"].link == "softmax" and not infos["std/cross_entropy"].elementwise
    # ABI 1.2 metadata declares the log link; without it the link falls back to the kind's.
    poisson = infos["std/poisson_nll"]
    assert poisson.link == ("exp" if "link" in poisson.json else "identity")
    bce = infos["std/bce"]  # its prediction already is a probability: ABI 1.2 says so
    assert bce.link == ("identity" if "link" in bce.json else "sigmoid")
    # The same ids as the CLI's listing.
    done = run_cli(cli, "list", "--format", "json", cache_dir=cache_dir)
    assert done.returncode == 0, done.stderr
    import json

    listed = json.loads(done.stdout)
    listed = listed["losses"] if isinstance(listed, dict) else listed
    assert {(o.get("qualified_id") or f"{o['plugin']}/{o['id']}") for o in listed} == set(infos)


def test_losses_have_ids_host_loss_takes(host):
    ids = [l.id for l in host.losses()]
    assert "std/mse" in ids and ids == [l.qualified_id for l in host.losses()]
    assert host.loss(ids[0]).id == ids[0]


def test_parameters_are_numbers(host):
    for bad in ("0.5", ["1", "2"], None):
        with pytest.raises(losshost.LossError, match=rf"^param delta: expected a number or a list of numbers, "
                                                     rf"got {re.escape(repr(bad))}$"):
            host.loss("std/huber", delta=bad)
    assert host.loss("std/huber", delta=np.float32(0.5)).params_used["delta"] == 0.5


def test_bare_id_and_params_used(host):
    loss = host.loss("huber", delta=0.5)
    assert loss.id == "std/huber"
    r = loss.evaluate(np.array([0.0, 2.0]), np.array([0.0, 0.0]), reduction="none")
    np.testing.assert_allclose(r.values, [0.0, 0.5 * (2.0 - 0.25)])
    assert r.value == pytest.approx(0.875)


def test_bad_param_raises_the_hosts_message(host, cli, cache_dir, tmp_path):
    with pytest.raises(losshost.LossError) as error:
        host.loss("std/huber", delta=-1.0)
    assert isinstance(error.value, ValueError)
    message = str(error.value)
    assert "\n" not in message and "delta" in message
    np.savetxt(tmp_path / "p.csv", [0.0])
    done = run_cli(cli, "eval", "std/huber", "--param", "delta=-1", "--pred", str(tmp_path / "p.csv"),
                   "--target", str(tmp_path / "p.csv"), cache_dir=cache_dir)
    assert done.returncode != 0 and message in done.stderr
    with pytest.raises(losshost.LossError, match="nope"):
        host.loss("std/huber", nope=1.0)
    with pytest.raises(losshost.LossError, match="no_such_loss"):
        host.loss("no_such_loss")


def test_bad_inputs_raise_one_line(host):
    loss = host.loss("std/mse")
    with pytest.raises(losshost.LossError, match=r"^target: 2 rows, but pred has 3$"):
        loss.evaluate(np.zeros(3), np.zeros(2))
    with pytest.raises(losshost.LossError, match=r"^unknown reduction 'avg'; expected mean, sum or none$"):
        loss.evaluate(np.zeros(3), np.zeros(3), reduction="avg")
    with pytest.raises(losshost.LossError) as error:
        host.loss("std/bce").evaluate(np.array([0.5, 1.5]), np.array([0.0, 1.0]))
    assert "\n" not in str(error.value) and "1.5" in str(error.value)


def test_float32_stays_float32_and_outputs_have_preds_shape(host):
    loss = host.loss("std/mse")
    pred = np.arange(6, dtype=np.float32).reshape(3, 2)
    r = loss.evaluate(pred, np.zeros((3, 2)), gradient=True, hessian=True, reduction="none")
    assert r.gradient.dtype == np.float32 and r.gradient.shape == (3, 2) and r.values.dtype == np.float32
    np.testing.assert_array_equal(r.gradient, 2 * pred)
    r = loss.evaluate(pred.astype(np.float64), np.zeros((3, 2)), gradient=True)
    assert r.gradient.dtype == np.float64 and r.hessian is None and r.values is None
    np.testing.assert_allclose(r.gradient, 2 * pred / 6)


def test_weights_pass_through(host):
    loss = host.loss("std/mse")
    r = loss.evaluate(np.array([1.0, 2.0]), np.zeros(2), weight=np.array([3.0, 1.0]), reduction="mean",
                      gradient=True)
    assert r.value == pytest.approx((3 * 1 + 1 * 4) / 4)
    np.testing.assert_allclose(r.gradient, [3 * 2 * 1 / 4, 1 * 2 * 2 / 4])


def test_evaluation_releases_the_gil(host):
    import threading
    import time

    loss = host.loss("std/log_cosh")
    pred = np.random.default_rng(0).normal(size=1_000_000)
    target = np.zeros_like(pred)
    ticks = []
    stop = threading.Event()

    def ticker():
        while not stop.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.0005)

    thread = threading.Thread(target=ticker)
    thread.start()
    time.sleep(0.01)
    start = time.perf_counter()
    loss.evaluate(pred, target, gradient=True, hessian=True)  # one call: Python can run only if it let go
    end = time.perf_counter()
    stop.set()
    thread.join()
    assert any(start < t < end for t in ticks), f"no other thread ran during the {end - start:.3f} s call"


def test_check_runs_by_default_for_team_plugins(team_host):
    with pytest.raises(losshost.LossError) as error:
        team_host.loss("badtest/wrong_gradient")
    message = str(error.value)
    assert "\n" not in message and "check failed" in message and "wrong_gradient.gradient" in message
    assert "check=False" in message
    loss = team_host.loss("badtest/wrong_gradient", check=False)  # the documented opt-out
    assert loss.evaluate(np.array([1.0]), np.array([0.0]), gradient=True).gradient[0] == pytest.approx(4.0)
    good = team_host.loss("teamtest/asym_squared", k=3.0)  # passes its check
    assert good.evaluate(np.array([1.0, -1.0]), np.zeros(2), reduction="sum").value == pytest.approx(4.0)


def test_a_check_warning_does_not_refuse_the_loss(tmp_path, cache_dir):
    # XGBoost's pseudo-Huber whose value cancels at delta = 1e6: right gradient, noisy value.
    folder = tmp_path / "noisy"
    folder.mkdir(mode=0o755)
    subprocess.run(["cc", "-shared", "-fPIC", "-O2", "-fvisibility=hidden", "-I", str(REPO / "include"),
                    "-I", str(REPO / "Tests/Fixtures/hostile"), str(REPO / "Tests/Fixtures/hostile/noisy_pseudo_huber.c"),
                    "-o", str(folder / "libnoisy_pseudo_huber.so"), "-lm"], check=True)
    host = losshost.Host(plugin_dirs=[str(folder)], cache_dir=cache_dir)
    # Training is gated by the check at the bound delta, where the value cancels.
    with pytest.warns(RuntimeWarning, match=r"noisy_pseudo_huber/pseudo_huber: losshost check warns: pseudo_huber.gradient: value: loses \d+ digits"):
        loss = host.loss("noisy_pseudo_huber/pseudo_huber", delta=1e6)
    assert loss.evaluate(np.array([3.0]), np.array([0.0]), gradient=True).gradient[0] == pytest.approx(3 / np.sqrt(1 + 9e-12))


def test_check_opt_out_by_environment(team_host, monkeypatch):
    monkeypatch.setenv("LOSSHOST_CHECK", "0")
    loss = team_host.loss("badtest/wrong_gradient")
    assert loss.id == "badtest/wrong_gradient"


def test_check_verdict_is_cached_by_fingerprint(team_host):
    first = team_host.check("teamtest/asym_squared")
    again = team_host.check("teamtest/asym_squared")
    assert first["fingerprint"] == again["fingerprint"] and again["cached"] is True


def test_losses_pickle_by_recipe(team_host):
    loss = team_host.loss("teamtest/asym_squared", k=2.5)
    copy = pickle.loads(pickle.dumps(loss))
    assert copy.id == loss.id and copy is not loss
    pred, target = np.array([1.0, -2.0]), np.zeros(2)
    assert copy.evaluate(pred, target).value == loss.evaluate(pred, target).value


def test_training_is_gated_by_the_check_at_the_bound_parameters(team_host, cli, plugin_dir, cache_dir):
    # extremetest/soft_l1's gradient is wrong only for delta > 1e5: the full sweep
    # (the CLI's check, up to the top of delta's range) fails it ...
    done = run_cli(cli, "check", "extremetest/soft_l1", "--plugin-dir", str(plugin_dir), "--seed", "1",
                   cache_dir=cache_dir)
    assert done.returncode == 1
    assert re.search(r"soft_l1\.gradient +FAIL .*\(params delta=1000000\); the defaults \(delta=1\) passed$", done.stdout,
                     re.M), done.stdout
    assert team_host.check("extremetest/soft_l1")["passed"] is False
    # ... but training at the defaults, or at any delta up to 1e5, is accepted ...
    assert team_host.check("extremetest/soft_l1", params={})["passed"] is True
    loss = team_host.loss("extremetest/soft_l1")
    assert loss.evaluate(np.array([3.0]), np.zeros(1)).value == pytest.approx(np.sqrt(10) - 1)
    assert team_host.loss("extremetest/soft_l1", delta=1e5).params_used["delta"] == 1e5
    # ... and at a bad value it is refused, naming the point.
    with pytest.raises(losshost.LossError) as error:
        team_host.loss("extremetest/soft_l1", delta=2e5)
    message = str(error.value)
    assert message.startswith("extremetest/soft_l1: losshost check failed at delta=200000.0 (soft_l1.gradient); "
                              "first: soft_l1.gradient: "), message
    assert message.endswith("(params delta=200000) (run `losshost check extremetest/soft_l1 --param delta=200000.0 "
                            "--no-sweep` for the report; check=False or LOSSHOST_CHECK=0 skips the check)"), message
    assert "\n" not in message
    # The command the message names reports the same failure.
    done = run_cli(cli, "check", "extremetest/soft_l1", "--plugin-dir", str(plugin_dir), "--param", "delta=200000.0",
                   "--no-sweep", "--seed", "1", cache_dir=cache_dir)
    assert done.returncode == 1 and "(params delta=200000)" in done.stdout
