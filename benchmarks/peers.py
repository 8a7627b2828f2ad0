#!/usr/bin/env python3
"""Runs the `losshost bench` cases through numpy and PyTorch CPU and prints the
ratios side by side, all measured in one run (the machines are noisy: compare
ratios, not absolute times).

numpy and torch are installed into a throw-away virtual environment under /tmp
by this script; they are never a dependency of losshost.

    python3 benchmarks/peers.py [--losshost PATH] [--repeats R] [--markdown]

The cases (value + gradient, mean reduction, float64):
    mse, huber, bce_with_logits, focal       10 M rows
    cross_entropy                            1 M x 10 and 100 k x 1000
plus float32 mse against float64 mse (losshost only).
"""
import argparse
import json
import os
import subprocess
import sys
import time

VENV = os.environ.get("LOSSHOST_PEERS_VENV", "/tmp/losshost-peers-venv")
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def ensure_venv():
    """Re-executes this script inside a venv that has numpy and torch."""
    if os.environ.get("LOSSHOST_PEERS_IN_VENV") == "1":
        return
    python = os.path.join(VENV, "bin", "python")
    if not os.path.exists(python):
        subprocess.check_call([sys.executable, "-m", "venv", VENV])
    probe = subprocess.run([python, "-c", "import numpy, torch"], capture_output=True)
    if probe.returncode != 0:
        pip = [python, "-m", "pip", "install", "--quiet"]
        if subprocess.run(pip + ["numpy", "torch"]).returncode != 0:
            # The default index failed: try PyTorch's CPU-only index for torch.
            subprocess.check_call(pip + ["numpy"])
            subprocess.check_call(pip + ["torch", "--index-url", "https://download.pytorch.org/whl/cpu"])
    env = dict(os.environ, LOSSHOST_PEERS_IN_VENV="1")
    os.execve(python, [python, os.path.abspath(__file__)] + sys.argv[1:], env)


CASES = [
    # (name, loss, rows, classes)
    ("mse", "mse", 10_000_000, None),
    ("huber", "huber", 10_000_000, None),
    ("bce_with_logits", "bce_with_logits", 10_000_000, None),
    ("focal", "focal", 10_000_000, None),
    ("cross_entropy 1M x 10", "cross_entropy", 1_000_000, 10),
    ("cross_entropy 100k x 1000", "cross_entropy", 100_000, 1000),
]


def median(xs):
    s = sorted(xs)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def timeit(fn, repeats):
    fn()  # warm up
    samples = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    return median(samples)


def make_data(np, loss, rows, classes):
    rng = np.random.default_rng(0)
    if classes:
        x = rng.uniform(-4, 4, size=(rows, classes))
        y = rng.integers(0, classes, size=rows)
        return x, y
    if loss in ("bce_with_logits", "focal"):
        return rng.uniform(-4, 4, size=rows), (rng.uniform(size=rows) < 0.5).astype(np.float64)
    return rng.uniform(-2, 2, size=rows), rng.uniform(-2, 2, size=rows)


def numpy_fn(np, loss, x, y):
    n = x.size if loss != "cross_entropy" else x.shape[0]

    if loss == "mse":
        def f():
            r = x - y
            return (r * r).mean(), (2.0 / n) * r
    elif loss == "huber":
        def f():
            r = x - y
            a = np.abs(r)
            v = np.where(a <= 1.0, 0.5 * r * r, a - 0.5).mean()
            return v, np.clip(r, -1.0, 1.0) / n
    elif loss == "bce_with_logits":
        def f():
            e = np.exp(-np.abs(x))
            l = np.log1p(e)
            v = (np.maximum(x, 0) - x * y + l).mean()
            s = np.where(x >= 0, 1 / (1 + e), e / (1 + e))
            return v, (s - y) / n
    elif loss == "focal":
        alpha, gamma = 0.25, 2.0
        def f():
            e = np.exp(-np.abs(x))
            l = np.log1p(e)
            sp, spn = np.maximum(x, 0) + l, np.maximum(-x, 0) + l
            sig = np.where(x >= 0, 1 / (1 + e), e / (1 + e))
            sign = 1 - sig
            ce = y * spn + (1 - y) * sp
            q = y * sign + (1 - y) * sig
            at = alpha * y + (1 - alpha) * (1 - y)
            v = (at * q ** gamma * ce).mean()
            dce = sig - y
            dq = (1 - 2 * y) * sig * sign
            g = at * (gamma * q ** (gamma - 1) * dq * ce + q ** gamma * dce) / n
            return v, g
    else:  # cross_entropy with class indices
        rows = np.arange(x.shape[0])
        def f():
            m = x.max(axis=1, keepdims=True)
            e = np.exp(x - m)
            s = e.sum(axis=1, keepdims=True)
            lse = np.log(s) + m
            v = (lse[:, 0] - x[rows, y]).mean()
            p = e / s
            p[rows, y] -= 1
            return v, p / n
    return f


def torch_fn(torch, loss, x, y):
    F = torch.nn.functional
    xt = torch.from_numpy(x).clone().requires_grad_(True)
    yt = torch.from_numpy(y).clone()

    def run(value):
        xt.grad = None
        value.backward()
        return xt.grad

    if loss == "mse":
        return lambda: run(F.mse_loss(xt, yt))
    if loss == "huber":
        return lambda: run(F.huber_loss(xt, yt, delta=1.0))
    if loss == "bce_with_logits":
        return lambda: run(F.binary_cross_entropy_with_logits(xt, yt))
    if loss == "focal":
        def f():  # torchvision.ops.sigmoid_focal_loss, alpha 0.25, gamma 2, mean
            p = torch.sigmoid(xt)
            ce = F.binary_cross_entropy_with_logits(xt, yt, reduction="none")
            p_t = p * yt + (1 - p) * (1 - yt)
            l = ce * ((1 - p_t) ** 2)
            l = (0.25 * yt + 0.75 * (1 - yt)) * l
            return run(l.mean())
        return f
    return lambda: run(F.cross_entropy(xt, yt))


def losshost_bench(exe, losses, rows, classes, repeats, dtype="f64", threads=2):
    cmd = [exe, "bench", *losses, "--n", str(rows), "--repeats", str(repeats), "--threads", str(threads),
           "--dtype", dtype, "--format", "json"]
    if classes:
        cmd += ["--classes", str(classes)]
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"losshost bench failed: {out.stderr}")
    return json.loads(out.stdout)


def print_table(header, table, markdown):
    """Rows of strings as a Markdown table or as aligned columns."""
    if markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for r in table:
            print("| " + " | ".join(r) + " |")
    else:
        widths = [max(len(h), *(len(r[i]) for r in table)) for i, h in enumerate(header)]
        print("  ".join(h.ljust(w) for h, w in zip(header, widths)))
        for r in table:
            print("  ".join(c.ljust(w) for c, w in zip(r, widths)))


def machine():
    model = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return os.cpu_count(), model


def main():
    ensure_venv()
    import numpy as np
    import torch

    parser = argparse.ArgumentParser()
    parser.add_argument("--losshost", default=os.path.join(ROOT, ".build", "release", "losshost"))
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = parser.parse_args()

    cores, model = machine()
    rows_out = []
    for name, loss, rows, classes in CASES:
        print(f"... {name}", file=sys.stderr, flush=True)
        x, y = make_data(np, loss, rows, classes)
        t_np = timeit(numpy_fn(np, loss, x, y), args.repeats)
        torch.set_num_threads(1)
        t_t1 = timeit(torch_fn(torch, loss, x, y), args.repeats)
        torch.set_num_threads(2)
        t_t2 = timeit(torch_fn(torch, loss, x, y), args.repeats)
        del x, y
        b = losshost_bench(args.losshost, [loss], rows, classes, args.repeats)
        c = b["cases"][0]
        lh2, lh1 = c["time"]["median_s"], c["time_1_thread"]["median_s"]
        rows_out.append((name, t_np, t_t1, t_t2, lh1, lh2, c["floor"]["median_s"], c["floor_ratio"],
                         c.get("plugin_ratio")))
    print("... float32 mse", file=sys.stderr, flush=True)
    f64 = losshost_bench(args.losshost, ["mse"], 10_000_000, None, args.repeats, "f64")["cases"][0]
    f32 = losshost_bench(args.losshost, ["mse"], 10_000_000, None, args.repeats, "f32")["cases"][0]
    print("... float32 bce_with_logits", file=sys.stderr, flush=True)
    b64 = losshost_bench(args.losshost, ["bce_with_logits"], 10_000_000, None, args.repeats, "f64")
    b32 = losshost_bench(args.losshost, ["bce_with_logits"], 10_000_000, None, args.repeats, "f32")
    overhead = f64 and losshost_bench(args.losshost, ["mse"], 1000, None, 1)["call_overhead"]

    ms = lambda s: f"{s * 1e3:.1f}"
    header = ["case", "numpy", "torch 1T", "torch 2T", "losshost 1T", "losshost 2T", "floor 2T",
              "losshost/floor 2T", "torch 1T / losshost 1T", "torch 2T / losshost 2T", "numpy / losshost 1T",
              "plugin/built-in"]
    table = []
    for name, t_np, t_t1, t_t2, lh1, lh2, fl, fr, pr in rows_out:
        table.append([name, ms(t_np), ms(t_t1), ms(t_t2), ms(lh1), ms(lh2), ms(fl), f"{fr:.2f}",
                      f"{t_t1 / lh1:.1f}x", f"{t_t2 / lh2:.1f}x", f"{t_np / lh1:.1f}x",
                      "n/a" if pr is None else f"{pr:.3f}"])
    print(f"machine: {cores} cores, {model}, vector math {b64.get('vector_math', 'unknown')}; "
          f"times in ms, median of {args.repeats}; value + gradient, mean, float64")
    print_table(header, table, args.markdown)
    thr = lambda c: c["bytes"] / c["time"]["median_s"]
    print(f"float32 mse: {f32['time']['median_s'] * 1e3:.1f} ms vs float64 {f64['time']['median_s'] * 1e3:.1f} ms: "
          f"{f64['time']['median_s'] / f32['time']['median_s']:.2f}x the float64 element throughput "
          f"({thr(f32) / 1e9:.1f} vs {thr(f64) / 1e9:.1f} GB/s)")
    g64, g32 = b64["cases"][0], b32["cases"][0]
    print(f"float32 bce_with_logits: {g32['time']['median_s'] * 1e3:.1f} ms vs float64 {g64['time']['median_s'] * 1e3:.1f} ms: "
          f"{g64['time']['median_s'] / g32['time']['median_s']:.2f}x the float64 element throughput")
    print(f"1-row eval host overhead: {overhead['overhead_ns']:.0f} ns "
          f"(evaluate {overhead['evaluate_ns']:.0f} ns, plugin call {overhead['direct_ns']:.0f} ns)")


if __name__ == "__main__":
    main()
