#!/usr/bin/env python3
"""Custos mining kernels beside the reference tools, in one run, with ratios.

Run from the repository root:   python3 bench/mining/compare.py [--skip-mlxtend-low]
Needs: pip install mlxtend pyfim pandas prefixspan scikit-learn threadpoolctl
Data: ../shared/data/retail.dat and spmf_kosarak10k.txt (see ../shared/data/README.md).

Each tool times only its kernel; parsing and data preparation are outside the timer:
- Custos: bench-mining (release) builds the TransactionDatabase / SequenceDatabase inside the
  timer (that is part of the kernel) but parses text outside it.
- pyfim: fim.fpgrowth / fim.eclat on Python lists (the C code converts the lists itself; that
  conversion cannot be separated and is inside its time).
- mlxtend: fpgrowth on a pre-built sparse one-hot DataFrame.
- scikit-learn: KMeans.fit on a pre-built array, 2 threads (threadpoolctl), same points and initial
  centres as Custos (the first k rows), 20 iterations with no tolerance stop.
- prefixspan: PrefixSpan(db).frequent(minsup) on pre-parsed lists.
Reported times are the best of several runs (mlxtend: one run at 0.1%, it is slow).
"""
import os
import subprocess
import sys
import time

# OpenBLAS on this machine may be pinned to an older core type, which slows numpy; unset both
# variables together for the reference measurements only (see the workplace notes).
if os.environ.get("OPENBLAS_CORETYPE") or os.environ.get("OPENBLAS_L2_SIZE"):
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    os.execve(sys.executable, [sys.executable] + sys.argv, env)

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DATA = os.path.abspath(os.path.join(ROOT, "..", "shared", "data"))
OUT = os.path.join(ROOT, "bench", "out")
BIN = os.path.join(ROOT, ".build", "release", "bench-mining")
ROWS = []


def best_of(n, fn):
    times, result = [], None
    for _ in range(n):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return min(times), result


def custos(*args):
    out = subprocess.run([BIN, *map(str, args)], capture_output=True, text=True, check=True).stdout.strip()
    fields = out.split("\t")
    return float(fields[2]), fields[4]


def row(kernel, params, custos_s, custos_result, tool, tool_s, tool_result):
    ROWS.append((kernel, params, custos_s, tool, tool_s, tool_s / custos_s if custos_s > 0 else float("nan"),
                 custos_result, tool_result))
    print("  %-10s %-22s custos %.4f s  %-16s %.4f s  ratio %.1fx   [%s | %s]"
          % (kernel, params, custos_s, tool, tool_s, tool_s / custos_s, custos_result, tool_result), flush=True)


def itemsets(skip_mlxtend_low):
    import fim
    path = os.path.join(DATA, "retail.dat")
    baskets = [sorted(set(int(x) for x in line.split())) for line in open(path) if line.strip()]
    n = len(baskets)
    mlx = None
    for support in (0.01, 0.001):
        from fractions import Fraction
        import math
        count = math.ceil(Fraction(str(support)) * n)
        c_s, c_r = custos("itemsets", path, support, 7)
        f_s, f_r = best_of(5, lambda: fim.fpgrowth(baskets, supp=-count, zmin=1, report="a"))
        row("itemsets", "retail s=%g" % support, c_s, c_r, "pyfim fpgrowth", f_s, "%d itemsets" % len(f_r))
        e_s, e_r = best_of(5, lambda: fim.eclat(baskets, supp=-count, zmin=1, report="a"))
        row("itemsets", "retail s=%g" % support, c_s, c_r, "pyfim eclat", e_s, "%d itemsets" % len(e_r))
        if support < 0.01 and skip_mlxtend_low:
            continue
        import pandas as pd
        from mlxtend.frequent_patterns import fpgrowth
        from mlxtend.preprocessing import TransactionEncoder
        if mlx is None:
            te = TransactionEncoder()
            mlx = pd.DataFrame.sparse.from_spmatrix(te.fit(baskets).transform(baskets, sparse=True), columns=te.columns_)
        m_s, m_r = best_of(1, lambda: fpgrowth(mlx, min_support=(count - 0.5) / n))
        row("itemsets", "retail s=%g" % support, c_s, c_r, "mlxtend fpgrowth", m_s, "%d itemsets" % len(m_r))


def kmeans():
    import numpy as np
    from sklearn.cluster import KMeans
    from threadpoolctl import threadpool_limits
    rows, cols, k, iterations = 1_000_000, 8, 8, 20
    X = np.random.default_rng(0).random((rows, cols))
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, "kmeans_points.f64")
    X.astype("<f8").tofile(path)
    c_s, c_r = custos("kmeans", rows, cols, k, iterations, 3, 2, path)
    with threadpool_limits(2):
        s_s, km = best_of(3, lambda: KMeans(k, init=X[:k], n_init=1, max_iter=iterations, tol=0).fit(X))
    row("kmeans", "1e6x8 k=8 20 it", c_s, c_r, "sklearn (2 thr)", s_s,
        "inertia=%r iterations=%d" % (float(km.inertia_), km.n_iter_))


def prefixspan():
    from prefixspan import PrefixSpan
    path = os.path.join(DATA, "spmf_kosarak10k.txt")
    db = [[int(x) for x in line.split()] for line in open(path) if line.strip()]
    for minsup in (200, 50):
        c_s, c_r = custos("prefixspan", path, minsup, 7)
        p_s, p_r = best_of(3, lambda: PrefixSpan(db).frequent(minsup))
        row("prefixspan", "kosarak10k min=%d" % minsup, c_s, c_r, "prefixspan", p_s, "%d patterns" % len(p_r))


def main():
    skip = "--skip-mlxtend-low" in sys.argv
    subprocess.run(["swift", "build", "-c", "release", "--product", "bench-mining"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    import numpy  # noqa: F401  (loads BLAS so threadpoolctl can report it)
    import sklearn.cluster  # noqa: F401  (loads OpenMP)
    from threadpoolctl import threadpool_info
    print("reference BLAS/OpenMP:", [(d["internal_api"], d.get("architecture"), d["num_threads"]) for d in threadpool_info()])
    print("measuring (best-of times; ratio = reference time / Custos time, > 1 means Custos is faster)")
    itemsets(skip)
    kmeans()
    prefixspan()
    print()
    print("| kernel | data | Custos (s) | reference | reference (s) | ratio |")
    print("|---|---|---|---|---|---|")
    for kernel, params, c_s, tool, t_s, ratio, _, _ in ROWS:
        print("| %s | %s | %.4f | %s | %.4f | %.1fx |" % (kernel, params, c_s, tool, t_s, ratio))


if __name__ == "__main__":
    main()
