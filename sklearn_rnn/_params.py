"""Parameter routing of the classifiers: skorch pass-through parameters
(``module__*``, ``optimizer__*``...), nested ``embeddings__*`` options, and a
``clone`` that shares pretrained word vectors.
"""

import copy

from ._embeddings import PretrainedEmbeddings
from ._validation import suggest
from ._vectors_io import is_word_vectors

__all__ = ["PassThroughParamsMixin", "PASS_THROUGH_PREFIXES"]

#: Prefixes of the skorch parameters passed through to ``net_`` (skorch's own).
#: Written out rather than read from ``NeuralNet.prefixes_``: that list also
#: holds ``dataset`` and ``train_split``, which this estimator sets itself, and
#: this tuple is the contract of what users may pass.
PASS_THROUGH_PREFIXES = (
    "module", "optimizer", "criterion", "callbacks", "iterator_train", "iterator_valid",
)


class PassThroughParamsMixin:
    """``get_params``/``set_params``/``clone`` with skorch pass-through parameters.

    ``__init__(**kwargs)`` stores them as attributes; they are every attribute
    that is neither a named parameter, private (``_x``) nor fitted (``x_``).
    ``_module_owned`` lists the ``module__*`` names the estimator sets itself.
    """

    _module_owned = ()

    def _pass_through_names(self):
        """Names of the pass-through parameters set on this estimator."""
        return sorted(
            k for k in vars(self)
            if not k.startswith("_") and not k.endswith("_") and k not in self._get_param_names()
        )

    def get_params(self, deep=True):
        """Get parameters, including skorch pass-through ones (``module__*``...).

        Parameters
        ----------
        deep : bool, default=True
            Also return the parameters of ``embeddings`` when it is a
            :class:`PretrainedEmbeddings` (``embeddings__oov``...).

        Returns
        -------
        params : dict
        """
        params = super().get_params(deep=deep)
        params.update((k, getattr(self, k)) for k in self._pass_through_names())
        return params

    def set_params(self, **params):
        """Set parameters, including skorch pass-through ones (``module__*``...).

        Parameters
        ----------
        **params : dict

        Returns
        -------
        self : estimator instance
        """
        for key in list(params):
            prefix, dunder, _ = key.partition("__")
            if prefix == "embeddings" and dunder and not isinstance(
                self.embeddings, PretrainedEmbeddings
            ):
                raise ValueError(_wrap_hint(key))
            if dunder and prefix in PASS_THROUGH_PREFIXES:
                setattr(self, key, params.pop(key))
        return super().set_params(**params)

    def __sklearn_clone__(self):
        if not is_word_vectors(self.embeddings):
            return super().__sklearn_clone__()
        # Word vectors passed as they are (a KeyedVectors can be several GB)
        # are only read: share them, as PretrainedEmbeddings does, instead of
        # letting clone deep-copy them for every fold and grid point.
        proxy = copy.copy(self)
        proxy.embeddings = None
        twin = super(PassThroughParamsMixin, proxy).__sklearn_clone__()
        twin.embeddings = self.embeddings
        return twin

    def _check_pass_through(self):
        errors = []
        for key in self._pass_through_names():
            prefix, _, name = key.partition("__")
            if name and prefix == "embeddings":
                errors.append(_wrap_hint(key))
            elif name and prefix in PASS_THROUGH_PREFIXES:
                if prefix.startswith("iterator_") and name != "batch_size":
                    errors.append(
                        f"{key} is not supported: batches are built by length bucket "
                        f"(only {prefix}__batch_size can be set)."
                    )
                elif prefix == "module" and name in self._module_owned:
                    how = (f"use the top-level parameter {name}= instead"
                           if name in self._get_param_names()
                           else "the classifier sets it from the data")
                    errors.append(f"{key} cannot be passed through: {how}.")
            else:
                hint = next((
                    f" Did you mean {p + '__' + key[len(p):].lstrip('_')!r}?"
                    for p in PASS_THROUGH_PREFIXES if key.startswith(p + "_")
                ), "") or suggest(key, self._get_param_names())
                errors.append(
                    f"{type(self).__name__} got an unexpected parameter {key!r}.{hint} "
                    "Pass-through parameters must start with one of "
                    f"{', '.join(p + '__' for p in PASS_THROUGH_PREFIXES)}."
                )
        if errors:
            raise ValueError("\n".join(errors))


def _wrap_hint(key):
    option = key.split("__", 1)[1]
    return (
        f"{key} is an option of PretrainedEmbeddings: pass "
        f"embeddings=PretrainedEmbeddings(vectors, {option}=...) and then set it as "
        f"{key} (a nested parameter)."
    )
