"""Length buckets, to_dataset and BucketIterator (sklearn_rnn._nn._data)."""

import numpy as np
import pytest
import torch

from sklearn_rnn import TextVectorizer, TokenArray
from sklearn_rnn._nn._data import BucketIterator, to_dataset
from sklearn_rnn._text._ids import bucket_width

from ..conftest import make_reviews


def test_bucket_width_exact_then_eight_steps_per_octave():
    lengths = np.arange(0, 3000)
    widths = bucket_width(lengths)
    assert (widths >= np.maximum(lengths, 1)).all()
    np.testing.assert_array_equal(widths[1:16], np.arange(1, 16))
    assert set(bucket_width(np.arange(16, 33)).tolist()) == {16, 18, 20, 22, 24, 26, 28, 30, 32}
    # at most 12.5% padding above 16 tokens
    assert ((widths[16:] - lengths[16:]) / lengths[16:]).max() <= 0.125
    # a boundary is its own bucket
    np.testing.assert_array_equal(bucket_width(widths), widths)


def _documents(data):
    """Row -> real token ids of every document of a dataset."""
    return {int(data.order[k]): data.padded(np.array([k]), int(data.widths[k]))[0][
        int(data.widths[k]) - int(data.lengths[k]):].tolist() for k in range(len(data))}


def test_to_dataset_strips_padding_on_either_side():
    pre = np.array([[0, 0, 5, 6], [7, 8, 9, 3], [0, 0, 0, 0], [0, 4, 0, 2]])
    post = np.array([[5, 6, 0, 0], [7, 8, 9, 3], [0, 0, 0, 0], [4, 0, 2, 0]])
    a, b = to_dataset(pre, np.arange(4)), to_dataset(post, np.arange(4))
    for data in (a, b):
        # the zero inside the last document is kept
        assert _documents(data) == {0: [5, 6], 1: [7, 8, 9, 3], 2: [], 3: [4, 0, 2]}
        np.testing.assert_array_equal(data.y, data.order)  # labels follow their rows


def test_to_dataset_reads_carried_lengths_without_scanning_or_copying():
    docs, _ = make_reviews(50, seed=1)
    for padding in ("pre", "post"):
        X = TextVectorizer(padding=padding, maxlen=30).fit_transform(docs)
        carried = to_dataset(X)
        scanned = to_dataset(np.asarray(X))
        for name in ("starts", "lengths", "order"):
            np.testing.assert_array_equal(getattr(carried, name), getattr(scanned, name))
        assert _documents(carried) == _documents(scanned)
        # the dataset reads the vectorizer's array where it is: no copy of the ids
        assert np.shares_memory(carried.source, X)
    ragged = TextVectorizer(ragged=True, maxlen=30).fit_transform(docs)
    assert _documents(to_dataset(ragged)) == _documents(scanned)
    assert np.shares_memory(to_dataset(ragged).source, ragged.flat)
    # lengths are trusted by position: a row's zeros inside the kept part stay
    X = TokenArray(np.array([[0, 3, 0, 4]]), lengths=[3], padding="pre")
    assert _documents(to_dataset(X)) == {0: [3, 0, 4]}
    with pytest.raises(ValueError, match="lengths must give 0 to 4"):
        to_dataset(TokenArray(np.array([[0, 3, 0, 4]]), lengths=[5], padding="pre"))


def test_a_bucket_of_a_pre_padded_array_is_its_last_columns():
    X = np.array([[0, 0, 0, 5, 6], [0, 7, 8, 9, 3], [0, 0, 0, 0, 2]])
    data = to_dataset(TokenArray(X, lengths=[2, 4, 1], padding="pre"))
    for width, a, b in data.buckets():
        rows = data.order[a:b]
        np.testing.assert_array_equal(data.padded(np.arange(a, b), width), X[rows, -width:])
    # a bucket wider than the array (lengths round up) is padded on the left
    wide = to_dataset(TokenArray(np.arange(1, 18)[None, :], lengths=[17], padding="pre"))
    assert wide.widths.tolist() == [18]
    assert wide.padded(np.array([0]), 18)[0].tolist() == [0, *range(1, 18)]


def test_subset_keeps_original_rows_and_labels():
    X = np.array([[0, 1, 2], [3, 4, 5], [0, 0, 9], [0, 7, 8]])
    data = to_dataset(X, np.array([10, 11, 12, 13]))
    part = data.subset([0, 2])
    assert sorted(part.order.tolist()) == sorted(data.order[[0, 2]].tolist())
    for k in range(len(part)):
        assert part.y[k] == 10 + part.order[k]


def _docs_of(batch):
    ids, lengths = batch[0]["ids"], batch[0]["lengths"]
    pairs = zip(ids, lengths, strict=True)
    return [tuple(row[len(row) - n:].tolist()) if n else () for row, n in pairs]


def test_prediction_batches_keep_each_bucket_width_and_order():
    rng = np.random.default_rng(0)
    lengths = rng.integers(0, 60, size=200)
    X = np.zeros((200, 60), dtype=np.int64)
    for i, n in enumerate(lengths):
        X[i, 60 - n:] = rng.integers(2, 50, size=n)
    data = to_dataset(X)
    batches = list(BucketIterator(data, 16))
    assert len(batches) == len(BucketIterator(data, 16))
    seen = []
    for batch in batches:
        width = batch[0]["ids"].shape[1]
        # every row padded to its own bucket's width, whatever the batch
        assert (bucket_width(batch[0]["lengths"].numpy()) == width).all()
        seen += _docs_of(batch)
    expected = [tuple(X[data.order[k], 60 - data.lengths[k]:].tolist()) if data.lengths[k]
                else () for k in range(len(data))]
    assert seen == expected  # dataset order, nothing lost


def test_training_batches_cover_every_document_once_per_epoch():
    rng = np.random.default_rng(1)
    lengths = rng.integers(1, 40, size=150)
    X = np.zeros((150, 40), dtype=np.int64)
    for i, n in enumerate(lengths):
        X[i, 40 - n:] = i + 1  # each document made of its own id
    data = to_dataset(X, np.arange(150))
    iterator = BucketIterator(data, 8, shuffle=True, seed=0)
    epochs = [list(iterator), list(iterator)]
    for batches in epochs:
        assert len(batches) == len(iterator)
        ids = torch.cat([b[1] for b in batches]).tolist()
        assert sorted(ids) == list(range(150))
        for batch in batches:
            for row, n, label in zip(batch[0]["ids"], batch[0]["lengths"], batch[1], strict=True):
                # pre-padded to the batch width; labels travel with documents
                assert (row[len(row) - n:] == label + 1).all() and not row[: len(row) - n].any()
    order = [torch.cat([b[1] for b in batches]).tolist() for batches in epochs]
    assert order[0] != order[1]  # reshuffled every epoch


def test_batch_size_larger_than_the_data():
    data = to_dataset(np.array([[0, 1, 2], [3, 4, 5]]))
    batches = list(BucketIterator(data, 1000))
    assert sum(len(b[0]["lengths"]) for b in batches) == 2
