"""Saving and loading fitted models safely with skops.io.

A fitted classifier saves plain data: its parameters, numpy arrays of the
network's weights and optimizer state, and the training history as lists of
numbers (the format is described in ``sklearn_rnn/_persistence.py``). No
torch object and no training data is in the file, so ``skops.io`` can load it without running
code from the file, on a machine without a GPU.

``skops.io.load`` refuses types it does not trust by default. The types a
sklearn_rnn pipeline needs beyond scikit-learn's own are listed in
:data:`SKOPS_TRUSTED_TYPES`; each is either a sklearn_rnn estimator (rebuilt
from numbers by our own ``__setstate__``), a plain container, or an optimizer
class referenced by the ``optimizer`` parameter.
"""

__all__ = ["SKOPS_TRUSTED_TYPES", "load_skops"]

#: Types to pass to ``skops.io.load(..., trusted=...)`` for sklearn_rnn models.
SKOPS_TRUSTED_TYPES = [
    "sklearn_rnn._vectorizer.TextVectorizer",
    "sklearn_rnn._classifier.RecurrentTextClassifier",
    "sklearn_rnn._classifier.RNNSentimentClassifier",
    "sklearn_rnn._classifier.LSTMSentimentClassifier",
    "sklearn_rnn._classifier.GRUSentimentClassifier",
    "sklearn_rnn._embeddings.EmbeddingCoverage",
    "sklearn_rnn._embeddings.PretrainedEmbeddings",
    "sklearn_rnn._embeddings.VectorsNotSaved",
    "builtins.frozenset",
    "torch.optim.adam.Adam",
    "torch.optim.adamw.AdamW",
    "torch.optim.sgd.SGD",
    "torch.optim.rmsprop.RMSprop",
    "torch.optim.adagrad.Adagrad",
]


def load_skops(file, *, trusted=()):
    """Load a model saved with ``skops.io.dump``, trusting sklearn_rnn's types.

    Equivalent to ``skops.io.load(file, trusted=SKOPS_TRUSTED_TYPES + trusted)``
    but it first lists the file's untrusted types and refuses, naming them,
    any that are neither in :data:`SKOPS_TRUSTED_TYPES` nor in ``trusted``.

    Parameters
    ----------
    file : str or path-like
        A file written by ``skops.io.dump(model, file)``.
    trusted : sequence of str, default=()
        Further types you trust (e.g. your own callbacks).

    Returns
    -------
    model : object

    Raises
    ------
    ImportError
        When skops is not installed.
    TypeError
        When the file holds types that are not trusted.
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
    return sio.load(file, trusted=list(untrusted))
