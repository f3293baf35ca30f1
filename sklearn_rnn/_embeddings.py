"""Pretrained word vectors (gensim word2vec, GloVe) aligned with token ids.

Shapes: ``V`` vocabulary size (rows, id 0 = padding), ``E`` vector size.

How vectors stay right in every cross-validation fold
-----------------------------------------------------
The vocabulary changes with every fold, so a matrix built once outside the
folds is misaligned (or leaks the test fold's words). Here the classifier
builds the matrix itself, at every ``fit``, for the vocabulary of the
:class:`~sklearn_rnn.TextVectorizer` that feeds it:

1. ``TextVectorizer.transform`` returns a :class:`~sklearn_rnn.TokenArray`, an
   ``ndarray`` that also carries the tuple of tokens indexed by id. Inside a
   ``Pipeline`` (and so inside ``cross_val_score`` and ``GridSearchCV``) it
   goes straight from the vectorizer fitted on this fold to the classifier.
2. ``fit`` looks each of those tokens up in the vectors
   (:func:`build_embedding_matrix`) and initialises the embedding layer with
   the result. A path is loaded at ``fit`` (:func:`load_word_vectors`), never
   in ``__init__``.
3. The vectors are only read. ``clone`` shares them between clones instead of
   deep-copying several GB per fold; pickling an unfitted classifier carries
   them (joblib memory-maps the array for ``n_jobs`` workers); pickling a
   fitted one leaves them out: the rows the vocabulary needs are already in
   the network's weights, so a saved model never holds the whole vector set.
"""

import gzip
import os
import re
import warnings
from numbers import Integral

import numpy as np

__all__ = [
    "EmbeddingCoverage",
    "build_embedding_matrix",
    "load_word_vectors",
    "train_word2vec",
    "resolve_embeddings",
    "is_word_vectors",
]

#: Options accepted as ``embeddings__<name>`` by the classifiers.
EMBEDDING_OPTIONS = ("oov", "lowercase_fallback", "contractions", "limit", "format")


def is_word_vectors(value):
    """True for gensim ``KeyedVectors`` or a model holding them (``Word2Vec``)."""
    return hasattr(value, "key_to_index") or hasattr(getattr(value, "wv", None), "key_to_index")


def _keyed_vectors(value):
    return value if hasattr(value, "key_to_index") else value.wv


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
    from sklearn.utils import check_random_state

    if not is_word_vectors(vectors):
        raise TypeError(
            "vectors must be gensim KeyedVectors or a Word2Vec model, got "
            f"{type(vectors).__name__}. Load files with load_word_vectors(path)."
        )
    if oov not in ("random", "zeros"):
        raise ValueError(f"oov must be 'random' or 'zeros', got {oov!r}.")
    kv = _keyed_vectors(vectors)
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


def _sniff_format(path):
    """Guess 'native', 'word2vec-binary', 'word2vec-text' or 'glove'."""
    name = os.fspath(path).lower()
    opener = gzip.open if name.endswith(".gz") else open
    with opener(path, "rb") as f:
        head = f.read(4096)
    if head[:1] == b"\x80":
        return "native"  # a pickle: gensim's own .save() format
    first, _, rest = head.partition(b"\n")
    parts = first.split()
    has_header = len(parts) == 2 and all(p.isdigit() for p in parts)
    if not has_header:
        return "glove"
    if name.endswith((".bin", ".bin.gz")):
        return "word2vec-binary"
    try:
        rest[:2048].decode("utf-8")
    except UnicodeDecodeError:
        return "word2vec-binary"
    return "word2vec-text"


_FORMATS = ("auto", "native", "word2vec-binary", "word2vec-text", "glove")


def load_word_vectors(path, *, format="auto", limit=None, mmap="r"):
    """Load pretrained word vectors from a file with gensim.

    Parameters
    ----------
    path : str or path-like
        Vectors in word2vec binary format (``GoogleNews-vectors-negative300.bin.gz``),
        word2vec text format (first line ``<count> <dim>``), GloVe text format
        (no header line) or gensim's native format (``KeyedVectors.save`` /
        ``Word2Vec.save``); ``.gz`` files are read directly.
    format : {'auto', 'native', 'word2vec-binary', 'word2vec-text', 'glove'}, default='auto'
        'auto' tells them apart from the file's first bytes and its name.
    limit : int, default=None
        Read only the first ``limit`` vectors (the most frequent words in
        GoogleNews and GloVe): gensim's own ``limit=``. Ignored for the
        native format, which is memory-mapped instead.
    mmap : {'r', None}, default='r'
        Memory-map a native-format file's arrays instead of reading them.

    Returns
    -------
    vectors : gensim.models.KeyedVectors

    Notes
    -----
    Loading needs only the memory gensim itself needs (3M x 300 float32
    GoogleNews vectors: about 3.6 GB; with ``limit=500_000``, 0.6 GB).
    """
    from gensim.models import KeyedVectors

    if format not in _FORMATS:
        raise ValueError(f"format must be one of {_FORMATS}, got {format!r}.")
    if limit is not None and (not isinstance(limit, Integral) or limit < 1):
        raise ValueError(f"limit must be a positive int or None, got {limit!r}.")
    if not os.path.isfile(path):
        raise FileNotFoundError(f"No word-vector file at {os.fspath(path)!r}.")
    kind = _sniff_format(path) if format == "auto" else format
    try:
        if kind == "native":
            from gensim.utils import SaveLoad

            obj = SaveLoad.load(os.fspath(path), mmap=mmap)
            if not is_word_vectors(obj):
                raise ValueError(
                    f"{os.fspath(path)!r} is a gensim {type(obj).__name__}, not word vectors."
                )
            return _keyed_vectors(obj)
        return KeyedVectors.load_word2vec_format(
            os.fspath(path),
            binary=kind == "word2vec-binary",
            no_header=kind == "glove",
            limit=limit,
        )
    except (ValueError, UnicodeDecodeError, EOFError) as exc:
        raise ValueError(
            f"Could not read {os.fspath(path)!r} as {kind} word vectors ({exc}). "
            "Pass format= explicitly if the guess was wrong."
        ) from exc


def train_word2vec(
    documents,
    *,
    vectorizer=None,
    vector_size=100,
    window=5,
    min_count=5,
    epochs=5,
    workers=1,
    sg=0,
    random_state=0,
    **kwargs,
):
    """Train gensim Word2Vec on raw documents, tokenized like the classifier.

    Use it on unlabelled text (the 50,000 IMDB ``unsup`` reviews, say) and pass
    the result as ``embeddings=`` to a classifier.

    Parameters
    ----------
    documents : iterable of str
        Raw documents.
    vectorizer : TextVectorizer, default=None
        Tokenize with this vectorizer's analyzer (preprocessing, token
        pattern, stop words...), so the words match the ones the classifier
        will see. None uses ``TextVectorizer()``'s defaults. It need not be
        fitted.
    vector_size, window, min_count, epochs, workers, sg :
        gensim's main knobs: dimension, context window, minimum count,
        passes, worker threads, skip-gram (1) or CBOW (0).
    random_state : int, default=0
        gensim's ``seed``. With ``workers=1`` training is reproducible; more
        workers are faster but thread scheduling makes results vary.
    **kwargs : dict
        Other ``gensim.models.Word2Vec`` parameters (``negative``, ``sample``...).

    Returns
    -------
    vectors : gensim.models.KeyedVectors

    Examples
    --------
    >>> docs = ["a good film", "a bad film", "good acting", "bad acting"] * 10
    >>> kv = train_word2vec(docs, vector_size=8, min_count=1, epochs=2)
    >>> kv.vector_size, "film" in kv.key_to_index
    (8, True)
    """
    from gensim.models import Word2Vec

    from ._validation import iter_documents
    from ._vectorizer import TextVectorizer

    analyze = (vectorizer if vectorizer is not None else TextVectorizer()).build_analyzer()
    sentences = [analyze(doc) for doc in iter_documents(documents, allow_empty=False)]
    if not any(sentences):
        raise ValueError("The documents contain no tokens to train word2vec on.")
    model = Word2Vec(
        sentences,
        vector_size=vector_size,
        window=window,
        min_count=min_count,
        epochs=epochs,
        workers=workers,
        sg=sg,
        seed=random_state,
        **kwargs,
    )
    return model.wv


class VectorsNotSaved:
    """Stands in for in-memory word vectors left out of a fitted model's pickle.

    Predictions are unaffected (the vectors are in the network's weights); to
    refit, pass the vectors again with ``set_params(embeddings=...)``.
    """

    def __init__(self, description):
        self.description = description

    def __repr__(self):
        return (
            f"<{self.description}: not saved with the model; "
            "set_params(embeddings=...) to refit>"
        )


def describe_vectors(value):
    kv = _keyed_vectors(value)
    return f"{type(value).__name__} of {len(kv.key_to_index):,} x {kv.vector_size}"


def resolve_embeddings(embeddings, *, tokens, embedding_dim, seed, options=None):
    """Turn the classifiers' ``embeddings`` parameter into an aligned matrix.

    Returns ``(matrix or None, coverage or None)``.
    """
    options = dict(options or {})
    unknown = set(options) - set(EMBEDDING_OPTIONS)
    if unknown:
        raise ValueError(
            f"Unknown embeddings option(s) {sorted(unknown)}; valid ones are "
            + ", ".join(f"embeddings__{o}" for o in EMBEDDING_OPTIONS) + "."
        )
    if embeddings is None:
        return None, None
    if isinstance(embeddings, VectorsNotSaved):
        raise ValueError(
            f"Cannot refit: {embeddings!r}. Pass the vectors again with "
            "set_params(embeddings=...)."
        )
    coverage = None
    if isinstance(embeddings, (str, os.PathLike)):
        embeddings = load_word_vectors(
            embeddings, format=options.get("format", "auto"), limit=options.get("limit")
        )
    if is_word_vectors(embeddings):
        if tokens is None:
            raise ValueError(
                "embeddings given as word vectors need the vocabulary of the ids: "
                "put a TextVectorizer right before the classifier (its output "
                "carries the vocabulary), or build an aligned matrix with "
                "build_embedding_matrix(vectors, vectorizer) and pass that."
            )
        matrix, coverage = build_embedding_matrix(
            embeddings,
            tokens,
            oov=options.get("oov", "random"),
            lowercase_fallback=options.get("lowercase_fallback", True),
            contractions=options.get("contractions", True),
            random_state=seed,
        )
    else:
        matrix = embeddings
        if hasattr(matrix, "detach"):
            matrix = matrix.detach().cpu().numpy()
        matrix = np.asarray(matrix)
        if matrix.ndim != 2:
            raise ValueError(
                "embeddings must be a 2-D matrix (vocabulary x dimension), word "
                f"vectors or a path, got an array of shape {matrix.shape}."
            )
        if matrix.dtype.kind not in "fiu":
            raise ValueError(f"embeddings must be numeric, got dtype {matrix.dtype}.")
        matrix = matrix.astype(np.float32)
    if not np.isfinite(matrix).all():
        raise ValueError("embeddings contain NaN or infinite values.")
    if embedding_dim is not None and embedding_dim not in (128, matrix.shape[1]):
        warnings.warn(
            f"embedding_dim={embedding_dim} is ignored: the pretrained vectors have "
            f"{matrix.shape[1]} dimensions, and they set the embedding size.",
            UserWarning,
        )
    return matrix, coverage
