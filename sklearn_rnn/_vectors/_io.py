"""Word vectors in and out of gensim: loading files (or names), training word2vec.

Shapes: ``V`` vectors, ``E`` their size.
"""

import gzip
import os
import shutil
import struct
import tempfile
from numbers import Integral

from ._catalogue import KNOWN_VECTORS, catalogue_path, close_names, looks_like_name
from ._headers import BOM, check_fasttext, check_word2vec_header

__all__ = [
    "is_word_vectors",
    "keyed_vectors",
    "describe_vectors",
    "load_word_vectors",
    "cached_word_vectors",
    "resolve_source",
    "NATIVE_SUFFIXES",
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


#: File names of gensim's native format (``KeyedVectors.save`` /
#: ``Word2Vec.save``): a pickle, so loaded only with ``format='native'``,
#: never because of a file's name (a name is chosen by whoever made the
#: file) or what it contains; the names only make the error say so.
NATIVE_SUFFIXES = (".kv", ".model", ".wordvectors")

#: The first 4 bytes of Facebook's fastText ``.bin`` files (int32 793712314).
_FASTTEXT_MAGIC = b"\xba\x16\x4f\x2f"

_FORMATS = ("auto", "native", "word2vec-binary", "word2vec-text", "glove", "fasttext")


def _refuse_pickle(path):
    return ValueError(
        f"{os.fspath(path)!r} is a pickle (gensim's native format, or any Python object), "
        "and was not loaded: unpickling runs any code the file holds, so it is done only "
        "when asked with format='native'. If you made this file or trust who did, pass "
        "format='native' (PretrainedEmbeddings(path, format='native') for a classifier); "
        "otherwise get the vectors in word2vec or GloVe format."
    )


def _read_head(path, size=4096):
    """The first ``size`` bytes of the file, decompressed when it is a .gz that
    is gzip-compressed (a mislabelled one is read as it is)."""
    with open(path, "rb") as f:
        head = f.read(size)
    if os.fspath(path).lower().endswith(".gz") and head[:2] == b"\x1f\x8b":
        try:
            with gzip.open(path, "rb") as f:
                head = f.read(size)
        except (OSError, EOFError) as exc:
            raise ValueError(f"Could not decompress {os.fspath(path)!r} ({exc}).") from exc
    return head


def _sniff_format(path):
    """'fasttext', 'word2vec-binary', 'word2vec-text' or 'glove'. gensim's
    native format (a pickle) is never guessed: it needs ``format='native'``."""
    name = os.fspath(path).lower()
    if name.endswith(NATIVE_SUFFIXES):
        raise _refuse_pickle(path)
    head = _read_head(path)
    if head[:4] == _FASTTEXT_MAGIC:
        return "fasttext"
    head = head[len(BOM):] if head.startswith(BOM) else head
    first, _, rest = head.partition(b"\n")
    parts = first.split()
    has_header = len(parts) == 2 and all(p.isdigit() for p in parts)
    if not has_header:
        kind = "glove"
    elif name.endswith((".bin", ".bin.gz")):
        kind = "word2vec-binary"
    else:
        try:
            rest[:2048].decode("utf-8")
            kind = "word2vec-text"
        except UnicodeDecodeError:
            kind = "word2vec-binary"
    if head[:1] == b"\x80":  # pickle protocol 2+: never unpickled from here
        raise _refuse_pickle(path)
    return kind


def resolve_source(source):
    """The local file of ``source`` (a path, or a gensim-data name, downloaded
    if missing) and its format when the name tells it, else None."""
    if isinstance(source, os.PathLike) or not looks_like_name(source):
        if not isinstance(source, (str, os.PathLike)):
            raise TypeError(
                f"Word vectors are read from a path or a gensim-data name (str), got "
                f"{type(source).__name__}."
            )
        if not os.path.isfile(source):
            hint = close_names(os.path.basename(os.fspath(source)), KNOWN_VECTORS)
            raise FileNotFoundError(
                f"No word-vector file at {os.fspath(source)!r}. {hint}A gensim-data "
                f"name (one of {', '.join(KNOWN_VECTORS)}...) downloads the vectors."
            )
        return os.fspath(source), None
    if os.path.isfile(source):  # a file in the working folder wins over a name
        return source, None
    return catalogue_path(source)


_CACHE = {}


def cached_word_vectors(source, *, format="auto", limit=None):
    """:func:`load_word_vectors`, remembering the last vectors loaded in this
    process (by file, size and modification time): every fold of a
    cross-validation, and every task a worker runs, reads them once."""
    path, named_format = resolve_source(source)
    stat = os.stat(path)
    key = (os.path.realpath(path), stat.st_size, stat.st_mtime_ns, format, limit)
    if key not in _CACHE:
        _CACHE.clear()  # one vector set at a time: they can be GBs
        _CACHE[key] = _load_file(path, format, named_format, limit, "r")
    return _CACHE[key]


def load_word_vectors(source, *, format="auto", limit=None, mmap="r"):
    """Load pretrained word vectors from a file, or by name from gensim-data.

    Parameters
    ----------
    source : str or path-like
        A file (``str`` or path): word2vec binary
        (``GoogleNews-vectors-negative300.bin.gz``), word2vec text (first
        line ``<count> <dim>``; fastText's ``.vec``), GloVe text (no header
        line), Facebook's fastText ``.bin`` (with its subword vectors), or
        gensim's native format (``KeyedVectors.save``; see ``format``).
        ``.gz`` files are read directly. Or a name of the gensim-data
        catalogue (``'glove-wiki-gigaword-100'``,
        ``'word2vec-google-news-300'``, ``'fasttext-wiki-news-subwords-300'``
        ...): downloaded once with ``gensim.downloader`` into
        ``~/gensim-data`` (or ``$GENSIM_DATA_DIR``), read from there after.
        A string that is an existing file is that file.
    format : {'auto', 'native', 'word2vec-binary', 'word2vec-text', 'glove', \
'fasttext'}, default='auto'
        'auto' tells them apart from the file's first bytes and its name.
        gensim's native format is a pickle, and unpickling runs any code the
        file holds: 'auto' never reads it (a ``*.kv``, ``*.model`` or
        ``*.wordvectors`` name, or a pickle under any name, is an error that
        says so). Pass 'native' to load a file you trust.
    limit : int, default=None
        Read only the first ``limit`` vectors (the most frequent words in
        GoogleNews and GloVe): gensim's own ``limit=``. Ignored for the
        native format, which is memory-mapped instead, and for fastText
        ``.bin`` files.
    mmap : {'r', None}, default='r'
        Memory-map a native-format file's arrays instead of reading them.

    Returns
    -------
    vectors : gensim.models.KeyedVectors
        ``FastTextKeyedVectors`` for a fastText ``.bin``: they give any word
        a vector from its character n-grams.

    Raises
    ------
    FileNotFoundError
        No such file, and not a catalogue name.
    ValueError
        The file is not in the format (a pickle not allowed by ``format`` or
        its name included), or the name is not in the catalogue.
    OSError
        A catalogue file could not be downloaded; the message names its URL
        and where to put it by hand.

    See Also
    --------
    train_word2vec : Vectors trained on your own text.

    Notes
    -----
    Loading needs only the memory gensim itself needs (3M x 300 float32
    GoogleNews vectors: about 3.6 GB; with ``limit=500_000``, 0.6 GB).

    Examples
    --------
    >>> vectors = load_word_vectors("glove-wiki-gigaword-100")  # doctest: +SKIP
    >>> vectors.vector_size  # doctest: +SKIP
    100
    """
    if format not in _FORMATS:
        raise ValueError(f"format must be one of {_FORMATS}, got {format!r}.")
    if limit is not None and (not isinstance(limit, Integral) or limit < 1):
        raise ValueError(f"limit must be a positive int or None, got {limit!r}.")
    path, named_format = resolve_source(source)
    return _load_file(path, format, named_format, limit, mmap)


def _load_file(path, format, named_format, limit, mmap):
    from gensim.models import KeyedVectors

    kind = format if format != "auto" else named_format or _sniff_format(path)
    if kind not in ("native", "fasttext") and _read_head(path, 1) == b"\x80":
        raise _refuse_pickle(path)  # even when format= names a text or binary format
    try:
        if kind == "native":
            from gensim.utils import SaveLoad

            obj = SaveLoad.load(path, mmap=mmap)  # a pickle: asked for by name or format
            if not is_word_vectors(obj):
                raise ValueError(f"it is a gensim {type(obj).__name__}, not word vectors")
            return keyed_vectors(obj)
        if kind == "fasttext":
            from gensim.models.fasttext import load_facebook_vectors

            check_fasttext(path)  # a header that lies makes gensim loop forever
            return load_facebook_vectors(path)
        binary = kind == "word2vec-binary"
        with tempfile.TemporaryDirectory() as folder:
            read = path
            if kind != "glove" and check_word2vec_header(path, binary, limit):
                read = _without_bom(path, folder)  # gensim cannot read "\ufeff<count>"
            kv = KeyedVectors.load_word2vec_format(
                read, binary=binary, no_header=kind == "glove", limit=limit)
        if kv.vector_size < 1 or not kv.index_to_key:
            raise ValueError(f"{len(kv.index_to_key)} words of {kv.vector_size} numbers read")
        first = kv.index_to_key[0]
        if isinstance(first, str) and first.startswith("\ufeff"):
            # a byte order mark is not part of the first word (GloVe in an editor)
            word = first[1:]
            if word and word not in kv.key_to_index:
                kv.index_to_key[0] = word
                del kv.key_to_index[first]
                kv.key_to_index[word] = 0
        return kv
    except MemoryError as exc:
        raise ValueError(f"Could not read {path!r} as {kind} word vectors: the sizes it "
                         f"declares do not fit in memory ({exc}).") from None
    except (ValueError, UnicodeDecodeError, EOFError, NotImplementedError, struct.error,
            gzip.BadGzipFile, AssertionError) as exc:
        raise ValueError(
            f"Could not read {path!r} as {kind} word vectors ({exc}). "
            "Pass format= explicitly if the guess was wrong."
        ) from exc


def _without_bom(path, folder):
    """A copy of ``path`` in ``folder`` without its byte order mark
    (decompressed when it was gzip-compressed)."""
    with open(path, "rb") as f:
        compressed = f.read(2) == b"\x1f\x8b"
    copy = os.path.join(folder, "vectors")
    with (gzip.open(path, "rb") if compressed else open(path, "rb")) as src, \
            open(copy, "wb") as dst:
        src.read(len(BOM))
        shutil.copyfileobj(src, dst, 2**22)
    return copy


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
