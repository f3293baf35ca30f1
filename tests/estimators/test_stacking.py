"""HoldoutStackingClassifier: a logistic regression on the members' held-out
log-odds, or the better member alone (the main job's combined row)."""

import pickle

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score
from sklearn.naive_bayes import MultinomialNB
from sklearn.pipeline import make_pipeline

from sklearn_rnn import HoldoutStackingClassifier


class Column(ClassifierMixin, BaseEstimator):
    """A test double: its probabilities are given in X, columns
    ``start:start + n_classes`` (so a member's quality is set by the data)."""

    def __init__(self, start=0):
        self.start = start

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        self.fits_ = getattr(self, "fits_", 0) + 1
        return self

    def predict_proba(self, X):
        X = np.asarray(X, dtype=float)
        p = X[:, self.start:self.start + len(self.classes_)]
        return p / p.sum(axis=1, keepdims=True)

    def predict(self, X):
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


def _members(n, seed):
    """A good, modestly confident member and a confident member that is
    barely better than chance (a weak RNN row), as columns of X: the first
    two hold the good member's probabilities, the last two the weak one's."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 2, n)
    good = 1 / (1 + np.exp(-1.0 - rng.normal(0, 1, n)))  # p(true class): right ~80%
    p_good = np.where(truth == 1, good, 1 - good)
    weak = rng.random(n) < 0.55  # right 55% of the time, always 99% sure
    p_weak = np.where(weak == (truth == 1), 0.99, 0.01)
    return np.column_stack([1 - p_good, p_good, 1 - p_weak, p_weak]), truth


def _stack(**params):
    return HoldoutStackingClassifier([("good", Column(0)), ("weak", Column(2))], **params)


def test_an_overconfident_weak_member_does_not_pull_the_stack_down():
    X, y = _members(5000, 0)  # the stack learns from 1,000 held-out documents
    stack = _stack(keep_better=False, random_state=0).fit(X, y)
    X_test, y_test = _members(5000, 1)
    good = np.mean(X_test[:, :2].argmax(1) == y_test)
    weak = np.mean(X_test[:, 2:].argmax(1) == y_test)
    mean = np.mean((X_test[:, :2] + X_test[:, 2:]).argmax(1) == y_test)
    assert weak < 0.6 < good
    assert mean < good - 0.05  # the plain average is pulled down by the weak member
    assert stack.score(X_test, y_test) >= good - 0.01  # the stack is not
    coef = stack.final_estimator_.coef_[0]
    assert abs(coef[1]) < 0.25 * abs(coef[0])
    assert "x good" in stack.describe()
    assert "x best" in stack.describe(["best", "worst"])


def test_the_better_member_alone_when_it_beat_the_stack_on_held_out_documents():
    outcomes = set()
    for seed in range(8):
        X, y = _members(1500, seed)
        stack = _stack(random_state=seed).fit(X, y)
        scores = stack.holdout_scores_
        fell_back = scores["stack"] < max(scores["members"])
        assert (stack.alone_ is not None) == fell_back
        assert scores["n_held_out"] == 300
        outcomes.add(fell_back)
        X_test, _ = _members(50, 100 + seed)
        if fell_back:
            assert stack.alone_ == int(np.argmax(scores["members"]))
            members = [X_test[:, :2], X_test[:, 2:]]
            np.testing.assert_allclose(stack.predict_proba(X_test), members[stack.alone_])
            assert "alone" in stack.describe()
        else:
            assert not np.allclose(stack.predict_proba(X_test), X_test[:, :2])
    assert outcomes == {True, False}  # both paths taken on these data


def test_classes_keep_their_order_and_probabilities_sum_to_one():
    rng = np.random.default_rng(2)
    y = np.array(["b", "a", "c"] * 100)
    idx = np.searchsorted(["a", "b", "c"], y)
    columns = []
    for noise in (0.5, 2.0):
        logits = np.eye(3)[idx] * 2 + rng.normal(0, noise, (len(y), 3))
        p = np.exp(logits)
        columns.append(p / p.sum(1, keepdims=True))
    X = np.hstack(columns)
    stack = HoldoutStackingClassifier([("a", Column(0)), ("b", Column(3))],
                                      keep_better=False, random_state=0).fit(X, y)
    proba = stack.predict_proba(X)
    assert stack.classes_.tolist() == ["a", "b", "c"]
    np.testing.assert_allclose(proba.sum(1), 1.0)
    assert np.mean(stack.predict(X) == y) > 0.9
    np.testing.assert_allclose(stack.combine([X[:, :3], X[:, 3:]]), proba)


def test_fitted_estimators_are_used_as_they_are_and_copies_train_the_stack():
    X, y = _members(400, 3)
    given = [Column(0).fit(X, y), Column(2).fit(X, y)]
    stack = _stack(random_state=0).fit(X, y, fitted_estimators=given)
    assert stack.estimators_[0] is given[0] and stack.estimators_[1] is given[1]
    assert given[0].fits_ == 1  # not fitted again
    assert set(stack.named_estimators_) == {"good", "weak"}
    refit = _stack(random_state=0).fit(X, y)
    assert refit.estimators_[0] is not stack.estimators[0][1]  # clones, not the given ones
    np.testing.assert_allclose(refit.predict_proba(X), stack.predict_proba(X))


def test_on_raw_text_in_cross_validation_and_pickle(reviews):
    X, y = reviews
    stack = HoldoutStackingClassifier(
        [("tfidf", make_pipeline(TfidfVectorizer(), LogisticRegression())),
         ("nb", make_pipeline(CountVectorizer(), MultinomialNB()))], random_state=0)
    scores = cross_val_score(stack, X, y, cv=3)
    assert scores.mean() > 0.6
    fitted = clone(stack).fit(X, y)
    again = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(again.predict_proba(X[:20]), fitted.predict_proba(X[:20]))


@pytest.mark.parametrize("params, message", [
    (dict(estimators=[]), "non-empty list of \\(name, classifier\\) pairs"),
    (dict(estimators=[("a", LogisticRegression()), ("a", MultinomialNB())]), "distinct names"),
    (dict(estimators=[("a", CountVectorizer())]), "predict_proba"),
])
def test_bad_members_are_refused_with_the_reason(params, message):
    X, y = _members(100, 0)
    with pytest.raises(ValueError, match=message):
        HoldoutStackingClassifier(**params).fit(X, y)


def test_fitted_estimators_must_match_the_members_and_the_labels():
    X, y = _members(200, 0)
    with pytest.raises(ValueError, match="one per member"):
        _stack().fit(X, y, fitted_estimators=[Column(0).fit(X, y)])
    with pytest.raises(ValueError, match="fit it on these documents"):
        _stack().fit(X, y, fitted_estimators=[Column(0).fit(X, y + 5), Column(2).fit(X, y)])
