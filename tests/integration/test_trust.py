"""Trust under faults: every case found by the adversarial pass, as a test.

1. a refit that fails leaves the previous model whole;
2. Ctrl-C stops fit (and a grid search);
3. one long document or one stray id cannot eat the machine;
4. a damaged or tampered file fails clearly, before anything large is built;
5. divergence is caught, outputs stay finite;
6. labels that follow lengths still get mixed batches;
7. a model that learnt only the majority class says so.
"""

import os
import pickle
import signal
import threading
import time
import warnings

import numpy as np
import pytest
import torch
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from skorch.callbacks import Callback

from sklearn_rnn import (
    LSTMSentimentClassifier,
    RNNSentimentClassifier,
    TextVectorizer,
    TrainingDivergedError,
)
from sklearn_rnn._nn._data import BucketIterator, to_dataset

from ..conftest import FAST, make_reviews


class _FailAtEpoch(Callback):
    """A skorch callback that raises in a given epoch (a failure mid-training)."""

    def __init__(self, epoch):
        self.epoch = epoch

    def on_epoch_end(self, net, **kwargs):
        if len(net.history) >= self.epoch:
            raise RuntimeError("boom in the middle of training")


def _consistent(clf):
    """classes_, the vocabulary and the network agree."""
    module = clf.net_.module_
    return (module.classifier.out_features == len(clf.classes_)
            and module.embedding.num_embeddings == clf.n_vocab_)


# --------------------------------------------------------------------------- #
# 1. failed refits
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("failure", ["diverged", "callback", "bad_parameter"])
def test_failed_refit_leaves_the_previous_model_whole(review_ids, failure):
    X, y, _ = review_ids
    clf = LSTMSentimentClassifier(**FAST).fit(X, y)
    before = clf.predict_proba(X)
    y4 = np.array(["a", "b", "c", "d"])[np.arange(len(y)) % 4]
    if failure == "diverged":
        clf.set_params(lr=1e30, clip_grad_norm=None, optimizer=torch.optim.SGD)
        error = TrainingDivergedError
    elif failure == "callback":
        clf.set_params(callbacks=[("fail", _FailAtEpoch(2))], max_epochs=3)
        error = RuntimeError
    else:
        clf.set_params(module__no_such_parameter=3)
        error = TypeError
    with pytest.raises(error):
        clf.fit(X, y4)
    assert clf.classes_.tolist() == ["negative", "positive"] and _consistent(clf)
    np.testing.assert_array_equal(clf.predict_proba(X), before)


def test_failed_first_fit_leaves_the_estimator_unfitted(review_ids):
    X, y, _ = review_ids
    clf = LSTMSentimentClassifier(callbacks=[("fail", _FailAtEpoch(1))], **FAST)
    with pytest.raises(RuntimeError, match="boom"):
        clf.fit(X, y)
    assert not hasattr(clf, "net_") and not hasattr(clf, "classes_")


def test_failed_warm_start_leaves_the_previous_model_whole(review_ids):
    X, y, _ = review_ids
    clf = LSTMSentimentClassifier(warm_start=True, **FAST).fit(X, y)
    before, epochs = clf.predict_proba(X), len(clf.history_)
    clf.set_params(callbacks=[("fail", _FailAtEpoch(epochs + 1))])
    with pytest.raises(RuntimeError, match="boom"):
        clf.fit(X, y)
    assert len(clf.history_) == epochs
    np.testing.assert_array_equal(clf.predict_proba(X), before)


def test_pickling_during_a_refit_never_sees_a_mixed_model(review_ids):
    X, y, _ = review_ids
    # a small n-gram table keeps each snapshot small; each is checked as it is
    # taken and only the verdict kept (hundreds of snapshots are taken)
    clf = LSTMSentimentClassifier(**{**FAST, "max_epochs": 6, "ngram_buckets": 2**10}).fit(X, y)
    y3 = np.array(["a", "b", "c"])[np.arange(len(y)) % 3]
    verdicts, done = [], threading.Event()

    def snapshot():
        while not done.is_set():
            restored = pickle.loads(pickle.dumps(clf))
            verdicts.append((_consistent(restored), len(restored.classes_)))

    thread = threading.Thread(target=snapshot)
    thread.start()
    try:
        clf.fit(X, y3)
    finally:
        done.set()
        thread.join()
    assert len(verdicts) > 5
    assert all(consistent for consistent, _ in verdicts)
    assert {n for _, n in verdicts} <= {2, 3}


# --------------------------------------------------------------------------- #
# 2. Ctrl-C
# --------------------------------------------------------------------------- #
class _CtrlC(Callback):
    """Sends this process a real SIGINT at the end of training's ``epoch``-th
    epoch: a Ctrl-C in the middle of a fit, whatever the machine's load (a
    timer fired too late on a busy machine, after short fits had ended)."""

    def __init__(self, epoch=2):
        self.epoch = epoch

    def on_epoch_end(self, net, **kwargs):
        if len(net.history) == self.epoch:
            os.kill(os.getpid(), signal.SIGINT)


@pytest.fixture
def interactive_sigint():
    """Python's own Ctrl-C handler, as in a terminal: a process started in
    the background of a non-interactive shell begins with SIGINT ignored."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


@pytest.mark.usefixtures("interactive_sigint")
def test_ctrl_c_stops_fit(review_ids):
    X, y, _ = review_ids
    clf = LSTMSentimentClassifier(**{**FAST, "max_epochs": 500}, callbacks=[_CtrlC()])
    start = time.perf_counter()
    with pytest.raises(KeyboardInterrupt, match="interrupted"):
        clf.fit(X, y)
    assert time.perf_counter() - start < 30
    assert not hasattr(clf, "net_")  # nothing half-trained was kept
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # restored


@pytest.mark.usefixtures("interactive_sigint")
def test_ctrl_c_aborts_a_grid_search(reviews):
    X, y = reviews
    search = GridSearchCV(
        make_pipeline(TextVectorizer(), LSTMSentimentClassifier(
            **{**FAST, "max_epochs": 200}, callbacks=[_CtrlC()])),
        {"lstmsentimentclassifier__hidden_size": [4, 8, 16]}, cv=2, n_jobs=1,
    )
    start = time.perf_counter()
    with pytest.raises(KeyboardInterrupt):
        search.fit(X, y)
    assert time.perf_counter() - start < 30
    assert not hasattr(search, "best_params_")


def test_early_stopping_still_ends_training_quietly(review_ids):
    X, y, _ = review_ids
    clf = LSTMSentimentClassifier(early_stopping=True, n_iter_no_change=1,
                                  **{**FAST, "max_epochs": 50, "lr": 0.05}).fit(X, y)
    assert len(clf.history_) < 50


# --------------------------------------------------------------------------- #
# 3. length and id safety
# --------------------------------------------------------------------------- #
def test_one_runaway_document_is_capped_with_a_warning():
    docs, y = make_reviews(499, seed=1)
    docs = docs + ["word " * 100_000]
    y = np.r_[y, ["positive"]]
    with pytest.warns(UserWarning, match=r"1 of 500 documents are longer than .*100,000"):
        pipe = make_pipeline(TextVectorizer(), LSTMSentimentClassifier(**FAST))
        start = time.perf_counter()
        pipe.fit(docs, y)
    assert pipe[0].maxlen_ < 1000
    assert time.perf_counter() - start < 60
    ids = TextVectorizer(maxlen=200_000).fit_transform(docs)  # an explicit maxlen is kept
    assert ids.shape[1] == 200_000


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


# --------------------------------------------------------------------------- #
# 4. damaged and tampered files
# --------------------------------------------------------------------------- #
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


def test_skops_refuses_a_tampered_token_pattern(tmp_path):
    sio = pytest.importorskip("skops.io")
    from sklearn_rnn.persistence import load_skops

    X, y = make_reviews(80, seed=4)
    pipe = make_pipeline(TextVectorizer(), LSTMSentimentClassifier(**FAST)).fit(X, y)
    evil = r"(?:a+)+$"  # catastrophic backtracking: seconds per short review
    pipe[0].token_pattern = evil
    sio.dump(pipe, tmp_path / "evil.skops")
    match = r"token_pattern=.*\(\?:a\+\)\+\$.* trusted_token_patterns"
    with pytest.raises(ValueError, match=match):
        load_skops(tmp_path / "evil.skops")
    loaded = load_skops(tmp_path / "evil.skops", trusted_token_patterns=[evil])
    assert loaded[0].token_pattern == evil


# --------------------------------------------------------------------------- #
# 5. divergence and non-finite outputs
# --------------------------------------------------------------------------- #
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


# --------------------------------------------------------------------------- #
# 6. labels that follow lengths
# --------------------------------------------------------------------------- #
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


# --------------------------------------------------------------------------- #
# 7. imbalance
# --------------------------------------------------------------------------- #
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


# --------------------------------------------------------------------------- #
# 8. nothing silently wrong: weights, lengths, scores, states, text
# --------------------------------------------------------------------------- #
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


def test_ragged_tokens_refuse_negative_lengths():
    from sklearn_rnn import RaggedTokens

    with pytest.raises(ValueError, match="lengths must be >= 0; document 0 has length -1"):
        RaggedTokens(np.array([3, 4]), lengths=[-1, 3])
    with pytest.raises(ValueError, match="lengths must be whole numbers"):
        RaggedTokens(np.array([1, 2]), lengths=[1.7, 1.6])  # not cut to [1, 1]
    assert RaggedTokens(np.array([1, 2]), lengths=[1.0, 1.0]).lengths.tolist() == [1, 1]


def test_a_scorer_returning_nan_is_refused(review_ids):
    X, y, _ = review_ids
    clf = LSTMSentimentClassifier(early_stopping=True, scoring=lambda est, X, y: float("nan"),
                                  **FAST)
    with pytest.raises(ValueError, match="returned nan.*finite number"):
        clf.fit(X, y)


def test_a_state_whose_classes_disagree_with_the_network_is_refused(saved_state):
    with pytest.raises(ValueError, match=r"classes_ has 3 labels but the saved network has 2 "
                                         r"outputs"):
        _load(dict(saved_state, classes_=np.array(["a", "b", "c"])))


def test_a_lone_surrogate_in_character_tokens_does_not_break_fit():
    docs = ["good film \ud800 yes", "bad \udfff film", "great fun", "awful \ud83d"] * 10
    y = ["pos", "neg", "pos", "neg"] * 10
    pipe = make_pipeline(TextVectorizer(tokenizer="char"), LSTMSentimentClassifier(**FAST))
    pipe.fit(docs, y)
    assert "\ud800" in pipe[0].vocabulary_
    restored = pickle.loads(pickle.dumps(pipe))
    np.testing.assert_array_equal(restored.predict_proba(docs), pipe.predict_proba(docs))
