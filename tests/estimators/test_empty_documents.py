"""Documents without a token the model knows get a warning (issue 25, item 8)."""

import warnings

import numpy as np
import pytest

from sklearn_rnn import LSTMSentimentClassifier, RaggedTokens

from ..conftest import FAST


@pytest.fixture(scope="module")
def pipeline(reviews):
    from sklearn.pipeline import make_pipeline

    from sklearn_rnn import TextVectorizer

    X, y = reviews
    return make_pipeline(TextVectorizer(), LSTMSentimentClassifier(**FAST)).fit(X, y)


@pytest.mark.parametrize("method", ["predict", "predict_proba", "predict_log_proba"])
def test_empty_and_unknown_documents_warn_with_their_count(pipeline, method):
    docs = ["", "a great film", "xyzzy qwertyuiop", "   ", "boring"]
    with pytest.warns(UserWarning, match=r"^3 of 5 documents have no token the model knows "
                                         r"\(empty, or only words outside its vocabulary\): "
                                         r"their prediction is the model's prior"):
        out = getattr(pipeline, method)(docs)
    assert len(out) == 5


def test_known_documents_do_not_warn(pipeline, reviews):
    X, _ = reviews
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pipeline.predict(X[:50] + ["great xyzzy"])  # one known word is enough


def test_ids_of_your_own_count_only_empty_documents(review_ids):
    X, y, _ = review_ids
    ids = np.asarray(X)
    clf = LSTMSentimentClassifier(**FAST).fit(ids, y)  # no vocabulary: id 1 may be a word
    rows = np.zeros((3, ids.shape[1]), dtype=ids.dtype)
    rows[1, -1] = 1
    rows[2, -2:] = [5, 7]
    with pytest.warns(UserWarning, match=r"^1 of 3 documents .* \(empty, or only padding\)"):
        clf.predict(rows)
    ragged = RaggedTokens(np.array([1, 1, 4, 5], dtype=np.int64), lengths=[2, 0, 2])
    with pytest.warns(UserWarning, match=r"^1 of 3 documents"):
        clf.predict_proba(ragged)
