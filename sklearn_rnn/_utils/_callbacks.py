"""scikit-learn's callback API (``sklearn.callback``, scikit-learn >= 1.9).

The estimators join the protocol the way scikit-learn's own do
(``LogisticRegression``, ``Pipeline``, ``GridSearchCV``): ``set_callbacks``
from ``CallbackSupportMixin``, ``fit`` wrapped by ``_fit_context`` (which
tears the callbacks down however fit ends), a root task opened with
``_init_callback_context`` (the method the protocol documents for estimators)
and, for the classifiers, one subtask per epoch, reported from inside
skorch's training loop by ``sklearn_rnn._nn._callbacks.EpochTasks``. A
callback set on a ``GridSearchCV`` or ``Pipeline`` around them reaches them
by scikit-learn's auto-propagation: candidates -> folds -> pipeline steps ->
epochs.

On an older scikit-learn, ``set_callbacks`` says which version it needs.
"""

import sklearn

__all__ = ["CallbackSupportMixin", "begin_fit_task", "CALLBACK_STATE", "HAS_CALLBACKS"]

try:
    from sklearn.callback import CallbackSupportMixin

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
