"""Predict with an exported model on ONNX Runtime, without torch: :func:`load`.

``sklearn_rnn.export_onnx(pipeline, "model.onnx")`` writes the network and,
in the file's metadata, what turns text into token ids and columns into
labels. This module reads it with ``onnxruntime`` and ``numpy`` only (and
the named tokenizer's package, if the vectorizer used one): importing it
imports neither torch, skorch, gensim nor scikit-learn, so a service needs
``pip install onnxruntime numpy`` and this file.

Text is tokenized exactly as :class:`~sklearn_rnn.TextVectorizer` does
(preprocessing, token pattern, stop words, vocabulary, truncation), and each
document is padded to its length bucket as the classifiers do, so the
probabilities equal the pipeline's ``predict_proba`` (to 1e-5) whatever the
batch.

A file may come from a stranger: :func:`load` checks every field of the
metadata before using it, as :func:`sklearn_rnn.persistence.load_skops`
checks a saved state (the same token-pattern allow-list, bounds on the row
length and batch size, the vocabulary and classes against the graph's
shapes), and refuses, naming the field, what a model exported by
:func:`sklearn_rnn.export_onnx` cannot hold.
"""

import json
import re
from pathlib import Path

import numpy as np

from ._text._analyzer import make_analyzer, make_preprocessor, make_tokenizer
from ._text._ids import UNK_ID, bucket_width, document_spans
from ._text._trust import check_maxlen, check_token_pattern

__all__ = ["load", "OnnxTextClassifier", "FORMAT", "METADATA_KEY"]

#: The key of the file's metadata that :func:`sklearn_rnn.export_onnx` writes.
METADATA_KEY = "sklearn_rnn"
#: Version of the metadata layout.
FORMAT = 1


class OnnxTextClassifier:
    """An exported model on ONNX Runtime: ``predict(texts)``, ``predict_proba(texts)``.

    Made by :func:`load`; the attributes are read from the file.

    Attributes
    ----------
    classes_ : ndarray of shape (C,)
        The labels, as the fitted model had them.
    metadata : dict
        What the file holds besides the network (settings, vocabulary).
    session : onnxruntime.InferenceSession
    """

    def __init__(self, session, metadata):
        self.session = session
        self.metadata = metadata
        classes = metadata["classes"]
        self.classes_ = np.asarray(classes["values"],
                                   dtype=object if classes["dtype"] == "O" else classes["dtype"])
        self.batch_size = int(metadata["batch_size"])
        settings = metadata["vectorizer"]
        self._settings = settings
        if settings is not None:
            self._lookup = {token: i for i, token in enumerate(settings["tokens"])}
            self._lookup.pop("<pad>", None)  # a literal '<pad>' token reads as unknown
            self._analyze = self._make_analyzer(settings)

    @staticmethod
    def _make_analyzer(settings):
        """The TextVectorizer's analyzer, from the settings it saved."""
        if settings["tokenizer"]:
            from .tokenizers import get_tokenizer  # no torch: plain Python

            tokenize = get_tokenizer(settings["tokenizer"])
        else:
            tokenize = make_tokenizer(settings["token_pattern"])
        return make_analyzer(
            make_preprocessor(strip_html=settings["strip_html"],
                              lowercase=settings["lowercase"]),
            tokenize, stop_words=frozenset(settings["stop_words"]),
            min_token_length=settings["min_token_length"],
        )

    def transform(self, texts):
        """Texts to padded token ids ``(N, maxlen)`` and lengths, as the fitted
        TextVectorizer made them (pre- or post-padded as it was set)."""
        if self._settings is None:
            raise ValueError("This model was exported without its TextVectorizer: pass "
                             "token ids (predict_proba_ids), not text.")
        if isinstance(texts, (str, bytes)):
            raise ValueError("Iterable over raw text documents expected, "
                             f"{type(texts).__name__} object received.")
        settings = self._settings
        maxlen, rows = settings["maxlen"], self._rows(texts)
        X = np.zeros((len(rows), maxlen), dtype=np.int64)
        for i, ids in enumerate(rows):
            if ids:
                if settings["padding"] == "pre":
                    X[i, maxlen - len(ids):] = ids
                else:
                    X[i, :len(ids)] = ids
        return X, np.array([len(ids) for ids in rows], dtype=np.int64)

    def _rows(self, texts):
        """Each document's ids, cut to ``maxlen`` as the vectorizer did."""
        settings = self._settings
        maxlen, get = settings["maxlen"], self._lookup.get
        rows = []
        for i, text in enumerate(texts):
            if isinstance(text, bytes):
                text = text.decode("utf-8")
            if not isinstance(text, str):
                raise TypeError(f"Document {i} is {type(text).__name__}, expected a string.")
            ids = [get(t, UNK_ID) for t in self._analyze(text)]
            rows.append(ids[-maxlen:] if settings["truncating"] == "pre" else ids[:maxlen])
        return rows

    def predict_proba_ids(self, X, lengths=None, padding="pre"):
        """Probabilities ``(N, C)`` of padded token ids.

        Parameters
        ----------
        X : array-like of shape (N, T)
            Token ids, 0 for padding.
        lengths : array-like of shape (N,), default=None
            Real tokens per row, with ``padding`` the side of the padding;
            None finds them by stripping 0s from both ends of each row.
        padding : {'pre', 'post'}, default='pre'
        """
        X = np.asarray(X)
        if X.ndim != 2:
            raise ValueError(f"Expected a 2-D array of token ids, got shape {X.shape}.")
        if X.size and X.dtype.kind not in "iu":
            raise ValueError(f"Token ids must be integers, got dtype {X.dtype}.")
        X = X.astype(np.int64, copy=False)
        if X.size and (X.min() < 0 or X.max() >= self.metadata["n_vocab"]):
            raise ValueError(f"Token ids must be in [0, {self.metadata['n_vocab'] - 1}].")
        if padding not in ("pre", "post"):
            raise ValueError(f"padding must be 'pre' or 'post', got {padding!r}.")
        n, t = X.shape
        if lengths is None:
            first, lengths = document_spans(X)
        else:
            given = np.asarray(lengths)
            if given.shape != (n,) or (n and given.dtype.kind not in "iu"):
                raise ValueError(f"lengths must be {n} integers (one per row of X), got "
                                 f"shape {given.shape} and dtype {given.dtype}.")
            lengths = given.astype(np.int64)
            if n and (lengths.min() < 0 or lengths.max() > t):
                bad = int(np.flatnonzero((lengths < 0) | (lengths > t))[0])
                raise ValueError(f"lengths must be in [0, {t}] (the width of X); row {bad} "
                                 f"has {int(lengths[bad])}.")
            first = t - lengths if padding == "pre" else np.zeros(n, dtype=np.int64)
        widths = bucket_width(lengths)
        proba = np.empty((n, len(self.classes_)), dtype=np.float64)
        for width in np.unique(widths):
            rows = np.flatnonzero(widths == width)
            for a in range(0, len(rows), self.batch_size):
                chunk = rows[a:a + self.batch_size]
                batch = np.zeros((len(chunk), width), dtype=np.int64)
                for j, i in enumerate(chunk):
                    length = lengths[i]
                    if length:
                        batch[j, width - length:] = X[i, first[i]:first[i] + length]
                out = self.session.run(None, {"ids": batch, "lengths": lengths[chunk]})[0]
                proba[chunk] = out
        return proba

    def predict_proba(self, texts):
        """Class probabilities of raw documents.

        Parameters
        ----------
        texts : iterable of str

        Returns
        -------
        proba : ndarray of shape (N, C)
            Columns follow ``classes_``.
        """
        if self._settings is None or isinstance(texts, (str, bytes)):
            X, lengths = self.transform(texts)  # says what is wrong
            return self.predict_proba_ids(X, lengths, padding=self._settings["padding"])
        # rows as long as the longest document, not maxlen: the network reads
        # each row's real tokens only, and a row length of 100,000 would
        # allocate 800 kB per document for nothing
        rows = self._rows(texts)
        lengths = np.array([len(ids) for ids in rows], dtype=np.int64)
        X = np.zeros((len(rows), max(int(lengths.max(initial=0)), 1)), dtype=np.int64)
        for i, ids in enumerate(rows):
            if ids:
                X[i, X.shape[1] - len(ids):] = ids
        return self.predict_proba_ids(X, lengths, padding="pre")

    def predict(self, texts):
        """Labels of raw documents.

        Parameters
        ----------
        texts : iterable of str

        Returns
        -------
        labels : ndarray of shape (N,)
        """
        return self.classes_[self.predict_proba(texts).argmax(axis=1)]


def load(path, *, providers=None, threads=None, trusted_token_patterns=()):
    """Load a model written by :func:`sklearn_rnn.export_onnx` on ONNX Runtime.

    The metadata is checked before anything uses it, as
    :func:`sklearn_rnn.persistence.load_skops` checks a saved state: the
    token pattern must be the default or one you trust, the row length
    (``maxlen``) at most 100,000 tokens, the batch size at least 1, the
    vocabulary, ``n_vocab`` and the classes consistent with each other and
    with the graph (its output width, the rows of its embedding table).

    Parameters
    ----------
    path : str or path-like
    providers : list of str, default=None
        ONNX Runtime execution providers; None: the CPU.
    threads : int, default=None
        Intra-op threads of ONNX Runtime; None: its default.
    trusted_token_patterns : sequence of str, default=()
        Token patterns you set yourself and trust. Any other pattern than
        the default is refused: a regular expression can be made to take
        exponential time per document.

    Returns
    -------
    model : OnnxTextClassifier

    Raises
    ------
    ValueError
        When the file is not an sklearn_rnn export or a field of its
        metadata is invalid or inconsistent with the graph (the message
        names the field).
    """
    import onnxruntime as ort

    path = Path(path)
    options = ort.SessionOptions()
    if threads:
        options.intra_op_num_threads = threads
    session = ort.InferenceSession(str(path), sess_options=options,
                                   providers=providers or ["CPUExecutionProvider"])
    raw = session.get_modelmeta().custom_metadata_map.get(METADATA_KEY)
    if raw is None:
        raise ValueError(f"{path} is not a model exported by sklearn_rnn.export_onnx "
                         f"(no {METADATA_KEY!r} metadata).")
    try:
        metadata = json.loads(raw)
    except ValueError as exc:
        raise ValueError(f"{path}: the {METADATA_KEY!r} metadata is not JSON ({exc}).") from None
    if not isinstance(metadata, dict):
        raise ValueError(f"{path}: the {METADATA_KEY!r} metadata is a "
                         f"{type(metadata).__name__}, expected a JSON object.")
    if metadata.get("format") != FORMAT:
        raise ValueError(f"{path} was exported by sklearn_rnn {metadata.get('sklearn_rnn')} "
                         f"in format {metadata.get('format')!r}; this loader reads {FORMAT}.")
    _check_metadata(metadata, session, source=f"{path}'s metadata", path=path,
                    trusted_token_patterns=trusted_token_patterns)
    return OnnxTextClassifier(session, metadata)


# --------------------------------------------------------------------------- #
# the metadata, checked before use
# --------------------------------------------------------------------------- #
#: Dtypes of class labels an export writes (numpy's ``dtype.str``), or 'O'.
_LABEL_KINDS = "biufU"


def _field(mapping, name, types, source, prefix=""):
    """``mapping[name]``, which must be one of ``types`` (bool is not int)."""
    if name not in mapping:
        raise ValueError(f"{source} has no {prefix}{name!r} field: the file was edited or is "
                         "not an sklearn_rnn export.")
    value = mapping[name]
    if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
        expected = " or ".join("null" if t is type(None) else t.__name__ for t in types)
        raise ValueError(f"{source} has {prefix}{name}={_short(value)}, expected {expected}.")
    return value


def _short(value):
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _check_metadata(metadata, session, *, source, path=None, trusted_token_patterns=()):
    """Validate an export's metadata against itself and the graph in ``session``.

    Raises a ``ValueError`` naming the field. See :func:`load`.
    """
    n_vocab = _field(metadata, "n_vocab", (int,), source)
    if n_vocab < 2:
        raise ValueError(f"{source} has n_vocab={n_vocab}, expected an int >= 2 (ids 0 and 1 "
                         "are padding and unknown).")
    batch_size = _field(metadata, "batch_size", (int,), source)
    if batch_size < 1:
        raise ValueError(f"{source} has batch_size={batch_size}, expected an int >= 1.")
    classes = _field(metadata, "classes", (dict,), source)
    values = _field(classes, "values", (list,), source, prefix="classes.")
    dtype = _field(classes, "dtype", (str,), source, prefix="classes.")
    if dtype != "O":
        try:
            kind = np.dtype(dtype).kind
        except (TypeError, ValueError):
            kind = None
        if kind is None or kind not in _LABEL_KINDS:
            raise ValueError(f"{source} has classes.dtype={_short(dtype)}, expected 'O' or "
                             "a numpy dtype of numbers or strings.")
    if len(values) < 2 or not all(isinstance(v, (str, int, float)) for v in values):
        raise ValueError(f"{source} has classes.values={_short(values)}, expected a list of "
                         "at least 2 labels (strings or numbers).")
    if len({(type(v).__name__, v) for v in values}) != len(values):
        raise ValueError(f"{source} has classes.values with repeated labels.")
    try:
        np.asarray(values, dtype=object if dtype == "O" else dtype)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"{source} has classes.values that are not of classes.dtype="
                         f"{dtype!r}.") from None
    for name in ("quantized", "estimator", "sklearn_rnn"):
        if name in metadata and not isinstance(metadata[name], str):
            raise ValueError(f"{source} has {name}={_short(metadata[name])}, expected a "
                             "string.")
    settings = _field(metadata, "vectorizer", (dict, type(None)), source)
    if settings is not None:
        _check_vectorizer(settings, n_vocab, source, trusted_token_patterns)
    _check_graph(session, n_vocab, len(values), source, path)


def _check_vectorizer(settings, n_vocab, source, trusted_token_patterns):
    """The vectorizer's settings: types, bounds, the token pattern, the tokens."""
    for name in ("lowercase", "strip_html"):
        _field(settings, name, (bool,), source, prefix="vectorizer.")
    tokenizer = _field(settings, "tokenizer", (str, type(None)), source, prefix="vectorizer.")
    if tokenizer is not None:
        from .tokenizers import TOKENIZERS  # no torch: plain Python

        if tokenizer not in TOKENIZERS:
            raise ValueError(f"{source} has vectorizer.tokenizer={_short(tokenizer)}, not one "
                             f"of the named tokenizers {sorted(TOKENIZERS)}.")
    pattern = _field(settings, "token_pattern", (str,), source, prefix="vectorizer.")
    if tokenizer is None:  # with a named tokenizer the pattern is not used
        check_token_pattern(pattern, trusted_token_patterns, source=source)
    stop_words = _field(settings, "stop_words", (list,), source, prefix="vectorizer.")
    if not all(isinstance(w, str) for w in stop_words):
        raise ValueError(f"{source} has vectorizer.stop_words with items that are not "
                         "strings.")
    min_length = _field(settings, "min_token_length", (int,), source, prefix="vectorizer.")
    if min_length < 1:
        raise ValueError(f"{source} has vectorizer.min_token_length={min_length}, expected "
                         "an int >= 1.")
    check_maxlen(_field(settings, "maxlen", (int,), source, prefix="vectorizer."),
                 source=source, field="vectorizer.maxlen")
    for name in ("padding", "truncating"):
        side = _field(settings, name, (str,), source, prefix="vectorizer.")
        if side not in ("pre", "post"):
            raise ValueError(f"{source} has vectorizer.{name}={_short(side)}, expected "
                             "'pre' or 'post'.")
    tokens = _field(settings, "tokens", (list,), source, prefix="vectorizer.")
    if tokens[:2] != ["<pad>", "<unk>"] or not all(isinstance(t, str) for t in tokens):
        raise ValueError(f"{source} has vectorizer.tokens that do not start with '<pad>', "
                         "'<unk>' or are not all strings.")
    if len(set(tokens)) != len(tokens):
        raise ValueError(f"{source} has vectorizer.tokens with repeated tokens.")
    if len(tokens) > n_vocab:
        raise ValueError(f"{source} has {len(tokens):,} vectorizer.tokens but n_vocab="
                         f"{n_vocab:,}: the vocabulary's ids would be out of the network's "
                         "embedding table.")


def _check_graph(session, n_vocab, n_classes, source, path):
    """The graph takes ``(ids, lengths)`` and gives ``(B, C)`` probabilities for
    every id below ``n_vocab``; its embedding table has ``n_vocab`` rows."""
    inputs = {i.name: (i.type, len(i.shape)) for i in session.get_inputs()}
    if inputs != {"ids": ("tensor(int64)", 2), "lengths": ("tensor(int64)", 1)}:
        raise ValueError(f"The graph of {path} takes {inputs}, not the ids (int64, 2-D) and "
                         "lengths (int64, 1-D) of an sklearn_rnn export.")
    outputs = session.get_outputs()
    width = outputs[0].shape[1] if len(outputs) == 1 and len(outputs[0].shape) == 2 else None
    if isinstance(width, int) and width != n_classes:
        raise ValueError(f"{source} has {n_classes} classes but the graph outputs {width} "
                         "columns (field classes.values).")
    rows = _embedding_rows(path)
    if rows is not None and rows != n_vocab:
        raise ValueError(f"{source} has n_vocab={n_vocab:,} but the graph's embedding table "
                         f"has {rows:,} rows.")
    import onnxruntime as ort

    quiet = ort.RunOptions()
    quiet.log_severity_level = 4  # the failure is reported here, not logged by ORT
    try:
        out = session.run(None, {"ids": np.array([[n_vocab - 1]], dtype=np.int64),
                                 "lengths": np.array([1], dtype=np.int64)}, quiet)[0]
    except Exception as exc:  # ORT raises its own exception types
        raise ValueError(f"{source} has n_vocab={n_vocab:,}, but the graph fails on id "
                         f"{n_vocab - 1:,}: {str(exc)[:200]}") from None
    if out.shape != (1, n_classes):
        raise ValueError(f"{source} has {n_classes} classes but the graph outputs shape "
                         f"{out.shape} for one document (field classes.values).")


def _embedding_rows(path):
    """Rows of the table the graph gathers token ids from, read with the
    ``onnx`` package when it is installed (else None: the probe in
    :func:`_check_graph` still checks that every id is in range)."""
    try:
        import onnx
    except ImportError:
        return None
    if path is None:
        return None
    graph = onnx.load(str(path), load_external_data=False).graph
    shapes = {init.name: list(init.dims) for init in graph.initializer}
    made_by = {out: node for node in graph.node for out in node.output}
    for node in graph.node:
        if node.op_type == "Gather" and len(node.input) == 2 and node.input[1] == "ids":
            data = node.input[0]
            if data not in shapes and data in made_by:  # e.g. a dequantized table
                data = made_by[data].input[0]
            if re.search(r"embedding", data) and data in shapes:
                return int(shapes[data][0])
    return None
