"""Few labels, lots of unlabelled text: the linear rows, the main job's LSTM +
n-grams, and that LSTM distilled from an NBSVM teacher on unlabelled reviews.

IMDB's train split (25,000 shuffled labelled reviews, ``load_imdb``'s fixed
order): the last 5,000 are held out and scored; a model learns from the
first ``n`` labels (seed ``s`` takes reviews ``[s * n, (s + 1) * n)``, so the
samples at 500 and 2,000 are disjoint; 20,000 is reviews ``[0, 20000)``) and,
for the semi-supervised rows, from the first ``--n-unlabelled`` of IMDB's
50,000 unlabelled reviews (``load_imdb(subset='unsup')``, shuffled with its
default seed). No setting was chosen on the held-out reviews.

Rows:

``tfidf``
    The main job's TF-IDF row: 1-2 grams, ``min_df=2``, sublinear tf,
    ``LogisticRegression(max_iter=1000)``.
``nbsvm``
    The main job's NBSVM row: binarised 1-3 grams of every word,
    ``min_df=2``, :class:`~sklearn_rnn.NBSVMClassifier` defaults.
``lstm``
    The main job's LSTM + n-grams at its quick settings: ``TextVectorizer(maxlen=300,
    max_features=20000)``, embedding 64, LSTM 64, 1-2 gram path started from
    NB ratios (``ngram_init='nb'``, as the main job does for balanced
    classes), batch 64, at most 5 epochs with early stopping, seed ``s``.
``distilled``
    :class:`~sklearn_rnn.DistilledClassifier` with the ``nbsvm`` row as
    teacher and the ``lstm`` row as student (``temperature=1``,
    ``soft_weight=0.5``): fit time includes the teacher's fit and its
    predictions.
``distilled-t2``
    The same at ``temperature=2`` (an ablation; only with ``--rows``).
``distilled-hard``
    The same with ``soft_weight=1`` and the teacher's probabilities rounded
    to its most probable class (an ablation; only with ``--rows``).
``self-training``
    ``make_pipeline(TextVectorizer(...), SelfTrainingClassifier(lstm,
    threshold=0.9, max_iter=3))`` (only with ``--rows``).

Usage (from the repository root)::

    python benchmarks/semi_supervised.py                      # the full run
    python benchmarks/semi_supervised.py --quick              # minutes
    python benchmarks/semi_supervised.py --labels 2000 --seeds 0 --rows lstm,distilled

Each finished (row, labels, seed) is appended to
``benchmarks/results/semi_supervised.json``; a rerun skips what is there
(``--markdown-only`` rewrites the table from it). Accuracy does not depend on
the machine's load; fit seconds and predictions/s do: each row records the
load average when it started, and the table says when it was shared.
"""

import argparse
import json
import os
import time
from pathlib import Path

import _common
import numpy as np
from _common import IMDB_ARCHIVE, RESULTS
from sklearn.base import BaseEstimator, ClassifierMixin, clone

N_HELD_OUT = 5000
ALL_ROWS = ("tfidf", "nbsvm", "lstm", "distilled", "distilled-t2", "distilled-hard",
            "self-training")
DISTILLED = ("distilled", "distilled-t2", "distilled-hard")
SEMI = (*DISTILLED, "self-training")
DEFAULT_ROWS = ("tfidf", "nbsvm", "lstm", "distilled")
NAMES = {
    "tfidf": "TF-IDF 1-2 grams + LR",
    "nbsvm": "NBSVM (binarised 1-3 grams)",
    "lstm": "LSTM + n-grams (labels only)",
    "distilled": "distilled LSTM + n-grams (NBSVM teacher)",
    "distilled-t2": "distilled, temperature 2 (NBSVM teacher)",
    "distilled-hard": "distilled, hard targets (NBSVM teacher)",
    "self-training": "self-training LSTM + n-grams",
}
#: The main job's quick LSTM + n-grams (sklearn_rnn/_compare/_settings.py).
LSTM = dict(cell="lstm", ngram_range=(1, 2), ngram_init="nb", embedding_dim=64,
            hidden_size=64, batch_size=64, max_epochs=5, early_stopping=True)
VECTORIZER = dict(maxlen=300, max_features=20000)
DISTILL = dict(temperature=1.0, soft_weight=0.5)


def tfidf():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    return make_pipeline(TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True,
                                         token_pattern=r"(?u)\b\w\w+\b"),
                         LogisticRegression(max_iter=1000))


def nbsvm():
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.pipeline import make_pipeline

    from sklearn_rnn import NBSVMClassifier

    return make_pipeline(CountVectorizer(ngram_range=(1, 3), min_df=2, binary=True,
                                         token_pattern=r"(?u)\b\w+\b"),
                         NBSVMClassifier())


def lstm(seed, **params):
    from sklearn.pipeline import make_pipeline

    from sklearn_rnn import RecurrentTextClassifier, TextVectorizer

    return make_pipeline(TextVectorizer(**VECTORIZER),
                         RecurrentTextClassifier(**{**LSTM, **params}, random_state=seed))


def make(row, seed):
    from sklearn.semi_supervised import SelfTrainingClassifier

    from sklearn_rnn import DistilledClassifier, RecurrentTextClassifier, TextVectorizer

    if row == "tfidf":
        return tfidf()
    if row == "nbsvm":
        return nbsvm()
    if row == "lstm":
        return lstm(seed)
    if row == "distilled":
        return DistilledClassifier(nbsvm(), lstm(seed), random_state=seed, **DISTILL)
    if row == "distilled-t2":
        return DistilledClassifier(nbsvm(), lstm(seed), random_state=seed,
                                   **{**DISTILL, "temperature": 2.0})
    if row == "distilled-hard":
        return DistilledClassifier(OneHot(nbsvm()), lstm(seed), random_state=seed,
                                   temperature=1.0, soft_weight=1.0)
    if row == "self-training":
        from sklearn.pipeline import make_pipeline

        # SelfTrainingClassifier hands the classifier plain arrays (no
        # vocabulary): size the embedding for every id the vectorizer makes
        return make_pipeline(TextVectorizer(**VECTORIZER), SelfTrainingClassifier(
            RecurrentTextClassifier(**LSTM, random_state=seed,
                                    vocab_size=VECTORIZER["max_features"] + 2),
            threshold=0.9, max_iter=3))
    raise ValueError(row)


class OneHot(ClassifierMixin, BaseEstimator):
    """A teacher whose probabilities are one-hot (hard targets)."""

    def __init__(self, estimator):
        self.estimator = estimator

    def fit(self, X, y):
        self.estimator_ = clone(self.estimator).fit(X, y)
        self.classes_ = self.estimator_.classes_
        return self

    def predict_proba(self, X):
        p = self.estimator_.predict_proba(X)
        return np.eye(p.shape[1])[p.argmax(axis=1)]

    def predict(self, X):
        return self.estimator_.predict(X)


def machine(label):
    m = _common.machine(label)
    return (f"{m['label'] + ': ' if m['label'] else ''}{m['cpu']} ({m['cpus_available']} CPUs "
            f"available, torch threads {m['torch_threads']}); scikit-learn "
            f"{m['scikit-learn']}, torch {m['torch']}, sklearn_rnn {m['sklearn_rnn']}")


class Results:
    """Rows in ``<out>.json``, keyed by (row, labels, seed, n_unlabelled)."""

    KEY = ("row", "n_labels", "seed", "n_unlabelled", "n_held_out")

    def __init__(self, out, label):
        self.path = Path(out).with_suffix(".json")
        self.label = label
        saved = json.loads(self.path.read_text()) if self.path.exists() else {}
        self.rows = saved.get("rows", [])
        self.machine = saved.get("machine")

    def get(self, **key):
        return next((r for r in self.rows if all(r[k] == key[k] for k in self.KEY)), None)

    def add(self, row):
        self.rows.append(row)
        self.machine = machine(self.label)
        self.path.write_text(json.dumps({"machine": self.machine, "rows": self.rows},
                                        indent=1))
        print(f"{row['row']:>15} n={row['n_labels']:>6,} seed={row['seed']} "
              f"{100 * row['accuracy']:.2f}%  fit {row['fit_seconds']:.0f} s  "
              f"{row['predictions_per_second']:,.0f}/s  load {row['load_before']:.1f}"
              + (f"  teacher {100 * row['teacher_accuracy']:.2f}%"
                 if "teacher_accuracy" in row else ""), flush=True)


def load(n_unlabelled, n_held_out):
    from sklearn_rnn.datasets import load_imdb

    data = load_imdb(data_home=IMDB_ARCHIVE)
    X, y = np.asarray(data.data, dtype=object), np.asarray(data.target)
    unsup = np.asarray(load_imdb(subset="unsup", data_home=IMDB_ARCHIVE,
                                 n_samples=n_unlabelled).data, dtype=object) \
        if n_unlabelled else np.array([], dtype=object)
    return X[:-n_held_out], y[:-n_held_out], X[-n_held_out:], y[-n_held_out:], unsup


def run_one(row, n, seed, data, n_unlabelled):
    X, y, X_test, y_test, unsup = data
    start = 0 if n >= len(X) // 2 else seed * n
    X_l, y_l = X[start:start + n], y[start:start + n]
    model = make(row, seed)
    if row in SEMI:
        X_fit = np.concatenate([X_l, unsup[:n_unlabelled]])
        if row == "self-training":
            codes = (y_l == "positive").astype(int)
            y_fit = np.concatenate([codes, np.full(n_unlabelled, -1)])
        else:
            y_fit = np.concatenate([y_l, np.full(n_unlabelled, -1, dtype=object)])
    else:
        X_fit, y_fit = X_l, y_l
    load_before = os.getloadavg()[0]
    t0 = time.perf_counter()
    model.fit(list(X_fit), y_fit)
    fit_seconds = time.perf_counter() - t0
    t0 = time.perf_counter()
    pred = model.predict(list(X_test))
    predict_seconds = time.perf_counter() - t0
    if row == "self-training":
        pred = np.where(pred == 1, "positive", "negative")
    result = dict(row=row, n_labels=n, seed=seed, n_held_out=len(X_test),
                  n_unlabelled=n_unlabelled if row in SEMI else 0,
                  accuracy=float(np.mean(pred == y_test)), fit_seconds=fit_seconds,
                  predictions_per_second=len(X_test) / predict_seconds,
                  load_before=load_before, load_after=os.getloadavg()[0])
    if row.startswith("distilled"):
        result["teacher_accuracy"] = float(model.teacher_.score(list(X_test), y_test))
        result["n_unlabelled_used"] = int(model.n_unlabelled_)
    clf = model[-1] if hasattr(model, "steps") else getattr(model, "student_", None)
    clf = clf[-1] if hasattr(clf, "steps") else clf
    history = getattr(clf, "history_", None)
    if history is not None:
        result["epochs"] = len(history)
    return result


def markdown(results):
    rows = results.rows
    lines = [
        "# Few labels, lots of unlabelled text (IMDB)",
        "",
        f"Machine: {results.machine}.",
        "",
        f"Held out: the last {rows[0]['n_held_out']:,} of IMDB's 25,000 shuffled train reviews "
        "(never used to choose a setting). Labels: seed *s* trains on reviews "
        "[s*n, (s+1)*n) (20,000: the first 20,000). Unlabelled: a fixed sample of "
        "IMDB's 50,000 unsup reviews (``load_imdb(subset='unsup', n_samples=...)``), "
        "as many as the row says. Command: "
        "`python benchmarks/semi_supervised.py` (see its docstring for every setting).",
        "",
        "| labels | row | accuracy % (mean) | spread (min-max) | per seed | fit s | "
        "predictions/s | load avg |",
        "|---:|---|---:|---:|---|---:|---:|---:|",
    ]
    groups = {}
    for r in rows:
        groups.setdefault((r["n_labels"], r["row"], r["n_unlabelled"]), []).append(r)
    for (n, row, n_u), rs in sorted(groups.items(),
                                    key=lambda kv: (kv[0][0], ALL_ROWS.index(kv[0][1]),
                                                    kv[0][2])):
        rs = sorted(rs, key=lambda r: r["seed"])
        acc = np.array([100 * r["accuracy"] for r in rs])
        name = NAMES[row] + (f", {n_u:,} unlabelled" if n_u else "")
        per_seed = ", ".join(f"{a:.2f}" for a in acc)
        if row.startswith("distilled"):
            per_seed += " (teacher " + ", ".join(f"{100 * r['teacher_accuracy']:.2f}"
                                                 for r in rs) + ")"
        spread = f"{acc.min():.2f}-{acc.max():.2f}" if len(acc) > 1 else "(1 seed)"
        lines.append(
            f"| {n:,} | {name} | {acc.mean():.2f} | {spread} | {per_seed} | "
            f"{np.mean([r['fit_seconds'] for r in rs]):.0f} | "
            f"{np.mean([r['predictions_per_second'] for r in rs]):,.0f} | "
            f"{np.mean([r['load_before'] for r in rs]):.1f} |")
    lines += [
        "",
        "Fit seconds and predictions/s (raw text in, the 5,000 held-out reviews in one call) "
        "were taken with `OMP_NUM_THREADS=1`; the load average is the machine's when the fit "
        "started: above about 1 the cores were shared with other work and the timings are "
        "slower than on a quiet machine (accuracy does not depend on it). The distilled "
        "row's fit includes fitting its teacher and the teacher's predictions.",
        "",
    ]
    return "\n".join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--labels", default="2000,500,20000",
                   help="labelled sizes, in the order they run (default 2000,500,20000)")
    p.add_argument("--seeds", default="0,1,2", help="seeds at sizes below 20,000")
    p.add_argument("--rows", default=",".join(DEFAULT_ROWS),
                   help=f"rows among {', '.join(ALL_ROWS)}")
    p.add_argument("--n-unlabelled", type=int, default=10_000)
    p.add_argument("--n-held-out", type=int, default=N_HELD_OUT)
    p.add_argument("--quick", action="store_true",
                   help="500 labels, seed 0, 2,000 unlabelled, 1,000 held out; writes "
                        "semi_supervised_quick.*")
    p.add_argument("--out", default=None, help="results path without extension")
    p.add_argument("--machine-label", default="")
    p.add_argument("--markdown-only", action="store_true")
    args = p.parse_args(argv)
    if args.quick:
        args.labels, args.seeds, args.n_unlabelled, args.n_held_out = "500", "0", 2000, 1000
    out = args.out or str(RESULTS / ("semi_supervised_quick" if args.quick else "semi_supervised"))
    results = Results(out, args.machine_label)
    if not args.markdown_only:
        import torch

        torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
        rows = [r for r in args.rows.split(",") if r]
        unknown = set(rows) - set(ALL_ROWS)
        if unknown:
            p.error(f"unknown rows {sorted(unknown)}; choose among {', '.join(ALL_ROWS)}")
        data = load(args.n_unlabelled, args.n_held_out)
        for n in [int(v) for v in args.labels.split(",")]:
            seeds = [0] if n >= 10_000 else [int(s) for s in args.seeds.split(",")]
            for seed in seeds:
                for row in rows:
                    key = dict(row=row, n_labels=n, seed=seed, n_held_out=args.n_held_out,
                               n_unlabelled=args.n_unlabelled if row in SEMI else 0)
                    if results.get(**key):
                        continue
                    results.add(run_one(row, n, seed, data, args.n_unlabelled))
    if results.rows:
        Path(out).with_suffix(".md").write_text(markdown(results))
        print(f"wrote {Path(out).with_suffix('.md')}")


if __name__ == "__main__":
    main()
