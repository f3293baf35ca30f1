"""A damaged or tampered saved state (pickle's ``__setstate__``) fails
clearly, naming the field, before anything large is built."""

import numpy as np
import pytest

from sklearn_rnn import LSTMSentimentClassifier, TextVectorizer

from ..conftest import FAST, make_reviews


@pytest.fixture(scope="module")
def saved_state():
    X, y = make_reviews(100, seed=3)
    ids = TextVectorizer().fit_transform(X)
    clf = LSTMSentimentClassifier(**FAST).fit(ids, y)
    return clf.__getstate__()


def _load(state):
    clf = LSTMSentimentClassifier.__new__(LSTMSentimentClassifier)
    clf.__setstate__(state)
    return clf


def _tamper(state, **net_changes):
    net = dict(state["net_state_"])
    for key, value in net_changes.items():
        if value is None:
            net.pop(key)
        else:
            net[key] = value
    return dict(state, net_state_=net)


@pytest.mark.parametrize("changes, match", [
    (dict(format=99, sklearn_rnn="9.9"), "saved by sklearn_rnn 9.9 in model format 99"),
    (dict(history=None), "has no 'history' field"),
    (dict(module="weights"), "'module' is a str, expected dict"),
    (dict(module_sizes={"vocab_size": 100_000_000, "n_classes": 2, "embedding_dim": 8}),
     r"'embedding.weight' has shape \(\d+, 8\), but module_sizes say \(100000000, 8\)"),
    (dict(module_sizes={"vocab_size": "many", "n_classes": 2, "embedding_dim": 8}),
     "expected a positive int"),
])
def test_damaged_saved_states_fail_naming_the_field(saved_state, changes, match):
    with pytest.raises(ValueError, match=match):
        _load(_tamper(saved_state, **changes))


def test_parameters_inconsistent_with_the_weights_fail_before_allocating(saved_state):
    with pytest.raises(ValueError, match=r"weight '\S+': the file has shape .* make"):
        _load(dict(saved_state, hidden_size=10**5))  # 400 MB of weights not in the file
    with pytest.raises(ValueError, match="Could not restore the network"):
        _load(dict(saved_state, hidden_size=10**9))  # 32 GB: refused, nothing allocated
    module = dict(saved_state["net_state_"]["module"])
    module.pop("classifier.weight")
    with pytest.raises(ValueError, match="'classifier.weight'"):
        _load(_tamper(saved_state, module=module))


def test_a_newer_version_warns(saved_state):
    with pytest.warns(UserWarning, match="saved by sklearn_rnn 9.9.0, newer"):
        _load(_tamper(saved_state, sklearn_rnn="9.9.0"))


def test_a_state_whose_classes_disagree_with_the_network_is_refused(saved_state):
    with pytest.raises(ValueError, match=r"classes_ has 3 labels but the saved network has 2 "
                                         r"outputs"):
        _load(dict(saved_state, classes_=np.array(["a", "b", "c"])))
