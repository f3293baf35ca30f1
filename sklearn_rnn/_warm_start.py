"""Warm starts: ``fit`` again continues training the fitted network.

The network is copied and the copy trained, so a warm start that fails leaves
the fitted model whole. When the vocabulary changed (a ``Pipeline`` refitted
its TextVectorizer on new documents), every known token's trained rows move
to its new id (:func:`~sklearn_rnn._training.realign_vocabulary`).
"""

import copy
import warnings

import numpy as np
import torch
from sklearn.utils import check_random_state

from ._data import to_dataset
from ._token_ids import check_ids_fit_vocabulary
from ._training import document_weights, realign_vocabulary, validation_dataset, validation_split

__all__ = ["WarmStartMixin"]


class WarmStartMixin:
    """``_continue_fit`` for the recurrent classifiers (see ``_base.py``)."""

    def _continue_fit(self, X, y, tokens, lengths, padding, sample_weight, X_val, y_val,
                      task=None):
        unknown = set(np.unique(y)) - set(self.classes_)
        if unknown:
            raise ValueError(
                f"warm_start: y has labels {sorted(unknown)!r} not seen in the first fit "
                f"(classes_ = {list(self.classes_)!r})."
            )
        seed = check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
        net = copy.deepcopy(self.net_)  # train a copy: the fitted model stays whole
        fitted_tokens, n_vocab = self.tokens_, self.n_vocab_
        if tokens is not None and fitted_tokens is not None and tuple(tokens) != fitted_tokens:
            # e.g. Pipeline.fit refitted the TextVectorizer on new documents: move
            # every known token's trained row to its new id, start new tokens fresh
            rows = self._initial_embeddings(tokens, seed)[0]
            if rows is None:
                rows = torch.randn(len(tokens), net.module_.embedding.embedding_dim,
                                   generator=torch.Generator().manual_seed(int(seed)))
            realign_vocabulary(net, fitted_tokens, tokens, rows)
            fitted_tokens, n_vocab = tuple(tokens), len(tokens)
        elif tokens is None and fitted_tokens is not None:
            warnings.warn(
                "warm_start: X carries no vocabulary (it is not the TokenArray of a "
                "TextVectorizer), so its ids are taken to mean the tokens of the first "
                "fit. Transform new documents with the same fitted vectorizer.",
                UserWarning,
            )
        check_ids_fit_vocabulary(X, tokens, fitted_tokens, n_vocab)
        encoded = np.searchsorted(self.classes_, y)
        weights = document_weights(encoded, self.classes_, self.class_weight, sample_weight, X)
        data = to_dataset(X, encoded, lengths=lengths, padding=padding, weights=weights)
        valid = validation_dataset(X_val, y_val, self.classes_, fitted_tokens, n_vocab)
        train, train_split = validation_split(
            data, seed=seed, validation_fraction=self.validation_fraction,
            train_split=self.train_split, early_stopping=self.early_stopping_, valid=valid,
        )
        # the training parameters set since the first fit apply to the rest
        net.set_params(train_split=train_split, max_epochs=self.max_epochs, lr=self.lr)
        fitted = {k: getattr(self, k) for k in ("classes_", "device_", "early_stopping_",
                                                 "embeddings_report_")}
        fitted.update(n_vocab_=n_vocab, tokens_=fitted_tokens)
        net.callbacks = self._callbacks(self.early_stopping_, len(self.classes_),
                                        validation=train_split is not None,
                                        tasks=self._epoch_tasks(task, X, y, fitted))
        net.initialize_callbacks()
        self._train(net, train, None, self.device_, self.classes_, warm=True)
        vars(self).update(net_=net, tokens_=fitted_tokens, n_vocab_=n_vocab)
