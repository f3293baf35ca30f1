"""Word vectors in and out of gensim: loading files, training word2vec.

Shapes: ``V`` vectors, ``E`` their size.
"""

import gzip
import os
from numbers import Integral

__all__ = [
    "is_word_vectors",
    "keyed_vectors",
    "describe_vectors",
    "load_word_vectors",
    "cached_word_vectors",
    "train_word2vec",
]


def is_word_vectors(value):
    """True for gensim ``KeyedVectors`` or a model holding them (``Word2Vec``)."""
    return hasattr(value, "key_to_index") or hasattr(getattr(value, "wv", None), "key_to_index")


def keyed_vectors(value):
    """The ``KeyedVectors`` of vectors or of a model holding them."""
    return value if hasattr(value, "key_to_index") else value.wv


def describe_vectors(value):
    """``'KeyedVectors of 400,000 x 50'``."""
    kv = keyed_vectors(value)
    return f"{type(value).__name__} of {len(kv.key_to_index):,} x {kv.vector_size}"


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


_CACHE = {}


def cached_word_vectors(path, *, format="auto", limit=None):
    """:func:`load_word_vectors`, remembering the last file loaded in this
    process (by path, size and modification time): every fold of a
    cross-validation, and every task a worker runs, reads it once."""
    stat = os.stat(path)
    key = (os.path.realpath(path), stat.st_size, stat.st_mtime_ns, format, limit)
    if key not in _CACHE:
        _CACHE.clear()  # one vector set at a time: they can be GBs
        _CACHE[key] = load_word_vectors(path, format=format, limit=limit)
    return _CACHE[key]


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
            return keyed_vectors(obj)
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

    from .._text._vectorizer import TextVectorizer
    from .._utils._validation import iter_documents

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
