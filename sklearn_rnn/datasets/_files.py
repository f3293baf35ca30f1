"""The user's own labelled text: CSV/TSV, JSON lines, Parquet, or a folder per class.

:func:`load_text_dataset` returns what :func:`~sklearn_rnn.datasets.load_imdb`
returns (a ``Bunch`` with ``data`` and ``target``, or ``(X, y)``), so the
same code runs on IMDB and on a support-ticket export.
"""

import csv
import io
import json
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from ._base import sample_order

__all__ = ["load_text_dataset", "TEXT_COLUMNS", "LABEL_COLUMNS"]

#: Column names taken as the text, then as the label, when not given (any case).
TEXT_COLUMNS = ("text", "review", "content", "body", "sentence", "document", "comment",
                "lyrics", "message", "tweet", "review_text", "reviewtext")
LABEL_COLUMNS = ("label", "labels", "sentiment", "class", "target", "y", "category",
                 "polarity", "rating", "stars", "score", "artist")

_FORMATS = ("auto", "csv", "tsv", "jsonl", "json", "parquet", "folder")


def _format_of(path):
    if path.is_dir():
        return "folder"
    name = path.name.lower()
    for suffix, fmt in ((".csv", "csv"), (".tsv", "tsv"), (".tab", "tsv"), (".jsonl", "jsonl"),
                        (".ndjson", "jsonl"), (".json", "json"), (".parquet", "parquet"),
                        (".pq", "parquet")):
        if name.endswith(suffix) or name.endswith(suffix + ".gz"):
            return fmt
    raise ValueError(
        f"Cannot tell the format of {path.name!r} from its name; pass format= one of "
        f"{_FORMATS[1:]} (or give the file a .csv, .tsv, .jsonl, .json or .parquet name)."
    )


def _open_text(path, encoding):
    if path.name.lower().endswith(".gz"):
        import gzip

        return io.TextIOWrapper(gzip.open(path), encoding=encoding, newline="")
    return open(path, encoding=encoding, newline="")


def _looks_like_header(first, sample, delimiter):
    """Whether the first row of a CSV/TSV file names its columns: yes when one of
    its fields is a known text or label column name, else csv.Sniffer's guess
    (which compares the first row's types and lengths with the others')."""
    if {field.strip().lower() for field in first} & {*TEXT_COLUMNS, *LABEL_COLUMNS}:
        return True
    try:
        return csv.Sniffer().has_header(sample)
    except csv.Error:
        return True


def _read_delimited(path, delimiter, encoding, header):
    """Rows of a CSV/TSV file as a dict column -> list of str."""
    csv.field_size_limit(2**31 - 1)  # reviews and lyrics can be long
    with _open_text(path, encoding) as f:
        sample = f.read(65536)
        f.seek(0)
        rows = list(csv.reader(f, delimiter=delimiter))
    rows = [r for r in rows if r]  # blank lines
    if not rows:
        raise ValueError(f"{path} has no rows.")
    if header == "auto":
        header = _looks_like_header(rows[0], sample, delimiter)
    names = rows[0] if header else [str(i) for i in range(len(rows[0]))]
    body = rows[1:] if header else rows
    for i, row in enumerate(body):
        if len(row) != len(names):
            raise ValueError(
                f"{path}: row {i + 1 + bool(header)} has {len(row)} fields, the "
                f"{'header' if header else 'first row'} has {len(names)}. Check the "
                "delimiter (format='tsv' for tabs) and the quoting."
            )
    return {name: [row[j] for row in body] for j, name in enumerate(names)}


def _read_records(records, path):
    if not records or not all(isinstance(r, dict) for r in records):
        raise ValueError(f"{path}: expected one JSON object per record, like "
                         '{"text": "...", "label": "..."}.')
    names = list(dict.fromkeys(k for r in records for k in r))
    return {name: [r.get(name) for r in records] for name in names}


def _read_columns(path, fmt, encoding, header):
    if fmt in ("csv", "tsv"):
        return _read_delimited(path, "," if fmt == "csv" else "\t", encoding, header)
    if fmt == "jsonl":
        with _open_text(path, encoding) as f:
            records = []
            for i, line in enumerate(f):
                if line.strip():
                    try:
                        records.append(json.loads(line))
                    except json.JSONDecodeError as exc:
                        raise ValueError(f"{path}: line {i + 1} is not JSON ({exc}).") from None
        return _read_records(records, path)
    if fmt == "json":
        with _open_text(path, encoding) as f:
            return _read_records(json.load(f), path)
    try:
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise ImportError(
            'Reading Parquet needs pyarrow: pip install "sklearn-rnn[parquet]"'
        ) from exc
    return pq.read_table(path).to_pydict()


def _pick(columns, given, names, what, rows):
    """The column to use: the one given, a known name, or None."""
    if given is not None:
        wanted = [given] if isinstance(given, (str, int)) else list(given)
        wanted = [str(w) for w in wanted]
        missing = [w for w in wanted if w not in columns]
        if missing:
            raise ValueError(f"No {what} column {missing[0]!r}; the columns are "
                             f"{list(columns)}.")
        return wanted
    lower = {c.lower(): c for c in columns}
    for name in names:
        if name in lower:
            return [lower[name]]
    return None


def _is_texty(values):
    strings = [v for v in values[:1000] if isinstance(v, str)]
    return len(strings) > 0.9 * min(len(values), 1000)


def _choose_columns(columns, text_column, label_column, path):
    n = len(next(iter(columns.values()))) if columns else 0
    labels = _pick(columns, label_column, LABEL_COLUMNS, "label", n)
    texts = _pick(columns, text_column, TEXT_COLUMNS, "text", n)
    if labels is None:
        # few distinct values, and not the text
        candidates = [c for c in columns if (texts is None or c not in texts)
                      and 1 < len(set(map(str, columns[c]))) <= max(2, min(100, n // 2))]
        if len(candidates) != 1:
            why = (f"candidates: {', '.join(map(repr, candidates))}" if candidates
                   else "no column has few distinct values")
            raise ValueError(
                f"Cannot tell which column of {path} holds the labels ({why}); columns: "
                f"{list(columns)}. Pass label_column= (--label-column)."
            )
        labels = candidates
    if texts is None:
        candidates = [c for c in columns if c not in labels and _is_texty(columns[c])]
        if not candidates:
            raise ValueError(f"No column of {path} holds text; columns: {list(columns)}. "
                             "Pass text_column= (--text-column).")
        mean_length = {c: np.mean([len(v or "") for v in columns[c][:2000]]) for c in candidates}
        texts = [max(candidates, key=mean_length.get)]
    return texts, labels[0]


def _labels_array(values, path, column):
    missing = [i for i, v in enumerate(values)
               if v is None or (isinstance(v, str) and not v.strip())
               or (isinstance(v, float) and v != v)]
    if missing:
        raise ValueError(
            f"{path}: the label column {column!r} is empty in {len(missing):,} rows (first: "
            f"row {missing[0] + 1}). Drop or label those rows first."
        )
    values = [v.strip() if isinstance(v, str) else v for v in values]
    try:
        as_int = [int(v) for v in values]
        if all(str(a) == str(v) for a, v in zip(as_int, values, strict=True)):
            return np.asarray(as_int)
    except (TypeError, ValueError):
        pass
    return np.asarray(values, dtype=object)


def _load_folder(path, encoding):
    from sklearn.datasets import load_files

    try:
        bunch = load_files(path, encoding=encoding, decode_error="strict", shuffle=False)
    except UnicodeDecodeError as exc:
        raise ValueError(f"A file under {path} is not {encoding} text ({exc}); pass "
                         "encoding=.") from None
    if len(bunch.target_names) < 1 or not bunch.data:
        raise ValueError(f"{path} holds no sub-folders of text files (one per class).")
    names = np.asarray(bunch.target_names, dtype=object)
    return list(bunch.data), names[bunch.target], list(bunch.filenames)


def load_text_dataset(
    path,
    *,
    text_column=None,
    label_column=None,
    format="auto",
    encoding="utf-8",
    header="auto",
    shuffle=False,
    random_state=0,
    n_samples=None,
    return_X_y=False,
):
    """Load labelled text from a file or a folder.

    Parameters
    ----------
    path : str or path-like
        A CSV (``.csv``), TSV (``.tsv``), JSON lines (``.jsonl``), JSON list of
        objects (``.json``) or Parquet (``.parquet``, needs pyarrow) file, any
        of them gzipped (``.gz``); or a folder with one sub-folder of text files
        per class, as for :func:`sklearn.datasets.load_files`.
    text_column : str or list of str, default=None
        The text. A list joins several columns (e.g. ``["title", "content"]``)
        with ``". "``. None: a column named text, review, content, body,
        sentence, document, comment, lyrics, message or tweet (any case), else
        the column with the longest strings.
    label_column : str, default=None
        The labels. None: a column named label, sentiment, class, target, y,
        category, polarity, rating, stars, score or artist, else the only
        column with few distinct values; an error lists the candidates when
        that is ambiguous.
    format : {'auto', 'csv', 'tsv', 'jsonl', 'json', 'parquet', 'folder'}, default='auto'
        'auto' goes by the file name (or a folder).
    encoding : str, default='utf-8'
    header : 'auto' or bool, default='auto'
        CSV/TSV: whether the first row names the columns (``'auto'`` sniffs
        it). Without a header the columns are named ``'0'``, ``'1'``, ...
    shuffle : bool, default=False
        Shuffle the rows (with ``random_state``).
    random_state : int, RandomState instance or None, default=0
    n_samples : int, default=None
        Keep only the first ``n_samples`` rows (after shuffling).
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    data : Bunch
        ``data`` (list of str), ``target`` (ndarray: ints when every label is
        an integer, else strings), ``target_names``, ``text_column``,
        ``label_column``, ``filenames`` (folders) and ``DESCR``.
    (data, target) : tuple
        With ``return_X_y=True``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "reviews.csv"
    >>> _ = path.write_text("stars,review\\n5,Great phone\\n1,Broke in a week\\n")
    >>> data = load_text_dataset(path)
    >>> data.data, data.target.tolist(), data.label_column
    (['Great phone', 'Broke in a week'], [5, 1], 'stars')
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"No such file or folder: {path}")
    if format not in _FORMATS:
        raise ValueError(f"format must be one of {_FORMATS}, got {format!r}.")
    fmt = _format_of(path) if format == "auto" else format
    filenames = None
    if fmt == "folder":
        data, target, filenames = _load_folder(path, encoding)
        texts, label = ["<file contents>"], "<folder name>"
    else:
        columns = _read_columns(path, fmt, encoding, header)
        texts, label = _choose_columns(columns, text_column, label_column, path)
        parts = [columns[c] for c in texts]
        data = [". ".join(str(p[i]) for p in parts if p[i] not in (None, ""))
                for i in range(len(parts[0]))]
        target = _labels_array(columns[label], path, label)
    order = sample_order(len(data), shuffle=shuffle, random_state=random_state,
                         n_samples=n_samples)
    data = [data[i] for i in order]
    target = np.asarray(target)[order]
    if return_X_y:
        return data, target
    return Bunch(
        data=data,
        target=target,
        target_names=np.unique(target),
        text_column=texts if len(texts) > 1 else texts[0],
        label_column=label,
        filenames=None if filenames is None else [filenames[i] for i in order],
        DESCR=f"Labelled text from {path} ({fmt}): text {texts}, labels {label!r}, "
              f"{len(data):,} documents.",
    )
