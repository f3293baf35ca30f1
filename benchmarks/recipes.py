"""Recipe study: which RNN recipes beat TF-IDF + LogisticRegression on IMDB, and by how much.

On one split of the IMDB train reviews (the first ``--n-train`` of the
shuffled 25,000 to train, the last 5,000 held out; the official test split is
not needed), side by side at 2,000 and at 20,000 labelled reviews:

* the baseline users compare against, TF-IDF 1-2 grams + LogisticRegression;
* the default pipeline ``make_pipeline(TextVectorizer(), LSTMSentimentClassifier())``;
* each ingredient alone on top of it (pooling, bidirectional, vocabulary,
  dropout, the n-gram path, word2vec trained on the 50,000 unlabelled reviews);
* combinations of them, and the TF-IDF model combined with an RNN by soft
  voting (``VotingClassifier(voting='soft')``: the mean of the two
  ``predict_proba``, computed from the rows already fitted) and by stacking
  (``StackingClassifier``, refitted with internal cross-validation; at 2,000
  reviews only: it refits the RNN three more times).

Every RNN row runs with 3 seeds at 2,000 reviews; at 20,000 the rows that
decide a default (the default LSTM and the n-gram path) run with 3, the
others with 1.

Each row reports held-out accuracy, log loss and Brier score (is
``predict_proba`` calibrated enough to combine?), fit seconds, epochs, and the
seeds it ran with (mean and spread over seeds). Results go to
``benchmarks/results/recipes.json`` (appended row by row, so a long run can be
resumed with the same command) and ``recipes.md``.

Usage (from the repository root; about 4 hours on 2 CPU cores for all rows)::

    python benchmarks/recipes.py                       # every row, both sizes
    python benchmarks/recipes.py --n-train 2000        # the small-data rows only
    python benchmarks/recipes.py --rows tfidf,lstm,lstm_ngram --seeds 0,1,2
    python benchmarks/recipes.py --markdown-only       # rewrite recipes.md from the JSON
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch
from _common import IMDB_ARCHIVE, RESULTS, machine
from sklearn.ensemble import StackingClassifier
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, log_loss
from sklearn.pipeline import make_pipeline

from sklearn_rnn import (
    LSTMSentimentClassifier,
    PretrainedEmbeddings,
    TextVectorizer,
    train_word2vec,
)
from sklearn_rnn.datasets import load_imdb

N_HELD_OUT = 5000

#: row -> how to build it. ``vec``/``clf``: TextVectorizer / LSTMSentimentClassifier
#: parameters on top of the defaults; ``members``: rows whose probabilities are
#: averaged (vote) or stacked; ``seeds``: how many seeds by default (3 for the
#: rows that decide a default).
ROWS = {
    "tfidf": dict(kind="tfidf", seeds=1, what="TF-IDF 1-2 grams + LogisticRegression"),
    "lstm": dict(what="default LSTM pipeline (before this study)", seeds=3),
    "lstm_es": dict(clf=dict(early_stopping=True),
                    what="+ early stopping at any size (the default from 2,000 since)"),
    "lstm_mean": dict(clf=dict(pooling="mean"), what="+ mean pooling"),
    "lstm_bidirectional": dict(clf=dict(bidirectional=True), what="+ bidirectional"),
    "lstm_vocab30k": dict(vec=dict(max_features=30000), what="+ vocabulary of 30,000"),
    "lstm_dropout": dict(clf=dict(dropout=0.3), what="+ dropout 0.3"),
    "lstm_w2v": dict(clf=dict(embeddings="w2v", freeze_embeddings=True),
                     what="+ word2vec (100d, IMDB unsup), frozen"),
    "lstm_ngram": dict(clf=dict(ngram_range=(1, 2)), what="+ n-gram path (1, 2)", seeds=3),
    "lstm_ngram_es": dict(clf=dict(ngram_range=(1, 2), early_stopping=True),
                          what="+ n-gram path + early stopping at any size"),
    "lstm_ngram13": dict(clf=dict(ngram_range=(1, 3)), what="+ n-gram path (1, 3)"),
    "bilstm_ngram": dict(clf=dict(ngram_range=(1, 2), bidirectional=True),
                         what="+ n-gram path + bidirectional"),
    "lstm_ngram_w2v": dict(clf=dict(ngram_range=(1, 2), embeddings="w2v",
                                    freeze_embeddings=True),
                           what="+ n-gram path + word2vec, frozen"),
    "lstm_ngram_w2v_es": dict(clf=dict(ngram_range=(1, 2), embeddings="w2v",
                                       freeze_embeddings=True, early_stopping=True),
                              what="+ n-gram path + word2vec + early stopping"),
    "vote_tfidf_lstm": dict(kind="vote", members=("tfidf", "lstm"),
                            what="soft vote: TF-IDF + default LSTM"),
    "vote_tfidf_lstm_ngram": dict(kind="vote", members=("tfidf", "lstm_ngram"),
                                  what="soft vote: TF-IDF + LSTM with n-gram path"),
    "vote_tfidf_lstm_ngram_w2v": dict(kind="vote", members=("tfidf", "lstm_ngram_w2v"),
                                      what="soft vote: TF-IDF + LSTM n-gram + word2vec"),
    "vote_tfidf_lstm_ngram_w2v_es": dict(
        kind="vote", members=("tfidf", "lstm_ngram_w2v_es"),
        what="soft vote: TF-IDF + LSTM n-gram + word2vec + early stopping"),
    "stack_tfidf_lstm_ngram_w2v": dict(
        kind="stack", members=("tfidf", "lstm_ngram_w2v"), small_only=True,
        what="stacking (cv=3): TF-IDF + LSTM n-gram + word2vec"),
}

#: Seeds of every RNN row below this many training reviews (cheap there).
SMALL = 5000


def tfidf_pipeline():
    return make_pipeline(TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True),
                         LogisticRegression(max_iter=1000))


def rnn_pipeline(spec, seed, w2v, n_train):
    clf = dict(spec.get("clf", {}))
    # the rows keep the rule they were measured with: before this study,
    # early_stopping='auto' meant "above 10,000 documents" (2,000 since)
    clf.setdefault("early_stopping", n_train > 10_000)
    clf.setdefault("ngram_range", None)  # off before this study, (1, 2) since
    if clf.get("embeddings") == "w2v":
        clf["embeddings"] = PretrainedEmbeddings(w2v)
    return make_pipeline(TextVectorizer(**spec.get("vec", {})),
                         LSTMSentimentClassifier(random_state=seed, **clf))


def build(name, seed, w2v, n_train):
    spec = ROWS[name]
    kind = spec.get("kind", "rnn")
    if kind == "tfidf":
        return tfidf_pipeline()
    if kind == "stack":
        return StackingClassifier(
            [(m, build(m, seed, w2v, n_train)) for m in spec["members"]],
            final_estimator=LogisticRegression(), cv=3, stack_method="predict_proba",
        )
    return rnn_pipeline(spec, seed, w2v, n_train)


def calibration(y_true, proba):
    """Log loss, Brier score and expected calibration error (10 bins) of the
    positive class."""
    p = proba[:, 1]
    bins = np.minimum((p * 10).astype(int), 9)
    ece = sum(abs(p[bins == b].mean() - y_true[bins == b].mean()) * (bins == b).mean()
              for b in range(10) if (bins == b).any())
    return {
        "log_loss": round(float(log_loss(y_true, proba, labels=[0, 1])), 4),
        "brier": round(float(brier_score_loss(y_true, p)), 4),
        "ece": round(float(ece), 4),
    }


def load_w2v(cache, data, seed=0):
    path = Path(cache) / "w2v_unsup_100d.kv"
    from gensim.models import KeyedVectors

    if path.exists():
        return KeyedVectors.load(str(path)), None  # our own cache: trusted
    start = time.perf_counter()
    unsup = load_imdb("unsup", data_home=data).data
    kv = train_word2vec(unsup, vector_size=100, min_count=5, epochs=5, workers=2,
                        random_state=seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    kv.save(str(path))
    return kv, time.perf_counter() - start


def run_row(name, n_train, seed, data, w2v, cache):
    X_train, y_train, X_test, y_test = data
    spec = ROWS[name]
    proba_dir = Path(cache) / "proba"
    proba_dir.mkdir(parents=True, exist_ok=True)
    classes = np.array(["negative", "positive"])
    y01 = (np.asarray(y_test) == "positive").astype(int)
    row = {"row": name, "what": spec["what"], "n_train": n_train, "seed": seed}
    if spec.get("kind") == "vote":
        probas, fit_seconds = [], 0.0
        for member in spec["members"]:
            path = proba_dir / f"{member}_{n_train}_{seed if member != 'tfidf' else 0}.npz"
            if not path.exists():
                print(f"  {name}: run {member} (n_train={n_train}, seed={seed}) first")
                return None
            saved = np.load(path)
            probas.append(saved["proba"])
            fit_seconds += float(saved["fit_seconds"])
        proba = np.mean(probas, axis=0)
        row.update(fit_seconds=round(fit_seconds, 1), epochs=None)
    else:
        model = build(name, seed, w2v, n_train)
        start = time.perf_counter()
        model.fit(X_train, y_train)
        fit_seconds = time.perf_counter() - start
        proba = model.predict_proba(X_test)
        assert list(model.classes_) == list(classes)
        clf = model[-1] if hasattr(model, "steps") else None
        epochs = len(clf.history_) if hasattr(clf, "history_") else None
        best = None
        if epochs and "valid_acc" in clf.history_[-1]:
            best = int(np.argmax(clf.history_[:, "valid_acc"])) + 1
        row.update(fit_seconds=round(fit_seconds, 1), epochs=epochs, best_epoch=best)
        np.savez(proba_dir / f"{name}_{n_train}_{seed}.npz", proba=proba,
                 fit_seconds=fit_seconds)
    row["accuracy"] = round(float(np.mean(classes[proba.argmax(axis=1)] == y_test)), 4)
    row.update(calibration(y01, proba))
    return row


def summarize(results):
    """Mean and spread over seeds of each (row, n_train)."""
    groups = {}
    for r in results:
        groups.setdefault((r["row"], r["n_train"]), []).append(r)
    out = []
    for (name, n_train), rows in groups.items():
        acc = np.array([r["accuracy"] for r in rows])
        out.append({
            "row": name, "n_train": n_train, "what": rows[0]["what"], "seeds": len(rows),
            "accuracy_mean": float(acc.mean()), "accuracy_min": float(acc.min()),
            "accuracy_max": float(acc.max()),
            "fit_seconds_mean": float(np.mean([r["fit_seconds"] for r in rows])),
            "brier_mean": float(np.mean([r["brier"] for r in rows])),
            "ece_mean": float(np.mean([r["ece"] for r in rows])),
            "epochs": [r.get("epochs") for r in rows],
        })
    return out


def markdown(results, setup):
    lines = [
        "# Recipe study: RNN recipes against TF-IDF on IMDB",
        "",
        f"Machine: {setup.get('label') or setup['machine']['cpu']}; "
        f"{setup['machine']['torch_threads']} torch threads, torch "
        f"{setup['machine']['torch']}, scikit-learn {setup['machine']['scikit-learn']}, "
        f"sklearn_rnn {setup['machine']['sklearn_rnn']}.",
        "",
        "Split: the first N of the 25,000 shuffled IMDB train reviews to train, the last "
        f"{N_HELD_OUT:,} held out. Every RNN row is `make_pipeline(TextVectorizer(), "
        "LSTMSentimentClassifier(...))` with the defaults plus what the row says "
        "(unless the row says otherwise, the defaults before this study: no n-gram path, "
        "early stopping on a 10% validation split above 10,000 documents; since, "
        "`ngram_range=(1, 2)` and early stopping from 2,000). Accuracy is "
        "the mean over the seeds, with the range when there are several; fit seconds "
        "include tokenizing. Soft votes average two rows' `predict_proba` (their fit "
        "seconds add up).",
        *(["", f"Note: {setup['note']}"] if setup.get("note") else []),
        "",
    ]
    summary = summarize(results)
    for n_train in sorted({s["n_train"] for s in summary}):
        rows = [s for s in summary if s["n_train"] == n_train]
        base = next((s["accuracy_mean"] for s in rows if s["row"] == "tfidf"), None)
        lines += [f"## {n_train:,} labelled reviews", "",
                  "| row | accuracy | vs TF-IDF | seeds | fit s | Brier | ECE | epochs |",
                  "|---|---:|---:|---:|---:|---:|---:|---|"]
        for s in sorted(rows, key=lambda s: list(ROWS).index(s["row"])):
            acc = f"{100 * s['accuracy_mean']:.2f}%"
            if s["seeds"] > 1:
                acc += f" ({100 * s['accuracy_min']:.1f}-{100 * s['accuracy_max']:.1f})"
            delta = "" if base is None else f"{100 * (s['accuracy_mean'] - base):+.2f}"
            epochs = ", ".join(str(e) for e in s["epochs"] if e is not None) or "-"
            lines.append(
                f"| {s['what']} (`{s['row']}`) | {acc} | {delta} | {s['seeds']} | "
                f"{s['fit_seconds_mean']:,.0f} | {s['brier_mean']:.4f} | "
                f"{s['ece_mean']:.4f} | {epochs} |"
            )
        lines.append("")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(IMDB_ARCHIVE))
    parser.add_argument("--n-train", default="2000,20000")
    parser.add_argument("--rows", default=",".join(ROWS))
    parser.add_argument("--seeds", default=None,
                        help="comma-separated seeds (default: each row's own count, from 0)")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--cache", default=str(Path.home() / ".cache" / "sklearn_rnn_recipes"),
                        help="word2vec vectors and per-row probabilities (for the votes)")
    parser.add_argument("--out", default=str(RESULTS / "recipes"))
    parser.add_argument("--machine-label", default="")
    parser.add_argument("--markdown-only", action="store_true")
    parser.add_argument("--note", default="", help="a remark printed under the setup")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    out_json = Path(args.out + ".json")
    saved = json.loads(out_json.read_text()) if out_json.exists() else {"results": []}
    previous = saved.get("setup", {})
    setup = {"machine": machine(), "label": args.machine_label or previous.get("label", ""),
             "note": args.note or previous.get("note", "")}
    results = saved["results"]
    if not args.markdown_only:
        X, y = load_imdb(data_home=args.data, return_X_y=True)
        X_test, y_test = X[-N_HELD_OUT:], np.asarray(y[-N_HELD_OUT:])
        names = args.rows.split(",")
        w2v = None
        if any("w2v" in str(ROWS[n].get("clf", {}).get("embeddings", "")) or
               any("w2v" in m for m in ROWS[n].get("members", ())) for n in names):
            w2v, seconds = load_w2v(args.cache, args.data)
            if seconds:
                print(f"word2vec on the unsup reviews: {seconds:.0f} s", flush=True)
        for n_train in [int(n) for n in args.n_train.split(",")]:
            data = (X[:n_train], np.asarray(y[:n_train]), X_test, y_test)
            for name in names:
                spec = ROWS[name]
                if spec.get("small_only") and n_train >= SMALL:
                    continue  # refits the RNN per fold: too slow to be worth it here
                default = 3 if n_train < SMALL else spec.get("seeds", 1)
                seeds = ([int(s) for s in args.seeds.split(",")] if args.seeds
                         else list(range(default)))
                if spec.get("kind") == "tfidf":
                    seeds = [0]  # deterministic
                for seed in seeds:
                    if any(r["row"] == name and r["n_train"] == n_train and r["seed"] == seed
                           for r in results):
                        continue
                    print(f"== {name}, {n_train:,} reviews, seed {seed}", flush=True)
                    row = run_row(name, n_train, seed, data, w2v, args.cache)
                    if row is None:
                        continue
                    print(json.dumps(row), flush=True)
                    results.append(row)
                    out_json.parent.mkdir(parents=True, exist_ok=True)
                    out_json.write_text(json.dumps({"setup": setup, "results": results},
                                                   indent=1))
    text = markdown(results, setup)
    Path(args.out + ".md").write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
