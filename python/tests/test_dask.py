"""Dask: xgboost.dask.train on a LocalCluster of two worker processes with a plugin
objective. Each worker opens its own host and runs the plugin on its partition."""
from __future__ import annotations

import os

import numpy as np
import pytest
import xgboost as xgb
import xgboost.dask  # noqa: F401  (xgboost.dask.train)

import losshost
import losshost.xgboost as lx

import dask.array as da
from distributed import Client, LocalCluster

ROUNDS = 20


def test_dask_two_workers_match_single_process(team_host, plugin_dir, cache_dir, tmp_path, monkeypatch):
    log = tmp_path / "calls.log"
    # Workers inherit the environment: where the library is, and where the plugin logs.
    monkeypatch.setenv("LOSSHOST_LIBRARY", str(losshost.library_path()))
    monkeypatch.setenv("LOSSHOST_TEST_LOG", str(log))
    rng = np.random.default_rng(11)
    n = 20_000
    # Features on a grid of 64 values (fewer than max_bin): the histogram cuts are the
    # values themselves, the same from one sketch as from two workers' merged ones.
    X = rng.integers(0, 64, size=(n, 6)) / 8.0 - 4.0
    y = X @ np.array([1.5, -2.0, 0.5, 0.0, 1.0, -0.5]) + np.sin(2 * X[:, 0]) + 0.3 * rng.normal(size=n)
    loss = team_host.loss("teamtest/asym_squared", k=3.0)
    params = {"tree_method": "hist", "max_depth": 4, "eta": 0.3, "nthread": 1, "base_score": lx.base_score(loss, y)}

    single = xgb.train(params, xgb.DMatrix(X, y), ROUNDS, obj=lx.objective(loss))
    single_loss = loss.evaluate(single.predict(xgb.DMatrix(X), output_margin=True), y).value
    log.write_text("")

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        worker_pids = set(client.run(os.getpid).values())
        assert len(worker_pids) == 2 and os.getpid() not in worker_pids
        dX = da.from_array(X, chunks=(n // 2, 6))
        dy = da.from_array(y, chunks=(n // 2,))
        dtrain = xgb.dask.DaskDMatrix(client, dX, dy)
        out = xgb.dask.train(client, params, dtrain, ROUNDS, obj=lx.objective(loss))
        margin = xgb.dask.predict(client, out["booster"], dtrain, output_margin=True).compute()

    calls = [tuple(map(int, line.split()[:2])) for line in log.read_text().split("\n") if line]
    by_pid: dict[int, set[int]] = {}
    for pid, rows in calls:
        by_pid.setdefault(pid, set()).add(rows)
    assert set(by_pid) == worker_pids  # the plugin ran in both workers, and only there
    rows_seen = [r for rows in by_pid.values() for r in rows]
    assert sorted(rows_seen) == [n // 2, n // 2]  # each evaluated its own partition, every round
    assert all(len([c for c in calls if c[0] == pid]) >= ROUNDS for pid in worker_pids)

    dask_loss = loss.evaluate(margin, y).value
    assert dask_loss == pytest.approx(single_loss, rel=1e-3)
