"""Prediction speed on CPU: what a user's ``predict`` costs, and the faster paths.

Trains the default LSTM pipeline (``make_pipeline(TextVectorizer(),
LSTMSentimentClassifier(ngram_range=None))``: the recurrent path alone, as the
hand-written loop; 2 epochs) on 20,000 IMDB train reviews, then
predicts the 5,000 held-out ones every way, in one process:

* ``predict_proba`` on token ids with prediction batches of 64 (the path
  before this release) and with the default (at least 256);
* the whole ``pipeline.predict_proba`` on raw text (vectorizing included);
* PyTorch dynamic int8 quantization of the LSTM and linear layers;
* ONNX Runtime, float (exact) and int8 (``export_onnx(..., quantize=True)``),
  on ids and on raw text (``sklearn_rnn.onnx``, tokenizing included);
* the hand-written loop (documents sorted by length, each batch pre-padded to
  its longest row, ``inference_mode``) at batches of 64 and 256, the floor to
  compare with.

Each row: reviews/s (best of 3 after a warm-up call), the ratio to the loop at
the same batch, the largest difference from ``predict_proba`` and the
held-out accuracy (the int8 rows must stay within 0.3 points), and peak memory
(RSS growth over the call). Writes ``benchmarks/results/predict_cpu.{json,md}``.

Usage::

    python benchmarks/predict.py --threads 2 --machine-label "2-core AMD EPYC (Zen 3) VM"
"""

import argparse
import copy
import json
import os
import resource
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import torch
from _common import IMDB_ARCHIVE, RESULTS
from sklearn.pipeline import make_pipeline

from sklearn_rnn import LSTMSentimentClassifier, TextVectorizer, export_onnx
from sklearn_rnn.datasets import load_imdb


def rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn, repeats=3):
    fn()  # warm-up
    before = rss_mb()
    best, peak, out = float("inf"), 0.0, None
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
        peak = max(peak, rss_mb() - before)
    return best, peak, out


def floor_predict(module, ids, lengths, batch_size):
    """The hand-written loop: sorted by length, each batch cut to its longest row."""
    order = np.argsort(lengths, kind="stable")
    out = np.empty((len(ids), 2))
    with torch.inference_mode():
        for a in range(0, len(order), batch_size):
            rows = order[a:a + batch_size]
            width = max(int(lengths[rows].max()), 1)
            batch = torch.as_tensor(ids[rows][:, ids.shape[1] - width:], dtype=torch.long)
            logits = module(batch, torch.as_tensor(lengths[rows]))
            out[rows] = torch.softmax(logits.double(), 1).numpy()
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(IMDB_ARCHIVE))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--machine-label", default="")
    parser.add_argument("--out", default=str(RESULTS / "predict_cpu"))
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    X, y = load_imdb(data_home=args.data, return_X_y=True)
    X_train, y_train, X_test, y_test = X[:20000], y[:20000], X[-5000:], np.asarray(y[-5000:])
    # the recurrent path alone, the network the hand-written loop runs
    pipe = make_pipeline(TextVectorizer(), LSTMSentimentClassifier(
        max_epochs=args.epochs, early_stopping=False, ngram_range=None, random_state=0))
    start = time.perf_counter()
    pipe.fit(X_train, y_train)
    fit_seconds = time.perf_counter() - start
    vec, clf = pipe[0], pipe[-1]
    ids = vec.transform(X_test)
    exact = clf.predict_proba(ids)
    rows = []

    def add(name, fn, batch=None, from_text=False):
        seconds, peak, proba = timed(fn)
        accuracy = float(np.mean(clf.classes_[proba.argmax(1)] == y_test))
        rows.append({"path": name, "batch": batch, "from_text": from_text,
                     "reviews_per_s": len(X_test) / seconds, "peak_mb": peak,
                     "max_abs_diff": float(np.abs(proba - exact).max()), "accuracy": accuracy})
        print(rows[-1], flush=True)

    module = clf.net_.module_.eval()
    lengths = ids.lengths
    for batch in (64, 256):
        add(f"hand-written loop, batch {batch}",
            lambda b=batch: floor_predict(module, np.asarray(ids), lengths, b), batch)
    add("ours, batch 64 (before)", lambda: clf.set_params(
        iterator_valid__batch_size=64).predict_proba(ids), 64)
    del clf.iterator_valid__batch_size  # back to the default
    add("ours, default (batch 256)", lambda: clf.predict_proba(ids), 256)
    add("ours: pipeline.predict_proba(texts)", lambda: pipe.predict_proba(X_test), 256, True)

    quantized = copy.deepcopy(clf)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        quantized.net_.module_ = torch.ao.quantization.quantize_dynamic(
            quantized.net_.module_, {torch.nn.LSTM, torch.nn.GRU, torch.nn.Linear},
            dtype=torch.qint8)
    add("PyTorch dynamic int8", lambda: quantized.predict_proba(ids), 256)

    import sklearn_rnn.onnx as sonnx

    folder = tempfile.mkdtemp()
    for quantize in (False, True):
        path = export_onnx(pipe, os.path.join(folder, f"model_{quantize}.onnx"),
                           quantize=quantize)
        model = sonnx.load(path, threads=args.threads)
        model.batch_size = 256
        kind = "int8" if quantize else "float"
        add(f"ONNX Runtime {kind}", lambda m=model: m.predict_proba_ids(np.asarray(ids),
                                                                        lengths), 256)
        add(f"ONNX Runtime {kind}: predict_proba(texts)",
            lambda m=model: m.predict_proba(X_test), 256, True)

    floors = {r["batch"]: r["reviews_per_s"] for r in rows if r["path"].startswith("hand")}
    for r in rows:
        r["vs_loop"] = r["reviews_per_s"] / floors[256 if r["batch"] != 64 else 64]
    result = {"machine": args.machine_label, "threads": args.threads, "torch": torch.__version__,
              "fit_seconds": round(fit_seconds, 1), "n_test": len(X_test),
              "exact_accuracy": float(np.mean(clf.classes_[exact.argmax(1)] == y_test)),
              "rows": rows}
    Path(args.out + ".json").write_text(json.dumps(result, indent=1))
    lines = [
        "# Prediction speed, CPU", "",
        f"Machine: {args.machine_label}, {args.threads} torch threads, torch {torch.__version__}. "
        "Default LSTM pipeline (embedding 128, LSTM 128, max pooling) trained on 20,000 IMDB "
        f"reviews ({args.epochs} epochs); predicting the 5,000 held-out ones "
        f"(accuracy {100 * result['exact_accuracy']:.2f}%). Best of 3 calls after a warm-up.",
        "", "| path | batch | reviews/s | ÷ loop | max |Δp| | accuracy | peak MB |",
        "|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['path']} | {r['batch']} | {r['reviews_per_s']:,.0f} | "
                     f"{r['vs_loop']:.2f}x | {r['max_abs_diff']:.1e} | "
                     f"{100 * r['accuracy']:.2f}% | {r['peak_mb']:,.0f} |")
    Path(args.out + ".md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
