"""Loaders for movie-review sentiment corpora.

* :func:`load_imdb`: the Large Movie Review Dataset (Maas et al., 2011), in
  Stanford's ``aclImdb`` layout, read from an extracted folder or straight
  from the ``.tar.gz``.
"""

import re
import tarfile
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from ._base import fetch_file, get_data_home, sample_order

__all__ = ["load_imdb", "load_imdb_splits"]

IMDB_URL = "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz"
IMDB_ARCHIVE = "aclImdb_v1.tar.gz"
IMDB_SHA256 = "c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe"


_IMDB_NAME = re.compile(r"(?:^|/)aclImdb/(train|test)/(pos|neg|unsup)/(\d+)_(\d+)\.txt$")
_LABELS = {"neg": "negative", "pos": "positive", "unsup": ""}

IMDB_DESCR = """\
Large Movie Review Dataset (IMDB), Maas et al., ACL 2011.

50,000 labelled movie reviews from IMDB, split evenly into train and test
(25,000 each, half positive and half negative), plus 50,000 unlabelled
reviews (subset 'unsup'). A review is negative with a rating of 1-4 stars
out of 10 and positive with 7-10; neutral reviews are not included. At most
30 reviews per movie; train and test share no movies.

Reference: Andrew L. Maas, Raymond E. Daly, Peter T. Pham, Dan Huang,
Andrew Y. Ng, and Christopher Potts. 2011. Learning Word Vectors for
Sentiment Analysis. ACL 2011. https://ai.stanford.edu/~amaas/data/sentiment/
"""


def _given_path(data_home, folder_name):
    """A file or dataset folder named directly by ``data_home``, else None."""
    if data_home is None:
        return None
    given = Path(data_home).expanduser()
    if given.is_file() or (given.is_dir() and given.name == folder_name):
        return given
    if not given.exists() and given.suffix.lower() in (".gz", ".tgz", ".tar", ".zip"):
        raise FileNotFoundError(f"No such dataset file: {given}")
    return None


def _imdb_source(data_home, download_if_missing):
    """Find an aclImdb folder or archive; download the archive if allowed."""
    given = _given_path(data_home, "aclImdb")
    if given is not None:
        return given
    home = get_data_home(data_home)
    if (home / "aclImdb").is_dir():
        return home / "aclImdb"
    archive = home / IMDB_ARCHIVE
    if archive.is_file():
        return archive
    others = sorted(home.glob("aclImdb*.tar.gz"))
    if others:
        return others[0]
    if not download_if_missing:
        raise OSError(
            f"IMDB data not found in {home} and download_if_missing=False. Put "
            f"{IMDB_ARCHIVE} (from {IMDB_URL}) or its extracted aclImdb/ folder "
            "there, or pass data_home=<path to the .tar.gz>."
        )
    return fetch_file(
        IMDB_URL,
        archive,
        sha256=IMDB_SHA256,
        where_to_put=(
            f"download it elsewhere and copy it to {archive} (or set the "
            "SKLEARN_RNN_DATA environment variable to its folder)"
        ),
    )


def _split_of(subset):
    return ("test" if subset == "test" else "train"), (
        {"unsup"} if subset == "unsup" else {"pos", "neg"}
    )


def _read_imdb_records(source, subsets):
    """Read ``{subset: [(label_dir, id, rating, name, text), ...]}`` in one pass."""
    wanted = {s: _split_of(s) for s in subsets}
    out = {s: [] for s in subsets}

    def route(split, label, record):
        for subset, (want_split, labels) in wanted.items():
            if split == want_split and label in labels:
                out[subset].append(record)

    source = Path(source)
    if source.is_dir():
        for subset, (split, labels) in wanted.items():
            for label in sorted(labels):
                for path in (source / split / label).glob("*.txt"):
                    m = _IMDB_NAME.search(path.as_posix())
                    if m:
                        text = path.read_text(encoding="utf-8")
                        out[subset].append(
                            (label, int(m.group(3)), int(m.group(4)), path.as_posix(), text)
                        )
        return out
    for name, data in _iter_tar(source):
        m = _IMDB_NAME.search(name)
        if m:
            route(m.group(1), m.group(2),
                  (m.group(2), int(m.group(3)), int(m.group(4)), name,
                   data.decode("utf-8")))
    return out


def _iter_tar(path):
    """Yield ``(name, bytes)`` of the regular files in a tar archive (plain or
    compressed), in the archive's order: one pass, nothing written to disk."""
    with tarfile.open(path, "r|*") as tar:
        for member in tar:
            if member.isfile():
                yield member.name, tar.extractfile(member).read()


def _bunch(records, subset, target, shuffle, random_state, n_samples, return_X_y):
    records = sorted(records, key=lambda r: (r[0], r[1]))
    order = sample_order(len(records), shuffle=shuffle, random_state=random_state,
                         n_samples=n_samples)
    records = [records[i] for i in order]
    data = [r[4] for r in records]
    ratings = np.array([r[2] for r in records], dtype=np.int64)
    if subset == "unsup":
        y, names = None, np.array([], dtype=object)
    elif target == "sentiment":
        y = np.array([_LABELS[r[0]] for r in records], dtype=object)
        names = np.array(["negative", "positive"], dtype=object)
    else:
        y = ratings
        names = np.unique(ratings)
    if return_X_y:
        return data, y
    return Bunch(
        data=data,
        target=y,
        target_names=names,
        ratings=ratings,
        ids=np.array([r[1] for r in records], dtype=np.int64),
        filenames=np.array([r[3] for r in records], dtype=object),
        DESCR=IMDB_DESCR,
    )


def _check_imdb_args(subset, target):
    if subset not in ("train", "test", "unsup"):
        raise ValueError(f"subset must be 'train', 'test' or 'unsup', got {subset!r}.")
    if target not in ("sentiment", "rating"):
        raise ValueError(f"target must be 'sentiment' or 'rating', got {target!r}.")


def load_imdb_splits(
    subsets=("train", "test"),
    *,
    data_home=None,
    download_if_missing=True,
    target="sentiment",
    shuffle=True,
    random_state=42,
):
    """Load several IMDB subsets in one pass over the archive.

    Like :func:`load_imdb` for each of ``subsets``, but the ``.tar.gz`` is
    decompressed once. A subset with no reviews in the source (the archive
    may hold only the train split) maps to None.

    Parameters
    ----------
    subsets : sequence of {'train', 'test', 'unsup'}, default=('train', 'test')
        Subsets to read.
    data_home : str or path-like, default=None
        As in :func:`load_imdb`.
    download_if_missing : bool, default=True
        As in :func:`load_imdb`.
    target : {'sentiment', 'rating'}, default='sentiment'
        As in :func:`load_imdb`.
    shuffle : bool, default=True
        As in :func:`load_imdb`.
    random_state : int, RandomState instance or None, default=42
        As in :func:`load_imdb`.

    Returns
    -------
    splits : dict of str -> Bunch or None
    """
    for subset in subsets:
        _check_imdb_args(subset, target)
    source = _imdb_source(data_home, download_if_missing)
    records = _read_imdb_records(source, subsets)
    return {
        subset: _bunch(recs, subset, target, shuffle, random_state, None, False)
        if recs else None
        for subset, recs in records.items()
    }


def load_imdb(
    subset="train",
    *,
    data_home=None,
    download_if_missing=True,
    return_X_y=False,
    target="sentiment",
    shuffle=True,
    random_state=42,
    n_samples=None,
):
    """Load the IMDB Large Movie Review Dataset (Maas et al., 2011).

    Reads Stanford's ``aclImdb`` layout (``aclImdb/{train,test}/{pos,neg,unsup}
    /<id>_<rating>.txt``) from an extracted folder or directly from the
    ``.tar.gz``. When neither is found it downloads the official archive
    (84 MB, SHA-256 verified) into ``data_home``.

    Parameters
    ----------
    subset : {'train', 'test', 'unsup'}, default='train'
        25,000 labelled training or test reviews, or the 50,000 unlabelled
        reviews of the training split.
    data_home : str or path-like, default=None
        Cache folder (default ``~/sklearn_rnn_data``, overridden by the
        ``SKLEARN_RNN_DATA`` environment variable). May also point straight at
        an ``aclImdb*.tar.gz`` archive or an extracted ``aclImdb`` folder.
    download_if_missing : bool, default=True
        Download the archive when it is not found; otherwise raise ``OSError``.
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.
    target : {'sentiment', 'rating'}, default='sentiment'
        What ``target`` holds: ``'negative'``/``'positive'`` strings, or the
        star ratings 1-4 and 7-10 as ints (a multiclass task). Always ``None``
        for ``subset='unsup'``.
    shuffle : bool, default=True
        Shuffle the reviews with ``random_state`` (the archive lists all
        negative reviews before the positive ones). With ``shuffle=False`` the
        order is by folder (neg, pos) then review id.
    random_state : int, RandomState instance or None, default=42
        Seed of the shuffle; the default gives the same order on every
        machine.
    n_samples : int, default=None
        Return only the first ``n_samples`` reviews after shuffling (the
        archive is still read in full).

    Returns
    -------
    data : Bunch
        ``data`` (list of str), ``target`` (ndarray or None), ``target_names``,
        ``ratings`` (ndarray of int, 0 for unsup), ``ids`` (review ids),
        ``filenames``, ``DESCR``. A tuple ``(data, target)`` if
        ``return_X_y``.

    Raises
    ------
    OSError
        When the data is missing and cannot be downloaded (offline), saying
        where to put the archive.

    Examples
    --------
    >>> from sklearn_rnn.datasets import load_imdb
    >>> X, y = load_imdb(data_home="aclImdb_v1.tar.gz",
    ...                  return_X_y=True)  # doctest: +SKIP
    >>> len(X), sorted(set(y))  # doctest: +SKIP
    (25000, ['negative', 'positive'])
    """
    _check_imdb_args(subset, target)
    source = _imdb_source(data_home, download_if_missing)
    records = _read_imdb_records(source, [subset])[subset]
    if not records:
        raise OSError(
            f"No aclImdb/{'test' if subset == 'test' else 'train'} reviews for "
            f"subset={subset!r} in {source}. The archive may hold only part of the "
            "dataset (e.g. only the train split); hold out part of the train "
            "split instead."
        )
    return _bunch(records, subset, target, shuffle, random_state, n_samples, return_X_y)
