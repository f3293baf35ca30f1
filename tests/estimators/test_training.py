"""Training controls: the conv front-end and dense layer, class and sample weights,
a validation set of the user's, early stopping on a chosen score."""

import pickle

import numpy as np
import pytest
import sklearn
from sklearn.base import clone
from sklearn.metrics import f1_score, recall_score
from sklearn.model_selection import GridSearchCV, KFold, cross_validate
from sklearn.pipeline import Pipeline, make_pipeline

from sklearn_rnn import GRUSentimentClassifier, LSTMSentimentClassifier, TextVectorizer

from ..conftest import FAST, TINY, make_reviews
from ..estimators.test_classifier import to_post_padding

CONV = dict(conv_filters=6, conv_kernel_size=3, conv_pool_size=2)


# --------------------------------------------------------------------------- #
# conv front-end and dense layer
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("params", [
    CONV,
    dict(conv_filters=4, conv_kernel_size=4, conv_pool_size=3, dense_units=5),
    dict(dense_units=6, pooling="last", bidirectional=True),
])
def test_conv_and_dense_keep_exactness_and_persist(review_ids, params):
    X, y, _ = review_ids
    clf = GRUSentimentClassifier(**params, **FAST).fit(X, y)
    module = clf.net_.module_
    assert (module.conv is not None) == ("conv_filters" in params)
    assert (module.dense is not None) == ("dense_units" in params)
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(clf.predict_proba(to_post_padding(X)), proba, atol=1e-6)
    for i in (0, 13, 299):
        np.testing.assert_allclose(clf.predict_proba(X[i:i + 1])[0], proba[i], atol=1e-6)
    empty = np.zeros((2, X.shape[1]), dtype=X.dtype)
    assert np.isfinite(clf.predict_proba(empty)).all()
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(clf)).predict_proba(X), proba)


def test_conv_lstm_learns_and_is_grid_searchable(reviews):
    X, y = reviews
    pipe = make_pipeline(TextVectorizer(), LSTMSentimentClassifier(**{**FAST, "max_epochs": 4}))
    grid = {"lstmsentimentclassifier__conv_filters": [None, 8],
            "lstmsentimentclassifier__dense_units": [None, 8]}
    search = GridSearchCV(pipe, grid, cv=2).fit(X, y)
    assert len(search.cv_results_["params"]) == 4
    conv = clone(pipe).set_params(lstmsentimentclassifier__conv_filters=8).fit(X, y)
    X_test, y_test = make_reviews(300, seed=1)
    assert conv.score(X_test, y_test) > 0.65


# --------------------------------------------------------------------------- #
# class and sample weights
# --------------------------------------------------------------------------- #
def _one_bucket(n=120, seed=0):
    """Documents of one length (one bucket): with a batch as large as the data,
    one optimizer step per epoch, so weights can be compared with duplicates."""
    rng = np.random.default_rng(seed)
    X = rng.integers(2, 40, size=(n, 12))
    y = (X[:, :6].sum(axis=1) > X[:, 6:].sum(axis=1)).astype(int)
    return X, y


def test_sample_weight_2_equals_duplicating_the_rows():
    X, y = _one_bucket()
    twice = np.arange(len(X)) % 3 == 0
    params = {**FAST, "max_epochs": 5, "batch_size": 1000, "vocab_size": 40}
    weighted = LSTMSentimentClassifier(**params).fit(X, y, sample_weight=np.where(twice, 2, 1))
    duplicated = LSTMSentimentClassifier(**params).fit(np.r_[X, X[twice]], np.r_[y, y[twice]])
    np.testing.assert_allclose(weighted.predict_proba(X), duplicated.predict_proba(X),
                               atol=1e-5)
    plain = LSTMSentimentClassifier(**params).fit(X, y)
    assert not np.allclose(plain.predict_proba(X), weighted.predict_proba(X), atol=1e-4)


def test_class_weight_dict_equals_the_same_sample_weights():
    X, y = _one_bucket(seed=1)
    params = {**FAST, "batch_size": 1000, "vocab_size": 40}
    by_class = LSTMSentimentClassifier(class_weight={1: 3.0}, **params).fit(X, y)
    by_sample = LSTMSentimentClassifier(**params).fit(X, y, sample_weight=np.where(y == 1, 3, 1))
    np.testing.assert_allclose(by_class.predict_proba(X), by_sample.predict_proba(X), atol=1e-6)


def test_balanced_class_weight_raises_minority_recall_on_imbalanced_imdb(imdb_train):
    X, y = np.asarray(imdb_train.data[:8000], dtype=object), np.asarray(imdb_train.target[:8000])
    pos, neg = np.flatnonzero(y == "positive"), np.flatnonzero(y == "negative")
    train = np.r_[neg[:2850], pos[:150]]  # 95:5
    test = np.r_[neg[2850:3350], pos[150:650]]
    recalls = {}
    for class_weight in (None, "balanced"):
        pipe = make_pipeline(TextVectorizer(maxlen=200, max_features=10000),
                             LSTMSentimentClassifier(class_weight=class_weight,
                                                     **{**TINY, "max_epochs": 5}))
        pipe.fit(list(X[train]), y[train])
        recalls[class_weight] = recall_score(y[test], pipe.predict(list(X[test])),
                                             pos_label="positive")
        # 3,000 documents: early stopping is on, on balanced accuracy with class weights
        history = pipe[-1].history_
        assert ("valid_balanced_accuracy" in history[-1]) == (class_weight is not None)
    assert recalls["balanced"] > recalls[None] + 0.1, recalls  # measured 0.04 -> 0.30


def test_sample_weight_routes_through_a_pipeline_in_cross_validate(reviews):
    X, y = reviews
    weights = np.where(np.asarray(y) == "positive", 5.0, 1.0)
    with sklearn.config_context(enable_metadata_routing=True):
        pipe = make_pipeline(
            TextVectorizer(),
            LSTMSentimentClassifier(**FAST).set_fit_request(sample_weight=True)
            .set_score_request(sample_weight=True))
        cv = KFold(2, shuffle=True, random_state=0)
        routed = cross_validate(pipe, X, y, cv=cv, params={"sample_weight": weights},
                                return_estimator=True)
        plain = cross_validate(pipe, X, y, cv=cv, return_estimator=True)
    for a, b in zip(routed["estimator"], plain["estimator"], strict=True):
        # the weights changed training: positive predictions are more frequent
        assert np.mean(a.predict(X) == "positive") > np.mean(b.predict(X) == "positive")


def test_zero_weight_for_a_class_trains_on_the_others():
    X, y = _one_bucket(seed=2)
    clf = LSTMSentimentClassifier(**{**FAST, "max_epochs": 5}, vocab_size=40)
    clf.fit(X, y, sample_weight=(y == 1).astype(float))  # class 0 weighs nothing
    assert clf.classes_.tolist() == [0, 1] and (clf.predict(X) == 1).all()


def test_bad_weights_are_refused(review_ids):
    X, y, _ = review_ids
    with pytest.raises(ValueError, match="sample_weight"):
        LSTMSentimentClassifier(**FAST).fit(X, y, sample_weight=np.ones(3))
    with pytest.raises(ValueError, match="non-zero"):
        LSTMSentimentClassifier(**FAST).fit(X, y, sample_weight=np.zeros(len(y)))
    with pytest.raises(ValueError, match="'class_weight' parameter"):
        LSTMSentimentClassifier(class_weight="even", **FAST).fit(X, y)


# --------------------------------------------------------------------------- #
# a validation set of the user's, and the score early stopping watches
# --------------------------------------------------------------------------- #
def test_x_val_in_a_pipeline_with_transform_input(reviews):
    X, y = reviews
    X_val, y_val = make_reviews(80, seed=2)
    with sklearn.config_context(enable_metadata_routing=True):
        clf = LSTMSentimentClassifier(**{**FAST, "max_epochs": 3})
        clf.set_fit_request(X_val=True, y_val=True)
        pipe = Pipeline([("vec", TextVectorizer()), ("clf", clf)], transform_input=["X_val"])
        pipe.fit(X, y, X_val=X_val, y_val=y_val)
    fitted = pipe[-1]
    assert fitted.early_stopping_  # 'auto' turns it on with a validation set
    history = fitted.history_
    assert sum(history[-1, "batches", :, "valid_batch_size"]) == 80
    assert sum(history[-1, "batches", :, "train_batch_size"]) == 300  # nothing held out
    best = max(history[:, "valid_acc"])
    assert pipe.score(X_val, y_val) == pytest.approx(best)  # the restored epoch


def test_x_val_and_y_val_go_together(review_ids):
    X, y, vec = review_ids
    with pytest.raises(ValueError, match="X_val and y_val go together: got X_val only"):
        LSTMSentimentClassifier(**FAST).fit(X, y, X_val=X[:10])
    with pytest.raises(ValueError, match="got y_val only"):
        LSTMSentimentClassifier(**FAST).fit(X, y, y_val=y[:10])
    other = TextVectorizer(max_features=10).fit_transform(["a b c", "d e f"])
    with pytest.raises(ValueError, match="another TextVectorizer .* transform_input"):
        LSTMSentimentClassifier(**FAST).fit(X, y, X_val=other, y_val=y[:2])
    with pytest.raises(ValueError, match="not in y"):
        LSTMSentimentClassifier(**FAST).fit(X, y, X_val=X[:2], y_val=["meh", "positive"])


def test_early_stopping_on_a_chosen_score_with_tol(review_ids):
    X, y, _ = review_ids
    X_val, y_val = X[:100], y[:100]
    clf = LSTMSentimentClassifier(scoring="f1_macro", tol=0.001, n_iter_no_change=2,
                                  **{**FAST, "max_epochs": 30}).fit(X, y, X_val=X_val,
                                                                   y_val=y_val)
    history = clf.history_
    scores = history[:, "valid_f1_macro"]
    assert "valid_acc" in history[-1]  # accuracy is still recorded
    best = int(np.argmax(scores))
    assert len(history) == best + 1 + 2  # stopped two epochs after the best
    assert f1_score(y_val, clf.predict(X_val), average="macro") == pytest.approx(scores[best])


def test_scoring_callable_and_validation_without_early_stopping(review_ids):
    X, y, _ = review_ids

    def minority_recall(estimator, X, y):
        return recall_score(y, estimator.predict(X), pos_label=1)

    clf = LSTMSentimentClassifier(scoring=minority_recall, early_stopping=False,
                                  **FAST).fit(X, y, X_val=X[:50], y_val=y[:50])
    assert len(clf.history_[:, "valid_score"]) == FAST["max_epochs"]
    assert not clf.early_stopping_


# --------------------------------------------------------------------------- #
# the n-gram table with many classes
# --------------------------------------------------------------------------- #
def test_many_classes_get_a_factorised_ngram_table_of_bounded_size():
    rng = np.random.default_rng(0)
    X = rng.integers(2, 60, size=(600, 6))
    sizes = {}
    for n_classes in (2, 8, 9, 300):
        y = np.arange(len(X)) % n_classes
        clf = LSTMSentimentClassifier(**{**FAST, "max_epochs": 1}).fit(X, y)
        bag = clf.net_.module_.ngram
        sizes[n_classes] = sum(p.numel() for p in bag.parameters())
        assert clf.predict_proba(X[:3]).shape == (3, n_classes)
        assert (bag.proj is None) == (n_classes <= 8)
    assert sizes[2] == 2**18 * 2 and sizes[8] == 2**18 * 8  # one column per class
    # from 9 classes on: 2**18 rows of 32 columns and a (C, 32) projection
    assert sizes[9] == 2**18 * 32 + 9 * 32 and sizes[300] == 2**18 * 32 + 300 * 32
    explicit = LSTMSentimentClassifier(**{**FAST, "max_epochs": 1}, ngram_buckets=1000)
    bag = explicit.fit(X, np.arange(len(X)) % 300).net_.module_.ngram
    assert bag.table.weight.shape == (1000, 32) and bag.proj.weight.shape == (300, 32)


def test_a_factorised_ngram_path_learns_what_a_plain_one_learns(review_ids):
    # the same documents, 2 classes each split in 5: 10 classes
    X, y, _ = review_ids
    y10 = np.char.add(y.astype(str), (np.arange(len(y)) % 5).astype(str))
    clf = LSTMSentimentClassifier(**{**FAST, "max_epochs": 6}).fit(X, y10)
    assert clf.net_.module_.ngram.proj is not None
    sentiment = np.char.startswith(clf.predict(X).astype(str), "pos")
    assert np.mean(sentiment == (y == "positive")) > 0.85
