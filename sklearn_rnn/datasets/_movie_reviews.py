"""The Pang & Lee movie reviews: :func:`load_movie_reviews`.

The polarity dataset v2.0 in NLTK's ``movie_reviews.zip`` layout.
"""

import re
import zipfile
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from ._base import fetch_file, get_data_home, sample_order
from ._imdb import _LABELS, _given_path

__all__ = ["load_movie_reviews"]

MOVIE_REVIEWS_URL = (
    "https://raw.githubusercontent.com/nltk/nltk_data/gh-pages/packages/"
    "corpora/movie_reviews.zip"
)
MOVIE_REVIEWS_ARCHIVE = "movie_reviews.zip"

MOVIE_REVIEWS_DESCR = """\
Movie Review Data, sentiment polarity dataset v2.0 (Pang & Lee, 2004).

2,000 processed movie reviews (1,000 positive, 1,000 negative), lowercased
and tokenized, in NLTK's corpus layout movie_reviews/{pos,neg}/cv*.txt.
"""


def _movie_reviews_source(data_home, download_if_missing):
    given = _given_path(data_home, "movie_reviews")
    if given is not None:
        return given
    home = get_data_home(data_home)
    for candidate in (home / "movie_reviews", home / MOVIE_REVIEWS_ARCHIVE):
        if candidate.exists():
            return candidate
    if not download_if_missing:
        raise OSError(
            f"movie_reviews not found in {home} and download_if_missing=False. Put "
            f"{MOVIE_REVIEWS_ARCHIVE} (from {MOVIE_REVIEWS_URL}) there, or pass "
            "data_home=<path to the .zip>."
        )
    return fetch_file(MOVIE_REVIEWS_URL, home / MOVIE_REVIEWS_ARCHIVE)


def load_movie_reviews(
    *,
    data_home=None,
    download_if_missing=True,
    return_X_y=False,
    shuffle=True,
    random_state=42,
):
    """Load the Pang & Lee movie review polarity dataset v2.0 (2,000 reviews).

    Reads NLTK's layout, ``movie_reviews/{pos,neg}/cv*.txt``, from the
    ``movie_reviews.zip`` archive or its extracted folder; downloads the zip
    from the NLTK data repository when missing.

    Parameters
    ----------
    data_home : str or path-like, default=None
        Cache folder, or a path straight to ``movie_reviews.zip`` or the
        extracted ``movie_reviews`` folder.
    download_if_missing : bool, default=True
        Download when not found; otherwise raise ``OSError``.
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.
    shuffle : bool, default=True
        Shuffle with ``random_state`` (the archive lists negatives first).
    random_state : int, RandomState instance or None, default=42
        Seed of the shuffle.

    Returns
    -------
    data : Bunch
        ``data`` (list of str), ``target`` (``'negative'``/``'positive'``),
        ``target_names``, ``filenames``, ``DESCR``; or ``(data, target)``.
    """
    source = Path(_movie_reviews_source(data_home, download_if_missing))
    pattern = re.compile(r"(?:^|/)movie_reviews/(pos|neg)/([^/]+\.txt)$")
    records = []
    if source.is_dir():
        for path in source.rglob("*.txt"):
            m = pattern.search(path.as_posix())
            if m:
                records.append((m.group(1), m.group(2), path.read_text("utf-8")))
    else:
        with zipfile.ZipFile(source) as zf:
            for name in zf.namelist():
                m = pattern.search(name)
                if m:
                    records.append((m.group(1), m.group(2), zf.read(name).decode("utf-8")))
    if not records:
        raise OSError(
            f"No movie_reviews/{{pos,neg}}/*.txt files in {source}; expected NLTK's "
            "movie_reviews corpus layout."
        )
    records.sort()
    records = [records[i] for i in sample_order(len(records), shuffle=shuffle,
                                                random_state=random_state)]
    data = [r[2] for r in records]
    y = np.array([_LABELS[r[0]] for r in records], dtype=object)
    if return_X_y:
        return data, y
    return Bunch(
        data=data,
        target=y,
        target_names=np.array(["negative", "positive"], dtype=object),
        filenames=np.array([f"movie_reviews/{r[0]}/{r[1]}" for r in records], dtype=object),
        DESCR=MOVIE_REVIEWS_DESCR,
    )
