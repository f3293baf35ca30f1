"""How many rows does the n-gram table need? Held-out accuracy against its size.

The n-gram path (``ngram_range=(1, 2)``) hashes every unigram and bigram of a
document to a row of a ``(ngram_buckets, C)`` table. More rows mean fewer hash
collisions and a bigger model: each row is ``C`` floats, saved with the model,
and three times that while training with Adam. This benchmark measures
held-out accuracy for several table sizes, with the model of the main job
(``sklearn-rnn compare``'s ``lstm-ngrams`` row):
``make_pipeline(TextVectorizer(maxlen=300, max_features=20000),
RecurrentTextClassifier(cell='lstm', embedding_dim=64, hidden_size=64,
max_epochs=5, early_stopping=True, ngram_range=(1, 2), ngram_buckets=R))``.

Split: the first ``N`` of the 25,000 shuffled IMDB train reviews to train, the
last 5,000 held out (as ``benchmarks/recipes.py``). By default, at 2,000
training reviews every size with 3 seeds; at 20,000, the sizes with 1 seed.

``--pickle`` adds the size of the saved model (``pickle.dumps``) and the time
of ``joblib.dump`` + ``joblib.load`` + ``predict`` on the 5,000 held-out
reviews, before (2**20 rows, optimizer state saved: what ``warm_start=True``
still saves) and after (the defaults), for the model of issue 25 (hidden 32,
``max_features=10000``, the other parameters the classifier's defaults) and
for the main job's model.

Results go to ``benchmarks/results/ngram_table.json`` (appended run by run, so
an interrupted run resumes with the same command) and ``ngram_table.md``.

The committed results come from ``--n-train 2000`` (sizes 2**12 to 2**20,
seeds 0-2), ``--n-train 2000 --sizes 14,16,18,20 --seeds 3,4``,
``--n-train 20000 --sizes 14,16,18,20 --seeds 0``, ``--n-train 20000 --sizes
16,18,20 --seeds 1`` and ``--pickle``: about 50 CPU-minutes.

Usage (from the repository root)::

    python benchmarks/ngram_table.py --threads 2 --machine-label "2-core Intel Xeon VM, 24 GB"
    python benchmarks/ngram_table.py --n-train 2000 --sizes 14,16 --seeds 0   # a quick look
    python benchmarks/ngram_table.py --pickle            # the saved-model sizes only
    python benchmarks/ngram_table.py --markdown-only     # rewrite the .md from the JSON
"""

import argparse
import json
import pickle
import tempfile
import time
from pathlib import Path

import numpy as np
from _common import IMDB_ARCHIVE, RESULTS, machine

N_HELD_OUT = 5000
#: Seeds per training size when --seeds is not given.
DEFAULT_SEEDS = {2000: (0, 1, 2), 20000: (0,)}
#: Standard error of an accuracy near 85% on 5,000 held-out reviews, in points.
HELD_OUT_SE = 100 * (0.85 * 0.15 / N_HELD_OUT) ** 0.5


def main_job_pipeline(rows, seed):
    from sklearn.pipeline import make_pipeline

    from sklearn_rnn import RecurrentTextClassifier, TextVectorizer

    return make_pipeline(
        TextVectorizer(maxlen=300, max_features=20000),
        RecurrentTextClassifier(cell="lstm", embedding_dim=64, hidden_size=64, batch_size=64,
                                max_epochs=5, early_stopping=True, ngram_range=(1, 2),
                                ngram_buckets=rows, random_state=seed),
    )


def load(path):
    results = json.loads(path.read_text()) if path.exists() else {}
    results.setdefault("runs", [])
    results.setdefault("pickle", [])
    return results


def save(results, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=1) + "\n")


def accuracy_run(rows, n_train, seed, data, threads):
    X_train, y_train, X_test, y_test = data
    model = main_job_pipeline(rows, seed)
    start = time.perf_counter()
    model.fit(X_train, y_train)
    fit_seconds = time.perf_counter() - start
    clf = model[-1]
    accuracy = float(np.mean(model.predict(X_test) == y_test))
    valid = clf.history_[:, "valid_acc"] if "valid_acc" in clf.history_[-1] else None
    return {"rows": rows, "n_train": n_train, "seed": seed,
            "accuracy": round(100 * accuracy, 2), "epochs": len(clf.history_),
            "best_epoch": None if valid is None else int(np.argmax(valid)) + 1,
            "fit_seconds": round(fit_seconds, 1), "threads": threads}


def pickle_run(name, data, *, before):
    """Saved size and joblib round trip of one configuration, before or after."""
    import joblib
    from sklearn.pipeline import make_pipeline

    from sklearn_rnn import LSTMSentimentClassifier, TextVectorizer
    from sklearn_rnn._nn._layout import ngram_layout

    X_train, y_train, X_test, _ = data
    extra = dict(ngram_buckets=2**20, warm_start=True) if before else {}
    if name == "issue 25 (hidden 32, max_features 10000)":
        model = make_pipeline(TextVectorizer(max_features=10000), LSTMSentimentClassifier(
            hidden_size=32, max_epochs=1, random_state=0, **extra))
    else:
        model = main_job_pipeline(2**20 if before else "auto", 0)
        model[-1].set_params(max_epochs=1, **({"warm_start": True} if before else {}))
    model.fit(X_train, y_train)
    size = len(pickle.dumps(model))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.joblib"
        start = time.perf_counter()
        joblib.dump(model, path)
        dumped = time.perf_counter()
        loaded = joblib.load(path)
        restored = time.perf_counter()
        loaded.predict(X_test)
        done = time.perf_counter()
    clf = model[-1]
    return {"model": name, "when": "before" if before else "after",
            "ngram_rows": ngram_layout(clf.ngram_buckets, len(clf.classes_))[0],
            "optimizer_saved": bool(clf.warm_start), "pickle_mb": round(size / 2**20, 2),
            "dump_s": round(dumped - start, 2), "load_s": round(restored - dumped, 2),
            "predict_s": round(done - restored, 2), "n_predict": len(X_test)}


def summary(runs):
    """Per (n_train, rows): mean accuracy, range, seeds, fit seconds, epochs."""
    table = {}
    for run in runs:
        table.setdefault((run["n_train"], run["rows"]), []).append(run)
    out = {}
    for (n_train, rows), group in sorted(table.items()):
        acc = [r["accuracy"] for r in group]
        out[n_train, rows] = {
            "mean": float(np.mean(acc)), "low": min(acc), "high": max(acc),
            "seeds": [r["seed"] for r in group], "accs": acc,
            "fit_seconds": float(np.mean([r["fit_seconds"] for r in group])),
            "epochs": [r["epochs"] for r in group],
        }
    return out


def noise(stats, n_train):
    """Points of accuracy within which two sizes count as equal at ``n_train``:
    the pooled standard deviation over seeds when there are several, and never
    less than the held-out standard error (5,000 reviews)."""
    deviations = [np.std(s["accs"], ddof=1) for (n, _), s in stats.items()
                  if n == n_train and len(s["accs"]) > 1]
    pooled = float(np.sqrt(np.mean(np.square(deviations)))) if deviations else 0.0
    return max(pooled, HELD_OUT_SE)


def choice(stats):
    """The smallest size within noise of the best, at every training size."""
    sizes = sorted({rows for _, rows in stats})
    ok = set(sizes)
    for n_train in sorted({n for n, _ in stats}):
        here = {rows: s["mean"] for (n, rows), s in stats.items() if n == n_train}
        best = max(here.values())
        ok &= {rows for rows, mean in here.items() if mean >= best - noise(stats, n_train)}
    return min(ok) if ok else None


def markdown(results):
    setup = results.get("setup", {})
    m = setup.get("machine", {})
    threads = sorted({r.get("threads", m.get("torch_threads")) for r in results["runs"]}
                     - {None})
    lines = [
        "# n-gram table size: held-out accuracy against rows",
        "",
        "`python benchmarks/ngram_table.py` (see its docstring). The main job's model: "
        "`make_pipeline(TextVectorizer(maxlen=300, max_features=20000), "
        "RecurrentTextClassifier(cell='lstm', embedding_dim=64, hidden_size=64, max_epochs=5, "
        "early_stopping=True, ngram_range=(1, 2), ngram_buckets=rows))`, IMDB: the first N "
        f"of the 25,000 shuffled train reviews to train, the last {N_HELD_OUT:,} held out. "
        "Table MB: the saved table, `rows x 2 classes x 4 bytes`. Accuracy: the mean over "
        "the seeds, with the range when there are several.",
        "",
        f"Machine: {setup.get('label') or m.get('cpu', '?')}; "
        f"{' or '.join(map(str, threads)) or '?'} torch threads (per run in the JSON), "
        f"torch {m.get('torch', '?')}, scikit-learn {m.get('scikit-learn', '?')}, "
        f"sklearn_rnn {m.get('sklearn_rnn', '?')}. Fit seconds were taken on a machine shared "
        "with other jobs: read them as rough.",
        "",
    ]
    stats = summary(results["runs"])
    for n_train in sorted({n for n, _ in stats}):
        best = max(s["mean"] for (n, _), s in stats.items() if n == n_train)
        lines += [f"## {n_train:,} training reviews", "",
                  f"Noise: {noise(stats, n_train):.2f} points (pooled seed standard deviation, "
                  f"at least the held-out standard error {HELD_OUT_SE:.2f}).", "",
                  "| rows | table MB | accuracy | vs best | seeds | epochs | fit s |",
                  "|---|---|---|---|---|---|---|"]
        for (n, rows), s in stats.items():
            if n != n_train:
                continue
            spread = f" ({s['low']:.2f}-{s['high']:.2f})" if len(s["accs"]) > 1 else ""
            lines.append(
                f"| 2**{int(np.log2(rows))} | {rows * 2 * 4 / 2**20:.2f} | {s['mean']:.2f}%"
                f"{spread} | {s['mean'] - best:+.2f} | {', '.join(map(str, s['seeds']))} | "
                f"{', '.join(map(str, s['epochs']))} | {s['fit_seconds']:.0f} |")
        lines.append("")
    chosen = choice(stats)
    if chosen is not None:
        lines += [f"Smallest size within noise of the best at every training size: "
                  f"**2**{int(np.log2(chosen))}** rows.", ""]
    if results["pickle"]:
        lines += ["## Saved model", "",
                  "`pickle.dumps(pipeline)` size, and `joblib.dump` + `joblib.load` + "
                  "`predict` on the held-out reviews (1 epoch on 2,000 reviews: the size does "
                  "not depend on training). Before: 2**20 rows and the optimizer state saved "
                  "(what `warm_start=True` still saves); after: the defaults.", "",
                  "| model | when | n-gram rows | optimizer saved | pickle MB | dump s | "
                  "load s | predict s |", "|---|---|---|---|---|---|---|---|"]
        for r in results["pickle"]:
            lines.append(
                f"| {r['model']} | {r['when']} | 2**{int(np.log2(r['ngram_rows']))} | "
                f"{'yes' if r['optimizer_saved'] else 'no'} | {r['pickle_mb']:.2f} | "
                f"{r['dump_s']:.2f} | {r['load_s']:.2f} | {r['predict_s']:.2f} |")
        lines.append("")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=str(IMDB_ARCHIVE))
    parser.add_argument("--n-train", default="2000,20000")
    parser.add_argument("--sizes", default="12,14,16,18,20", help="log2 of the table rows")
    parser.add_argument("--seeds", default=None, help="default: 0,1,2 at 2,000, 0 at 20,000")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--machine-label", default="")
    parser.add_argument("--pickle", action="store_true", help="only the saved-model sizes")
    parser.add_argument("--markdown-only", action="store_true")
    parser.add_argument("--out", default=str(RESULTS / "ngram_table"),
                        help="path without extension")
    args = parser.parse_args(argv)
    out = Path(args.out)
    results = load(out.with_suffix(".json"))
    if not args.markdown_only:
        import torch

        from sklearn_rnn.datasets import load_imdb

        torch.set_num_threads(args.threads)
        results["setup"] = {"machine": {**machine(), "torch_threads": args.threads},
                            "label": args.machine_label
                            or results.get("setup", {}).get("label", "")}
        X, y = load_imdb(data_home=args.data, return_X_y=True)
        X_test, y_test = X[-N_HELD_OUT:], np.asarray(y[-N_HELD_OUT:])
        if args.pickle:
            data = (X[:2000], np.asarray(y[:2000]), X_test, y_test)
            results["pickle"] = []
            for name in ("issue 25 (hidden 32, max_features 10000)", "main job (lstm-ngrams)"):
                for before in (True, False):
                    results["pickle"].append(pickle_run(name, data, before=before))
                    print(results["pickle"][-1], flush=True)
                    save(results, out.with_suffix(".json"))
        else:
            done = {(r["n_train"], r["rows"], r["seed"]) for r in results["runs"]}
            for n_train in map(int, args.n_train.split(",")):
                data = (X[:n_train], np.asarray(y[:n_train]), X_test, y_test)
                seeds = (tuple(map(int, args.seeds.split(","))) if args.seeds
                         else DEFAULT_SEEDS.get(n_train, (0,)))
                for seed in seeds:
                    for exponent in map(int, args.sizes.split(",")):
                        if (n_train, 2**exponent, seed) in done:
                            continue
                        run = accuracy_run(2**exponent, n_train, seed, data, args.threads)
                        print(run, flush=True)
                        results["runs"].append(run)
                        save(results, out.with_suffix(".json"))
    save(results, out.with_suffix(".json"))
    out.with_suffix(".md").write_text(markdown(results))
    print(markdown(results))


if __name__ == "__main__":
    main()
