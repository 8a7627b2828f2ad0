#!/usr/bin/env python3
"""Training time of XGBoost with the built-in objective, the plugin objective
(losshost.xgboost.objective) and the same objective written in numpy, all in one run.

    python benchmarks/train_bench.py [--rows 1000000] [--rounds 30] [--threads 2] [--repeats 3] [--markdown]

Each case trains on the same DMatrix (hist, depth 6, the given threads); the
times are medians over repeats of xgboost.train alone, the three variants run
in turn in each repeat; wall time, and the process's CPU time (less sensitive to
other load on the machine). Ratios are to the built-in measured in the same run. Needs `swift build -c release` (or debug) and
`pip install ./python`.
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time

import numpy as np
import xgboost as xgb

import losshost
import losshost.xgboost as lx

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peers import print_table  # noqa: E402


def numpy_logistic(predt, dtrain):
    y = dtrain.get_label()
    p = 1.0 / (1.0 + np.exp(-predt))
    return p - y, p * (1.0 - p)


def numpy_squared(predt, dtrain):
    y = dtrain.get_label()
    return predt - y, np.ones_like(predt)


def numpy_poisson(predt, dtrain):
    y = dtrain.get_label()
    mu = np.exp(predt)
    return mu - y, mu


def numpy_tweedie(rho):
    def objective(predt, dtrain):
        y = dtrain.get_label()
        a = np.exp((1.0 - rho) * predt)
        b = np.exp((2.0 - rho) * predt)
        return -y * a + b, -y * (1.0 - rho) * a + (2.0 - rho) * b

    return objective


def data(kind: str, rows: int, rng):
    X = rng.normal(size=(rows, 10)).astype(np.float32)
    score = X[:, :4] @ np.array([0.8, -0.5, 0.3, 0.2], dtype=np.float32) + 0.3 * np.sin(2 * X[:, 4])
    if kind == "binary":
        y = (rng.uniform(size=rows) < 1 / (1 + np.exp(-score))).astype(np.float32)
    elif kind == "count":
        y = rng.poisson(np.exp(0.5 * score)).astype(np.float32)
    else:
        y = (score + rng.normal(size=rows)).astype(np.float32)
    return X, y


CASES = [
    # name, data kind, built-in params, plugin loss (id, params), numpy objective, transcendental
    ("binary logistic", "binary", {"objective": "binary:logistic"}, ("std/bce_with_logits", {}), numpy_logistic, True),
    ("poisson", "count", {"objective": "count:poisson", "max_delta_step": 0.0}, ("std/poisson_nll", {}),
     numpy_poisson, True),
    ("tweedie 1.5", "count", {"objective": "reg:tweedie", "tweedie_variance_power": 1.5}, ("std/tweedie", {"rho": 1.5}),
     numpy_tweedie(1.5), True),
    ("squared error", "real", {"objective": "reg:squarederror"}, ("std/mse", {}), numpy_squared, False),
]


def interleaved(fns, repeats: int):
    """Median wall and CPU seconds of each function, run in turn `repeats` times so
    that a change in the machine's load hits every variant alike."""
    wall = [[] for _ in fns]
    cpu = [[] for _ in fns]
    for _ in range(repeats):
        for i, fn in enumerate(fns):
            w0, c0 = time.perf_counter(), time.process_time()
            fn()
            wall[i].append(time.perf_counter() - w0)
            cpu[i].append(time.process_time() - c0)
    return [statistics.median(t) for t in wall], [statistics.median(t) for t in cpu]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--rounds", type=int, default=30)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    args = ap.parse_args()

    host = losshost.Host(threads=args.threads)
    rng = np.random.default_rng(0)
    params = {"tree_method": "hist", "max_depth": 6, "eta": 0.1, "nthread": args.threads, "verbosity": 0}
    rows = []
    datasets = {}
    for name, kind, builtin, (loss_id, loss_params), numpy_obj, transcendental in CASES:
        if kind not in datasets:
            X, y = data(kind, args.rows, rng)
            datasets[kind] = (xgb.DMatrix(X, y, nthread=args.threads), y)
        d, y = datasets[kind]
        loss = host.loss(loss_id, **loss_params)
        base = lx.base_score(loss, y)
        custom = {**params, "base_score": base}
        wall, cpu = interleaved([
            lambda: xgb.train({**params, **builtin}, d, args.rounds),
            lambda: xgb.train(custom, d, args.rounds, obj=lx.objective(loss)),
            lambda: xgb.train(custom, d, args.rounds, obj=numpy_obj),
        ], args.repeats)
        rows.append((name, loss_id, transcendental, *wall, *cpu))

    header = ["objective", "plugin loss", "built-in s", "plugin s", "numpy s", "plugin / built-in",
              "numpy / built-in", "numpy / plugin", "CPU: plugin / built-in", "CPU: numpy / plugin"]
    table = [[name, loss_id, f"{tb:.2f}", f"{tp:.2f}", f"{tn:.2f}", f"{tp / tb:.3f}", f"{tn / tb:.3f}",
              f"{tn / tp:.2f}x", f"{cp / cb:.3f}", f"{cn / cp:.2f}x"]
             for name, loss_id, _, tb, tp, tn, cb, cp, cn in rows]
    print(f"XGBoost {xgb.__version__}, numpy {np.__version__}, Python {platform.python_version()}; "
          f"{args.rows} rows x 10 features, {args.rounds} rounds, hist, depth 6, {args.threads} threads, "
          f"wall and CPU seconds, median of {args.repeats} interleaved runs; library {losshost.library_path()}")
    print_table(header, table, args.markdown)
    for name, _, transcendental, tb, tp, tn, *_ in rows:
        verdicts = [f"plugin/built-in {tp / tb:.3f} ({'met' if tp / tb <= 1.05 else 'missed'} <= 1.05)"]
        if transcendental:
            verdicts.append(f"plugin {'faster' if tp < tn else 'NOT faster'} than numpy")
        print(f"{name}: " + "; ".join(verdicts))


if __name__ == "__main__":
    main()
