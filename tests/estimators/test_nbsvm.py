"""NBSVMClassifier: its contract, the log-count ratios, binarisation, smoothing, errors."""

import pickle

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.special import expit
from sklearn.base import clone
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_rnn import NBSVMClassifier

from ..conftest import make_reviews


@pytest.fixture(scope="module")
def counts():
    """Binary 1-2 gram counts of 200 synthetic reviews, and their labels."""
    docs, y = make_reviews(200, seed=0)
    X = CountVectorizer(ngram_range=(1, 2), binary=True).fit_transform(docs)
    return X, y


def _ratio(p, q, alpha):
    """The log-count ratio as Wang & Manning define it, written out."""
    p, q = np.asarray(p, float) + alpha, np.asarray(q, float) + alpha
    return np.log((p / np.abs(p).sum()) / (q / np.abs(q).sum()))


def test_binary_fit_gives_effective_coefficients_in_the_input_space(counts):
    X, y = counts
    clf = NBSVMClassifier().fit(X, y)
    F = X.shape[1]
    assert clf.classes_.tolist() == ["negative", "positive"]
    assert clf.coef_.shape == clf.log_count_ratios_.shape == (1, F)
    assert clf.intercept_.shape == clf.n_iter_.shape == (1,)
    assert clf.n_features_in_ == F
    scores = clf.decision_function(X)
    assert scores.shape == (X.shape[0],)
    np.testing.assert_allclose(scores, (X @ clf.coef_.T).ravel() + clf.intercept_[0])
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba[:, 1], expit(scores))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_allclose(clf.predict_log_proba(X), np.log(proba))
    assert (clf.predict(X) == clf.classes_[(scores > 0).astype(int)]).all()
    assert clf.score(X, y) > 0.9  # the sentiment words decide these labels


def test_ratios_are_the_smoothed_log_count_ratios_of_the_fit_data():
    X = sp.csr_matrix(np.array([[1, 0, 0], [1, 1, 0], [0, 1, 0], [0, 1, 1]]))
    y = np.array(["a", "a", "b", "b"])
    for alpha in (1.0, 0.5):
        clf = NBSVMClassifier(alpha=alpha).fit(X, y)
        # evidence for classes_[1] = 'b': p over b's rows, q over a's
        np.testing.assert_allclose(clf.log_count_ratios_[0],
                                   _ratio([0, 2, 1], [2, 1, 0], alpha))


def test_ratios_come_from_the_fit_data_only(counts):
    X, y = counts
    first = NBSVMClassifier().fit(X[:100], y[:100])
    second = clone(first).fit(X[100:], y[100:])
    assert not np.allclose(first.log_count_ratios_, second.log_count_ratios_)
    # refitting on the first half again gives back its ratios: nothing is kept
    again = second.fit(X[:100], y[:100])
    np.testing.assert_allclose(again.log_count_ratios_, first.log_count_ratios_)


def test_binarize_reads_counts_as_presence(counts):
    X, y = counts
    many = X.multiply(np.arange(1, X.shape[1] + 1) % 4 + 1).tocsr()  # counts 1 to 4
    binary = NBSVMClassifier().fit(X, y)
    from_counts = NBSVMClassifier().fit(many, y)
    np.testing.assert_allclose(from_counts.log_count_ratios_, binary.log_count_ratios_)
    np.testing.assert_allclose(from_counts.decision_function(many), binary.decision_function(X))
    as_given = NBSVMClassifier(binarize=False).fit(many, y)
    assert not np.allclose(as_given.log_count_ratios_, binary.log_count_ratios_)


def test_more_smoothing_shrinks_the_ratios(counts):
    X, y = counts
    sizes = [np.abs(NBSVMClassifier(alpha=a).fit(X, y).log_count_ratios_).max()
             for a in (0.1, 1.0, 10.0)]
    assert sizes[0] > sizes[1] > sizes[2]


def test_multiclass_is_one_vs_rest_with_a_ratio_row_per_class():
    docs, y = make_reviews(150, seed=1)
    y = np.where(np.arange(150) % 3 == 0, "other", y)  # a third class
    X = CountVectorizer(binary=True).fit_transform(docs)
    clf = NBSVMClassifier().fit(X, y)
    assert clf.classes_.tolist() == ["negative", "other", "positive"]
    assert clf.coef_.shape == clf.log_count_ratios_.shape == (3, X.shape[1])
    counts = np.array([np.asarray(X[y == c].sum(axis=0)).ravel() for c in clf.classes_])
    for k in range(3):  # class k against the other two
        np.testing.assert_allclose(clf.log_count_ratios_[k],
                                   _ratio(counts[k], counts.sum(axis=0) - counts[k], 1.0))
    scores = clf.decision_function(X)
    np.testing.assert_allclose(scores, X @ clf.coef_.T + clf.intercept_)
    assert (clf.predict(X) == clf.classes_[scores.argmax(axis=1)]).all()
    np.testing.assert_allclose(clf.predict_proba(X).sum(axis=1), 1.0)


@pytest.mark.parametrize("labels", [[-1, 1], [False, True], ["neg", "pos"], [0.0, 2.0]])
def test_any_labels_come_back_as_given(counts, labels):
    X, y = counts
    y = np.where(y == "positive", labels[1], labels[0])
    clf = NBSVMClassifier().fit(X, y)
    assert clf.classes_.tolist() == sorted(labels)
    assert clf.predict(X).dtype == y.dtype


def test_sample_weight_2_equals_duplicating_the_rows(counts):
    X, y = counts
    w = np.where(np.arange(X.shape[0]) % 5 == 0, 2.0, 1.0)
    twice = np.flatnonzero(w == 2)
    weighted = NBSVMClassifier().fit(X, y, sample_weight=w)
    repeated = NBSVMClassifier().fit(sp.vstack([X, X[twice]]), np.r_[y, y[twice]])
    np.testing.assert_allclose(weighted.log_count_ratios_, repeated.log_count_ratios_)
    np.testing.assert_allclose(weighted.decision_function(X), repeated.decision_function(X),
                               rtol=1e-3, atol=1e-3)


def test_class_weight_moves_the_predictions_toward_the_heavy_class(counts):
    X, y = counts
    plain = NBSVMClassifier(C=0.01).fit(X, y)
    heavy = NBSVMClassifier(C=0.01, class_weight={"negative": 100.0, "positive": 1.0}).fit(X, y)
    assert (heavy.predict(X) == "negative").mean() > (plain.predict(X) == "negative").mean()


def test_clone_and_pickle_keep_the_model(counts):
    X, y = counts
    clf = NBSVMClassifier(C=2.0, alpha=0.5).fit(X, y)
    assert clone(clf).get_params() == clf.get_params()
    loaded = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(loaded.decision_function(X), clf.decision_function(X))


def test_pipeline_cross_validates_on_raw_text():
    docs, y = make_reviews(120, seed=2)
    pipe = make_pipeline(CountVectorizer(ngram_range=(1, 2), binary=True), NBSVMClassifier())
    scores = cross_val_score(pipe, docs, y, cv=3)
    assert scores.shape == (3,) and scores.min() > 0.8


def test_negative_features_are_refused_with_the_reason(counts):
    X, y = counts
    centred = X.toarray() - 0.5
    with pytest.raises(ValueError, match=r"Negative values in data passed to "
                                         r"NBSVMClassifier.fit: .*non-negative .*counts"):
        NBSVMClassifier().fit(centred, y)
    clf = NBSVMClassifier().fit(X, y)
    with pytest.raises(ValueError, match="NBSVMClassifier.decision_function"):
        clf.predict(centred)


def test_one_class_and_bad_parameters_are_refused(counts):
    X, y = counts
    with pytest.raises(ValueError, match="at least 2 classes; y has only one class"):
        NBSVMClassifier().fit(X, np.full(X.shape[0], "positive"))
    with pytest.raises(InvalidParameterError, match=r"(?s)'C' .*'alpha' "):
        NBSVMClassifier(C=-1.0, alpha=0.0).fit(X, y)
    with pytest.raises(ValueError, match="features"):
        NBSVMClassifier().fit(X, y).predict(X[:, :10])


def test_nbsvm_is_public_and_needs_no_torch(run_python):
    code = ("import sys, sklearn_rnn\n"
            "from sklearn.feature_extraction.text import CountVectorizer\n"
            "X = CountVectorizer().fit_transform(['a good film', 'a bad film'])\n"
            "sklearn_rnn.NBSVMClassifier().fit(X, [1, 0]).predict(X)\n"
            "print(sklearn_rnn.NBSVMClassifier.__module__, 'torch' in sys.modules)")
    assert run_python("-c", code).stdout.split() == ["sklearn_rnn", "False"]
