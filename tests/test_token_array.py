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
