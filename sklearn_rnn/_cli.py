"""The ``sklearn-rnn`` command: ``sklearn-rnn compare`` runs the main job.

Trains an RNN, an LSTM and a TF-IDF + LogisticRegression baseline on the same
reviews, prints the comparison table, a classification report per model,
sample and misclassified reviews, and writes training curves, confusion
matrices and the table (CSV, JSON) into an output folder.
"""

import argparse
import csv
import json
import re
import sys
import time
from pathlib import Path

__all__ = ["main"]

TABLE_COLUMNS = [
    "model", "accuracy", "misclassified_rate", "accuracy_positive", "accuracy_negative",
    "macro_f1", "fit_seconds", "predict_seconds",
]


def _positive_int_or_all(text):
    if text == "all":
        return None
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a positive integer or 'all', got {text!r}"
        ) from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer or 'all', got {text!r}")
    return value


def build_parser():
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="sklearn-rnn",
        description="Recurrent-network text classifiers with a scikit-learn interface.",
    )
    parser.add_argument("--version", action="version", version=f"sklearn_rnn {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    cmp = sub.add_parser(
        "compare",
        help="train an RNN, an LSTM and a TF-IDF baseline and compare them",
        description=(
            "Train an RNN, an LSTM and a TF-IDF + LogisticRegression baseline on movie "
            "reviews and compare them: a table (accuracy, misclassified rate, accuracy "
            "on positive and negative reviews, macro F1, fit and predict time), "
            "classification reports, sample and misclassified reviews, training curves "
            "and confusion matrices (PNG) and the table (CSV, JSON). The defaults are a "
            "quick run on a CPU; use --n-train all --epochs 10 for the full dataset."
        ),
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    cmp.add_argument("--dataset", choices=["imdb", "movie_reviews"], default="imdb",
                     help="which corpus to use")
    cmp.add_argument("--data", default=None, metavar="PATH",
                     help="the dataset archive or extracted folder (default: look in "
                          "$SKLEARN_RNN_DATA or ~/sklearn_rnn_data, download if missing)")
    cmp.add_argument("--no-download", action="store_true",
                     help="fail instead of downloading a missing dataset")
    cmp.add_argument("--n-train", type=_positive_int_or_all, default=2000,
                     help="training reviews ('all' for every one)")
    cmp.add_argument("--n-test", type=_positive_int_or_all, default=1000,
                     help="test reviews ('all' for every one)")
    cmp.add_argument("--epochs", type=int, default=5, help="maximum training epochs")
    cmp.add_argument("--maxlen", type=int, default=300, help="tokens kept per review")
    cmp.add_argument("--max-features", type=int, default=20000, help="vocabulary size")
    cmp.add_argument("--embedding-dim", type=int, default=64)
    cmp.add_argument("--hidden-size", type=int, default=64)
    cmp.add_argument("--batch-size", type=int, default=64)
    cmp.add_argument("--lr", type=float, default=None,
                     help="learning rate (default: the classifiers' default)")
    cmp.add_argument("--device", default="auto", help="'auto', 'cpu' or 'cuda'")
    cmp.add_argument("--seed", type=int, default=0, help="random seed")
    cmp.add_argument("--out", default="sklearn_rnn_output", metavar="DIR",
                     help="folder for plots and tables")
    cmp.add_argument("--no-plots", action="store_true", help="skip the PNG files")
    cmp.add_argument("--quiet", action="store_true", help="no per-epoch progress")
    return parser


def _load(args):
    """Return train/test documents and labels, and a note on where test came from."""
    from .datasets import load_imdb_splits, load_movie_reviews

    if args.dataset == "imdb":
        splits = load_imdb_splits(("train", "test"), data_home=args.data,
                                  download_if_missing=not args.no_download,
                                  random_state=args.seed)
        train, test = splits["train"], splits["test"]
        if train is None:
            raise OSError(f"No IMDB train reviews found in {args.data}.")
        X, y = train.data, train.target
        if test is not None:
            X_test, y_test = test.data[: args.n_test], test.target[: args.n_test]
            n_train = len(X) if args.n_train is None else args.n_train
            return X[:n_train], y[:n_train], X_test, y_test, "the official IMDB test split"
    else:
        X, y = load_movie_reviews(data_home=args.data, return_X_y=True,
                                  download_if_missing=not args.no_download,
                                  random_state=args.seed)
    n_test = args.n_test or len(X) // 5
    n_train = len(X) - n_test if args.n_train is None else args.n_train
    if n_train + n_test > len(X):
        raise ValueError(
            f"--n-train {n_train} + --n-test {n_test} exceed the {len(X):,} labelled "
            "reviews available; lower them."
        )
    note = (f"no test split available: {n_test:,} held-out reviews of the train split "
            f"(disjoint from the {n_train:,} training reviews)")
    return (X[:n_train], y[:n_train], X[len(X) - n_test:], y[len(y) - n_test:], note)


def _models(args):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    from . import LSTMSentimentClassifier, RNNSentimentClassifier, TextVectorizer

    common = dict(
        embedding_dim=args.embedding_dim,
        hidden_size=args.hidden_size,
        batch_size=args.batch_size,
        max_epochs=args.epochs,
        early_stopping=True,
        device=args.device,
        verbose=0 if args.quiet else 1,
        random_state=args.seed,
    )
    if args.lr is not None:
        common["lr"] = args.lr

    def rnn_pipeline(cls, **params):
        return make_pipeline(
            TextVectorizer(maxlen=args.maxlen, max_features=args.max_features),
            cls(**common, **params),
        )

    return {
        "RNN": rnn_pipeline(RNNSentimentClassifier),
        "LSTM": rnn_pipeline(LSTMSentimentClassifier),
        "LSTM + n-grams": rnn_pipeline(LSTMSentimentClassifier, ngram_range=(1, 2)),
        "TF-IDF + LogReg": make_pipeline(
            TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True),
            LogisticRegression(max_iter=1000),
        ),
    }


#: Soft votes of models already fitted (no refit): name -> the two members.
VOTES = {"TF-IDF + LSTM n-grams (soft vote)": ("TF-IDF + LogReg", "LSTM + n-grams")}


def _vote(fitted, members, X_train, y_train):
    """``VotingClassifier(voting='soft')`` over fitted members, without refitting
    them (``FrozenEstimator``): the mean of their ``predict_proba``."""
    from sklearn.ensemble import VotingClassifier
    from sklearn.frozen import FrozenEstimator

    return VotingClassifier(
        [(name, FrozenEstimator(fitted[name])) for name in members], voting="soft"
    ).fit(X_train, y_train)


def _write_table(rows, out):
    keys = list(rows[0])
    with open(out / "comparison.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=keys)
        writer.writeheader()
        writer.writerows(rows)
    (out / "comparison.json").write_text(json.dumps(rows, indent=2))


def compare(args, stdout=None):
    """Run the comparison; returns the list of result rows."""
    from sklearn.metrics import classification_report

    from .evaluation import (
        evaluate_model,
        format_samples,
        format_table,
        plot_confusion_matrix,
        plot_training_curves,
        prediction_samples,
    )

    def say(*parts):
        print(*parts, file=stdout or sys.stdout, flush=True)

    X_train, y_train, X_test, y_test, note = _load(args)
    say(f"Data: {args.dataset}, {len(X_train):,} training and {len(X_test):,} test "
        f"reviews; test = {note}.")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    rows, fitted = [], {}
    for name, model in _models(args).items():
        say(f"\n== Training {name}")
        start = time.perf_counter()
        model.fit(X_train, y_train)
        fit_seconds = time.perf_counter() - start
        clf = model[-1] if hasattr(model, "steps") else model
        extra = f" on {clf.device_}, {len(clf.history_)} epochs" if hasattr(clf, "device_") else ""
        say(f"   fitted in {fit_seconds:.1f} s{extra}")
        rows.append(evaluate_model(model, X_test, y_test, name=name, fit_seconds=fit_seconds))
        fitted[name] = model
    for name, members in VOTES.items():
        model = _vote(fitted, members, X_train, y_train)
        fit_seconds = sum(r["fit_seconds"] for r in rows if r["model"] in members)
        rows.append(evaluate_model(model, X_test, y_test, name=name, fit_seconds=fit_seconds))
        fitted[name] = model

    say("\n== Comparison on the test reviews\n")
    columns = [c for c in TABLE_COLUMNS if c in rows[0]]
    say(format_table(rows, columns))
    for name, model in fitted.items():
        say(f"\n== Classification report: {name}\n")
        say(classification_report(y_test, model.predict(X_test), digits=3, zero_division=0))

    say("== Sample reviews (truth, then each model's prediction and confidence)\n")
    say(format_samples(prediction_samples(fitted, X_test, y_test, n=5,
                                          random_state=args.seed)))
    wrong = prediction_samples(fitted, X_test, y_test, n=5, misclassified=True,
                               random_state=args.seed)
    say(f"\n== Misclassified reviews ({len(wrong)} shown)\n")
    say(format_samples(wrong) if wrong else "none: every model got every review right")

    _write_table(rows, out)
    written = [out / "comparison.csv", out / "comparison.json"]
    if not args.no_plots:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        for name, model in fitted.items():
            slug = re.sub(r"[^a-z0-9]+", "_", name.lower().replace("-", "")).strip("_")
            if hasattr(model, "steps") and hasattr(model[-1], "history_"):
                fig = plot_training_curves(model, title=f"{name} training curves")
                fig.savefig(out / f"curves_{slug}.png", dpi=110)
                plt.close(fig)
                written.append(out / f"curves_{slug}.png")
            fig = plot_confusion_matrix(model, X_test, y_test, title=name)
            fig.savefig(out / f"confusion_{slug}.png", dpi=110)
            plt.close(fig)
            written.append(out / f"confusion_{slug}.png")
    say("\nWrote " + ", ".join(str(p) for p in written))
    return rows


def main(argv=None):
    """Entry point of the ``sklearn-rnn`` console script; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "compare":
        if args.epochs < 1:
            parser.error("--epochs must be at least 1")
        try:
            compare(args)
        except (OSError, ValueError) as exc:
            print(f"sklearn-rnn compare: error: {exc}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
