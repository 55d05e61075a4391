#!/usr/bin/env python3
"""Reference timings for bench-privacy: a DP count, mean and 10-bin histogram over the same rows
with OpenDP and diffprivlib.

Usually started by `bench-privacy` (Benchmarks/PrivacyBench), which writes the rows as little-endian
float64 to a file and passes its path; prints one JSON object with median milliseconds per tool.
Standalone: `python3 bench/privacy/compare.py --rows 1000000` generates its own rows.

Setup (reference tools only, never a Custos runtime dependency), in a virtual environment:
    python3 -m venv .venv && .venv/bin/pip install numpy opendp diffprivlib "scikit-learn<1.8"
(diffprivlib 0.6.6 imports a name that scikit-learn 1.8 removed.)

Parameters match bench-privacy: bounds [0, 100], epsilon 1 for each of the three queries,
10 equal-width bins. Measurements are built once, outside the timed region (for OpenDP the
scale search is set-up, not work per release); each timed repetition releases all three.
"""
import argparse
import json
import sys
import time
import warnings

import numpy as np

LOWER, UPPER, EPSILON, BINS = 0.0, 100.0, 1.0, 10


def median_ms(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return times[len(times) // 2]


def time_diffprivlib(x, repeat):
    import diffprivlib.tools as dpt

    def trio():
        dpt.count_nonzero(x + 1.0, epsilon=EPSILON)  # every row counts (values are >= 0)
        dpt.mean(x, epsilon=EPSILON, bounds=(LOWER, UPPER))
        dpt.histogram(x, epsilon=EPSILON, bins=BINS, range=(LOWER, UPPER))

    return median_ms(trio, repeat)


def time_opendp(x, repeat):
    import opendp.prelude as dp

    dp.enable_features("contrib")
    n = len(x)
    space = dp.vector_domain(dp.atom_domain(T=float, nan=False)), dp.symmetric_distance()
    count = dp.binary_search_chain(
        lambda s: space >> dp.t.then_count() >> dp.m.then_laplace(scale=s), d_in=1, d_out=EPSILON)
    mean = dp.binary_search_chain(
        lambda s: space >> dp.t.then_clamp((LOWER, UPPER)) >> dp.t.then_resize(size=n, constant=(LOWER + UPPER) / 2)
        >> dp.t.then_mean() >> dp.m.then_laplace(scale=s), d_in=2, d_out=EPSILON)
    edges = [LOWER + (UPPER - LOWER) * i / BINS for i in range(1, BINS)]
    histogram = dp.binary_search_chain(
        lambda s: space >> dp.t.then_find_bin(edges=edges)
        >> dp.t.then_count_by_categories(categories=list(range(BINS)), null_category=False)
        >> dp.m.then_laplace(scale=s), d_in=1, d_out=EPSILON)
    data = x.tolist()  # OpenDP's Python API takes a list; conversion is done once, outside timing

    def trio():
        count(data)
        mean(data)
        histogram(data)

    return median_ms(trio, repeat)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="little-endian float64 file written by bench-privacy")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    if args.data:
        x = np.fromfile(args.data, dtype="<f8")
    else:
        x = np.random.default_rng(7).uniform(LOWER, UPPER, args.rows).round(2)
    warnings.simplefilter("ignore")
    result = {"rows": int(len(x))}
    for name, fn in [("diffprivlib", time_diffprivlib), ("opendp", time_opendp)]:
        try:
            result[name] = fn(x, args.repeat)
        except Exception as error:  # report, keep the other tool's figure
            result[name] = None
            result[name + "_error"] = f"{type(error).__name__}: {error}"
    json.dump(result, sys.stdout)
    print()


if __name__ == "__main__":
    main()
