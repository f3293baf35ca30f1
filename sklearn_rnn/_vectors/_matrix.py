"""The embedding matrix for a vocabulary: :func:`build_embedding_matrix`.

Shapes: ``V`` vocabulary size (rows, id 0 = padding), ``E`` vector size.
"""

import re

import numpy as np
from scipy import sparse
from sklearn.utils import check_random_state

from ._io import is_word_vectors, keyed_vectors

__all__ = ["EmbeddingCoverage", "build_embedding_matrix", "char_ngram_estimates",
           "OOV_OPTIONS", "DEFAULT_OOV"]


class EmbeddingCoverage:
    """How many vocabulary tokens were found in the pretrained vectors.

    Attributes
    ----------
    n_found : int
        Tokens with a pretrained vector of their own (exactly, via the
        lowercase form, or as a contraction of words with vectors).
    n_lowercase : int
        Of those, found only through their lowercase form.
    n_contractions : int
        Of those, contractions without a vector of their own given the mean
        of their parts' vectors ("don't" -> "do" + "n't").
    n_subword : int
        Tokens without a vector of their own given one by the vectors'
        subword model (fastText ``.bin`` vectors: from character n-grams).
    n_estimated : int
        Tokens without a vector of their own given an estimate from the
        character n-grams they share with words that have one
        (``oov='char-ngrams'``).
    n_tokens : int
        Tokens looked up (the vocabulary without ``<pad>`` and ``<unk>``).
    missing : list of str
        Up to 20 of the most frequent tokens without a vector of their own
        (whatever row ``oov`` or the subword model gave them).
    coverage : float
        ``n_found / n_tokens``: the tokens with a vector of their own.
    """

    __module__ = "sklearn_rnn"

    # saved by versions without these counts (skops restores __dict__)
    n_subword = 0
    n_estimated = 0

    def __init__(self, n_found, n_lowercase, n_tokens, missing, n_contractions=0, n_subword=0,
                 n_estimated=0):
        self.n_found = n_found
        self.n_lowercase = n_lowercase
        self.n_contractions = n_contractions
        self.n_subword = n_subword
        self.n_estimated = n_estimated
        self.n_tokens = n_tokens
        self.missing = missing

    @property
    def coverage(self):
        return self.n_found / self.n_tokens if self.n_tokens else 0.0

    def __str__(self):
        text = f"coverage {100 * self.coverage:.1f}% ({self.n_found:,} / {self.n_tokens:,})"
        extra = [f"{n:,} {what}" for n, what in ((self.n_subword, "from subwords"),
                                                 (self.n_estimated, "estimated from n-grams"))
                 if n]
        return f"{text}; {', '.join(extra)}" if extra else text

    def __repr__(self):
        return f"EmbeddingCoverage({self})"


def _vocabulary_tokens(vocabulary):
    """Tokens indexed by id from a fitted TextVectorizer, a dict or a sequence."""
    if hasattr(vocabulary, "vocabulary_"):
        vocabulary = vocabulary.vocabulary_
    if isinstance(vocabulary, dict):
        tokens = [None] * len(vocabulary)
        for tok, idx in vocabulary.items():
            if not 0 <= idx < len(tokens) or tokens[idx] is not None:
                raise ValueError(
                    "A vocabulary mapping must give its tokens distinct ids 0 .. n-1."
                )
            tokens[idx] = tok
        return tokens
    return list(vocabulary)


#: What ``oov`` may be, and the default (chosen on IMDB:
#: ``benchmarks/results/oov_fallback.md``).
OOV_OPTIONS = ("char-ngrams", "random", "mean", "zeros")
DEFAULT_OOV = "char-ngrams"


def build_embedding_matrix(
    vectors,
    vocabulary,
    *,
    oov=DEFAULT_OOV,
    lowercase_fallback=True,
    contractions=True,
    random_state=0,
    dtype=np.float32,
):
    """Build an embedding matrix whose row ``i`` is the vector of token id ``i``.

    The loop every recipe writes by hand (``embedding_matrix[i] = kv[word]``),
    with coverage reporting and a row for every word.

    Parameters
    ----------
    vectors : gensim KeyedVectors or Word2Vec
        Pretrained vectors. fastText vectors loaded from a ``.bin``
        (``FastTextKeyedVectors``) give every word without a vector of its
        own its subword vector (from its character n-grams); ``oov`` is then
        only for ``<unk>``.
    vocabulary : TextVectorizer, dict or sequence of str
        A fitted vectorizer, its ``vocabulary_`` (token -> id) or the tokens in
        id order. Id 0 is padding and keeps a zero row.
    oov : {'char-ngrams', 'random', 'mean', 'zeros'}, default='char-ngrams'
        Rows of tokens without a vector (with word-only vectors), and of
        ``<unk>``:

        - 'char-ngrams': an estimate from the words with a vector that share
          its character 3- to 6-grams (each n-gram stands for the mean vector
          of the words containing it; a token's row is the idf-weighted mean
          of its n-grams'); random for a token with no such n-gram and for
          ``<unk>``. It measured best on IMDB (see the user guide).
        - 'random': small random vectors with the standard deviation of the
          pretrained ones, so they start on the same scale.
        - 'mean': the mean pretrained vector.
        - 'zeros': zeros, as in most recipes.
    lowercase_fallback : bool, default=True
        Look a missing token up again in lowercase (``'Paris'`` -> ``'paris'``).
    contractions : bool, default=True
        Give a contraction missing from the vectors the mean of its parts,
        split as GloVe and the Penn Treebank split them (``"don't"`` ->
        ``"do"`` + ``"n't"``, ``"it's"`` -> ``"it"`` + ``"'s"``).
        TextVectorizer keeps contractions whole, and they carry negation.
    random_state : int, RandomState instance or None, default=0
        Seed of the random rows.
    dtype : numpy dtype, default=np.float32

    Returns
    -------
    matrix : ndarray of shape (V, E)
    coverage : EmbeddingCoverage
        Prints as e.g. ``coverage 87.3% (43,650 / 50,000)``.

    Notes
    -----
    'char-ngrams' indexes the character n-grams of the tokens to estimate
    once, then finds them in the first million words of the vectors with
    vectorised hashing: a 50,000-word vocabulary against 400,000 GloVe
    vectors takes seconds.

    Examples
    --------
    >>> from gensim.models import KeyedVectors
    >>> import numpy as np
    >>> kv = KeyedVectors(vector_size=3)
    >>> kv.add_vectors(["good", "bad", "goodness"], np.eye(3, dtype="float32"))
    >>> matrix, coverage = build_embedding_matrix(
    ...     kv, ["<pad>", "<unk>", "good", "Bad", "goodly"], oov="zeros")
    >>> print(coverage)
    coverage 66.7% (2 / 3)
    >>> matrix[3].tolist(), matrix[4].tolist()
    ([0.0, 1.0, 0.0], [0.0, 0.0, 0.0])
    >>> matrix, coverage = build_embedding_matrix(
    ...     kv, ["<pad>", "<unk>", "good", "Bad", "goodly"])  # oov='char-ngrams'
    >>> print(coverage)
    coverage 66.7% (2 / 3); 1 estimated from n-grams
    >>> bool(matrix[4, 0] > 0 and matrix[4, 1] == 0)  # like good and goodness, not bad
    True
    """
    if not is_word_vectors(vectors):
        raise TypeError(
            "vectors must be gensim KeyedVectors or a Word2Vec model, got "
            f"{type(vectors).__name__}. Load files with load_word_vectors(path)."
        )
    if oov not in OOV_OPTIONS:
        raise ValueError(f"oov must be one of {OOV_OPTIONS}, got {oov!r}.")
    kv = keyed_vectors(vectors)
    tokens = _vocabulary_tokens(vocabulary)
    dim = kv.vector_size
    matrix = np.zeros((len(tokens), dim), dtype=dtype)
    key_to_index = kv.key_to_index
    rows, sources, missing = [], [], []
    n_lower = 0
    composed = []
    for i, tok in enumerate(tokens):
        if i == 0 or tok in ("<pad>", "<unk>"):
            continue
        j = key_to_index.get(tok)
        if j is None and lowercase_fallback:
            j = key_to_index.get(tok.lower())
            n_lower += j is not None
        if j is not None:
            rows.append(i)
            sources.append(j)
            continue
        parts = _contraction_parts(tok, key_to_index, lowercase_fallback) if contractions else None
        if parts is not None:
            composed.append((i, parts))
        else:
            missing.append(i)
    if rows:
        matrix[rows] = kv.vectors[sources]
    for i, parts in composed:
        matrix[i] = kv.vectors[parts].mean(axis=0)
    unk = [i for i, t in enumerate(tokens) if i > 0 and t == "<unk>"]
    n_subword = n_estimated = 0
    rest = missing
    if missing and _has_subwords(kv):
        for i in missing:  # fastText: the mean of the word's n-gram vectors
            matrix[i] = kv.get_vector(tokens[i])
        n_subword, rest = len(missing), []
    elif missing and oov == "char-ngrams":
        estimates, found = char_ngram_estimates([tokens[i] for i in missing], kv)
        done = np.asarray(missing)[found]
        matrix[done] = estimates[found]
        n_estimated, rest = len(done), np.asarray(missing)[~found].tolist()
    fill = rest + unk
    if fill and oov in ("random", "char-ngrams"):
        sample = kv.vectors[: min(len(kv.vectors), 100_000)]
        scale = float(sample.std()) if sample.size else 0.1
        rng = check_random_state(random_state)
        matrix[fill] = rng.normal(0.0, scale, size=(len(fill), dim))
    elif fill and oov == "mean":
        matrix[fill] = kv.vectors[: min(len(kv.vectors), 100_000)].mean(axis=0)
    n_tokens = sum(1 for i, t in enumerate(tokens) if i > 0 and t not in ("<pad>", "<unk>"))
    coverage = EmbeddingCoverage(
        n_found=len(rows) + len(composed), n_lowercase=n_lower, n_tokens=n_tokens,
        missing=[tokens[i] for i in missing[:20]], n_contractions=len(composed),
        n_subword=n_subword, n_estimated=n_estimated,
    )
    return matrix, coverage


def _has_subwords(kv):
    """True for fastText vectors that give any word a vector (n-gram buckets)."""
    return getattr(kv, "bucket", 0) > 0 and getattr(kv, "vectors_ngrams", None) is not None


#: Multiplier of the rolling hash of character n-grams (a prime).
_HASH_MULTIPLIER = np.uint64(1_000_003)


def _ngram_hashes(words, ngram_range, max_chars=40):
    """The character n-grams of each ``'<word>'`` (fastText's boundary marks),
    for n in ``ngram_range``, as 64-bit hashes: ``(rows, hashes)``, the word
    index and hash of each n-gram. Vectorised over words: an ``(N, W)`` grid
    of code points, the hashes of the n-grams grown from those of the
    (n-1)-grams. Words are cut at ``max_chars``."""
    marked = ["<" + w[: max_chars - 2] + ">" for w in words]
    lengths = np.fromiter(map(len, marked), dtype=np.int64, count=len(marked))
    width = int(lengths.max()) if len(marked) else 0
    points = np.frombuffer("".join(marked).encode("utf-32-le", "surrogatepass"),
                           dtype=np.uint32)
    grid = np.zeros((len(marked), width), dtype=np.uint64)
    grid[np.arange(width) < lengths[:, None]] = points.astype(np.uint64) + 1
    rows, hashes = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.uint64)]
    h = grid  # hashes of the 1-grams
    for n in range(2, min(ngram_range[1], width) + 1):
        h = h[:, :-1] * _HASH_MULTIPLIER + grid[:, n - 1:]  # wraps modulo 2**64
        if n >= ngram_range[0]:
            valid = np.arange(width - n + 1) + n <= lengths[:, None]
            rows.append(np.nonzero(valid)[0])
            hashes.append(h[valid])
    return np.concatenate(rows), np.concatenate(hashes)


def char_ngram_estimates(words, vectors, *, ngram_range=(3, 6), max_known=1_000_000,
                         chunk_size=65_536):
    """Vectors for ``words`` from the character n-grams they share with the
    first ``max_known`` words of ``vectors``.

    Each n-gram of the words stands for the mean vector of the known words
    containing it; a word's estimate is the mean of its n-grams', weighted by
    their idf among the known words (rare n-grams say more). Only the words'
    own n-grams are indexed, so memory follows the vocabulary, not the vectors.

    Returns
    -------
    estimates : ndarray of shape (len(words), E), float32
    found : ndarray of bool
        False for a word sharing no n-gram with a known word (its row is zero).
    """
    kv = keyed_vectors(vectors)
    dim = kv.vector_size
    estimates = np.zeros((len(words), dim), dtype=np.float32)
    if not len(words):
        return estimates, np.zeros(0, dtype=bool)
    rows, hashes = _ngram_hashes(list(words), ngram_range)
    grams, cols = np.unique(hashes, return_inverse=True)
    n_known = min(len(kv.index_to_key), max_known)
    # the known words' n-grams that are among the words' own: (gram, known word) pairs
    # the known words' n-grams that are among the words' own: (gram, known word)
    # pairs; words sorted by length, so each chunk's grid is narrow
    keys = [k if isinstance(k, str) else str(k) for k in kv.index_to_key[:n_known]]
    by_length = np.argsort(np.fromiter(map(len, keys), dtype=np.int64, count=n_known),
                           kind="stable")
    hit_grams, hit_words = [], []
    for start in range(0, n_known, chunk_size):
        chunk = by_length[start: start + chunk_size]
        k_rows, k_hashes = _ngram_hashes([keys[i] for i in chunk], ngram_range)
        order = np.argsort(k_hashes)  # sorted queries: a faster binary search
        pos = np.empty_like(order)
        pos[order] = np.searchsorted(grams, k_hashes[order])
        pos = np.minimum(pos, len(grams) - 1)
        hit = grams[pos] == k_hashes
        hit_grams.append(pos[hit])
        hit_words.append(chunk[k_rows[hit]])
    gram_words = sparse.csr_matrix(
        (np.ones(sum(map(len, hit_grams)), dtype=np.float32),
         (np.concatenate(hit_grams), np.concatenate(hit_words))),
        shape=(len(grams), n_known),
    )
    gram_words.sum_duplicates()
    gram_words.data[:] = 1.0  # a word counts once per n-gram ("banana": "ana")
    df = np.diff(gram_words.indptr)
    idf = np.where(df > 0, np.log((1 + n_known) / (1 + df)) + 1, 0.0)
    word_grams = sparse.csr_matrix((idf[cols], (rows, cols)), shape=(len(words), len(grams)))
    word_grams.sum_duplicates()
    weight = np.asarray(word_grams.sum(axis=1)).ravel()
    found = weight > 0
    word_grams = sparse.diags(np.divide(1.0, weight, out=np.zeros_like(weight),
                                        where=found)) @ word_grams
    known = kv.vectors[:n_known]
    block = max(1, (1 << 24) // max(dim, 1))  # gram vectors made ~64 MB at a time
    for start in range(0, len(grams), block):
        stop = min(start + block, len(grams))
        counts = np.maximum(df[start:stop], 1)[:, None]
        gram_vectors = (gram_words[start:stop] @ known) / counts  # mean of the words
        estimates += (word_grams[:, start:stop] @ gram_vectors).astype(np.float32)
    return estimates, found


_CONTRACTION = re.compile(r"^(.+?)(n't|'s|'re|'ve|'ll|'d|'m)$")


def _contraction_parts(token, key_to_index, lowercase_fallback):
    """Indices of a contraction's parts split the GloVe/Penn Treebank way
    ("don't" -> "do" + "n't", "it's" -> "it" + "'s"), or None."""
    m = _CONTRACTION.match(token.replace("’", "'"))
    if m is None:
        return None
    indices = []
    for part in m.groups():
        j = key_to_index.get(part)
        if j is None and lowercase_fallback:
            j = key_to_index.get(part.lower())
        if j is None:
            return None
        indices.append(j)
    return indices
