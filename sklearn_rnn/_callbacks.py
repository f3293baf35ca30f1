"""scikit-learn's callback API (``sklearn.callback``, scikit-learn >= 1.9).

The estimators join the protocol the way scikit-learn's own do
(``LogisticRegression``, ``Pipeline``, ``GridSearchCV``): ``set_callbacks``
from ``CallbackSupportMixin``, ``fit`` wrapped by ``with_callbacks`` (which
tears the callbacks down however fit ends), a root task opened with
``_init_callback_context`` (the method the protocol documents for estimators)
and, for the classifiers, one subtask per epoch, reported from inside
skorch's training loop by :class:`EpochTasks`. A callback set on a
``GridSearchCV`` or ``Pipeline`` around them reaches them by scikit-learn's
auto-propagation: candidates -> folds -> pipeline steps -> epochs.

On an older scikit-learn the names below fall back to no-ops, and
``set_callbacks`` says which version it needs.
"""

import sklearn
from skorch.callbacks import Callback

__all__ = ["CallbackSupportMixin", "with_callbacks", "EpochTasks", "begin_fit_task",
           "CALLBACK_STATE", "HAS_CALLBACKS"]

try:
    from sklearn.callback import CallbackSupportMixin, with_callbacks

    HAS_CALLBACKS = True
except ImportError:  # scikit-learn < 1.9
    HAS_CALLBACKS = False

    class CallbackSupportMixin:
        """Stand-in on a scikit-learn without ``sklearn.callback``."""

        def set_callbacks(self, *callbacks):
            raise ImportError(
                "set_callbacks needs scikit-learn >= 1.9 (sklearn.callback); this is "
                f"scikit-learn {sklearn.__version__}. Without it, verbose=1 prints the "
                "epoch table."
            )

    def with_callbacks(method):
        return method


#: Attributes of the callback protocol, never pickled with a model.
CALLBACK_STATE = ("_skl_callbacks", "_callback_fit_ctx", "_skl_callbacks_to_teardown",
                  "_parent_callback_ctx")


def begin_fit_task(estimator, X, y, max_subtasks=0, metadata=None):
    """Open the estimator's root task and call ``on_fit_task_begin``; None when
    there is no callback API or nothing listens (callbacks or a parent task)."""
    if not HAS_CALLBACKS or not (getattr(estimator, "_skl_callbacks", None)
                                 or hasattr(estimator, "_parent_callback_ctx")):
        return None
    context = estimator._init_callback_context(max_subtasks=max_subtasks)
    context.call_on_fit_task_begin(estimator=estimator, X=X, y=y, metadata=metadata)
    return context


class EpochTasks(Callback):
    """skorch callback: one callback subtask per epoch of a fit.

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
