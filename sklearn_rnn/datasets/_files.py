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

import os
import re
import warnings
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from ._base import sample_order
from ._columns import (
    MIN_CLASS_DOCUMENTS,
    check_classes,
    choose_columns,
    label_texts,
    labels_array,
    texts_of,
)
from ._tables import FORMATS, check_regular, format_of, read_columns, read_text, text_lines

__all__ = ["load_text_dataset", "load_text_files"]

#: fastText's label prefix.
FASTTEXT_PREFIX = "__label__"
_FASTTEXT_LINE = re.compile(r"((?:__label__\S*\s+)*__label__\S*)(?:\s+|$)(.*)", re.DOTALL)


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
                text = read_text(file, encoding)
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

    names = list(structure)
    normal = dict(zip(names, label_texts(names, f"The class folders of {path}",
                                         lambda k: f"folder {names[k]!r}"), strict=True))
    folder_of = {v: k for k, v in normal.items()}
    target = [normal[t] for t in target]

    def describe(label):
        files, subs = structure[folder_of.get(label, label)]
        return f"folder {path / folder_of.get(label, label)}" + (
            f", which holds folders ({', '.join(subs[:4])})" if subs else "")

    empty = [c for c, (files, _) in structure.items() if not files]
    if empty:
        raise ValueError(f"Too few documents: the class folder {path / empty[0]} holds no "
                         f"text files; each class needs at least {MIN_CLASS_DOCUMENTS}.")
    check_classes(np.asarray(target, dtype=object), describe)
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
    lines = text_lines(read_text(path, encoding))
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
    target = labels_array(target, ", ".join(str(p) for p in paths), "<label>",
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

    check_classes(target, describe)
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
    check_regular(path)
    if format not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, got {format!r}.")
    if not (header == "auto" or isinstance(header, (bool, np.bool_))):
        raise ValueError(f"header must be 'auto', True or False, got {header!r}.")
    fmt = format_of(path) if format == "auto" else format
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
        columns, where, decided_header, quoted = read_columns(path, fmt, encoding, header)
        if not columns or not len(next(iter(columns.values()))):
            raise ValueError(f"{path} has no rows" + (" below its header." if decided_header
                                                      else "."))
        texts, label = choose_columns(columns, text_column, label_column, path)
        data = texts_of(columns, texts, where, path)
        target = labels_array(columns[label], path, label, where)
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
        data = [read_text(f, encoding) for f in files]
        return _unlabelled_bunch(data, fmt, None, "<file contents>", *args,
                                 filenames=[str(f) for f in files])
    columns, where, decided_header, _ = read_columns(path, fmt, encoding, header)
    if not columns or not len(next(iter(columns.values()))):
        raise ValueError(f"{path} has no rows" + (" below its header." if decided_header
                                                  else "."))
    texts, _ = choose_columns(columns, text_column, False, path)
    return _unlabelled_bunch(texts_of(columns, texts, where, path), fmt, decided_header,
                             texts if len(texts) > 1 else texts[0], *args)
