"""Export a fitted model to ONNX: :func:`export_onnx`.

The network becomes an ONNX graph (token ids and lengths in, probabilities
out, batch and length dynamic); what is needed to go from text to ids and
from columns to labels (the vectorizer's settings and vocabulary, the class
labels) goes into the file's metadata as JSON. :mod:`sklearn_rnn.onnx` reads
it back with ONNX Runtime, without torch.
"""

import json
import logging
import warnings
from contextlib import contextmanager

import numpy as np
import torch
from sklearn.utils.validation import check_is_fitted

from ._classifier import (
    GRUSentimentClassifier,
    LSTMSentimentClassifier,
    RecurrentTextClassifier,
    RNNSentimentClassifier,
)
from ._distill import DistilledClassifier
from ._nn._net import prediction_batch_size
from ._text._analyzer import DEFAULT_TOKEN_PATTERN
from ._text._vectorizer import TextVectorizer, vocabulary_tokens
from ._version import __version__
from .onnx import FORMAT, METADATA_KEY

__all__ = ["export_onnx"]

#: What the ``[onnx]`` extra installs, for the messages when it is missing.
INSTALL_HINT = 'pip install "sklearn-rnn[onnx]"'

#: Notes ONNX Runtime's quantizer logs on every export of these models, about
#: nothing that is wrong: the optional pre-processing step (shape inference and
#: graph optimisation before quantizing; without it the measured accuracy is
#: unchanged, see the "Deploying a model" page), and the integer index tensors
#: of the n-gram path, which are not float and so are not quantized.
EXPECTED_QUANTIZER_NOTES = (
    "Please consider to run pre-processing before quantization",
    "Inference failed or unsupported type to quantize for tensor",
)


def _require(module, what):
    """Import ``module`` (an optional dependency), or say how to install it."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(
            f"{what} needs the {module.partition('.')[0]} package, which the [onnx] extra "
            f"installs: {INSTALL_HINT}"
        ) from exc


class _ExpectedNotes(logging.Filter):
    def filter(self, record):
        return not record.getMessage().startswith(EXPECTED_QUANTIZER_NOTES)


@contextmanager
def _quantizer_notes_dropped():
    """Drop :data:`EXPECTED_QUANTIZER_NOTES`, which ONNX Runtime logs on the
    root logger; any other message passes. ``logging.warning`` would also
    call ``basicConfig()`` on a root logger without handlers, leaving a
    handler behind in the user's process: a stderr handler stands in while
    quantizing and is removed after."""
    root = logging.getLogger()
    notes = _ExpectedNotes()
    stand_in = None if root.handlers else logging.StreamHandler()
    root.addFilter(notes)
    if stand_in is not None:
        stand_in.setFormatter(logging.Formatter("%(levelname)s:%(name)s:%(message)s"))
        root.addHandler(stand_in)
    try:
        yield
    finally:
        root.removeFilter(notes)
        if stand_in is not None:
            root.removeHandler(stand_in)


class _Probabilities(torch.nn.Module):
    """The classifier's module with a softmax: ``(ids, lengths) -> (B, C)``."""

    def __init__(self, module):
        super().__init__()
        self.module = module

    def forward(self, ids, lengths):
        return torch.softmax(self.module(ids, lengths), dim=1)


def _split(model):
    """``(vectorizer or None, classifier)`` of a fitted pipeline or classifier."""
    if hasattr(model, "steps"):
        steps = [step for _, step in model.steps if step not in (None, "passthrough")]
        classifier = steps[-1]
        rest = steps[:-1]
        if len(rest) > 1 or (rest and not isinstance(rest[0], TextVectorizer)):
            raise ValueError(
                "export_onnx exports a TextVectorizer followed by a recurrent classifier "
                f"(or the classifier alone); this pipeline has {[type(s).__name__ for s in steps]}."
            )
        vectorizer = rest[0] if rest else None
    else:
        vectorizer, classifier = None, model
    if not isinstance(classifier, (RecurrentTextClassifier, RNNSentimentClassifier,
                                   LSTMSentimentClassifier, GRUSentimentClassifier)):
        raise ValueError(
            f"export_onnx exports sklearn_rnn's recurrent classifiers, not "
            f"{type(classifier).__name__}."
        )
    check_is_fitted(classifier, "net_")
    if vectorizer is not None:
        check_is_fitted(vectorizer, "vocabulary_")
    return vectorizer, classifier


def _vectorizer_settings(vec):
    if vec.preprocessor is not None:
        raise ValueError(
            "Cannot export a TextVectorizer with a custom preprocessor: the ONNX loader "
            "runs without your Python code. Preprocess the texts before predicting, or "
            "keep the pickled model."
        )
    if vec.tokenizer is not None and not isinstance(vec.tokenizer, str):
        raise ValueError(
            "Cannot export a TextVectorizer with a custom tokenizer function: the ONNX "
            "loader runs without your Python code. Use a named tokenizer ('janome', "
            "'fugashi', 'kiwipiepy', 'jieba', 'char') or the token_pattern."
        )
    return {
        "lowercase": bool(vec.lowercase),
        "strip_html": bool(vec.strip_html),
        "token_pattern": vec.token_pattern,
        "default_token_pattern": vec.token_pattern == DEFAULT_TOKEN_PATTERN,
        "tokenizer": vec.tokenizer,
        "stop_words": sorted(vec.stop_words_),
        "min_token_length": int(vec.min_token_length),
        "maxlen": int(vec.maxlen_),
        "padding": vec.padding,
        "truncating": vec.truncating,
        "tokens": list(vocabulary_tokens(vec)),
    }


def _classes(classes):
    classes = np.asarray(classes)
    if classes.dtype.kind not in "biufUO":
        raise ValueError(f"Cannot export class labels of dtype {classes.dtype}.")
    values = classes.tolist()
    if classes.dtype.kind == "O" and not all(isinstance(v, str) for v in values):
        raise ValueError("Cannot export class labels that are objects other than strings.")
    return {"values": values, "dtype": classes.dtype.str if classes.dtype.kind != "O" else "O"}


def export_onnx(model, path, *, quantize=False, opset=17):
    """Write a fitted model to an ONNX file that predicts without torch.

    Parameters
    ----------
    model : Pipeline, recurrent classifier or DistilledClassifier
        A fitted ``make_pipeline(TextVectorizer(...), <classifier>)``, or a
        fitted classifier alone (the file then predicts from token ids); a
        fitted :class:`~sklearn_rnn.DistilledClassifier` exports its student
        (``student_``).
    path : str or path-like
        Where to write the ``.onnx`` file.
    quantize : bool, default=False
        Store the recurrent and linear weights as int8 (ONNX Runtime's
        dynamic quantization): several times faster on CPU and 4 times
        smaller, at the price of slightly different probabilities (see the
        "Deploying a model" page for the measured accuracy change). The
        quantizer's routine notes (run pre-processing first; the integer
        tensors of the n-gram path are not quantized) are not shown: neither
        is a failure. Its other messages are.
    opset : int, default=17
        ONNX opset.

    Returns
    -------
    path : str

    Raises
    ------
    ImportError
        Without the ``[onnx]`` extra (``pip install "sklearn-rnn[onnx]"``).

    Notes
    -----
    The graph computes the probabilities of token ids ``(B, T)`` int64 with
    their lengths ``(B,)`` (real tokens, the rows pre-padded), both axes
    dynamic; the file's metadata (key ``'sklearn_rnn'``) holds the
    vectorizer's settings and vocabulary, the class labels and the prediction
    batch size, as JSON. Load it with :func:`sklearn_rnn.onnx.load`, which
    pads each document to its length bucket as the classifier does, so the
    probabilities equal ``predict_proba``'s (to 1e-5). Custom
    ``tokenizer``/``preprocessor`` functions cannot be exported (the loader
    runs without your code); named tokenizers can.

    Examples
    --------
    >>> import tempfile, os
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn_rnn import LSTMSentimentClassifier, TextVectorizer, export_onnx
    >>> docs = ["a great film", "loved it", "what a waste", "dull and long"]
    >>> pipe = make_pipeline(TextVectorizer(), LSTMSentimentClassifier(
    ...     hidden_size=8, max_epochs=1, random_state=0)).fit(docs, [1, 1, 0, 0])
    >>> path = export_onnx(pipe, os.path.join(tempfile.mkdtemp(), "model.onnx"))
    >>> import sklearn_rnn.onnx
    >>> sklearn_rnn.onnx.load(path).predict_proba(docs).shape
    (4, 2)
    """
    onnx = _require("onnx", "export_onnx")
    if quantize:
        _require("onnxruntime.quantization", "export_onnx(quantize=True)")

    if isinstance(model, DistilledClassifier):  # the student predicts: export it
        check_is_fitted(model)
        model = model.student_
    vectorizer, classifier = _split(model)
    metadata = {
        "format": FORMAT,
        "sklearn_rnn": __version__,
        "classes": _classes(classifier.classes_),
        "n_vocab": int(classifier.n_vocab_),
        "batch_size": int(prediction_batch_size(  # the classifier's, for ONNX Runtime
            classifier.batch_size,
            classifier.get_params(deep=False).get("iterator_valid__batch_size"),
            10**9)),
        "vectorizer": None if vectorizer is None else _vectorizer_settings(vectorizer),
        "estimator": type(classifier).__name__,
    }
    module = _Probabilities(_copy_to_cpu(classifier.net_.module_))
    ids = torch.ones((2, 8), dtype=torch.long)
    lengths = torch.tensor([8, 5])
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # tracer notes about shape arithmetic
        try:
            torch.onnx.export(
                module, (ids, lengths), str(path), dynamo=False, opset_version=opset,
                input_names=["ids", "lengths"], output_names=["probabilities"],
                dynamic_axes={"ids": {0: "batch", 1: "length"}, "lengths": {0: "batch"},
                              "probabilities": {0: "batch"}},
            )
        except (RuntimeError, ValueError, TypeError) as exc:  # torch's SymbolicValueError...
            first = (str(exc).strip().splitlines() or [""])[0][:200]
            raise ValueError(
                f"torch could not export this model at ONNX opset {opset!r} "
                f"({type(exc).__name__}: {first}). The recurrent layers and variable "
                "lengths need a recent opset: use the default (17), or 14 or later."
            ) from None
    if quantize:
        from onnxruntime.quantization import QuantType, quantize_dynamic

        with warnings.catch_warnings(), _quantizer_notes_dropped():
            warnings.simplefilter("ignore")
            quantize_dynamic(str(path), str(path), weight_type=QuantType.QInt8)
        metadata["quantized"] = "dynamic int8 (onnxruntime)"
    graph = onnx.load(str(path))
    del graph.metadata_props[:]
    entry = graph.metadata_props.add()
    entry.key, entry.value = METADATA_KEY, json.dumps(metadata)
    onnx.save(graph, str(path))
    return str(path)


def _copy_to_cpu(module):
    """An eval-mode CPU copy of ``module`` (the fitted one stays as it is)."""
    import copy

    return copy.deepcopy(module).cpu().eval()
