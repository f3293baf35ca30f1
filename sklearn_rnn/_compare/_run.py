"""The main job, in the order it runs: data, the run folder and the options
that need the data (checked before any training), vectors, each model
(fitted, its test documents predicted once, its row written at once), the
rows built on others (votes, the combined row), the majority-class baseline,
the terminal report, the learning curve, and the files.
"""

import time
from dataclasses import replace

import numpy as np
from sklearn.dummy import DummyClassifier

from .._text._vectorizer import TextVectorizer
from ..evaluation import evaluate_model
from ._curve import curve_sizes, learning_curve
from ._data import load_comparison_data
from ._models import (
    BLENDS,
    VOTES,
    WORD2VEC_MODELS,
    combined_model,
    make_models,
    ngram_init_for,
    resolve_vectors,
    row_name,
    vote_model,
)
from ._outputs import RunFolder
from ._present import print_report, write_outputs
from ._progress import EpochProgress, Reporter, said_warnings, with_progress
from ._results import Result, Run
from ._save import forget_saved, save_models
from ._settings import MODELS

__all__ = ["compare", "MODEL_ERRORS"]

#: Errors that fail one model, not the whole run (the row says why).
MODEL_ERRORS = (MemoryError, ValueError, RuntimeError, FloatingPointError, OSError)


def _training_order(requested):
    """The ``--models`` keys in training order: the members of votes and
    blends that were not asked for come first."""
    keys = list(dict.fromkeys(requested))
    members = [m for k in keys for m in (*VOTES.get(k, ()), *BLENDS.get(k, ()))]
    missing = [m for m in dict.fromkeys(members) if m not in keys]
    return [*sorted(missing, key=list(MODELS).index), *keys]


def _inputs(settings):
    """The files the run reads (never overwritten by its outputs)."""
    paths = list(settings.data or [])
    paths += [p for p in (settings.test_data, settings.unlabelled)
              if p and p not in ("auto", "unsup", "none")]
    return paths


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


def _failed(key, name, exc, say, seconds=None):
    message = f"{type(exc).__name__}: {exc}".splitlines()[0]
    say(f"   failed after {seconds:.1f} s: {message}" if seconds is not None
        else f"   failed: {message}")
    return Result(key, name, {"model": name, "error": message})


def _fit_and_score(run, key, model, say):
    """Fit ``model`` on the training documents and predict the test
    documents once: its :class:`Result`."""
    data, name = run.data, run.names[key]
    y_train, y_test = np.asarray(data.y_train), np.asarray(data.y_test)
    start = time.perf_counter()
    try:
        with said_warnings(say):
            model.fit(data.X_train, y_train)
    except MODEL_ERRORS as exc:
        return _failed(key, name, exc, say, time.perf_counter() - start)
    fit_seconds = time.perf_counter() - start
    clf = model[-1] if hasattr(model, "steps") else model
    t = time.perf_counter()
    proba = np.asarray(model.predict_proba(data.X_test))  # the one prediction pass
    predict_seconds = time.perf_counter() - t
    pred = clf.classes_[proba.argmax(axis=1)]
    row = evaluate_model(model, data.X_test, y_test, name=name, fit_seconds=fit_seconds,
                         y_pred=pred, predict_seconds=predict_seconds, labels=data.labels)
    say(f"   fitted in {fit_seconds:.1f} s{_fit_label(clf)}; test accuracy "
        f"{100 * row['accuracy']:.1f}% ({len(data.X_test):,} documents predicted in "
        f"{predict_seconds:.1f} s); {time.perf_counter() - run.started:.0f} s since the start")
    return Result(key, name, row, model=model, proba=proba, pred=pred)


def _combine(run, key, factories, reporter):
    """A vote or the combined row, from members already fitted and scored."""
    data, name, say = run.data, run.names[key], reporter.say
    members = VOTES.get(key) or BLENDS[key]
    lost = [run.names[m] for m in members
            if m not in run.results or not run.results[m].contender]
    if lost:
        return Result(key, name, {"model": name, "error": f"needs {', '.join(lost)}, which "
                                                          "failed"})
    fitted = [run.results[m] for m in members]
    y_train = np.asarray(data.y_train)
    fit_seconds = sum(r.row.get("fit_seconds") or 0 for r in fitted)
    if key in VOTES:
        model = vote_model([(m.key, m.model) for m in fitted], data.X_train, y_train)
        proba = 0.5 * fitted[0].proba + 0.5 * fitted[1].proba
        detail = "the mean of its members' probabilities"
    else:
        say(f"\n== {name}: stacking {' and '.join(r.name for r in fitted)} on held-out "
            "training documents")
        start = time.perf_counter()
        model = combined_model(
            [(m, with_progress(factories[m](), reporter, f"[{key}] {run.names[m]}"))
             for m in members], run.settings)
        try:
            with said_warnings(say):
                model.fit(data.X_train, y_train, fitted_estimators=[r.model for r in fitted])
        except MODEL_ERRORS as exc:
            return _failed(key, name, exc, say)
        fit_seconds += time.perf_counter() - start
        scores = model.holdout_scores_
        how = model.describe([r.name for r in fitted])
        if model.alone_ is None:
            how = f"logistic regression on the members' log-odds ({how})"
        detail = (f"{how}; fitted on {scores['n_held_out']:,} held-out training documents "
                  f"predicted by copies trained on the rest (held-out accuracy: members "
                  f"{', '.join(f'{100 * a:.1f}%' for a in scores['members'])}, the stack "
                  f"{100 * scores['stack']:.1f}% in 5-fold cross-validation)")
        say(f"   {detail}")
        proba = model.combine([r.proba for r in fitted])
    pred = model.classes_[proba.argmax(axis=1)]
    row = evaluate_model(None, data.X_test, data.y_test, name=name, fit_seconds=fit_seconds,
                         y_pred=pred, labels=data.labels, predict_seconds=sum(
                             r.row.get("predict_seconds") or 0 for r in fitted))
    row["combination"] = detail
    run.notes.append(f"{name} is {detail}.")
    return Result(key, name, row, model=model, proba=proba, pred=pred)


def _majority(run):
    """The baseline every model must beat: always the most frequent class."""
    data = run.data
    name = "Majority class (baseline)"
    model = DummyClassifier(strategy="most_frequent").fit(data.X_train, data.y_train)
    pred = model.predict(data.X_test)
    row = evaluate_model(None, data.X_test, data.y_test, name=name, y_pred=pred,
                         labels=data.labels)
    row.update(fit_seconds=None, predict_seconds=None, predict_docs_per_second=None)
    return Result("majority", name, row, model=model, pred=pred, baseline=True)


def compare(settings, stdout=None):
    """Run the comparison ``settings`` describe.

    Parameters
    ----------
    settings : CompareSettings
    stdout : file-like, default=None
        Where to say what happens (``sys.stdout``).

    Returns
    -------
    run : Run
        The settings, the data and one result per row.
    """
    reporter = Reporter(stdout, quiet=settings.quiet)
    say = reporter.say
    started = time.perf_counter()
    keys = _training_order(settings.models)
    data = load_comparison_data(settings)
    say(f"Data: {data.name}, {len(data.X_train):,} training and {len(data.X_test):,} test "
        f"documents, {len(data.labels)} classes; test = {data.test_note}.")
    for line in data.details:
        say(f"   {line}")
    for line in data.warnings:
        say(f"   warning: {line}")
    sizes = curve_sizes(settings, data) if settings.learning_curve else None
    with RunFolder(settings.out, _inputs(settings), overwrite=settings.overwrite) as folder:
        if folder.note:
            say(f"   {folder.note}")
        return _compare(settings, data, folder, keys, sizes, reporter, started)


def _compare(settings, data, folder, keys, sizes, reporter, started):
    """The job once the data is read, the options checked and the folder ours."""
    say = reporter.say
    notes = list(data.warnings)

    analyzer_vectorizer = TextVectorizer(maxlen=settings.maxlen,
                                         max_features=settings.max_features,
                                         tokenizer=settings.tokenizer)
    vectors = own = None
    if any(k in keys for k in ("transfer", *BLENDS)):
        vectors = resolve_vectors(settings, data, analyzer_vectorizer, say)
        if vectors.note:
            notes.append(vectors.note)
    if any(k in keys for k in WORD2VEC_MODELS):
        own = (vectors.embeddings if vectors is not None
               and vectors.description == "word2vec (own text)" else
               resolve_vectors(replace(settings, vectors="own"), data, analyzer_vectorizer,
                               say).embeddings)
    names = {key: row_name(key, vectors) for key in keys}
    plain = [k for k in keys if k not in VOTES and k not in BLENDS]
    built = [k for k in keys if k not in plain]
    say(f"Plan: train {len(plain)} models ({', '.join(names[k] for k in plain)})"
        + (f", then {', '.join(names[k] for k in built)}" if built else "")
        + f", and a majority-class baseline; each row is written to {folder.path} as soon "
        "as it is scored, report.html at the end.")

    def progress(key):
        position = plain.index(key) + 1
        return [("progress", EpochProgress(reporter, f"[{position}/{len(plain)}] "
                                                     f"{names[key]}"))]

    factories = make_models(settings, plain, vectors, own, progress,
                            ngram_init=ngram_init_for(data.y_train))
    run = Run(settings, data, folder, vectors=vectors, names=names, notes=notes,
              started=started)
    for position, key in enumerate(plain, 1):
        say(f"\n== [{position}/{len(plain)}] Training {names[key]}")
        run.add(_fit_and_score(run, key, factories[key](), say))
    for key in built:
        run.add(_combine(run, key, factories, reporter))
    run.add(_majority(run))
    for result in run.contenders():
        warning = run.near_chance(result)
        if warning:
            notes.append(warning)

    print_report(run, say)
    curve = None
    if sizes is not None:
        curve = learning_curve(run, factories, sizes, reporter)
        if curve is not None:
            run.folder.write_text("learning_curve.json", curve.to_json())
            notes.append(curve.verdict)
            say(f"\n{curve.verdict}")
    if settings.save:
        run.saved = save_models(run, say)
    else:
        forget_saved(folder.path)  # an earlier run's models are not this run's
    write_outputs(run, reporter, curve)
    return run
