"""The main job behind ``sklearn-rnn compare``: recurrent models against TF-IDF.

Loads the data (IMDB, movie_reviews, or the user's own CSV/TSV/JSON
lines/Parquet file or folder per class), trains the chosen models on the same
training documents, and reports on the same test documents: a table, a
classification report per model, sample and misclassified documents, and
files (the table as CSV and JSON with the settings, training curves,
confusion matrices and one figure comparing the models).
"""

import csv
import json
import re
import sys
import tarfile
import time
import zipfile
from pathlib import Path

import numpy as np

__all__ = ["MODELS", "DEFAULT_MODELS", "compare", "load_comparison_data"]

#: ``--models`` name -> row name.
MODELS = {
    "rnn": "RNN",
    "lstm": "LSTM",
    "gru": "GRU",
    "bilstm": "Bidirectional LSTM",
    "lstm-ngrams": "LSTM + n-grams",
    "lstm-w2v": "LSTM + word2vec",
    "lstm-ngrams-w2v": "LSTM + n-grams + word2vec",
    "tfidf": "TF-IDF + LogReg",
    "vote": "TF-IDF + LSTM n-grams (soft vote)",
    "vote-w2v": "TF-IDF + LSTM n-grams + word2vec (soft vote)",
    "stack": "TF-IDF + LSTM n-grams + word2vec (stacking)",
}
DEFAULT_MODELS = ("rnn", "lstm", "lstm-ngrams", "tfidf", "vote")
#: --n-train 'quick' on IMDB and movie_reviews (all documents of the user's own data)
QUICK_N_TRAIN = 2000
#: Soft votes of rows already fitted (no refit): name -> its two members.
VOTES = {"vote": ("tfidf", "lstm-ngrams"), "vote-w2v": ("tfidf", "lstm-ngrams-w2v")}
#: Rows that train word2vec on the unlabelled and training documents first.
WORD2VEC_MODELS = ("lstm-w2v", "lstm-ngrams-w2v", "stack")


def _kind_of(args):
    """'imdb', 'movie_reviews' or 'file': what --data / --dataset point at."""
    if args.dataset is not None:
        return args.dataset
    if args.data is None:
        return "imdb"
    path = Path(args.data)
    name = path.name.lower()
    if name.endswith((".tar.gz", ".tgz", ".tar")) or name == "aclimdb":
        return "imdb"
    if name.endswith(".zip") or name == "movie_reviews":
        return "movie_reviews"
    return "file"


def _columns(value):
    if value is None or "," not in value:
        return value
    return value.split(",")


def _load_file(path, args):
    from .datasets import load_text_dataset

    return load_text_dataset(path, text_column=_columns(args.text_column),
                             label_column=args.label_column)


def _holdout(X, y, args, source):
    from sklearn.model_selection import train_test_split

    n = len(X)
    n_test = args.n_test or max(1, int(round(args.test_size * n)))
    n_train = n - n_test if args.n_train is None else args.n_train
    if n_train + n_test > n:
        raise ValueError(
            f"--n-train {n_train:,} + {n_test:,} test documents exceed the {n:,} labelled "
            "documents available; lower them."
        )
    _, counts = np.unique(y, return_counts=True)
    stratify = y if counts.min() >= 2 else None
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=n_test, train_size=n_train, random_state=args.seed, stratify=stratify)
    note = (f"no test split given: {n_test:,} documents held out of {source} (stratified, "
            f"disjoint from the {n_train:,} training documents)")
    return list(X_train), np.asarray(y_train), list(X_test), np.asarray(y_test), note


def load_comparison_data(args):
    """``(X_train, y_train, X_test, y_test, note, name, unlabelled)`` for ``args``."""
    from .datasets import load_imdb_splits, load_movie_reviews

    kind = _kind_of(args)
    if args.n_train == "quick":
        args.n_train = None if kind == "file" else QUICK_N_TRAIN
    unlabelled = None
    try:
        if kind == "imdb":
            wanted = ("train", "test", "unsup") if args.unlabelled == "unsup" else ("train", "test")
            splits = load_imdb_splits(wanted, data_home=args.data,
                                      download_if_missing=not args.no_download,
                                      random_state=args.seed)
            train, test = splits["train"], splits["test"]
            if train is None:
                raise OSError(f"No IMDB train reviews found in {args.data}.")
            if "unsup" in splits and splits["unsup"] is not None:
                unlabelled = splits["unsup"].data
            X, y, name = train.data, np.asarray(train.target), "IMDB"
            if test is not None and args.test_data is None:
                n_train = len(X) if args.n_train is None else args.n_train
                n_test = args.n_test or len(test.data)
                return (X[:n_train], y[:n_train], test.data[:n_test],
                        np.asarray(test.target[:n_test]), "the official IMDB test split",
                        name, unlabelled)
        elif kind == "movie_reviews":
            X, y = load_movie_reviews(data_home=args.data, return_X_y=True,
                                      download_if_missing=not args.no_download,
                                      random_state=args.seed)
            name = "movie_reviews"
        else:
            data = _load_file(args.data, args)
            X, y, name = data.data, data.target, Path(args.data).name
            args.text_column_used = data.text_column
            args.label_column_used = data.label_column
    except (tarfile.TarError, zipfile.BadZipFile, EOFError, UnicodeDecodeError) as exc:
        raise ValueError(
            f"Could not read {args.data} as {kind} data ({type(exc).__name__}: {exc}). For "
            "your own data give a .csv, .tsv, .jsonl, .json or .parquet file or a folder "
            "with one sub-folder per class; for IMDB the aclImdb_v1.tar.gz archive."
        ) from None
    if args.unlabelled not in (None, "unsup"):
        unlabelled = _load_unlabelled(args.unlabelled, args)
    if args.test_data is not None:
        test = _load_file(args.test_data, args)
        n_train = len(X) if args.n_train is None else args.n_train
        return (list(X[:n_train]), np.asarray(y[:n_train]), test.data, test.target,
                f"the documents of {args.test_data}", name, unlabelled)
    return (*_holdout(X, np.asarray(y), args, name), name, unlabelled)


def _load_unlabelled(path, args):
    """Documents for word2vec: one per line of a .txt file, or a dataset file's text."""
    path = Path(path)
    if path.suffix.lower() == ".txt":
        return [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    from .datasets import load_text_dataset

    columns = _columns(args.text_column)
    try:
        return load_text_dataset(path, text_column=columns, label_column=args.label_column).data
    except ValueError:  # unlabelled files have no label column: take the text only
        return load_text_dataset(path, text_column=columns or None,
                                 label_column=None).data


def _models(args, names, unlabelled, X_train):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    from . import PretrainedEmbeddings, RecurrentTextClassifier, TextVectorizer, train_word2vec

    common = dict(
        embedding_dim=args.embedding_dim, hidden_size=args.hidden_size,
        batch_size=args.batch_size, max_epochs=args.epochs, early_stopping=True,
        device=args.device, verbose=0 if args.quiet else 1, random_state=args.seed,
    )
    if args.lr is not None:
        common["lr"] = args.lr

    def vectorizer():
        return TextVectorizer(maxlen=args.maxlen, max_features=args.max_features,
                              tokenizer=args.tokenizer)

    def rnn(**params):
        return make_pipeline(vectorizer(), RecurrentTextClassifier(**{**common, **params}))

    # the recurrent rows alone (the main job compares cells), then with n-grams
    factories = {
        "rnn": lambda: rnn(cell="rnn", ngram_range=None),
        "lstm": lambda: rnn(cell="lstm", ngram_range=None),
        "gru": lambda: rnn(cell="gru", ngram_range=None),
        "bilstm": lambda: rnn(cell="lstm", bidirectional=True, ngram_range=None),
        "lstm-ngrams": lambda: rnn(cell="lstm", ngram_range=(1, 2)),
        "tfidf": lambda: make_pipeline(
            TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True,
                            tokenizer=vectorizer().build_analyzer()
                            if args.tokenizer else None,
                            token_pattern=None if args.tokenizer else r"(?u)\b\w\w+\b"),
            LogisticRegression(max_iter=1000),
        ),
    }
    if set(names) & set(WORD2VEC_MODELS):
        texts = list(unlabelled or []) + list(X_train)
        vectors = train_word2vec(texts, vectorizer=vectorizer(), vector_size=100,
                                 min_count=2, epochs=5, random_state=args.seed)
        w2v = dict(embeddings=PretrainedEmbeddings(vectors), freeze_embeddings=True)
        factories["lstm-w2v"] = lambda: rnn(cell="lstm", ngram_range=None, **w2v)
        # the best single recipe of benchmarks/recipes.py at 2,000 IMDB reviews
        factories["lstm-ngrams-w2v"] = lambda: rnn(cell="lstm", ngram_range=(1, 2), **w2v)
        factories["stack"] = lambda: _stack(
            [("tfidf", factories["tfidf"]()), ("lstm", factories["lstm-ngrams-w2v"]())],
            args.seed)
    return {name: factories[name]() for name in names if name not in VOTES}


def _stack(members, seed):
    """``StackingClassifier`` (3-fold, on ``predict_proba``) over ``members``
    with a LogisticRegression on top: every member is refitted per fold."""
    from sklearn.ensemble import StackingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    return StackingClassifier(
        members, final_estimator=LogisticRegression(), stack_method="predict_proba",
        cv=StratifiedKFold(3, shuffle=True, random_state=seed))


def _vote(fitted, members, X_train, y_train):
    """``VotingClassifier(voting='soft')`` over fitted members, without refitting
    them (``FrozenEstimator``): the mean of their ``predict_proba``."""
    from sklearn.ensemble import VotingClassifier
    from sklearn.frozen import FrozenEstimator

    return VotingClassifier(
        [(name, FrozenEstimator(fitted[name])) for name in members], voting="soft"
    ).fit(X_train, y_train)


def _slug(name):
    return re.sub(r"[^a-z0-9]+", "_", name.lower().replace("-", "")).strip("_")


def _settings(args, name, note, n_train, n_test):
    keep = ("models", "epochs", "maxlen", "max_features", "embedding_dim", "hidden_size",
            "batch_size", "lr", "device", "seed", "tokenizer", "text_column", "label_column",
            "unlabelled")
    settings = {key: getattr(args, key, None) for key in keep}
    settings.update(data=str(args.data) if args.data else name, dataset=name, test=note,
                    n_train=n_train, n_test=n_test,
                    text_column=getattr(args, "text_column_used", args.text_column),
                    label_column=getattr(args, "label_column_used", args.label_column))
    return settings


def _write_tables(rows, settings, out):
    keys = list(dict.fromkeys(k for row in rows for k in row))
    with open(out / "comparison.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=keys)
        writer.writeheader()
        writer.writerows(rows)
    (out / "comparison.json").write_text(
        json.dumps({"settings": settings, "results": rows}, indent=2, default=str),
        encoding="utf-8")
    return [out / "comparison.csv", out / "comparison.json"]


def _plots(fitted, rows, X_test, y_test, out):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .evaluation import plot_comparison, plot_confusion_matrix, plot_training_curves

    written = []
    fig = plot_comparison(rows)
    fig.savefig(out / "comparison.png", dpi=110)
    plt.close(fig)
    written.append(out / "comparison.png")
    for name, model in fitted.items():
        slug = _slug(name)
        if hasattr(model, "steps") and hasattr(model[-1], "history_"):
            fig = plot_training_curves(model, title=f"{name} training curves")
            fig.savefig(out / f"curves_{slug}.png", dpi=110)
            plt.close(fig)
            written.append(out / f"curves_{slug}.png")
        fig = plot_confusion_matrix(model, X_test, y_test, title=name, normalize="true")
        fig.savefig(out / f"confusion_{slug}.png", dpi=110)
        plt.close(fig)
        written.append(out / f"confusion_{slug}.png")
    return written


def compare(args, stdout=None):
    """Run the comparison described by the parsed ``args``; return the result rows."""
    from sklearn.metrics import classification_report

    from .evaluation import evaluate_model, format_samples, format_table, prediction_samples

    def say(*parts):
        print(*parts, file=stdout or sys.stdout, flush=True)

    names = list(dict.fromkeys(args.models))
    missing_members = {m for v in names if v in VOTES for m in VOTES[v]} - set(names)
    names = [*sorted(missing_members, key=list(MODELS).index), *names]
    X_train, y_train, X_test, y_test, note, source, unlabelled = load_comparison_data(args)
    w2v_names = [n for n in names if n in WORD2VEC_MODELS]
    if w2v_names and unlabelled is None:
        say(f"   note: {', '.join(w2v_names)} without --unlabelled trains word2vec on the "
            "training documents only")
    classes = np.unique(np.concatenate([np.asarray(y_train), np.asarray(y_test)]))
    say(f"Data: {source}, {len(X_train):,} training and {len(X_test):,} test documents, "
        f"{len(classes)} classes; test = {note}.")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    rows, fitted = [], {}
    for key, model in _models(args, names, unlabelled, X_train).items():
        name = MODELS[key]
        say(f"\n== Training {name}")
        start = time.perf_counter()
        model.fit(X_train, y_train)
        fit_seconds = time.perf_counter() - start
        clf = model[-1] if hasattr(model, "steps") else model
        extra = ""
        if hasattr(clf, "history_"):
            epochs = len(clf.history_)
            extra = f" on {clf.device_}, {epochs} epoch{'s' if epochs != 1 else ''}"
        say(f"   fitted in {fit_seconds:.1f} s{extra}")
        rows.append(evaluate_model(model, X_test, y_test, name=name, fit_seconds=fit_seconds))
        fitted[name] = model
    for key in names:
        if key in VOTES:
            members = [MODELS[m] for m in VOTES[key]]
            model = _vote(fitted, members, X_train, y_train)
            fit_seconds = sum(r["fit_seconds"] for r in rows if r["model"] in members)
            rows.append(evaluate_model(model, X_test, y_test, name=MODELS[key],
                                       fit_seconds=fit_seconds))
            fitted[MODELS[key]] = model

    say("\n== Comparison on the test documents\n")
    columns = ["model", "accuracy", "misclassified_rate"]
    if len(classes) <= 10:
        columns += [f"accuracy_{c}" for c in classes]
    columns += ["macro_f1", "fit_seconds", "predict_seconds"]
    say(format_table(rows, [c for c in columns if c in rows[0]]))
    for name, model in fitted.items():
        say(f"\n== Classification report: {name}\n")
        say(classification_report(y_test, model.predict(X_test), digits=3, zero_division=0))
    say("== Sample documents (truth, then each model's prediction and confidence)\n")
    say(format_samples(prediction_samples(fitted, X_test, y_test, n=5, random_state=args.seed)))
    wrong = prediction_samples(fitted, X_test, y_test, n=5, misclassified=True,
                               random_state=args.seed)
    say(f"\n== Misclassified documents ({len(wrong)} shown)\n")
    say(format_samples(wrong) if wrong else "none: every model got every document right")

    settings = _settings(args, source, note, len(X_train), len(X_test))
    written = _write_tables(rows, settings, out)
    if not args.no_plots:
        written += _plots(fitted, rows, X_test, y_test, out)
    say("\nWrote " + ", ".join(str(p) for p in written))
    return rows
