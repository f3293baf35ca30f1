"""Input and parameter validation shared by the estimators.

Everything here raises errors that say what was expected, what was received
and how to fix it. Shapes: ``N`` documents, ``T`` positions per document.
"""

import difflib
import inspect
import math
import numbers
import warnings

import numpy as np
from sklearn.exceptions import DataConversionWarning
from sklearn.utils._param_validation import (
    InvalidParameterError,
    validate_parameter_constraints,
)
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_consistent_length

from ._ragged import RaggedTokens, all_ids

__all__ = [
    "with_new_parameters",
    "validate_params",
    "iter_documents",
    "check_token_ids",
    "check_labels",
    "check_integer_dtype",
    "check_ngram_range",
    "check_ids_fit_vocabulary",
    "vocabulary_size",
    "suggest",
]


def suggest(name, candidates):
    """Return ``" Did you mean 'x'?"`` for the closest candidate, or ``""``."""
    match = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return f" Did you mean {match[0]!r}?" if match else ""


def validate_params(estimator, constraints=None):
    """Validate ``estimator``'s parameters against its ``_parameter_constraints``.

    Unlike scikit-learn's own validation, which stops at the first bad
    parameter, every bad parameter is collected into one message.

    Raises
    ------
    sklearn.utils._param_validation.InvalidParameterError
        Naming every parameter that does not satisfy its constraint.
    """
    constraints = (
        estimator._parameter_constraints if constraints is None else constraints
    )
    params = estimator.get_params(deep=False)
    errors = []
    for name, constraint in constraints.items():
        if name not in params:
            continue
        try:
            validate_parameter_constraints(
                {name: constraint},
                {name: params[name]},
                caller_name=type(estimator).__name__,
            )
        except InvalidParameterError as exc:
            errors.append(str(exc))
    if errors:
        raise InvalidParameterError("\n".join(errors))


def _describe(value):
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} ({type(value).__name__})"


def iter_documents(raw_documents, *, allow_empty=True):
    """Yield ``str`` documents from an iterable of raw text, validating each.

    Accepts lists, tuples, generators, numpy arrays and pandas Series of
    ``str``; ``bytes`` are decoded as UTF-8.

    Raises
    ------
    ValueError
        If ``raw_documents`` is a single string, a 2-D array, empty when
        ``allow_empty`` is False, or holds bytes that are not valid UTF-8.
    TypeError
        If an element is not text (``None``, a number, NaN, a list...), naming
        the position of the first offending document.
    """
    if isinstance(raw_documents, (str, bytes)):
        raise ValueError(
            "Iterable over raw text documents expected, "
            f"{type(raw_documents).__name__} object received. Wrap a single "
            "document in a list: [document]."
        )
    if raw_documents is None:
        raise TypeError(
            "Iterable over raw text documents expected, None received."
        )
    if hasattr(raw_documents, "iloc") and not hasattr(raw_documents, "str"):
        # a pandas DataFrame: iterating it yields column names, not documents
        raise ValueError(
            "Iterable over raw text documents expected, got a DataFrame. "
            "Select the text column, e.g. df['review']."
        )
    ndim = getattr(raw_documents, "ndim", 1)
    if ndim != 1:
        raise ValueError(
            "Iterable over raw text documents expected, got an array with "
            f"{ndim} dimensions (shape {getattr(raw_documents, 'shape', '?')}). "
            "Pass a 1-D list, array or Series of strings, e.g. X.ravel() "
            "for a single column."
        )
    try:
        iterator = iter(raw_documents)
    except TypeError:
        raise TypeError(
            "Iterable over raw text documents expected, "
            f"{type(raw_documents).__name__} object received."
        ) from None
    n = 0
    for i, doc in enumerate(iterator):
        n += 1
        if isinstance(doc, str):
            yield doc
        elif isinstance(doc, (bytes, bytearray, np.bytes_)):
            try:
                yield bytes(doc).decode("utf-8")
            except UnicodeDecodeError as exc:
                raise ValueError(
                    f"Document {i} is bytes that are not valid UTF-8 ({exc}). "
                    "Decode it yourself with the right encoding, e.g. "
                    "doc.decode('latin-1'), before passing it."
                ) from None
        else:
            if doc is None:
                what = "None"
            elif isinstance(doc, numbers.Real) and math.isnan(doc):
                what = "NaN (a missing value)"
            else:
                what = _describe(doc)
            raise TypeError(
                f"Document {i} is {what}, expected a string. Drop or fill "
                "missing documents first (e.g. df['text'].fillna('')) and "
                "convert other values with str()."
            )
    if n == 0 and not allow_empty:
        raise ValueError(
            "Expected at least one document to fit on, got an empty sequence."
        )


def check_token_ids(X, *, name="X"):
    """Validate a 2-D array of non-negative integer token ids.

    Parameters
    ----------
    X : array-like of shape (N, T)
        Token ids, as produced by :class:`~sklearn_rnn.TextVectorizer`.

    Returns
    -------
    X : ndarray of shape (N, T)
        An integer array (not copied when it already is one).

    Raises
    ------
    ValueError
        For raw text, floats, negative ids, missing values or a wrong number
        of dimensions, each with a hint on how to fix it.
    """
    if isinstance(X, RaggedTokens):  # ids without padding: check the flat buffer
        flat = check_token_ids(X.flat.reshape(1, -1) if len(X.flat) else np.zeros((1, 1), int),
                               name=name)
        return X if flat.dtype == X.flat.dtype else RaggedTokens(
            flat.ravel()[:len(X.flat)], X.lengths, X.vocabulary, X.maxlen)
    if hasattr(X, "toarray"):
        raise ValueError(
            f"{name} is a sparse matrix; expected a dense 2-D array of token ids "
            "(N documents x T positions) such as TextVectorizer produces."
        )
    if isinstance(X, str):
        raise ValueError(
            f"{name} is a single string; the classifier expects token ids. Put a "
            "TextVectorizer before it: make_pipeline(TextVectorizer(), clf)."
        )
    try:
        arr = np.asarray(X)
    except ValueError as exc:
        raise ValueError(
            f"{name} could not be turned into a 2-D array of token ids ({exc}). "
            "Ragged lists of ids must be padded to one length first, e.g. with "
            "TextVectorizer or torch.nn.utils.rnn.pad_sequence."
        ) from None
    if arr.dtype.kind in "OUS":
        if arr.size and any(isinstance(v, (str, bytes)) for v in arr.ravel()[:10]):
            raise ValueError(
                f"{name} holds raw text; the classifier expects token ids. Put a "
                "TextVectorizer before it: make_pipeline(TextVectorizer(), clf)."
            )
        try:
            arr = arr.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"{name} must hold integer token ids, but an element could not be "
                f"read as a number: {exc}."
            ) from None
    if arr.ndim != 2:
        raise ValueError(
            f"{name} must be a 2-D array of token ids (N documents x T "
            f"positions), got {arr.ndim} dimension(s) with shape {arr.shape}."
            + (
                " Reshape your data with X.reshape(1, -1) if it is a single "
                "document."
                if arr.ndim == 1
                else ""
            )
        )
    if arr.dtype.kind == "b":
        raise ValueError(f"{name} must hold integer token ids, got booleans.")
    if arr.dtype.kind == "c":
        raise ValueError(
            f"Complex data not supported: {name} must hold integer token ids."
        )
    if arr.dtype.kind == "f":
        if not np.all(np.isfinite(arr)):
            raise ValueError(
                f"{name} contains NaN or infinity; token ids must be finite "
                "non-negative integers."
            )
        whole = np.floor(arr) == arr
        if not whole.all():
            row = int(np.argwhere(~whole)[0][0])
            raise ValueError(
                f"{name} must hold integer token ids, got {arr.dtype} values with "
                f"a fractional part (first in row {row}). Token ids index an "
                "embedding table: use the output of TextVectorizer."
            )
        # whole-number floats (e.g. from pandas) are converted exactly
        if arr.size and arr.max() > np.iinfo(np.int64).max:
            raise ValueError(f"{name} contains ids too large for int64.")
        arr = arr.astype(np.int64)
    if arr.dtype.kind not in "iu":
        raise ValueError(f"{name} must hold integer token ids, got {arr.dtype}.")
    if arr.dtype.kind == "u" and arr.size and arr.max() > np.iinfo(np.int64).max:
        raise ValueError(
            f"{name} contains token id {int(arr.max())}, too large to index an embedding "
            "table (more than 2**63 - 1)."
        )
    if arr.shape[1] == 0:
        raise ValueError(
            f"Found array with 0 feature(s) (shape={arr.shape}) while a minimum of "
            "1 is required: every row needs at least one (padding) position."
        )
    if arr.size and arr.dtype.kind == "i":
        low = arr.min()
        if low < 0:
            row = int(np.argwhere(arr < 0)[0][0])
            raise ValueError(
                f"Negative values in data passed to {name}: token id {int(low)} "
                f"(first in row {row}); ids must be >= 0, with 0 for padding and "
                "1 for unknown tokens."
            )
    return arr


def check_labels(X, y, *, estimator_name="The classifier", min_samples=0):
    """Validate classification labels for ``X``: 1-D, one per row, no missing,
    at least ``min_samples``.

    Returns
    -------
    y : ndarray of shape (N,)
    """
    if y is None:
        raise ValueError(f"{estimator_name} requires y to be passed, but the target y is None.")
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        warnings.warn(
            "A column-vector y was passed when a 1d array was expected; it was raveled.",
            category=DataConversionWarning,
        )
        y = y.ravel()
    if y.ndim != 1:
        raise ValueError(f"y must be 1-D (one label per document), got shape {y.shape}.")
    check_consistent_length(X, y)
    if len(y) < min_samples:
        raise ValueError(f"Found array with {len(y)} sample(s) (shape=(0, ...)) while a "
                         f"minimum of {min_samples} is required.")
    if y.dtype.kind == "f" and np.isnan(y).any():
        raise ValueError(
            f"y contains NaN at position {int(np.flatnonzero(np.isnan(y))[0])}; drop or "
            "label those documents first."
        )
    if y.dtype == object:
        missing = [i for i, v in enumerate(y) if v is None or (isinstance(v, float) and v != v)]
        if missing:
            raise ValueError(
                f"y contains a missing label (None or NaN) at position {missing[0]}; "
                "drop or label those documents first."
            )
    check_classification_targets(y)
    return y


def check_integer_dtype(dtype):
    """Return ``np.dtype(dtype)`` if it is an integer dtype, else raise."""
    try:
        checked = np.dtype(dtype)
    except TypeError:
        checked = None
    if checked is None or checked.kind not in "iu":
        raise ValueError(f"dtype must be an integer dtype such as np.int32, got {dtype!r}.")
    return checked


#: Above this many rows, an embedding table sized by ``max id + 1`` is checked
#: against the number of distinct ids (a stray huge id must not allocate GBs).
_LARGE_VOCABULARY = 1_000_000


def vocabulary_size(X, *, tokens=None, matrix=None, vocab_size=None):
    """Rows of the embedding table for ids ``X``: from pretrained rows, the
    vectorizer's tokens, ``vocab_size``, or else ``max id + 1``."""
    if matrix is not None and tokens is not None and matrix.shape[0] != len(tokens):
        raise ValueError(
            f"The embeddings matrix has {matrix.shape[0]} rows but the "
            f"TextVectorizer's vocabulary has {len(tokens)} ids; its rows must be "
            "aligned with the ids (row i is the vector of token id i). Build it with "
            "build_embedding_matrix(vectors, vectorizer), or pass the KeyedVectors "
            "themselves to have it built in every fit."
        )
    X = all_ids(X)
    if matrix is not None:
        n, source = matrix.shape[0], "rows of the embeddings matrix"
    elif tokens is not None:
        n, source = len(tokens), "the TextVectorizer's vocabulary"
    elif vocab_size is not None:
        n, source = vocab_size, "vocab_size"
    else:
        n = max(int(X.max()) + 1 if X.size else 2, 2)
        if n > _LARGE_VOCABULARY and n > 10 * len(np.unique(X)):
            raise ValueError(
                f"X contains token id {n - 1:,} but only {len(np.unique(X)):,} distinct "
                f"ids: sizing the embedding table by the largest id would make {n:,} "
                "rows. If that id is a mistake, fix the data; if your ids are sparse, "
                "renumber them (e.g. with np.unique(X, return_inverse=True)); if you "
                "really have that many, set vocab_size= explicitly."
            )
        return n
    if X.size and X.max() >= n:
        raise ValueError(
            f"X contains token id {int(X.max())}, outside the vocabulary of {n} ids "
            f"given by {source}."
        )
    return n


def check_ids_fit_vocabulary(X, tokens, fitted_tokens, n_vocab):
    """Check ids for a fitted model: same vectorizer (when both carry their
    tokens), every id inside its vocabulary of ``n_vocab`` ids."""
    if tokens is not None and fitted_tokens is not None and tokens is not fitted_tokens \
            and tuple(tokens) != fitted_tokens:
        raise ValueError(
            "X was made by a different TextVectorizer (another vocabulary) than the "
            "one this classifier was fitted with, so its ids mean other tokens. "
            "Transform the documents with the fitted vectorizer, e.g. by keeping "
            "both in one Pipeline."
        )
    X = all_ids(X)
    if X.size and X.max() >= n_vocab:
        row = int(np.argwhere(X.reshape(len(X), -1) >= n_vocab)[0][0])
        raise ValueError(
            f"X contains token id {int(X.max())} (row {row}), but the classifier was "
            f"fitted with a vocabulary of {n_vocab} ids (0 to "
            f"{n_vocab - 1}). Transform new documents with the same "
            "TextVectorizer the classifier was fitted after; with your own ids, set "
            "vocab_size= to the full vocabulary size before fitting."
        )


def check_ngram_range(ngram_range, *, largest=5):
    """``None`` or ``(min_n, max_n)`` with ``1 <= min_n <= max_n <= largest``."""
    if ngram_range is None:
        return
    ok = (
        isinstance(ngram_range, tuple) and len(ngram_range) == 2
        and all(isinstance(n, numbers.Integral) for n in ngram_range)
        and 1 <= ngram_range[0] <= ngram_range[1] <= largest
    )
    if not ok:
        raise ValueError(
            f"ngram_range must be None or a tuple (min_n, max_n) with 1 <= min_n <= "
            f"max_n <= {largest}, e.g. (1, 2) for unigrams and bigrams; got {ngram_range!r}."
        )


def with_new_parameters(cls, state):
    """``state`` (an estimator's ``__dict__``) with the defaults of parameters
    added after it was saved, so a model saved by an older version keeps working."""
    missing = {
        name: p.default
        for name, p in inspect.signature(cls.__init__).parameters.items()
        if p.default is not inspect.Parameter.empty and name not in state
    }
    return {**missing, **state}
