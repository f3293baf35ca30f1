"""Divergence is caught, outputs stay finite, and a model that learnt only
the majority class says so."""

import warnings

import numpy as np
import pytest
import torch
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import make_pipeline
from skorch.callbacks import Callback

from sklearn_rnn import (
    LSTMSentimentClassifier,
    RNNSentimentClassifier,
    TextVectorizer,
    TrainingDivergedError,
)

from ..conftest import FAST, make_reviews


def test_exploding_loss_raises(review_ids):
    X, y, _ = review_ids
    clf = RNNSentimentClassifier(**{**FAST, "max_epochs": 5, "lr": 1e30},
                                 clip_grad_norm=None, optimizer=torch.optim.SGD)
    with pytest.raises(TrainingDivergedError, match="Lower the learning rate"):
        clf.fit(X, y)


class _PoisonUnusedEmbeddingRow(Callback):
    """Sets the embedding row of a token the training data never uses to NaN:
    the loss stays finite, only the weight check can see it."""

    def __init__(self, row):
        self.row = row

    def on_train_begin(self, net, **kwargs):
        with torch.no_grad():
            net.module_.embedding.weight[self.row] = float("nan")


def test_weights_that_become_non_finite_raise(reviews):
    X, y = reviews
    # a vocabulary with a word the training ids never use
    vec = TextVectorizer().fit(list(X) + ["zzzunseen"])
    unused = vec.vocabulary_["zzzunseen"]
    ids = vec.transform(X)
    assert unused not in np.asarray(ids)
    clf = LSTMSentimentClassifier(**FAST, callbacks=[_PoisonUnusedEmbeddingRow(unused)])
    with pytest.raises(TrainingDivergedError, match=r"weights became NaN.*embedding\.weight"):
        clf.fit(ids, y)
    assert not hasattr(clf, "net_")  # nothing half-trained is left behind


def test_model_with_non_finite_weights_refuses_to_predict(review_ids):
    X, y, _ = review_ids
    clf = LSTMSentimentClassifier(**FAST).fit(X, y)
    with torch.no_grad():
        clf.net_.module_.classifier.weight[0, 0] = float("nan")
    with pytest.raises(ValueError, match="NaN or infinite outputs"):
        clf.predict(X)


def test_log_proba_stays_finite_for_saturated_logits(review_ids):
    X, y, _ = review_ids
    clf = LSTMSentimentClassifier(**FAST).fit(X, y)
    with torch.no_grad():
        clf.net_.module_.classifier.bias[:] = torch.tensor([500.0, -500.0])
    log_proba = clf.predict_log_proba(X)
    assert np.isfinite(log_proba).all()
    np.testing.assert_allclose(log_proba[:, 1], -1000, rtol=1e-2)


def test_a_model_that_predicts_only_the_majority_class_warns():
    rng = np.random.default_rng(0)
    X = rng.integers(2, 30, size=(750, 8))  # tokens unrelated to the labels
    y = np.array(["common"] * 740 + ["rare"] * 10)
    with pytest.warns(ConvergenceWarning, match=r"predicts only 'common'.*74:1"):
        LSTMSentimentClassifier(**FAST).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        Xs, ys = make_reviews(300, seed=0)
        make_pipeline(TextVectorizer(), LSTMSentimentClassifier(**{**FAST, "max_epochs": 4}))\
            .fit(Xs, ys)
