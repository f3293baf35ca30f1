"""A fit that fails or is stopped leaves the previous model whole, or none.

A refit that raises (divergence, a callback, a bad parameter), a warm start
that fails, a pickle taken in the middle of a refit, and Ctrl-C in a fit or
a grid search: never a mix of the old model and the new one.
"""

import os
import pickle
import signal
import threading
import time

import numpy as np
import pytest
import torch
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from skorch.callbacks import Callback

from sklearn_rnn import LSTMSentimentClassifier, TextVectorizer, TrainingDivergedError

from ..conftest import FAST


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
