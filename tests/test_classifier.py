import warnings

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.metrics import accuracy_score, classification_report
from sklearn.pipeline import make_pipeline

from sklearn_rnn import (
    GRUSentimentClassifier,
    LSTMSentimentClassifier,
    RNNSentimentClassifier,
    TextVectorizer,
)

from .conftest import TINY

CLASSIFIERS = [RNNSentimentClassifier, LSTMSentimentClassifier, GRUSentimentClassifier]
FAST = dict(embedding_dim=8, hidden_size=8, max_epochs=2, random_state=0, batch_size=32)


def to_post_padding(X):
    """Move each pre-padded row's tokens to the front (what pad_sequence gives)."""
    X = np.asarray(X)
    out = np.zeros_like(X)
    for i, row in enumerate(X):
        tokens = row[row != 0]
        out[i, : len(tokens)] = tokens
    return out


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_string_labels_roundtrip(cls, tiny_ids):
    X, y, _ = tiny_ids
    clf = cls(**FAST).fit(X, y)
    assert clf.classes_.tolist() == ["negative", "positive"]
    proba = clf.predict_proba(X)
    assert proba.shape == (len(X), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    pred = clf.predict(X)
    assert set(pred) <= {"negative", "positive"}
    np.testing.assert_array_equal(pred, clf.classes_[proba.argmax(axis=1)])
    assert clf.score(X, y) == accuracy_score(y, pred)
    assert clf.device_ == "cpu"


def test_integer_and_multiclass_labels(imdb_train):
    # star ratings: a real 8-class task
    X = imdb_train.data[:300]
    ratings = imdb_train.ratings[:300]
    ids = TextVectorizer(maxlen=50, max_features=1000).fit_transform(X)
    clf = LSTMSentimentClassifier(**FAST).fit(ids, ratings)
    np.testing.assert_array_equal(clf.classes_, np.unique(ratings))
    assert clf.predict_proba(ids).shape == (300, len(np.unique(ratings)))
    assert set(clf.predict(ids)) <= set(ratings.tolist())
    assert clf.predict(ids).dtype == ratings.dtype


def test_classification_report_prints_label_names(fitted_lstm, imdb_small):
    _, _, X_test, y_test = imdb_small
    report = classification_report(y_test, fitted_lstm.predict(X_test))
    assert "negative" in report and "positive" in report


def test_learns_imdb_with_real_accuracy(fitted_lstm, imdb_small):
    _, _, X_test, y_test = imdb_small
    assert fitted_lstm.score(X_test, y_test) > 0.68


def test_pre_and_post_padding_give_same_predictions(fitted_lstm, imdb_small):
    _, _, X_test, _ = imdb_small
    vec, clf = fitted_lstm[0], fitted_lstm[-1]
    pre = vec.transform(X_test[:200])
    post = to_post_padding(pre)
    assert not np.array_equal(pre, post)
    np.testing.assert_allclose(clf.predict_proba(post), clf.predict_proba(pre), atol=1e-6)
    # and a narrower post-padded array, as torch's pad_sequence would give
    longest = int((post != 0).sum(axis=1).max())
    np.testing.assert_allclose(
        clf.predict_proba(post[:, :longest]), clf.predict_proba(pre), atol=1e-6
    )


@pytest.mark.parametrize("cls", [LSTMSentimentClassifier, RNNSentimentClassifier])
def test_post_padding_with_last_state_is_read_correctly(cls, imdb_small):
    # The tutorials' recipe (post-padding, last hidden state) silently scores
    # ~50% on IMDB when the last position is padding; here it must learn.
    X, y, X_test, y_test = imdb_small
    pipe = make_pipeline(
        TextVectorizer(maxlen=150, max_features=3000, padding="post"),
        cls(pooling="last", max_epochs=4, **TINY),
    ).fit(X, y)
    assert pipe.score(X_test, y_test) > 0.55


def test_prediction_independent_of_batch(fitted_lstm, imdb_small):
    _, _, X_test, _ = imdb_small
    vec, clf = fitted_lstm[0], fitted_lstm[-1]
    X = vec.transform(X_test[:60] + ["", "zzzz qqqq"])  # empty and all-unknown docs
    lengths = (X != 0).sum(axis=1)
    assert lengths.min() == 0 and lengths.max() > 100
    full = clf.predict_proba(X)
    try:
        for batch_size in (1, 7, 1000):
            clf.set_params(batch_size=batch_size)
            np.testing.assert_allclose(clf.predict_proba(X), full, atol=1e-5)
        for i in (0, 5, 60, 61):
            np.testing.assert_allclose(clf.predict_proba(X[i : i + 1])[0], full[i], atol=1e-5)
        # in reverse order and shuffled with other documents
        perm = np.random.default_rng(0).permutation(len(X))
        np.testing.assert_allclose(clf.predict_proba(X[perm]), full[perm], atol=1e-5)
    finally:
        clf.set_params(batch_size=TINY["batch_size"])


@pytest.mark.parametrize("pooling", ["last", "max", "mean"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_poolings_read_padding_correctly(pooling, bidirectional, tiny_ids):
    X, y, _ = tiny_ids
    clf = GRUSentimentClassifier(pooling=pooling, bidirectional=bidirectional, num_layers=2,
                                 dropout=0.1, **FAST).fit(X, y)
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(clf.predict_proba(to_post_padding(X)), proba, atol=1e-6)
    np.testing.assert_allclose(clf.predict_proba(X[3:4]), proba[3:4], atol=1e-5)
    empty = np.zeros((2, X.shape[1]), dtype=X.dtype)
    assert np.isfinite(clf.predict_proba(empty)).all()










def test_get_set_params_and_pass_through(tiny_ids):
    X, y, _ = tiny_ids
    clf = LSTMSentimentClassifier(optimizer__weight_decay=0.01, **FAST)
    params = clf.get_params()
    assert params["optimizer__weight_decay"] == 0.01 and params["hidden_size"] == 8
    clf.set_params(hidden_size=4, optimizer__weight_decay=0.02)
    clone_params = clone(clf).get_params()
    assert clone_params["hidden_size"] == 4 and clone_params["optimizer__weight_decay"] == 0.02
    clf.fit(X, y)
    assert clf.net_.optimizer_.param_groups[0]["weight_decay"] == 0.02
    assert clf.net_.module_.rnn.hidden_size == 4
    with pytest.raises(ValueError, match="Invalid parameter 'hiden_size'"):
        clf.set_params(hiden_size=3)


@pytest.mark.parametrize(
    "params, match",
    [
        (dict(optimizer_weight_decay=0.1), "Did you mean 'optimizer__weight_decay'"),
        (dict(hiden_size=3), "Did you mean 'hidden_size'"),
        (dict(module__hidden_size=3), "use the top-level parameter hidden_size="),
        (dict(hidden_size=0, pooling="first"), "(?s)'hidden_size' parameter.*'pooling'"),
        (dict(device="cuda:0"), "CUDA is not available") if not torch.cuda.is_available()
        else (dict(device="nonsense"), "device"),
    ],
)
def test_parameter_errors(params, match, tiny_ids):
    X, y, _ = tiny_ids
    with pytest.raises(ValueError, match=match):
        LSTMSentimentClassifier(**{**FAST, **params}).fit(X, y)








def test_vocab_size_for_own_ids():
    rng = np.random.default_rng(0)
    X = rng.integers(0, 50, size=(40, 6))
    y = rng.integers(0, 2, size=40)
    clf = LSTMSentimentClassifier(**FAST).fit(X, y)
    assert clf.n_vocab_ == X.max() + 1
    with pytest.raises(ValueError, match="set vocab_size="):
        clf.predict(np.array([[0, 500]]))
    clf = LSTMSentimentClassifier(vocab_size=1000, **FAST).fit(X, y)
    assert clf.n_vocab_ == 1000 and clf.predict(np.array([[0, 500]])).shape == (1,)
    with pytest.raises(ValueError, match="outside the vocabulary of 10 ids given by vocab_size"):
        LSTMSentimentClassifier(vocab_size=10, **FAST).fit(X, y)


def test_early_stopping_uses_held_out_split_and_restores_best(tiny_ids):
    X, y, _ = tiny_ids
    clf = LSTMSentimentClassifier(
        early_stopping=True, n_iter_no_change=2, validation_fraction=0.2,
        **{**FAST, "max_epochs": 40, "lr": 0.05},
    ).fit(X, y)
    history = clf.history_
    valid_acc = history[:, "valid_acc"]
    assert len(history) < 40  # stopped early
    best = int(np.argmax(valid_acc))
    assert len(history) == best + 1 + 2
    # the restored weights are the best epoch's: they score its accuracy again
    valid = clf.net_.train_split.keywords["valid_ds"]
    pred = clf._forward(valid, 32).argmax(dim=1).numpy()
    assert np.mean(pred == valid.y) == pytest.approx(valid_acc[best])
    assert sum(history[-1, "batches", :, "valid_batch_size"]) == 60  # 20% of 300
    assert {"train_loss", "train_acc", "valid_acc", "dur"} <= set(history[-1])


def test_train_split_without_early_stopping(tiny_ids):
    from skorch.dataset import ValidSplit

    X, y, _ = tiny_ids
    clf = LSTMSentimentClassifier(train_split=ValidSplit(4), **FAST).fit(X, y)
    assert len(clf.history_) == FAST["max_epochs"]
    assert sum(clf.history_[-1, "batches", :, "valid_batch_size"]) == 75
    assert 0 <= clf.history_[-1, "valid_acc"] <= 1


def test_verbose_prints_epoch_table(tiny_ids, capsys):
    X, y, _ = tiny_ids
    LSTMSentimentClassifier(verbose=1, **FAST).fit(X, y)
    out = capsys.readouterr().out
    assert "train_loss" in out and "train_acc" in out
    LSTMSentimentClassifier(verbose=0, **FAST).fit(X, y)
    assert capsys.readouterr().out == ""




def test_user_callbacks_and_history(tiny_ids):
    from skorch.callbacks import Callback

    class Count(Callback):
        def initialize(self):
            self.epochs = 0
            return self

        def on_epoch_end(self, net, **kwargs):
            self.epochs += 1

    X, y, _ = tiny_ids
    counter = Count()
    clf = LSTMSentimentClassifier(callbacks=[("count", counter)], **FAST).fit(X, y)
    assert dict(clf.net_.callbacks_)["count"].epochs == FAST["max_epochs"]
    assert len(clf.history_) == FAST["max_epochs"]


def test_warm_start_continues_training(tiny_ids):
    X, y, _ = tiny_ids
    clf = LSTMSentimentClassifier(warm_start=True, **FAST).fit(X, y)
    first = clf.net_.module_
    clf.fit(X, y)
    assert clf.net_.module_ is first
    assert len(clf.history_) == 2 * FAST["max_epochs"]




def test_fit_and_predict_emit_no_warnings(tiny_ids):
    X, y, _ = tiny_ids
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        LSTMSentimentClassifier(**FAST).fit(X, y).predict(X)
    assert [str(w.message) for w in caught] == []


def test_vocabulary_size_read_from_vectorizer(fitted_lstm):
    vec, clf = fitted_lstm[0], fitted_lstm[-1]
    assert clf.n_vocab_ == len(vec.vocabulary_) == 3002
    assert clf.net_.module_.embedding.num_embeddings == clf.n_vocab_
    assert clf.tokens_ == tuple(vec.vocabulary_)


def test_verbose_early_stopping_prints_every_epoch(tiny_ids, capsys):
    X, y, _ = tiny_ids
    clf = LSTMSentimentClassifier(
        early_stopping=True, n_iter_no_change=1, verbose=1,
        **{**FAST, "max_epochs": 30, "lr": 0.05},
    ).fit(X, y)
    out = capsys.readouterr().out
    assert len(clf.history_) < 30
    rows = [line for line in out.splitlines() if line.strip()[:1].isdigit()]
    assert len(rows) == len(clf.history_)  # the stopping epoch is printed too
    assert out.index("Stopping since valid_acc") > out.rindex(rows[-1])


def test_early_stopping_auto_depends_on_training_size(tiny_ids, monkeypatch):
    import sklearn_rnn._classifier as classifier_module

    X, y, _ = tiny_ids
    clf = LSTMSentimentClassifier(**FAST).fit(X, y)  # 300 documents: off
    assert clf.early_stopping == "auto" and clf.early_stopping_ is False
    assert "valid_loss" not in clf.history_[-1]
    monkeypatch.setattr(classifier_module, "AUTO_EARLY_STOPPING_MIN_DOCUMENTS", 100)
    clf = LSTMSentimentClassifier(**FAST).fit(X, y)
    assert clf.early_stopping_ is True
    assert sum(clf.history_[-1, "batches", :, "valid_batch_size"]) == 30  # 10%
    assert "early_stopping" in dict(clf.net_.callbacks_)
    clf = LSTMSentimentClassifier(early_stopping=False, **FAST).fit(X, y)
    assert clf.early_stopping_ is False
