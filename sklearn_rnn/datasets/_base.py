"""Cache folder, checksum-verified downloads and archive lookup."""

import hashlib
import os
import shutil
import tempfile
import urllib.request
from pathlib import Path

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

    The file is written to a temporary name first and moved into place only
    when complete and verified, so an interrupted download never leaves a
    truncated archive in the cache.

    Raises
    ------
    OSError
        When the machine is offline or the server cannot be reached, with a
        message that says where to put the file by hand.
    OSError
        When the checksum does not match.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".part")
    os.close(fd)
    try:
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response, open(
                tmp, "wb"
            ) as out:
                shutil.copyfileobj(response, out, length=1 << 20)
        except OSError as exc:
            hint = where_to_put or f"download {url} by hand and save it as {target}"
            raise OSError(
                f"Could not download {url} ({exc}). If this machine is offline, "
                f"{hint}."
            ) from exc
        if sha256 is not None:
            got = sha256sum(tmp)
            if got != sha256:
                raise OSError(
                    f"Checksum mismatch for {url}: expected sha256 {sha256}, got "
                    f"{got}. The download is corrupt or the file changed upstream; "
                    "delete it and try again."
                )
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return target
