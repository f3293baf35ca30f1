"""Token id checks: a 2-D (or ragged) array of non-negative integer ids, the
embedding table it needs, and whether it fits a fitted vocabulary.

Shapes: ``N`` documents, ``T`` positions per document.
"""


import numpy as np

from ._ragged import RaggedTokens, all_ids

__all__ = ["check_token_ids", "vocabulary_size", "check_ids_fit_vocabulary"]


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
