#!/usr/bin/env python3
"""Produce the reference fixtures that CustosMiningTests compare against.

Run from the repository root:  python3 bench/mining/make_fixtures.py
Needs: pip install mlxtend pyfim pandas prefixspan lifetimes scikit-learn
Reads the public data sets in ../shared/data (see its README) and writes
compact text/JSON files to Tests/CustosMiningTests/Fixtures/.

Support thresholds: a fraction s on N baskets means count >= ceil(s * N),
computed exactly with fractions.Fraction(str(s)), then passed to the tools
as an absolute count (pyfim: supp=-count) or as a fraction strictly between
(count-1)/N and count/N (mlxtend), so no floating-point boundary is involved.
"""
import json
import math
import os
import shutil
import sys
from fractions import Fraction

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DATA = os.path.abspath(os.path.join(ROOT, "..", "shared", "data"))
OUT = os.path.join(ROOT, "Tests", "CustosMiningTests", "Fixtures")


def min_count(s, n):
    return math.ceil(Fraction(str(s)) * n)


def read_baskets(path):
    with open(path) as f:
        return [sorted(set(int(x) for x in line.split())) for line in f if line.strip()]


def write_itemsets(path, pairs):
    """pairs: iterable of (count, sorted item list). One line: count<TAB>items."""
    rows = sorted((tuple(sorted(items)), count) for count, items in pairs)
    rows.sort(key=lambda r: (len(r[0]), r[0]))
    with open(path, "w") as f:
        for items, count in rows:
            f.write("%d\t%s\n" % (count, " ".join(map(str, items))))
    return len(rows)


def pyfim_itemsets(baskets, count):
    import fim
    return [(c, sorted(items)) for items, c in fim.fpgrowth(baskets, supp=-count, zmin=1, report="a")]


def mlxtend_itemsets(baskets, count, sparse=False):
    import pandas as pd
    from mlxtend.frequent_patterns import fpgrowth
    from mlxtend.preprocessing import TransactionEncoder
    te = TransactionEncoder()
    arr = te.fit(baskets).transform(baskets, sparse=sparse)
    df = (pd.DataFrame.sparse.from_spmatrix(arr, columns=te.columns_) if sparse
          else pd.DataFrame(arr, columns=te.columns_))
    n = len(baskets)
    fi = fpgrowth(df, min_support=(count - 0.5) / n, use_colnames=True)
    out = [(int(round(s * n)), sorted(int(i) for i in items)) for s, items in zip(fi["support"], fi["itemsets"])]
    return out, fi, df


def groceries():
    src = os.path.join(DATA, "groceries.dat")
    shutil.copyfile(src, os.path.join(OUT, "groceries.dat"))
    baskets = read_baskets(src)
    n = len(baskets)
    for s in ("0.01", "0.005", "0.002"):
        c = min_count(float(s), n)
        a = sorted((cnt, tuple(i)) for cnt, i in pyfim_itemsets(baskets, c))
        b_list, fi, df = mlxtend_itemsets(baskets, c)
        b = sorted((cnt, tuple(i)) for cnt, i in b_list)
        assert a == b, "pyfim and mlxtend disagree on groceries at %s" % s
        k = write_itemsets(os.path.join(OUT, "groceries_itemsets_%s.txt" % s), a)
        print("groceries s=%s minCount=%d itemsets=%d (pyfim == mlxtend)" % (s, c, k))
        if s == "0.01":
            write_rules(os.path.join(OUT, "groceries_rules_0.01.txt"), fi, len(fi))


def write_rules(path, fi, num_itemsets):
    from mlxtend.frequent_patterns import association_rules
    rules = association_rules(fi, num_itemsets=num_itemsets, metric="confidence", min_threshold=0.0)
    lines = []
    for _, r in rules.iterrows():
        a = " ".join(map(str, sorted(int(i) for i in r["antecedents"])))
        c = " ".join(map(str, sorted(int(i) for i in r["consequents"])))
        vals = [r["support"], r["confidence"], r["lift"], r["leverage"], r["conviction"]]
        lines.append("%s\t%s\t%s" % (a, c, "\t".join(repr(float(v)) for v in vals)))
    lines.sort()
    with open(path, "w") as f:
        f.write("# antecedent\tconsequent\tsupport\tconfidence\tlift\tleverage\tconviction (mlxtend association_rules)\n")
        f.write("\n".join(lines) + "\n")
    print("groceries rules at 0.01: %d (all partitions, any consequent size)" % len(lines))


def retail():
    baskets = read_baskets(os.path.join(DATA, "retail.dat"))
    n = len(baskets)
    c = min_count(0.01, n)
    a = sorted((cnt, tuple(i)) for cnt, i in pyfim_itemsets(baskets, c))
    b_list, _, _ = mlxtend_itemsets(baskets, c, sparse=True)
    b = sorted((cnt, tuple(i)) for cnt, i in b_list)
    assert a == b, "pyfim and mlxtend disagree on retail"
    k = write_itemsets(os.path.join(OUT, "retail_itemsets_0.01.txt"), a)
    print("retail s=0.01 minCount=%d itemsets=%d (pyfim == mlxtend)" % (c, k))


def kosarak():
    from prefixspan import PrefixSpan
    src = os.path.join(DATA, "spmf_kosarak10k.txt")
    shutil.copyfile(src, os.path.join(OUT, "kosarak10k.txt"))
    with open(src) as f:
        db = [[int(x) for x in line.split()] for line in f if line.strip()]
    for minsup in (500, 200, 50):
        res = PrefixSpan(db).frequent(minsup)
        res.sort(key=lambda r: (len(r[1]), r[1]))
        with open(os.path.join(OUT, "kosarak_prefixspan_%d.txt" % minsup), "w") as f:
            for sup, patt in res:
                f.write("%d\t%s\n" % (sup, " ".join(map(str, patt))))
        print("kosarak prefixspan minsup=%d patterns=%d" % (minsup, len(res)))
    # with a maximum pattern length
    ps = PrefixSpan(db)
    ps.maxlen = 2
    res = ps.frequent(100)
    res.sort(key=lambda r: (len(r[1]), r[1]))
    with open(os.path.join(OUT, "kosarak_prefixspan_100_maxlen2.txt"), "w") as f:
        for sup, patt in res:
            f.write("%d\t%s\n" % (sup, " ".join(map(str, patt))))
    print("kosarak prefixspan minsup=100 maxlen=2 patterns=%d" % len(res))


def iris():
    import numpy as np
    from sklearn.cluster import KMeans
    from sklearn.datasets import load_iris
    from sklearn.metrics import silhouette_score
    d = load_iris()
    X = d.data
    with open(os.path.join(OUT, "iris.csv"), "w") as f:
        f.write("sepal_length,sepal_width,petal_length,petal_width,species\n")
        for row, t in zip(X, d.target):
            f.write("%s,%d\n" % (",".join(repr(float(v)) for v in row), t))
    init = X[[0, 50, 100]]
    km = KMeans(n_clusters=3, init=init, n_init=1).fit(X)
    sizes = np.bincount(km.labels_, minlength=3).tolist()
    Z = (X - X.mean(axis=0)) / X.std(axis=0)
    kz = KMeans(n_clusters=3, init=Z[[0, 50, 100]], n_init=1).fit(Z)
    out = {
        "source": "scikit-learn %s KMeans(n_clusters=3, init=rows 0,50,100, n_init=1), defaults max_iter=300 tol=1e-4"
        % __import__("sklearn").__version__,
        "inertia": float(km.inertia_),
        "sizes": sizes,
        "labels": km.labels_.tolist(),
        "centres": km.cluster_centers_.tolist(),
        "iterations": int(km.n_iter_),
        "silhouette": float(silhouette_score(X, km.labels_)),
        "standardised": {
            "inertia": float(kz.inertia_),
            "sizes": np.bincount(kz.labels_, minlength=3).tolist(),
            "labels": kz.labels_.tolist(),
            "silhouette": float(silhouette_score(Z, kz.labels_)),
        },
    }
    with open(os.path.join(OUT, "kmeans_iris.json"), "w") as f:
        json.dump(out, f, indent=1)
    print("iris inertia=%.10f sizes=%s silhouette=%.6f" % (out["inertia"], sizes, out["silhouette"]))


def cdnow():
    import numpy as np
    import pandas as pd
    from lifetimes.utils import summary_data_from_transaction_data
    src = os.path.join(DATA, "cdnow_sample.csv")
    shutil.copyfile(src, os.path.join(OUT, "cdnow_sample.csv"))
    df = pd.read_csv(src, dtype={"date": str})
    df["date"] = pd.to_datetime(df["date"], format="%Y%m%d")
    s = summary_data_from_transaction_data(
        df, "customer_index", "date", monetary_value_col="amount", observation_period_end="1998-06-30"
    )
    with open(os.path.join(OUT, "cdnow_lifetimes_summary.csv"), "w") as f:
        f.write("# lifetimes %s summary_data_from_transaction_data(freq='D', observation_period_end='1998-06-30')\n"
                % __import__("lifetimes").__version__)
        f.write("customer_index,frequency,recency,T,monetary_value\n")
        for idx, r in s.iterrows():
            f.write("%d,%d,%d,%d,%s\n" % (idx, r["frequency"], r["recency"], r["T"], repr(float(r["monetary_value"]))))
    # Pearson correlation of behavioural measures, numpy's two-pass corrcoef
    m = s[["frequency", "recency", "T", "monetary_value"]].to_numpy(dtype=float)
    c = np.corrcoef(m, rowvar=False)
    with open(os.path.join(OUT, "cdnow_correlation.json"), "w") as f:
        json.dump({"source": "numpy.corrcoef on the lifetimes summary columns",
                   "columns": ["frequency", "recency", "T", "monetary_value"],
                   "matrix": c.tolist()}, f, indent=1)
    print("cdnow customers=%d" % len(s))


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    which = sys.argv[1:] or ["groceries", "retail", "kosarak", "iris", "cdnow"]
    for w in which:
        globals()[w]()
