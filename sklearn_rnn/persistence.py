"""Saving and loading fitted models safely with skops.io.

A fitted classifier saves plain data: its parameters, numpy arrays of the
network's weights and optimizer state, and the training history as lists of
numbers (the format is described in ``sklearn_rnn/_nn/_state.py``). No
torch object and no training data is in the file, so ``skops.io`` can load it without running
code from the file, on a machine without a GPU.

``skops.io.load`` refuses types it does not trust by default. The types a
sklearn_rnn pipeline needs beyond scikit-learn's own are listed in
:data:`SKOPS_TRUSTED_TYPES`; each is either a sklearn_rnn estimator (rebuilt
from numbers by our own ``__setstate__``), a plain container, or an optimizer
class referenced by the ``optimizer`` parameter.
"""

import importlib

import torch

from . import MOVED_MODULES
from ._classifier import (
    GRUSentimentClassifier,
    LSTMSentimentClassifier,
    RecurrentTextClassifier,
    RNNSentimentClassifier,
)
from ._text._analyzer import DEFAULT_TOKEN_PATTERN
from ._text._vectorizer import TextVectorizer
from ._vectors._matrix import EmbeddingCoverage
from ._vectors._pretrained import PretrainedEmbeddings, VectorsNotSaved

__all__ = ["SKOPS_TRUSTED_TYPES", "load_skops"]

#: sklearn_rnn's classes that saved models hold (all rebuilt from plain data).
_OUR_TYPES = (TextVectorizer, RecurrentTextClassifier, RNNSentimentClassifier,
              LSTMSentimentClassifier, GRUSentimentClassifier, EmbeddingCoverage,
              PretrainedEmbeddings, VectorsNotSaved)
#: The optimizers a classifier's ``optimizer`` parameter may name.
_OPTIMIZERS = (torch.optim.Adam, torch.optim.AdamW, torch.optim.SGD, torch.optim.RMSprop,
               torch.optim.Adagrad)


def _type_name(cls):
    return f"{cls.__module__}.{cls.__qualname__}"


def _old_names(cls):
    """The names files saved by sklearn_rnn 0.1 give ``cls``."""
    return [f"{old}.{cls.__qualname__}" for old, new in MOVED_MODULES.items()
            if hasattr(importlib.import_module(new), cls.__qualname__)] + (
        [f"sklearn_rnn._classifier.{cls.__qualname__}"]
        if cls.__qualname__.endswith("Classifier") else [])


#: Types to pass to ``skops.io.load(..., trusted=...)`` for sklearn_rnn models:
#: our classes by their public names (and the names files of 0.1 used), a
#: frozenset (stop words), and the optimizer classes.
SKOPS_TRUSTED_TYPES = sorted({
    *(_type_name(cls) for cls in _OUR_TYPES),
    *(name for cls in _OUR_TYPES for name in _old_names(cls)),
    "builtins.frozenset",
    *(_type_name(cls) for cls in _OPTIMIZERS),
})


def load_skops(file, *, trusted=(), trusted_token_patterns=()):
    """Load a model saved with ``skops.io.dump``, trusting sklearn_rnn's types.

    Equivalent to ``skops.io.load(file, trusted=SKOPS_TRUSTED_TYPES + trusted)``
    but it first lists the file's untrusted types and refuses, naming them,
    any that are neither in :data:`SKOPS_TRUSTED_TYPES` nor in ``trusted``.
    Then it refuses a :class:`~sklearn_rnn.TextVectorizer` whose
    ``token_pattern`` is not the default nor in ``trusted_token_patterns``:
    skops' trusted types stop code execution, not a regular expression built
    to take exponential time on every document.

    Parameters
    ----------
    file : str or path-like
        A file written by ``skops.io.dump(model, file)``.
    trusted : sequence of str, default=()
        Further types you trust (e.g. your own callbacks).
    trusted_token_patterns : sequence of str, default=()
        Token patterns you set yourself and trust.

    Returns
    -------
    model : object

    Raises
    ------
    ImportError
        When skops is not installed.
    TypeError
        When the file holds types that are not trusted.
    ValueError
        When a vectorizer's token pattern is not trusted.
    """
    try:
        import skops.io as sio
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("Safe persistence needs skops: pip install skops") from exc
    allowed = set(SKOPS_TRUSTED_TYPES) | set(trusted)
    untrusted = sio.get_untrusted_types(file=file)
    unexpected = sorted(t for t in untrusted if t not in allowed)
    if unexpected:
        raise TypeError(
            f"{file} holds types that are not trusted: {unexpected}. Inspect them and "
            "pass the ones you trust as trusted=[...]."
        )
    model = sio.load(file, trusted=list(untrusted))
    patterns = {DEFAULT_TOKEN_PATTERN, *trusted_token_patterns}
    for vectorizer in _vectorizers(model):
        if vectorizer.tokenizer is None and vectorizer.token_pattern not in patterns:
            raise ValueError(
                f"{file} holds a TextVectorizer with token_pattern="
                f"{vectorizer.token_pattern!r}, not the default. A regular expression can "
                "be made to take exponential time per document; if you set this one "
                "yourself, pass it in trusted_token_patterns=[...]."
            )
    return model


def _vectorizers(obj, seen=None):
    """Every TextVectorizer inside a loaded model (pipelines, searches, ...)."""
    seen = set() if seen is None else seen
    if id(obj) in seen:
        return
    seen.add(id(obj))
    if isinstance(obj, TextVectorizer):
        yield obj
    if isinstance(obj, dict):
        children = list(obj.values())
    elif isinstance(obj, (list, tuple)):
        children = list(obj)
    elif hasattr(obj, "__dict__") and hasattr(obj, "get_params"):
        children = list(vars(obj).values())
    else:
        children = []
    for child in children:
        yield from _vectorizers(child, seen)
