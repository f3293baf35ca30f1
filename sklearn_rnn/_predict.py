"""``sklearn-rnn predict``: a saved model's predictions for a file of documents.

The model is a ``.skops`` file (loaded with
:func:`sklearn_rnn.persistence.load_skops`: no code from the file runs), a
run folder of ``sklearn-rnn compare`` or its ``best.json`` (the winner, and
the columns, format and encoding the comparison read its data with), or,
only with ``--trust-pickle``, a pickle or joblib file. The documents are
read as ``compare`` reads them (:func:`sklearn_rnn.datasets.load_text_dataset`:
CSV/TSV, JSON lines, JSON, Parquet, ``.txt`` one document per line, a folder
of text files), without a label column unless ``--label-column`` names one.
Predictions follow the documents' order: CSV or JSON lines, to stdout or
``--out``; ``--proba`` adds each class's probability; ``--explain`` writes
an HTML page of documents with their words highlighted.

As in ``compare``, a document's prediction is the class of its highest
probability, so a saved row predicts exactly what the comparison scored.
"""

import csv
import io
import json
import sys
import time
import zipfile
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np

from ._utils._printable import printable

__all__ = ["PredictSettings", "predict", "load_model", "OUTPUT_FORMATS", "MAX_EXPLAINED"]

#: ``--output-format`` choices.
OUTPUT_FORMATS = ("csv", "jsonl")
#: ``--explain`` shows at most this many documents (explaining costs more
#: than predicting: integrated gradients for a recurrent network).
MAX_EXPLAINED = 300
#: Suffixes of files that hold pickles.
_PICKLE_SUFFIXES = (".pkl", ".pickle", ".joblib", ".sav", ".p")


@dataclass(frozen=True)
class PredictSettings:
    """The options of ``sklearn-rnn predict`` (see its ``--help``)."""

    model: str
    data: str
    proba: bool = False
    explain: str = None
    out: str = None
    output_format: str = None
    format: str = None
    header: object = "auto"
    text_column: str = None
    label_column: str = None
    encoding: str = None
    trust_pickle: bool = False
    quiet: bool = False

    def __post_init__(self):
        if self.output_format is not None and self.output_format not in OUTPUT_FORMATS:
            raise ValueError(f"--output-format must be one of {', '.join(OUTPUT_FORMATS)}, "
                             f"got {self.output_format!r}.")

    @classmethod
    def from_namespace(cls, namespace):
        """The settings of a parsed ``sklearn-rnn predict`` command line."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in vars(namespace).items() if k in names})

    @property
    def writes(self):
        """'csv' or 'jsonl': ``--output-format``, else from ``--out``'s suffix."""
        if self.output_format is not None:
            return self.output_format
        if self.out is not None and Path(self.out).suffix.lower() in (".jsonl", ".json",
                                                                       ".ndjson"):
            return "jsonl"
        return "csv"


# --------------------------------------------------------------------------- #
# the model
# --------------------------------------------------------------------------- #
def _is_skops(path):
    try:
        with zipfile.ZipFile(path) as archive:
            return "schema.json" in archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return False


def _record_for(path):
    """``(model path, best.json record or None)`` for ``--model PATH``."""
    from ._compare._save import BEST_FILE, MODELS_FOLDER, read_best

    path = Path(path).expanduser()
    if path.is_dir():
        if not (path / BEST_FILE).is_file():
            raise ValueError(f"--model {path} is a folder without {BEST_FILE}: give a model "
                             "file (.skops), or the folder of a run of sklearn-rnn compare "
                             "that saved its models.")
        record = read_best(path)
        return path / record["model"], record
    if path.name == BEST_FILE:
        record = read_best(path.parent)
        return path.parent / record["model"], record
    if not path.is_file():
        raise FileNotFoundError(f"--model {path}: no such file or folder.")
    beside = path.parent.parent / BEST_FILE
    if path.parent.name == MODELS_FOLDER and beside.is_file():
        try:
            record = json.loads(beside.read_text(encoding="utf-8"))
        except ValueError:
            record = None
        if record is not None:  # this model's name; the run's way of reading files
            entry = next((m for m in record.get("models", ())
                          if Path(m.get("file") or "").name == path.name), None)
            record = {**record, "name": entry["name"] if entry else path.stem}
        return path, record
    return path, None


def load_model(path, *, trust_pickle=False):
    """The model at ``path``: a ``.skops`` file (safe), or a pickle only
    with ``trust_pickle=True``.

    Parameters
    ----------
    path : str or path-like
    trust_pickle : bool, default=False
        Load a file that is not a skops archive with joblib (which reads
        pickles): only for files you trust.

    Returns
    -------
    model : estimator
    """
    path = Path(path)
    if _is_skops(path):
        from .persistence import load_skops

        try:
            return load_skops(path)
        except TypeError as exc:
            raise ValueError(
                f"{exc} sklearn-rnn predict loads only types that run no code; load it "
                "in Python with load_skops(path, trusted=[...]) once you have inspected "
                "them."
            ) from None
    if not trust_pickle:
        kind = ("a pickle" if path.suffix.lower() in _PICKLE_SUFFIXES
                else "not a skops file, so it is read as a pickle")
        raise ValueError(
            f"--model {path} is {kind}: loading a pickle runs whatever code its author put "
            "in it. Pass --trust-pickle if you made it or trust who did; better, save the "
            "model with skops (skops.io.dump(model, 'model.skops')), which loads without "
            "running code."
        )
    import joblib

    return joblib.load(path)


def _explained_pipelines(model, name):
    """``(name, pipeline)`` pairs :func:`sklearn_rnn.explain` can take:
    the model itself, or the members of a stack or a vote."""
    if hasattr(model, "steps"):
        return [(name, model)]
    members = getattr(model, "named_estimators_", None) or {}
    found = []
    for member_name, member in members.items():
        member = getattr(member, "estimator", member)  # FrozenEstimator
        if hasattr(member, "steps"):
            found.append((member_name, member))
    return found


# --------------------------------------------------------------------------- #
# the documents
# --------------------------------------------------------------------------- #
def _read_documents(settings, record, say):
    """``(texts, truth or None)``: the documents of ``--data``, read with the
    options given, else with the columns, format and header the comparison
    in ``record`` read its data with (the encoding is decided per file: UTF-8,
    or the fallback ``compare`` uses, said)."""
    from ._compare._data import decoded
    from .datasets import load_text_dataset

    read = dict((record or {}).get("read") or {})
    column = read.get("text_column")
    if isinstance(column, str) and column.startswith("<"):
        column = None  # '<one document per line>': not a column
    column = settings.text_column or column
    if isinstance(column, str) and "," in column:
        column = column.split(",")
    header = read.get("header", "auto") if settings.header == "auto" else settings.header
    labelled = settings.label_column is not None
    details = []
    bunch = decoded(lambda encoding: load_text_dataset(
        settings.data, text_column=column or None,
        label_column=settings.label_column if labelled else False,
        format=settings.format or read.get("format") or "auto", header=header,
        encoding=encoding), settings.encoding, details,
        Path(settings.data).name)
    texts = list(bunch.data)
    what = bunch.text_column if isinstance(bunch.text_column, str) else \
        " + ".join(map(str, bunch.text_column))
    say(f"{Path(settings.data).name}: {len(texts):,} documents"
        + (f", format {bunch.format}" if getattr(bunch, "format", None) else "")
        + ("" if bunch.header is None else
           (", a header row" if bunch.header else ", no header row"))
        + f", text {what!r}" + (f", labels {bunch.label_column!r}" if labelled else ""))
    for line in details:
        say(line)
    return texts, (np.asarray(bunch.target) if labelled else None)


# --------------------------------------------------------------------------- #
# the output
# --------------------------------------------------------------------------- #
def _plain(value):
    return value.item() if isinstance(value, np.generic) else value


def _rows(pred, proba, classes, with_proba):
    for k, label in enumerate(pred):
        row = {"prediction": _plain(label)}
        if with_proba:
            row["proba"] = {str(_plain(c)): float(p) for c, p in zip(classes, proba[k],
                                                                   strict=True)}
        yield row


def _write(stream, kind, pred, proba, classes, with_proba):
    if getattr(stream, "isatty", lambda: False)():
        # a person reads it: a label of a stranger's model cannot drive the
        # terminal (to a file or a pipe, the labels go as they are)
        shown = np.vectorize(printable, otypes=[object])
        pred = shown(pred) if len(pred) else pred
        classes = shown(classes) if len(classes) else classes
    if kind == "jsonl":
        for row in _rows(pred, proba, classes, with_proba):
            stream.write(json.dumps(row, ensure_ascii=False) + "\n")
        return
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(["prediction", *([f"proba_{_plain(c)}" for c in classes]
                                     if with_proba else [])])
    for k, label in enumerate(pred):
        writer.writerow([_plain(label), *([repr(float(p)) for p in proba[k]]
                                          if with_proba else [])])


def _explain_page(settings, model, name, texts, truth, pred, proba, classes, say):
    """The page of the first :data:`MAX_EXPLAINED` documents, their words
    highlighted by each pipeline of the model."""
    from ._explain import explain
    from ._report import write_report

    path = Path(settings.explain)
    shown = list(range(min(len(texts), MAX_EXPLAINED)))
    chosen = [texts[i] for i in shown]
    members = []
    for member_name, pipeline in _explained_pipelines(model, name):
        start = time.perf_counter()
        try:
            spans = [e.spans() for e in explain(pipeline, chosen)]
        except (ImportError, ValueError, TypeError, RuntimeError) as exc:
            say(f"no word highlights for {member_name}: {exc}")
            continue
        member_proba = (proba[shown] if pipeline is model
                        else np.asarray(pipeline.predict_proba(chosen)))
        members.append((member_name, pipeline, spans, member_proba))
        say(f"explained {len(chosen):,} documents with {member_name} in "
            f"{time.perf_counter() - start:.1f} s")
    documents = []
    for position, i in enumerate(shown):
        correct = None if truth is None else bool(pred[i] == truth[i])
        predictions = [{"model": name, "label": _plain(pred[i]),
                        "confidence": float(proba[i].max()), "correct": correct,
                        "spans": None}]
        for member_name, pipeline, spans, member_proba in members:
            if pipeline is model:
                predictions[0]["spans"] = spans[position]
                continue
            label = pipeline.classes_[member_proba[position].argmax()]
            predictions.append({
                "model": member_name, "label": _plain(label),
                "confidence": float(member_proba[position].max()),
                "correct": None if truth is None else bool(label == truth[i]),
                "spans": spans[position]})
        documents.append({"section": "Documents", "index": i, "text": texts[i],
                          "truth": None if truth is None else _plain(truth[i]),
                          "predictions": predictions})
    values, counts = np.unique(pred, return_counts=True)
    summary = (f"{name} predicted {len(texts):,} documents of {Path(settings.data).name}: "
               + ", ".join(f"{_plain(v)} {c:,}" for v, c in zip(values, counts, strict=True))
               + (f"; accuracy {100 * np.mean(pred == truth):.1f}% against "
                  f"{settings.label_column!r}" if truth is not None else "")
               + (f". The first {len(shown):,} are shown below." if len(shown) < len(texts)
                  else "."))
    if members and members[0][1] is not model:
        summary += (" The model combines its members' probabilities: each member's words "
                    "are highlighted toward its own prediction.")
    write_report(path, title=f"sklearn-rnn predict: {name}", summary=summary,
                 settings={"model": Path(settings.model).name,
                           "data": Path(settings.data).name, "documents": len(texts),
                           "classes": [str(_plain(c)) for c in classes]},
                 columns=[], rows=[], figures=[], documents=documents)
    return path


def predict(settings, stdout=None, stderr=None):
    """Run ``sklearn-rnn predict`` as ``settings`` say.

    Parameters
    ----------
    settings : PredictSettings
    stdout, stderr : file-like, default=None
        Where the predictions go without ``--out`` (``sys.stdout``), and
        what is said (``sys.stderr``).

    Returns
    -------
    pred : ndarray of shape (N,)
        The predictions, in the documents' order.
    """
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr

    def say(line):
        if not settings.quiet:
            print(printable(line, document=True, lines=True), file=stderr, flush=True)

    model_path, record = _record_for(settings.model)
    start = time.perf_counter()
    model = load_model(model_path, trust_pickle=settings.trust_pickle)
    name = (record or {}).get("name") or model_path.stem
    if not hasattr(model, "predict"):
        raise ValueError(f"{model_path} holds a {type(model).__name__}, not a classifier (it "
                         "has no predict method).")
    say(f"{name}: {model_path} loaded in {time.perf_counter() - start:.1f} s")
    texts, truth = _read_documents(settings, record, say)
    if not texts:
        raise ValueError(f"{settings.data} holds no documents.")
    classes = np.asarray(getattr(model, "classes_", []))
    start = time.perf_counter()
    if hasattr(model, "predict_proba"):
        proba = np.asarray(model.predict_proba(texts))
        pred = classes[proba.argmax(axis=1)]  # as compare scored it
    elif settings.proba or settings.explain:
        raise ValueError(f"{name} ({type(model).__name__}) has no predict_proba: --proba "
                         "and --explain need probabilities.")
    else:
        proba, pred = None, np.asarray(model.predict(texts))
    seconds = time.perf_counter() - start
    say(f"predicted {len(texts):,} documents in {seconds:.1f} s "
        f"({len(texts) / max(seconds, 1e-9):,.0f} documents/s)")
    if truth is not None:
        say(f"accuracy against {settings.label_column!r}: {100 * np.mean(pred == truth):.1f}% "
            f"of {len(truth):,} documents")
    if settings.out is None:
        _write(stdout, settings.writes, pred, proba, classes, settings.proba)
    else:
        out = Path(settings.out)
        buffer = io.StringIO()
        _write(buffer, settings.writes, pred, proba, classes, settings.proba)
        out.write_text(buffer.getvalue(), encoding="utf-8")
        say(f"wrote {out}")
    if settings.explain:
        page = _explain_page(settings, model, name, texts, truth, pred, proba, classes, say)
        say(f"wrote {page} (open it in a browser)")
    return pred
