"""The user's own labelled text: CSV/TSV, JSON lines, Parquet, a folder per
class, or text files with one document per line.

:func:`load_text_dataset` and :func:`load_text_files` return what
:func:`~sklearn_rnn.datasets.load_imdb` returns (a ``Bunch`` with ``data`` and
``target``, or ``(X, y)``), so the same code runs on IMDB and on a
support-ticket export.

Nothing is loaded silently wrong: a quote that swallows rows, a text that is
missing, a label written two ways, a hidden folder or a link out of the tree
is an error (naming the file and line) or a warning, never a changed
document. The choices, each documented in ``load_text_dataset``:

* labels that are all numbers are compared as numbers (``'1'``, ``'01'``
  and ``'1.0'`` are the class ``1``); a column mixing numbers and text is
  read as text, and an error when two of its strings are the same number;
* an empty, null or NaN text (also the text ``nan`` / ``NaN``, how a CSV
  spells a missing value written by ``str``) is an error naming the row;
* CSV/TSV are read strictly (a quote that opens a field must close it, before
  the delimiter); backslash-escaped quotes (``\\"``) are read as quotes, with
  a warning that says so.
"""

import codecs
import csv
import gzip
import io
import json
import math
import os
import re
import warnings
from collections import Counter
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from ._base import sample_order

__all__ = ["load_text_dataset", "load_text_files", "TEXT_COLUMNS", "LABEL_COLUMNS"]

#: Column names taken as the text, then as the label, when not given (any case).
TEXT_COLUMNS = ("text", "review", "content", "body", "sentence", "document", "comment",
                "lyrics", "message", "tweet", "review_text", "reviewtext")
LABEL_COLUMNS = ("label", "labels", "sentiment", "class", "target", "y", "category",
                 "polarity", "rating", "stars", "score", "artist")

_FORMATS = ("auto", "csv", "tsv", "jsonl", "json", "parquet", "folder", "txt")
_SUFFIXES = ((".csv", "csv"), (".tsv", "tsv"), (".tab", "tsv"), (".jsonl", "jsonl"),
             (".ndjson", "jsonl"), (".json", "json"), (".parquet", "parquet"),
             (".pq", "parquet"), (".txt", "txt"))
#: A number as a label may be written: ``1``, ``-2``, ``01``, ``1.0``, ``.5``, ``1e3``.
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
#: fastText's label prefix.
FASTTEXT_PREFIX = "__label__"
_FASTTEXT_LINE = re.compile(r"((?:__label__\S*\s+)*__label__\S*)(?:\s+|$)(.*)", re.DOTALL)
#: Each class needs this many documents: one to train on, one to test.
MIN_CLASS_DOCUMENTS = 2


def _format_of(path):
    if path.is_dir():
        return "folder"
    name = path.name.lower()
    for suffix, fmt in _SUFFIXES:
        if name.endswith(suffix) or name.endswith(suffix + ".gz"):
            return fmt
    raise ValueError(
        f"Cannot tell the format of {path.name!r} from its name; pass format= (--format) one "
        f"of {_FORMATS[1:]}, or give the file a .csv, .tsv, .jsonl, .json, .parquet or .txt "
        "name. Text files with one document per line and the label in the file name "
        "(rt-polarity.pos, rt-polarity.neg) load with load_text_files([...])."
    )


# --------------------------------------------------------------------------- #
# reading text
# --------------------------------------------------------------------------- #
def _read_text(path, encoding):
    """The whole file as str: gunzipped, decoded, without a byte order mark.

    A byte that is not ``encoding`` text is an error naming its line.
    """
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise ValueError(f"Unknown encoding {encoding!r}.") from None
    raw = path.read_bytes()
    if path.name.lower().endswith(".gz"):
        raw = gzip.decompress(raw)
    try:
        # utf-8-sig: Excel and Notepad write a BOM, which would stick to the
        # first column's name ('\ufefftext') or the first document
        return raw.decode("utf-8-sig" if name == "utf-8" else encoding)
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ValueError(
            f"{path}, line {line}: not {encoding} text (byte {raw[exc.start]:#04x}: "
            f"{exc.reason}). Pass the file's encoding, e.g. encoding='latin-1' or 'cp1252'."
        ) from None


def _lines(text):
    """Physical lines (only ``\\n`` and ``\\r\\n`` end a line: ``str.splitlines``
    would also cut at characters such as U+0085 inside a document)."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def _quote_error(path, start, stop, exc, delimiter):
    """The message for a row csv's strict mode refuses: at which line, and why."""
    sep = "tab" if delimiter == "\t" else repr(delimiter)
    if "end of data" in str(exc):
        return (f"{path}, line {start}: a quote opens a field in this row and is never "
                "closed, so every row after it would be read into that one field. Close "
                'the quote, or double a quote that is part of the text ("").')
    if stop > start:
        return (f"{path}, lines {start}-{stop}: a quote opens a field at line {start} and "
                f"the quote that closes it is at line {stop}, followed by more text: the "
                f"{stop - start} rows between would be read as one field. Close the quote "
                f'at line {start}, or double a quote that is part of the text ("").')
    return (f"{path}, line {start}: a field starts with a quote, but its closing quote is "
            f"followed by more text instead of a {sep} ({exc}). Quote the whole field and "
            'double the quotes inside it ("He said ""hi""").')


def _parse_delimited(text, delimiter, escapechar, path, quoting=csv.QUOTE_MINIMAL):
    """Rows and the physical line each starts at (strict quoting; blank rows
    dropped)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True,
                        escapechar=escapechar, quoting=quoting)
    rows, starts, stops = [], [], []
    start = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise ValueError(_quote_error(path, start, reader.line_num, exc, delimiter)) from None
        if any(field.strip() for field in row):
            rows.append(row)
            starts.append(start)
            stops.append(reader.line_num)
        start = reader.line_num + 1
    return rows, starts, stops


#: A field as a quoting writer writes it: in quotes, with a quote inside
#: doubled (``""``) or escaped (``\\"``).
_QUOTED_FIELD = re.compile(r'"(?:[^"\\]|""|\\.)*"')


def _escapes_quotes(field):
    return ('""' in field[1:-1] or '\\"' in field[1:-1]) and bool(_QUOTED_FIELD.fullmatch(field))


def _tsv_is_quoted(text):
    """Whether a TSV file quotes its fields as CSV does.

    TSV has no quoting of its own: a quote in a TSV file is usually part of
    the text (``" the film " is ...`` in tokenized corpora), and a quoted
    reading would drop it or read the rows after it into one field. So a TSV
    file is read literally unless it shows it was written with quoting (as
    pandas ``to_csv(sep="\\t")`` writes it): its rows have different numbers
    of fields when split at every tab (a quoted field holds a tab or a line
    break), or a field is quoted with a quote doubled or escaped inside.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter="\t",
                        quoting=csv.QUOTE_NONE)
    widths = set()
    for row in reader:
        if any(field.strip() for field in row):
            widths.add(len(row))
            if len(widths) > 1 or any(_escapes_quotes(f.strip()) for f in row):
                return True
    return False


def _check_swallowed_rows(rows, starts, stops, delimiter, path):
    """Refuse a quoted field that spans lines which read as rows of their own:
    a quote left open until a later quote happens to close it.

    In a TSV, any line of a field over several lines that holds a tab. In a
    CSV (where a review running over several lines may hold commas), a line
    of such a field that splits into as many fields as a row, one of them a
    value that recurs in that column of the file (a label).
    """
    n = len(rows[0])
    single = [row for row, a, b in zip(rows, starts, stops, strict=True)
              if a == b and len(row) == n]
    recurring = [{v for v, k in Counter(r[j].strip() for r in single).items() if k > 1}
                 for j in range(n)]
    for row, start, stop in zip(rows, starts, stops, strict=True):
        if start == stop:
            continue
        for field in row:
            if "\n" not in field:
                continue
            for offset, line in enumerate(field.split("\n")):
                if delimiter not in line:
                    continue
                parts = next(csv.reader([line], delimiter=delimiter))
                if delimiter == "\t" or (len(parts) == n and any(
                        p.strip() in recurring[j] for j, p in enumerate(parts))):
                    raise ValueError(
                        f"{path}, lines {start}-{stop}: one quoted field runs over these "
                        f"lines, and line {start + offset} reads as a row of its own "
                        f"({line[:60]!r}): a quote is probably not closed at line {start}. "
                        'Close it, or double a quote that is part of the text ("").'
                    )


def _looks_like_header(rows):
    """Whether the first row of a CSV/TSV file names its columns.

    Yes when one of its fields is a known text or label column name. No when
    one of them is a sentence (over 4 words or 40 characters: a name is
    short) or a value that recurs in its column below (a label such as
    ``pos`` or ``1``: names occur once). Otherwise csv.Sniffer's vote, on the
    rows already parsed (so the delimiter is never guessed): a column of
    numbers under a name that is not one, or of values of one length under a
    name of another length, says "header"; the same type or length says
    "data"; a tie says "data" (a header taken for a document shows as a class
    of one document, a document taken for a header is lost).
    """
    first, body = rows[0], [r for r in rows[1:201] if len(r) == len(rows[0])]
    if {field.strip().lower() for field in first} & {*TEXT_COLUMNS, *LABEL_COLUMNS}:
        return True
    if any(len(field.split()) > 4 or len(field.strip()) > 40 for field in first):
        return False
    votes = 0
    for j, field in enumerate(first):
        value = field.strip()
        column = [r[j].strip() for r in body]
        if not column:
            continue
        counts = Counter(column)
        if value in counts and len(counts) < len(column):
            return False
        if all(_NUMBER.fullmatch(v) for v in column):
            votes += -1 if _NUMBER.fullmatch(value) else 1
            continue
        lengths = {len(v) for v in column}
        if len(lengths) == 1:
            votes += -1 if len(value) in lengths else 1
    return votes > 0


def _read_delimited(path, delimiter, encoding, header):
    """Columns of a CSV/TSV file: ``(columns, where, header, quoted)``."""
    csv.field_size_limit(2**31 - 1)  # reviews and lyrics can be long
    text = _read_text(path, encoding)
    if delimiter == "\t" and not _tsv_is_quoted(text):
        rows, starts, _ = _parse_delimited(text, delimiter, None, path, csv.QUOTE_NONE)
        quoted = False
    else:
        rows, starts = _parse_quoted(text, delimiter, path)
        quoted = True
    if not rows:
        raise ValueError(f"{path} has no rows.")
    if header == "auto":
        header = _looks_like_header(rows)
    header = bool(header)
    names = [n.strip() for n in rows[0]] if header else [str(i) for i in range(len(rows[0]))]
    if header and len(set(names)) < len(names):
        twice = next(n for n, k in Counter(names).items() if k > 1)
        raise ValueError(f"{path}: the header names the column {twice!r} twice.")
    body, lines = (rows[1:], starts[1:]) if header else (rows, starts)
    for row, line in zip(body, lines, strict=True):
        if len(row) != len(names):
            raise ValueError(
                f"{path}: line {line} has {len(row)} fields, the "
                f"{'header' if header else 'first row'} has {len(names)}. Check the "
                "delimiter (format='tsv' for tabs) and the quoting."
            )
    columns = {name: [row[j] for row in body] for j, name in enumerate(names)}
    return columns, (lambda i: f"line {lines[i]}"), header, quoted


def _parse_quoted(text, delimiter, path):
    """Rows and start lines of a CSV (or quoted TSV), read strictly: quotes
    that would swallow rows are an error; backslash-escaped quotes are read
    (with a warning)."""
    escapechar = None
    if '\\"' in text:
        escapechar = "\\"
        line = text.count("\n", 0, text.index('\\"')) + 1
        warnings.warn(
            f'{path} escapes quotes with a backslash (\\" at line {line}): read with '
            'backslash as the escape character, so \\" is a quote and \\\\ a backslash '
            "(a backslash before any other character is dropped). Double the quotes "
            '("") in the file if that is not what it means.',
            UserWarning,
        )
    rows, starts, stops = _parse_delimited(text, delimiter, escapechar, path)
    if rows:
        _check_swallowed_rows(rows, starts, stops, delimiter, path)
    return rows, starts


def _read_records(records, path, where):
    if not isinstance(records, list) or not records or not all(
            isinstance(r, dict) for r in records):
        raise ValueError(f"{path}: expected one JSON object per record, like "
                         '{"text": "...", "label": "..."}.')
    names = list(dict.fromkeys(k for r in records for k in r))
    return {name: [r.get(name) for r in records] for name in names}, where, None, None


def _read_columns(path, fmt, encoding, header):
    """``(columns, where, header, quoted)``: column name -> values, row index
    -> where the row is in the file (``'line 12'``), the header decision and
    whether quotes were read as CSV quoting (CSV/TSV only, else None)."""
    if fmt in ("csv", "tsv"):
        return _read_delimited(path, "," if fmt == "csv" else "\t", encoding, header)
    if fmt == "jsonl":
        records, lines = [], []
        for number, line in enumerate(_lines(_read_text(path, encoding)), 1):
            if line.strip():
                try:
                    records.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise ValueError(f"{path}: line {number} is not JSON ({exc}).") from None
                lines.append(number)
        return _read_records(records, path, lambda i: f"line {lines[i]}")
    if fmt == "json":
        try:
            records = json.loads(_read_text(path, encoding))
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path} is not JSON ({exc}).") from None
        return _read_records(records, path, lambda i: f"record {i + 1}")
    try:
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise ImportError(
            'Reading Parquet needs pyarrow: pip install "sklearn-rnn[parquet]"'
        ) from exc
    return pq.read_table(path).to_pydict(), (lambda i: f"row {i + 1}"), None, None


# --------------------------------------------------------------------------- #
# columns, texts and labels
# --------------------------------------------------------------------------- #
def _pick(columns, given, names, what):
    """The column to use: the one given, a known name, or None."""
    if given is not None:
        wanted = [given] if isinstance(given, (str, int)) else list(given)
        wanted = [str(w) for w in wanted]
        lower = {}
        for c in columns:
            lower.setdefault(c.strip().lower(), []).append(c)
        for k, w in enumerate(wanted):
            if w not in columns and len(lower.get(w.strip().lower(), [])) == 1:
                wanted[k] = lower[w.strip().lower()][0]  # 'Text' for 'text'
        missing = [w for w in wanted if w not in columns]
        if missing:
            raise ValueError(f"No {what} column {missing[0]!r}; the columns are "
                             f"{list(columns)}.")
        return wanted
    lower = {c.strip().lower(): c for c in columns}
    for name in names:
        if name in lower:
            return [lower[name]]
    return None


def _is_texty(values):
    strings = [v for v in values[:1000] if isinstance(v, str)]
    return len(strings) > 0.9 * min(len(values), 1000)


def _choose_columns(columns, text_column, label_column, path):
    n = len(next(iter(columns.values()))) if columns else 0
    labels = [] if label_column is False else _pick(columns, label_column, LABEL_COLUMNS,
                                                    "label")
    texts = _pick(columns, text_column, TEXT_COLUMNS, "text")
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
        mean_length = {c: np.mean([len(v) if isinstance(v, str) else 0
                                   for v in columns[c][:2000]]) for c in candidates}
        texts = [max(candidates, key=mean_length.get)]
    return texts, labels[0] if labels else None


def _missing(value):
    return value is None or (isinstance(value, float) and math.isnan(value))


def _short(value):
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _texts(columns, names, where, path):
    """The documents: the text columns joined with ``'. '``; every row must
    have some text, and text only (no bytes, lists or objects)."""
    n = len(columns[names[0]])
    data, empty = [], []
    for i in range(n):
        parts = []
        for name in names:
            value = columns[name][i]
            if _missing(value):
                continue
            if isinstance(value, bool) or not isinstance(value, (str, int, float)):
                raise ValueError(
                    f"{path}, {where(i)}: the text column {name!r} holds a "
                    f"{type(value).__name__} ({_short(value)}), not text. Give a column of "
                    "strings (decode bytes, join lists) or choose another text_column= "
                    "(--text-column)."
                )
            value = value if isinstance(value, str) else str(value)
            if value.strip().lower() == "nan":  # NaN as CSV spells it (str(float('nan')))
                continue
            if value.strip():
                parts.append(value)
        if not parts:
            empty.append(i)
        data.append(". ".join(parts))
    if empty:
        which = names[0] if len(names) == 1 else names
        raise ValueError(
            f"{path}: the text column {which!r} is empty, null or NaN in {len(empty):,} "
            f"rows (first: {where(empty[0])}). Drop those rows or fill them in: a document "
            "without text cannot be classified."
        )
    return data


def _as_number(value):
    """A label as a number (int when integral), or None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return int(value) if float(value).is_integer() else float(value)
    if isinstance(value, str) and _NUMBER.fullmatch(value):
        number = float(value)
        if number.is_integer() and abs(number) < 2**53:
            return int(number)
        return number
    return None


def _labels_array(values, path, column, where):
    """The labels, one type per column.

    All numbers (``1``, ``'01'``, ``'1.0'``...): an integer array when every
    one is integral, else float; compared as numbers, so ``'1'`` and
    ``'1.0'`` are one class. Otherwise strings (stripped), or booleans when
    all are; a column mixing numbers and text is an error when it mixes
    types in JSON/Parquet, or when two of its strings are the same number.
    """
    missing = [i for i, v in enumerate(values)
               if _missing(v) or (isinstance(v, str) and not v.strip())]
    if missing:
        raise ValueError(
            f"{path}: the label column {column!r} is empty in {len(missing):,} rows (first: "
            f"{where(missing[0])}). Drop or label those rows first."
        )
    for i, v in enumerate(values):
        if not isinstance(v, (str, bool, int, float, np.generic)):
            raise ValueError(
                f"{path}, {where(i)}: the label column {column!r} holds a "
                f"{type(v).__name__} ({_short(v)}): one label (a string or a number) per "
                "document expected."
            )
    values = [v.strip() if isinstance(v, str) else v for v in values]
    if all(isinstance(v, (bool, np.bool_)) for v in values):
        return np.asarray(values, dtype=bool)
    numbers = [_as_number(v) for v in values]
    if all(x is not None for x in numbers):
        if all(isinstance(x, int) for x in numbers):
            if all(-(2**63) <= x < 2**63 for x in numbers):
                return np.asarray(numbers, dtype=np.int64)
            return np.asarray(numbers, dtype=object)
        return np.asarray(numbers, dtype=np.float64)
    text = next(i for i, x in enumerate(numbers) if x is None)
    typed = [i for i, v in enumerate(values) if not isinstance(v, str)]
    if typed:
        raise ValueError(
            f"{path}: the label column {column!r} mixes types: {_short(values[typed[0]])} "
            f"({where(typed[0])}) and {_short(values[text])} ({where(text)}). One type of "
            "label per column: write them all as strings or all as numbers."
        )
    same = {}
    for i, (v, x) in enumerate(zip(values, numbers, strict=True)):
        if x is not None:
            first = same.setdefault(x, (v, i))
            if first[0] != v:
                raise ValueError(
                    f"{path}: the label column {column!r} holds text ({values[text]!r}, "
                    f"{where(text)}), so its labels are read as strings, and there "
                    f"{first[0]!r} ({where(first[1])}) and {v!r} ({where(i)}) would be two "
                    "classes although they are the same number. Write each label one way."
                )
    return np.asarray(values, dtype=object)


def _check_classes(target, describe):
    """At least 2 classes and :data:`MIN_CLASS_DOCUMENTS` documents of each.

    ``describe(label)`` says where a class came from (a folder, a file).
    """
    classes, counts = np.unique(target, return_counts=True)
    classes = classes.tolist()  # plain Python labels in the messages: 3, not np.int64(3)
    if len(classes) < 2:
        raise ValueError(
            f"Found 1 class ({classes[0]!r}, {describe(classes[0])}); a "
            "classifier needs documents of at least 2 classes."
        )
    few = [(c, k) for c, k in zip(classes, counts, strict=True) if k < MIN_CLASS_DOCUMENTS]
    if few:
        label, count = few[0]
        raise ValueError(
            f"Too few documents: the class {label!r} ({describe(label)}) has {count}; each "
            f"class needs at least {MIN_CLASS_DOCUMENTS} (one to train on, one to test)."
            + (f" {len(few) - 1} more classes have too few." if len(few) > 1 else "")
        )


# --------------------------------------------------------------------------- #
# a folder per class
# --------------------------------------------------------------------------- #
def _outside(entry, root):
    """Whether a symbolic link points out of the tree ``root``."""
    return entry.is_symlink() and not entry.resolve().is_relative_to(root)


def _warn_skipped(path, hidden, outside):
    if hidden:
        warnings.warn(
            f"{path}: skipped {len(hidden)} hidden file(s) or folder(s) (name starting "
            f"with '.'; {', '.join(hidden[:3])}{', ...' if len(hidden) > 3 else ''}): "
            "notebook checkpoints and system files are not documents.",
            UserWarning,
        )
    if outside:
        warnings.warn(
            f"{path}: skipped {len(outside)} symbolic link(s) pointing out of the folder "
            f"({', '.join(outside[:3])}{', ...' if len(outside) > 3 else ''}): copy those "
            "files in to use them.",
            UserWarning,
        )


def _load_folder(path, encoding):
    """Documents, labels and file names of a folder with one sub-folder per
    class: hidden entries and links out of the tree skipped (a warning), at
    least 2 classes of 2 documents."""
    root = path.resolve()
    hidden, outside, data, target, filenames = [], [], [], [], []
    structure = {}
    for folder in sorted(path.iterdir(), key=lambda p: p.name):
        if folder.name.startswith("."):
            if folder.is_dir():
                hidden.append(folder.name)
            continue
        if _outside(folder, root):
            outside.append(folder.name)
            continue
        if not folder.is_dir():
            continue  # a README or a licence beside the class folders
        files, subfolders = [], []
        for entry in sorted(folder.iterdir(), key=lambda p: p.name):
            name = f"{folder.name}/{entry.name}"
            if entry.name.startswith("."):
                hidden.append(name)
            elif _outside(entry, root):
                outside.append(name)
            elif entry.is_dir():
                subfolders.append(entry.name)
            elif entry.is_file():
                files.append(entry)
        structure[folder.name] = (files, subfolders)
        for file in files:
            try:
                text = _read_text(file, encoding)
            except ValueError as exc:
                raise ValueError(f"{exc} (in the folder of class {folder.name!r})") from None
            if not text.strip():
                raise ValueError(f"{file} is empty: a document without text cannot be "
                                 "classified. Delete it or fill it in.")
            data.append(text)
            target.append(folder.name)
            filenames.append(str(file))
    _warn_skipped(path, hidden, outside)
    nested = {c: subs for c, (files, subs) in structure.items() if subs and not files}
    if nested and len(nested) == len(structure):
        first = next(iter(nested))
        raise ValueError(
            f"The class folders of {path} hold folders, not text files ({first}/: "
            f"{', '.join(nested[first][:4])}): point at a folder whose sub-folders are the "
            f"classes, such as {path / first}."
        )
    if not structure:
        raise ValueError(f"{path} holds no sub-folders of text files (one per class).")

    def describe(label):
        files, subs = structure[label]
        return f"folder {path / label}" + (f", which holds folders ({', '.join(subs[:4])})"
                                            if subs else "")

    empty = [c for c, (files, _) in structure.items() if not files]
    if empty:
        raise ValueError(f"Too few documents: the class folder {path / empty[0]} holds no "
                         f"text files; each class needs at least {MIN_CLASS_DOCUMENTS}.")
    _check_classes(np.asarray(target, dtype=object), describe)
    return data, np.asarray(target, dtype=object), filenames


# --------------------------------------------------------------------------- #
# text files, one document per line
# --------------------------------------------------------------------------- #
def _label_from_name(path):
    """``rt-polarity.pos`` -> ``'pos'``, ``neg.txt`` -> ``'neg'``,
    ``train.pos.txt`` -> ``'pos'``."""
    name = path.name
    for suffix in (".gz", ".txt"):
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
    stem, dot, suffix = name.rpartition(".")
    return suffix if dot and stem and suffix else name


def _read_lines_file(path, encoding, label):
    """Documents, their labels and line numbers of one text file: fastText
    lines (``__label__pos text``) when its first line has the prefix, else one
    document per line labelled ``label`` (blank lines are no documents)."""
    lines = _lines(_read_text(path, encoding))
    numbered = [(k, line) for k, line in enumerate(lines, 1) if line.strip()]
    if not numbered:
        raise ValueError(f"{path} holds no documents (no line with text).")
    fasttext = numbered[0][1].lstrip().startswith(FASTTEXT_PREFIX)
    docs, labels, where = [], [], []
    for number, line in numbered:
        stripped = line.strip()
        has_prefix = stripped.startswith(FASTTEXT_PREFIX)
        if has_prefix != fasttext:
            raise ValueError(
                f"{path}, line {number}: "
                + ("no __label__ prefix, but line 1 has one (fastText format: every line "
                   "'__label__<class> <text>')." if fasttext else
                   f"starts with {FASTTEXT_PREFIX!r}, but the first lines do not: fastText "
                   "files label every line.")
            )
        if fasttext:
            match = _FASTTEXT_LINE.fullmatch(stripped)
            found = match.group(1).split()
            if len(found) > 1:
                raise ValueError(
                    f"{path}, line {number}: {len(found)} labels ({', '.join(found)}); one "
                    "label per document (multi-label data is not supported)."
                )
            name = found[0][len(FASTTEXT_PREFIX):]
            if not name or not match.group(2).strip():
                raise ValueError(f"{path}, line {number}: "
                                 + ("an empty label (__label__ alone)." if not name else
                                    f"the label {name!r} has no text after it."))
            if label is not None:
                raise ValueError(
                    f"labels= gives {path} the label {label!r}, but it is a fastText file "
                    "(its lines carry their labels): pass None for it."
                )
            docs.append(match.group(2))
            labels.append(name)
        else:
            docs.append(line)
            labels.append(_label_from_name(path) if label is None else label)
        where.append(number)
    return docs, labels, where, "fasttext" if fasttext else "lines"


def load_text_files(
    paths,
    *,
    labels=None,
    encoding="utf-8",
    shuffle=False,
    random_state=0,
    n_samples=None,
    return_X_y=False,
):
    """Load text files with one document per line, labelled by file name.

    The layout of Pang & Lee's sentence polarity data
    (``rt-polarity.pos`` and ``rt-polarity.neg``), of NLTK's line corpora,
    and of fastText (``__label__pos A fine film.`` on each line).

    Parameters
    ----------
    paths : str, path-like or list of them
        The files (plain or gzipped). Each non-blank line is a document
        (blank lines are skipped). A file whose first line starts with
        ``__label__`` is in fastText's format: every line must then start
        with one ``__label__<class>``, followed by the text.
    labels : list, default=None
        The label of each file, in the order of ``paths`` (``None`` for a
        fastText file). None: from the file name, its extension when it is
        not ``.txt`` (``rt-polarity.pos`` -> ``'pos'``, ``train.neg.txt`` ->
        ``'neg'``), else its name without ``.txt`` (``neg.txt`` -> ``'neg'``).
        Files with the same label make one class.
    encoding : str, default='utf-8'
        Pang & Lee's ``rt-polarity`` files are ``'latin-1'``.
    shuffle : bool, default=False
        Shuffle the documents (with ``random_state``); without it they come
        file by file, line by line.
    random_state : int, RandomState instance or None, default=0
    n_samples : int, default=None
        Keep only the first ``n_samples`` documents (after shuffling).
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    data : Bunch
        ``data`` (list of str), ``target`` (labels, numbers compared as
        numbers as in :func:`load_text_dataset`), ``target_names``,
        ``filenames`` and ``lines`` (the file and line of each document),
        ``format`` (``'lines'`` or ``'fasttext'``), ``header`` (None),
        ``text_column`` (``'<line>'``), ``label_column`` (``'<file name>'``
        or ``'<__label__ prefix>'``) and ``DESCR``.
    (data, target) : tuple
        With ``return_X_y=True``.

    Raises
    ------
    ValueError
        Naming the file and line: bytes that are not ``encoding`` text, a
        fastText line without its label or with several; fewer than 2
        classes, or a class with fewer than 2 documents.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "rt-polarity.pos").write_text("A gem.\\nFunny and warm.\\n")
    >>> _ = (folder / "rt-polarity.neg").write_text("Dull.\\nToo long by an hour.\\n")
    >>> data = load_text_files([folder / "rt-polarity.pos", folder / "rt-polarity.neg"])
    >>> data.data[:3], data.target.tolist()
    (['A gem.', 'Funny and warm.', 'Dull.'], ['pos', 'pos', 'neg', 'neg'])
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    paths = [Path(p) for p in paths]
    if not paths:
        raise ValueError("load_text_files needs at least one file.")
    if labels is not None:
        labels = list(labels)
        if len(labels) != len(paths):
            raise ValueError(f"labels= gives {len(labels)} labels for {len(paths)} files: one "
                             "per file expected.")
    data, target, filenames, lines, formats = [], [], [], [], set()
    for k, path in enumerate(paths):
        if path.is_dir():
            raise ValueError(f"{path} is a folder: load_text_dataset({str(path)!r}) reads a "
                             "folder with one sub-folder of files per class.")
        if not path.exists():
            raise FileNotFoundError(f"No such file: {path}")
        docs, names, where, fmt = _read_lines_file(
            path, encoding, None if labels is None else labels[k])
        data += docs
        target += names
        filenames += [str(path)] * len(docs)
        lines += where
        formats.add(fmt)
    target = _labels_array(target, ", ".join(str(p) for p in paths), "<label>",
                           lambda i: f"{filenames[i]} line {lines[i]}")
    origin = {}
    for label, filename in zip(target.tolist(), filenames, strict=True):
        origin.setdefault(label, filename)

    def describe(label):
        hint = ("; every line of a file gets its label: give one file per class, or "
                "label each line fastText-style (__label__pos <text>)"
                if len(paths) == 1 and formats == {"lines"} else "")
        if hint and sum("\t" in doc for doc in data) > len(data) / 2:
            hint += ("; most of its lines hold a tab: if each is text<TAB>label, read it as "
                     "a table with format='tsv'")
        return f"from {origin[label]}{hint}"

    _check_classes(target, describe)
    order = sample_order(len(data), shuffle=shuffle, random_state=random_state,
                         n_samples=n_samples)
    data = [data[i] for i in order]
    target = target[order]
    if return_X_y:
        return data, target
    fmt = formats.pop() if len(formats) == 1 else "mixed"
    return Bunch(
        data=data,
        target=target,
        target_names=np.unique(target),
        filenames=[filenames[i] for i in order],
        lines=[lines[i] for i in order],
        format=fmt,
        header=None,
        text_column="<line>",
        label_column="<__label__ prefix>" if fmt == "fasttext" else "<file name>",
        DESCR=f"Text files, one document per line ({fmt}): "
              f"{', '.join(str(p) for p in paths)}; {len(data):,} documents.",
    )


# --------------------------------------------------------------------------- #
# the entry point
# --------------------------------------------------------------------------- #
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
    path : str, path-like or list of them
        A CSV (``.csv``), TSV (``.tsv``), JSON lines (``.jsonl``), JSON list of
        objects (``.json``) or Parquet (``.parquet``, needs pyarrow) file, any
        of them gzipped (``.gz``); a folder with one sub-folder of text files
        per class, as for :func:`sklearn.datasets.load_files`; a fastText
        ``.txt`` file (``__label__pos A fine film.`` per line); or a list of
        text files with one document per line, labelled by file name (read
        by :func:`load_text_files`).
    text_column : str or list of str, default=None
        The text. A list joins several columns (e.g. ``["title", "content"]``)
        with ``". "``. None: a column named text, review, content, body,
        sentence, document, comment, lyrics, message or tweet (any case), else
        the column with the longest strings.
    label_column : str or False, default=None
        The labels. None: a column named label, sentiment, class, target, y,
        category, polarity, rating, stars, score or artist, else the only
        column with few distinct values; an error lists the candidates when
        that is ambiguous. False: no labels (documents to predict): ``target``
        is None, a ``.txt`` file is one document per line (fastText labels
        dropped), a folder one document per file (in it or its sub-folders).
    format : {'auto', 'csv', 'tsv', 'jsonl', 'json', 'parquet', 'folder', 'txt'}, \
default='auto'
        'auto' goes by the file name (or a folder).
    encoding : str, default='utf-8'
        A UTF-8 byte order mark (as Excel writes) is dropped.
    header : 'auto' or bool, default='auto'
        CSV/TSV: whether the first row names the columns. ``'auto'``: yes when
        it holds a known column name; no when one of its fields is a sentence
        or a value that recurs below it in its column (a label); else
        csv.Sniffer's vote on types and lengths (see Notes). Without a header
        the columns are named ``'0'``, ``'1'``, ... The Bunch's ``header``
        says what was decided.
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
        ``data`` (list of str), ``target`` (ndarray), ``target_names``, and
        what was decided: ``format``, ``header`` (True/False for CSV/TSV,
        else None), ``text_column``, ``label_column``; ``filenames`` (folders
        and text files) and ``DESCR``.
    (data, target) : tuple
        With ``return_X_y=True``.

    Raises
    ------
    ValueError
        With the file and line, for anything that would load wrong: a quote
        that swallows rows, a row with the wrong number of fields, an empty,
        null or NaN text or label, a text that is not a string (bytes, a
        list), a label column of mixed types, bytes that are not ``encoding``
        text; for a folder per class, fewer than 2 classes or a class with
        fewer than 2 documents.

    Notes
    -----
    **Labels** are numbers when every label of the column is one, compared
    as numbers: ``'1'``, ``'01'``, ``'1.0'`` and ``1`` are the class ``1``
    (an integer array when all are integral, else floats). Otherwise they are
    strings, stripped of surrounding spaces; a column that mixes text with
    numbers written two ways (``'1'`` and ``'01'``) is an error, not two
    classes.

    **Texts** must not be empty: an empty, blank, null or NaN text is an
    error naming the first such row (several text columns: the row's parts
    that are not empty are joined; all empty is the error). Numbers in a
    text column become their digits; bytes, lists and other objects are an
    error. Rows whose fields are all blank are skipped.

    **Quotes** (CSV/TSV): a field that starts with a quote must end with
    one, followed by the delimiter; a quote inside it is doubled (``""``).
    An unclosed quote, which would read the following rows into one field,
    is an error with its line; so is a quoted field over several lines whose
    inner lines read as rows. A file that escapes quotes with a backslash
    (``\\"``) is read with backslash as the escape character, with a warning.

    **Folders**: hidden files and folders (``.ipynb_checkpoints``,
    ``.DS_Store``) and symbolic links pointing out of the folder are skipped
    with a warning; files beside the class folders are ignored.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "reviews.csv"
    >>> _ = path.write_text("stars,review\\n5,Great phone\\n1,Broke in a week\\n")
    >>> data = load_text_dataset(path)
    >>> data.data, data.target.tolist(), data.label_column
    (['Great phone', 'Broke in a week'], [5, 1], 'stars')
    >>> data.format, data.header
    ('csv', True)
    """
    layout = None if isinstance(path, (str, os.PathLike)) else "a list of text files"
    if layout is None and Path(path).is_dir() and format in ("auto", "folder"):
        layout = "a folder per class"
    elif layout is None and format in ("auto", "txt") and str(path).lower().endswith(
            (".txt", ".txt.gz")):
        layout = "a text file"
    unlabelled = label_column is False
    if layout is not None and (text_column is not None or label_column not in (None, False)):
        raise ValueError(
            f"text_column= and label_column= (--text-column, --label-column) name columns of "
            f"a table; {layout} has none (the text is each "
            f"{'file' if layout == 'a folder per class' else 'line'}, the label "
            f"{'its folder' if layout == 'a folder per class' else 'from the file'})."
        )
    if not isinstance(path, (str, os.PathLike)):
        if format not in ("auto", "txt"):
            raise ValueError(f"A list of files is read as text files (format='txt'), got "
                             f"format={format!r}.")
        if unlabelled:
            return _unlabelled_bunch(
                [doc for p in path for doc in _read_lines_file(Path(p), encoding, None)[0]],
                "txt", None, "<line>", shuffle, random_state, n_samples, return_X_y)
        return load_text_files(path, encoding=encoding, shuffle=shuffle,
                               random_state=random_state, n_samples=n_samples,
                               return_X_y=return_X_y)
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"No such file or folder: {path}")
    if format not in _FORMATS:
        raise ValueError(f"format must be one of {_FORMATS}, got {format!r}.")
    if not (header == "auto" or isinstance(header, (bool, np.bool_))):
        raise ValueError(f"header must be 'auto', True or False, got {header!r}.")
    fmt = _format_of(path) if format == "auto" else format
    if unlabelled:
        return _load_unlabelled(path, fmt, text_column, encoding, header, shuffle,
                                random_state, n_samples, return_X_y)
    if fmt == "txt":
        return load_text_files([path], encoding=encoding, shuffle=shuffle,
                               random_state=random_state, n_samples=n_samples,
                               return_X_y=return_X_y)
    filenames, decided_header, quoted = None, None, None
    if fmt == "folder":
        data, target, filenames = _load_folder(path, encoding)
        texts, label = ["<file contents>"], "<folder name>"
    else:
        columns, where, decided_header, quoted = _read_columns(path, fmt, encoding, header)
        if not columns or not len(next(iter(columns.values()))):
            raise ValueError(f"{path} has no rows" + (" below its header." if decided_header
                                                      else "."))
        texts, label = _choose_columns(columns, text_column, label_column, path)
        data = _texts(columns, texts, where, path)
        target = _labels_array(columns[label], path, label, where)
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
        format=fmt,
        header=decided_header,
        text_column=texts if len(texts) > 1 else texts[0],
        label_column=label,
        filenames=None if filenames is None else [filenames[i] for i in order],
        DESCR=f"Labelled text from {path} ({fmt}"
              + ("" if decided_header is None else
                 f", {'a header row' if decided_header else 'no header row'}")
              + ("" if quoted is not False else ", quotes read as text")
              + f"): text {texts}, labels {label!r}, {len(data):,} documents.",
    )


def _unlabelled_bunch(data, fmt, header, text, shuffle, random_state, n_samples, return_X_y,
                      filenames=None):
    order = sample_order(len(data), shuffle=shuffle, random_state=random_state,
                         n_samples=n_samples)
    data = [data[i] for i in order]
    if return_X_y:
        return data, None
    return Bunch(data=data, target=None, target_names=None, format=fmt, header=header,
                 text_column=text, label_column=None,
                 filenames=None if filenames is None else [filenames[i] for i in order],
                 DESCR=f"Unlabelled text ({fmt}): text {text!r}, {len(data):,} documents.")


def _load_unlabelled(path, fmt, text_column, encoding, header, shuffle, random_state,
                     n_samples, return_X_y):
    """``load_text_dataset(label_column=False)``: the documents of a file or
    folder, without labels."""
    args = (shuffle, random_state, n_samples, return_X_y)
    if fmt == "txt":
        return _unlabelled_bunch(_read_lines_file(path, encoding, None)[0], fmt, None,
                                 "<line>", *args)
    if fmt == "folder":
        files = sorted(f for pattern in ("*", "*/*") for f in path.glob(pattern)
                       if f.is_file() and not _outside(f, path.resolve())
                       and not any(part.startswith(".") for part in f.relative_to(path).parts))
        if not files:
            raise ValueError(f"{path} holds no text files (in it or its sub-folders).")
        data = [_read_text(f, encoding) for f in files]
        return _unlabelled_bunch(data, fmt, None, "<file contents>", *args,
                                 filenames=[str(f) for f in files])
    columns, where, decided_header, _ = _read_columns(path, fmt, encoding, header)
    if not columns or not len(next(iter(columns.values()))):
        raise ValueError(f"{path} has no rows" + (" below its header." if decided_header
                                                  else "."))
    texts, _ = _choose_columns(columns, text_column, False, path)
    return _unlabelled_bunch(_texts(columns, texts, where, path), fmt, decided_header,
                             texts if len(texts) > 1 else texts[0], *args)
