"""Shared fixtures: real IMDB and movie-review text from ../shared."""

import os
from pathlib import Path

import numpy as np
import pytest
import torch

SHARED = Path(
    os.environ.get("SKLEARN_RNN_SHARED", Path(__file__).resolve().parents[1].parent / "shared")
)
IMDB_ARCHIVE = SHARED / "datasets" / "imdb" / "aclImdb_train.tar.gz"
MOVIE_REVIEWS_ZIP = SHARED / "datasets" / "nltk" / "movie_reviews.zip"

#: Tiny-model settings that still learn IMDB in seconds on 2 CPU cores.
TINY = dict(embedding_dim=32, hidden_size=32, lr=5e-3, batch_size=32, random_state=0)


def _need(path):
    if not path.exists():
        pytest.skip(f"{path} not found: the shared data folder is absent (a user's machine)")
    return path


#: Under pytest-xdist (``-n auto``) every worker gets one core to itself.
THREADS = 1 if os.environ.get("PYTEST_XDIST_WORKER") else min(2, torch.get_num_threads())


@pytest.fixture(autouse=True)
def _few_threads():
    # the suite must behave the same on 2-core CI machines
    torch.set_num_threads(THREADS)


@pytest.fixture
def seed():
    return 0


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
    """300 reviews for fast API tests."""
    return imdb_train.data[:300], imdb_train.target[:300]


@pytest.fixture(scope="session")
def tiny_ids(imdb_tiny):
    """Token ids (pre-padded, maxlen 60) and labels of 300 reviews."""
    from sklearn_rnn import TextVectorizer

    X, y = imdb_tiny
    vec = TextVectorizer(maxlen=60, max_features=2000)
    return vec.fit_transform(X), np.asarray(y), vec


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
