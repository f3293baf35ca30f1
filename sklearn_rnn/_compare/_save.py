"""What a comparison keeps: each row's fitted model, its model card, and a
pointer to the winner.

Every row with a fitted model is written to ``models/<key>.skops`` in the
run folder with ``skops.io`` (numbers and plain data: it loads without
running code, through :func:`sklearn_rnn.persistence.load_skops`), with a
model card (``models/<key>.md``: the data, the settings, the held-out scores
per class, the speed, the versions and the known limits) beside it.
``best.json`` names the winner (the most accurate row) and says how to load
it in one line; ``sklearn-rnn predict --model <run folder>`` reads it.

A row that cannot be saved safely (skops refuses an object in it, or the
file would hold a type :func:`~sklearn_rnn.persistence.load_skops` does not
trust) is said, in the terminal, in ``best.json`` and on the report page,
never skipped silently.
"""

import importlib.metadata
import json
import math
import os
import platform
import time
import zipfile
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.metrics import classification_report

from .._vectors._pretrained import without_vectors
from .._version import __version__
from ._progress import EpochProgress

__all__ = ["SavedModel", "Saved", "save_models", "forget_saved", "winner", "MODELS_FOLDER",
           "BEST_FILE", "read_best", "report_section"]

#: The run folder's sub-folder of saved models and their cards.
MODELS_FOLDER = "models"
#: The pointer to the winner, in the run folder.
BEST_FILE = "best.json"
#: The packages whose versions a model card lists.
_PACKAGES = ("numpy", "scipy", "scikit-learn", "torch", "skorch", "gensim", "skops")


@dataclass
class SavedModel:
    """One row's saved model: its file and card (relative to the run
    folder), size and the seconds it took; or why it was not saved."""

    key: str
    name: str
    accuracy: float = None
    file: str = None
    card: str = None
    bytes: int = None
    seconds: float = None
    error: str = None


@dataclass
class Saved:
    """The models a run saved (:class:`SavedModel`, in the table's order),
    the winner among them, and why it is the one ``best.json`` names."""

    models: list = field(default_factory=list)
    best: SavedModel = None
    why: str = ""

    @property
    def total_bytes(self):
        return sum(m.bytes or 0 for m in self.models)


def winner(run):
    """The row ``best.json`` names: the most accurate scored row (the first
    in the table's order on a tie), the baseline excluded; None when none
    was scored."""
    scored = [r for r in run.results.values()
              if r.accuracy is not None and not r.baseline and r.model is not None]
    return max(scored, key=lambda r: r.accuracy, default=None)


def load_line(path):
    """The one line of Python that loads the model saved at ``path``."""
    return f'from sklearn_rnn.persistence import load_skops; model = load_skops("{path}")'


def _estimators(obj, seen=None):
    """Every scikit-learn estimator inside ``obj``: pipelines' steps,
    ensembles' members (fitted and templates), in lists, tuples and dicts."""
    seen = set() if seen is None else seen
    if id(obj) in seen:
        return
    seen.add(id(obj))
    if isinstance(obj, BaseEstimator):
        yield obj
        children = list(vars(obj).values())
    elif isinstance(obj, dict):
        children = list(obj.values())
    elif isinstance(obj, (list, tuple)):
        children = list(obj)
    else:
        return
    for child in children:
        if isinstance(child, (BaseEstimator, dict, list, tuple)):
            yield from _estimators(child, seen)


def _is_progress(callback):
    return isinstance(callback[-1] if isinstance(callback, tuple) else callback,
                      EpochProgress)


@contextmanager
def as_saved(model):
    """``model`` as it is saved, restored after: without the job's progress
    callbacks (they report to this terminal; their type is not one to trust
    in a file), and its unfitted templates (a stack's ``estimators``)
    without in-memory word vectors, as a fitted classifier saves itself (its
    embedding rows are in its weights; only a refit needs the vectors)."""
    changed = []
    for estimator in _estimators(model):
        own = vars(estimator)
        callbacks = own.get("callbacks")
        if isinstance(callbacks, list) and any(_is_progress(c) for c in callbacks):
            changed.append((estimator, "callbacks", callbacks))
            estimator.callbacks = [c for c in callbacks if not _is_progress(c)] or None
        if "embeddings" in own and "net_" not in own:
            light = without_vectors(own["embeddings"])
            if light is not own["embeddings"]:
                changed.append((estimator, "embeddings", own["embeddings"]))
                estimator.embeddings = light
    try:
        yield model
    finally:
        for estimator, name, value in reversed(changed):
            setattr(estimator, name, value)


def _dump(model, path):
    """Write ``model`` to ``path`` with skops (compressed: skops spells every
    vocabulary entry in JSON, 10-20x smaller deflated); None, or why the file
    would not load with :func:`~sklearn_rnn.persistence.load_skops` (then
    nothing is written)."""
    import skops.io as sio

    from ..persistence import MAX_SCHEMA_BYTES, SKOPS_TRUSTED_TYPES

    tmp = path.with_name(f".{path.name}.part")
    try:
        with as_saved(model):
            sio.dump(model, tmp, compression=zipfile.ZIP_DEFLATED)
        refused = sorted(set(sio.get_untrusted_types(file=tmp)) - set(SKOPS_TRUSTED_TYPES))
        if refused:
            return (f"it holds types load_skops does not trust ({', '.join(refused)}); it "
                    "would not load without running code")
        with zipfile.ZipFile(tmp) as archive:
            schema = archive.getinfo("schema.json").file_size
        if schema > MAX_SCHEMA_BYTES:
            return (f"skops spells its structure in {schema / 2**20:,.0f} MiB of JSON, more "
                    f"than the {MAX_SCHEMA_BYTES / 2**20:,.0f} MiB load_skops reads (a "
                    "vectorizer's vocabulary: about 600 bytes per TF-IDF n-gram; a smaller "
                    "vocabulary would fit)")
        os.replace(tmp, path)
        return None
    finally:
        tmp.unlink(missing_ok=True)


def _size(n):
    return f"{n / 2**20:,.1f} MB" if n >= 2**20 else f"{n / 2**10:,.0f} kB"


def forget_saved(folder):
    """Remove what an earlier run saved in ``folder`` (``--overwrite``):
    its ``best.json`` and the job's model files and cards, so that nothing
    points at a model this run did not train."""
    from ._settings import MODELS

    folder = Path(folder)
    (folder / BEST_FILE).unlink(missing_ok=True)
    for key in MODELS:
        for suffix in (".skops", ".md"):
            (folder / MODELS_FOLDER / f"{key}{suffix}").unlink(missing_ok=True)


def save_models(run, say):
    """Save every row of ``run`` that has a fitted model, its card, and
    ``best.json``.

    Parameters
    ----------
    run : Run
    say : callable
        Prints a line.

    Returns
    -------
    saved : Saved
    """
    folder = run.folder.path
    models = folder / MODELS_FOLDER
    saved = Saved()
    forget_saved(folder)
    try:
        import skops.io  # noqa: F401
    except ImportError:
        say("\nNo model saved: saving needs skops (pip install skops); --no-save "
            "skips this step.")
        return saved
    models.mkdir(exist_ok=True)
    say(f"\n== Saving the models in {models}")
    for result in run.results.values():
        if result.baseline or result.model is None:
            continue
        entry = SavedModel(result.key, result.name, accuracy=result.accuracy)
        path = models / f"{result.key}.skops"
        start = time.perf_counter()
        try:
            # a distilled row keeps its student alone: the model that
            # predicts (its teacher is the combined row's own file)
            entry.error = _dump(getattr(result.model, "student_", result.model), path)
        except Exception as exc:  # noqa: BLE001 - a model that cannot be saved is said, the run goes on
            entry.error = f"skops cannot save it ({type(exc).__name__}: {exc})".splitlines()[0]
        if entry.error is None:
            entry.seconds = time.perf_counter() - start
            entry.bytes = path.stat().st_size
            entry.file = f"{MODELS_FOLDER}/{path.name}"
            entry.card = f"{MODELS_FOLDER}/{result.key}.md"
            run.folder.write_text(entry.card, model_card(run, result, entry))
            run.folder.written.append(path)
            say(f"   {result.name}: {entry.file} ({_size(entry.bytes)}, "
                f"{entry.seconds:.1f} s) and its card {entry.card}")
        else:
            say(f"   {result.name}: not saved: {entry.error}")
        saved.models.append(entry)
    best = winner(run)
    by_key = {m.key: m for m in saved.models}
    if best is not None and by_key.get(best.key) and by_key[best.key].file:
        saved.best = by_key[best.key]
        saved.why = (f"the most accurate row on the {len(run.data.X_test):,} test documents "
                     f"({100 * best.accuracy:.1f}%)")
    else:
        kept = [m for m in saved.models if m.file and m.accuracy is not None]
        saved.best = max(kept, key=lambda m: m.accuracy, default=None)
        if saved.best is not None and best is not None:
            saved.why = (f"the most accurate row that could be saved ({best.name}, the most "
                         f"accurate, could not: {by_key[best.key].error})")
    run.folder.write_text(BEST_FILE, json.dumps(_best_record(run, saved), indent=2,
                                                default=str))
    if saved.best is not None:
        say(f"   the best, {saved.best.name}, loads in one line:\n"
            f"   {load_line(folder / saved.best.file)}\n"
            f"   and predicts new files with: sklearn-rnn predict --model {folder} --data "
            "FILE")
    return saved


def _best_record(run, saved):
    """``best.json``: the winner's file, how to load it, how the data was
    read (``sklearn-rnn predict`` reads files the same way), every row's file."""
    settings, data = run.settings, run.data
    best = saved.best
    return {
        "model": best.file if best else None,
        "card": best.card if best else None,
        "name": best.name if best else None,
        "key": best.key if best else None,
        "accuracy": best.accuracy if best else None,
        "why": saved.why or "no model could be saved",
        "load": load_line(best.file) if best else None,
        "load_note": "paths are relative to this folder",
        "predict": "sklearn-rnn predict --model <this folder> --data FILE",
        "read": {"text_column": data.text_column, "label_column": data.label_column,
                 "format": settings.format, "header": settings.header,
                 "encoding": getattr(data, "encoding", None) or settings.encoding},
        "labels": [str(label) for label in data.labels],
        "n_test": len(data.X_test),
        "sklearn_rnn": __version__,
        "models": [{k: v for k, v in asdict(m).items() if v is not None}
                   for m in saved.models],
    }


def report_section(saved):
    """The report page's "Saved models" section (see
    :func:`sklearn_rnn._report.write_report`), or None when nothing was saved."""
    if saved is None or not saved.models:
        return None
    rows = [{"model": m.name, "file": m.file, "size": _size(m.bytes) if m.bytes else None,
             "note": ("the best: " + saved.why) if m is saved.best else
             (f"not saved: {m.error}" if m.error else f"card: {m.card}")}
            for m in saved.models]
    if saved.best is None:
        return {"text": "No model could be saved: see the table.", "rows": rows}
    return {
        "text": f"Every row's fitted model is in the folder of this page, in {MODELS_FOLDER}/, "
                f"with its model card (.md); {BEST_FILE} names the best, "
                f"{saved.best.name}. From this folder, load it in Python or predict a file "
                "of new documents:",
        "lines": [load_line(saved.best.file),
                  "sklearn-rnn predict --model . --data new_documents.csv --proba"],
        "rows": rows,
    }


def read_best(folder):
    """The record ``best.json`` in ``folder`` holds (see :func:`save_models`)."""
    path = Path(folder) / BEST_FILE
    record = json.loads(path.read_text(encoding="utf-8"))
    if not record.get("model"):
        raise ValueError(f"{path} names no saved model ({record.get('why')}).")
    return record


# --------------------------------------------------------------------------- #
# the model card
# --------------------------------------------------------------------------- #
def _versions():
    found = {"python": platform.python_version(), "sklearn_rnn": __version__}
    for name in _PACKAGES:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return found


def _wilson(correct, n, z=1.96):
    """The 95% Wilson interval of an accuracy of ``correct`` out of ``n``."""
    if n == 0:
        return float("nan"), float("nan")
    p = correct / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def _parameter(estimator, name):
    """``name``'s value in ``estimator`` or any estimator inside it (first found)."""
    for inner in _estimators(estimator):
        if name in vars(inner):
            return vars(inner)[name]
    return None


def _table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _plain(value):
    """A setting as a card shows it."""
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value))
    return "none" if value is None or value == "" else value


def _percent(value):
    return "—" if value is None or (isinstance(value, float) and math.isnan(value)) \
        else f"{100 * value:.1f}%"


def _limits(run, result):
    """What a user of the model must know."""
    data, settings, row = run.data, run.settings, result.row
    n = len(data.y_test)
    correct = int(np.sum(np.asarray(result.pred) == np.asarray(data.y_test)))
    low, high = _wilson(correct, n)
    limits = [f"The accuracy was measured on {n:,} test documents: the 95% interval is "
              f"{_percent(low)} to {_percent(high)}. Text of another kind than {data.name} "
              "(other topics, lengths or style) will likely score lower."]
    if "combination" in row:
        limits.append(f"A combination of rows fitted in the same run: {row['combination']}.")
    teacher = _parameter(result.model, "teacher")
    if teacher is not None:
        limits.append(f"Distilled: trained on the probabilities of a teacher "
                      f"({result.row.get('teacher') or type(teacher).__name__}) for documents "
                      "nobody labelled; it learnt what the teacher knows, its mistakes "
                      "included. The file holds the student alone, the model that predicts.")
    maxlen = _parameter(result.model, "maxlen")
    if maxlen is not None:  # a TextVectorizer: a recurrent row or member
        limits.append(f"It reads at most {maxlen} tokens of a document and a vocabulary of "
                      f"at most {settings.max_features:,} words of the training documents; "
                      "the rest is ignored.")
    if settings.transductive and _parameter(result.model, "embeddings") is not None:
        limits.append("Transductive: its word vectors were trained on the test documents' "
                      "text too (never their labels), so its test score is that of a "
                      "transductive setting, not of documents it never read.")
    warning = run.near_chance(result)
    if warning:
        limits.append(warning)
    limits += [note for note in run.notes if result.name in note and note != warning]
    return limits


def model_card(run, result, saved):
    """The model card of ``result`` (Markdown with the YAML front matter of
    Hugging Face and skops cards), as text."""
    data, row = run.data, result.row
    file_name = Path(saved.file).name
    front = ["---", "library_name: sklearn", "tags:", "- sklearn", "- skops",
             "- sklearn-rnn", "- text-classification", "model_format: skops",
             f"model_file: {file_name}", "pipeline_tag: text-classification", "---", ""]
    report = classification_report(data.y_test, result.pred, labels=data.labels,
                                   output_dict=True, zero_division=0)
    train_counts = {label: int(np.sum(np.asarray(data.y_train) == label))
                    for label in data.labels}
    per_class = [(label, f"{report[str(label)]['precision']:.3f}",
                  f"{report[str(label)]['recall']:.3f}", f"{report[str(label)]['f1-score']:.3f}",
                  f"{int(report[str(label)]['support']):,}", f"{train_counts[label]:,}")
                 for label in data.labels]
    others = [(f"**{r.name}** (this model)" if r is result else r.name, _percent(r.accuracy))
              for r in run.results.values() if r.accuracy is not None]
    record = run.record()
    shown = ("models", "epochs", "maxlen", "max_features", "embedding_dim", "hidden_size",
             "batch_size", "lr", "seed", "tokenizer", "transfer_vectors", "unlabelled_text",
             "transductive")
    with as_saved(result.model):
        structure = result.model.__repr__(N_CHAR_MAX=4000) if hasattr(
            result.model, "get_params") else repr(result.model)
    docs = row.get("predict_docs_per_second")
    speed = [f"Training: {row['fit_seconds']:,.1f} s for {len(data.X_train):,} documents"
             if row.get("fit_seconds") is not None else None,
             f"Prediction: {len(data.X_test):,} test documents in "
             f"{row['predict_seconds']:,.1f} s" + (f" ({docs:,.0f} documents/s)" if docs else "")
             if row.get("predict_seconds") is not None else None,
             f"Measured during the comparison on {platform.machine()} with {os.cpu_count()} "
             f"CPU cores (device: {_parameter(result.model, 'device_') or 'cpu'}); other "
             "work on the machine at the time slows it."]
    lines = [
        *front,
        f"# {result.name}",
        "",
        f"A text classifier trained by `sklearn-rnn compare` on {data.name} "
        f"({datetime.now(timezone.utc):%Y-%m-%d}): one of {len(run.results) - 1} rows of a "
        f"comparison, held-out accuracy {_percent(result.accuracy)}.",
        "",
        "## How to use",
        "",
        "```python",
        "from sklearn_rnn.persistence import load_skops",
        f'model = load_skops("{file_name}")  # runs no code from the file',
        'model.predict(["A new document to classify."])',
        "```",
        "",
        f"or on a file: `sklearn-rnn predict --model {file_name} --data FILE --proba`.",
        "",
        "## Data",
        "",
        f"- Data set: {data.name}; {len(data.X_train):,} training documents, "
        f"{len(data.X_test):,} test documents ({data.test_note}).",
        f"- Classes: {', '.join(map(str, data.labels))}.",
        *([f"- Text: column {data.text_column!r}; labels: column {data.label_column!r}."]
          if data.text_column is not None else []),
        *[f"- {detail}" for detail in data.details],
        "",
        "## Settings",
        "",
        _table(["setting", "value"], [(k, _plain(record.get(k))) for k in shown if k in record]),
        "",
        "The fitted model:",
        "",
        "```",
        structure,
        "```",
        "",
        "## Held-out results",
        "",
        f"Accuracy {_percent(result.accuracy)}, macro F1 {_percent(row.get('macro_f1'))} on "
        f"{len(data.X_test):,} test documents the model never saw in training.",
        "",
        _table(["class", "precision", "recall", "F1", "test documents",
                "training documents"], per_class),
        "",
        "Every row of the comparison, on the same test documents:",
        "",
        _table(["model", "accuracy"], others),
        "",
        "## Speed",
        "",
        *[f"- {line}" for line in speed if line],
        "",
        "## Known limits",
        "",
        *[f"- {line}" for line in _limits(run, result)],
        "",
        "## Versions",
        "",
        _table(["package", "version"], list(_versions().items())),
        "",
        "Load it under these versions of scikit-learn and sklearn_rnn where you can: "
        "scikit-learn guarantees a fitted model's behaviour only under the version that "
        "fitted it.",
        "",
    ]
    return "\n".join(lines)
