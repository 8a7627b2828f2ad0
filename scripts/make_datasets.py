#!/usr/bin/env python3
"""Generates the small datasets in data/ that `losshost demo` and the tests use.

Plain Python (standard library only) with a fixed seed, so running it again
rewrites the same files byte for byte:

    python3 scripts/make_datasets.py          # writes data/*.csv

regression_{train,test}.csv  y = 3 + 2*x1 - 1*x2 + N(0, 0.5^2). The training set
    has 8 gross outliers (y raised by 40 to 60 at large x1, like a broken sensor);
    the test set is clean, so test error shows which fit learned the real trend.
imbalanced_{train,test}.csv  binary label, about 1 % positive; positives sit
    about 2 standard deviations away from the negatives along x1 + x2, so the two
    classes overlap and a plain fit rarely predicts the rare class.
three_class.csv  three Gaussian blobs in 2-D, labels 0, 1, 2.
"""
import os
import random

SEED = 20260601
HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(os.path.dirname(HERE), "data")


def fmt(x):
    return "%.6f" % x


def write(name, header, rows):
    path = os.path.join(DATA, name)
    with open(path, "w", newline="\n") as f:
        f.write(",".join(header) + "\n")
        for row in rows:
            f.write(",".join(r if isinstance(r, str) else fmt(r) for r in row) + "\n")
    print("wrote %s (%d rows)" % (os.path.relpath(path), len(rows)))


def regression(rng, n, outliers):
    rows = []
    for _ in range(n):
        x1 = rng.uniform(-3, 3)
        x2 = rng.uniform(-3, 3)
        y = 3 + 2 * x1 - 1 * x2 + rng.gauss(0, 0.5)
        rows.append([x1, x2, y])
    # Gross outliers at large x1: they pull the slope as well as the intercept.
    for i in range(outliers):
        x1 = rng.uniform(2, 3)
        x2 = rng.uniform(-3, 3)
        y = 3 + 2 * x1 - 1 * x2 + rng.uniform(40, 60)
        rows.insert(rng.randrange(len(rows) + 1), [x1, x2, y])
    return rows


def imbalanced(rng, n, positives):
    rows = []
    for i in range(n):
        label = 1 if i < positives else 0
        shift = 2.0 if label else 0.0
        x1 = rng.gauss(shift, 1)
        x2 = rng.gauss(shift, 1)
        rows.append([x1, x2, "%d" % label])
    rng.shuffle(rows)
    return rows


def three_class(rng, n_per_class):
    centres = [(0.0, 2.0), (-1.8, -1.0), (1.8, -1.0)]
    rows = []
    for label, (cx, cy) in enumerate(centres):
        for _ in range(n_per_class):
            rows.append([rng.gauss(cx, 1), rng.gauss(cy, 1), "%d" % label])
    rng.shuffle(rows)
    return rows


def main():
    os.makedirs(DATA, exist_ok=True)
    rng = random.Random(SEED)
    write("regression_train.csv", ["x1", "x2", "y"], regression(rng, 192, 8))
    write("regression_test.csv", ["x1", "x2", "y"], regression(rng, 200, 0))
    write("imbalanced_train.csv", ["x1", "x2", "label"], imbalanced(rng, 3000, 30))
    write("imbalanced_test.csv", ["x1", "x2", "label"], imbalanced(rng, 3000, 30))
    write("three_class.csv", ["x1", "x2", "label"], three_class(rng, 100))


if __name__ == "__main__":
    main()
