"""Word vectors shared with the workers of a Dask cluster (see
:func:`sklearn_rnn.parallel.share_vectors`): what a worker keeps, and the
reference the estimators carry instead of the vectors."""

__all__ = ["SharedVectors", "store_shared", "resolve_shared"]


#: key -> vectors: what :func:`share_vectors` put in this worker process.
_SHARED = {}


def store_shared(key, vectors):
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

    __module__ = "sklearn_rnn.parallel"

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


def resolve_shared(vectors):
    """The vectors behind a :class:`SharedVectors`, else ``vectors`` as given."""
    return vectors.result() if isinstance(vectors, SharedVectors) else vectors
