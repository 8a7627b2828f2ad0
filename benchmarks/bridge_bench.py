#!/usr/bin/env python3
"""The CatBoost and JAX bridges against their baselines, all in one run.

    python benchmarks/bridge_bench.py [--rows 100000] [--iterations 50] [--threads 2] [--repeats 3]
                                      [--block-calls 5000] [--markdown]

CatBoost: CatBoostRegressor / CatBoostClassifier on the same data (depth 6, the
given threads, Plain boosting, Newton leaves) with the built-in loss, the plugin
objective (losshost.catboost), the same objective in numpy (a vectorised
calc_ders_range answering one (n, 2) array, CatBoost's fastest Python form) and
"no work", a calc_ders_range that computes nothing and answers a preallocated
array: the floor of CatBoost's Python objective interface (it learns nothing);
seconds of fit alone, the variants taking turns in each repeat; and the cost
of one calc_ders_range call on a block of the sizes CatBoost asks for (282 and
1000 rows here), plugin, no work and "host call" (the plugin's block path without
its reading of the host's facts and its negation: copies in, the host call, a
preallocated answer) against numpy.
JAX: jit-compiled value_and_grad of the plugin loss (losshost.jax) against the
same loss written in jax.numpy, per call on `--jax-rows` rows (float32).
Times are medians over repeats; wall time and the process's CPU time; every
ratio is to the baseline measured in the same run. Needs the host library
(`swift build -c release`, or LOSSHOST_LIBRARY) and `pip install ./python catboost jax`.
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import time

import catboost as cb
import jax
import jax.numpy as jnp
import numpy as np

import losshost
import losshost.catboost as lc
import losshost.jax as lj


class NumpyRMSE:
    no_jit = True

    def calc_ders_range(self, approxes, targets, weights):
        ders = np.empty((len(approxes), 2))
        np.subtract(targets, approxes, out=ders[:, 0])
        ders[:, 1] = -1.0
        return ders


class NumpyLogloss:
    no_jit = True

    def calc_ders_range(self, approxes, targets, weights):
        p = 1.0 / (1.0 + np.exp(-np.asarray(approxes)))
        ders = np.empty((len(approxes), 2))
        np.subtract(targets, p, out=ders[:, 0])
        np.multiply(p, p - 1.0, out=ders[:, 1])
        return ders


class NoWork:
    """The interface's floor: derivatives 1 and -1 (MVS sampling needs a gradient), preallocated per block size."""
    no_jit = True

    def __init__(self):
        self.answers = {}

    def __deepcopy__(self, memo):
        return self

    def calc_ders_range(self, approxes, targets, weights):
        answer = self.answers.get(len(approxes))
        if answer is None:
            answer = self.answers[len(approxes)] = np.tile([1.0, -1.0], (len(approxes), 1))
        return answer


class HostCallOnly(NoWork):
    """The plugin's block path without its reading of the facts and its negation: the
    block copied into buffers, the bound host call (the bridge's), a preallocated answer."""

    def __init__(self, loss):
        super().__init__()
        self.loss, self.calls = loss, {}

    def calc_ders_range(self, approxes, targets, weights):
        n = len(approxes)
        if n not in self.calls:
            pred, label, gradient, hessian = np.empty(n), np.empty(n), np.empty(n), np.empty(n)
            self.calls[n] = (pred, label, self.loss._bound_evaluation(pred, label, None, gradient, hessian))
        pred, label, evaluate = self.calls[n]
        pred[...] = approxes
        label[...] = targets
        evaluate()
        return super().calc_ders_range(approxes, targets, weights)


def data(kind: str, rows: int, rng):
    X = rng.normal(size=(rows, 10)).astype(np.float32)
    score = X[:, :4] @ np.array([0.8, -0.5, 0.3, 0.2], dtype=np.float32) + 0.3 * np.sin(2 * X[:, 4])
    if kind == "binary":
        return X, (rng.uniform(size=rows) < 1 / (1 + np.exp(-score))).astype(np.float64)
    return X, (score + 0.5 * rng.normal(size=rows)).astype(np.float64)


def timed(fn):
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def catboost_cases(host, args):
    params = dict(iterations=args.iterations, depth=6, learning_rate=0.1, thread_count=args.threads,
                  boosting_type="Plain", leaf_estimation_method="Newton", leaf_estimation_iterations=1,
                  random_seed=0, verbose=0, allow_writing_files=False)
    rng = np.random.default_rng(0)
    mse = host.loss("std/mse")
    bce = host.loss("std/bce_with_logits")
    cases = [
        ("RMSE", "std/mse", "regression", cb.CatBoostRegressor,
         {"loss_function": "RMSE"},
         # std/mse's derivatives are twice RMSE's: l2_leaf_reg 2 × 3 takes the same Newton steps.
         {"loss_function": lc.objective(mse), "eval_metric": "RMSE", "l2_leaf_reg": 6.0},
         {"loss_function": NumpyRMSE(), "eval_metric": "RMSE"},
         {"loss_function": NoWork(), "eval_metric": "RMSE"}),
        ("Logloss", "std/bce_with_logits", "binary", cb.CatBoostClassifier,
         {"loss_function": "Logloss"},
         {"loss_function": lc.objective(bce), "eval_metric": "Logloss"},
         {"loss_function": NumpyLogloss(), "eval_metric": "Logloss"},
         {"loss_function": NoWork(), "eval_metric": "Logloss"}),
    ]
    rows = []
    for name, loss_id, kind, model, builtin, plugin, numpy_, no_work in cases:
        X, y = data(kind, args.rows, rng)
        pool = cb.Pool(X, y)
        times = {"built-in": [], "plugin": [], "numpy": [], "no work": []}
        for _ in range(args.repeats):
            for variant, extra in (("built-in", builtin), ("plugin", plugin), ("numpy", numpy_),
                                   ("no work", no_work)):
                times[variant].append(timed(lambda: model(**params, **extra).fit(pool)))
        rows.append((f"{name} ({args.rows} × 10, {args.iterations} it.)", loss_id, times))
    return rows



def block_cases(host, args):
    """One calc_ders_range call on a block of the sizes CatBoost asks for (float32 labels, as CatBoost gives them)."""
    rng = np.random.default_rng(1)
    rows = []
    for name, loss_id, numpy_ in (("RMSE", "std/mse", NumpyRMSE()), ("Logloss", "std/bce_with_logits", NumpyLogloss())):
        plugin, no_work, host_call = lc.objective(host.loss(loss_id)), NoWork(), HostCallOnly(host.loss(loss_id))
        for n in (282, 1000):
            approxes = rng.normal(size=n)
            targets = (rng.uniform(size=n) < 0.5 if name == "Logloss" else rng.normal(size=n)).astype(np.float32)
            times = {"numpy": [], "plugin": [], "no work": [], "host call": []}
            for _ in range(args.repeats):
                for variant, objective_ in (("numpy", numpy_), ("plugin", plugin), ("no work", no_work),
                                            ("host call", host_call)):
                    wall, cpu = timed(lambda: [objective_.calc_ders_range(approxes, targets, None)
                                               for _ in range(args.block_calls)])
                    times[variant].append((wall / args.block_calls, cpu / args.block_calls))
            rows.append((f"{name}, {n} rows", loss_id, times))
    return rows

def jax_cases(host, args):
    key = jax.random.split(jax.random.PRNGKey(0), 3)
    n = args.jax_rows
    pred = jax.random.normal(key[0], (n,))
    target = jax.random.normal(key[1], (n,))
    label = (jax.random.uniform(key[2], (n,)) < 0.5).astype(jnp.float32)
    logits = jax.random.normal(key[0], (n // 10, 10))
    classes = jnp.arange(n // 10) % 10
    cases = [
        ("mse", "std/mse", lambda p, t: jnp.mean((p - t) ** 2), pred, target),
        ("bce_with_logits", "std/bce_with_logits",
         lambda p, t: jnp.mean(jnp.maximum(p, 0) - p * t + jnp.log1p(jnp.exp(-jnp.abs(p)))), pred, label),
        ("cross_entropy", "std/cross_entropy",
         lambda p, t: -jnp.mean(jnp.take_along_axis(jax.nn.log_softmax(p), t[:, None], axis=1)), logits, classes),
    ]
    rows = []
    for name, loss_id, written, p, t in cases:
        plugin = jax.jit(jax.value_and_grad(lj.loss(host.loss(loss_id))))
        reference = jax.jit(jax.value_and_grad(written))
        for f in (plugin, reference):  # compile, and check they agree
            jax.block_until_ready(f(p, t))
        a, b = plugin(p, t), reference(p, t)
        assert np.allclose(a[0], b[0], rtol=1e-4) and np.allclose(a[1], b[1], rtol=1e-3, atol=1e-7), name
        calls = args.jax_calls
        times = {"jax.numpy": [], "plugin": []}
        for _ in range(args.repeats):
            for variant, f in (("jax.numpy", reference), ("plugin", plugin)):
                wall, cpu = timed(lambda: [jax.block_until_ready(f(p, t)) for _ in range(calls)])
                times[variant].append((wall / calls, cpu / calls))
        rows.append((f"{name} ({' × '.join(map(str, p.shape))}, value + grad)", loss_id, times))
    return rows


def median(times, i):
    return statistics.median(t[i] for t in times)


def report(title, rows, baseline, others, unit, scale, markdown):
    columns = [baseline] + others
    head = (["case", "plugin loss"] + [f"{c} {unit}" for c in columns]
            + [f"{o} / {baseline}" for o in others] + [f"CPU: {o} / {baseline}" for o in others])
    print(f"\n{title}\n")
    lines = []
    for case, loss_id, times in rows:
        base_wall, base_cpu = median(times[baseline], 0), median(times[baseline], 1)
        cells = [case, loss_id] + [f"{median(times[c], 0) * scale:.3f}" for c in columns]
        cells += [f"{median(times[o], 0) / base_wall:.2f}" for o in others]
        cells += [f"{median(times[o], 1) / base_cpu:.2f}" for o in others]
        lines.append(cells)
    if markdown:
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
        for cells in lines:
            print("| " + " | ".join(cells) + " |")
    else:
        widths = [max(len(h), *(len(c[i]) for c in lines)) for i, h in enumerate(head)]
        for cells in [head] + lines:
            print("  ".join(c.ljust(w) for c, w in zip(cells, widths)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--iterations", type=int, default=50)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--host-threads", type=int, default=1,
                        help="the host's threads for the CatBoost objective (CatBoost already runs its blocks "
                             "in parallel); JAX's plugin loss uses --threads")
    parser.add_argument("--block-calls", type=int, default=5000,
                        help="calc_ders_range calls per timing of one block")
    parser.add_argument("--jax-rows", type=int, default=1_000_000)
    parser.add_argument("--jax-calls", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    host = losshost.Host(threads=args.host_threads)
    jax_host = losshost.Host(threads=args.threads)
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, load average "
          f"{os.getloadavg()[0]:.2f} at the start; catboost {cb.__version__}, jax {jax.__version__}, "
          f"numpy {np.__version__}; host library {losshost.library_path()}")
    report("CatBoost: fit seconds (median of %d)" % args.repeats, catboost_cases(host, args), "built-in",
           ["plugin", "numpy", "no work"], "s", 1.0, args.markdown)
    report("CatBoost: µs per calc_ders_range call on one block (median of %d)" % args.repeats,
           block_cases(host, args), "numpy", ["plugin", "no work", "host call"], "µs", 1e6, args.markdown)
    report("JAX: ms per jit-compiled value_and_grad call (median of %d)" % args.repeats, jax_cases(jax_host, args),
           "jax.numpy", ["plugin"], "ms", 1e3, args.markdown)
    print(f"\nload average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
