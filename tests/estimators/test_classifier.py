"""The classifiers' contract on synthetic reviews; learning on real IMDB reviews."""

import warnings

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.metrics import accuracy_score, classification_report
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from skorch.callbacks import Callback

from sklearn_rnn import (
    GRUSentimentClassifier,
    LSTMSentimentClassifier,
    RecurrentTextClassifier,
    RNNSentimentClassifier,
    TextVectorizer,
)

from ..conftest import FAST, TINY, make_reviews

CLASSIFIERS = [RNNSentimentClassifier, LSTMSentimentClassifier, GRUSentimentClassifier]


def to_post_padding(X):
    """Move each pre-padded row's tokens to the front (what pad_sequence gives)."""
    X = np.asarray(X)
    out = np.zeros_like(X)
    for i, row in enumerate(X):
        tokens = row[row != 0]
        out[i, : len(tokens)] = tokens
    return out


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_string_labels_roundtrip(cls, review_ids):
    X, y, _ = review_ids
    clf = cls(**FAST).fit(X, y)
    assert clf.classes_.tolist() == ["negative", "positive"]
    proba = clf.predict_proba(X)
    assert proba.shape == (len(X), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    pred = clf.predict(X)
    np.testing.assert_array_equal(pred, clf.classes_[proba.argmax(axis=1)])
    np.testing.assert_allclose(clf.predict_log_proba(X), np.log(proba), rtol=1e-10)
    assert clf.score(X, y) == accuracy_score(y, pred)
    assert clf.device_ == "cpu"


def test_integer_and_multiclass_labels(review_ids):
    X, _, _ = review_ids
    y = np.random.default_rng(0).choice([3, 7, 10], size=len(X))
    clf = LSTMSentimentClassifier(**FAST).fit(X, y)
    np.testing.assert_array_equal(clf.classes_, [3, 7, 10])
    assert clf.predict_proba(X).shape == (len(X), 3)
    assert set(clf.predict(X)) <= {3, 7, 10}
    assert clf.predict(X).dtype == y.dtype


def test_classification_report_prints_label_names(fitted_pipeline):
    X, y = make_reviews(100, seed=1)
    report = classification_report(y, fitted_pipeline.predict(X))
    assert "negative" in report and "positive" in report


def test_learns_synthetic_reviews(fitted_pipeline):
    X, y = make_reviews(300, seed=1)
    assert fitted_pipeline.score(X, y) > 0.65


def test_learns_imdb_with_real_accuracy(fitted_lstm, imdb_small):
    _, _, X_test, y_test = imdb_small
    assert fitted_lstm.score(X_test, y_test) > 0.68


def test_pre_and_post_padding_give_same_predictions(fitted_pipeline):
    X, _ = make_reviews(200, seed=2)
    vec, clf = fitted_pipeline[0], fitted_pipeline[-1]
    pre = vec.transform(X)
    post = to_post_padding(pre)
    assert not np.array_equal(pre, post)
    np.testing.assert_allclose(clf.predict_proba(post), clf.predict_proba(pre), atol=1e-6)
    # and a narrower post-padded array, as torch's pad_sequence would give
    longest = int((post != 0).sum(axis=1).max())
    np.testing.assert_allclose(
        clf.predict_proba(post[:, :longest]), clf.predict_proba(pre), atol=1e-6
    )
    # post-padding made by the vectorizer (a TokenArray that knows its lengths)
    vec_post = clone(vec).set_params(padding="post").fit(make_reviews(300, seed=0)[0])
    np.testing.assert_array_equal(vec_post.transform(X), post)
    np.testing.assert_allclose(clf.predict_proba(vec_post.transform(X)),
                               clf.predict_proba(pre), atol=1e-6)


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


def test_prediction_independent_of_batch(fitted_pipeline):
    docs, _ = make_reviews(60, seed=3)
    vec, clf = fitted_pipeline[0], fitted_pipeline[-1]
    X = vec.transform(docs + ["", "zzzz qqqq"])  # empty and all-unknown docs
    lengths = (X != 0).sum(axis=1)
    assert lengths.min() == 0 and lengths.max() > 40
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
        clf.set_params(batch_size=FAST["batch_size"])


@pytest.mark.parametrize("pooling", ["last", "max", "mean"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_poolings_read_padding_correctly(pooling, bidirectional, review_ids):
    X, y, _ = review_ids
    clf = GRUSentimentClassifier(pooling=pooling, bidirectional=bidirectional, num_layers=2,
                                 dropout=0.1, **FAST).fit(X, y)
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(clf.predict_proba(to_post_padding(X)), proba, atol=1e-6)
    np.testing.assert_allclose(clf.predict_proba(X[3:4]), proba[3:4], atol=1e-5)
    empty = np.zeros((2, X.shape[1]), dtype=X.dtype)
    assert np.isfinite(clf.predict_proba(empty)).all()


def test_recurrent_text_classifier_takes_the_cell_as_parameter(review_ids):
    X, y, _ = review_ids
    for cell, fixed in (("rnn", RNNSentimentClassifier), ("gru", GRUSentimentClassifier)):
        general = RecurrentTextClassifier(cell=cell, **FAST).fit(X, y)
        np.testing.assert_array_equal(general.predict_proba(X),
                                      fixed(**FAST).fit(X, y).predict_proba(X))
        assert type(general.net_.module_.rnn).__name__ == cell.upper()
    assert "cell" in RecurrentTextClassifier().get_params()
    assert "cell" not in LSTMSentimentClassifier().get_params()
    # siblings, not subclasses: a fixed-cell classifier has no cell to set
    assert not isinstance(LSTMSentimentClassifier(), RecurrentTextClassifier)
    with pytest.raises(ValueError, match="Invalid parameter 'cell'"):
        LSTMSentimentClassifier().set_params(cell="gru")
    with pytest.raises(ValueError, match="'cell' parameter"):
        RecurrentTextClassifier(cell="transformer", **FAST).fit(X, y)


def test_grid_search_over_the_cell(reviews):
    X, y = reviews
    pipe = make_pipeline(TextVectorizer(), RecurrentTextClassifier(**FAST))
    search = GridSearchCV(pipe, {"recurrenttextclassifier__cell": ["rnn", "lstm", "gru"]},
                          cv=2).fit(X, y)
    assert sorted(search.cv_results_["param_recurrenttextclassifier__cell"]) == [
        "gru", "lstm", "rnn"]
    best = search.best_estimator_[-1]
    assert type(best.net_.module_.rnn).__name__ == best.cell.upper()


def test_get_set_params_and_pass_through(review_ids):
    X, y, _ = review_ids
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
        (dict(optimizer_weight_decay=0.1), "did you mean optimizer__weight_decay"),
        (dict(hiden_size=3), "Did you mean 'hidden_size'"),
        (dict(module__hidden_size=3), "use the top-level parameter hidden_size="),
        (dict(module__n_classes=3), "the classifier sets it from the data"),
        (dict(iterator_train__shuffle=False), "only iterator_train__batch_size"),
        (dict(hidden_size=0, pooling="first"), "(?s)'hidden_size' parameter.*'pooling'"),
        (dict(device="cuda:0"), "CUDA is not available") if not torch.cuda.is_available()
        else (dict(device="nonsense"), "device"),
        (dict(device="nonsense"), "not a device torch knows"),
    ],
)
def test_parameter_errors(params, match, review_ids):
    X, y, _ = review_ids
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


class _KeepWeights(Callback):
    """Record the module's weights and the validation accuracy of every epoch."""

    def initialize(self):
        self.weights, self.scores = [], []
        return self

    def on_epoch_end(self, net, **kwargs):
        self.weights.append({k: v.clone() for k, v in net.module_.state_dict().items()})
        self.scores.append(net.history[-1, "valid_acc"])


def test_early_stopping_uses_held_out_split_and_restores_best(review_ids):
    X, y, _ = review_ids
    clf = LSTMSentimentClassifier(
        early_stopping=True, n_iter_no_change=2, validation_fraction=0.2,
        callbacks=[("keep", _KeepWeights())], **{**FAST, "max_epochs": 40, "lr": 0.05},
    ).fit(X, y)
    history = clf.history_
    valid_acc = history[:, "valid_acc"]
    assert len(history) < 40  # stopped early
    best = int(np.argmax(valid_acc))
    assert len(history) == best + 1 + 2
    # the restored weights are the best epoch's
    keep = dict(clf.net_.callbacks_)["keep"]
    final = clf.net_.module_.state_dict()
    for name, value in keep.weights[best].items():
        torch.testing.assert_close(final[name], value)
    assert sum(history[-1, "batches", :, "valid_batch_size"]) == 60  # 20% of 300
    assert {"train_loss", "train_acc", "valid_acc", "dur"} <= set(history[-1])


def test_train_split_without_early_stopping(review_ids):
    from skorch.dataset import ValidSplit

    X, y, _ = review_ids
    clf = LSTMSentimentClassifier(train_split=ValidSplit(4), **FAST).fit(X, y)
    assert len(clf.history_) == FAST["max_epochs"]
    assert sum(clf.history_[-1, "batches", :, "valid_batch_size"]) == 75
    assert 0 <= clf.history_[-1, "valid_acc"] <= 1


def test_early_stopping_auto_turns_on_from_2000_documents():
    rng = np.random.default_rng(0)
    X = rng.integers(1, 30, size=(2_000, 4))
    y = (X[:, 0] > 15).astype(int)
    clf = LSTMSentimentClassifier(**{**FAST, "max_epochs": 1, "batch_size": 512}).fit(X, y)
    assert clf.early_stopping == "auto" and clf.early_stopping_ is True
    assert sum(clf.history_[-1, "batches", :, "valid_batch_size"]) == 200  # 10%
    below = LSTMSentimentClassifier(**{**FAST, "max_epochs": 1}).fit(X[:1999], y[:1999])
    assert below.early_stopping_ is False
    assert "early_stopping" in dict(clf.net_.callbacks_)
    small = LSTMSentimentClassifier(**FAST).fit(X[:300], y[:300])
    assert small.early_stopping_ is False and "valid_loss" not in small.history_[-1]
    forced = LSTMSentimentClassifier(early_stopping=True, **FAST).fit(X[:300], y[:300])
    assert forced.early_stopping_ is True and "valid_acc" in forced.history_[-1]


def test_verbose_prints_epoch_table(review_ids, capsys):
    X, y, _ = review_ids
    LSTMSentimentClassifier(verbose=1, **FAST).fit(X, y)
    out = capsys.readouterr().out
    assert "train_loss" in out and "train_acc" in out
    LSTMSentimentClassifier(verbose=0, **FAST).fit(X, y)
    assert capsys.readouterr().out == ""


def test_verbose_early_stopping_prints_every_epoch(review_ids, capsys):
    X, y, _ = review_ids
    clf = LSTMSentimentClassifier(
        early_stopping=True, n_iter_no_change=1, verbose=1,
        **{**FAST, "max_epochs": 30, "lr": 0.05},
    ).fit(X, y)
    out = capsys.readouterr().out
    assert len(clf.history_) < 30
    rows = [line for line in out.splitlines() if line.strip()[:1].isdigit()]
    assert len(rows) == len(clf.history_)  # the stopping epoch is printed too
    assert out.index("Stopping since valid_acc") > out.rindex(rows[-1])


def test_user_callbacks_and_history(review_ids):
    X, y, _ = review_ids
    keep = _KeepWeights()
    clf = LSTMSentimentClassifier(callbacks=[("keep", keep)], train_split=None,
                                  early_stopping=True, **FAST).fit(X, y)
    assert len(dict(clf.net_.callbacks_)["keep"].weights) == FAST["max_epochs"]
    assert len(clf.history_) == FAST["max_epochs"]


def test_warm_start_continues_training(review_ids):
    X, y, _ = review_ids
    clf = LSTMSentimentClassifier(warm_start=True, **FAST).fit(X, y)
    first = {k: v.clone() for k, v in clf.net_.module_.state_dict().items()}
    clf.fit(X, y)
    assert len(clf.history_) == 2 * FAST["max_epochs"]  # one history, continued
    moved = clf.net_.module_.state_dict()
    assert not torch.equal(moved["classifier.weight"], first["classifier.weight"])
    # continuing from the first fit's weights equals training longer in one go
    longer = LSTMSentimentClassifier(**{**FAST, "max_epochs": 2 * FAST["max_epochs"]})
    np.testing.assert_allclose(clf.predict_proba(X), longer.fit(X, y).predict_proba(X),
                               atol=1e-5)


def test_warm_start_in_pipeline_with_refitted_vocabulary(reviews):
    # The second Pipeline.fit refits the TextVectorizer on other documents: the
    # same token gets another id. Training must continue on the right rows.
    X, y = reviews
    X2, y2 = make_reviews(300, seed=5, max_words=20)
    pipe = make_pipeline(TextVectorizer(), LSTMSentimentClassifier(warm_start=True, **FAST))
    pipe.fit(X, y)
    vec1, clf = clone(pipe[0]).fit(X), pipe[-1]
    before = clf.net_.module_.embedding.weight.detach().clone()
    pipe.fit(X2, y2)
    vec2 = pipe[0]
    assert vec2.vocabulary_ != vec1.vocabulary_
    moved = [t for t in vec1.vocabulary_ if t in vec2.vocabulary_ and t not in ("<pad>", "<unk>")
             and vec1.vocabulary_[t] != vec2.vocabulary_[t]]
    assert moved  # some tokens changed id
    assert clf.n_vocab_ == len(vec2.vocabulary_) == clf.net_.module_.embedding.num_embeddings
    assert len(clf.history_) == 2 * FAST["max_epochs"]
    # a token the second fit's documents do not contain keeps its trained row
    unseen_in_2 = [t for t in vec2.vocabulary_ if t in vec1.vocabulary_
                   and not any(t in d.lower().split() for d in X2)]
    after = clf.net_.module_.embedding.weight.detach()
    for token in unseen_in_2[:5]:
        np.testing.assert_allclose(after[vec2.vocabulary_[token]],
                                   before[vec1.vocabulary_[token]], atol=1e-6)
    assert pipe.predict(X[:5]).shape == (5,)  # and predicts with the new vocabulary


def test_warm_start_with_ids_without_vocabulary_warns(review_ids):
    X, y, _ = review_ids
    clf = LSTMSentimentClassifier(warm_start=True, **FAST).fit(X, y)
    with pytest.warns(UserWarning, match="X carries no vocabulary"):
        clf.fit(np.asarray(X), y)


def test_fit_and_predict_emit_no_warnings(review_ids):
    X, y, _ = review_ids
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        LSTMSentimentClassifier(**FAST).fit(X, y).predict(X)
    assert [str(w.message) for w in caught] == []


def test_vocabulary_size_read_from_vectorizer(fitted_pipeline):
    vec, clf = fitted_pipeline[0], fitted_pipeline[-1]
    assert clf.n_vocab_ == len(vec.vocabulary_)
    assert clf.net_.module_.embedding.num_embeddings == clf.n_vocab_
    assert clf.tokens_ == tuple(vec.vocabulary_)


def test_ids_from_another_vectorizer_are_refused(fitted_pipeline, reviews):
    X, _ = reviews
    other = TextVectorizer(max_features=20).fit(X).transform(X)
    with pytest.raises(ValueError, match="different TextVectorizer"):
        fitted_pipeline[-1].predict(other)


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_ngram_path_keeps_exactness_and_persists(cls, fitted_pipeline, reviews):
    import pickle

    X, y = reviews
    vec = fitted_pipeline[0]
    ids = vec.transform(X)
    clf = cls(ngram_range=(1, 2), ngram_buckets=2**12, **FAST).fit(ids, y)
    table = clf.net_.module_.ngram.table.weight
    assert table.shape == (2**12, 2) and table.detach().abs().sum() > 0  # it learnt
    proba = clf.predict_proba(ids)
    np.testing.assert_allclose(clf.predict_proba(to_post_padding(ids)), proba, atol=1e-6)
    for i in (0, 17, 299):
        np.testing.assert_allclose(clf.predict_proba(ids[i:i + 1])[0], proba[i], atol=1e-6)
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict_proba(ids), proba)


def test_grid_search_over_ngram_range(reviews):
    X, y = reviews
    pipe = make_pipeline(TextVectorizer(), LSTMSentimentClassifier(ngram_buckets=2**12, **FAST))
    grid = {"lstmsentimentclassifier__ngram_range": [None, (1, 1), (1, 2)]}
    search = GridSearchCV(pipe, grid, cv=2).fit(X, y)
    assert list(search.cv_results_["param_lstmsentimentclassifier__ngram_range"]) == [
        None, (1, 1), (1, 2)]
    best = search.best_estimator_[-1]
    assert (best.net_.module_.ngram is None) == (best.ngram_range is None)


@pytest.mark.parametrize("bad", [(2, 1), (0, 2), (1, 9), (1, 2, 3), [1, 2], 2])
def test_ngram_range_errors(bad, review_ids):
    X, y, _ = review_ids
    with pytest.raises(ValueError, match="ngram_range.* must be .*tuple"):
        LSTMSentimentClassifier(ngram_range=bad, **FAST).fit(X, y)


def test_ngram_rows_survive_a_refitted_vocabulary(reviews):
    X, y = reviews
    pipe = make_pipeline(TextVectorizer(), LSTMSentimentClassifier(
        warm_start=True, ngram_range=(1, 2), ngram_buckets=2**12, **FAST)).fit(X, y)
    X2, y2 = make_reviews(100, seed=21, max_words=10)
    pipe.fit(X2, y2)  # refits the vectorizer: ids change, hashed keys do not
    keys = pipe[-1].net_.module_.ngram.keys
    vocab = pipe[0].vocabulary_
    from sklearn_rnn._nn._module import token_keys

    np.testing.assert_array_equal(keys.numpy(), token_keys(tuple(vocab)).numpy())
