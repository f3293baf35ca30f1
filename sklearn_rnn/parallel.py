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

The shared vectors are frozen: :func:`share_vectors` makes their array
read-only (the workers hold the copy sent then, so an in-place change here
would split this process's refit from the workers' fits), and a fit that
finds them replaced raises. ``SharedVectors.release()`` frees the workers'
copies when the search is done.
"""

from ._vectors._io import describe_vectors, is_word_vectors
from ._vectors._pretrained import PretrainedEmbeddings
from ._vectors._shared import SharedVectors, freeze_vectors, store_shared

__all__ = ["share_vectors", "SharedVectors"]


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
        Holding a :class:`SharedVectors` (``embeddings.vectors``): tasks
        carry its key, and the worker that runs a fit reads the vectors from
        its own memory. ``embeddings.vectors.release()`` frees the workers'
        copies.

    Notes
    -----
    The vectors' array is made read-only here (``vectors.flags.writeable``
    is False afterwards): the workers keep the copy sent now, and an
    in-place change in this process would make its fits (the refit of a
    search) differ from theirs. Replacing the vectors (``add_vectors``, a
    new array) is detected, and a fit here then raises: share them again.

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

    key = f"sklearn_rnn-vectors-{uuid.uuid4().hex}"
    freeze_vectors(vectors)  # the workers' copy and ours stay the same
    client.run(store_shared, key, vectors)  # once to each worker
    description = describe_vectors(vectors) if is_word_vectors(vectors) else "a matrix"
    return PretrainedEmbeddings(SharedVectors(key, description, vectors, client), **options)
