"""The main job, in the order it runs: data, the run folder (checked before
any training), vectors, each model (fitted, its test documents predicted
once, its row written at once), the rows built on others (votes, the combined
row), the majority-class baseline, the terminal report, explanations, the
learning curve, figures and the report page.
"""

import re
import time
import warnings
from contextlib import contextmanager

import numpy as np

from ._data import load_comparison_data
from ._models import (
    BLENDS,
    MODELS,
    VOTES,
    WORD2VEC_MODELS,
    held_out_stack,
    make_models,
    resolve_vectors,
    row_name,
)
from ._outputs import RunFolder
from ._progress import EpochProgress, Reporter

__all__ = ["compare"]

#: A model whose test accuracy is within this of always predicting the most
#: frequent class, or that predicts one class for this share of the test
#: documents, is called out as near chance.
NEAR_CHANCE_MARGIN, ONE_CLASS_SHARE = 0.02, 0.95
#: Misclassified documents shown (with highlights) in the report, at most.
MAX_REPORT_MISCLASSIFIED = 300
#: Errors that fail one model, not the whole run (the row says why).
_MODEL_ERRORS = (MemoryError, ValueError, RuntimeError, FloatingPointError, OSError)


def _slug(name):
    return re.sub(r"[^a-z0-9]+", "_", name.lower().replace("-", "")).strip("_")


def _keys(requested):
    """The ``--models`` keys in training order: the members of votes and blends
    that were not asked for come first."""
    keys = list(dict.fromkeys(requested))
    members = [m for k in keys for m in (*VOTES.get(k, ()), *BLENDS.get(k, ()))]
    missing = [m for m in dict.fromkeys(members) if m not in keys]
    return [*sorted(missing, key=list(MODELS).index), *keys]


def _inputs(args):
    paths = list(args.data or [])
    paths += [p for p in (args.test_data, args.unlabelled) if p and p not in ("auto", "unsup",
                                                                             "none")]
    return paths


def _settings(args, data, vectors, folder):
    keep = ("models", "epochs", "maxlen", "max_features", "embedding_dim", "hidden_size",
            "batch_size", "lr", "device", "seed", "tokenizer", "vectors", "transductive",
            "unlabelled", "format", "header")
    settings = {key: getattr(args, key, None) for key in keep}
    settings.update(
        data=", ".join(map(str, args.data)) if args.data else data.name, dataset=data.name,
        test=data.test_note, n_train=len(data.X_train), n_test=len(data.X_test),
        text_column=data.text_column, label_column=data.label_column,
        labels=[str(label) for label in data.labels], details=data.details,
        transfer_vectors=vectors.description if vectors is not None else None,
        unlabelled_text=data.unlabelled_note, out=str(folder.path),
    )
    return settings


def _fit_label(clf):
    history = getattr(clf, "history_", None)
    if history is None:
        return ""
    epochs = len(history)
    kept = ""
    if getattr(clf, "early_stopping_", False):
        best = [row["epoch"] for row in history if row.get("valid_acc_best")]
        if best:
            kept = f", kept epoch {best[-1]}"
    coverage = getattr(clf, "embeddings_report_", None)
    coverage = f", vectors {coverage}" if coverage is not None else ""
    return f" on {clf.device_}, {epochs} epoch{'s' if epochs != 1 else ''}{kept}{coverage}"


def _near_chance(row, pred, majority):
    if row.get("accuracy") is None:
        return None
    values, counts = np.unique(pred, return_counts=True)
    top = counts.max() / counts.sum()
    if top >= ONE_CLASS_SHARE:
        return (f"{row['model']} predicts {values[counts.argmax()]!r} for {100 * top:.0f}% of "
                "the test documents: it has learnt little more than the majority class.")
    if row["accuracy"] <= majority + NEAR_CHANCE_MARGIN:
        return (f"{row['model']} is within {100 * NEAR_CHANCE_MARGIN:.0f} points of always "
                f"predicting the most frequent class ({100 * majority:.1f}%).")
    return None


def compare(args, stdout=None):
    """Run the comparison described by the parsed ``args``; return the result rows."""
    from sklearn.metrics import classification_report

    from ..evaluation import evaluate_model, format_samples, format_table, prediction_samples

    reporter = Reporter(stdout, quiet=args.quiet)
    say = reporter.say
    started = time.perf_counter()
    keys = _keys(args.models)
    data = load_comparison_data(args)
    n_classes = len(data.labels)
    say(f"Data: {data.name}, {len(data.X_train):,} training and {len(data.X_test):,} test "
        f"documents, {n_classes} classes; test = {data.test_note}.")
    for line in data.details:
        say(f"   {line}")
    folder = RunFolder(args.out, _inputs(args), overwrite=args.overwrite)
    if folder.note:
        say(f"   {folder.note}")
    notes = []

    from .. import TextVectorizer

    analyzer_vectorizer = TextVectorizer(maxlen=args.maxlen, max_features=args.max_features,
                                         tokenizer=args.tokenizer)
    vectors = own = None
    if any(k in keys for k in ("transfer", *BLENDS)):
        vectors = resolve_vectors(args, data, analyzer_vectorizer, say)
        if vectors.note:
            notes.append(vectors.note)
    if any(k in keys for k in WORD2VEC_MODELS):
        own = (vectors.embeddings if vectors is not None
               and vectors.description == "word2vec (own text)" else
               resolve_vectors(_as_own(args), data, analyzer_vectorizer, say).embeddings)
    names = {key: row_name(key, vectors) for key in keys}
    plain = [k for k in keys if k not in VOTES and k not in BLENDS]
    built = [k for k in keys if k not in plain]
    say(f"Plan: train {len(plain)} models ({', '.join(names[k] for k in plain)})"
        + (f", then {', '.join(names[k] for k in built)}" if built else "")
        + f", and a majority-class baseline; each row is written to {folder.path} as soon "
        "as it is scored, report.html at the end.")

    def callbacks(key, label=None):
        position = plain.index(key) + 1 if key in plain else None
        label = label or f"[{position}/{len(plain)}] {names.get(key, key)}"
        return [("progress", EpochProgress(reporter, label))]

    factories = make_models(args, plain, vectors, own, callbacks)
    settings = _settings(args, data, vectors, folder)
    y_train, y_test = np.asarray(data.y_train), np.asarray(data.y_test)
    rows, fitted, probas, preds = [], {}, {}, {}

    def record(key, row, pred=None):
        rows.append(row)
        if pred is not None:
            preds[key] = pred
        folder.write_tables(rows, settings)

    for position, key in enumerate(plain, 1):
        name = names[key]
        say(f"\n== [{position}/{len(plain)}] Training {name}")
        model = factories[key]()
        start = time.perf_counter()
        try:
            with _said_warnings(say):
                model.fit(data.X_train, y_train)
        except _MODEL_ERRORS as exc:
            message = f"{type(exc).__name__}: {exc}".splitlines()[0]
            say(f"   failed after {time.perf_counter() - start:.1f} s: {message}")
            record(key, {"model": name, "error": message})
            continue
        fit_seconds = time.perf_counter() - start
        clf = model[-1] if hasattr(model, "steps") else model
        t = time.perf_counter()
        proba = np.asarray(model.predict_proba(data.X_test))  # the one prediction pass
        predict_seconds = time.perf_counter() - t
        classes = clf.classes_
        pred = classes[proba.argmax(axis=1)]
        row = evaluate_model(model, data.X_test, y_test, name=name, fit_seconds=fit_seconds,
                             y_pred=pred, predict_seconds=predict_seconds, labels=data.labels)
        fitted[key], probas[key] = model, proba
        record(key, row, pred)
        say(f"   fitted in {fit_seconds:.1f} s{_fit_label(clf)}; test accuracy "
            f"{100 * row['accuracy']:.1f}% ({len(data.X_test):,} documents predicted in "
            f"{predict_seconds:.1f} s); {time.perf_counter() - started:.0f} s since the start")

    classes = np.unique(y_train)
    for key in keys:
        if key in VOTES or key in BLENDS:
            members = (VOTES.get(key) or BLENDS[key])
            name = names[key]
            lost = [names[m] for m in members if m not in probas]
            if lost:
                record(key, {"model": name, "error": f"needs {', '.join(lost)}, which failed"})
                continue
            fit_seconds = sum(r.get("fit_seconds") or 0 for r in rows
                              if r["model"] in [names[m] for m in members])
            if key in VOTES:
                proba = 0.5 * probas[members[0]] + 0.5 * probas[members[1]]
                detail = "the mean of its members' probabilities"
            else:
                say(f"\n== {name}: stacking {names[members[0]]} and {names[members[1]]} "
                    "on held-out training documents")
                start = time.perf_counter()
                member_factories = [_quiet(factories[m], reporter, f"[{key}] {names[m]}")
                                    for m in members]
                try:
                    with _said_warnings(say):
                        stacker, scores = held_out_stack(member_factories, data.X_train,
                                                         y_train, args.seed)
                except _MODEL_ERRORS as exc:
                    message = f"{type(exc).__name__}: {exc}".splitlines()[0]
                    say(f"   failed: {message}")
                    record(key, {"model": name, "error": message})
                    continue
                fit_seconds += time.perf_counter() - start
                how = stacker.describe([names[m] for m in members])
                if stacker.alone_ is None:
                    how = f"logistic regression on the members' log-odds ({how})"
                detail = (f"{how}; fitted on {scores['n_held_out']:,} held-out training "
                          f"documents predicted by copies trained on the rest (held-out "
                          f"accuracy: members "
                          f"{', '.join(f'{100 * a:.1f}%' for a in scores['members'])}, "
                          f"the stack {100 * scores['stack']:.1f}% in 5-fold "
                          "cross-validation)")
                say(f"   {detail}")
                proba = stacker.predict_proba([probas[m] for m in members])
            pred = classes[proba.argmax(axis=1)]
            row = evaluate_model(None, data.X_test, y_test, name=name, fit_seconds=fit_seconds,
                                 y_pred=pred, predict_seconds=sum(
                                     r.get("predict_seconds") or 0 for r in rows
                                     if r["model"] in [names[m] for m in members]),
                                 labels=data.labels)
            row["combination"] = detail
            probas[key] = proba
            fitted[key] = _Combined(classes)
            record(key, row, pred)

    # the baseline every model must beat
    values, counts = np.unique(y_train, return_counts=True)
    majority_label = values[counts.argmax()]
    majority = evaluate_model(None, data.X_test, y_test, name="Majority class (baseline)",
                              y_pred=np.full(len(y_test), majority_label, dtype=object
                                             if y_test.dtype == object else y_test.dtype),
                              labels=data.labels)
    majority.update(fit_seconds=None, predict_seconds=None, predict_docs_per_second=None)
    record("majority", majority)
    for key, pred in preds.items():
        row = next(r for r in rows if r["model"] == names[key])
        warning = _near_chance(row, pred, majority["accuracy"])
        if warning:
            notes.append(warning)

    from ._present import print_report, write_outputs

    print_report(say, rows, fitted, names, probas, preds, data, args, notes,
                 classification_report, format_table, format_samples, prediction_samples)
    write_outputs(reporter, folder, rows, settings, fitted, names, probas, preds, data, args,
                  notes, factories, vectors, started)
    return rows


@contextmanager
def _said_warnings(say):
    """The library's warnings during a fit, said once each as plain lines."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield
        finally:
            for message in dict.fromkeys(str(w.message) for w in caught
                                         if not issubclass(w.category, DeprecationWarning)):
                say(f"   warning: {message}")


class _Combined:
    """What the report needs of a vote or blend: its classes."""

    def __init__(self, classes):
        self.classes_ = classes


def _quiet(make, reporter, label):
    """``make`` with its progress reported under ``label`` (the combined row's
    held-out fits)."""

    def factory():
        model = make()
        if hasattr(model, "steps") and hasattr(model[-1], "callbacks"):
            model[-1].set_params(callbacks=[("progress", EpochProgress(reporter, label))])
        return model

    return factory


def _as_own(args):
    """``args`` asking for word2vec on the job's own text."""
    import copy

    own = copy.copy(args)
    own.vectors = "own"
    return own
