#!/usr/bin/env python3
"""A plugin as a new user makes it: `losshost new NAME --lang c`, built with the
generated Makefile, timed through the Python package against the same loss
(logcosh: value, gradient and Hessian) written in numpy, in one run; then the
same C source built with the old flags (-O2, one scalar call per element) for
comparison, and the Swift project of `losshost new NAME --lang swift` (built
with `swift build -c release` against this checkout's LossKit; skipped with
--no-swift or when `swift` is not on PATH).

    PYTHONPATH=python/src LOSSHOST_LIBRARY=.build/release/liblosshost-host.so \\
        python benchmarks/scaffold_plugin.py [--rows 10000000] [--repeats 5] [--no-swift]
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from peers import median  # noqa: E402


def numpy_logcosh(np, pred, target, s=1.0):
    """Value, gradient and Hessian of log(cosh(s r)) / s^2 the usual numpy way."""
    x = s * (pred - target)
    a = np.abs(x)
    value = (a + np.log1p(np.exp(-2 * a)) - np.log(2.0)) / (s * s)
    t = np.tanh(x)
    return value, t / s, 1 - t * t


def swift_template(exe, tmp):
    """Makes and builds `losshost new swiftspeedy --lang swift`; returns its plugin folder."""
    folder = os.path.join(tmp, "swiftspeedy")
    subprocess.run([exe, "new", "swiftspeedy", "--lang", "swift", "--output", folder], check=True, capture_output=True)
    env = dict(os.environ, LOSSHOST_PACKAGE=os.path.dirname(HERE))
    subprocess.run(["swift", "build", "-c", "release", "--package-path", folder], env=env, check=True,
                   capture_output=True)
    plugins = os.path.join(tmp, "swift-plugins")
    os.makedirs(plugins)
    shutil.copy(os.path.join(folder, ".build", "release", "libswiftspeedy.so"), plugins)
    return plugins


def main():
    import numpy as np
    import losshost

    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--no-swift", action="store_true", help="skip the Swift template")
    args = parser.parse_args()
    exe = os.path.join(os.path.dirname(os.environ["LOSSHOST_LIBRARY"]), "losshost")
    with tempfile.TemporaryDirectory() as tmp:
        folder = os.path.join(tmp, "speedy")
        subprocess.run([exe, "new", "speedy", "--lang", "c", "--output", folder], check=True, capture_output=True)
        include = os.path.join(os.path.dirname(HERE), "include")
        subprocess.run(["make", "-s"], cwd=folder, check=True, env=dict(os.environ, LOSSHOST_INCLUDE=include))
        plain = os.path.join(tmp, "plain")
        os.makedirs(plain)
        subprocess.run(["cc", "-std=c99", "-O2", "-shared", "-fPIC", "-fvisibility=hidden",
                        "-I", include, "speedy.c",
                        "-o", os.path.join(plain, "libspeedy.so"), "-lm"], cwd=folder, check=True)
        vector = [line for line in subprocess.run(["nm", "-D", os.path.join(folder, "libspeedy.so")],
                                                  capture_output=True, text=True).stdout.splitlines() if "_ZGV" in line]
        fast = losshost.Host([folder], only_plugin_dirs=True, threads=1).loss("speedy/logcosh", check=False)
        slow = losshost.Host([plain], only_plugin_dirs=True, threads=1).loss("speedy/logcosh", check=False)
        rng = np.random.default_rng(0)
        pred, target = rng.normal(size=args.rows), rng.normal(size=args.rows)
        g, h = np.empty_like(pred), np.empty_like(pred)
        methods = {
            "generated plugin (make)": lambda: fast.evaluate(pred, target, gradient_out=g, hessian_out=h),
            "same source, -O2 scalar": lambda: slow.evaluate(pred, target, gradient_out=g, hessian_out=h),
        }
        swift = None if args.no_swift or shutil.which("swift") is None else swift_template(exe, tmp)
        if swift is not None:
            template = losshost.Host([swift], only_plugin_dirs=True, threads=1).loss("swiftspeedy/logcosh", check=False)
            methods["Swift template (release)"] = lambda: template.evaluate(pred, target, gradient_out=g, hessian_out=h)
        methods["numpy"] = lambda: numpy_logcosh(np, pred, target)
        samples = {k: [] for k in methods}
        for r in range(args.repeats + 1):
            for name, f in methods.items():
                start = time.perf_counter()
                f()
                if r:
                    samples[name].append(time.perf_counter() - start)
        ours = fast.evaluate(pred[:1000], target[:1000], gradient=True, hessian=True)
        v, gn, hn = numpy_logcosh(np, pred[:1000], target[:1000])
        agree = np.allclose(ours.gradient * 1000, gn, rtol=1e-12) and np.allclose(ours.value, v.mean(), rtol=1e-12)
    load = " ".join(open("/proc/loadavg").read().split()[:3])
    print(f"logcosh, {args.rows} rows, value + gradient + Hessian, 1 host thread, median of {args.repeats}; "
          f"load {load}; vector calls in the generated plugin: "
          f"{', '.join(sorted({l.split()[-1].split('@')[0] for l in vector})) or 'none'}; agrees with numpy: {agree}")
    base = median(samples["numpy"])
    for name, s in samples.items():
        print(f"  {name:26s} {median(s) * 1e3:8.1f} ms   numpy / this {base / median(s):.2f}")


if __name__ == "__main__":
    main()
