"""Input that would eat the machine or train on nonsense is refused before
training starts: memory, token ids, class and sample weights, scores."""

import numpy as np
import pytest

from sklearn_rnn import LSTMSentimentClassifier

from ..conftest import FAST


def test_training_that_cannot_fit_in_memory_is_refused_before_it_starts():
    X = np.ones((5, 3_000_000), dtype=np.int32)  # five documents of 3M tokens
    # an LSTM of 128 units keeps about 11 kB per token for backpropagation
    clf = LSTMSentimentClassifier(**{**FAST, "embedding_dim": 128, "hidden_size": 128})
    with pytest.raises(MemoryError, match="longest document has 3,000,000 tokens"):
        clf.fit(X, [0, 1, 0, 1, 0])


@pytest.mark.parametrize("X, match", [
    (np.array([[1, 2, 3], [4, 5, 20_000_000]]), "20,000,000 but only 6 distinct"),
    (np.array([[1, 2], [3, 2**63 + 5]], dtype=np.uint64), "too large"),
])
def test_ids_are_checked_before_any_allocation(X, match):
    with pytest.raises(ValueError, match=match):
        LSTMSentimentClassifier(**FAST).fit(X, [0, 1])


def test_unsigned_and_64_bit_ids_work():
    rng = np.random.default_rng(0)
    X = rng.integers(1, 40, size=(60, 5))
    y = X[:, 0] > 20
    ref = LSTMSentimentClassifier(**FAST).fit(X, y).predict_proba(X)
    for dtype in (np.uint8, np.uint16, np.uint32, np.uint64, np.int64):
        proba = LSTMSentimentClassifier(**FAST).fit(X.astype(dtype), y).predict_proba(X)
        np.testing.assert_allclose(proba, ref, atol=1e-6)


@pytest.mark.parametrize("kwargs, match", [
    (dict(class_weight={"positive": -1.0}), r"finite weight >= 0.*'positive': -1.0"),
    (dict(class_weight={"positive": float("nan")}), r"finite weight >= 0.*nan"),
    (dict(class_weight={"positive": float("inf")}), r"finite weight >= 0.*inf"),
])
def test_negative_or_non_finite_class_weights_are_refused(review_ids, kwargs, match):
    X, y, _ = review_ids
    with pytest.raises(ValueError, match=match):
        LSTMSentimentClassifier(**FAST, **kwargs).fit(X, y)


@pytest.mark.parametrize("value, match", [(-1.0, "[Nn]egative"), (float("nan"), "NaN"),
                                          (float("inf"), "infinity")])
def test_negative_or_non_finite_sample_weights_are_refused(review_ids, value, match):
    X, y, _ = review_ids
    weights = np.ones(len(y))
    weights[3] = value
    with pytest.raises(ValueError, match=match):
        LSTMSentimentClassifier(**FAST).fit(X, y, sample_weight=weights)


def test_the_weighted_mean_is_scale_free(review_ids):
    X, y, _ = review_ids
    plain = LSTMSentimentClassifier(**FAST).fit(X, y).predict_proba(X)
    for scale in (1e-30, 1e30):
        weighted = LSTMSentimentClassifier(**FAST).fit(X, y, sample_weight=np.full(len(y), scale))
        np.testing.assert_allclose(weighted.predict_proba(X), plain, atol=1e-5)


def test_a_scorer_returning_nan_is_refused(review_ids):
    X, y, _ = review_ids
    clf = LSTMSentimentClassifier(early_stopping=True, scoring=lambda est, X, y: float("nan"),
                                  **FAST)
    with pytest.raises(ValueError, match="returned nan.*finite number"):
        clf.fit(X, y)
