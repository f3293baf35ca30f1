"""Token ids without padding: :class:`RaggedTokens`.

Shapes: ``N`` documents, ``n`` ids of all documents together.

``TextVectorizer(ragged=True)`` returns the form it holds anyway: one flat id
buffer and the length of each document, with no ``(N, maxlen)`` array. A
million short documents padded to the longest one can take gigabytes; their
ids alone take a few megabytes. The classifiers train and predict from it
directly (and give the same results as from the padded array).
"""

import numpy as np

__all__ = ["RaggedTokens", "all_ids", "ragged_truncate"]


class RaggedTokens:
    """Token ids of documents of different lengths, without padding.

    Behaves as a sequence of documents: ``len``, ``shape`` (``(N, maxlen)``,
    the padded shape it stands for), selecting rows (``X[10:20]``,
    ``X[[3, 1]]``, a boolean mask: another RaggedTokens, so scikit-learn's
    cross-validation splits it), ``X[i]`` (the ids of one document), and
    ``np.asarray(X)`` (the pre-padded array, built on demand).

    Parameters
    ----------
    flat : array-like of int, shape (n,)
        The ids of all documents, one after the other.
    lengths : array-like of int, shape (N,)
        Ids of each document.
    vocabulary : tuple of str, default=None
        Token of each id.
    maxlen : int, default=None
        Width of the padded form (the longest document by default).

    Examples
    --------
    >>> from sklearn_rnn import TextVectorizer
    >>> X = TextVectorizer(ragged=True).fit_transform(["a good film", "good", "a bad one"])
    >>> type(X).__name__, X.shape, X.lengths.tolist()
    ('RaggedTokens', (3, 3), [3, 1, 3])
    >>> X[1].tolist(), X[[2, 0]].lengths.tolist()
    ([3], [3, 3])
    """

    def __init__(self, flat, lengths, vocabulary=None, maxlen=None):
        self.flat = np.asarray(flat)
        self.lengths = np.asarray(lengths, dtype=np.int64)
        if self.lengths.sum() != len(self.flat):
            raise ValueError(f"lengths add up to {int(self.lengths.sum())} ids, flat has "
                             f"{len(self.flat)}.")
        self.vocabulary = vocabulary
        longest = int(self.lengths.max()) if len(self.lengths) else 0
        self.maxlen = max(longest, 1) if maxlen is None else int(maxlen)
        self.starts = np.concatenate(([0], np.cumsum(self.lengths)[:-1])).astype(np.int64) \
            if len(self.lengths) else np.zeros(0, np.int64)

    @property
    def shape(self):
        return (len(self.lengths), self.maxlen)

    @property
    def dtype(self):
        return self.flat.dtype

    def __len__(self):
        return len(self.lengths)

    def __getitem__(self, key):
        if isinstance(key, tuple):  # X[rows, ...] / X[rows, :], as scikit-learn indexes
            if not all(k is Ellipsis or k == slice(None) for k in key[1:]):
                raise IndexError("RaggedTokens selects rows only.")
            key = key[0]
        if isinstance(key, (int, np.integer)):
            start = self.starts[key]
            return self.flat[start: start + self.lengths[key]]
        rows = np.arange(len(self))[key]
        lengths = self.lengths[rows]
        index = np.repeat(self.starts[rows] - np.cumsum(lengths) + lengths, lengths) + \
            np.arange(int(lengths.sum()))
        return RaggedTokens(self.flat[index], lengths, self.vocabulary, self.maxlen)

    def take(self, indices, axis=0):
        if axis != 0:
            raise ValueError("RaggedTokens selects rows only (axis=0).")
        return self[np.asarray(indices)]

    def to_padded(self, padding="pre"):
        """The ``(N, maxlen)`` array, as TextVectorizer(ragged=False) makes it."""
        from ._token_array import pad_ragged

        return pad_ragged(self.flat, self.lengths, maxlen=self.maxlen, padding=padding,
                          truncating="pre", dtype=self.flat.dtype, vocabulary=self.vocabulary)

    def __array__(self, dtype=None, copy=None):
        padded = np.asarray(self.to_padded())
        return padded if dtype is None else padded.astype(dtype)

    def __repr__(self):
        return (f"RaggedTokens({len(self):,} documents, {len(self.flat):,} ids, "
                f"longest {int(self.lengths.max()) if len(self) else 0})")


def all_ids(X):
    """Every id of ``X`` (a padded array or RaggedTokens), for range checks."""
    return X.flat if isinstance(X, RaggedTokens) else X


def ragged_truncate(flat, lengths, maxlen, truncating):
    """Keep at most ``maxlen`` ids of each document: its last (``'pre'``) or
    first (``'post'``) ones. Returns ``(flat, lengths)``."""
    lengths = np.asarray(lengths, dtype=np.int64)
    kept = np.minimum(lengths, maxlen)
    if (kept == lengths).all():
        return flat, lengths
    ends = np.cumsum(lengths)
    first = ends - kept if truncating == "pre" else ends - lengths
    index = np.repeat(first - np.cumsum(kept) + kept, kept) + np.arange(int(kept.sum()))
    return flat[index], kept
