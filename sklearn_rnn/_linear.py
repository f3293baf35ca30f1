"""NBSVM: naive-Bayes log-count ratios scaling the features of a logistic regression.

Shapes: ``N`` documents, ``F`` features, ``K`` classes (``K`` ratio and
coefficient rows for ``K > 2`` classes, one row for two classes).

Wang & Manning (2012), "Baselines and Bigrams: Simple, Good Sentiment and
Topic Classification", in its logistic-regression form: each feature is
scaled by the log-count ratio ``r = log((p / |p|_1) / (q / |q|_1))`` of
its (binarised) counts ``p`` in the documents of a class and ``q`` in the
others, each smoothed by ``alpha``, and a logistic regression is fitted on
the scaled features. The text layer: numpy and scikit-learn only.
"""

from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.linear_model import LogisticRegression
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.extmath import safe_sparse_dot
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from ._utils._validation import AllErrorsMixin

__all__ = ["NBSVMClassifier"]


class NBSVMClassifier(AllErrorsMixin, ClassifierMixin, BaseEstimator):
    """NBSVM: a logistic regression on features scaled by naive-Bayes log-count ratios.

    Wang & Manning's (2012) NBSVM in its logistic-regression form, the
    strongest simple baseline for sentiment and topic classification with
    few labels. Put a ``CountVectorizer`` (``binary=True``, word 1-2 grams)
    before it. In ``fit``, from the training documents only, each feature
    ``f`` gets its log-count ratio

    ``r_f = log((p_f / |p|_1) / (q_f / |q|_1))``,

    where ``p = alpha + (binarised counts summed over the documents of the
    class)`` and ``q`` the same over the other documents; a logistic
    regression is then fitted on the features times ``r``. Two classes give
    one ratio vector (the second class of ``classes_`` against the first);
    more classes one per class, each against the rest (one-vs-rest, one
    logistic regression per class).

    Parameters
    ----------
    C : float, default=4.0
        Inverse of the L2 regularisation strength of the logistic regression
        (scikit-learn's ``LogisticRegression(C=...)``).
    alpha : float, default=1.0
        Smoothing added to every feature's count in each class before the
        ratios are taken (Laplace smoothing for 1).
    binarize : bool, default=True
        Read each feature as present (1) or absent (0), as Wang & Manning
        do; False keeps the values as given (counts, TF-IDF weights).
    class_weight : dict, 'balanced' or None, default=None
        Weights of the classes in the logistic regression's loss, as in
        scikit-learn's classifiers (multiplied with ``sample_weight``).
    max_iter : int, default=1000
        Most iterations of the logistic regression's solver (lbfgs).
    tol : float, default=1e-4
        Its stopping tolerance.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The labels seen in ``fit``.
    log_count_ratios_ : ndarray of shape (1, n_features) or (n_classes, n_features)
        The ratios ``r`` learnt in ``fit``: one row for two classes (evidence
        for ``classes_[1]``), else one row per class (that class against the
        rest).
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
        The effective coefficients, in the input's feature space: the
        logistic regression's coefficients times ``r``, so that
        ``decision_function(X)`` is ``X' @ coef_.T + intercept_`` with ``X'``
        the input (binarised when ``binarize``).
    intercept_ : ndarray of shape (1,) or (n_classes,)
    n_iter_ : ndarray of shape (1,) or (n_classes,)
        Iterations of each logistic regression's solver.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Defined when ``X`` has string feature names (a DataFrame).

    See Also
    --------
    sklearn.linear_model.LogisticRegression : The model fitted on the scaled features.
    sklearn.naive_bayes.MultinomialNB : Naive Bayes alone.
    explain : Per-word shares of a pipeline's prediction (from ``coef_``).

    Notes
    -----
    The ratios are learnt in ``fit``, so in a ``Pipeline`` under
    ``cross_val_score`` or ``GridSearchCV`` each fold sees only its own
    training documents' labels. ``X`` must be non-negative (counts, or
    other non-negative weights with ``binarize=False``). Wang & Manning's
    SVM form adds an interpolation with the naive-Bayes weights; the
    logistic-regression form here has none (the popular "NBSVM"/"NB-LR"
    baseline).

    References
    ----------
    S. Wang and C. D. Manning, "Baselines and Bigrams: Simple, Good Sentiment
    and Topic Classification", ACL 2012.

    Examples
    --------
    >>> from sklearn.feature_extraction.text import CountVectorizer
    >>> from sklearn.model_selection import cross_val_score
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn_rnn import NBSVMClassifier
    >>> docs = ["a great film", "loved it", "what a waste", "dull and long",
    ...         "great acting", "boring plot", "a joy", "so bad"]
    >>> y = ["pos", "pos", "neg", "neg", "pos", "neg", "pos", "neg"]
    >>> pipe = make_pipeline(CountVectorizer(ngram_range=(1, 2), binary=True),
    ...                      NBSVMClassifier())
    >>> cross_val_score(pipe, docs, y, cv=2).shape
    (2,)
    >>> pipe.fit(docs, y).predict(["a great joy"])
    array(['pos'], dtype='<U3')
    >>> pipe[-1].coef_.shape == (1, len(pipe[0].vocabulary_))
    True
    """

    __module__ = "sklearn_rnn"

    _parameter_constraints = {
        "C": [Interval(Real, 0, None, closed="neither")],
        "alpha": [Interval(Real, 0, None, closed="neither")],
        "binarize": ["boolean"],
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(self, *, C=4.0, alpha=1.0, binarize=True, class_weight=None, max_iter=1000,
                 tol=1e-4):
        self.C = C
        self.alpha = alpha
        self.binarize = binarize
        self.class_weight = class_weight
        self.max_iter = max_iter
        self.tol = tol

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Learn the log-count ratios from ``X, y``, then the logistic regression.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (N, F)
            Non-negative features, such as ``CountVectorizer``'s counts.
        y : array-like of shape (N,)
            Labels (at least two classes).
        sample_weight : array-like of shape (N,), default=None
            Weights of the documents, in the counts and in the loss.

        Returns
        -------
        self : NBSVMClassifier
        """
        X, y = validate_data(self, X, y, accept_sparse="csr", dtype=(np.float64, np.float32))
        X = self._features(X, "fit")
        check_classification_targets(y)
        classes, y_index = np.unique(y, return_inverse=True)
        if len(classes) < 2:
            raise ValueError(
                f"NBSVMClassifier needs documents of at least 2 classes; y has only one "
                f"class: {classes[0]!r}. Give it labelled documents of every class."
            )
        sample_weight = _check_sample_weight(sample_weight, X, dtype=np.float64)
        # (K, N) one-hot of the classes weighted by the documents' weights
        one_hot = sp.csr_array((sample_weight, (y_index, np.arange(len(y_index)))),
                               shape=(len(classes), X.shape[0]))
        counts = np.asarray(safe_sparse_dot(one_hot, X, dense_output=True))  # (K, F)
        loss_weight = sample_weight
        if self.class_weight is not None:
            loss_weight = sample_weight * compute_class_weight(
                self.class_weight, classes=classes, y=y)[y_index]
        if len(classes) == 2:  # one ratio vector: classes_[1] against classes_[0]
            problems = [(counts[1], counts[0], y_index == 1)]
        else:  # one per class, against the rest
            rest = counts.sum(axis=0)
            problems = [(counts[k], rest - counts[k], y_index == k) for k in range(len(classes))]
        ratios, coef, intercept, n_iter = [], [], [], []
        for p, q, positive in problems:
            r = _log_count_ratio(p, q, self.alpha)
            lr = LogisticRegression(C=self.C, max_iter=self.max_iter, tol=self.tol)
            lr.fit(_scale(X, r), positive.astype(np.int64), sample_weight=loss_weight)
            ratios.append(r)
            coef.append(lr.coef_[0] * r)
            intercept.append(lr.intercept_[0])
            n_iter.append(lr.n_iter_[0])
        self.classes_ = classes
        self.log_count_ratios_ = np.vstack(ratios)
        self.coef_ = np.vstack(coef)
        self.intercept_ = np.asarray(intercept)
        self.n_iter_ = np.asarray(n_iter)
        return self

    def _features(self, X, method):
        """``X`` checked non-negative, binarised when ``binarize``."""
        values = X.data if sp.issparse(X) else X
        if values.size and values.min() < 0:
            raise ValueError(
                f"Negative values in data passed to NBSVMClassifier.{method}: it reads "
                f"non-negative features such as CountVectorizer's counts (the smallest value "
                f"here is {values.min():g}). Give it counts or other non-negative weights, "
                "not centred or scaled features."
            )
        if not self.binarize:
            return X
        if sp.issparse(X):
            X = X.copy()
            X.data = (X.data > 0).astype(X.dtype)
            X.eliminate_zeros()
            return X
        return (X > 0).astype(X.dtype)

    def decision_function(self, X):
        """Decision values: ``X' @ coef_.T + intercept_`` (``X'``: ``X``
        binarised when ``binarize``).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (N, F)

        Returns
        -------
        scores : ndarray of shape (N,) or (N, K)
            The log-odds of ``classes_[1]`` for two classes; else each
            class's one-vs-rest log-odds.
        """
        check_is_fitted(self)
        X = validate_data(self, X, accept_sparse="csr", reset=False,
                          dtype=(np.float64, np.float32))
        X = self._features(X, "decision_function")
        scores = safe_sparse_dot(X, self.coef_.T, dense_output=True) + self.intercept_
        scores = np.asarray(scores)
        return scores[:, 0] if scores.shape[1] == 1 else scores

    def predict(self, X):
        """The most likely class of each row.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (N, F)

        Returns
        -------
        y : ndarray of shape (N,)
        """
        scores = self.decision_function(X)
        index = (scores > 0).astype(np.int64) if scores.ndim == 1 else scores.argmax(axis=1)
        return self.classes_[index]

    def predict_proba(self, X):
        """Class probabilities: the logistic of the decision value for two
        classes; for more, the one-vs-rest probabilities normalised to sum
        to 1 (as scikit-learn's one-vs-rest logistic regression).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (N, F)

        Returns
        -------
        proba : ndarray of shape (N, n_classes)
        """
        scores = self.decision_function(X)
        if scores.ndim == 1:
            p = expit(scores)
            return np.column_stack([1.0 - p, p])
        p = expit(scores)
        return p / p.sum(axis=1, keepdims=True)

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (N, F)

        Returns
        -------
        log_proba : ndarray of shape (N, n_classes)
        """
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.input_tags.positive_only = True
        return tags


def _log_count_ratio(p, q, alpha):
    """``log((p + alpha) / |p + alpha|_1) - log((q + alpha) / |q + alpha|_1)``."""
    p = np.asarray(p, dtype=np.float64) + alpha
    q = np.asarray(q, dtype=np.float64) + alpha
    return np.log(p / p.sum()) - np.log(q / q.sum())


def _scale(X, r):
    """``X`` with each column multiplied by ``r`` (CSR stays CSR)."""
    if sp.issparse(X):
        return sp.csr_matrix(X.multiply(r.astype(X.dtype)))
    return X * r.astype(X.dtype)


# doctests of the class above (its __module__ is the public one)
__test__ = {"NBSVMClassifier": NBSVMClassifier}
