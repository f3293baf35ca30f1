"""ngram_init='nb': the n-gram table starts from the training labels' naive-Bayes log-ratios."""

import numpy as np
import pytest
from skorch.callbacks import Callback

from sklearn_rnn import LSTMSentimentClassifier, RecurrentTextClassifier

from ..conftest import FAST


class TableAtStart(Callback):
    """Keeps the n-gram table as training begins (after the initialisation)."""

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        self.table = net.module_.ngram.table.weight.detach().clone().numpy()
        # the n-gram path's log-odds of the second class for each training document
        logits = [net.module_.ngram(*_batch(X, i)).detach().numpy() for i in range(len(X))]
        self.log_odds = np.array([z[0, 1] - z[0, 0] for z in logits])
        self.y = X.y


def _batch(dataset, i):
    import torch

    width = int(dataset.widths[i])
    return (torch.as_tensor(dataset.padded(np.array([i]), width)),
            torch.as_tensor(dataset.lengths[[i]]))


def _fit(X, y, ngram_init):
    start = TableAtStart()
    clf = LSTMSentimentClassifier(ngram_init=ngram_init, ngram_buckets=2**12,
                                  callbacks=[("start", start)], **FAST)
    return clf.fit(X, y), start


def test_nb_table_starts_from_the_training_labels(review_ids):
    X, y, _ = review_ids
    _, zeros = _fit(X, y, "zeros")
    assert not zeros.table.any()
    clf, nb = _fit(X, y, "nb")
    # two classes: each row is [-r/2, +r/2] times a scale
    np.testing.assert_allclose(nb.table[:, 0], -nb.table[:, 1])
    assert (nb.table != 0).any(axis=1).sum() > 100  # the rows the reviews hit
    # before any training step, the n-gram path alone already separates the
    # training documents (the sentiment words decide these labels)
    positive = nb.y == list(clf.classes_).index("positive")
    assert ((nb.log_odds > 0) == positive).mean() > 0.9
    # and training moves the table from there
    assert not np.allclose(clf.net_.module_.ngram.table.weight.detach().numpy(), nb.table)


def _start(X, y, **fit_params):
    callback = TableAtStart()
    LSTMSentimentClassifier(ngram_init="nb", ngram_buckets=2**12,
                            callbacks=[("start", callback)], **{**FAST, "max_epochs": 1}).fit(
        X, y, **fit_params)
    return callback.table


def test_nb_table_reads_the_training_documents_only(review_ids):
    X, y, _ = review_ids
    flipped = np.where(y[200:] == "positive", "negative", "positive")
    np.testing.assert_array_equal(_start(X[:200], y[:200], X_val=X[200:], y_val=y[200:]),
                                  _start(X[:200], y[:200], X_val=X[200:], y_val=flipped))


def test_nb_table_counts_a_weight_of_2_as_the_document_twice(review_ids):
    X, y, _ = review_ids
    X = np.asarray(X)  # both without a vocabulary: the n-grams hash the same ids
    twice = np.arange(len(y)) % 3 == 0
    weighted = _start(X, y, sample_weight=np.where(twice, 2.0, 1.0))
    repeated = _start(np.r_[X, X[twice]], np.r_[y, y[twice]])
    # the same log-ratios on the rows it sets: those of two distinct
    # documents (a repeated document's own n-grams are held twice there)
    rows = (weighted != 0).any(axis=1)
    assert rows.sum() > 100
    np.testing.assert_allclose(weighted[rows], repeated[rows], rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("n_classes", [3, 10])
def test_nb_init_with_more_classes_trains(review_ids, n_classes):
    X, y, _ = review_ids
    labels = np.arange(len(y)) % n_classes  # more classes than the sentiment
    labels[y == "positive"] = 0
    clf = RecurrentTextClassifier(ngram_init="nb", ngram_buckets=2**12, **FAST).fit(X, labels)
    assert clf.predict_proba(X).shape == (len(y), n_classes)
    assert np.isfinite(clf.net_.module_.ngram.table.weight.detach().numpy()).all()
