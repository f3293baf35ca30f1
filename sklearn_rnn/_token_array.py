"""The array of token ids that TextVectorizer returns: :class:`TokenArray`.

Shapes: ``N`` documents, ``T`` positions.
"""

import warnings

import numpy as np

__all__ = ["TokenArray", "token_metadata", "pad_ragged", "auto_maxlen"]

#: Refuse to allocate a padded output larger than this (bytes).
_MAX_OUTPUT_BYTES = 4 * 2**30


class TokenArray(np.ndarray):
    """A 2-D integer array of token ids that knows its vocabulary and lengths.

    It behaves as a plain ``numpy.ndarray`` (``np.asarray`` turns it into
    one) and carries what :class:`TextVectorizer` knew when it made it:

    * ``vocabulary``: the tuple of tokens indexed by id, so a classifier sizes
      its embedding table and aligns pretrained vectors with the ids;
    * ``lengths``: the number of real (non-padding) tokens of each row, and
      ``padding``, the side the padding is on, so the real tokens are found
      without scanning for padding.

    Selecting rows (``X[10:20]``, ``X[[3, 1]]``, a boolean mask) keeps all
    three; other operations keep the vocabulary only, and arithmetic gives
    plain arrays.

    Parameters
    ----------
    input_array : array-like of shape (N, T)
        The token ids.
    vocabulary : tuple of str, default=None
        Token of each id; ``vocabulary[0]`` is ``'<pad>'``.
    lengths : array-like of int of shape (N,), default=None
        Real tokens in each row.
    padding : {'pre', 'post'}, default=None
        Where the padding of each row is.

    Examples
    --------
    >>> from sklearn_rnn import TextVectorizer
    >>> ids = TextVectorizer().fit_transform(["a good film", "a bad film", "good"])
    >>> type(ids).__name__, ids.shape, ids.vocabulary[:2]
    ('TokenArray', (3, 3), ('<pad>', '<unk>'))
    >>> ids.lengths.tolist(), ids[1:].lengths.tolist(), ids.padding
    ([3, 3, 1], [3, 1], 'pre')
    """

    def __new__(cls, input_array, vocabulary=None, lengths=None, padding=None):
        obj = np.asarray(input_array).view(cls)
        obj.vocabulary = vocabulary
        obj.lengths = None if lengths is None else np.asarray(lengths, dtype=np.int64)
        obj.padding = padding
        return obj

    def __array_finalize__(self, obj):
        if obj is None:
            return
        self.vocabulary = getattr(obj, "vocabulary", None)
        # views and copies of the whole array keep the lengths; anything that
        # changes the shape loses them (rows are handled in __getitem__)
        same = getattr(obj, "shape", None) == self.shape
        self.lengths = getattr(obj, "lengths", None) if same else None
        self.padding = getattr(obj, "padding", None) if same else None

    def __getitem__(self, key):
        out = super().__getitem__(key)
        if isinstance(out, TokenArray) and out.ndim == 2 and self.lengths is not None:
            rows, cols = (key[0], key[1:]) if isinstance(key, tuple) else (key, ())
            whole_rows = all(c is Ellipsis or c == slice(None) for c in cols)
            try:
                lengths = self.lengths[rows] if whole_rows else None
            except (IndexError, TypeError, ValueError):
                lengths = None
            ok = lengths is not None and lengths.shape == out.shape[:1]
            out.lengths = lengths if ok else None
            out.padding = self.padding if ok else None
        return out

    def __array_wrap__(self, out_arr, context=None, return_scalar=False):
        # Arithmetic on ids gives numbers, not ids: return plain arrays.
        out = np.asarray(out_arr)
        if return_scalar:
            return out[()]
        return out

    def __reduce__(self):
        constructor, args, state = super().__reduce__()
        return constructor, args, (state, self.vocabulary, self.lengths, self.padding)

    def __setstate__(self, state):
        base_state, self.vocabulary, *rest = state
        self.lengths, self.padding = rest if rest else (None, None)
        super().__setstate__(base_state)


def token_metadata(X):
    """``(vocabulary, lengths, padding)`` carried by ``X`` (a TokenArray, or
    RaggedTokens: padding ``None``); Nones for plain arrays."""
    if isinstance(X, TokenArray):
        return X.vocabulary, X.lengths, X.padding
    if type(X).__name__ == "RaggedTokens":
        return X.vocabulary, X.lengths, None
    return None, None, None


def pad_ragged(flat, lengths, *, maxlen, padding, truncating, dtype, vocabulary=None):
    """Scatter ragged ids (a flat buffer and lengths) into a padded TokenArray.

    Parameters
    ----------
    flat : ndarray of shape (n,)
        The ids of all documents, one after the other.
    lengths : ndarray of shape (N,)
        Ids per document.
    maxlen : int
        Width ``T`` of the output.
    padding, truncating : {'pre', 'post'}
        Which side is padded, and which is cut from longer documents.
    dtype : integer dtype
    vocabulary : tuple of str, default=None

    Returns
    -------
    X : TokenArray of shape (N, T)
    """
    n = len(lengths)
    dtype = np.dtype(dtype)
    nbytes = n * maxlen * dtype.itemsize
    if nbytes > _MAX_OUTPUT_BYTES:
        raise ValueError(
            f"Padding {n:,} documents to maxlen={maxlen:,} tokens would take "
            f"{nbytes / 2**30:.1f} GiB. Set maxlen (e.g. maxlen="
            f"{int(np.percentile(lengths, 95)) if n else 1}, the 95th percentile "
            "of these documents' lengths) and refit."
        )
    out = np.zeros((n, maxlen), dtype=dtype)
    kept = np.minimum(lengths, maxlen)
    ends = np.cumsum(lengths)
    # where each kept run starts in ``flat`` and in the output row
    src = ends - kept if truncating == "pre" else ends - lengths
    dst = maxlen - kept if padding == "pre" else np.zeros_like(kept)
    # one slice copy per row: far faster than fancy indexing
    for i, (s0, d0, k) in enumerate(zip(src.tolist(), dst.tolist(), kept.tolist(), strict=True)):
        if k:
            out[i, d0 : d0 + k] = flat[s0 : s0 + k]
    return TokenArray(out, vocabulary=vocabulary, lengths=kept, padding=padding)


#: maxlen=None: the longest document, unless longer than this many times the
#: 99th percentile of the lengths (and than _MIN_AUTO_MAXLEN tokens).
_OUTLIER_FACTOR = 4
_MIN_AUTO_MAXLEN = 256

def auto_maxlen(lengths):
    """The longest length, or a cap when the longest is an outlier (warns)."""
    longest = int(lengths.max()) if len(lengths) else 0
    cap = max(_OUTLIER_FACTOR * int(np.percentile(lengths, 99)) if len(lengths) else 0,
              _MIN_AUTO_MAXLEN)
    if longest <= cap:
        return max(longest, 1)
    warnings.warn(
        f"{int((lengths > cap).sum()):,} of {len(lengths):,} documents are longer than "
        f"{cap:,} tokens ({_OUTLIER_FACTOR} times the 99th percentile of the lengths; "
        f"the longest has {longest:,}): with maxlen=None they are cut to maxlen_={cap:,} "
        "(truncating side). Set maxlen= to choose the length yourself.",
        UserWarning,
    )
    return cap
