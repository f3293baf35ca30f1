"""Unlabelled documents in fit: ``y == -1`` (scikit-learn's convention), soft
targets, and scikit-learn's SelfTrainingClassifier around a recurrent
classifier."""

import warnings

import numpy as np
import pytest
from sklearn.pipeline import make_pipeline
from sklearn.semi_supervised import SelfTrainingClassifier

from sklearn_rnn import LSTMSentimentClassifier, TextVectorizer

from ..conftest import FAST


@pytest.fixture(scope="module")
def reviews(imdb_tiny):
    """300 real reviews, integer labels (1 positive), and 100 of them marked -1."""
    X, y = imdb_tiny
    y = (np.asarray(y) == "positive").astype(int)
    semi = y.copy()
    semi[200:] = -1
    return list(X), y, semi


def _ids(X):
    vec = TextVectorizer(maxlen=100, max_features=2000).fit(X)
    return vec.transform(X)


def test_unlabelled_rows_through_a_pipeline_are_no_class(reviews):
    X, y, semi = reviews
    pipe = make_pipeline(TextVectorizer(maxlen=100, max_features=2000),
                         LSTMSentimentClassifier(**FAST)).fit(X, semi)
    clf = pipe[-1]
    assert clf.classes_.tolist() == [0, 1]  # -1 used to become a third class
    assert set(np.unique(pipe.predict(X))) <= {0, 1}
    assert pipe.predict_proba(X).shape == (300, 2)
    # the vectorizer saw every document, the unlabelled ones too
    assert pipe[0].vocabulary_ == TextVectorizer(maxlen=100, max_features=2000).fit(X).vocabulary_


def test_unlabelled_rows_change_nothing_in_the_loss(reviews):
    X, y, semi = reviews
    ids = _ids(X)  # one vocabulary for both fits
    with_extra = LSTMSentimentClassifier(**FAST).fit(ids, semi)
    labelled = np.flatnonzero(semi >= 0)
    alone = LSTMSentimentClassifier(**FAST).fit(ids[labelled], semi[labelled])
    np.testing.assert_array_equal(with_extra.history_[:, "train_loss"],
                                  alone.history_[:, "train_loss"])
    np.testing.assert_allclose(with_extra.predict_proba(ids), alone.predict_proba(ids),
                               atol=1e-6)


def test_without_the_marker_minus_one_is_a_class(reviews):
    X, y, semi = reviews
    clf = LSTMSentimentClassifier(unlabelled_label=None, **FAST).fit(_ids(X), semi)
    assert clf.classes_.tolist() == [-1, 0, 1]


def test_a_string_marker_and_string_labels(reviews):
    X, y, semi = reviews
    labels = np.where(semi == -1, "?", np.where(semi == 1, "pos", "neg"))
    clf = LSTMSentimentClassifier(unlabelled_label="?", **FAST).fit(_ids(X), labels)
    assert clf.classes_.tolist() == ["neg", "pos"]
    # -1 among object labels is unlabelled; the string '-1' is a class, with a warning
    mixed = np.array([-1 if s == -1 else ("pos" if s else "neg") for s in semi], dtype=object)
    assert LSTMSentimentClassifier(**FAST).fit(_ids(X), mixed).classes_.tolist() == [
        "neg", "pos"]
    text = np.where(semi == -1, "-1", labels)
    with pytest.warns(UserWarning, match="'-1' is taken as a class"):
        clf = LSTMSentimentClassifier(**FAST).fit(_ids(X), text)
    assert "-1" in clf.classes_.tolist()


def test_every_row_unlabelled_is_a_clear_error(reviews):
    X, _, _ = reviews
    with pytest.raises(ValueError, match="Every document is unlabelled"):
        LSTMSentimentClassifier(**FAST).fit(_ids(X), np.full(len(X), -1))


def test_self_training_around_a_recurrent_classifier(imdb_train):
    # SelfTrainingClassifier validates X into a plain array: the classifier
    # sees no vocabulary and sizes its embedding from the labelled rows'
    # ids, which the unlabelled rows' ids can exceed. vocab_size=
    # max_features + 2 (padding, unknown) sizes it for every id the
    # vectorizer makes, as the user guide says (without it, the benchmark's
    # 2,000 labelled + 10,000 unlabelled reviews fail in predict_proba).
    X = list(imdb_train.data[:400])
    semi = (np.asarray(imdb_train.target[:400]) == "positive").astype(int)
    semi[100:] = -1

    def pipe(**params):
        return make_pipeline(
            TextVectorizer(maxlen=100, max_features=3000),
            SelfTrainingClassifier(LSTMSentimentClassifier(**FAST, **params), threshold=0.6,
                                   max_iter=2))

    fitted = pipe(vocab_size=3002).fit(X, semi)
    st = fitted[-1]
    assert st.classes_.tolist() == [0, 1]
    assert set(np.unique(fitted.predict(X))) <= {0, 1}
    assert (st.labeled_iter_[:100] == 0).all()  # the given labels, from the start


def test_soft_targets_train_on_unlabelled_rows(reviews):
    X, y, semi = reviews
    ids = _ids(X)
    # soft targets that know the truth, unlabelled rows included: the model
    # must learn from them (the loss path reaches those rows)
    truth = np.column_stack([1 - y, y]) * 0.9 + 0.05
    soft = LSTMSentimentClassifier(**{**FAST, "max_epochs": 4}).fit(
        ids, semi, soft_targets=truth, soft_weight=1.0)
    plain = LSTMSentimentClassifier(**{**FAST, "max_epochs": 4}).fit(ids, semi)
    assert soft.history_[:, "train_loss"] != plain.history_[:, "train_loss"]
    # soft_weight=0: the divergence weighs nothing, the unlabelled rows add nothing
    zero = LSTMSentimentClassifier(**FAST).fit(ids, semi, soft_targets=truth, soft_weight=0.0)
    assert zero.classes_.tolist() == [0, 1]
    assert np.isfinite(zero.history_[:, "train_loss"]).all()


@pytest.mark.parametrize("bad, match", [
    (np.full((299, 2), 0.5), r"shape \(299, 2\); it must be \(n_samples, n_classes\) = "
                             r"\(300, 2\)"),
    (np.full((300, 3), 1 / 3), "one column per class"),
    (np.full((300, 2), 0.7), "must sum to 1"),
    (np.tile([1.5, -0.5], (300, 1)), "non-negative"),
    (np.full((300, 2), np.nan), "finite"),
    ("not numbers", "array of numbers"),
])
def test_soft_targets_are_checked(reviews, bad, match):
    X, _, semi = reviews
    with pytest.raises(ValueError, match=match):
        LSTMSentimentClassifier(**FAST).fit(_ids(X), semi, soft_targets=bad)


@pytest.mark.parametrize("params, match", [
    ({"soft_weight": 1.5}, "soft_weight must be a number in"),
    ({"temperature": 0}, "temperature must be a finite number > 0"),
])
def test_soft_settings_are_checked(reviews, params, match):
    X, _, semi = reviews
    with pytest.raises(ValueError, match=match):
        LSTMSentimentClassifier(**FAST).fit(_ids(X), semi, soft_targets=np.full((300, 2), 0.5),
                                            **params)


def test_soft_targets_with_early_stopping_validate_on_labelled_rows(reviews):
    X, y, semi = reviews
    truth = np.column_stack([1 - y, y]).astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf = LSTMSentimentClassifier(early_stopping=True, ngram_init="nb",
                                      class_weight="balanced", **FAST).fit(
            _ids(X), semi, soft_targets=truth, temperature=2.0)
    # 10% of the 200 labelled documents; never an unlabelled one (its label
    # -1 would count as a wrong prediction)
    assert np.isfinite(clf.history_[:, "valid_loss"]).all()
    assert clf.classes_.tolist() == [0, 1]


def test_semi_supervised_split_keeps_unlabelled_rows_in_training(reviews):
    from sklearn.model_selection import GroupKFold, KFold

    from sklearn_rnn.model_selection import SemiSupervisedSplit

    X, y, semi = reviews
    unlabelled = set(np.flatnonzero(semi == -1))
    for cv in (SemiSupervisedSplit(), SemiSupervisedSplit(cv=3),
               SemiSupervisedSplit(KFold(4, shuffle=True, random_state=0))):
        folds = list(cv.split(X, semi))
        assert len(folds) == cv.get_n_splits(X, semi)
        tested = np.concatenate([test for _, test in folds])
        assert not unlabelled & set(tested)  # never scored
        assert sorted(tested) == sorted(np.flatnonzero(semi != -1))  # each labelled once
        for train, test in folds:
            assert unlabelled <= set(train) and not set(train) & set(test)
    groups = np.arange(len(X)) % 7
    for train, test in SemiSupervisedSplit(GroupKFold(3)).split(X, semi, groups):
        assert not set(groups[train[semi[train] != -1]]) & set(groups[test])
    # string labels with a string marker
    labels = np.where(semi == -1, "?", np.where(semi == 1, "pos", "neg"))
    for _, test in SemiSupervisedSplit(unlabelled_label="?").split(X, labels):
        assert "?" not in labels[test]
    with pytest.raises(ValueError, match="Every document is unlabelled"):
        next(SemiSupervisedSplit().split(X, np.full(len(X), -1)))


def test_cross_val_score_with_unlabelled_documents(reviews):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_score

    from sklearn_rnn.model_selection import SemiSupervisedSplit

    X, y, semi = reviews
    pipe = make_pipeline(TfidfVectorizer(),
                         SelfTrainingClassifier(LogisticRegression(), max_iter=2))
    scores = cross_val_score(pipe, X, semi, cv=SemiSupervisedSplit(cv=3))
    assert scores.shape == (3,) and (scores > 0.5).all()
