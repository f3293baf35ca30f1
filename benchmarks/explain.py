"""Do the explanations point at the words that matter, and how fast are they?

The deletion check (a sanity check that could fail): for each of 500
held-out IMDB reviews, delete from the text the 5 tokens with the largest
attributions toward the predicted class, and separately 5 random tokens
(of those the model read), and measure how much the probability of the
predicted class changes. Attributions that point at the evidence change it
far more than random deletions. Models, trained on 2,000 reviews:

* the default LSTM pipeline (``TextVectorizer(maxlen=300,
  max_features=20000)``, ``LSTMSentimentClassifier(max_epochs=5)``: LSTM plus
  the n-gram path), explained by ``sklearn_rnn.explain`` (integrated
  gradients + the n-gram path's exact share);
* the same LSTM without the n-gram path (``ngram_range=None``, the recurrent
  rows of ``sklearn-rnn compare``): integrated gradients alone;
* TF-IDF + LogisticRegression (the ``tfidf`` row of ``sklearn-rnn compare``),
  explained from ``coef_``.

Also: explanation speed (documents/s, the whole ``explain`` call on raw
text), and, for the LSTM without n-grams (the hardest to integrate), the
completeness gap (attributions' sum against ``f(x) - f(baseline)``), the
gradient evaluations per review and the per-token error against a
near-exact reference, for fixed Gauss-Legendre rules and the adaptive rule.

Usage::

    python benchmarks/explain.py --threads 2 --machine-label "2-core <name>"

Writes ``benchmarks/results/explain.{json,md}``. ``--cache DIR`` keeps the
fitted models between runs.
"""

import argparse
import json
import os
import pickle
import re
import time
from pathlib import Path

import numpy as np
import torch
from _common import IMDB_ARCHIVE, REPO, RESULTS, cpu_name
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from sklearn_rnn import LSTMSentimentClassifier, TextVectorizer, explain
from sklearn_rnn.datasets import load_imdb

K = 5


def models(epochs, seed):
    def lstm(**params):
        return make_pipeline(TextVectorizer(maxlen=300, max_features=20000),
                             LSTMSentimentClassifier(max_epochs=epochs, random_state=seed,
                                                     **params))

    return {
        "lstm (default: LSTM + n-grams)": lambda: lstm(),
        "lstm, recurrent path alone (ngram_range=None)": lambda: lstm(ngram_range=None),
        "tfidf + logreg (coef_)": lambda: make_pipeline(
            TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True,
                            token_pattern=r"(?u)\b\w\w+\b"),
            LogisticRegression(max_iter=1000)),
    }


def delete(text, spans):
    """``text`` with each ``(start, end)`` replaced by a space."""
    out, at = [], 0
    for start, end in sorted(spans):
        out += [text[at:start], " "]
        at = end
    return "".join(out + [text[at:]])


def deletion_check(pipe, explanations, seed):
    """Mean |change| of the explained class's probability after deleting the
    top-K tokens, and K random ones."""
    classes = list(pipe.classes_)
    rng = np.random.default_rng(seed)
    top_texts, random_texts, before, cls = [], [], [], []
    for e in explanations:
        found = np.flatnonzero(e.offsets[:, 0] >= 0)
        if len(found) < 2 * K:
            continue
        order = found[np.argsort(-e.attributions[found], kind="stable")]
        top_texts.append(delete(e.text, e.offsets[order[:K]].tolist()))
        random_texts.append(delete(e.text, e.offsets[rng.choice(found, K, replace=False)]
                                   .tolist()))
        before.append(e.probability)
        cls.append(classes.index(e.target))
    rows = np.arange(len(cls))
    before = np.asarray(before)
    after_top = pipe.predict_proba(top_texts)[rows, cls]
    after_random = pipe.predict_proba(random_texts)[rows, cls]
    return {
        "documents": len(cls),
        "mean_abs_dp_top": float(np.mean(np.abs(before - after_top))),
        "mean_abs_dp_random": float(np.mean(np.abs(before - after_random))),
        "mean_dp_top": float(np.mean(after_top - before)),
        "mean_dp_random": float(np.mean(after_random - before)),
        "flipped_top": float(np.mean(after_top < 0.5)),
        "flipped_random": float(np.mean(after_random < 0.5)),
    }


def docs_example(pipes, X_test, y_test, path):
    """Write the highlighted example of docs/user_guide/explaining.rst: the first
    held-out review of 60 to 110 tokens that every model gets right."""
    from sklearn_rnn._report import highlight

    for i, text in enumerate(X_test):
        found = [explain(pipe, [text])[0] for pipe in pipes.values()]
        if 60 <= len(found[0]) <= 110 and all(e.target == y_test[i] for e in found):
            break
    blocks = []
    for name, e in zip(pipes, found, strict=True):
        blocks.append(
            '<div style="border:1px solid rgba(128,128,128,.35);border-radius:6px;'
            'padding:10px 14px;margin:0 0 12px;line-height:1.7">'
            f'<div style="font-size:90%;opacity:.8;margin-bottom:4px"><b>{name}</b>: '
            f"{e.target} ({100 * e.probability:.1f}%), true label {y_test[i]}</div>"
            f"{highlight(e.text, e.spans())}</div>")
    Path(path).write_text("\n".join(blocks) + "\n", encoding="utf-8")
    return i


def integration_sweep(pipe, X_test, args):
    """Completeness, cost and per-token accuracy of integration rules."""
    from sklearn_rnn._nn._attribution import attribute_dataset
    from sklearn_rnn._nn._data import to_dataset

    clf, ids = pipe[-1], pipe[0].transform(X_test)
    module = clf.net_.module_
    reference = attribute_dataset(module, to_dataset(ids[:args.n_reference]), n_steps=16,
                                  tolerance=0.002, max_splits=40)["attributions"]
    sweep = []
    for rule in args.rules.split(","):
        steps, tolerance = int(rule.split(":")[0]), float(rule.split(":")[1])
        start, cpu = time.perf_counter(), time.process_time()
        out = attribute_dataset(module, to_dataset(ids), n_steps=steps, tolerance=tolerance)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        error = [np.linalg.norm(a - r) / np.linalg.norm(r)
                 for a, r in zip(out["attributions"], reference, strict=False)]
        top = [len(set(np.argsort(-a)[:K]) & set(np.argsort(-r)[:K])) / K
               for a, r in zip(out["attributions"], reference, strict=False)]
        gap = np.abs([a.sum() for a in out["attributions"]] - (out["score"] - out["baseline"]))
        change = np.abs(out["score"] - out["baseline"])
        sweep.append({
            "n_steps": steps, "tolerance": tolerance, "docs_per_second": len(ids) / seconds,
            "docs_per_cpu_second": len(ids) / cpu,
            "mean_evaluations": float(out["evaluations"].mean()),
            "max_evaluations": int(out["evaluations"].max()),
            "median_rel_gap": float(np.median(gap / change)),
            "p90_rel_gap": float(np.quantile(gap / change, 0.9)),
            "max_rel_gap": float(np.max(gap / change)),
            "median_token_error": float(np.median(error)),
            "p90_token_error": float(np.quantile(error, 0.9)),
            f"top{K}_overlap": float(np.mean(top))})
        print(json.dumps(sweep[-1]), flush=True)
    return sweep


def completeness(explanations):
    gap = np.abs([e.completeness_gap for e in explanations])
    diff = np.abs([e.score - e.baseline_score for e in explanations])
    rel = gap / np.maximum(diff, 1e-12)
    return {"median_rel_gap": float(np.median(rel)), "p90_rel_gap": float(np.quantile(rel, .9)),
            "mean_abs_gap": float(gap.mean()), "mean_abs_score_change": float(diff.mean())}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(IMDB_ARCHIVE))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--n-train", type=int, default=2000)
    parser.add_argument("--n-test", type=int, default=500)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rules", default="16:0,32:0,64:0,2:0.05,2:0.02,4:0.05,4:0.02",
                        help="n_steps:tolerance pairs of the completeness sweep")
    parser.add_argument("--n-reference", type=int, default=50,
                        help="reviews compared with the near-exact reference")
    parser.add_argument("--machine-label", default=cpu_name())
    parser.add_argument("--cache", default=None, help="folder to keep the fitted models in")
    parser.add_argument("--out", default=str(RESULTS / "explain"))
    parser.add_argument("--docs-example", default=str(
        REPO / "docs" / "user_guide" / "explaining_example.html"),
        help="where to write the highlighted example of the docs ('' for nowhere)")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    load_before = os.getloadavg()[0]
    X, y = load_imdb(data_home=args.data, return_X_y=True)
    X_train, y_train = X[:args.n_train], y[:args.n_train]
    X_test, y_test = list(X[args.n_train:args.n_train + args.n_test]), \
        np.asarray(y[args.n_train:args.n_train + args.n_test])
    rows, sweep, fitted = [], [], {}
    for name, make in models(args.epochs, args.seed).items():
        slug = re.sub(r"[^a-z0-9]+", "_", name)[:40]
        path = None if args.cache is None else Path(args.cache) / f"{slug}_{args.seed}.pkl"
        start = time.perf_counter()
        if path is not None and path.exists():
            pipe, fit_seconds = pickle.loads(path.read_bytes())
        else:
            pipe = make().fit(X_train, y_train)
            fit_seconds = time.perf_counter() - start
            if path is not None:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(pickle.dumps((pipe, fit_seconds)))
        fitted[name] = pipe
        accuracy = float(np.mean(pipe.predict(X_test) == y_test))
        explain(pipe, X_test[:20])  # warm-up
        start, cpu = time.perf_counter(), time.process_time()
        explanations = explain(pipe, X_test)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        row = {"model": name, "accuracy": accuracy, "fit_seconds": fit_seconds,
               "explain_seconds": seconds, "docs_per_second": len(X_test) / seconds,
               "docs_per_cpu_second": len(X_test) / cpu,
               "mean_tokens": float(np.mean([len(e) for e in explanations])),
               **completeness(explanations), **deletion_check(pipe, explanations, args.seed)}
        rows.append(row)
        print(json.dumps(row), flush=True)
        if "recurrent path alone" in name:
            sweep = integration_sweep(pipe, X_test, args)
    if args.docs_example:
        shown = {"LSTM + n-grams": fitted["lstm (default: LSTM + n-grams)"],
                 "TF-IDF + LogisticRegression": fitted["tfidf + logreg (coef_)"]}
        docs_example(shown, X_test, y_test, args.docs_example)
    load_after = os.getloadavg()[0]
    busy = max(load_before, load_after) > 0.5 * (os.cpu_count() or 1)
    result = {"machine": args.machine_label, "threads": args.threads,
              "torch": torch.__version__, "cpu_count": os.cpu_count(),
              "load_average": [load_before, load_after], "measured_under_load": busy,
              "n_train": args.n_train, "n_test": args.n_test, "epochs": args.epochs,
              "k": K, "rows": rows, "steps_sweep": sweep}
    Path(args.out + ".json").write_text(json.dumps(result, indent=1))
    speed_note = (" **The speeds were measured under load** (load average "
                  f"{load_before:.1f} / {load_after:.1f} on {os.cpu_count()} cores): re-run "
                  "on a quiet machine for the real figures; documents per CPU-second (the "
                  "CPU time of all threads) suffer less from the load." if busy else "")
    lines = [
        "# Explanations: deletion check, completeness and speed", "",
        f"Machine: {args.machine_label}, torch threads: {args.threads}, torch "
        f"{torch.__version__}.{speed_note}", "",
        f"Trained on {args.n_train:,} IMDB train reviews ({args.epochs} epochs for the "
        f"LSTMs, `TextVectorizer(maxlen=300, max_features=20000)`); {args.n_test} held-out "
        f"reviews explained with `sklearn_rnn.explain` (default integration settings). "
        f"Deletion check: the {K} tokens with the largest attributions toward the predicted "
        f"class, or {K} random tokens the model read, are cut from the text; |Δp| is the "
        "change of the predicted class's probability (mean over the reviews); 'flipped' the "
        "share whose prediction changes.", "",
        f"| model | accuracy | mean \\|Δp\\| top-{K} | mean \\|Δp\\| random {K} | ratio | "
        "flipped top / random | docs/s | docs per CPU-s | completeness gap (median, 90%) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['model']} | {100 * r['accuracy']:.1f}% | {r['mean_abs_dp_top']:.3f} | "
            f"{r['mean_abs_dp_random']:.3f} | "
            f"{r['mean_abs_dp_top'] / max(r['mean_abs_dp_random'], 1e-12):.1f}x | "
            f"{100 * r['flipped_top']:.0f}% / {100 * r['flipped_random']:.0f}% | "
            f"{r['docs_per_second']:,.1f} | {r.get('docs_per_cpu_second', float('nan')):,.1f} | "
            f"{100 * r['median_rel_gap']:.2f}%, "
            f"{100 * r['p90_rel_gap']:.2f}% |")
    if sweep:
        lines += [
            "", "Integration rules, on the LSTM without n-grams (the n-gram path is exact): "
            "Gauss-Legendre with `n_steps` nodes, fixed (tolerance 0) or adaptive (the "
            "stretch of the path where the shares miss completeness most is halved until "
            "the gap is under `tolerance` times the score change, at most 16 times; the "
            "default is 2 nodes and 2%). Gap: |sum of attributions - (f(x) - f(baseline))| "
            "relative to |f(x) - f(baseline)|, over the held-out reviews. Token error: "
            f"relative L2 distance of the attributions to a near-exact reference (16 nodes, "
            f"0.2% tolerance), and the share of the reference's top {K} tokens found, on the "
            f"first {args.n_reference} reviews. Evaluations: gradient evaluations per review "
            "(each costs about a training pass over it).", "",
            "| n_steps | tolerance | evaluations (mean, max) | gap median | gap 90% | gap max "
            f"| token error median | token error 90% | top-{K} found | docs/s | docs per CPU-s |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for s in sweep:
            lines.append(
                f"| {s['n_steps']} | {s['tolerance']:g} | {s['mean_evaluations']:.1f}, "
                f"{s['max_evaluations']} | {100 * s['median_rel_gap']:.1f}% | "
                f"{100 * s['p90_rel_gap']:.1f}% | {100 * s['max_rel_gap']:.0f}% | "
                f"{100 * s['median_token_error']:.1f}% | {100 * s['p90_token_error']:.1f}% | "
                f"{100 * s[f'top{K}_overlap']:.0f}% | {s['docs_per_second']:,.1f} | "
                f"{s.get('docs_per_cpu_second', float('nan')):,.1f} |")
    Path(args.out + ".md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
