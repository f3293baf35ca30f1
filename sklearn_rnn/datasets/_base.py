"""Cache folder, checksum-verified downloads and archive lookup."""

import hashlib
import os
import tempfile
from pathlib import Path

from .._utils._network import network_timeout

__all__ = ["get_data_home", "fetch_file", "sha256sum", "sample_order"]

#: Environment variable overriding the default cache folder.
DATA_HOME_ENV = "SKLEARN_RNN_DATA"


def get_data_home(data_home=None):
    """Return the folder where datasets are cached, creating it if needed.

    By default ``~/sklearn_rnn_data``; the ``SKLEARN_RNN_DATA`` environment
    variable overrides it, as ``SCIKIT_LEARN_DATA`` does for scikit-learn.

    Parameters
    ----------
    data_home : str or path-like, default=None
        Folder to use instead of the default.

    Returns
    -------
    data_home : pathlib.Path
    """
    if data_home is None:
        data_home = os.environ.get(DATA_HOME_ENV, Path("~") / "sklearn_rnn_data")
    path = Path(data_home).expanduser()
    path.mkdir(parents=True, exist_ok=True)
    return path


def sample_order(n, *, shuffle, random_state, n_samples=None):
    """The rows a loader returns: all ``n`` (shuffled with ``random_state``
    when ``shuffle``), the first ``n_samples`` of them when given."""
    from numbers import Integral

    import numpy as np
    from sklearn.utils import check_random_state

    if n_samples is not None and (not isinstance(n_samples, Integral)
                                  or isinstance(n_samples, bool) or n_samples < 1):
        raise ValueError(f"n_samples must be a positive int or None, got {n_samples!r}.")
    order = np.arange(n)
    if shuffle:
        check_random_state(random_state).shuffle(order)
    return order if n_samples is None else order[:n_samples]


def sha256sum(path, chunk_size=1 << 20):
    """Return the SHA-256 hex digest of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(chunk_size), b""):
            digest.update(chunk)
    return digest.hexdigest()


def fetch_file(url, target, *, sha256=None, timeout=60, where_to_put=None):
    """Download ``url`` to ``target``, verifying its SHA-256 checksum.

    scikit-learn's :func:`sklearn.datasets.fetch_file` downloads (to a
    temporary name, moved into place when complete); around it, a time limit
    on a connection that stops answering, the checksum checked before the
    file is moved to ``target`` (so an interrupted or corrupt download never
    lands in the cache), and errors that say what to do.

    Raises
    ------
    OSError
        When the machine is offline or the server cannot be reached, with a
        message that says where to put the file by hand.
    OSError
        When the checksum does not match.
    """
    # imported here: sklearn.datasets loads some 150 modules a loader that
    # finds its data never needs
    from sklearn.datasets import fetch_file as sklearn_fetch_file

    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    # downloaded into a folder of its own beside the target, removed whatever
    # happens: only a verified file is ever moved to ``target``
    with tempfile.TemporaryDirectory(prefix=f".{target.name}.", dir=target.parent) as staging:
        try:
            with network_timeout(timeout):
                # n_retries=0: an offline machine gets its message at once
                path = sklearn_fetch_file(url, folder=staging, local_filename=target.name,
                                          n_retries=0)
        except OSError as exc:
            hint = where_to_put or f"download {url} by hand and save it as {target}"
            raise OSError(
                f"Could not download {url} ({exc}). If this machine is offline, "
                f"{hint}."
            ) from exc
        # checked here rather than by fetch_file(sha256=...): its mismatch is an
        # OSError like a network failure's, and this message says what to do
        if sha256 is not None:
            got = sha256sum(path)
            if got != sha256:
                raise OSError(
                    f"Checksum mismatch for {url}: expected sha256 {sha256}, got "
                    f"{got}. The download is corrupt or the file changed upstream; "
                    "delete it and try again."
                )
        os.replace(path, target)
    return target
