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
    DISTILLED,
    VOTES,
    WORD2VEC_MODELS,
    combined_model,
    distilled_model,
    make_models,
    ngram_init_for,
    resolve_vectors,
    row_name,
    unlabelled_marker,
    vote_model,
)
from ._outputs import RunFolder
from ._present import print_report, write_outputs
from ._progress import EpochProgress, Reporter, said_warnings, with_progress
from ._results import Result, Run, recurrent_pipeline
from ._save import forget_saved, save_models
from ._settings import BUILT, DEFAULT_MODELS, with_members

__all__ = ["compare", "MODEL_ERRORS"]

#: Errors that fail one model, not the whole run (the row says why).
MODEL_ERRORS = (MemoryError, ValueError, RuntimeError, FloatingPointError, OSError)


def _available(keys, settings, data, say):
    """``keys`` without the distilled rows when the job has no unlabelled
    text (said); asking for one by name then stops the job here, before any
    training."""
    if not any(k in DISTILLED for k in keys) or data.unlabelled:
        return keys
    if tuple(settings.models) != DEFAULT_MODELS:
        raise ValueError(
            "--models distilled learns from unlabelled documents and this job has none: "
            "give --unlabelled FILE (one document per line, or a data file whose text is "
            "read without its labels), or leave distilled out of --models.")
    say("   no unlabelled text: the distilled row is left out (give --unlabelled FILE to "
        "train it)")
    return [k for k in keys if k not in DISTILLED]


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


def _fit_and_score(run, key, model, say, X=None, y=None):
    """Fit ``model`` on the training documents (or ``X``, ``y``) and predict
    the test documents once: its :class:`Result`."""
    data, name = run.data, run.names[key]
    X_train = data.X_train if X is None else X
    y_train = np.asarray(data.y_train if y is None else y)
    y_test = np.asarray(data.y_test)
    start = time.perf_counter()
    try:
        with said_warnings(say):
            model.fit(X_train, y_train)
    except MODEL_ERRORS as exc:
        return _failed(key, name, exc, say, time.perf_counter() - start)
    fit_seconds = time.perf_counter() - start
    inner = recurrent_pipeline(model) or model  # a distilled row: its student
    clf = inner[-1] if hasattr(inner, "steps") else inner
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
    # what predicting costs it: both members, or the one it passes through
    alone = getattr(model, "alone_", None)
    predicting = fitted if alone is None else [fitted[alone]]
    row = evaluate_model(None, data.X_test, data.y_test, name=name, fit_seconds=fit_seconds,
                         y_pred=pred, labels=data.labels, predict_seconds=sum(
                             r.row.get("predict_seconds") or 0 for r in predicting))
    row["combination"] = detail
    run.notes.append(f"{name} is {detail}.")
    return Result(key, name, row, model=model, proba=proba, pred=pred)


def _distil(run, key, factories, reporter):
    """The distilled row: the student (the transfer row's pipeline, trained
    again) learns from the teacher row's probabilities for the training
    documents and the unlabelled ones."""
    data, name, say = run.data, run.names[key], reporter.say
    teacher_key, student_key = DISTILLED[key]
    teacher = run.results.get(teacher_key)
    if teacher is None or not teacher.contender:
        return Result(key, name, {"model": name, "error": f"needs {run.names[teacher_key]}, "
                                                          "which failed"})
    marker = unlabelled_marker(data.y_train)
    model = distilled_model(
        teacher.model, with_progress(factories[student_key](), reporter, f"[{key}] student"),
        run.settings, marker)
    n_unlabelled = len(data.unlabelled)
    if model.max_unlabelled is not None:
        n_unlabelled = min(n_unlabelled, model.max_unlabelled)
    say(f"\n== {name}: the {run.names[student_key]} pipeline learns from {teacher.name}'s "
        f"probabilities for the {len(data.X_train):,} training documents and {n_unlabelled:,} "
        "unlabelled ones")
    X = [*data.X_train, *data.unlabelled]
    y = np.asarray([*data.y_train, *[marker] * len(data.unlabelled)], dtype=object)
    if np.asarray(data.y_train).dtype.kind in "iuf":
        y = y.astype(np.asarray(data.y_train).dtype)
    result = _fit_and_score(run, key, model, say, X=X, y=y)
    if result.error:
        return result
    result.row["fit_seconds"] += teacher.row.get("fit_seconds") or 0
    student, taught = result.row, teacher.row
    detail = (
        f"the {run.names[student_key]} pipeline trained on {teacher.name}'s probabilities "
        f"(soft targets, temperature {model.temperature:g}, weight {model.soft_weight:g}, "
        f"with the hard labels) for {len(data.X_train):,} training and "
        f"{model.n_unlabelled_:,} unlabelled documents; it predicts alone: "
        f"{_score(student)} against its teacher's {_score(taught)}; its fit time includes "
        "the teacher's")
    say(f"   {detail}")
    result.row["combination"] = detail
    result.row["teacher"] = teacher.name
    result.row["teacher_accuracy"] = taught.get("accuracy")
    result.row["teacher_docs_per_second"] = taught.get("predict_docs_per_second")
    run.notes.append(f"{name} is {detail}.")
    return result


def _score(row):
    """``'86.5% at 2,100 documents/s'`` for a table row."""
    speed = row.get("predict_docs_per_second")
    speed = f" at {speed:,.0f} documents/s" if speed else ""
    return f"{100 * row['accuracy']:.1f}%{speed}"


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
    keys = with_members(settings.models)
    data = load_comparison_data(settings)
    say(f"Data: {data.name}, {len(data.X_train):,} training and {len(data.X_test):,} test "
        f"documents, {len(data.labels)} classes; test = {data.test_note}.")
    for line in data.details:
        say(f"   {line}")
    for line in data.warnings:
        say(f"   warning: {line}")
    keys = _available(keys, settings, data, say)
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
    plain = [k for k in keys if k not in BUILT]
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
        run.add(_distil(run, key, factories, reporter) if key in DISTILLED
                else _combine(run, key, factories, reporter))
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
