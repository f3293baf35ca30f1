"""The machinery of the recurrent text classifiers: fit, predict, persistence hooks.

Shapes: ``N`` documents, ``T`` positions, ``C`` classes.

Design: compose skorch, do not subclass it. Each classifier is a plain
scikit-learn estimator whose ``__init__`` only stores its (flat, named)
parameters; ``fit`` builds a :class:`~sklearn_rnn._net.RecurrentNet` (a skorch
``NeuralNet``) in ``net_`` and trains it. skorch's ``__init__`` sets
attributes and its ``device`` must be concrete while ours defaults to
``'auto'``; composing keeps both sklearn-correct. skorch stays reachable:
``callbacks=``, ``module__*``, ``optimizer__*``, ``criterion__*``,
``callbacks__*`` and ``iterator_*__batch_size`` pass through to the net, and
``net_`` has skorch's ``history`` and ``save_params``/``load_params``.

The fitted state is built aside and set in one step at the end of ``fit``.
"""

from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._callbacks import CallbackSupportMixin, EpochTasks, begin_fit_task, with_callbacks
from ._data import to_dataset
from ._embeddings import initial_embeddings
from ._module import RecurrentClassifierModule
from ._net import RecurrentNet, prediction_batch_size, probabilities
from ._ngram import resolve_buckets, token_keys
from ._params import PassThroughParamsMixin
from ._persistence import PlainStateMixin
from ._token_array import token_metadata
from ._token_ids import check_ids_fit_vocabulary, check_token_ids, vocabulary_size
from ._training import (
    check_training_memory,
    check_validation_pair,
    document_weights,
    make_callbacks,
    train_net,
    uses_early_stopping,
    validation_dataset,
    validation_split,
)
from ._utils import resolve_device
from ._validation import check_labels, check_ngram_range, validate_params
from ._warm_start import WarmStartMixin

__all__ = ["DEFAULT_EMBEDDING_DIM"]

DEFAULT_EMBEDDING_DIM = 128

#: Estimator parameter -> module parameter of the same meaning.
_MODULE_PARAMS = ("hidden_size", "num_layers", "bidirectional", "dropout", "pooling",
                  "freeze_embeddings", "ngram_range", "ngram_buckets", "conv_filters",
                  "conv_kernel_size", "conv_pool_size", "dense_units")


class _RecurrentBase(PassThroughParamsMixin, WarmStartMixin, PlainStateMixin, CallbackSupportMixin,
                     ClassifierMixin, BaseEstimator):
    """Fit, predict, parameters and persistence of the recurrent classifiers.

    Subclasses set the cell: :class:`RecurrentTextClassifier` as a parameter,
    the fixed-cell classifiers as the class attribute ``_cell``.
    """

    _cell = "lstm"
    _module_owned = _MODULE_PARAMS + ("cell", "vocab_size", "n_classes", "embedding_dim",
                                      "embeddings", "token_keys")

    _parameter_constraints = {
        "embedding_dim": [Interval(Integral, 1, None, closed="left"), None],
        "hidden_size": [Interval(Integral, 1, None, closed="left")],
        "num_layers": [Interval(Integral, 1, None, closed="left")],
        "bidirectional": ["boolean"],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "pooling": [StrOptions({"last", "max", "mean"})],
        "ngram_range": [tuple, None],
        "ngram_buckets": [Interval(Integral, 2, 2**24, closed="both"), StrOptions({"auto"})],
        "conv_filters": [Interval(Integral, 1, None, closed="left"), None],
        "conv_kernel_size": [Interval(Integral, 1, None, closed="left")],
        "conv_pool_size": [Interval(Integral, 1, None, closed="left")],
        "dense_units": [Interval(Integral, 1, None, closed="left"), None],
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "embeddings": "no_validation",
        "freeze_embeddings": ["boolean"],
        "vocab_size": [Interval(Integral, 2, None, closed="left"), None],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "optimizer": [callable],
        "clip_grad_norm": [Interval(Real, 0, None, closed="neither"), None],
        "early_stopping": ["boolean", StrOptions({"auto"})],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "scoring": [str, callable, None],
        "tol": [Interval(Real, 0, None, closed="left")],
        "train_split": [callable, None],
        "callbacks": [list, None],
        "device": [str, torch.device, None],
        "verbose": ["verbose"],
        "random_state": ["random_state"],
        "warm_start": ["boolean"],
    }

    def __init__(
        self,
        *,
        embedding_dim=DEFAULT_EMBEDDING_DIM,
        hidden_size=128,
        num_layers=1,
        bidirectional=False,
        dropout=0.0,
        pooling="max",
        ngram_range=(1, 2),
        ngram_buckets="auto",
        conv_filters=None,
        conv_kernel_size=3,
        conv_pool_size=2,
        dense_units=None,
        embeddings=None,
        freeze_embeddings=False,
        vocab_size=None,
        max_epochs=10,
        lr=3e-3,
        batch_size=64,
        optimizer=torch.optim.Adam,
        clip_grad_norm=1.0,
        class_weight=None,
        early_stopping="auto",
        validation_fraction=0.1,
        n_iter_no_change=3,
        scoring=None,
        tol=0.0,
        train_split=None,
        callbacks=None,
        device="auto",
        verbose=0,
        random_state=None,
        warm_start=False,
        **kwargs,
    ):
        self.embedding_dim = embedding_dim
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bidirectional = bidirectional
        self.dropout = dropout
        self.pooling = pooling
        self.ngram_range = ngram_range
        self.ngram_buckets = ngram_buckets
        self.conv_filters = conv_filters
        self.conv_kernel_size = conv_kernel_size
        self.conv_pool_size = conv_pool_size
        self.dense_units = dense_units
        self.embeddings = embeddings
        self.freeze_embeddings = freeze_embeddings
        self.vocab_size = vocab_size
        self.max_epochs = max_epochs
        self.lr = lr
        self.batch_size = batch_size
        self.optimizer = optimizer
        self.clip_grad_norm = clip_grad_norm
        self.class_weight = class_weight
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.scoring = scoring
        self.tol = tol
        self.train_split = train_split
        self.callbacks = callbacks
        self.device = device
        self.verbose = verbose
        self.random_state = random_state
        self.warm_start = warm_start
        vars(self).update(kwargs)  # skorch pass-through parameters (module__* ...)

    def _get_cell(self):
        return getattr(self, "cell", self._cell)

    # ------------------------------------------------------------------ #
    # fit
    # ------------------------------------------------------------------ #
    @with_callbacks
    def fit(self, X, y, sample_weight=None, X_val=None, y_val=None):
        """Train the network on token ids ``X`` and labels ``y``.

        Parameters
        ----------
        X : array-like of shape (N, T)
            Non-negative integer token ids, padded with 0 on either side, as
            produced by :class:`~sklearn_rnn.TextVectorizer`.
        y : array-like of shape (N,)
            Labels: strings, integers or any values scikit-learn accepts for
            classification; at least two classes.
        sample_weight : array-like of shape (N,), default=None
            Weight of each document in the loss (multiplied by
            ``class_weight``); the loss is their weighted mean. Routed through
            a ``Pipeline`` or ``cross_validate`` with metadata routing
            (``set_fit_request(sample_weight=True)``).
        X_val, y_val : array-like, default=None
            A validation set of your own, as for ``HistGradientBoostingClassifier``:
            scored every epoch and used for early stopping (which
            ``early_stopping='auto'`` then turns on) instead of holding out
            ``validation_fraction``. Give both or neither. In a ``Pipeline``,
            ``Pipeline(..., transform_input=["X_val"])`` with metadata routing
            turns raw ``X_val`` into ids with the fold's vectorizer.

        Returns
        -------
        self : object
            Fitted classifier.
        """
        validate_params(self)
        check_ngram_range(self.ngram_range)
        self._check_pass_through()
        tokens, lengths, padding = token_metadata(X)
        X = check_token_ids(X)
        y = check_labels(X, y, estimator_name=type(self).__name__, min_samples=1)
        check_validation_pair(X_val, y_val)
        task = begin_fit_task(self, X, y, max_subtasks=self.max_epochs,
                              metadata=None if sample_weight is None
                              else {"sample_weight": sample_weight})
        if self.warm_start and hasattr(self, "net_"):
            self._continue_fit(X, y, tokens, lengths, padding, sample_weight, X_val, y_val,
                               task)
        else:
            self._first_fit(X, y, tokens, lengths, padding, sample_weight, X_val, y_val, task)
        if task is not None:
            task.call_on_fit_task_end(estimator=self, X=X, y=y, reconstruction_attributes={})
        return self

    def _first_fit(self, X, y, tokens, lengths, padding, sample_weight, X_val, y_val, task):
        classes, encoded = np.unique(y, return_inverse=True)
        if len(classes) < 2:
            raise ValueError(
                f"y has 1 class ({classes[0]!r}); a classifier needs documents of at "
                "least 2 classes."
            )
        seed = check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
        matrix, report = self._initial_embeddings(tokens, seed)
        n_vocab = vocabulary_size(X, tokens=tokens, matrix=matrix, vocab_size=self.vocab_size)
        device = resolve_device(self.device)
        weights = document_weights(encoded, classes, self.class_weight, sample_weight, X)
        data = to_dataset(X, encoded, lengths=lengths, padding=padding, weights=weights)
        valid = validation_dataset(X_val, y_val, classes, tokens, n_vocab)
        early_stopping = uses_early_stopping(self.early_stopping, len(data), valid is not None)
        train, train_split = validation_split(
            data, seed=seed, validation_fraction=self.validation_fraction,
            train_split=self.train_split, early_stopping=early_stopping, valid=valid,
        )
        sizes = {
            "vocab_size": n_vocab,
            "n_classes": len(classes),
            "embedding_dim": self.embedding_dim if matrix is None else matrix.shape[1],
        }
        check_training_memory(train, self.batch_size, sizes, self, device)
        fitted = dict(
            classes_=classes, n_vocab_=n_vocab, tokens_=None if tokens is None else tuple(tokens),
            device_=device, early_stopping_=early_stopping, embeddings_report_=report,
        )
        net = self._make_net(sizes, device, seed, train_split, early_stopping, matrix, tokens,
                             tasks=self._epoch_tasks(task, X, y, fitted))
        self._train(net, train, seed, device, classes, warm=False)
        # the initial matrix and the n-gram keys are in the module's state now
        net.module__embeddings = net.module__token_keys = None
        vars(self).update(fitted, net_=net)

    def _epoch_tasks(self, task, X, y, fitted):
        """The skorch callback reporting epochs to scikit-learn callbacks, or None."""
        if task is None:
            return None
        return EpochTasks(task, self, X, y, lambda net: {**fitted, "net_": net})

    def _train(self, net, train, seed, device, classes, warm):
        train_net(net, train, seed=seed, device=device, classes=classes, warm=warm,
                  owner=type(self).__name__)

    def _initial_embeddings(self, tokens, seed):
        """The pretrained matrix for this vocabulary and its coverage, or Nones."""
        return initial_embeddings(self.embeddings, tokens, seed, self.embedding_dim,
                                  DEFAULT_EMBEDDING_DIM)

    def _make_net(self, sizes, device, seed, train_split=None, early_stopping=False,
                  matrix=None, tokens=None, tasks=None):
        module_params = {f"module__{k}": getattr(self, k) for k in _MODULE_PARAMS}
        module_params.update((f"module__{k}", v) for k, v in sizes.items())
        module_params["module__ngram_buckets"] = resolve_buckets(self.ngram_buckets,
                                                                 sizes["n_classes"])
        return RecurrentNet(
            RecurrentClassifierModule,
            criterion=torch.nn.CrossEntropyLoss,
            optimizer=self.optimizer,
            lr=self.lr,
            max_epochs=self.max_epochs,
            batch_size=self.batch_size,
            train_split=train_split,
            callbacks=self._callbacks(early_stopping, sizes["n_classes"],
                                      validation=train_split is not None, tasks=tasks),
            verbose=self.verbose,
            device=device,
            shuffle_seed=seed,
            module__cell=self._get_cell(),
            module__embeddings=None if matrix is None else torch.as_tensor(matrix),
            module__token_keys=None if tokens is None or self.ngram_range is None
            else token_keys(tokens),
            **module_params,
            **{k: getattr(self, k) for k in self._pass_through_names()},
        )

    def _callbacks(self, early_stopping, n_classes, validation, tasks=None):
        return make_callbacks(
            clip_grad_norm=self.clip_grad_norm, early_stopping=early_stopping,
            n_iter_no_change=self.n_iter_no_change, verbose=self.verbose,
            extra=[*(self.callbacks or []), *([("sklearn_callbacks", tasks)] if tasks else [])],
            scoring=self._scoring(), tol=self.tol, n_classes=n_classes, validation=validation,
        )

    def _scoring(self):
        # with class weights the classes are imbalanced: stopping on accuracy
        # would keep the epoch that favours the majority class
        if self.scoring is None and self.class_weight is not None:
            return "balanced_accuracy"
        return self.scoring

    # ------------------------------------------------------------------ #
    # predict
    # ------------------------------------------------------------------ #
    def _logits(self, X):
        """Logits ``(N, C)`` (float64 tensor) in the rows' order."""
        check_is_fitted(self, "net_")
        tokens, lengths, padding = token_metadata(X)
        X = check_token_ids(X)
        check_ids_fit_vocabulary(X, tokens, self.tokens_, self.n_vocab_)
        if X.shape[0] == 0:
            raise ValueError(
                "Found array with 0 sample(s) (shape=(0, ...)) while a minimum of 1 is required."
            )
        data = to_dataset(X, lengths=lengths, padding=padding)
        # the estimator's batch sizes as they are now (set_params after fit counts)
        batch_size = prediction_batch_size(
            self.batch_size, getattr(self, "iterator_valid__batch_size", None), len(data))
        logits = self.net_.forward_logits(data, batch_size).double()
        if not torch.isfinite(logits).all():
            raise ValueError(
                f"This {type(self).__name__} computes NaN or infinite outputs: its "
                "weights are not finite (a damaged file, or weights changed by hand). "
                "Refit it, or load it again from a good file."
            )
        out = torch.empty_like(logits)
        out[torch.as_tensor(data.order)] = logits
        return out

    def predict_proba(self, X):
        """Class probabilities of each document.

        A document's probabilities do not depend on the other documents in
        ``X`` or on ``batch_size``.

        Parameters
        ----------
        X : array-like of shape (N, T)
            Token ids, padded on either side.

        Returns
        -------
        proba : ndarray of shape (N, C)
            Columns follow ``classes_``.
        """
        return probabilities(self._logits(X))

    def predict_log_proba(self, X):
        """Log of :meth:`predict_proba`, computed stably from the logits.

        Parameters
        ----------
        X : array-like of shape (N, T)

        Returns
        -------
        log_proba : ndarray of shape (N, C)
        """
        return torch.log_softmax(self._logits(X), dim=1).numpy()

    def predict(self, X):
        """Predict the label of each document.

        Parameters
        ----------
        X : array-like of shape (N, T)
            Token ids, padded on either side.

        Returns
        -------
        y : ndarray of shape (N,)
            Labels from ``classes_``.
        """
        logits = self._logits(X)
        return self.classes_[logits.argmax(dim=1).numpy()]

    @property
    def history_(self):
        """The skorch History of the last fit: per epoch ``train_loss``,
        ``train_acc``, ``dur`` and, with a validation split, ``valid_loss`` and
        ``valid_acc``."""
        check_is_fitted(self, "net_")
        return self.net_.history

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.categorical = True
        tags.input_tags.positive_only = True
        tags.non_deterministic = False
        return tags
