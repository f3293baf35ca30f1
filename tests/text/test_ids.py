"""TokenArray: ids that carry their vocabulary and lengths."""

import pickle

import numpy as np
import pytest
from sklearn.utils import _safe_indexing

from sklearn_rnn import TextVectorizer, TokenArray

DOCS = ["a good film", "a bad bad film indeed", "good", ""]


@pytest.fixture
def ids():
    return TextVectorizer(maxlen=4).fit_transform(DOCS)


def test_carries_vocabulary_lengths_and_padding(ids):
    assert isinstance(ids, TokenArray)
    assert ids.vocabulary[:2] == ("<pad>", "<unk>")
    assert ids.lengths.tolist() == [3, 4, 1, 0] and ids.padding == "pre"
    np.testing.assert_array_equal(ids.lengths, (np.asarray(ids) != 0).sum(axis=1))


@pytest.mark.parametrize("select", [
    lambda X: X[1:3],
    lambda X: X[[3, 0]],
    lambda X: X[np.array([True, False, True, True])],
    lambda X: X[[2, 1], ...],
    lambda X: X[[2, 1], :],
    lambda X: _safe_indexing(X, [0, 2]),
])
def test_row_selection_keeps_lengths(ids, select):
    part = select(ids)
    assert part.vocabulary is ids.vocabulary and part.padding == "pre"
    np.testing.assert_array_equal(part.lengths, (np.asarray(part) != 0).sum(axis=1))


def test_other_operations_drop_lengths_but_stay_correct(ids):
    assert ids[:, 1:].lengths is None  # columns cut: lengths unknown
    assert ids.take([0, 1], axis=0).lengths is None
    assert ids.copy().lengths.tolist() == ids.lengths.tolist()
    assert type(ids + 1) is np.ndarray  # arithmetic gives numbers, not ids
    assert type(np.asarray(ids)) is np.ndarray


def test_pickle_round_trip(ids):
    restored = pickle.loads(pickle.dumps(ids))
    np.testing.assert_array_equal(restored, ids)
    assert restored.vocabulary == ids.vocabulary
    assert restored.lengths.tolist() == ids.lengths.tolist() and restored.padding == "pre"


@pytest.mark.parametrize("truncating", ["pre", "post"])
def test_ragged_output_equals_the_padded_one(truncating):
    from sklearn_rnn import RaggedTokens

    docs = DOCS + ["one two three four five six", "good good"]
    ragged = TextVectorizer(ragged=True, maxlen=4, truncating=truncating).fit_transform(docs)
    padded = TextVectorizer(maxlen=4, truncating=truncating).fit_transform(docs)
    assert isinstance(ragged, RaggedTokens) and ragged.shape == padded.shape
    np.testing.assert_array_equal(np.asarray(ragged), padded)
    np.testing.assert_array_equal(ragged.lengths, padded.lengths)
    for rows in ([4, 0], np.array([True, False, True, False, True, False]), slice(1, 4)):
        np.testing.assert_array_equal(np.asarray(ragged[rows]), padded[rows])
    assert ragged.flat.nbytes < padded.nbytes
    restored = pickle.loads(pickle.dumps(ragged))
    np.testing.assert_array_equal(restored.flat, ragged.flat)


def test_classifier_trains_on_ragged_ids_exactly_as_on_padded(reviews):
    from sklearn.model_selection import cross_val_score
    from sklearn.pipeline import make_pipeline

    from sklearn_rnn import LSTMSentimentClassifier

    from ..conftest import FAST

    X, y = reviews
    ragged = TextVectorizer(ragged=True).fit_transform(X)
    padded = TextVectorizer().fit_transform(X)
    a = LSTMSentimentClassifier(**FAST).fit(ragged, y)
    b = LSTMSentimentClassifier(**FAST).fit(padded, y)
    np.testing.assert_array_equal(a.predict_proba(ragged), b.predict_proba(padded))
    np.testing.assert_array_equal(a.predict_proba(padded), b.predict_proba(ragged))
    scores = [cross_val_score(make_pipeline(TextVectorizer(ragged=r),
                                            LSTMSentimentClassifier(**FAST)), X, y, cv=2)
              for r in (True, False)]
    np.testing.assert_array_equal(*scores)


def test_ragged_tokens_refuse_negative_lengths():
    from sklearn_rnn import RaggedTokens

    with pytest.raises(ValueError, match="lengths must be >= 0; document 0 has length -1"):
        RaggedTokens(np.array([3, 4]), lengths=[-1, 3])
    with pytest.raises(ValueError, match="lengths must be whole numbers"):
        RaggedTokens(np.array([1, 2]), lengths=[1.7, 1.6])  # not cut to [1, 1]
    assert RaggedTokens(np.array([1, 2]), lengths=[1.0, 1.0]).lengths.tolist() == [1, 1]
