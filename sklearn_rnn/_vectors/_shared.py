"""Word vectors shared with the workers of a Dask cluster (see
:func:`sklearn_rnn.parallel.share_vectors`): what a worker keeps, and the
reference the estimators carry instead of the vectors."""

import zlib

import numpy as np

__all__ = ["SharedVectors", "store_shared", "drop_shared", "resolve_shared",
           "freeze_vectors", "fingerprint"]


#: key -> vectors: what :func:`share_vectors` put in this worker process.
_SHARED = {}


def store_shared(key, vectors):
    """Run on every worker by :func:`share_vectors` (``client.run``)."""
    _SHARED[key] = vectors


def drop_shared(key):
    """Run on every worker by :meth:`SharedVectors.release`: forget the vectors."""
    return _SHARED.pop(key, None) is not None


def _matrix(vectors):
    """The array of word vectors (KeyedVectors, a model holding them, or an array)."""
    if hasattr(vectors, "key_to_index"):
        return vectors.vectors
    if hasattr(getattr(vectors, "wv", None), "key_to_index"):
        return vectors.wv.vectors
    return vectors if isinstance(vectors, np.ndarray) else None


def freeze_vectors(vectors):
    """Make the vectors' array read-only (an in-place change would reach this
    process and not the workers, which hold the copy sent to them)."""
    matrix = _matrix(vectors)
    if matrix is not None:
        matrix.flags.writeable = False


def fingerprint(vectors):
    """What must stay the same for this process's vectors to equal the
    workers' copy: the array's identity, shape and dtype, the number of words,
    and a checksum of 1,024 rows spread over it (cheap for any size)."""
    matrix = _matrix(vectors)
    if matrix is None:
        return None
    keys = getattr(vectors, "key_to_index", None)
    if keys is None and hasattr(vectors, "wv"):
        keys = vectors.wv.key_to_index
    rows = np.asarray(matrix[:: max(len(matrix) // 1024, 1)])
    return (id(matrix), matrix.shape, str(matrix.dtype), None if keys is None else len(keys),
            zlib.crc32(np.ascontiguousarray(rows).tobytes()))


class SharedVectors:
    """Word vectors held by every Dask worker, by reference.

    Pickles as a key (a few bytes); a fit on a worker reads the vectors from
    that worker process's memory, where :func:`share_vectors` put them. They
    are kept in a plain per-process dict, not as Dask data, because Dask's
    active memory manager drops the extra replicas of a broadcast value, and
    a task that then fetched them from another worker has been seen to hang.

    The process that shared them keeps its own reference (a refit after a
    search runs there). :func:`share_vectors` makes their array read-only, so
    that an in-place change cannot make this process's vectors differ from
    the workers' copy; replacing them (``add_vectors``, a new array) is
    detected: a fit then raises instead of training on vectors the workers do
    not have. :meth:`release` frees the workers' copies.
    """

    __module__ = "sklearn_rnn.parallel"

    def __init__(self, key, description, vectors=None, client=None):
        self.key = key
        self.description = description
        self._local = vectors
        self._fingerprint = None if vectors is None else fingerprint(vectors)
        self._client = client
        self._released = False

    def __getstate__(self):
        return {"key": self.key, "description": self.description}

    def __setstate__(self, state):
        self.key, self.description = state["key"], state["description"]
        self._local = self._fingerprint = self._client = None
        self._released = False

    def result(self):
        """The vectors: this process's reference, or what share_vectors stored here."""
        if self._released:
            raise RuntimeError(f"The shared vectors ({self.description}) were released "
                               "(SharedVectors.release): share them again to fit with them.")
        if self._local is not None:
            if fingerprint(self._local) != self._fingerprint:
                raise RuntimeError(
                    f"The shared vectors ({self.description}) changed after share_vectors "
                    "sent them to the workers, which still hold the old ones: a fit here "
                    "would not match the fits there. Call share_vectors again with the new "
                    "vectors (and release() the old ones)."
                )
            return self._local
        if self.key in _SHARED:
            return _SHARED[self.key]
        raise RuntimeError(
            f"The shared vectors ({self.description}) are not on this worker: "
            "share_vectors sends them to the workers present when it is called. Call "
            "it again after adding workers, or pass a path to a vector file instead."
        )

    def release(self, client=None):
        """Free the workers' copies (and this reference): the vectors can no
        longer be used for fitting through this object.

        Parameters
        ----------
        client : distributed.Client, default=None
            The cluster's client; None: the one given to ``share_vectors``,
            else the current one.

        Returns
        -------
        n_workers : int
            Workers that held a copy.
        """
        client = client or self._client
        if client is None:
            from distributed import get_client

            client = get_client()
        dropped = client.run(drop_shared, self.key)
        self._local = None
        self._released = True
        return sum(bool(v) for v in dropped.values())

    def __repr__(self):
        return f"SharedVectors({self.description}, on a Dask cluster)"


def resolve_shared(vectors):
    """The vectors behind a :class:`SharedVectors`, else ``vectors`` as given."""
    return vectors.result() if isinstance(vectors, SharedVectors) else vectors
