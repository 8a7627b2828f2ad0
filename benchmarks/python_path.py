#!/usr/bin/env python3
"""The path users train through: `Loss.evaluate(pred, target, gradient=True)`
(mean) from Python, against PyTorch eager (1 and 2 threads), JAX
`jit(value_and_grad(f))` (optional: skipped when jax is missing) and a numpy
gradient written by hand, all in one run; ratios, not absolute times, compare.

    PYTHONPATH=python/src LOSSHOST_LIBRARY=.build/release/liblosshost-host.so \\
        python benchmarks/python_path.py [--repeats 5] [--markdown] [--cases mse,focal]

Run it with a Python that has numpy and torch (and jax for the JAX column);
none of them is a dependency of losshost. Columns: the floor (one plain
2-thread pass over the same bytes: read pred and target, write the gradient,
torch `sub` / `add` with `out=`), losshost with fresh output arrays, losshost
writing into a reused `gradient_out=`, the peers, and the ratios the targets
are stated in. Medians of --repeats, the methods interleaved per repeat.

Then one XGBoost objective call (`losshost.xgboost.objective(loss).compute`, what
`xgboost.train(obj=...)` calls each round) on --xgboost-rows float32 margins
against the numpy objective written the usual way, median of 20, interleaved
(skipped when xgboost is missing; `--xgboost-rows 0` skips it too).
"""
import argparse
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from peers import machine, make_data, median, numpy_fn, print_table, torch_fn  # noqa: E402

# (label, loss, rows, classes, dtype)
CASES = [
    ("mse 10M f64", "mse", 10_000_000, None, "float64"),
    ("huber 10M f64", "huber", 10_000_000, None, "float64"),
    ("bce_with_logits 10M f64", "bce_with_logits", 10_000_000, None, "float64"),
    ("mse 10M f32", "mse", 10_000_000, None, "float32"),
    ("bce_with_logits 10M f32", "bce_with_logits", 10_000_000, None, "float32"),
    ("focal 10M f64", "focal", 10_000_000, None, "float64"),
    ("cross_entropy 1Mx10 f64", "cross_entropy", 1_000_000, 10, "float64"),
    ("cross_entropy 1Mx10 f32", "cross_entropy", 1_000_000, 10, "float32"),
    ("cross_entropy 100kx1000 f64", "cross_entropy", 100_000, 1000, "float64"),
]
NUMPY_CASES = ("mse", "huber", "bce_with_logits")  # the hand-written gradient only where it is a one-liner


def jax_fn(loss, x, y):
    """jit(value_and_grad) of the loss on device arrays, or None without jax."""
    try:
        import jax
        import jax.numpy as jnp
    except ImportError:
        return None
    jax.config.update("jax_enable_x64", True)
    xj, yj = jax.device_put(x), jax.device_put(y)
    if loss == "mse":
        def f(p, t):
            return jnp.mean((p - t) ** 2)
    elif loss == "huber":
        def f(p, t):
            a = jnp.abs(p - t)
            return jnp.mean(jnp.where(a <= 1.0, 0.5 * a * a, a - 0.5))
    elif loss == "bce_with_logits":
        def f(p, t):
            return jnp.mean(jnp.maximum(p, 0) - p * t + jnp.log1p(jnp.exp(-jnp.abs(p))))
    elif loss == "focal":
        def f(p, t):
            s = jax.nn.sigmoid(p)
            ce = jnp.maximum(p, 0) - p * t + jnp.log1p(jnp.exp(-jnp.abs(p)))
            q = s * (1 - t) + (1 - s) * t
            return jnp.mean((0.25 * t + 0.75 * (1 - t)) * q * q * ce)
    else:
        def f(p, t):
            lse = jax.nn.logsumexp(p, axis=1)
            return jnp.mean(lse - jnp.take_along_axis(p, t[:, None], axis=1)[:, 0])
    g = jax.jit(jax.value_and_grad(f))

    def run():
        v, d = g(xj, yj)
        d.block_until_ready()
    return run


def main():
    import numpy as np
    import torch
    import losshost

    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    parser.add_argument("--cases", default="", help="comma-separated labels' first words (default: all)")
    parser.add_argument("--xgboost-rows", type=int, default=1_000_000)
    args = parser.parse_args()
    wanted = {c for c in args.cases.split(",") if c}

    host = losshost.Host(threads=2)
    cores, model = machine()
    rows_out = []
    for label, loss_id, rows, classes, dtype in CASES:
        if wanted and label.split()[0] not in wanted:
            continue
        print(f"... {label}", file=sys.stderr, flush=True)
        x64, y = make_data(np, loss_id, rows, classes)
        x = x64.astype(dtype)
        del x64
        yf = y.astype(dtype)  # losshost's target: class indices as floats
        y_peer = y if classes else yf
        loss = host.loss(loss_id)
        out = np.empty_like(x)
        xt, yt, gt = torch.from_numpy(x), torch.from_numpy(yf), torch.from_numpy(out)

        def floor():
            if classes:
                torch.add(xt, xt, out=gt)
                yt.sum()
            else:
                torch.sub(xt, yt, out=gt)

        methods = {
            "floor": floor,
            "losshost": lambda: loss.evaluate(x, yf, gradient=True),
            "losshost out=": lambda: loss.evaluate(x, yf, gradient_out=out),
            "torch 1T": torch_fn(torch, loss_id, x, y_peer),
            "torch 2T": None,  # the same function, timed with 2 threads
            "JAX jit": jax_fn(loss_id, x, y_peer),
            "numpy": numpy_fn(np, loss_id, x, y_peer) if loss_id in NUMPY_CASES else None,
        }
        methods["torch 2T"] = methods["torch 1T"]
        samples = {k: [] for k, f in methods.items() if f is not None}
        for r in range(args.repeats + 1):  # the first round warms up (pages, code, jit)
            for name in samples:
                torch.set_num_threads(1 if name == "torch 1T" else 2)
                start = time.perf_counter()
                methods[name]()
                if r:
                    samples[name].append(time.perf_counter() - start)
        rows_out.append((label, {k: median(v) for k, v in samples.items()}))
        del x, y, yf, out, xt, yt, gt, methods

    ms = lambda s: "—" if s is None else f"{s * 1e3:.1f}"
    columns = ["floor", "losshost", "losshost out=", "torch 1T", "torch 2T", "JAX jit", "numpy"]
    header = ["case"] + columns + ["losshost / floor", "torch 2T / losshost", "JAX / losshost"]
    table = []
    for label, t in rows_out:
        lh = min(t["losshost"], t["losshost out="])
        jax_ratio = "—" if "JAX jit" not in t else f"{t['JAX jit'] / lh:.2f}"
        table.append([label] + [ms(t.get(c)) for c in columns]
                     + [f"{lh / t['floor']:.2f}", f"{t['torch 2T'] / lh:.2f}", jax_ratio])
    print(f"machine: {cores} cores, {model}, vector math {losshost_vector_math()}; "
          f"load {' '.join(open('/proc/loadavg').read().split()[:3])}")
    print(f"ms, median of {args.repeats}; value + gradient, mean; losshost on 2 threads; "
          f"ratios use the better losshost column")
    if table:
        print_table(header, table, args.markdown)
    by = dict(rows_out)
    for a, b in (("bce_with_logits 10M f32", "bce_with_logits 10M f64"),
                 ("cross_entropy 1Mx10 f32", "cross_entropy 1Mx10 f64"), ("mse 10M f32", "mse 10M f64")):
        if a in by and b in by:
            fa, fb = (min(by[k]["losshost"], by[k]["losshost out="]) for k in (a, b))
            print(f"{a.rsplit(' ', 1)[0]}: float32 {fb / fa:.2f}x as fast as float64")
    if args.xgboost_rows:
        xgboost_objective(host, args.xgboost_rows)


def numpy_objective(np, loss_id):
    """The objective as an XGBoost user writes it in numpy: (grad, hess) of the sum."""
    if loss_id == "mse":
        return lambda predt, label: (2 * (predt - label), np.full_like(predt, 2.0))

    def bce(predt, label):
        p = 1 / (1 + np.exp(-predt))
        return p - label, p * (1 - p)
    return bce


def xgboost_objective(host, rows: int, calls: int = 20):
    """One objective call on `rows` float32 margins: the plugin's against numpy's."""
    import numpy as np
    try:
        import losshost.xgboost as lx
    except ImportError:
        print("xgboost objective: skipped (no xgboost)")
        return
    rng = np.random.default_rng(3)
    predt = rng.normal(size=rows).astype(np.float32)
    for loss_id, label in (("mse", rng.normal(size=rows).astype(np.float32)),
                           ("bce_with_logits", (rng.random(rows) < 0.5).astype(np.float32))):
        objective = lx.objective(host.loss(loss_id))
        methods = {"losshost": lambda: objective.compute(predt, label, None, rows),
                   "numpy": lambda: numpy_objective(np, loss_id)(predt, label)}
        samples = {k: [] for k in methods}
        for r in range(calls + 3):
            for name, f in methods.items():
                start = time.perf_counter()
                f()
                if r >= 3:
                    samples[name].append(time.perf_counter() - start)
        t = {k: median(v) for k, v in samples.items()}
        print(f"xgboost objective {loss_id}, {rows} float32 rows: losshost {t['losshost'] * 1e3:.2f} ms, "
              f"numpy {t['numpy'] * 1e3:.2f} ms, losshost / numpy {t['losshost'] / t['numpy']:.2f}")


def losshost_vector_math() -> str:
    """The vector math level the kernels run at, from `losshost bench`'s first line."""
    import subprocess
    exe = os.path.join(os.path.dirname(os.environ.get("LOSSHOST_LIBRARY", "")), "losshost")
    if not os.path.exists(exe):
        return "unknown"
    out = subprocess.run([exe, "bench", "mse", "--n", "1000", "--repeats", "1"], capture_output=True, text=True)
    first = out.stdout.splitlines()[0] if out.stdout else ""
    return first.rsplit("vector math ", 1)[-1] if "vector math" in first else "unknown"


if __name__ == "__main__":
    main()
