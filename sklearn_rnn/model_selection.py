"""Cross-validation with unlabelled documents.

:class:`SemiSupervisedSplit` wraps a cross-validation splitter so that the
documents marked unlabelled (``y == -1``, scikit-learn's semi-supervised
convention) are in every training fold and never in a test fold: scores are
computed on labelled documents only, and no test document is seen in
training, as unlabelled text or otherwise. Only numpy and scikit-learn.
"""

from numbers import Integral

import numpy as np
from sklearn.model_selection import StratifiedKFold, check_cv
from sklearn.model_selection._split import BaseCrossValidator
from sklearn.utils.validation import _num_samples

from ._utils._validation import unlabelled_mask

__all__ = ["SemiSupervisedSplit"]


class SemiSupervisedSplit(BaseCrossValidator):
    """Cross-validation folds over the labelled documents; every unlabelled
    document in every training fold.

    The labelled documents (``y != unlabelled_label``) are split by ``cv``
    (stratified 5-fold by default); each training fold gets all the
    unlabelled ones besides. A test fold holds labelled documents only, so a
    score never counts an unlabelled document, and a test document is never
    part of the training text (for the vocabulary, word vectors or a
    teacher's soft targets).

    Parameters
    ----------
    cv : int, cross-validation generator or None, default=None
        How to split the labelled documents: None for 5-fold, an int for
        that many folds (stratified, as ``check_cv``
        makes them for a classifier), or a splitter such as
        ``StratifiedKFold(5, shuffle=True, random_state=0)``.
    unlabelled_label : int, float, str or None, default=-1
        The label that marks an unlabelled document (a number never matches
        a string: ``-1`` is not ``'-1'``).

    See Also
    --------
    sklearn_rnn.DistilledClassifier : Learns from unlabelled documents.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rnn.model_selection import SemiSupervisedSplit
    >>> y = np.array([0, 1, 0, 1, -1, -1, 0, 1, -1, 0, 1, 0, 1, 0, 1])
    >>> cv = SemiSupervisedSplit(cv=3)
    >>> for train, test in cv.split(np.zeros((15, 1)), y):
    ...     print(sorted(set(y[test].tolist())), bool(np.isin([4, 5, 8], train).all()))
    [0, 1] True
    [0, 1] True
    [0, 1] True
    >>> cv.get_n_splits()
    3
    """

    def __init__(self, cv=None, *, unlabelled_label=-1):
        self.cv = cv
        self.unlabelled_label = unlabelled_label

    def _inner(self, y_labelled=None):
        if self.cv is None:
            return StratifiedKFold(5)
        if isinstance(self.cv, Integral) and y_labelled is None:
            return StratifiedKFold(self.cv)
        return check_cv(self.cv, y_labelled, classifier=True)

    def split(self, X, y, groups=None):
        """Yield ``(train, test)`` indices.

        Parameters
        ----------
        X : array-like or sequence of documents
        y : array-like of shape (N,)
            Labels, ``unlabelled_label`` for an unlabelled document.
        groups : array-like of shape (N,), default=None
            Passed on to ``cv`` for the labelled documents.

        Yields
        ------
        train : ndarray
            The fold's labelled training documents and every unlabelled one.
        test : ndarray
            Labelled documents only.
        """
        if y is None:
            raise ValueError("SemiSupervisedSplit needs y to tell the unlabelled documents.")
        y = np.asarray(y)
        if len(y) != _num_samples(X):
            raise ValueError(f"y has {len(y)} labels for {_num_samples(X)} documents.")
        unlabelled = unlabelled_mask(y, self.unlabelled_label)
        labelled = np.flatnonzero(~unlabelled)
        if not len(labelled):
            raise ValueError("Every document is unlabelled: there is nothing to score.")
        extra = np.flatnonzero(unlabelled)
        inner = self._inner(y[labelled])
        sub_groups = None if groups is None else np.asarray(groups)[labelled]
        for train, test in inner.split(np.zeros((len(labelled), 1)), y[labelled], sub_groups):
            yield np.sort(np.concatenate([labelled[train], extra])), labelled[test]

    def get_n_splits(self, X=None, y=None, groups=None):
        """The number of folds.

        Parameters
        ----------
        X, y, groups : object, default=None
            As for ``split`` (the labelled part is what ``cv`` splits).

        Returns
        -------
        n_splits : int
        """
        if y is None:
            return self._inner().get_n_splits(X, y, groups)
        y = np.asarray(y)
        labelled = np.flatnonzero(~unlabelled_mask(y, self.unlabelled_label))
        sub = None if groups is None else np.asarray(groups)[labelled]
        return self._inner(y[labelled]).get_n_splits(np.zeros((len(labelled), 1)),
                                                     y[labelled], sub)

    def _iter_test_indices(self, X=None, y=None, groups=None):  # pragma: no cover
        for _, test in self.split(X, y, groups):
            yield test


# doctests of the class above
__test__ = {"SemiSupervisedSplit": SemiSupervisedSplit}
