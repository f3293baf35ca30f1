"""Scale-out measurements: a small grid search three ways, what the tasks carry
with and without shared word vectors, and padded vs ragged memory.

1. Wall time of ``GridSearchCV`` (4 candidates x 3 folds of an LSTM pipeline on
   2,000 IMDB reviews) with ``n_jobs=1``, ``n_jobs=2`` and on a Dask
   ``LocalCluster`` of 2 worker processes (``joblib.parallel_backend("dask")``),
   with the best parameters and scores of each (they agree).
2. Bytes: the pickled estimator each task carries when the classifier holds
   in-memory word vectors, and when it holds ``share_vectors``' reference
   (plus the one broadcast of the vectors to each worker).
3. Peak memory (RSS growth, in a fresh process each) of vectorizing 1,000,000
   short documents, and of building the classifier's dataset from them,
   padded (``TextVectorizer()``) and ragged (``TextVectorizer(ragged=True)``).

Usage (from the repository root; about 10 minutes on 2 CPU cores)::

    python benchmarks/scaling.py --machine-label "2-core AMD EPYC (Zen 3) VM"
"""

import argparse
import json
import os
import pickle
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from _common import IMDB_ARCHIVE, REPO, RESULTS, cpu_name

GRID = {"lstmsentimentclassifier__hidden_size": [32, 64],
        "lstmsentimentclassifier__embedding_dim": [32, 64]}


def _search(n_jobs=None, embeddings=None):
    from sklearn.model_selection import GridSearchCV, StratifiedKFold
    from sklearn.pipeline import make_pipeline

    from sklearn_rnn import LSTMSentimentClassifier, TextVectorizer

    pipe = make_pipeline(TextVectorizer(maxlen=200, max_features=10000),
                         LSTMSentimentClassifier(max_epochs=2, random_state=0,
                                                 embeddings=embeddings))
    return GridSearchCV(pipe, GRID, cv=StratifiedKFold(3, shuffle=True, random_state=0),
                        n_jobs=n_jobs)


def grid_search_times(data):
    import joblib
    import torch
    from distributed import Client, LocalCluster

    from sklearn_rnn.datasets import load_imdb

    X, y = load_imdb(data_home=data, return_X_y=True, n_samples=2000)
    rows = []

    def run(label, fit):
        start = time.perf_counter()
        search = fit()
        rows.append({"how": label, "seconds": round(time.perf_counter() - start, 1),
                     "best_params": search.best_params_,
                     "best_score": round(float(search.best_score_), 4)})
        print(rows[-1], flush=True)

    torch.set_num_threads(2)
    run("n_jobs=1 (2 torch threads)", lambda: _search(1).fit(X, y))
    run("n_jobs=2 (loky, 2 processes)", lambda: _search(2).fit(X, y))
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                           dashboard_address=None, silence_logs=40)
    client = Client(cluster)
    try:
        with joblib.parallel_backend("dask"):
            run("Dask LocalCluster, 2 workers", lambda: _search().fit(X, y))
    finally:
        client.close()
        cluster.close()
    return rows


def bytes_sent(n_vectors):
    from distributed import Client, LocalCluster
    from gensim.models import KeyedVectors

    from sklearn_rnn.parallel import share_vectors

    rng = np.random.default_rng(0)
    kv = KeyedVectors(vector_size=100)
    kv.add_vectors([f"w{i}" for i in range(n_vectors)],
                   rng.normal(size=(n_vectors, 100)).astype(np.float32))
    n_tasks = len(GRID["lstmsentimentclassifier__hidden_size"]) * len(
        GRID["lstmsentimentclassifier__embedding_dim"]) * 3
    inline = len(pickle.dumps(_search(embeddings=kv).estimator))
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                           dashboard_address=None, silence_logs=40)
    client = Client(cluster)
    try:
        shared = share_vectors(kv, client)
        referenced = len(pickle.dumps(_search(embeddings=shared).estimator))
    finally:
        client.close()
        cluster.close()
    vectors = len(pickle.dumps(kv))
    return {
        "vectors": f"{n_vectors:,} x 100 float32",
        "vectors_bytes": vectors,
        "tasks": n_tasks,
        "per_task_bytes_inline": inline,
        "per_task_bytes_shared": referenced,
        "total_bytes_inline": inline * n_tasks,
        "total_bytes_shared": referenced * n_tasks + vectors * 2,  # one copy per worker
    }


_MEMORY_CODE = """
import gc, sys, numpy as np
from sklearn_rnn import TextVectorizer
from sklearn_rnn._nn._data import to_dataset

def rss(field):  # kB, from the kernel
    for line in open("/proc/self/status"):
        if line.startswith(field):
            return int(line.split()[1])

rng = np.random.default_rng(0)
words = np.array([f"w{{i}}" for i in range(20000)])
n = {n}
lengths = rng.integers(5, 41, size=n)
docs = [" ".join(words[rng.integers(0, 20000, size=k)]) for k in lengths]
docs[0] = " ".join(words[:400])  # one long document sets maxlen_
gc.collect()
base = rss("VmRSS")
open("/proc/self/clear_refs", "w").write("5")  # the high-water mark starts again here
X = TextVectorizer(ragged={ragged}).fit_transform(docs)
after_vectorizer = rss("VmHWM")
data = to_dataset(X)
after_dataset = rss("VmHWM")
print((after_vectorizer - base) / 1024, (after_dataset - base) / 1024, X.shape)
"""


def ragged_memory(n):
    rows = []
    for ragged in (False, True):
        out = subprocess.run([sys.executable, "-c", _MEMORY_CODE.format(n=n, ragged=ragged)],
                             capture_output=True, text=True, check=True, cwd=REPO)
        vec_mb, data_mb, shape = out.stdout.strip().split(" ", 2)
        rows.append({"output": "ragged" if ragged else "padded", "documents": n,
                     "shape": shape, "vectorizer_peak_mb": round(float(vec_mb)),
                     "with_dataset_peak_mb": round(float(data_mb))})
        print(rows[-1], flush=True)
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(IMDB_ARCHIVE))
    parser.add_argument("--documents", type=int, default=1_000_000)
    parser.add_argument("--vectors", type=int, default=400_000)
    parser.add_argument("--machine-label", default="")
    parser.add_argument("--out", default=str(RESULTS / "scaling"))
    parser.add_argument("--only", choices=("grid_search", "bytes", "memory"), default=None,
                        help="measure this part again, keep the others from the saved JSON")
    args = parser.parse_args(argv)
    parts = {"grid_search": lambda: grid_search_times(args.data),
             "bytes": lambda: bytes_sent(args.vectors),
             "memory": lambda: ragged_memory(args.documents)}
    saved = Path(args.out + ".json")
    result = json.loads(saved.read_text()) if args.only and saved.exists() else {}
    result.update(machine=args.machine_label or result.get("machine") or cpu_name(),
                  cpus=os.cpu_count())
    for name, measure in parts.items():
        if args.only in (None, name) or name not in result:
            result[name] = measure()
    Path(args.out + ".json").write_text(json.dumps(result, indent=1))
    lines = [f"# Scale-out measurements\n\nMachine: {result['machine']} ({result['cpus']} "
             "CPUs).\n", "## Grid search: 4 candidates x 3 folds, LSTM, 2,000 IMDB reviews, "
             "2 epochs\n", "| how | seconds | best params | best score |", "|---|---:|---|---:|"]
    lines += [f"| {r['how']} | {r['seconds']} | {r['best_params']} | {r['best_score']} |"
              for r in result["grid_search"]]
    b = result["bytes"]
    lines += ["", f"## What the tasks carry ({b['tasks']} fits, vectors {b['vectors']}, "
              f"{b['vectors_bytes'] / 2**20:.0f} MB pickled)\n",
              "| vectors | per task | all tasks |", "|---|---:|---:|",
              f"| in the estimator | {b['per_task_bytes_inline'] / 2**20:.1f} MB | "
              f"{b['total_bytes_inline'] / 2**20:.0f} MB |",
              f"| share_vectors (broadcast once to 2 workers) | "
              f"{b['per_task_bytes_shared'] / 2**10:.1f} KB | "
              f"{b['total_bytes_shared'] / 2**20:.0f} MB |", "",
              f"## Memory: {args.documents:,} short documents (5-40 tokens, one of 400)\n",
              "| output | shape | vectorizer, peak MB | + classifier dataset, peak MB |",
              "|---|---|---:|---:|"]
    lines += [f"| {r['output']} | {r['shape']} | {r['vectorizer_peak_mb']:,} | "
              f"{r['with_dataset_peak_mb']:,} |" for r in result["memory"]]
    Path(args.out + ".md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
