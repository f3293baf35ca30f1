"""Pretrained word vectors aligned with token ids: :class:`PretrainedEmbeddings`.

Shapes: ``V`` vocabulary size (rows, id 0 = padding), ``E`` vector size.

How vectors stay right in every cross-validation fold
-----------------------------------------------------
The vocabulary changes with every fold, so a matrix built once outside the
folds is misaligned (or leaks the test fold's words). Here the classifier
builds the matrix itself, at every ``fit``, for the vocabulary of the
:class:`~sklearn_rnn.TextVectorizer` that feeds it:

1. ``TextVectorizer.transform`` returns a :class:`~sklearn_rnn.TokenArray`,
   which carries the tokens indexed by id. Inside a ``Pipeline`` (and so
   inside ``cross_val_score`` and ``GridSearchCV``) it goes straight from the
   vectorizer fitted on this fold to the classifier.
2. ``fit`` looks each of those tokens up in the vectors
   (:meth:`PretrainedEmbeddings.build_matrix`, :func:`build_embedding_matrix`)
   and initialises the embedding layer with the result. A path or a
   gensim-data name is loaded at ``fit`` (:func:`~sklearn_rnn.load_word_vectors`,
   once per process), never in ``__init__``.
3. The vectors are only read. :class:`PretrainedEmbeddings` is a parameter
   object (``get_params``/``set_params``, so ``embeddings__oov`` is an
   ordinary nested parameter) whose clone shares the vectors instead of
   deep-copying several GB per fold. An unfitted classifier pickles them
   (``n_jobs`` workers need them); a fitted one leaves them out
   (:func:`without_vectors`): the rows the vocabulary needs are in the
   network's weights.
"""

import os
import warnings
from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import Interval, StrOptions

from .._utils._validation import AllErrorsMixin
from ._io import cached_word_vectors, describe_vectors, is_word_vectors
from ._matrix import DEFAULT_OOV, OOV_OPTIONS, EmbeddingCoverage, build_embedding_matrix
from ._shared import SharedVectors, resolve_shared

__all__ = [
    "PretrainedEmbeddings",
    "EmbeddingCoverage",
    "build_embedding_matrix",
    "VectorsNotSaved",
    "without_vectors",
    "as_pretrained",
    "initial_embeddings",
]


class PretrainedEmbeddings(AllErrorsMixin, BaseEstimator):
    """Pretrained word vectors, as the ``embeddings`` parameter of a classifier.

    At every ``fit`` the classifier builds its initial embedding matrix from
    these vectors for the vocabulary of the :class:`~sklearn_rnn.TextVectorizer`
    feeding it (row ``i`` = the vector of token id ``i``), so the rows are
    right in every cross-validation fold. A classifier also accepts the
    vectors, a path or a matrix directly as ``embeddings=``; wrap them in this
    class to set the options below (they are then ordinary nested parameters,
    ``embeddings__oov`` in ``set_params`` and grid searches).

    Parameters
    ----------
    vectors : KeyedVectors, Word2Vec, str, path or array-like of shape (V, E)
        gensim vectors (or a model holding them); a file of vectors in any
        format :func:`~sklearn_rnn.load_word_vectors` reads, or a name of the
        gensim-data catalogue (``'glove-wiki-gigaword-100'``,
        ``'word2vec-google-news-300'``...: downloaded once, then read from
        ``~/gensim-data``), loaded at ``fit`` (once per process: the folds of
        a cross-validation share it; a pickled classifier keeps only the
        name or path); a matrix already aligned with the vectorizer's ids;
        or vectors shared with a Dask cluster
        (:func:`sklearn_rnn.parallel.share_vectors`).
    oov : {'char-ngrams', 'random', 'mean', 'zeros'}, default='char-ngrams'
        Rows of tokens without a vector (and of ``<unk>``), as in
        :func:`~sklearn_rnn.build_embedding_matrix`: an estimate from the
        character n-grams a token shares with words that have a vector
        (random when it shares none), small random vectors scaled like the
        pretrained ones, the mean vector, or zeros. fastText ``.bin``
        vectors give such tokens their own subword vector instead.
    lowercase_fallback : bool, default=True
        Look a missing token up again in lowercase.
    contractions : bool, default=True
        Give a contraction without a vector the mean of its parts' vectors
        (``"don't"`` -> ``"do"`` + ``"n't"``).
    limit : int, default=None
        With a path: read only the first ``limit`` vectors.
    format : {'auto', 'native', 'word2vec-binary', 'word2vec-text', 'glove', \
            'fasttext'}, default='auto'
        With a path: its format. 'auto' never unpickles a file (gensim's
        native format, ``*.kv``, ``*.model``...), whatever its name;
        'native' loads a pickle you trust.

    See Also
    --------
    build_embedding_matrix : The matrix for a vocabulary, by hand.
    load_word_vectors, train_word2vec : Vectors from a file, or trained on your text.

    Notes
    -----
    ``clone`` shares ``vectors`` (they are only read) instead of copying them.
    The vectors set the embedding size: a classifier's ``embedding_dim`` is
    then ignored.

    Examples
    --------
    >>> import numpy as np
    >>> from gensim.models import KeyedVectors
    >>> from sklearn.base import clone
    >>> kv = KeyedVectors(vector_size=4)
    >>> kv.add_vectors(["good", "bad"], np.eye(4, dtype="float32")[:2])
    >>> emb = PretrainedEmbeddings(kv, oov="zeros")
    >>> matrix, coverage = emb.build_matrix(["<pad>", "<unk>", "good", "meh"])
    >>> matrix.shape, str(coverage)
    ((4, 4), 'coverage 50.0% (1 / 2)')
    >>> clone(emb).vectors is kv
    True

    By name (the vectors are downloaded or read at ``fit``, not here):

    >>> PretrainedEmbeddings("glove-wiki-gigaword-100", oov="mean").vectors
    'glove-wiki-gigaword-100'
    """

    __module__ = "sklearn_rnn"

    _parameter_constraints = {
        "vectors": "no_validation",
        "oov": [StrOptions(set(OOV_OPTIONS))],
        "lowercase_fallback": ["boolean"],
        "contractions": ["boolean"],
        "limit": [Interval(Integral, 1, None, closed="left"), None],
        "format": [StrOptions({"auto", "native", "word2vec-binary", "word2vec-text",
                               "glove", "fasttext"})],
    }

    def __init__(self, vectors, *, oov=DEFAULT_OOV, lowercase_fallback=True, contractions=True,
                 limit=None, format="auto"):
        self.vectors = vectors
        self.oov = oov
        self.lowercase_fallback = lowercase_fallback
        self.contractions = contractions
        self.limit = limit
        self.format = format

    def __sklearn_clone__(self):
        # the vectors are only read: share them (a deep copy could be GBs)
        params = self.get_params(deep=False)
        return type(self)(**params)

    def build_matrix(self, tokens, random_state=0):
        """The initial embedding matrix for ``tokens`` (the token of each id).

        Parameters
        ----------
        tokens : sequence of str or None
            Token of each id, as a :class:`~sklearn_rnn.TokenArray` carries
            them. None is only accepted when ``vectors`` is a matrix.
        random_state : int, RandomState instance or None, default=0
            Seed of the random rows (``oov='random'`` or ``'char-ngrams'``).

        Returns
        -------
        matrix : ndarray of shape (V, E), float32
        coverage : EmbeddingCoverage or None
            None when ``vectors`` is a matrix.
        """
        self._validate_params()
        vectors = self.vectors
        if isinstance(vectors, VectorsNotSaved):
            raise ValueError(
                f"Cannot refit: {vectors!r}. Pass the vectors again with "
                "set_params(embeddings=...)."
            )
        if isinstance(vectors, (str, os.PathLike)):
            vectors = cached_word_vectors(vectors, format=self.format, limit=self.limit)
        vectors = resolve_shared(vectors)
        if is_word_vectors(vectors):
            if tokens is None:
                raise ValueError(
                    "embeddings given as word vectors need the vocabulary of the ids, "
                    "which X does not carry: it is not the TokenArray a TextVectorizer "
                    "returns (a step between them, set_output(transform='pandas') or a "
                    "FunctionTransformer, drops it). Put the TextVectorizer right before "
                    "the classifier without set_output, or build an aligned matrix with "
                    "build_embedding_matrix(vectors, vectorizer) and pass that."
                )
            return build_embedding_matrix(
                vectors, tokens, oov=self.oov, lowercase_fallback=self.lowercase_fallback,
                contractions=self.contractions, random_state=random_state,
            )
        matrix = vectors
        if hasattr(matrix, "detach"):
            matrix = matrix.detach().cpu().numpy()
        matrix = np.asarray(matrix)
        if matrix.ndim != 2 or matrix.dtype.kind not in "fiu":
            raise ValueError(
                "embeddings must be a numeric 2-D matrix (vocabulary x dimension), "
                f"word vectors or a path, got an array of shape {matrix.shape} and "
                f"dtype {matrix.dtype}."
            )
        if not np.isfinite(matrix).all():
            raise ValueError("embeddings contain NaN or infinite values.")
        return matrix.astype(np.float32), None


class VectorsNotSaved:
    """Stands in for in-memory word vectors left out of a fitted model's pickle.

    Predictions are unaffected (the vectors are in the network's weights); to
    refit, pass the vectors again with ``set_params(embeddings=...)``.
    """

    __module__ = "sklearn_rnn"

    def __init__(self, description):
        self.description = description

    def __repr__(self):
        return (
            f"<{self.description}: not saved with the model; "
            "set_params(embeddings=...) to refit>"
        )


def without_vectors(embeddings):
    """``embeddings`` (a classifier's parameter) with in-memory vectors replaced
    by a :class:`VectorsNotSaved` placeholder, for saving a fitted model.

    Only a *fitted* classifier drops its vectors (its embedding rows are in the
    weights); :class:`PretrainedEmbeddings` itself pickles whole, because an
    unfitted estimator sent to a joblib/loky or Dask worker needs them to fit."""
    if isinstance(embeddings, PretrainedEmbeddings) and isinstance(embeddings.vectors,
                                                                   SharedVectors):
        placeholder = VectorsNotSaved(f"{embeddings.vectors.description} shared with a Dask "
                                      "cluster")
        return type(embeddings)(**{**embeddings.get_params(deep=False), "vectors": placeholder})
    if isinstance(embeddings, PretrainedEmbeddings) and is_word_vectors(embeddings.vectors):
        placeholder = VectorsNotSaved(describe_vectors(embeddings.vectors))
        return type(embeddings)(**{**embeddings.get_params(deep=False), "vectors": placeholder})
    if is_word_vectors(embeddings):
        return VectorsNotSaved(describe_vectors(embeddings))
    return embeddings


def initial_embeddings(embeddings, tokens, seed, embedding_dim, default_dim):
    """A classifier's initial embedding matrix and its coverage, or Nones.

    ``embeddings`` is the classifier's parameter; ``embedding_dim`` its
    parameter too, ignored (with a warning unless it is ``default_dim``) when
    the vectors set another size.
    """
    embeddings = as_pretrained(embeddings)
    if embeddings is None:
        return None, None
    matrix, report = embeddings.build_matrix(tokens, random_state=seed)
    if embedding_dim not in (default_dim, None, matrix.shape[1]):
        warnings.warn(
            f"embedding_dim={embedding_dim} is ignored: the pretrained vectors have "
            f"{matrix.shape[1]} dimensions, and they set the embedding size.",
            UserWarning,
        )
    return matrix, report


def as_pretrained(embeddings):
    """A classifier's ``embeddings`` parameter as :class:`PretrainedEmbeddings` (or None)."""
    if embeddings is None or isinstance(embeddings, PretrainedEmbeddings):
        return embeddings
    return PretrainedEmbeddings(embeddings)


# doctests of the classes above (their __module__ is the public one)
__test__ = {"PretrainedEmbeddings": PretrainedEmbeddings}
