"""Choosing the text and label columns of a table, and checking what they hold.

Turns the columns a reader returns (name -> values) into documents and
labels, the same way for every format: which column is the text and which
the labels when not given; every document has text, and text only; labels
of one type per column, numbers compared as numbers; at least 2 classes of
:data:`MIN_CLASS_DOCUMENTS` documents.
"""

import math
import re
import unicodedata

import numpy as np

from .._utils._printable import UNSAFE_IN_LABELS as UNSAFE
from .._utils._printable import printable, unsafe_characters

__all__ = ["TEXT_COLUMNS", "LABEL_COLUMNS", "NUMBER", "MIN_CLASS_DOCUMENTS",
           "choose_columns", "texts_of", "labels_array", "check_classes", "label_texts"]

#: Column names taken as the text, then as the label, when not given (any case).
TEXT_COLUMNS = ("text", "review", "content", "body", "sentence", "document", "comment",
                "lyrics", "message", "tweet", "review_text", "reviewtext")
LABEL_COLUMNS = ("label", "labels", "sentiment", "class", "target", "y", "category",
                 "polarity", "rating", "stars", "score", "artist")
#: A number as a label may be written: ``1``, ``-2``, ``01``, ``1.0``, ``.5``, ``1e3``.
NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
#: Each class needs this many documents: one to train on, one to test.
MIN_CLASS_DOCUMENTS = 2


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


def choose_columns(columns, text_column, label_column, path):
    """``(text columns, label column)``; ``label_column=False``: no labels
    (the label column is None)."""
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


def texts_of(columns, names, where, path):
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
    if isinstance(value, str) and NUMBER.fullmatch(value):
        number = float(value)
        if number.is_integer() and abs(number) < 2**53:
            return int(number)
        return number
    return None


def _rows(rows, where, shown=5):
    said = ", ".join(where(i) for i in rows[:shown])
    return said + (f" and {len(rows) - shown:,} more" if len(rows) > shown else "")


def label_texts(values, source, where):
    """String labels as classes are made of them: NFC-normalised, checked.

    A label is a name a person reads: two that look the same must be one
    class, and none may change how the text around it is shown. Refused,
    with the rows: a label holding a control character (tab, line break,
    escape), a bidirectional control (U+202A-U+202E, U+2066-U+2069,
    U+200E, U+200F, U+061C) or an invisible character (zero-width space,
    joiner and non-joiner, word joiner, byte order mark): nothing is
    stripped, since which of two labels was meant is not ours to guess; and
    two labels that differ only in their Unicode composition (``'é'`` as one
    code point or as ``e`` and an accent), which NFC makes equal.

    Parameters
    ----------
    values : list of str
    source : str
        What holds them, for the messages (``"data.csv: the label column
        'label'"``).
    where : callable
        ``where(i)``: where value ``i`` is, for the messages.

    Returns
    -------
    values : list of str
        NFC-normalised.
    """
    bad = {}
    for i, v in enumerate(values):
        if UNSAFE.search(v):
            bad.setdefault(v, []).append(i)
    if bad:
        label, rows = next(iter(bad.items()))
        raise ValueError(
            f"{source} holds the label '{printable(label)}' with "
            f"{', '.join(unsafe_characters(label))} ({_rows(rows, where)}): control, "
            "bidirectional and invisible characters are refused in labels (they make one "
            "label look like another, or reorder what is shown beside it)"
            + (f"; {len(bad) - 1:,} more labels hold some" if len(bad) > 1 else "")
            + ". Remove them from the labels.")
    normal = [unicodedata.normalize("NFC", v) for v in values]
    seen = {}
    for v, n in zip(values, normal, strict=True):
        first = seen.setdefault(n, v)
        if first != v:
            rows_a = [i for i, x in enumerate(values) if x == first]
            rows_b = [i for i, x in enumerate(values) if x == v]
            raise ValueError(
                f"{source} holds the labels {ascii(first)} ({_rows(rows_a, where, 2)}) and "
                f"{ascii(v)} ({_rows(rows_b, where, 2)}), which are the same text in two "
                "Unicode forms (NFC makes them one); write them one way, or they would be "
                "two classes that look the same.")
    return normal


def labels_array(values, path, column, where):
    """The labels, one type per column.

    All numbers (``1``, ``'01'``, ``'1.0'``...): an integer array when every
    one is integral, else float; compared as numbers, so ``'1'`` and
    ``'1.0'`` are one class. Otherwise strings (stripped), or booleans when
    all are; a column mixing numbers and text is an error when it mixes
    types in JSON/Parquet, or when two of its strings are the same number.
    """
    missing = [i for i, v in enumerate(values)
               if _missing(v) or (isinstance(v, str) and v.strip().lower() in ("", "nan"))]
    if missing:
        raise ValueError(
            f"{path}: the label column {column!r} is empty, null or 'nan' in "
            f"{len(missing):,} rows ({_rows(missing, where)}). Drop or label those rows "
            "first ('nan' is how a missing value is written, not a class)."
        )
    for i, v in enumerate(values):
        if not isinstance(v, (str, bool, int, float, np.generic)):
            raise ValueError(
                f"{path}, {where(i)}: the label column {column!r} holds a "
                f"{type(v).__name__} ({_short(v)}): one label (a string or a number) per "
                "document expected."
            )
    values = [v.strip() if isinstance(v, str) else v for v in values]
    strings = [i for i, v in enumerate(values) if isinstance(v, str)]
    if strings:
        normal = label_texts([values[i] for i in strings], f"{path}: the label column "
                             f"{column!r}", lambda k: where(strings[k]))
        for i, v in zip(strings, normal, strict=True):
            values[i] = v
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


def check_classes(target, describe):
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

