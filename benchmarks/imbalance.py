"""A small class: minority recall and balanced accuracy of the main job's LSTM.

The main job's LSTM row with its quick settings (``TextVectorizer(maxlen=300,
max_features=20000)``, ``embedding_dim=64, hidden_size=64, max_epochs=5,
batch_size=64``, early stopping) trained on 2,000 negative IMDB reviews and
60 or 300 positive ones (33:1 and 6.7:1), scored on the last 5,000 reviews
of the shuffled train split (about half positive; never trained on):
recall of the small class and balanced accuracy.

Variants:

``none``
    No weights (``class_weight=None``).
``balanced``
    ``class_weight='balanced'``: each class's documents weigh ``N / (C n_c)``
    in the loss, and early stopping follows balanced accuracy.
``oversample``
    No weights; in the training documents (not the validation tenth early
    stopping reads, held out first, stratified) the small class's documents
    repeated until the classes are even (what balanced batches do, in
    expectation); early stopping on balanced accuracy.
``ngrams-balanced``
    The LSTM with the n-gram path (the main job's ``lstm-ngrams`` row) with
    ``class_weight='balanced'``.
``tfidf``
    The main job's TF-IDF row with ``class_weight='balanced'``
    (``LogisticRegression``): what a linear model does with the same weights.

Usage::

    python benchmarks/imbalance.py            # seeds 0 and 1
    python benchmarks/imbalance.py --seeds 0
    python benchmarks/imbalance.py --markdown-only

Results are appended row by row (an interrupted run resumes with the same
command) to ``benchmarks/results/imbalance.json``; the table is
``benchmarks/results/imbalance.md``. Recall and balanced accuracy do not
depend on the machine's load; the seconds do (indications only).
"""

import argparse
import json
import time

import _common
import numpy as np
from _common import IMDB_ARCHIVE, RESULTS

from sklearn_rnn.datasets import load_imdb

N_HELD_OUT = 5000
N_MAJORITY = 2000
MINORITY = (60, 300)
VARIANTS = ("none", "balanced", "oversample", "ngrams-balanced", "tfidf")
OUT = RESULTS / "imbalance.json"


def lstm(seed, ngram_range=None, routed=False, **params):
    """The main job's LSTM row (with ``ngram_range``: lstm-ngrams), quick settings."""
    from sklearn.pipeline import make_pipeline

    from sklearn_rnn import RecurrentTextClassifier, TextVectorizer

    clf = RecurrentTextClassifier(cell="lstm", ngram_range=ngram_range, embedding_dim=64,
                                  hidden_size=64, max_epochs=5, early_stopping=True,
                                  batch_size=64, device="cpu", random_state=seed, **params)
    if routed:  # X_val given: the pipeline's vectorizer turns it into ids
        import sklearn

        sklearn.set_config(enable_metadata_routing=True)
        clf.set_fit_request(X_val=True, y_val=True)
        return make_pipeline(TextVectorizer(maxlen=300, max_features=20000), clf,
                             transform_input=["X_val"])
    return make_pipeline(TextVectorizer(maxlen=300, max_features=20000), clf)


def tfidf():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    return make_pipeline(TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True),
                         LogisticRegression(max_iter=1000, class_weight="balanced"))


def _load():
    return json.loads(OUT.read_text()) if OUT.exists() else {"machine": None, "rows": []}


def run(seeds):
    import torch
    from sklearn.metrics import balanced_accuracy_score, recall_score

    torch.set_num_threads(1)
    saved = _load()
    saved["machine"] = saved["machine"] or _common.machine()
    data = load_imdb(data_home=IMDB_ARCHIVE)
    X, y = list(data.data), np.asarray(data.target)
    X_test, y_test = X[-N_HELD_OUT:], y[-N_HELD_OUT:]
    negative = np.flatnonzero(y[:-N_HELD_OUT] == "negative")
    positive = np.flatnonzero(y[:-N_HELD_OUT] == "positive")
    done = {(r["minority"], r["variant"], r["seed"]) for r in saved["rows"]}
    for seed in seeds:
        for n_min in MINORITY:
            for variant in VARIANTS:
                if (n_min, variant, seed) in done or (variant == "tfidf" and seed != seeds[0]):
                    continue
                rng = np.random.default_rng(seed)
                rows = np.r_[rng.choice(negative, N_MAJORITY, replace=False),
                             rng.choice(positive, n_min, replace=False)]
                fit_params = {}
                if variant == "oversample":
                    from sklearn.model_selection import train_test_split

                    rows, val = train_test_split(rows, test_size=0.1, stratify=y[rows],
                                                 random_state=seed)
                    small = rows[y[rows] == "positive"]
                    large = len(rows) - len(small)
                    rows = np.r_[rows, rng.choice(small, large - len(small), replace=True)]
                    fit_params = {"X_val": [X[i] for i in val], "y_val": y[val]}
                rows = rng.permutation(rows)
                if variant == "tfidf":
                    model = tfidf()
                elif variant == "oversample":
                    model = lstm(seed, routed=True, scoring="balanced_accuracy")
                else:
                    model = lstm(seed, ngram_range=(1, 2) if "ngrams" in variant else None,
                                 class_weight="balanced" if "balanced" in variant else None)
                start = time.perf_counter()
                model.fit([X[i] for i in rows], y[rows], **fit_params)
                seconds = time.perf_counter() - start
                pred = model.predict(X_test)
                row = {"minority": n_min, "variant": variant, "seed": seed,
                       "minority_recall": float(recall_score(y_test, pred,
                                                             pos_label="positive")),
                       "majority_recall": float(recall_score(y_test, pred,
                                                             pos_label="negative")),
                       "balanced_accuracy": float(balanced_accuracy_score(y_test, pred)),
                       "fit_seconds": seconds,
                       "epochs": (len(model[-1].history_) if variant != "tfidf" else None)}
                print(json.dumps(row), flush=True)
                saved["rows"].append(row)
                OUT.write_text(json.dumps(saved, indent=1))
    markdown()


def markdown():
    saved = _load()
    rows = saved["rows"]
    lines = [
        "# A small class: minority recall and balanced accuracy",
        "",
        f"Produced by `python benchmarks/imbalance.py`. The main job's LSTM row (quick "
        "settings: `TextVectorizer(maxlen=300, max_features=20000)`, 64/64, 5 epochs, batch "
        f"64, early stopping) trained on {N_MAJORITY:,} negative IMDB reviews and 60 or 300 "
        f"positive ones; scored on the last {N_HELD_OUT:,} reviews of the shuffled train "
        "split (never trained on, about half positive). Minority recall: share of the "
        "positive held-out reviews predicted positive. Mean over seeds (each seed draws its "
        "own training reviews), each seed in brackets. `tfidf` is the main job's TF-IDF "
        "row with `class_weight='balanced'` (seed 0 only: deterministic).",
        "",
        "| minority | variant | minority recall (%) | balanced accuracy (%) | epochs |",
        "|---:|---|---:|---:|---:|",
    ]
    for n_min in MINORITY:
        for variant in VARIANTS:
            found = [r for r in rows if r["minority"] == n_min and r["variant"] == variant]
            if not found:
                continue
            found.sort(key=lambda r: r["seed"])

            def cell(key, found=found):
                values = [100 * r[key] for r in found]
                each = " / ".join(f"{v:.1f}" for v in values)
                return f"{np.mean(values):.1f}" + (f" ({each})" if len(values) > 1 else "")

            epochs = [r["epochs"] for r in found if r["epochs"] is not None]
            lines.append(f"| {n_min} ({N_MAJORITY // n_min}:1) | {variant} | "
                         f"{cell('minority_recall')} | {cell('balanced_accuracy')} | "
                         f"{' / '.join(map(str, epochs)) or '—'} |")
    lines += ["", "Findings (seeds 0 and 1): without weights the LSTM predicts the large "
              "class for every review at both sizes. `class_weight='balanced'` (each class's "
              "loss weighted by N / (C n_c), early stopping on balanced accuracy: both already "
              "what `'balanced'` does) is what makes the small class learnable: minority recall "
              "0 -> 40% at 60 reviews (balanced accuracy 61%), 0 -> 71% at 300 (67%), with a "
              "large spread between seeds at 5 epochs. Repeating the small class's documents "
              "until the classes are even (balanced batches in expectation, the validation "
              "tenth held out first) does not: it memorises the few documents (minority "
              "recall 1-3%). The n-gram path with the same weights fits the 60 documents' "
              "n-grams (5%) but is the best row at 300 (balanced accuracy 78%), above the "
              "linear TF-IDF row with the same weights (72%; at 60 it too predicts the large "
              "class for every review). So `'balanced'` stays as it "
              "is; nothing measured here beats it at 60 reviews."]
    machine = saved.get("machine") or {}
    lines += ["", f"Machine: {machine.get('cpu', '?')}, {machine.get('cores', '?')} cores "
              "(shared with other jobs: the seconds in the JSON are indications, the rates "
              "are not affected)."]
    (RESULTS / "imbalance.md").write_text("\n".join(lines) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", default="0,1")
    parser.add_argument("--markdown-only", action="store_true")
    args = parser.parse_args()
    if args.markdown_only:
        markdown()
    else:
        run([int(s) for s in args.seeds.split(",")])


if __name__ == "__main__":
    main()
