"""Combining text classifiers: a stack fitted on one held-out split.

The main job's combined row, as an estimator of its own: the members (any
classifiers with ``predict_proba``: pipelines from raw text included) are
fitted on most of the training documents and predict the rest; a logistic
regression learns, from those held-out predictions, how much each member's
log-odds is worth; the members are then fitted on every training document.
A weak or over-confident member gets a small coefficient instead of pulling
an average down. When a member alone was more accurate on the held-out
documents than the stack (scored by cross-validation there), the stack
passes that member's probabilities through: the combination is never worse,
on documents it did not train on, than its better member.

One split, not scikit-learn's ``StackingClassifier`` k folds: a recurrent
member costs minutes per fit, and the stack is fitted on 20% of the
documents by copies trained on 80% (``benchmarks/results/transfer.md``).
"""

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context, clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict, train_test_split
from sklearn.utils import _safe_indexing, check_random_state
from sklearn.utils._param_validation import HasMethods, Interval
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _num_samples, check_is_fitted, column_or_1d, indexable

from ._utils._validation import aligned_proba

__all__ = ["HoldoutStackingClassifier"]

#: Probabilities are clipped to this before their logarithm is taken.
_EPS = 1e-7


def _log_odds(probas):
    """Stacking features: each member's log-odds (two classes) or centred
    log-probabilities (more), side by side."""
    logs = [np.log(np.clip(np.asarray(p, dtype=float), _EPS, 1.0)) for p in probas]
    if logs[0].shape[1] == 2:
        return np.column_stack([lp[:, 1] - lp[:, 0] for lp in logs])
    return np.hstack([lp - lp.mean(axis=1, keepdims=True) for lp in logs])


def _accuracy(proba, classes, truth):
    return float(np.mean(classes[np.asarray(proba).argmax(axis=1)] == truth))


class HoldoutStackingClassifier(ClassifierMixin, BaseEstimator):
    """Stack classifiers with a logistic regression fitted on one held-out split.

    ``fit`` trains a copy of each member on ``1 - holdout`` of the documents
    (a stratified split), has it predict the other ``holdout``, and fits
    ``final_estimator`` on the members' log-odds for those documents (with
    more than two classes, their centred log-probabilities). The members
    are then fitted on all the documents. With ``keep_better=True``, when a
    member alone was more accurate on the held-out documents than the stack
    (whose accuracy there is measured by 5-fold cross-validation, so that
    no document scores a regression it trained), the stack passes that
    member's probabilities through instead (``alone_``).

    Parameters
    ----------
    estimators : list of (str, estimator)
        The members: classifiers with ``predict_proba`` and the same classes,
        e.g. pipelines from raw text (TF-IDF + LogisticRegression, a
        TextVectorizer + LSTMSentimentClassifier).
    final_estimator : classifier, default=None
        Fitted on the members' held-out log-odds; None:
        ``LogisticRegression(C=1.0, max_iter=1000)``.
    holdout : float, default=0.2
        Share of the documents held out to fit ``final_estimator`` on.
    keep_better : bool, default=True
        Use the better member alone when it beat the stack on the held-out
        documents.
    random_state : int, RandomState instance or None, default=None
        The split (and the cross-validation scoring the stack).

    Attributes
    ----------
    estimators_ : list of estimator
        The members, fitted on all the documents.
    named_estimators_ : dict
        The same, by name.
    final_estimator_ : estimator
        Fitted on the held-out log-odds.
    classes_ : ndarray of shape (n_classes,)
    alone_ : int or None
        Index of the member used alone instead of the stack, or None.
    holdout_scores_ : dict
        Held-out accuracy of each member (``'members'``, a list), of the
        stack (``'stack'``, by cross-validation; NaN with fewer than two
        held-out documents per class) and the number of held-out documents
        (``'n_held_out'``).

    See Also
    --------
    sklearn.ensemble.StackingClassifier : k-fold stacking (each member
        fitted k + 1 times).

    Examples
    --------
    >>> from sklearn.feature_extraction.text import TfidfVectorizer
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.naive_bayes import MultinomialNB
    >>> from sklearn.feature_extraction.text import CountVectorizer
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn_rnn import HoldoutStackingClassifier
    >>> X = ["a great film", "what a waste", "great acting", "so bad", "loved it",
    ...      "boring plot", "a great cast", "bad and boring", "superb", "awful"] * 2
    >>> y = [1, 0, 1, 0, 1, 0, 1, 0, 1, 0] * 2
    >>> stack = HoldoutStackingClassifier(
    ...     [("tfidf", make_pipeline(TfidfVectorizer(), LogisticRegression())),
    ...      ("nb", make_pipeline(CountVectorizer(), MultinomialNB()))],
    ...     holdout=0.4, random_state=0).fit(X, y)
    >>> stack.predict(["a great film", "so boring"]).shape, stack.classes_.tolist()
    ((2,), [0, 1])
    """

    __module__ = "sklearn_rnn"

    _parameter_constraints = {
        "estimators": [list],
        "final_estimator": [HasMethods(["fit", "predict_proba"]), None],
        "holdout": [Interval(Real, 0, 1, closed="neither")],
        "keep_better": ["boolean"],
        "random_state": ["random_state"],
    }

    def __init__(self, estimators, *, final_estimator=None, holdout=0.2, keep_better=True,
                 random_state=None):
        self.estimators = estimators
        self.final_estimator = final_estimator
        self.holdout = holdout
        self.keep_better = keep_better
        self.random_state = random_state

    def _check_estimators(self):
        if not self.estimators or not all(
            isinstance(pair, tuple) and len(pair) == 2 and isinstance(pair[0], str)
            and hasattr(pair[1], "predict_proba") for pair in self.estimators
        ):
            raise ValueError(
                "estimators must be a non-empty list of (name, classifier) pairs whose "
                f"classifiers have predict_proba, got {self.estimators!r}."
            )
        names = [name for name, _ in self.estimators]
        if len(set(names)) != len(names):
            raise ValueError(f"estimators must have distinct names, got {names}.")

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, *, fitted_estimators=None):
        """Fit the stack on a held-out split, then the members on everything.

        Parameters
        ----------
        X : sequence of documents or array-like of shape (N, ...)
            What the members take (raw text for text pipelines).
        y : array-like of shape (N,)
        fitted_estimators : list of estimator, default=None
            Members already fitted on these ``X, y``, one per entry of
            ``estimators`` and in its order (models you trained and scored
            before): they become ``estimators_`` instead of being fitted
            again. The held-out stage still fits copies of ``estimators``.

        Returns
        -------
        self : object
        """
        self._check_estimators()
        if y is None:
            raise ValueError(f"{type(self).__name__} requires y to be passed, but the target "
                             "y is None.")
        X, = indexable(X)
        y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        if _num_samples(X) == 0:
            raise ValueError("Found 0 documents: fit needs documents of at least 2 classes.")
        if len(y) != _num_samples(X):
            raise ValueError(f"y has {len(y)} labels for {_num_samples(X)} documents: give "
                             "one label per document.")
        classes, counts = np.unique(y, return_counts=True)
        if len(classes) < 2:
            raise ValueError(f"y has 1 class ({classes[0]!r}); a classifier needs at least 2.")
        if fitted_estimators is not None and len(fitted_estimators) != len(self.estimators):
            raise ValueError(f"fitted_estimators has {len(fitted_estimators)} members, "
                             f"estimators {len(self.estimators)}: give one per member.")
        seed = self.random_state  # an int is used as it is, for the split and the folds
        if seed is not None and not isinstance(seed, Integral):
            seed = check_random_state(seed).randint(np.iinfo(np.int32).max)
        stratify = y if counts.min() >= 2 else None
        train, held = train_test_split(np.arange(len(y)), test_size=self.holdout,
                                       random_state=seed, stratify=stratify)
        probas = []
        for _, member in self.estimators:
            copy = clone(member).fit(_safe_indexing(X, train), y[train])
            probas.append(aligned_proba(copy, copy.predict_proba(_safe_indexing(X, held)),
                                       classes, _member_lacks))
        truth = y[held]
        self.final_estimator_ = clone(
            self.final_estimator if self.final_estimator is not None
            else LogisticRegression(C=1.0, max_iter=1000)
        ).fit(_log_odds(probas), truth)
        folds = min(5, int(np.unique(truth, return_counts=True)[1].min()))
        if folds >= 2 and len(np.unique(truth)) >= 2:
            pred = cross_val_predict(clone(self.final_estimator_), _log_odds(probas), truth,
                                     cv=StratifiedKFold(folds, shuffle=True, random_state=seed))
            stack = float(np.mean(pred == truth))
        else:
            stack = float("nan")
        members = [_accuracy(p, classes, truth) for p in probas]
        # a stack of a strong and a much weaker member can end below the
        # strong one (the weaker one's held-out copy misleads the
        # regression): then the better member alone is the combination, as
        # it was on held-out data
        self.alone_ = (int(np.argmax(members))
                       if self.keep_better and not stack >= max(members) else None)
        self.holdout_scores_ = {"members": members, "stack": stack, "n_held_out": len(truth)}
        if fitted_estimators is None:
            fitted_estimators = [clone(member).fit(X, y) for _, member in self.estimators]
        for model in fitted_estimators:
            check_is_fitted(model)
            if not np.array_equal(np.asarray(model.classes_), classes):
                raise ValueError(f"A fitted member has classes {list(model.classes_)!r}, "
                                 f"y has {list(classes)!r}: fit it on these documents.")
        self.estimators_ = list(fitted_estimators)
        self.classes_ = classes
        return self

    def combine(self, member_probas):
        """The stack's probabilities from its members' (a list, one
        ``(N, C)`` array per member in ``estimators`` order): what
        :meth:`predict_proba` does once the members have predicted.

        Parameters
        ----------
        member_probas : list of ndarray of shape (N, C)

        Returns
        -------
        proba : ndarray of shape (N, C)
        """
        check_is_fitted(self)
        if self.alone_ is not None:
            return np.asarray(member_probas[self.alone_])
        proba = self.final_estimator_.predict_proba(_log_odds(member_probas))
        order = [list(self.final_estimator_.classes_).index(c) for c in self.classes_]
        return proba[:, order]

    def predict_proba(self, X):
        """Class probabilities of each document.

        Parameters
        ----------
        X : sequence of documents or array-like

        Returns
        -------
        proba : ndarray of shape (N, C)
            Columns follow ``classes_``.
        """
        check_is_fitted(self)
        if self.alone_ is not None:
            return np.asarray(self.estimators_[self.alone_].predict_proba(X))
        return self.combine([aligned_proba(m, m.predict_proba(X), self.classes_, _member_lacks)
                             for m in self.estimators_])

    def predict(self, X):
        """The most probable class of each document.

        Parameters
        ----------
        X : sequence of documents or array-like

        Returns
        -------
        y : ndarray of shape (N,)
        """
        proba = self.predict_proba(X)
        return self.classes_[proba.argmax(axis=1)]

    @property
    def named_estimators_(self):
        """The fitted members by name (a view of ``estimators_``: computed,
        not stored, so that a saved model holds each member once)."""
        check_is_fitted(self)
        return {name: model for (name, _), model
                in zip(self.estimators, self.estimators_, strict=True)}

    @property
    def n_features_in_(self):
        """The first member's ``n_features_in_`` (when it has one)."""
        check_is_fitted(self)
        return self.estimators_[0].n_features_in_

    def describe(self, names=None):
        """What the combination is made of, in words: the coefficient of
        each member, or which member is used alone.

        Parameters
        ----------
        names : list of str, default=None
            What to call the members; their names in ``estimators`` by default.

        Returns
        -------
        text : str
        """
        check_is_fitted(self)
        names = names or [name for name, _ in self.estimators]
        if self.alone_ is not None:
            return f"{names[self.alone_]} alone: it beat the stack on the held-out documents"
        coef = getattr(self.final_estimator_, "coef_", None)
        if coef is None:
            return f"{type(self.final_estimator_).__name__} on the members' log-odds"
        if coef.shape[0] == 1:  # two classes: one coefficient per member
            return ", ".join(f"{c:.2f} x {n}" for c, n in zip(coef[0], names, strict=True))
        width = coef.shape[1] // len(names)
        return ", ".join(f"|{np.abs(coef[:, i * width:(i + 1) * width]).mean():.2f}| x {n}"
                         for i, n in enumerate(names))


def _member_lacks(lacking, own):
    return (f"A member never saw the classes {lacking!r} in its part of the documents: give "
            "more documents of each class or a larger holdout.")


# doctests of the class above (its __module__ is the public one)
__test__ = {"HoldoutStackingClassifier": HoldoutStackingClassifier}
