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
"""

import json
from pathlib import Path

import numpy as np

from ._text._analyzer import make_analyzer, make_preprocessor, make_tokenizer
from ._text._ids import UNK_ID, bucket_width, document_spans

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
        maxlen, get = settings["maxlen"], self._lookup.get
        rows = []
        for i, text in enumerate(texts):
            if isinstance(text, bytes):
                text = text.decode("utf-8")
            if not isinstance(text, str):
                raise TypeError(f"Document {i} is {type(text).__name__}, expected a string.")
            ids = [get(t, UNK_ID) for t in self._analyze(text)]
            rows.append(ids[-maxlen:] if settings["truncating"] == "pre" else ids[:maxlen])
        X = np.zeros((len(rows), maxlen), dtype=np.int64)
        for i, ids in enumerate(rows):
            if ids:
                if settings["padding"] == "pre":
                    X[i, maxlen - len(ids):] = ids
                else:
                    X[i, :len(ids)] = ids
        return X, np.array([len(ids) for ids in rows], dtype=np.int64)

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
        X = np.asarray(X, dtype=np.int64)
        if X.ndim != 2:
            raise ValueError(f"Expected a 2-D array of token ids, got shape {X.shape}.")
        if X.size and (X.min() < 0 or X.max() >= self.metadata["n_vocab"]):
            raise ValueError(f"Token ids must be in [0, {self.metadata['n_vocab'] - 1}].")
        n, t = X.shape
        if lengths is None:
            first, lengths = document_spans(X)
        else:
            lengths = np.asarray(lengths, dtype=np.int64)
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
        X, lengths = self.transform(texts)
        return self.predict_proba_ids(X, lengths, padding=self._settings["padding"])

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


def load(path, *, providers=None, threads=None):
    """Load a model written by :func:`sklearn_rnn.export_onnx` on ONNX Runtime.

    Parameters
    ----------
    path : str or path-like
    providers : list of str, default=None
        ONNX Runtime execution providers; None: the CPU.
    threads : int, default=None
        Intra-op threads of ONNX Runtime; None: its default.

    Returns
    -------
    model : OnnxTextClassifier
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
    metadata = json.loads(raw)
    if metadata.get("format") != FORMAT:
        raise ValueError(f"{path} was exported by sklearn_rnn {metadata.get('sklearn_rnn')} "
                         f"in format {metadata.get('format')!r}; this loader reads {FORMAT}.")
    return OnnxTextClassifier(session, metadata)
