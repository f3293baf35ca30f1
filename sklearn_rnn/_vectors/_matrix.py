"""The embedding matrix for a vocabulary: :func:`build_embedding_matrix`.

Shapes: ``V`` vocabulary size (rows, id 0 = padding), ``E`` vector size.
"""

import re

import numpy as np
from sklearn.utils import check_random_state

from ._io import is_word_vectors, keyed_vectors

__all__ = ["EmbeddingCoverage", "build_embedding_matrix"]


class EmbeddingCoverage:
    """How many vocabulary tokens were found in the pretrained vectors.

    Attributes
    ----------
    n_found : int
        Tokens with a pretrained vector (exactly or via the lowercase form).
    n_lowercase : int
        Of those, found only through their lowercase form.
    n_contractions : int
        Of those, contractions without a vector of their own given the mean
        of their parts' vectors ("don't" -> "do" + "n't").
    n_tokens : int
        Tokens looked up (the vocabulary without ``<pad>`` and ``<unk>``).
    missing : list of str
        Up to 20 of the most frequent tokens without a vector.
    coverage : float
        ``n_found / n_tokens``.
    """

    __module__ = "sklearn_rnn"

    def __init__(self, n_found, n_lowercase, n_tokens, missing, n_contractions=0):
        self.n_found = n_found
        self.n_lowercase = n_lowercase
        self.n_contractions = n_contractions
        self.n_tokens = n_tokens
        self.missing = missing

    @property
    def coverage(self):
        return self.n_found / self.n_tokens if self.n_tokens else 0.0

    def __str__(self):
        return f"coverage {100 * self.coverage:.1f}% ({self.n_found:,} / {self.n_tokens:,})"

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


def build_embedding_matrix(
    vectors,
    vocabulary,
    *,
    oov="random",
    lowercase_fallback=True,
    contractions=True,
    random_state=0,
    dtype=np.float32,
):
    """Build an embedding matrix whose row ``i`` is the vector of token id ``i``.

    The loop every recipe writes by hand (``embedding_matrix[i] = kv[word]``),
    with coverage reporting and a sensible default for missing words.

    Parameters
    ----------
    vectors : gensim KeyedVectors or Word2Vec
        Pretrained vectors.
    vocabulary : TextVectorizer, dict or sequence of str
        A fitted vectorizer, its ``vocabulary_`` (token -> id) or the tokens in
        id order. Id 0 is padding and keeps a zero row.
    oov : {'random', 'zeros'}, default='random'
        Rows of tokens without a vector (and of ``<unk>``): small random
        vectors with the standard deviation of the pretrained ones, so they
        start on the same scale, or zeros as in most recipes.
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

    Examples
    --------
    >>> from gensim.models import KeyedVectors
    >>> import numpy as np
    >>> kv = KeyedVectors(vector_size=3)
    >>> kv.add_vectors(["good", "bad"], np.eye(3)[:2].astype("float32"))
    >>> matrix, coverage = build_embedding_matrix(
    ...     kv, ["<pad>", "<unk>", "good", "Bad", "meh"], oov="zeros")
    >>> print(coverage)
    coverage 66.7% (2 / 3)
    >>> matrix[3].tolist()
    [0.0, 1.0, 0.0]
    """
    if not is_word_vectors(vectors):
        raise TypeError(
            "vectors must be gensim KeyedVectors or a Word2Vec model, got "
            f"{type(vectors).__name__}. Load files with load_word_vectors(path)."
        )
    if oov not in ("random", "zeros"):
        raise ValueError(f"oov must be 'random' or 'zeros', got {oov!r}.")
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
    random_rows = missing + [i for i, t in enumerate(tokens) if i > 0 and t == "<unk>"]
    if oov == "random" and random_rows:
        sample = kv.vectors[: min(len(kv.vectors), 100_000)]
        scale = float(sample.std()) if sample.size else 0.1
        rng = check_random_state(random_state)
        matrix[random_rows] = rng.normal(0.0, scale, size=(len(random_rows), dim))
    n_tokens = sum(1 for i, t in enumerate(tokens) if i > 0 and t not in ("<pad>", "<unk>"))
    coverage = EmbeddingCoverage(
        n_found=len(rows) + len(composed), n_lowercase=n_lower, n_tokens=n_tokens,
        missing=[tokens[i] for i in missing[:20]], n_contractions=len(composed),
    )
    return matrix, coverage


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
