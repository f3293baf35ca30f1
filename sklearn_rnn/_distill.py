"""Distillation: a fast student learns from a teacher's probabilities on
unlabelled documents.

A meta-estimator in the style of scikit-learn's ``SelfTrainingClassifier``
(``y == -1`` marks an unlabelled document): the teacher (any classifier with
``predict_proba``, e.g. an NBSVM pipeline) is fitted on the labelled
documents and gives class probabilities for every document; the student, a
recurrent classifier or a pipeline ending in one, is fitted on all of them
with those soft targets and the hard labels (the recurrent classifiers' fit
parameter ``soft_targets``). Once fitted it is the student alone that
predicts: its speed, its explanations, its saved file.

Only scikit-learn here: the student's module imports torch when it is used.
"""

import copy
import inspect
from numbers import Integral, Real

import numpy as np
from sklearn import get_config
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, _fit_context, clone
from sklearn.pipeline import Pipeline
from sklearn.utils import _safe_indexing, check_random_state, get_tags
from sklearn.utils._param_validation import HasMethods, Interval
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _num_samples, check_is_fitted, column_or_1d, indexable

from ._utils._validation import aligned_proba, unlabelled_mask

__all__ = ["DistilledClassifier"]


class DistilledClassifier(MetaEstimatorMixin, ClassifierMixin, BaseEstimator):
    """Distil a teacher's probabilities on unlabelled documents into a student.

    ``fit(X, y)`` with ``y == unlabelled_label`` (-1, scikit-learn's
    semi-supervised convention) for the unlabelled documents:

    1. a copy of ``teacher`` is fitted on the labelled documents
       (``teacher_``; a fitted teacher wrapped in
       ``FrozenEstimator`` is used as it is);
    2. it predicts class probabilities for the labelled documents and the
       unlabelled ones (at most ``max_unlabelled`` of them, drawn with
       ``random_state``);
    3. a copy of ``student`` is fitted on those documents with the
       probabilities as soft targets: its loss is ``(1 - soft_weight)``
       times the cross-entropy on the labelled documents plus
       ``soft_weight * temperature**2`` times the divergence from the
       teacher's probabilities (softened to ``temperature``) on all of them
       (``student_``).

    The student predicts: ``predict``, ``predict_proba`` and
    ``score`` are ``student_``'s, at its speed, and
    :func:`sklearn_rnn.explain` explains ``student_``. A student that is
    neither a recurrent classifier nor a pipeline ending in one (its ``fit``
    has no ``soft_targets``) learns the teacher's most probable class for
    the unlabelled documents instead (hard targets).

    Parameters
    ----------
    teacher : classifier
        Any classifier with ``predict_proba`` that takes the same ``X``, e.g.
        ``make_pipeline(CountVectorizer(binary=True), NBSVMClassifier())``,
        or a fitted one in ``FrozenEstimator``.
    student : classifier
        A :class:`~sklearn_rnn.LSTMSentimentClassifier` (or another
        recurrent classifier), or a ``Pipeline``
        ending in one (``make_pipeline(TextVectorizer(), LSTMSentimentClassifier())``):
        the soft targets reach its last step as ``<step>__soft_targets``.
    temperature : float, default=1.0
        Temperature of the divergence (> 0): above 1 the student also learns
        how the teacher ranks the classes it did not choose. 1 was as good as
        any on IMDB (the user guide's semi-supervised page).
    soft_weight : float, default=0.5
        Weight of the soft targets in the student's loss, in [0, 1]; the
        labelled documents' cross-entropy weighs ``1 - soft_weight``.
    max_unlabelled : int, default=None
        Use at most this many unlabelled documents (drawn at random); None:
        all of them.
    unlabelled_label : int, float, str or None, default=-1
        The label that marks an unlabelled document (compared as by the
        recurrent classifiers: ``-1`` never matches the string ``'-1'``).
        None: every document is labelled.
    random_state : int, RandomState instance or None, default=None
        Which unlabelled documents ``max_unlabelled`` keeps.

    Attributes
    ----------
    teacher_ : classifier
        The teacher, fitted on the labelled documents.
    student_ : classifier
        The student, fitted on the teacher's probabilities.
    classes_ : ndarray of shape (n_classes,)
        The labels, without ``unlabelled_label``.
    n_unlabelled_ : int
        How many unlabelled documents the student learnt from.

    See Also
    --------
    sklearn_rnn.NBSVMClassifier : A strong, fast teacher for text.
    sklearn_rnn.model_selection.SemiSupervisedSplit : Cross-validation folds
        that keep the unlabelled documents in training.

    Notes
    -----
    scikit-learn's ``SelfTrainingClassifier`` follows the same ``y == -1``
    convention; it retrains the model on its own confident predictions
    instead of learning from a teacher.

    Examples
    --------
    >>> from sklearn.feature_extraction.text import TfidfVectorizer
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn_rnn import DistilledClassifier, LSTMSentimentClassifier, TextVectorizer
    >>> docs = ["a great film", "loved it", "what a waste", "dull and long",
    ...         "great acting", "boring plot", "a great joy", "so dull"]
    >>> y = [1, 1, 0, 0, -1, -1, -1, -1]  # -1: unlabelled
    >>> distilled = DistilledClassifier(
    ...     make_pipeline(TfidfVectorizer(), LogisticRegression()),
    ...     make_pipeline(TextVectorizer(), LSTMSentimentClassifier(
    ...         hidden_size=8, max_epochs=2, random_state=0)),
    ...     random_state=0).fit(docs, y)
    >>> distilled.classes_.tolist(), distilled.n_unlabelled_
    ([0, 1], 4)
    >>> distilled.predict(["a great plot"]).shape
    (1,)
    """

    __module__ = "sklearn_rnn"

    _parameter_constraints = {
        "teacher": [HasMethods(["fit", "predict_proba"])],
        "student": [HasMethods(["fit", "predict"])],
        "temperature": [Interval(Real, 0, None, closed="neither")],
        "soft_weight": [Interval(Real, 0, 1, closed="both")],
        "max_unlabelled": [Interval(Integral, 0, None, closed="left"), None],
        "unlabelled_label": [Real, str, None],
        "random_state": ["random_state"],
    }

    def __init__(self, teacher, student, *, temperature=1.0, soft_weight=0.5,
                 max_unlabelled=None, unlabelled_label=-1, random_state=None):
        self.teacher = teacher
        self.student = student
        self.temperature = temperature
        self.soft_weight = soft_weight
        self.max_unlabelled = max_unlabelled
        self.unlabelled_label = unlabelled_label
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Fit the teacher on the labelled documents, then the student on
        its probabilities for all of them.

        Parameters
        ----------
        X : sequence of documents or array-like of shape (N, ...)
            What the teacher and the student take (raw text for text
            pipelines).
        y : array-like of shape (N,)
            Labels; ``unlabelled_label`` (-1) for an unlabelled document.

        Returns
        -------
        self : object
        """
        if y is None:
            raise ValueError(f"{type(self).__name__} requires y to be passed, but the target "
                             "y is None.")
        X, = indexable(X)
        y = column_or_1d(y, warn=True)
        n = _num_samples(X)
        if len(y) != n:
            raise ValueError(f"y has {len(y)} labels for {n} documents: give one label per "
                             "document.")
        unlabelled = unlabelled_mask(y, self.unlabelled_label)
        labelled = np.flatnonzero(~unlabelled)
        if not len(labelled):
            raise ValueError(
                f"Every document is unlabelled (y == {self.unlabelled_label!r}): the "
                "teacher needs labelled documents of at least 2 classes."
            )
        check_classification_targets(y[labelled])
        classes = np.unique(y[labelled])
        if len(classes) < 2:
            raise ValueError(f"The labelled documents have 1 class ({classes[0]!r}); a "
                             "classifier needs at least 2.")
        pool = np.flatnonzero(unlabelled)
        if self.max_unlabelled is not None and len(pool) > self.max_unlabelled:
            rng = check_random_state(self.random_state)
            pool = np.sort(rng.choice(pool, self.max_unlabelled, replace=False))
        teacher = clone(self.teacher).fit(_safe_indexing(X, labelled), y[labelled])
        rows = np.sort(np.concatenate([labelled, pool]))
        X_student = _safe_indexing(X, rows)
        proba = aligned_proba(teacher, teacher.predict_proba(X_student), classes,
                              _teacher_lacks)
        student = clone(self.student)
        step, final = _final_step(student)
        y_student = y[rows]
        if _takes_soft_targets(final):
            if self.unlabelled_label is not None and "unlabelled_label" in final.get_params():
                final.set_params(unlabelled_label=self.unlabelled_label)
            if get_config().get("enable_metadata_routing") and step is not None:
                # with routing on, a pipeline passes what its steps request
                final.set_fit_request(soft_targets=True, soft_weight=True, temperature=True)
                step = ""
            prefix = "" if not step else f"{step}__"
            params = {f"{prefix}soft_targets": proba,
                      f"{prefix}soft_weight": self.soft_weight,
                      f"{prefix}temperature": self.temperature}
            student.fit(X_student, y_student, **params)
        else:  # hard targets: the teacher's most probable class
            y_student = y_student.copy()
            guessed = unlabelled[rows]
            y_student[guessed] = classes[proba[guessed].argmax(axis=1)]
            student.fit(X_student, y_student)
        if not np.array_equal(np.asarray(student.classes_), classes):
            raise ValueError(f"The student learnt the classes {list(student.classes_)!r}, "
                             f"the labelled documents have {list(classes)!r}.")
        self.teacher_ = teacher
        self.student_ = student
        self.classes_ = classes
        self.n_unlabelled_ = len(pool)
        return self

    def predict(self, X):
        """The student's prediction for each document.

        Parameters
        ----------
        X : sequence of documents or array-like

        Returns
        -------
        y : ndarray of shape (N,)
        """
        check_is_fitted(self)
        return self.student_.predict(X)

    def predict_proba(self, X):
        """The student's class probabilities for each document.

        Parameters
        ----------
        X : sequence of documents or array-like

        Returns
        -------
        proba : ndarray of shape (N, C)
            Columns follow ``classes_``.
        """
        check_is_fitted(self)
        return self.student_.predict_proba(X)

    @property
    def n_features_in_(self):
        """The student's ``n_features_in_`` (when it has one)."""
        check_is_fitted(self)
        return self.student_.n_features_in_

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # what both take: the student's input tags, sparse when both are
        student, teacher = get_tags(self.student), get_tags(self.teacher)
        tags.input_tags = copy.copy(student.input_tags)
        tags.input_tags.sparse = student.input_tags.sparse and teacher.input_tags.sparse
        tags.input_tags.allow_nan = (student.input_tags.allow_nan
                                     and teacher.input_tags.allow_nan)
        tags.non_deterministic = student.non_deterministic or teacher.non_deterministic
        return tags


def _final_step(estimator):
    """``(name, last step)`` of a pipeline, ``(None, estimator)`` otherwise."""
    if isinstance(estimator, Pipeline):
        name, last = estimator.steps[-1]
        return name, last
    return None, estimator


def _takes_soft_targets(estimator):
    try:
        return "soft_targets" in inspect.signature(estimator.fit).parameters
    except (TypeError, ValueError):
        return False


def _teacher_lacks(lacking, own):
    return (f"The teacher has no column for the classes {lacking!r} (its classes_ are "
            f"{own!r}): fit it on these labels.")


# doctests of the class above (its __module__ is the public one)
__test__ = {"DistilledClassifier": DistilledClassifier}
