"""The data of the main job: what ``--data`` points at, the split, the
unlabelled text, and the order labels are shown in.

Everything the main job decided about the data is kept in
:class:`ComparisonData` and printed, so the user sees which columns, header,
format and split were used.
"""

import re
import tarfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sklearn.model_selection import train_test_split

from ..datasets import (
    load_imdb_splits,
    load_movie_reviews,
    load_text_dataset,
    load_text_files,
)
from ..datasets._tables import check_regular

__all__ = ["ComparisonData", "load_comparison_data", "cli_words", "decoded", "QUICK_N_TRAIN",
           "MIN_PER_CLASS", "FALLBACK_ENCODINGS"]

#: --n-train 'quick' on IMDB and movie_reviews (all documents of the user's own data)
QUICK_N_TRAIN = 2000
#: Fewer training documents of a class than this: stop with an error.
MIN_PER_CLASS = 2
#: --n-train 'quick': word2vec reads at most this many of IMDB's unlabelled
#: reviews (the quick job stays quick; benchmarks/results/transfer.md).
QUICK_UNLABELLED = 10_000
#: An --unlabelled file is read up to this many documents and this many
#: bytes (the rest is left, and the output says so).
MAX_UNLABELLED_DOCUMENTS, MAX_UNLABELLED_BYTES = 1_000_000, 2**30

#: The library's words -> the command's words, for messages that reach the terminal.
_CLI_WORDS = [
    (r"data_home\s*=\s*<path to the \.tar\.gz>", "--data <path to the .tar.gz>"),
    (r"download_if_missing=False", "--no-download"),
    (r"\btext_column= and label_column= \(--text-column, --label-column\)",
     "--text-column and --label-column"),
    (r"\b\w+= \((--[\w-]+)\)", r"\1"),  # "format= (--format)" -> "--format"
    (r"\bformat='(\w+)'", r"--format \1"),
    (r"\bencoding='([\w-]+)'", r"--encoding \1"),
    (r"\bdata_home=", "--data "),
    (r"\btext_column=", "--text-column "),
    (r"\blabel_column=", "--label-column "),
    (r"\bformat=", "--format "),
    (r"\bheader=", "--header/--no-header "),
]


def cli_words(message):
    """A message of the library, said in the command's words (``--data`` for
    ``data_home=``...)."""
    for pattern, words in _CLI_WORDS:
        message = re.sub(pattern, words, message)
    return message


@dataclass
class ComparisonData:
    """The documents of one comparison and what was decided to get them."""

    name: str
    X_train: list
    y_train: np.ndarray
    X_test: list
    y_test: np.ndarray
    test_note: str
    labels: np.ndarray
    unlabelled: list = None
    unlabelled_note: str = None
    details: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    text_column: object = None
    label_column: object = None
    encoding: str = None


def _kind_of(settings):
    """'imdb', 'movie_reviews', 'files' or 'file': what --data points at."""
    if settings.dataset is not None:
        return settings.dataset
    paths = settings.data or []
    if not paths:
        return "imdb"
    if len(paths) > 1:
        return "files"
    name = Path(paths[0]).name.lower()
    if name.endswith((".tar.gz", ".tgz", ".tar")) or name == "aclimdb":
        return "imdb"
    if name.endswith(".zip") or name == "movie_reviews":
        return "movie_reviews"
    return "file"


def _columns(value):
    if value is None or "," not in value:
        return value
    return value.split(",")


#: Tried in order for a file that is not UTF-8, when --encoding is not given:
#: Windows' Western European, then Latin-1 (which decodes any byte).
FALLBACK_ENCODINGS = ("cp1252", "latin-1")
_NOT_TEXT = re.compile(r"([^\n]*), line (\d+): not ([\w-]+) text")


def decoded(read, encoding, details, name):
    """``read(encoding)`` with the ``encoding`` given (--encoding); None:
    UTF-8, else the first of :data:`FALLBACK_ENCODINGS` that decodes (said
    in ``details``, with the file and line that is not UTF-8). ``read``
    raises the datasets' ValueError for bytes that are not text."""
    if encoding:
        return read(encoding)
    try:
        return read("utf-8")
    except ValueError as exc:
        found = _NOT_TEXT.search(str(exc))
        if not found:
            raise
    for encoding in FALLBACK_ENCODINGS:
        try:
            bunch = read(encoding)
        except ValueError as exc:
            if _NOT_TEXT.search(str(exc)) and encoding != FALLBACK_ENCODINGS[-1]:
                continue
            raise
        details.append(f"{Path(found.group(1)).name} is not UTF-8 (line {found.group(2)}): "
                       f"{name} read as {encoding}; pass --encoding NAME if accented letters "
                       "look wrong")
        bunch.encoding = encoding
        return bunch


def _load_file(path, settings, details, what="data"):
    bunch = decoded(lambda encoding: load_text_dataset(
        path, text_column=_columns(settings.text_column), label_column=settings.label_column,
        format=settings.format or "auto", header=settings.header, encoding=encoding,
    ), settings.encoding, details, Path(path).name)
    fmt = getattr(bunch, "format", None)
    header = getattr(bunch, "header", None)
    text = bunch.text_column if isinstance(bunch.text_column, str) else \
        " + ".join(map(str, bunch.text_column))
    decided = [f"format {fmt}" if fmt else None,
               None if header is None else ("a header row" if header else "no header row"),
               f"text column {text!r}", f"label column {bunch.label_column!r}"]
    details.append(f"{what} {Path(path).name}: " + ", ".join(d for d in decided if d))
    return bunch


def _load_files(paths, settings, details):
    """Several files, one document per line, the label from each file's name."""
    bunch = decoded(lambda encoding: load_text_files(paths, encoding=encoding),
                    settings.encoding, details, " + ".join(Path(p).name for p in paths))
    counts = {str(label): int((np.asarray(bunch.target) == label).sum())
              for label in np.unique(bunch.target)}
    details.append("one document per line; labels from the file names: " + ", ".join(
        f"{label!r} ({n:,})" for label, n in counts.items()))
    return bunch


def _holdout(X, y, settings, n_train, source):
    n = len(X)
    n_test = settings.n_test or max(1, int(round(settings.test_size * n)))
    if n_test >= n:
        raise ValueError(
            f"--n-test {n_test:,} leaves no training documents: there are {n:,} labelled "
            "documents in all. Lower --n-test (or --test-size)."
        )
    n_train = n - n_test if n_train is None else n_train
    if n_train + n_test > n:
        raise ValueError(
            f"--n-train {n_train:,} + {n_test:,} test documents exceed the {n:,} labelled "
            "documents available; lower them."
        )
    classes, counts = np.unique(y, return_counts=True)
    stratify = y if counts.min() >= 2 else None
    if stratify is not None and min(n_train, n_test) < len(classes):
        side, size = ("training", n_train) if n_train < n_test else ("test", n_test)
        raise ValueError(
            f"The {n:,} documents have {len(classes):,} classes, more than the {size:,} "
            f"{side} documents of a stratified split can hold: raise "
            + ("--n-train" if side == "training" else "--test-size or --n-test")
            + ", or give more documents per class."
        )
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=n_test, train_size=n_train, random_state=settings.seed,
        stratify=stratify)
    note = (f"no test split given: {n_test:,} documents held out of {source} (stratified, "
            f"disjoint from the {n_train:,} training documents)")
    return list(X_train), np.asarray(y_train), list(X_test), np.asarray(y_test), note


def _read_lines(path):
    """The non-blank lines of a text file, up to the bounds; ``(lines, cut)``
    with ``cut`` True when the bounds left some of the file unread."""
    lines, size = [], 0
    check_regular(path)
    try:
        with open(path, encoding="utf-8-sig") as f:
            for line in f:
                size += len(line)
                if len(lines) >= MAX_UNLABELLED_DOCUMENTS or size > MAX_UNLABELLED_BYTES:
                    return lines, True
                if "\0" in line:
                    raise UnicodeDecodeError("utf-8", b"\0", 0, 1, "a NUL byte")
                if line.strip():
                    lines.append(line.rstrip("\r\n"))
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"--unlabelled {path} is not UTF-8 text ({exc.reason}): give a .txt file with "
            "one document per line, or a data file (.csv, .tsv, .jsonl, .parquet)."
        ) from None
    return lines, False


def _unlabelled_file(path, settings):
    """Documents for word2vec: one per line of a .txt file, or a data file's
    text; ``(documents, note)``."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"--unlabelled {path}: no such file. Give a .txt file with one "
                         "document per line, a data file, 'unsup' (IMDB) or 'none'.")
    if path.suffix.lower() == ".txt":
        documents, cut = _read_lines(path)
        note = f"{len(documents):,} documents of {path.name}"
        if cut:
            note += (f" (the first {len(documents):,}: at most "
                     f"{MAX_UNLABELLED_DOCUMENTS:,} documents or "
                     f"{MAX_UNLABELLED_BYTES // 2**20:,} MiB are read)")
        return documents, note
    # the text only: an unlabelled file has no label column to find
    documents = load_text_dataset(path, text_column=_columns(settings.text_column),
                                  label_column=False).data
    return documents, f"{len(documents):,} documents of {path.name}"


def _key(text):
    """A document as compared for duplicates: its words, lower-cased."""
    return " ".join(str(text).lower().split())


def _overlap(documents, others):
    """How many of ``documents`` are also among ``others`` (same words)."""
    seen = {_key(d) for d in others}
    return sum(_key(d) in seen for d in documents)


def _label_order(labels, given):
    """The labels in the order to show them: ``--labels`` when given (every
    label once), else sorted (numbers as numbers)."""
    if not given:
        return labels
    wanted = [w.strip() for w in given.split(",") if w.strip()]
    by_text = {str(label): label for label in labels}
    unknown = [w for w in wanted if w not in by_text]
    missing = [str(label) for label in labels if str(label) not in wanted]
    if unknown or missing or len(set(wanted)) != len(wanted):
        raise ValueError(
            "--labels must list every label once; "
            + (f"not labels of the data: {unknown}; " if unknown else "")
            + (f"missing: {missing}; " if missing else "")
            + f"the labels are {[str(label) for label in labels]}."
        )
    return np.asarray([by_text[w] for w in wanted], dtype=labels.dtype)


def _check_classes(y_train, y_test, labels):
    """Stop when a class has too few training documents to learn from."""
    counts = {label: int(np.sum(y_train == label)) for label in labels}
    few = {label: n for label, n in counts.items() if n < MIN_PER_CLASS}
    if len(y_train) < 2 * MIN_PER_CLASS or few:
        raise ValueError(
            f"Too few training documents: {len(y_train):,} in all"
            + (", and " + ", ".join(f"{n} of class {label!r}" for label, n in
                                    list(few.items())[:10])
               + (f" (and {len(few) - 10:,} more classes)" if len(few) > 10 else "")
               if few else "")
            + f". Every class needs at least {MIN_PER_CLASS} training documents (and more "
            "to learn anything); give more data, or lower --test-size."
        )
    if len(y_test) == 0:
        raise ValueError("No test documents: give more data or raise --test-size.")


def _check_leakage(X_train, X_test, unlabelled, settings, details):
    """Keep the test text out of the unlabelled text unless --transductive,
    and count test documents that are also training documents.

    Returns ``(unlabelled, warnings)``: the unlabelled documents without the
    test documents' text (all of them with --transductive), and what the
    report must say.
    """
    warned = []
    if unlabelled:
        test_keys = {_key(d) for d in X_test}
        leaking = [_key(d) in test_keys for d in unlabelled]
        shared = sum(leaking)
        if shared and settings.transductive:
            details.append(f"{shared:,} documents of the unlabelled text are test documents "
                           "(kept: --transductive)")
        elif shared:
            unlabelled = [d for d, leak in zip(unlabelled, leaking, strict=True) if not leak]
            warned.append(
                f"{shared:,} documents of the unlabelled text are test documents (the same "
                "words): left out, so that no model learns from the test text "
                "(--transductive keeps them).")
    duplicated = _overlap(X_test, X_train)
    if duplicated:
        warned.append(f"{duplicated:,} of the {len(X_test):,} test documents also appear among "
                      "the training documents (duplicates in the data, the same words): the "
                      "scores flatter every model a little.")
    return unlabelled, warned


def load_comparison_data(settings):
    """The documents ``settings`` point at, split, with unlabelled text.

    Parameters
    ----------
    settings : CompareSettings

    Returns
    -------
    data : ComparisonData
    """
    kind = _kind_of(settings)
    quick = settings.n_train == "quick"
    n_train = settings.n_train
    if quick:
        n_train = None if kind in ("file", "files") else QUICK_N_TRAIN
    paths = settings.data or []
    data_home = paths[0] if paths else None
    details, unlabelled, unlabelled_note = [], None, None
    text_column = label_column = encoding = None
    want_unsup = settings.unlabelled in ("unsup", "auto") and kind == "imdb"
    try:
        if kind == "imdb":
            wanted = ("train", "test", "unsup") if want_unsup else ("train", "test")
            splits = load_imdb_splits(wanted, data_home=data_home,
                                      download_if_missing=not settings.no_download,
                                      random_state=settings.seed)
            train, test = splits["train"], splits["test"]
            if train is None:
                raise OSError(f"No IMDB train reviews found in {data_home}.")
            if splits.get("unsup") is not None:
                unlabelled = splits["unsup"].data
                unlabelled_note = f"IMDB's {len(unlabelled):,} unlabelled reviews"
                if quick and len(unlabelled) > QUICK_UNLABELLED:
                    unlabelled_note = (f"{QUICK_UNLABELLED:,} of IMDB's {len(unlabelled):,} "
                                       "unlabelled reviews (quick mode; --n-train all reads "
                                       "them all)")
                    unlabelled = unlabelled[:QUICK_UNLABELLED]
            X, y, name = train.data, np.asarray(train.target), "IMDB"
            if test is not None and settings.test_data is None:
                n_train = len(X) if n_train is None else n_train
                n_test = settings.n_test or len(test.data)
                X_train, y_train = list(X[:n_train]), y[:n_train]
                X_test, y_test = list(test.data[:n_test]), np.asarray(test.target[:n_test])
                note = "the official IMDB test split"
                X = None
        elif kind == "movie_reviews":
            X, y = load_movie_reviews(data_home=data_home, return_X_y=True,
                                      download_if_missing=not settings.no_download,
                                      random_state=settings.seed)
            y, name = np.asarray(y), "movie_reviews"
        elif kind == "files":
            bunch = _load_files(paths, settings, details)
            X, y, name = bunch.data, np.asarray(bunch.target), " + ".join(
                Path(p).name for p in paths)
            text_column, label_column = "<one document per line>", "<file name>"
            encoding = getattr(bunch, "encoding", None) or settings.encoding or "utf-8"
        else:
            bunch = _load_file(paths[0], settings, details)
            X, y, name = bunch.data, np.asarray(bunch.target), Path(paths[0]).name
            text_column, label_column = bunch.text_column, bunch.label_column
            encoding = getattr(bunch, "encoding", None) or settings.encoding or "utf-8"
    except (tarfile.TarError, zipfile.BadZipFile, EOFError, UnicodeDecodeError) as exc:
        raise ValueError(
            f"Could not read {data_home} as {kind} data ({type(exc).__name__}: {exc}). For "
            "your own data give a .csv, .tsv, .jsonl, .json, .parquet or .txt file, several "
            ".txt files (one document per line, one file per class) or a folder with one "
            "sub-folder per class; for IMDB the aclImdb_v1.tar.gz archive."
        ) from None
    if X is not None:
        if settings.test_data is not None:
            test = _load_file(settings.test_data, settings, details, what="test data")
            n_train = len(X) if n_train is None else n_train
            X_train, y_train = list(X[:n_train]), np.asarray(y[:n_train])
            X_test, y_test = list(test.data), np.asarray(test.target)
            note = f"the documents of {Path(settings.test_data).name}"
        else:
            X_train, y_train, X_test, y_test, note = _holdout(X, y, settings, n_train, name)
    if settings.unlabelled not in (None, "unsup", "auto", "none"):
        unlabelled, unlabelled_note = _unlabelled_file(settings.unlabelled, settings)
    elif settings.unlabelled == "unsup" and kind != "imdb":
        raise ValueError("--unlabelled unsup names IMDB's unlabelled reviews; for other "
                         "data give a file.")
    labels = _label_order(np.unique(np.concatenate([y_train, y_test])), settings.labels)
    _check_classes(y_train, y_test, labels)
    unlabelled, warned = _check_leakage(X_train, X_test, unlabelled, settings, details)
    return ComparisonData(
        name=name, X_train=X_train, y_train=y_train, X_test=X_test, y_test=y_test,
        test_note=note, labels=labels, unlabelled=unlabelled, unlabelled_note=unlabelled_note,
        details=details, warnings=warned, text_column=text_column, label_column=label_column,
        encoding=encoding,
    )
