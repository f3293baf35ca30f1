"""Token ids: the two forms TextVectorizer returns, their checks, and length buckets.

Shapes: ``N`` documents, ``T`` positions (``maxlen``), ``n`` ids of all
documents together, ``W`` a bucket width.

Ids flow one way. :class:`~sklearn_rnn.TextVectorizer` tokenizes into the
ragged form (one flat buffer of ids and the length of each document) and
returns it either padded once, as a :class:`TokenArray` that carries its
lengths and vocabulary, or as it is, as :class:`RaggedTokens`. The
classifiers read either form without converting it (``_nn/_data.py``): each
length bucket of a pre-padded array is its last ``W`` columns.

Why buckets. With pre-padding and no packing, every padding step still
changes the recurrent state, so a document's output would depend on how much
padding precedes it, and so on the other documents of its batch. Every
document is therefore padded to the fixed width of its own length bucket
(:func:`bucket_width`), in training and prediction alike.

This module is numpy only: the ONNX loader (``sklearn_rnn.onnx``) uses it too.
"""

import warnings

import numpy as np

__all__ = [
    "PAD_ID",
    "UNK_ID",
    "PAD_TOKEN",
    "UNK_TOKEN",
    "TokenArray",
    "RaggedTokens",
    "bucket_width",
    "document_spans",
    "pad",
    "truncate",
    "auto_maxlen",
    "check_token_ids",
    "vocabulary_size",
    "check_ids_fit_vocabulary",
]

PAD_ID = 0
UNK_ID = 1
PAD_TOKEN = "<pad>"
UNK_TOKEN = "<unk>"

#: Refuse to allocate a padded output larger than this (bytes).
MAX_PADDED_BYTES = 4 * 2**30


def bucket_width(lengths):
    """Return the padded width of each length: exact below 16 tokens, then
    rounded up to 8 steps per power of two.

    So a document carries at most 12.5% (about 6% on average) extra padding.

    Parameters
    ----------
    lengths : array-like of int, shape (N,)

    Returns
    -------
    widths : ndarray of int64, shape (N,)

    Examples
    --------
    >>> bucket_width([0, 1, 15, 16, 17, 100, 1000]).tolist()
    [1, 1, 15, 16, 18, 104, 1024]
    """
    lengths = np.maximum(np.asarray(lengths, dtype=np.int64), 1)
    octave = np.floor(np.log2(lengths)).astype(np.int64)
    step = np.left_shift(1, np.maximum(octave - 3, 0))
    return -(-lengths // step) * step


def document_spans(X):
    """Where the real tokens of each row of a padded id array are.

    Padding (id 0) is stripped from both ends of every row, so pre- and
    post-padded rows give the same documents; zeros inside a document stay.

    Parameters
    ----------
    X : ndarray of shape (N, T)

    Returns
    -------
    first, lengths : ndarray of int64, shape (N,)
        First column and number of real tokens of each row.

    Examples
    --------
    >>> import numpy as np
    >>> first, lengths = document_spans(np.array([[0, 0, 5], [4, 0, 6], [0, 0, 0]]))
    >>> first.tolist(), lengths.tolist()
    ([2, 0, 0], [1, 3, 0])
    """
    X = np.asarray(X)
    t = X.shape[1]
    nonzero = X != PAD_ID
    has = nonzero.any(axis=1)
    first = np.where(has, nonzero.argmax(axis=1), 0).astype(np.int64)
    last = np.where(has, t - 1 - nonzero[:, ::-1].argmax(axis=1), -1)
    return first, (last - first + 1).astype(np.int64)


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

    __module__ = "sklearn_rnn"

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


class RaggedTokens:
    """Token ids of documents of different lengths, without padding.

    ``TextVectorizer(ragged=True)`` returns the form it holds anyway: one
    flat id buffer and the length of each document, with no ``(N, maxlen)``
    array. A million short documents padded to the longest one can take
    gigabytes; their ids alone take a few megabytes. The classifiers train
    and predict from it directly (and give the same results as from the
    padded array).

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
        Ids of each document (non-negative, adding up to ``n``).
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

    __module__ = "sklearn_rnn"

    def __init__(self, flat, lengths, vocabulary=None, maxlen=None):
        self.flat = np.asarray(flat)
        given = np.asarray(lengths)
        if given.size and given.dtype.kind not in "iu":
            if given.dtype.kind != "f" or not np.all(np.isfinite(given)) or \
                    np.any(given != np.round(given)):
                raise ValueError(f"lengths must be whole numbers, got {given.dtype} values "
                                 f"such as {given.ravel()[0]!r}.")
        self.lengths = given.astype(np.int64)
        if self.flat.ndim != 1 or self.lengths.ndim != 1:
            raise ValueError(f"flat and lengths must be 1-D, got shapes {self.flat.shape} "
                             f"and {self.lengths.shape}.")
        if len(self.lengths) and self.lengths.min() < 0:
            row = int(np.argmax(self.lengths < 0))
            raise ValueError(f"lengths must be >= 0; document {row} has length "
                             f"{int(self.lengths[row])}.")
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
        return pad(self.flat, self.lengths, maxlen=self.maxlen, padding=padding,
                   truncating="pre", dtype=self.flat.dtype, vocabulary=self.vocabulary)

    def __array__(self, dtype=None, copy=None):
        padded = np.asarray(self.to_padded())
        return padded if dtype is None else padded.astype(dtype)

    def __repr__(self):
        return (f"RaggedTokens({len(self):,} documents, {len(self.flat):,} ids, "
                f"longest {int(self.lengths.max()) if len(self) else 0})")


def pad(flat, lengths, *, maxlen, padding, truncating, dtype, vocabulary=None):
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
    if nbytes > MAX_PADDED_BYTES:
        raise ValueError(
            f"Padding {n:,} documents to maxlen={maxlen:,} tokens would take "
            f"{nbytes / 2**30:.1f} GiB. Set maxlen (e.g. maxlen="
            f"{int(np.percentile(lengths, 95)) if n else 1}, the 95th percentile "
            "of these documents' lengths) and refit, or use ragged=True."
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


def truncate(flat, lengths, maxlen, truncating):
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


# --------------------------------------------------------------------------- #
# checks
# --------------------------------------------------------------------------- #
def _all_ids(X):
    return X.flat if isinstance(X, RaggedTokens) else X


def check_token_ids(X, *, name="X"):
    """Validate token ids: a 2-D array (or :class:`RaggedTokens`) of
    non-negative integers.

    scikit-learn's ``check_array`` and ``check_non_negative`` do the checking
    (their messages, so scikit-learn's own estimator checks recognise them);
    this adds what is particular to token ids: raw text and fractional ids are
    refused with a hint, whole-number floats (from pandas) are converted.

    Parameters
    ----------
    X : array-like of shape (N, T) or RaggedTokens
        Token ids, as produced by :class:`~sklearn_rnn.TextVectorizer`.
    name : str, default='X'
        The argument's name, for messages.

    Returns
    -------
    X : TokenArray, RaggedTokens or ndarray of shape (N, T)
        Integer ids. A TokenArray or RaggedTokens is returned as it is (with
        its lengths and vocabulary) when its ids are valid.
    """
    from sklearn.utils.validation import check_array, check_non_negative

    whom = f"{name} (token ids must be >= 0: 0 is padding, 1 an unknown token)"
    if isinstance(X, RaggedTokens):  # ids without padding: check the flat buffer
        if X.flat.dtype.kind not in "iu":
            raise ValueError(f"{name} must hold integer token ids, got {X.flat.dtype}.")
        if len(X.flat):
            check_non_negative(X.flat, whom)
        return X
    if isinstance(X, str):
        raise ValueError(
            f"{name} is a single string; the classifier expects token ids. Put a "
            "TextVectorizer before it: make_pipeline(TextVectorizer(), clf)."
        )
    keep = X if isinstance(X, TokenArray) and X.dtype.kind in "iu" else None
    try:
        arr = np.asarray(X) if not hasattr(X, "toarray") else X
    except ValueError as exc:
        raise ValueError(
            f"{name} could not be turned into a 2-D array of token ids ({exc}). "
            "Ragged lists of ids must be padded to one length first (TextVectorizer "
            "does it), or passed as RaggedTokens."
        ) from None
    if getattr(arr, "dtype", None) is not None and arr.dtype.kind in "OUS" and arr.size:
        if any(isinstance(v, (str, bytes)) for v in np.ravel(arr)[:10]):
            raise ValueError(
                f"{name} holds raw text; the classifier expects token ids. Put a "
                "TextVectorizer before it: make_pipeline(TextVectorizer(), clf)."
            )
    if getattr(arr, "dtype", None) is not None and arr.dtype.kind == "b":
        raise ValueError(f"{name} must hold integer token ids, got booleans.")
    arr = check_array(arr, dtype=None if getattr(arr, "dtype", None) is not None
                      and arr.dtype.kind in "iuf" else np.float64, input_name=name)
    if arr.dtype.kind == "f":
        whole = np.floor(arr) == arr
        if not whole.all():
            row = int(np.argwhere(~whole)[0][0])
            raise ValueError(
                f"{name} must hold integer token ids, got {arr.dtype} values with "
                f"a fractional part (first in row {row}). Token ids index an "
                "embedding table: use the output of TextVectorizer."
            )
        if arr.size and arr.max() > np.iinfo(np.int64).max:
            raise ValueError(f"{name} contains ids too large for int64.")
        arr = arr.astype(np.int64)
    if arr.dtype.kind == "u" and arr.size and arr.max() > np.iinfo(np.int64).max:
        raise ValueError(
            f"{name} contains token id {int(arr.max())}, too large to index an embedding "
            "table (more than 2**63 - 1)."
        )
    if arr.size and arr.dtype.kind == "i":
        check_non_negative(arr, whom)
    return keep if keep is not None else arr


#: Above this many rows, an embedding table sized by ``max id + 1`` is checked
#: against the number of distinct ids (a stray huge id must not allocate GBs).
_LARGE_VOCABULARY = 1_000_000


def vocabulary_size(X, *, tokens=None, n_rows=None, vocab_size=None):
    """Rows of the embedding table for ids ``X``.

    From, in order: ``n_rows`` (a pretrained matrix's rows), the vectorizer's
    ``tokens``, ``vocab_size``, or else ``max id + 1``.
    """
    if n_rows is not None and tokens is not None and n_rows != len(tokens):
        raise ValueError(
            f"The embeddings matrix has {n_rows} rows but the TextVectorizer's "
            f"vocabulary has {len(tokens)} ids; its rows must be aligned with the ids "
            "(row i is the vector of token id i). Build it with "
            "build_embedding_matrix(vectors, vectorizer), or pass the KeyedVectors "
            "themselves to have it built in every fit."
        )
    ids = _all_ids(X)
    if n_rows is not None:
        n, source = n_rows, "rows of the embeddings matrix"
    elif tokens is not None:
        n, source = len(tokens), "the TextVectorizer's vocabulary"
    elif vocab_size is not None:
        n, source = vocab_size, "vocab_size"
    else:
        n = max(int(ids.max()) + 1 if ids.size else 2, 2)
        if n > _LARGE_VOCABULARY and n > 10 * len(np.unique(ids)):
            raise ValueError(
                f"X contains token id {n - 1:,} but only {len(np.unique(ids)):,} distinct "
                f"ids: sizing the embedding table by the largest id would make {n:,} "
                "rows. If that id is a mistake, fix the data; if your ids are sparse, "
                "renumber them (e.g. with np.unique(X, return_inverse=True)); if you "
                "really have that many, set vocab_size= explicitly."
            )
        return n
    if ids.size and ids.max() >= n:
        raise ValueError(
            f"X contains token id {int(ids.max())}, outside the vocabulary of {n} ids "
            f"given by {source}."
        )
    return n


def check_ids_fit_vocabulary(X, fitted_tokens, n_vocab, *, name="X"):
    """Check ids for a fitted model: the same vectorizer (when both carry their
    tokens), every id inside its vocabulary of ``n_vocab`` ids."""
    tokens = getattr(X, "vocabulary", None)
    if tokens is not None and fitted_tokens is not None and tokens is not fitted_tokens \
            and tuple(tokens) != tuple(fitted_tokens):
        raise ValueError(
            f"{name} was made by a different TextVectorizer (another vocabulary) than the "
            "one this classifier was fitted with, so its ids mean other tokens. "
            "Transform the documents with the fitted vectorizer, e.g. by keeping "
            "both in one Pipeline."
        )
    ids = _all_ids(X)
    if ids.size and ids.max() >= n_vocab:
        row = int(np.argwhere(np.asarray(ids).reshape(len(ids), -1) >= n_vocab)[0][0])
        where = f"row {row}" if not isinstance(X, RaggedTokens) else f"position {row}"
        raise ValueError(
            f"{name} contains token id {int(ids.max())} ({where}), but the classifier was "
            f"fitted with a vocabulary of {n_vocab} ids (0 to "
            f"{n_vocab - 1}). Transform new documents with the same "
            "TextVectorizer the classifier was fitted after; with your own ids, set "
            "vocab_size= to the full vocabulary size before fitting."
        )
