# %% [markdown]
# # What the main job keeps, and how fast a kept model predicts
#
# Runs ``sklearn-rnn compare`` on IMDB in quick mode (2,000 training reviews,
# the default rows; ``--epochs 1`` by default: the sizes and the prediction
# speed do not depend on the epochs), reads the size and the saving time of
# each kept model from ``best.json``, then times ``sklearn-rnn predict`` (a
# fresh process each: loading the file, reading the CSV, predicting, writing)
# on the 25,000 labelled IMDB reviews for the winner, the transfer row and the
# combined row.
#
#     python benchmarks/saved_models.py            # the tables of docs/main_job.rst
#     python benchmarks/saved_models.py --quick    # 300 reviews, tiny models: a minute
#
# Writes ``benchmarks/results/saved_models.json`` and ``.md``. IMDB's
# unlabelled reviews hold 14 of the held-out test reviews, so the run is
# ``--transductive`` (the sizes and speeds are the same).

# %%
import argparse
import csv
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import IMDB_ARCHIVE, RESULTS, machine


def _run(args, env):
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "sklearn_rnn", *map(str, args)], env=env,
                          capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"sklearn-rnn {args[0]} failed:\n{done.stderr[-3000:]}")
    return done, time.perf_counter() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="300 reviews, tiny models")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--n-predict", type=int, default=None,
                        help="reviews to predict (25,000; --quick: 2,000)")
    parser.add_argument("--machine-label", default="")
    args = parser.parse_args(argv)
    env = {**os.environ, "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1"),
           "MKL_NUM_THREADS": os.environ.get("MKL_NUM_THREADS", "1")}
    n_predict = args.n_predict or (2000 if args.quick else 25_000)
    tiny = (["--n-train", "300", "--n-test", "150", "--maxlen", "80", "--embedding-dim", "8",
             "--hidden-size", "8", "--unlabelled", "none"] if args.quick else
            ["--transductive"])
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "run"
        _, compare_seconds = _run(["compare", "--data", IMDB_ARCHIVE, "--out", out,
                                   "--epochs", args.epochs, "--no-plots", "--quiet", *tiny],
                                  env)
        best = json.loads((out / "best.json").read_text())
        from sklearn_rnn.datasets import load_imdb

        reviews = load_imdb(data_home=IMDB_ARCHIVE, n_samples=n_predict)
        data = Path(tmp) / "reviews.csv"
        with open(data, "w", newline="", encoding="utf-8") as f:
            csv.writer(f).writerows([["review", "sentiment"],
                                     *zip(reviews.data, reviews.target, strict=True)])
        predictions = []
        for target in (out, out / "models" / "transfer.skops",
                       out / "models" / "combined.skops"):
            done, seconds = _run(["predict", "--model", target, "--data", data, "--proba",
                                  "--out", Path(tmp) / "predictions.csv"], env)
            loaded = re.search(r"loaded in ([\d.]+) s", done.stderr)
            rate = re.search(r"predicted [\d,]+ documents in ([\d.]+) s", done.stderr)
            predictions.append({
                "model": "best.json (" + best["key"] + ")" if target == out else target.name,
                "documents": n_predict, "seconds": round(seconds, 1),
                "load_seconds": float(loaded.group(1)), "predict_seconds": float(rate.group(1)),
                "documents_per_second": round(n_predict / float(rate.group(1)))})
    record = {"machine": machine(args.machine_label), "quick": args.quick,
              "epochs": args.epochs, "compare_seconds": round(compare_seconds, 1),
              "saved": best["models"], "predict": predictions}
    name = "saved_models_quick" if args.quick else "saved_models"
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(record, indent=2))
    lines = ["| row | file | size (MB) | saving (s) | test accuracy |", "|---|---|---|---|---|"]
    lines += [f"| {m['name']} | {m.get('file', m.get('error'))} | "
              f"{m.get('bytes', 0) / 2**20:.1f} | {m.get('seconds', 0):.1f} | "
              f"{100 * m['accuracy']:.1f}% |" for m in best["models"]]
    lines += ["", "| predict --model | documents | load (s) | predict (s) | documents/s | "
              "command (s) |", "|---|---|---|---|---|---|"]
    lines += [f"| {p['model']} | {p['documents']:,} | {p['load_seconds']:.1f} | "
              f"{p['predict_seconds']:.1f} | {p['documents_per_second']:,} | "
              f"{p['seconds']:.1f} |" for p in predictions]
    m = record["machine"]
    lines += ["", f"{m['cpu']}, {m['cores']} cores, {m['memory']}; OMP_NUM_THREADS="
                  f"{env['OMP_NUM_THREADS']}; torch {m['torch']}."]
    (RESULTS / f"{name}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
