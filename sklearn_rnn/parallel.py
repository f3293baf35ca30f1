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


class SharedVectors:
    """Word vectors held by every Dask worker, by reference.

    Pickles as the key of the data on the cluster (a few bytes); a fit on a
    worker reads the vectors from that worker's memory. The process that
    shared them keeps them alive on the cluster while this object lives.
    """

    def __init__(self, future, description):
        self._future = future
        self.key = future.key
        self.description = description

    def __getstate__(self):
        return {"key": self.key, "description": self.description}

    def __setstate__(self, state):
        self.key, self.description, self._future = state["key"], state["description"], None

    def result(self):
        """The vectors: from this worker's memory, or fetched from the cluster."""
        from distributed import Future, get_client, get_worker

        try:
            data = get_worker().data
            if self.key in data:
                return data[self.key]
        except ValueError:  # not in a task on a worker
            pass
        future = self._future or Future(self.key, client=get_client())
        return future.result()

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
    from ._vectors_io import describe_vectors, is_word_vectors

    [future] = client.scatter([vectors], broadcast=True, hash=False)
    description = describe_vectors(vectors) if is_word_vectors(vectors) else "a matrix"
    return PretrainedEmbeddings(SharedVectors(future, description), **options)
