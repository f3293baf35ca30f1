"""Every skorch callback of a fit: the epoch table, early stopping, the
validation score, the one-class check and scikit-learn's epoch tasks.

Shapes: ``B`` documents in a batch, ``C`` classes.
"""

import sys

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin
from skorch.callbacks import (
    Callback,
    EarlyStopping,
    EpochScoring,
    GradientNormClipping,
    PrintLog,
    ProgressBar,
)
from skorch.dataset import unpack_data
from skorch.utils import Ansi, noop

__all__ = ["BestEpochStopping", "TerminalPrintLog", "PredictedClasses", "BatchAccuracy",
           "EpochTasks",
           "accuracy", "make_scoring", "scoring_name", "make_callbacks", "probabilities"]


def probabilities(logits):
    """Class probabilities ``(N, C)`` float64 numpy array of logits ``(N, C)``
    (the one softmax of the Python path; ONNX export has its own in the graph)."""
    return torch.softmax(logits.double(), dim=1).numpy()


class BestEpochStopping(EarlyStopping):
    """skorch's EarlyStopping, but the epoch that triggers the stop is still
    printed (skorch's PrintLog runs after it and never sees that epoch)."""

    def on_epoch_end(self, net, **kwargs):
        messages = []
        sink, self.sink = self.sink, messages.append
        try:
            super().on_epoch_end(net, **kwargs)
        except KeyboardInterrupt:
            for _, callback in net.callbacks_:
                if isinstance(callback, PrintLog):
                    callback.on_epoch_end(net, **kwargs)
            raise
        finally:
            self.sink = sink
            for message in messages:
                sink(message)


class TerminalPrintLog(PrintLog):
    """skorch's epoch table, coloured only when it goes to a terminal (no ANSI
    codes in redirected output and log files)."""

    def format_row(self, row, key, color):
        if self.sink is print and sys.stdout.isatty():
            return super().format_row(row, key, color)
        return str(super().format_row(row, key, color="")).replace(Ansi.ENDC.value, "")


class PredictedClasses(Callback):
    """Records how many classes the training batches' outputs predicted in
    each epoch (``history[:, 'train_classes']``, and ``'train_class'``, the
    class index, when there was one), from the outputs training computes
    anyway: no extra pass to tell a model that learnt one class."""

    def on_epoch_begin(self, net, **kwargs):
        self.seen_ = None

    def on_batch_end(self, net, batch=None, training=False, y_pred=None, **kwargs):
        if training and y_pred is not None:
            seen = torch.zeros(y_pred.shape[1], dtype=torch.bool, device=y_pred.device)
            seen[y_pred.detach().argmax(dim=1)] = True
            self.seen_ = seen if self.seen_ is None else self.seen_ | seen

    def on_epoch_end(self, net, **kwargs):
        if self.seen_ is not None:
            net.history.record("train_classes", int(self.seen_.sum()))
            if int(self.seen_.sum()) == 1:
                net.history.record("train_class", int(self.seen_.nonzero()[0, 0]))


class EpochTasks(Callback):
    """One scikit-learn callback subtask per epoch of a fit.

    Parameters
    ----------
    context : sklearn.callback.CallbackContext
        The fit's root task.
    estimator : estimator
        The estimator being fitted (what the hooks receive).
    X, y : the training data, for the hooks that ask for them.
    fitted_attributes : callable
        ``net -> dict`` of the fitted attributes that make a copy of the
        estimator predict as if fit had stopped at this epoch.
    """

    def __init__(self, context, estimator, X, y, fitted_attributes):
        self.context = context
        self.estimator = estimator
        self.X = X
        self.y = y
        self.fitted_attributes = fitted_attributes

    def on_epoch_begin(self, net, **kwargs):
        self.epoch_context_ = self.context.subcontext(task_name="epoch")
        self.epoch_context_.call_on_fit_task_begin(estimator=self.estimator)

    def on_epoch_end(self, net, **kwargs):
        stop = self.epoch_context_.call_on_fit_task_end(
            estimator=self.estimator, X=self.X, y=self.y,
            reconstruction_attributes=lambda: self.fitted_attributes(net),
        )
        if stop:  # a callback asked to stop: end training as early stopping does
            raise KeyboardInterrupt

    def __getstate__(self):  # never part of a saved model
        return {}


def accuracy(net, X, y):
    """Accuracy of ``net`` on the dataset ``X`` (labels ``y``)."""
    return float(np.mean(net.predict(X) == np.asarray(y)))


class BatchAccuracy(EpochScoring):
    """The epoch's accuracy counted batch by batch from the outputs training
    (``on_train=True``) or validation computes anyway.

    skorch's ``EpochScoring`` keeps every batch's outputs and joins them at
    the epoch's end: an ``(N, C)`` array, 800 MB for 20,000 documents of
    10,000 classes, and as much again to join it. Counting the argmax keeps
    two integers, and gives the same figure.
    """

    def __init__(self, name, on_train=False):
        super().__init__(accuracy, name=name, on_train=on_train, lower_is_better=False,
                         use_caching=False)

    def _initialize_cache(self):
        super()._initialize_cache()
        self.correct_, self.seen_ = 0, 0

    def on_batch_end(self, net, batch, y_pred, training, **kwargs):
        if training != self.on_train or y_pred is None:
            return
        _, y = unpack_data(batch)
        if y is None:
            return
        y = torch.as_tensor(y, device=y_pred.device)
        labelled = y >= 0  # -1: a document with soft targets only
        self.correct_ += int((y_pred.detach().argmax(dim=1) == y)[labelled].sum())
        self.seen_ += int(labelled.sum())

    def on_epoch_end(self, net, dataset_train=None, dataset_valid=None, **kwargs):
        if (dataset_train if self.on_train else dataset_valid) is None or not self.seen_:
            return
        self._record_score(net.history, self.correct_ / self.seen_)


class _NetAsClassifier(ClassifierMixin, BaseEstimator):
    """What a scikit-learn scorer needs of a net: ``predict``/``predict_proba``
    on a dataset and ``classes_`` (the encoded labels)."""

    def __init__(self, net=None, n_classes=2):
        self.net = net
        self.n_classes = n_classes

    @property
    def classes_(self):
        return np.arange(self.n_classes)

    def predict(self, X):
        return self.net.predict(X)

    def predict_proba(self, X):
        return probabilities(self.net.forward(X))


def make_scoring(scoring, n_classes):
    """An ``EpochScoring`` function for a scikit-learn scorer name or callable."""
    from sklearn.metrics import get_scorer

    scorer = get_scorer(scoring) if isinstance(scoring, str) else scoring

    def score(net, X, y):
        value = float(scorer(_NetAsClassifier(net, n_classes), X, np.asarray(y)))
        if not np.isfinite(value):
            raise ValueError(
                f"The validation score {scoring!r} returned {value}: early stopping "
                "cannot compare epochs on it. Use a scorer that returns a finite number."
            )
        return value

    return score


def scoring_name(scoring):
    """The history key of the validation score: ``valid_acc`` by default."""
    if scoring is None:
        return "valid_acc"
    return f"valid_{scoring if isinstance(scoring, str) else 'score'}"


def make_callbacks(*, clip_grad_norm, early_stopping, n_iter_no_change, verbose, extra,
                   scoring=None, tol=0.0, n_classes=2, validation=False):
    """The skorch callbacks of a fit: clipping, the validation score, early
    stopping on it, progress, the user's."""
    callbacks = [("train_classes", PredictedClasses())]
    if clip_grad_norm is not None:
        callbacks.append(("gradient_clipping", GradientNormClipping(clip_grad_norm)))
    monitor = scoring_name(scoring)
    if scoring is not None and (validation or early_stopping):
        callbacks.append((monitor, EpochScoring(make_scoring(scoring, n_classes), name=monitor,
                                                lower_is_better=False)))
    if early_stopping:
        callbacks.append((
            "early_stopping",
            BestEpochStopping(
                # accuracy by default, not loss: on IMDB the validation loss
                # bottoms out an epoch or two before the accuracy peaks, as the
                # network grows confident (benchmarks/results/tune_defaults.json)
                monitor=monitor,
                lower_is_better=False,
                patience=n_iter_no_change,
                threshold=tol,
                threshold_mode="abs",
                load_best=True,
                sink=print if verbose else noop,
            ),
        ))
    if verbose and verbose >= 2:
        callbacks.append(("progress_bar", ProgressBar()))
    callbacks.extend(extra or [])
    return callbacks
