"""Parameter and input validation shared by the estimators.

Everything here raises errors that say what was expected, what was received
and how to fix it. Shapes: ``N`` documents.
"""

import difflib
import inspect
import math
import numbers

import numpy as np
from sklearn.utils._param_validation import (
    InvalidParameterError,
    validate_parameter_constraints,
)
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_consistent_length, column_or_1d

__all__ = [
    "AllErrorsMixin",
    "with_new_parameters",
    "iter_documents",
    "check_labels",
    "unlabelled_mask",
    "check_integer_dtype",
    "suggest",
]


def suggest(name, candidates):
    """Return ``" Did you mean 'x'?"`` for the closest candidate, or ``""``."""
    match = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return f" Did you mean {match[0]!r}?" if match else ""


class AllErrorsMixin:
    """``_validate_params`` that reports every bad parameter at once.

    scikit-learn's ``_fit_context`` calls ``_validate_params`` before ``fit``
    (unless ``sklearn.set_config(skip_parameter_validation=True)``); its own
    version stops at the first bad parameter. This one checks each against
    ``_parameter_constraints`` with scikit-learn's machinery and raises one
    ``InvalidParameterError`` naming them all, plus the errors of
    ``_more_param_errors()`` (checks the constraints cannot express).
    """

    def _validate_params(self):
        params = self.get_params(deep=False)
        errors = []
        for name, constraint in self._parameter_constraints.items():
            if name not in params:
                continue
            try:
                validate_parameter_constraints({name: constraint}, {name: params[name]},
                                               caller_name=type(self).__name__)
            except InvalidParameterError as exc:
                errors.append(str(exc))
        errors += self._more_param_errors()
        if errors:
            raise InvalidParameterError("\n".join(errors))

    def _more_param_errors(self):
        return []


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


def check_labels(X, y, *, estimator_name="The classifier", unlabelled_label=None):
    """Validate classification labels for ``X``: 1-D, one per row, none missing.

    The labels other than ``unlabelled_label`` (see :func:`unlabelled_mask`)
    must be classification targets.

    Returns
    -------
    y : ndarray of shape (N,)
    """
    if y is None:
        raise ValueError(f"{estimator_name} requires y to be passed, but the target y is None.")
    y = column_or_1d(y, warn=True)  # a column vector is raveled, with a warning
    check_consistent_length(X, y)
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
    unlabelled = unlabelled_mask(y, unlabelled_label)
    check_classification_targets(y[~unlabelled] if unlabelled.any() else y)
    return y


def unlabelled_mask(y, marker):
    """Which labels of ``y`` are ``marker``, scikit-learn's "unlabelled" (-1).

    Labels of another kind than ``marker`` never match it: a number matches
    numbers equal to it (``-1`` matches ``-1`` and ``-1.0``, never the string
    ``'-1'``), a string matches equal strings only. ``marker=None``: no row
    is unlabelled.

    Parameters
    ----------
    y : ndarray of shape (N,)
    marker : int, float, str or None

    Returns
    -------
    mask : ndarray of shape (N,), bool
    """
    y = np.asarray(y)
    if marker is None or y.size == 0:
        return np.zeros(len(y), dtype=bool)
    number = isinstance(marker, numbers.Number) and not isinstance(marker, bool)
    if y.dtype.kind in "iuf":
        return (y == marker) if number else np.zeros(len(y), dtype=bool)
    if y.dtype.kind in "US":
        return (y == marker) if isinstance(marker, str) else np.zeros(len(y), dtype=bool)
    kind = numbers.Number if number else str if isinstance(marker, str) else type(marker)
    return np.fromiter(
        (isinstance(v, kind) and not isinstance(v, bool) and v == marker for v in y),
        dtype=bool, count=len(y))


def check_integer_dtype(dtype):
    """Return ``np.dtype(dtype)`` if it is an integer dtype, else raise."""
    try:
        checked = np.dtype(dtype)
    except TypeError:
        checked = None
    if checked is None or checked.kind not in "iu":
        raise ValueError(f"dtype must be an integer dtype such as np.int32, got {dtype!r}.")
    return checked


def with_new_parameters(cls, state):
    """``state`` (an estimator's ``__dict__``) with the defaults of parameters
    added after it was saved, so a model saved by an older version keeps working."""
    missing = {
        name: p.default
        for name, p in inspect.signature(cls.__init__).parameters.items()
        if p.default is not inspect.Parameter.empty and name not in state
    }
    return {**missing, **state}


def aligned_proba(model, proba, classes, missing):
    """``proba``, ``model``'s ``predict_proba``, with its columns in the
    order of ``classes`` (float64).

    A model that knows more classes gives its probabilities over these
    (renormalised); one that lacks some raises a ValueError with the
    message ``missing(lacking, its_classes)``.
    """
    own = list(np.asarray(model.classes_))
    proba = np.asarray(proba, dtype=np.float64)
    if own == list(classes):
        return proba
    lacking = [c for c in classes if c not in own]
    if lacking:
        raise ValueError(missing(lacking, own))
    proba = proba[:, [own.index(c) for c in classes]]
    return proba / np.clip(proba.sum(axis=1, keepdims=True), 1e-12, None)
