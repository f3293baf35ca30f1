"""Labels that follow lengths still get batches of both classes
(BucketIterator mixes its length buckets), and the model learns."""

import numpy as np
import torch

from sklearn_rnn import LSTMSentimentClassifier
from sklearn_rnn._nn._data import BucketIterator, to_dataset


def _length_only_labels(n=600, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    lengths = np.where(y == 0, rng.integers(5, 16, n), rng.integers(25, 61, n))
    X = np.zeros((n, 60), dtype=np.int64)
    for i, length in enumerate(lengths):
        X[i, 60 - length:] = rng.integers(2, 50, length)
    return X, y


def test_labels_that_follow_lengths_get_mixed_batches_and_learn():
    X, y = _length_only_labels()
    iterator = BucketIterator(to_dataset(X, y), 64, shuffle=True, seed=0)
    assert iterator.mix
    batches = list(iterator)
    assert len(batches) == len(iterator)
    mixed = [len(torch.unique(batch_y)) == 2 for _, batch_y in batches]
    assert np.mean(mixed) > 0.9  # both classes in (nearly) every step
    for batch_X, _ in batches:  # each row still read at its own bucket's width
        widths = batch_X["widths"]
        assert ((batch_X["lengths"] <= widths) & (widths <= batch_X["ids"].shape[1])).all()
    clf = LSTMSentimentClassifier(hidden_size=16, embedding_dim=16, max_epochs=20,
                                  random_state=0).fit(X, y)
    assert clf.score(X, y) > 0.9


def test_labels_independent_of_length_keep_plain_buckets(review_ids):
    X, y, _ = review_ids
    data = to_dataset(X, np.unique(y, return_inverse=True)[1])
    assert not BucketIterator(data, 32, shuffle=True, seed=0).mix
