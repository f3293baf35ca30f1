"""Grid searches and cross-validation on a Dask cluster (or Ray): helpers.

scikit-learn's searches run on a cluster through joblib's backends::

    from dask.distributed import Client
    import joblib

    client = Client("tcp://scheduler:8786")      # or Client(LocalCluster(...))
    with joblib.parallel_backend("dask"):
        search.fit(X, y)

Each task ships the estimator it fits, and pretrained word vectors inside the
estimator would travel with every task (a grid of 12 points and 5 folds: 60
copies of a GB-size vector set). :func:`share_vectors` sends them to every
worker once and puts a reference in the estimator instead. A path to a vector
file needs nothing: each worker loads it once and keeps it for its next tasks.
"""

from ._embeddings import PretrainedEmbeddings

__all__ = ["share_vectors", "SharedVectors"]


#: key -> vectors: what :func:`share_vectors` put in this worker process.
_SHARED = {}


def _store(key, vectors):
    """Run on every worker by :func:`share_vectors` (``client.run``)."""
    _SHARED[key] = vectors


class SharedVectors:
    """Word vectors held by every Dask worker, by reference.

    Pickles as a key (a few bytes); a fit on a worker reads the vectors from
    that worker process's memory, where :func:`share_vectors` put them. They
    are kept in a plain per-process dict, not as Dask data, because Dask's
    active memory manager drops the extra replicas of a broadcast value, and
    a task that then fetched them from another worker has been seen to hang.
    The process that shared them keeps its own reference.
    """

    def __init__(self, key, description, vectors=None):
        self.key = key
        self.description = description
        self._local = vectors

    def __getstate__(self):
        return {"key": self.key, "description": self.description}

    def __setstate__(self, state):
        self.key, self.description, self._local = state["key"], state["description"], None

    def result(self):
        """The vectors: this process's reference, or what share_vectors stored here."""
        if self._local is not None:
            return self._local
        if self.key in _SHARED:
            return _SHARED[self.key]
        raise RuntimeError(
            f"The shared vectors ({self.description}) are not on this worker: "
            "share_vectors sends them to the workers present when it is called. Call "
            "it again after adding workers, or pass a path to a vector file instead."
        )

    def __repr__(self):
        return f"SharedVectors({self.description}, on a Dask cluster)"


def share_vectors(vectors, client=None, **options):
    """Send word vectors to every Dask worker once; use the result as ``embeddings``.

    Parameters
    ----------
    vectors : KeyedVectors, Word2Vec or array-like
        The vectors.
    client : distributed.Client, default=None
        The cluster's client; None takes the current one.
    **options : dict
        Options of :class:`~sklearn_rnn.PretrainedEmbeddings` (``oov``...).

    Returns
    -------
    embeddings : PretrainedEmbeddings
        Holding a :class:`SharedVectors`: tasks carry its key, and the worker
        that runs a fit reads the vectors from its own memory.

    Examples
    --------
    >>> from dask.distributed import Client, LocalCluster  # doctest: +SKIP
    >>> client = Client(LocalCluster(n_workers=2))  # doctest: +SKIP
    >>> clf = LSTMSentimentClassifier(embeddings=share_vectors(kv, client))  # doctest: +SKIP
    """
    if client is None:
        from distributed import get_client

        client = get_client()
    import uuid

    from ._vectors_io import describe_vectors, is_word_vectors

    key = f"sklearn_rnn-vectors-{uuid.uuid4().hex}"
    client.run(_store, key, vectors)  # once to each worker
    description = describe_vectors(vectors) if is_word_vectors(vectors) else "a matrix"
    return PretrainedEmbeddings(SharedVectors(key, description, vectors), **options)
