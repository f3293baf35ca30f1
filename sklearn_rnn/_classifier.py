"""The recurrent text classifiers: one estimator, four classes.

Shapes: ``N`` documents, ``T`` positions, ``C`` classes, ``V`` vocabulary
size, ``E`` embedding size.

Design: compose skorch, do not subclass it. Each classifier is a plain
scikit-learn estimator whose ``__init__`` only stores its (flat, named)
parameters; ``fit`` builds a :class:`~sklearn_rnn._nn._net.RecurrentNet` (a
skorch ``NeuralNet``) in ``net_`` and trains it. skorch's ``__init__`` sets
attributes and its ``device`` must be concrete while ours defaults to
``'auto'``; composing keeps both scikit-learn-correct. skorch stays reachable:
``callbacks=``, ``module__*``, ``optimizer__*``, ``criterion__*``,
``callbacks__*`` and ``iterator_*__batch_size`` pass through to the net, and
``net_`` has skorch's ``history`` and ``save_params``/``load_params``.

Everything the estimator does is here, in the order of a fit: parameters,
the preparation a first fit and a warm start share (:meth:`_prepare`), the
net, training, prediction and pickling. The fitted state is built aside and
set in one step at the end of ``fit``, so a fit that raises leaves the
previous model whole.

:class:`RecurrentTextClassifier` takes the cell as a parameter (so a grid
search can choose it); :class:`RNNSentimentClassifier`,
:class:`LSTMSentimentClassifier` and :class:`GRUSentimentClassifier` are its
siblings with the cell fixed, as scikit-learn's forests are siblings over
``BaseForest``.
"""

import copy
import math
import warnings
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.validation import _check_sample_weight, check_is_fitted
from skorch.callbacks import EarlyStopping
from skorch.helper import predefined_split

from ._explain import Explanation, target_indices
from ._nn._attribution import DEFAULT_STEPS, DEFAULT_TOLERANCE, attribute_dataset
from ._nn._callbacks import EpochTasks, make_callbacks, probabilities
from ._nn._data import to_dataset
from ._nn._device import Interrupted, check_training_memory, interrupt_raises, resolve_device
from ._nn._layout import MODULE_OWNED, module_kwargs, saved_ngram_layout
from ._nn._module import RecurrentClassifierModule, init_ngram_nb, token_keys
from ._nn._net import RecurrentNet, prediction_batch_size
from ._nn._speed import (
    PRECISIONS,
    optimizer_defaults,
    prediction_precision,
    resolve_precision,
)
from ._nn._state import export_net, import_net
from ._text._ids import UNK_ID, check_ids_fit_vocabulary, check_token_ids, vocabulary_size
from ._utils._callbacks import CALLBACK_STATE, CallbackSupportMixin, begin_fit_task
from ._utils._validation import (
    AllErrorsMixin,
    check_labels,
    suggest,
    unlabelled_mask,
    with_new_parameters,
)
from ._vectors._io import is_word_vectors
from ._vectors._pretrained import PretrainedEmbeddings, initial_embeddings, without_vectors

__all__ = [
    "RecurrentTextClassifier",
    "RNNSentimentClassifier",
    "LSTMSentimentClassifier",
    "GRUSentimentClassifier",
]

DEFAULT_EMBEDDING_DIM = 128

#: ``early_stopping='auto'`` turns early stopping on from this many training
#: documents. scikit-learn's HistGradientBoosting does so above 10,000
#: samples; on IMDB it already helps at 2,000 (benchmarks/results/recipes.md).
AUTO_EARLY_STOPPING_MIN_DOCUMENTS = 2_000

#: Prefixes of the skorch parameters passed through to ``net_`` (skorch's
#: own). Written out rather than read from ``NeuralNet.prefixes_``: that list
#: also holds ``dataset`` and ``compile``, which this estimator does not pass
#: on, and this tuple is the contract of what users may pass.
PASS_THROUGH_PREFIXES = (
    "module", "optimizer", "criterion", "callbacks", "iterator_train", "iterator_valid",
)

#: Largest n of ``ngram_range``.
_MAX_NGRAM = 5


class _RecurrentBase(AllErrorsMixin, CallbackSupportMixin, ClassifierMixin, BaseEstimator):
    """Fit, predict, parameters and persistence of the recurrent classifiers.

    Subclasses choose the cell: :class:`RecurrentTextClassifier` as its
    ``cell`` parameter, the fixed-cell classifiers as the class attribute
    ``_cell``.
    """

    _cell = None

    _parameter_constraints = {
        "embedding_dim": [Interval(Integral, 1, None, closed="left"), None],
        "hidden_size": [Interval(Integral, 1, None, closed="left")],
        "num_layers": [Interval(Integral, 1, None, closed="left")],
        "bidirectional": ["boolean"],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "pooling": [StrOptions({"last", "max", "mean"})],
        "ngram_range": [tuple, None],
        "ngram_buckets": [Interval(Integral, 2, 2**24, closed="both"), StrOptions({"auto"})],
        "ngram_init": [StrOptions({"nb", "zeros"})],
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
        "precision": [StrOptions(set(PRECISIONS))],
        "verbose": ["verbose"],
        "random_state": ["random_state"],
        "warm_start": ["boolean"],
        "unlabelled_label": [Real, str, None],
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
        ngram_init="zeros",
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
        precision="auto",
        verbose=0,
        random_state=None,
        warm_start=False,
        unlabelled_label=-1,
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
        self.ngram_init = ngram_init
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
        self.precision = precision
        self.verbose = verbose
        self.random_state = random_state
        self.warm_start = warm_start
        self.unlabelled_label = unlabelled_label
        vars(self).update(kwargs)  # skorch pass-through parameters (module__* ...)

    # ------------------------------------------------------------------ #
    # parameters: the named ones, nested embeddings__*, skorch pass-through
    # ------------------------------------------------------------------ #
    def _get_cell(self):
        return self._cell

    def _pass_through_names(self):
        """Names of the pass-through parameters set on this estimator: every
        attribute that is neither a named parameter, private (``_x``) nor
        fitted (``x_``)."""
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
            :class:`~sklearn_rnn.PretrainedEmbeddings` (``embeddings__oov``...).

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
        twin = super(_RecurrentBase, proxy).__sklearn_clone__()
        twin.embeddings = self.embeddings
        return twin

    def _more_param_errors(self):
        """What ``_parameter_constraints`` cannot say: the n-gram range, and
        our rules for pass-through parameters. skorch checks their names when
        the net is initialised (:meth:`_initialize`)."""
        errors = []
        n_range = self.ngram_range
        if n_range is not None and not (
            isinstance(n_range, tuple) and len(n_range) == 2
            and all(isinstance(n, Integral) for n in n_range)
            and 1 <= n_range[0] <= n_range[1] <= _MAX_NGRAM
        ):
            errors.append(
                f"ngram_range must be None or a tuple (min_n, max_n) with 1 <= min_n <= "
                f"max_n <= {_MAX_NGRAM}, e.g. (1, 2) for unigrams and bigrams; got "
                f"{n_range!r}."
            )
        for key in self._pass_through_names():
            prefix, dunder, name = key.partition("__")
            if dunder and prefix == "embeddings":
                errors.append(_wrap_hint(key))
            elif dunder and prefix.startswith("iterator_") and name != "batch_size":
                errors.append(f"{key} is not supported: batches are built by length "
                              f"bucket (only {prefix}__batch_size can be set).")
            elif dunder and prefix == "module" and name in MODULE_OWNED:
                how = (f"use the top-level parameter {name}= instead"
                       if name in self._get_param_names()
                       else "the classifier sets it from the data")
                errors.append(f"{key} cannot be passed through: {how}.")
            elif dunder and prefix in ("dataset", "compile"):
                errors.append(f"{key} cannot be passed through: the classifier builds its "
                              "own datasets and does not compile the module.")
        return errors

    def _initialize(self, net):
        """``net.initialize()``, where skorch checks the pass-through names;
        its message is given with the estimator's name and the closest
        parameter."""
        try:
            net.initialize()
        except ValueError as exc:
            if "unexpected argument" not in str(exc):
                raise
            unknown = [k for k in self._pass_through_names()
                       if k.partition("__")[0] not in PASS_THROUGH_PREFIXES]
            hints = "".join(suggest(k, self._get_param_names()) for k in unknown)
            raise ValueError(
                f"{type(self).__name__} got parameters that are neither its own nor "
                f"skorch's: {str(exc).replace('__init__() got', 'got')}{hints} "
                "Pass-through parameters start with one of "
                f"{', '.join(p + '__' for p in PASS_THROUGH_PREFIXES)}."
            ) from None

    # ------------------------------------------------------------------ #
    # fit
    # ------------------------------------------------------------------ #
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, X_val=None, y_val=None, soft_targets=None,
            soft_weight=0.5, temperature=1.0):
        """Train the network on token ids ``X`` and labels ``y``.

        Parameters
        ----------
        X : array-like of shape (N, T), TokenArray or RaggedTokens
            Non-negative integer token ids, padded with 0 on either side, as
            produced by :class:`~sklearn_rnn.TextVectorizer`.
        y : array-like of shape (N,)
            Labels: strings, integers or any values scikit-learn accepts for
            classification; at least two classes. ``unlabelled_label``
            (-1 by default) marks an unlabelled document: it never enters
            the cross-entropy, and is left out of training unless it has
            ``soft_targets``.
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
        soft_targets : array-like of shape (N, C), default=None
            Class probabilities for each document (distillation: a teacher's
            ``predict_proba``), columns in the order of ``classes_`` (the
            sorted labels of ``y`` without ``unlabelled_label``), rows of
            non-negative numbers summing to 1. The loss becomes
            ``(1 - soft_weight) * CE + soft_weight * T**2 * KL(q || softmax(z / T))``:
            the cross-entropy over the labelled documents and the
            Kullback-Leibler divergence from the targets ``q`` (softened to
            the same temperature, ``q ** (1 / T)`` renormalised) over every
            document, unlabelled ones included; early stopping still scores
            labelled documents only. See :class:`~sklearn_rnn.DistilledClassifier`.
        soft_weight : float, default=0.5
            Weight of the soft targets' divergence in the loss, in [0, 1]
            (1: soft targets only).
        temperature : float, default=1.0
            Temperature ``T`` of the divergence (> 0).

        Returns
        -------
        self : object
            Fitted classifier.
        """
        X = check_token_ids(X)
        y = check_labels(X, y, estimator_name=type(self).__name__,
                         unlabelled_label=self.unlabelled_label)
        unlabelled = unlabelled_mask(y, self.unlabelled_label)
        if unlabelled.all():
            raise ValueError(
                f"Every document is unlabelled (y == {self.unlabelled_label!r}, the "
                "unlabelled_label): a classifier needs labelled documents of at least 2 "
                "classes. Set unlabelled_label=None if that value is a class."
            )
        _warn_if_marker_as_text(y, unlabelled, self.unlabelled_label)
        if soft_targets is not None:
            soft_weight, temperature = _check_soft_settings(soft_weight, temperature)
        if (X_val is None) != (y_val is None):
            raise ValueError(
                f"X_val and y_val go together: got {'X_val' if y_val is None else 'y_val'} "
                "only. Pass both (a validation set of your own) or neither."
            )
        task = begin_fit_task(self, X, y, max_subtasks=self.max_epochs,
                              metadata=None if sample_weight is None
                              else {"sample_weight": sample_weight})
        warm = self.warm_start and hasattr(self, "net_")
        prep = self._prepare(X, y, sample_weight, X_val, y_val, warm, unlabelled=unlabelled,
                             soft_targets=soft_targets, temperature=temperature)
        # a callback that keeps each epoch's estimator gets this epoch's weights
        tasks = None if task is None else EpochTasks(
            task, self, X, y, lambda net: {**prep["fitted"], "net_": _snapshot(net)})
        callbacks = self._callbacks(prep["early_stopping"], len(prep["classes"]),
                                    validation=prep["train_split"] is not None, tasks=tasks)
        if warm:
            net = self._warm_net(prep, callbacks)
        else:
            net = self._make_net(prep["sizes"], prep["device"], prep["seed"],
                                 train_split=prep["train_split"], matrix=prep["matrix"],
                                 tokens=prep["tokens"], callbacks=callbacks,
                                 precision=prep["precision"])
        train = prep["train"]
        try:
            # no global RNG: the net draws from its own generators (module
            # initialisation and dropout: torch; batch order: numpy)
            with interrupt_raises():
                if not warm:
                    self._initialize(net)
                    if self.ngram_init == "nb":
                        init_ngram_nb(net.module_, _labelled_part(train), len(prep["classes"]))
                net.soft_loss = None if soft_targets is None else (soft_weight, temperature)
                net.partial_fit(train, train.y)
        except Interrupted:
            raise KeyboardInterrupt(
                f"{type(self).__name__}.fit was interrupted; the estimator is left as it "
                "was before this fit."
            ) from None
        finally:
            vars(net).pop("soft_loss", None)
        _warn_if_one_class(net, prep["train"], prep["classes"])
        # the initial matrix and the n-gram keys are in the module's state now
        net.module__embeddings = net.module__token_keys = None
        vars(self).update(prep["fitted"], net_=net)
        if task is not None:
            task.call_on_fit_task_end(estimator=self, X=X, y=y, reconstruction_attributes={})
        return self

    def _prepare(self, X, y, sample_weight, X_val, y_val, warm, *, unlabelled=None,
                 soft_targets=None, temperature=1.0):
        """What a first fit and a warm start share: the seed, the classes and
        encoded labels, the vocabulary and initial embedding rows, the
        document weights, the training dataset and its validation split.
        Unlabelled documents (``unlabelled``) are encoded -1 and kept only
        with ``soft_targets``."""
        if unlabelled is None:
            unlabelled = np.zeros(len(y), dtype=bool)
        labelled = ~unlabelled
        y_known = y[labelled]
        seed = check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
        tokens = getattr(X, "vocabulary", None)
        matrix = None
        if warm:
            classes = self.classes_
            unknown = set(np.unique(y_known)) - set(classes)
            if unknown:
                raise ValueError(
                    f"warm_start: y has labels {sorted(unknown)!r} not seen in the first fit "
                    f"(classes_ = {list(classes)!r})."
                )
            encoded = np.full(len(y), -1, dtype=np.int64)
            encoded[labelled] = np.searchsorted(classes, y_known)
            device, early_stopping = self.device_, self.early_stopping_
            precision = getattr(self, "precision_", "float32")
            report, n_vocab = self.embeddings_report_, self.n_vocab_
            if tokens is not None and self.tokens_ is not None and tuple(tokens) != self.tokens_:
                # a Pipeline refitted its TextVectorizer on new documents: the
                # trained rows move to the tokens' new ids (_warm_net)
                matrix = initial_embeddings(self.embeddings, tokens, seed, self.embedding_dim,
                                            DEFAULT_EMBEDDING_DIM)[0]
                n_vocab = len(tokens)
            else:
                if tokens is None and self.tokens_ is not None:
                    warnings.warn(
                        "warm_start: X carries no vocabulary (it is not the TokenArray of "
                        "a TextVectorizer), so its ids are taken to mean the tokens of the "
                        "first fit. Transform new documents with the same fitted "
                        "vectorizer.",
                        UserWarning,
                    )
                tokens = self.tokens_
                check_ids_fit_vocabulary(X, tokens, n_vocab)
        else:
            classes, known = np.unique(y_known, return_inverse=True)
            encoded = np.full(len(y), -1, dtype=np.int64)
            encoded[labelled] = known
            if len(classes) < 2:
                raise ValueError(
                    f"y has 1 class ({classes[0]!r}); a classifier needs documents of at "
                    "least 2 classes."
                )
            matrix, report = initial_embeddings(self.embeddings, tokens, seed,
                                                self.embedding_dim, DEFAULT_EMBEDDING_DIM)
            n_vocab = vocabulary_size(X, tokens=tokens, vocab_size=self.vocab_size,
                                      n_rows=None if matrix is None else matrix.shape[0])
            device = resolve_device(self.device)
            precision = resolve_precision(self.precision, device, self._get_cell())
        weights = _document_weights(encoded, classes, self.class_weight, sample_weight, X)
        soft = None if soft_targets is None else _check_soft_targets(
            soft_targets, len(y), classes, temperature)
        data = to_dataset(X, encoded, weights=weights, soft=soft)
        if soft is None and unlabelled.any():  # nothing to learn from them
            data = data.subset(np.flatnonzero(data.y >= 0))
        valid = None if X_val is None else self._validation_dataset(
            X_val, y_val, classes, tokens, n_vocab)
        if not warm:
            early_stopping = self.early_stopping
            if early_stopping == "auto":
                early_stopping = (len(data) >= AUTO_EARLY_STOPPING_MIN_DOCUMENTS
                                  or valid is not None)
        train, train_split = _validation_split(
            data, seed=seed, validation_fraction=self.validation_fraction,
            train_split=self.train_split, early_stopping=early_stopping, valid=valid,
        )
        sizes = {
            "vocab_size": n_vocab,
            "n_classes": len(classes),
            "embedding_dim": (self.net_.module_.embedding.embedding_dim if warm
                              else matrix.shape[1] if matrix is not None
                              else self.embedding_dim or DEFAULT_EMBEDDING_DIM),
        }
        if not warm:  # refuse a fit that cannot fit in memory before it starts
            check_training_memory(
                train, module_kwargs(network_params(self), sizes), device,
                batch_size=self.batch_size,
                train_batch_size=getattr(self, "iterator_train__batch_size", None))
        fitted = dict(
            classes_=classes, n_vocab_=n_vocab, tokens_=None if tokens is None else tuple(tokens),
            device_=device, early_stopping_=early_stopping, embeddings_report_=report,
            precision_=precision,
        )
        return dict(seed=seed, classes=classes, tokens=tokens, matrix=matrix, sizes=sizes,
                    device=device, precision=precision, early_stopping=early_stopping, train=train,
                    train_split=train_split, fitted=fitted)

    def _validation_dataset(self, X_val, y_val, classes, tokens, n_vocab):
        """``X_val``, ``y_val`` checked and made a dataset."""
        if hasattr(X_val, "__len__") and len(X_val) == 0:
            raise ValueError("X_val is empty: give validation documents, or neither X_val "
                             "nor y_val (a validation_fraction of X is held out).")
        X_val = check_token_ids(X_val, name="X_val")
        y_val = check_labels(X_val, y_val, estimator_name=type(self).__name__)
        val_tokens = getattr(X_val, "vocabulary", None)
        if val_tokens is not None and tokens is not None and tuple(val_tokens) != tuple(tokens):
            raise ValueError(
                "X_val was made by another TextVectorizer than X (another vocabulary). In a "
                "Pipeline, let it transform X_val with the fold's vectorizer: "
                "Pipeline(steps, transform_input=['X_val']) with metadata routing on."
            )
        unknown = sorted(set(np.unique(y_val)) - set(classes))
        if unknown:
            raise ValueError(f"y_val has labels {unknown!r} that are not in y "
                             f"({list(classes)!r}).")
        check_ids_fit_vocabulary(X_val, None, n_vocab, name="X_val")
        return to_dataset(X_val, np.searchsorted(classes, y_val))

    def _scoring(self):
        # with class weights the classes are imbalanced: stopping on accuracy
        # would keep the epoch that favours the majority class
        if self.scoring is None and self.class_weight is not None:
            return "balanced_accuracy"
        return self.scoring

    def _callbacks(self, early_stopping, n_classes, validation, tasks=None):
        return make_callbacks(
            clip_grad_norm=self.clip_grad_norm, early_stopping=early_stopping,
            n_iter_no_change=self.n_iter_no_change, verbose=self.verbose,
            extra=[*(self.callbacks or []), *([("sklearn_callbacks", tasks)] if tasks else [])],
            scoring=self._scoring(), tol=self.tol, n_classes=n_classes, validation=validation,
        )

    def _batch_params(self):
        """The estimator's batch sizes, as the net takes them."""
        return {k: getattr(self, k) for k in ("iterator_train__batch_size",
                                               "iterator_valid__batch_size")
                if hasattr(self, k)}

    def _make_net(self, sizes, device, seed, *, train_split=None, matrix=None, tokens=None,
                  callbacks=None, precision=None):
        """A new, uninitialised net for the module ``sizes`` on ``device``, in
        ``precision`` (None: the fitted ``precision_``, float32 when unset),
        with the fastest step of the default optimizer (_nn/_speed.py)."""
        module_params = {f"module__{k}": v
                         for k, v in module_kwargs(network_params(self), sizes).items()}
        passed = {k: getattr(self, k) for k in self._pass_through_names()
                  if not k.startswith("module__")}
        step = optimizer_defaults(self.optimizer, device, {
            k.partition("__")[2]: v for k, v in passed.items() if k.startswith("optimizer__")})
        return RecurrentNet(
            RecurrentClassifierModule,
            criterion=torch.nn.CrossEntropyLoss,
            optimizer=self.optimizer,
            lr=self.lr,
            max_epochs=self.max_epochs,
            batch_size=self.batch_size,
            train_split=train_split,
            callbacks=callbacks if callbacks is not None else self._callbacks(
                False, sizes["n_classes"], validation=False),
            verbose=self.verbose,
            device=device,
            shuffle_seed=seed,
            precision=getattr(self, "precision_", "float32") if precision is None else precision,
            module__seed=seed,
            module__embeddings=None if matrix is None else torch.as_tensor(matrix),
            module__token_keys=None if tokens is None or self.ngram_range is None
            else token_keys(tokens),
            **module_params,
            **{f"optimizer__{k}": v for k, v in step.items()},
            **passed,
        )

    def _warm_net(self, prep, callbacks):
        """A copy of the fitted net, set to continue training (the fitted
        model stays whole if this fit fails)."""
        net = copy.deepcopy(self.net_)
        tokens = prep["tokens"]
        if tokens is not None and self.tokens_ is not None and tuple(tokens) != self.tokens_:
            rows = prep["matrix"]
            if rows is None:
                rows = torch.randn(len(tokens), net.module_.embedding.embedding_dim,
                                   generator=torch.Generator().manual_seed(int(prep["seed"])))
            net.realign_vocabulary(self.tokens_, tokens, rows)
        # the training parameters set since the first fit apply to the rest
        net.set_params(train_split=prep["train_split"], max_epochs=self.max_epochs, lr=self.lr,
                       batch_size=self.batch_size, **self._batch_params())
        net.callbacks = callbacks
        net.initialize_callbacks()
        return net

    # ------------------------------------------------------------------ #
    # predict
    # ------------------------------------------------------------------ #
    def _prediction_batch_size(self, n_documents):
        """Documents per batch in prediction, from the parameters as they are
        now (``set_params`` after ``fit`` counts)."""
        return prediction_batch_size(
            self.batch_size, getattr(self, "iterator_valid__batch_size", None), n_documents)

    def _table_rows(self):
        """Rows of the embedding table: ``n_vocab_``, or fewer when a saved
        state says more than the network holds (ids beyond reach torch as
        an IndexError)."""
        embedding = getattr(getattr(self.net_, "module_", None), "embedding", None)
        rows = getattr(embedding, "num_embeddings", None)
        return self.n_vocab_ if not isinstance(rows, int) else min(self.n_vocab_, rows)

    def _logits(self, X):
        """Logits ``(N, C)`` (float64 tensor) in the rows' order."""
        check_is_fitted(self, "net_")
        X = check_token_ids(X)
        check_ids_fit_vocabulary(X, self.tokens_, self._table_rows())
        data = to_dataset(X)
        _warn_if_nothing_known(data, known_from=1 if self.tokens_ is None else UNK_ID + 1)
        logits = self.net_.forward_logits(data, self._prediction_batch_size(len(data)),
                                          precision=prediction_precision(self.precision))
        logits = logits.double()
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
        X : array-like of shape (N, T), TokenArray or RaggedTokens
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
        X : array-like of shape (N, T), TokenArray or RaggedTokens

        Returns
        -------
        log_proba : ndarray of shape (N, C)
        """
        return torch.log_softmax(self._logits(X), dim=1).numpy()

    def predict(self, X):
        """Predict the label of each document.

        Parameters
        ----------
        X : array-like of shape (N, T), TokenArray or RaggedTokens
            Token ids, padded on either side.

        Returns
        -------
        y : ndarray of shape (N,)
            Labels from ``classes_``.
        """
        logits = self._logits(X)
        return self.classes_[logits.argmax(dim=1).numpy()]

    def explain(self, X, *, target=None, n_steps=DEFAULT_STEPS, tolerance=DEFAULT_TOLERANCE):
        """Per-token attributions of each document toward a class.

        Explains the target class's score ``f_c``: its logit minus the mean
        logit of the other classes (with two classes, the log-odds
        ``log(p_c / (1 - p_c))``). The recurrent path's part is attributed by
        integrated gradients on the embedding output, from a baseline of
        padding embeddings (zeros) of the same length; the n-gram path's
        part exactly, each n-gram's weighted table row split evenly over its
        tokens. The attributions of a document add up to ``score -
        baseline_score`` up to the integration error (``completeness_gap``).
        The integral is adaptive: ``n_steps`` Gauss-Legendre nodes over the
        path, then, while a document's gap exceeds ``tolerance`` times its
        score change, the stretch of the path where it misses most is halved
        and integrated again (at most 16 times): about 2 to 30 gradient
        evaluations per review on IMDB LSTMs, each about the cost of a
        training pass over it (``benchmarks/results/explain.md``).

        Documents are batched by length bucket, as in prediction; a
        document's explanation does not depend on the others.

        Parameters
        ----------
        X : array-like of shape (N, T), TokenArray or RaggedTokens
            Token ids, padded on either side. To explain raw text, with each
            token's place in it, use :func:`sklearn_rnn.explain` on the
            pipeline.
        target : label or array-like of shape (N,), default=None
            The class to explain: one label for every document, or one per
            document. None: each document's predicted class.
        n_steps : int, default=2
            Gauss-Legendre nodes per stretch of the path.
        tolerance : float, default=0.02
            Completeness gap, relative to the document's score change, that
            the integral refines to reach (0: a fixed ``n_steps``-node rule).

        Returns
        -------
        explanations : list of Explanation
            One per document, with the tokens of its real ids (the
            vectorizer's tokens when ``X`` came from a TextVectorizer, else
            the ids as text).

        Examples
        --------
        >>> from sklearn_rnn import LSTMSentimentClassifier, TextVectorizer
        >>> vec = TextVectorizer()
        >>> X = vec.fit_transform(["a great film", "what a waste", "great acting", "so bad"])
        >>> clf = LSTMSentimentClassifier(hidden_size=8, max_epochs=1, random_state=0)
        >>> e = clf.fit(X, [1, 0, 1, 0]).explain(vec.transform(["a great waste"]))[0]
        >>> e.tokens, e.attributions.shape, e.target in (0, 1)
        (['a', 'great', 'waste'], (3,), True)
        """
        check_is_fitted(self, "net_")
        if not isinstance(n_steps, Integral) or n_steps < 1:
            raise ValueError(f"n_steps must be an integer >= 1, got {n_steps!r}.")
        if not isinstance(tolerance, Real) or not tolerance >= 0:
            raise ValueError(f"tolerance must be a number >= 0, got {tolerance!r}.")
        X = check_token_ids(X)
        check_ids_fit_vocabulary(X, self.tokens_, self._table_rows())
        data = to_dataset(X)
        out = attribute_dataset(self.net_.module_, data,
                                target_indices(target, self.classes_, len(data)),
                                n_steps=int(n_steps), tolerance=float(tolerance),
                                device=self.net_.device)
        proba = probabilities(torch.as_tensor(out["logits"]))
        names = self.tokens_
        explanations = []
        for i, ids in enumerate(out["ids"]):
            c = int(out["targets"][i])
            tokens = [names[t] for t in ids.tolist()] if names is not None \
                else [str(t) for t in ids.tolist()]
            explanations.append(Explanation(
                tokens=tokens, attributions=out["attributions"][i], target=self.classes_[c],
                probability=proba[i, c], score=out["score"][i],
                baseline_score=out["baseline"][i]))
        return explanations

    @property
    def history_(self):
        """The skorch History of the last fit: per epoch ``train_loss``,
        ``train_acc``, ``dur`` and, with a validation split, ``valid_loss`` and
        ``valid_acc``."""
        check_is_fitted(self, "net_")
        return self.net_.history

    # ------------------------------------------------------------------ #
    # pickling: plain data (see _nn/_state.py), never torch objects
    # ------------------------------------------------------------------ #
    def __getstate__(self):
        state = dict(super().__getstate__())  # a copy: never touch self.__dict__
        for name in CALLBACK_STATE:  # callbacks are set again where the model is used
            state.pop(name, None)
        net = state.pop("net_", None)
        if net is not None:
            params = net.get_params_for("module")
            sizes = {k: params[k] for k in ("vocab_size", "n_classes", "embedding_dim")}
            # the optimizer's state (Adam: two moments per weight, twice the
            # weights' size) only serves training on: saved for warm starts
            state["net_state_"] = export_net(net, sizes, optimizer=bool(self.warm_start))
            # the vocabulary's rows are in the weights: never save the vectors
            state["embeddings"] = without_vectors(state.get("embeddings"))
        return state

    def __setstate__(self, state):
        state = restored_state(type(self), state)
        saved = state.pop("net_state_", None)
        if saved is not None:  # saved before precision_ existed: trained in float32
            state.setdefault("precision_", "float32")
        super().__setstate__(state)
        if saved is not None:
            self.net_ = import_net(saved, lambda sizes, device, seed: self._make_net(
                self._saved_sizes(sizes, saved), device, seed), owner=type(self).__name__)
            self.device_ = str(self.net_.device)

    def _saved_sizes(self, sizes, saved):
        """The module sizes of a saved net (already checked as numbers), checked
        against the estimator (``classes_`` against the network's outputs),
        with the n-gram table's layout as saved (``saved_ngram_layout``)."""
        classes = getattr(self, "classes_", None)
        if classes is not None and len(classes) != sizes["n_classes"]:
            raise ValueError(
                f"classes_ has {len(classes)} labels but the saved network has "
                f"{sizes['n_classes']} outputs (module_sizes['n_classes']): the file is "
                "damaged or was edited."
            )
        shapes = {k: getattr(v, "shape", ()) for k, v in (saved.get("module") or {}).items()}
        return {**sizes, **saved_ngram_layout(shapes, self.ngram_buckets, self.ngram_range)}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.categorical = True
        tags.input_tags.positive_only = True
        tags.non_deterministic = False
        return tags


class RecurrentTextClassifier(_RecurrentBase):
    """Recurrent-network (RNN, LSTM or GRU) text classifier, a scikit-learn estimator.

    Embeds token ids, runs a recurrent layer, pools its outputs over the real
    positions of each document and classifies the result, trained with Adam
    and cross-entropy through skorch. Put a :class:`~sklearn_rnn.TextVectorizer`
    before it to classify raw text.

    Parameters
    ----------
    cell : {'rnn', 'lstm', 'gru'}, default='lstm'
        The recurrent layer: an Elman RNN (tanh), an LSTM or a GRU.
    embedding_dim : int or None, default=128
        Size of the token embeddings (None: 128). Ignored when ``embeddings``
        is given (the vectors' dimension wins, with a warning when
        ``embedding_dim`` was set to another value than the default or None,
        e.g. by a grid search).
    hidden_size : int, default=128
        Size of the recurrent state.
    num_layers : int, default=1
        Stacked recurrent layers.
    bidirectional : bool, default=False
        Also read each document backwards.
    dropout : float, default=0.0
        Dropout on embeddings, between layers and on the pooled features.
    pooling : {'last', 'max', 'mean'}, default='max'
        How the per-position outputs become one vector per document: the
        ``'last'`` real position (read correctly for pre- and post-padded
        input), or the ``'max'`` / ``'mean'`` over the real positions only.
    ngram_range : tuple (min_n, max_n) or None, default=(1, 2)
        A linear bag of n-grams next to the recurrent path ("wide and deep"):
        every n-gram of ``min_n`` to ``max_n`` tokens of a document is hashed
        to a row of a ``(ngram_buckets, C)`` table, and the rows' sum
        (weighted by one over the square root of the document's n-gram
        count) is added to the recurrent path's logits; both are trained
        together. The default adds unigrams and bigrams: cheap next to the
        recurrent layer, and a large gain in accuracy (see the user guide's
        "When an RNN beats TF-IDF"). ``None``: the recurrent path alone.
    ngram_buckets : int or 'auto', default='auto'
        Rows of the n-gram table (at most ``2**24``): more rows, fewer hash
        collisions, more memory (``ngram_buckets x C`` floats, four times
        that while training with Adam). With 9 classes or more the table is
        factorised as fastText's is: 32 columns per row and a ``(C, 32)``
        projection to the classes, so it does not grow with the classes
        (``ngram_buckets x 32`` floats). ``'auto'``: ``2**18`` rows (on IMDB
        as accurate as ``2**20``, at a quarter of the size), 1 MB per class
        up to 8 classes, 32 MB from 9 classes on.
    ngram_init : {'zeros', 'nb'}, default='zeros'
        How the n-gram table starts. ``'zeros'``: at zero. ``'nb'`` ("neural
        NBSVM"): from naive-Bayes log-ratios computed in ``fit`` from the
        training labels (never the early-stopping validation documents):
        for each class, the log of the share of its documents that hold
        the row over the share of the other documents, for the rows of at
        least two training documents, times a fixed scale. On 2,000
        balanced IMDB reviews it lifted the LSTM by about 2 points; with a
        small class (95:5 with ``class_weight='balanced'``) the table
        starts by fitting the training documents and the small class is
        hardly ever predicted, hence not the default (the user guide's
        NBSVM page has the figures). A factorised table (9 classes or more)
        starts as with ``'zeros'``; a warm start keeps the trained table.
    conv_filters : int, default=None
        A convolutional front-end: a ``Conv1D`` with this many filters (ReLU)
        over the embeddings, then max-pooling over time, and the recurrent
        layer reads the pooled sequence (the Embedding -> Conv1D ->
        MaxPooling1D -> LSTM model of the Keras tutorials). None for none.
        Exact like the rest: padding never enters the convolution of a
        document, and lengths shrink with the pooling.
    conv_kernel_size : int, default=3
        Width of the convolution, in tokens.
    conv_pool_size : int, default=2
        Positions merged by the max-pooling (the sequence gets this many
        times shorter).
    dense_units : int, default=None
        A hidden ReLU layer of this size (with ``dropout``) between the pooled
        features and the output. None for none.
    embeddings : PretrainedEmbeddings, KeyedVectors, str, path or array, default=None
        Pretrained word vectors for the embedding layer. A ``(vocab, dim)``
        matrix whose row ``i`` is the vector of token id ``i``; or gensim
        vectors, a file path or a gensim-data name
        (``'glove-wiki-gigaword-100'``), aligned with the vocabulary of the
        TextVectorizer feeding the classifier at every ``fit`` (so every
        cross-validation fold is right). Wrap them in
        :class:`~sklearn_rnn.PretrainedEmbeddings` to choose how words without
        a vector start, and more (``embeddings__oov`` ... in grid searches).
    freeze_embeddings : bool, default=False
        Keep pretrained vectors fixed (True) or fine-tune them (False).
    vocab_size : int, default=None
        Number of token ids, for ids that do not come from TextVectorizer. None
        reads it from the vectorizer's output, or takes ``max id + 1``.
    max_epochs : int, default=10
        Passes over the training data.
    lr : float, default=3e-3
        Learning rate of the optimizer (chosen on IMDB, see the results page).
    batch_size : int, default=64
        Documents per batch, in training and prediction.
    optimizer : torch optimizer class, default=torch.optim.Adam
        Configure it with ``optimizer__weight_decay=...`` etc. Adam (and
        AdamW) run their fused step where this PyTorch build has one for the
        device (CPU and CUDA in recent versions; 3.5-5x faster than
        PyTorch's default single-tensor step on the CPU), else the
        ``foreach`` step; ``optimizer__fused=False`` or
        ``optimizer__foreach=...`` choose for yourself (see the user guide's
        :ref:`speed` page).
    clip_grad_norm : float or None, default=1.0
        Clip the gradient norm to this value (vanilla RNNs explode without
        it); None disables clipping.
    class_weight : dict, 'balanced' or None, default=None
        Weights of the classes in the loss, as in scikit-learn: a dict
        ``{label: weight}`` (others weigh 1), or ``'balanced'`` for
        ``n_documents / (n_classes * count of the class)``, computed on the
        labels of each fit (so of each cross-validation fold). Multiplies
        ``sample_weight``; the loss is the weighted mean.
    early_stopping : 'auto' or bool, default='auto'
        Hold out ``validation_fraction`` of the training data (stratified),
        or use ``X_val``/``y_val`` given to ``fit``, stop when the validation
        score (``scoring``) has not improved for ``n_iter_no_change`` epochs
        and restore the best epoch's weights. ``'auto'`` does so from 2,000
        training documents or when ``fit`` gets ``X_val``. ``early_stopping_``
        says whether it was used.
    validation_fraction : float, default=0.1
        Share of the training data held out when ``early_stopping``.
    n_iter_no_change : int, default=3
        Patience of early stopping, in epochs.
    scoring : str, callable or None, default=None
        The validation score early stopping monitors: a scikit-learn scorer
        name (``'f1_macro'``, ``'balanced_accuracy'``, ``'roc_auc'``...) or
        a callable ``scorer(estimator, X, y)``. None: accuracy, or balanced
        accuracy when ``class_weight`` is given (accuracy would favour the
        epoch that predicts the majority class). Recorded per epoch in
        ``history_`` as ``valid_<name>`` (``valid_acc``).
    tol : float, default=0.0
        Early stopping counts an epoch as better when its score beats the best
        by more than ``tol``.
    train_split : callable, default=None
        A skorch split such as ``skorch.dataset.ValidSplit(0.2)`` for a
        validation set without early stopping (or with it, instead of
        ``validation_fraction``). None: train on all data unless early
        stopping.
    callbacks : list of skorch callbacks, default=None
        Extra skorch callbacks (or ``(name, callback)`` pairs).
    device : {'auto', 'cpu', 'cuda', ...}, default='auto'
        Where to train: ``'auto'`` takes the GPU when one is available. The
        device used is in ``device_``.
    precision : {'auto', 'float32', 'bf16', 'fp16'}, default='auto'
        Arithmetic of the training forward pass: the weights stay float32
        and the optimizer updates them in float32; ``'bf16'`` and
        ``'fp16'`` run the recurrent layers under ``torch.autocast`` in
        bfloat16 / float16 (the output layer stays float32). ``'auto'``:
        for an LSTM, bf16 on a CPU with native bf16 (AVX-512 BF16 or AMX;
        on IMDB the held-out accuracy held and training ran up to 2x
        faster), float32 on other CPUs (emulated bf16 would be slower) and
        for the GRU and RNN cells (bf16 gains them little on the CPU); on
        CUDA bf16 where the GPU supports it, else fp16. ``'fp16'`` needs CUDA (the loss is
        scaled with ``torch.amp.GradScaler``). Prediction runs in float32,
        exact (the same probabilities as the float32 network and its ONNX
        export), unless ``precision`` is ``'bf16'`` or ``'fp16'`` by name
        when predicting (``set_params`` after ``fit`` counts): about 1.7x
        faster on a CPU with native bf16, probabilities within about 1.5e-3.
        The precision used in training is in ``precision_``.
    verbose : int, default=0
        0 silent; 1 prints a table of losses and accuracies per epoch; 2 adds
        a progress bar per epoch.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, dropout, batch shuffling and the
        validation split; an int makes training on CPU reproducible.
    warm_start : bool, default=False
        When fitted already, ``fit`` continues training the same network. If
        the vocabulary changed (a Pipeline refitted its TextVectorizer), every
        token keeps its trained embedding under its new id. Also decides what
        a saved model (pickle, joblib, skops) holds: with ``warm_start=True``
        the optimizer's state too, so that training goes on after loading
        exactly as without the round trip; without it, only what prediction
        needs (a third of the size with Adam), and a later warm start begins
        with a fresh optimizer.
    unlabelled_label : int, float, str or None, default=-1
        The label that marks an unlabelled document, scikit-learn's
        semi-supervised convention (``SelfTrainingClassifier``,
        ``LabelSpreading``): such documents never count in the cross-entropy
        and are not a class (``classes_`` leaves them out). ``fit`` leaves
        them out of training, unless it gets ``soft_targets`` for them
        (distillation, see :class:`~sklearn_rnn.DistilledClassifier`); a
        :class:`~sklearn_rnn.TextVectorizer` before the classifier in a
        pipeline builds its vocabulary from them too. A number matches equal
        numbers only (``-1`` never matches the string ``'-1'``), a string
        equal strings only: with string labels give a string marker (e.g.
        ``'unlabelled'``). None: no marker, every label is a class.
    **kwargs : dict
        skorch pass-through parameters: ``module__*``, ``optimizer__*``,
        ``criterion__*``, ``callbacks__*``, and ``iterator_train__batch_size``
        / ``iterator_valid__batch_size`` (a different batch size for training
        or for validation and prediction).

    Attributes
    ----------
    classes_ : ndarray of shape (C,)
        The labels, as given in ``y``.
    net_ : skorch.NeuralNet
        The trained skorch net (``net_.module_`` is the torch module).
    history_ : skorch.History
        Per-epoch ``train_loss``, ``train_acc``, ``valid_loss``, ``valid_acc``
        and ``dur`` (validation entries only with a validation split).
    device_ : str
        Device the network was trained on.
    precision_ : {'float32', 'bf16', 'fp16'}
        Precision of training (``precision`` resolved for ``device_``);
        models saved before this parameter existed load as ``'float32'``.
    early_stopping_ : bool
        Whether early stopping was used (see ``early_stopping``).
    n_vocab_ : int
        Rows of the embedding table.
    tokens_ : tuple of str or None
        Token of each id, when ``X`` came from TextVectorizer.
    embeddings_report_ : EmbeddingCoverage or None
        Coverage of the pretrained vectors over the vocabulary (prints as
        ``coverage 87.3% (43,650 / 50,000)``) when given as vectors or a path.

    See Also
    --------
    TextVectorizer : Turns raw text into the token ids this classifier takes.
    PretrainedEmbeddings : Pretrained word vectors and their options.
    RNNSentimentClassifier, LSTMSentimentClassifier, GRUSentimentClassifier :
        This classifier with the cell fixed.

    Notes
    -----
    Documents may be padded at the start or end: each document is re-padded
    at the start to the fixed width of its length bucket, so its prediction
    never depends on the other documents in a batch.

    Examples
    --------
    >>> from sklearn.model_selection import GridSearchCV
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn_rnn import TextVectorizer, RecurrentTextClassifier
    >>> docs = ["a great film", "loved it", "what a waste", "dull and long",
    ...         "great acting", "boring plot", "a joy", "so bad"]
    >>> y = ["pos", "pos", "neg", "neg", "pos", "neg", "pos", "neg"]
    >>> pipe = make_pipeline(TextVectorizer(), RecurrentTextClassifier(
    ...     hidden_size=8, max_epochs=1, random_state=0))
    >>> search = GridSearchCV(pipe, {"recurrenttextclassifier__cell": ["gru", "lstm"]},
    ...                       cv=2).fit(docs, y)
    >>> sorted(search.cv_results_["param_recurrenttextclassifier__cell"])
    ['gru', 'lstm']
    """

    __module__ = "sklearn_rnn"

    _parameter_constraints = {
        **_RecurrentBase._parameter_constraints,
        "cell": [StrOptions({"rnn", "lstm", "gru"})],
    }

    # The parameters are those of _RecurrentBase plus ``cell``: written out
    # (as scikit-learn's forests write theirs) so that the signature, help()
    # and get_params show them; the fixed-cell siblings inherit the base's.
    def __init__(
        self,
        *,
        cell="lstm",
        embedding_dim=DEFAULT_EMBEDDING_DIM,
        hidden_size=128,
        num_layers=1,
        bidirectional=False,
        dropout=0.0,
        pooling="max",
        ngram_range=(1, 2),
        ngram_buckets="auto",
        ngram_init="zeros",
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
        precision="auto",
        verbose=0,
        random_state=None,
        warm_start=False,
        unlabelled_label=-1,
        **kwargs,
    ):
        self.cell = cell
        params = dict(locals())
        for name in ("self", "cell", "kwargs", "__class__"):
            params.pop(name, None)
        super().__init__(**params, **kwargs)

    def _get_cell(self):
        return self.cell


class RNNSentimentClassifier(_RecurrentBase):
    """Elman RNN (tanh) text classifier: :class:`RecurrentTextClassifier`
    with ``cell='rnn'``.

    The recurrent layer of the tutorials this library replaces. It learns
    short documents well; on long ones its state forgets the start, and the
    LSTM or GRU does better (see the results page).

    Parameters
    ----------
    **params : dict
        Every parameter of :class:`RecurrentTextClassifier` except ``cell``,
        with the same defaults and meaning (the signature lists them).

    Attributes
    ----------
    classes_ : ndarray of shape (C,)
        The labels; ``net_``, ``history_``, ``device_`` and the others are
        those of :class:`RecurrentTextClassifier`.

    See Also
    --------
    RecurrentTextClassifier : The same estimator, with the cell as a parameter.

    Examples
    --------
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn_rnn import TextVectorizer, RNNSentimentClassifier
    >>> docs = ["a great film", "loved it", "what a waste", "dull and long",
    ...         "great acting", "boring plot"]
    >>> y = ["pos", "pos", "neg", "neg", "pos", "neg"]
    >>> clf = make_pipeline(TextVectorizer(),
    ...                     RNNSentimentClassifier(hidden_size=8, max_epochs=1, random_state=0))
    >>> clf.fit(docs, y).predict_proba(docs).shape
    (6, 2)
    """

    __module__ = "sklearn_rnn"
    _cell = "rnn"


class LSTMSentimentClassifier(_RecurrentBase):
    """LSTM text classifier: :class:`RecurrentTextClassifier` with ``cell='lstm'``.

    The default of :class:`RecurrentTextClassifier`, and the cell most
    recipes use: its gates keep what the start of a long review said.

    Parameters
    ----------
    **params : dict
        Every parameter of :class:`RecurrentTextClassifier` except ``cell``,
        with the same defaults and meaning (the signature lists them).

    Attributes
    ----------
    classes_ : ndarray of shape (C,)
        The labels; ``net_``, ``history_``, ``device_`` and the others are
        those of :class:`RecurrentTextClassifier`.

    See Also
    --------
    RecurrentTextClassifier : The same estimator, with the cell as a parameter.

    Examples
    --------
    >>> from sklearn.model_selection import cross_val_score
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn_rnn import TextVectorizer, LSTMSentimentClassifier
    >>> docs = ["a great film", "loved it", "what a waste", "dull and long",
    ...         "great acting", "boring plot", "a joy", "so bad"]
    >>> y = ["pos", "pos", "neg", "neg", "pos", "neg", "pos", "neg"]
    >>> pipe = make_pipeline(TextVectorizer(),
    ...                      LSTMSentimentClassifier(hidden_size=8, max_epochs=1, random_state=0))
    >>> cross_val_score(pipe, docs, y, cv=2).shape
    (2,)
    """

    __module__ = "sklearn_rnn"
    _cell = "lstm"


class GRUSentimentClassifier(_RecurrentBase):
    """GRU text classifier: :class:`RecurrentTextClassifier` with ``cell='gru'``.

    Gated like the LSTM with one state instead of two: a little faster per
    epoch, often as accurate.

    Parameters
    ----------
    **params : dict
        Every parameter of :class:`RecurrentTextClassifier` except ``cell``,
        with the same defaults and meaning (the signature lists them).

    Attributes
    ----------
    classes_ : ndarray of shape (C,)
        The labels; ``net_``, ``history_``, ``device_`` and the others are
        those of :class:`RecurrentTextClassifier`.

    See Also
    --------
    RecurrentTextClassifier : The same estimator, with the cell as a parameter.

    Examples
    --------
    >>> from sklearn_rnn import GRUSentimentClassifier, TextVectorizer
    >>> vec = TextVectorizer()
    >>> X = vec.fit_transform(["a great film", "what a waste", "great acting", "so bad"])
    >>> clf = GRUSentimentClassifier(hidden_size=8, max_epochs=1, random_state=0)
    >>> clf.fit(X, [1, 0, 1, 0]).predict(vec.transform(["a great plot"])).shape
    (1,)
    """

    __module__ = "sklearn_rnn"
    _cell = "gru"


# doctests of the classes above (their __module__ is the public one)
__test__ = {cls.__name__: cls for cls in (RecurrentTextClassifier, RNNSentimentClassifier,
                                          LSTMSentimentClassifier, GRUSentimentClassifier)}


# --------------------------------------------------------------------------- #
# the network's parameters and the saved state (persistence reads them too)
# --------------------------------------------------------------------------- #
def network_params(estimator):
    """What builds ``estimator``'s network, as :func:`~._nn._layout.module_kwargs`
    reads it: the parameters (``get_params``: the named ones and the
    ``module__*`` pass-through ones) and the cell."""
    return {**estimator.get_params(deep=False), "cell": estimator._get_cell()}


def restored_state(cls, state):
    """A saved ``__dict__`` of a ``cls`` classifier as this version reads it:
    the parameters added since with their defaults (``ngram_range=None`` when
    saved before the n-gram path existed), without ``cell`` for a fixed-cell
    class."""
    if "ngram_range" not in state:  # saved before the n-gram path existed
        state = {**state, "ngram_range": None}
    state = with_new_parameters(cls, state)
    if cls._cell is not None:  # a fixed-cell class has no cell parameter
        state.pop("cell", None)
    return state


# --------------------------------------------------------------------------- #
# helpers of fit
# --------------------------------------------------------------------------- #
def _wrap_hint(key):
    option = key.split("__", 1)[1]
    return (
        f"{key} is an option of PretrainedEmbeddings: pass "
        f"embeddings=PretrainedEmbeddings(vectors, {option}=...) and then set it as "
        f"{key} (a nested parameter)."
    )


def _snapshot(net):
    """The net with a copy of its module: it predicts as the net does now,
    whatever training does next."""
    frozen = copy.copy(net)
    frozen.module_ = copy.deepcopy(net.module_)
    return frozen


def _document_weights(y_encoded, classes, class_weight, sample_weight, X):
    """Loss weight of each document: ``sample_weight`` times ``class_weight``
    (computed on these labels, as scikit-learn does), scaled to mean 1 (the
    loss is their weighted mean, so their scale does not matter), or None for
    neither."""
    if class_weight is None and sample_weight is None:
        return None
    # _check_sample_weight is private, but scikit-learn's own estimators and
    # many third-party ones check sample_weight with it: the same errors
    weights = (np.ones(len(y_encoded)) if sample_weight is None
               else _check_sample_weight(sample_weight, X, dtype=np.float64,
                                         ensure_non_negative=True))
    labelled = y_encoded >= 0  # -1: unlabelled (soft targets only)
    if class_weight is not None:
        per_class = compute_class_weight(class_weight, classes=classes,
                                         y=np.asarray(classes)[y_encoded[labelled]])
        if not np.all(np.isfinite(per_class)) or (per_class < 0).any():
            raise ValueError(
                f"class_weight must give every class a finite weight >= 0, got "
                f"{dict(zip(classes.tolist(), per_class.tolist(), strict=True))}."
            )
        weights = weights * np.where(labelled, per_class[np.maximum(y_encoded, 0)], 1.0)
    total = weights.sum()
    if not total > 0:
        raise ValueError("The sample weights sum to 0: nothing to learn from.")
    if not math.isfinite(total):
        raise ValueError("The sample weights are too large: their sum is not finite. "
                         "Divide them by a common factor.")
    return weights * (len(weights) / total)


def _warn_if_marker_as_text(y, unlabelled, marker):
    """Warn when no label is the numeric ``marker`` but some label is its
    text (``'-1'`` for -1): string labels read from a file."""
    if marker is None or isinstance(marker, str) or unlabelled.any():
        return
    text = str(marker)
    y = np.asarray(y)
    if y.dtype.kind in "UO" and any(isinstance(v, str) and v == text
                                    for v in set(y.tolist())):
        warnings.warn(
            f"y has the label {text!r} (a string) and unlabelled_label={marker!r} (a "
            f"number): {text!r} is taken as a class, not as unlabelled. Pass "
            f"unlabelled_label={text!r} if it marks unlabelled documents.",
            UserWarning,
        )


def _labelled_part(data):
    """The documents of ``data`` that have a label (not -1)."""
    return data if (data.y >= 0).all() else data.subset(np.flatnonzero(data.y >= 0))


def _check_soft_settings(soft_weight, temperature):
    """``(soft_weight, temperature)`` as floats, checked."""
    if not isinstance(soft_weight, Real) or not 0 <= soft_weight <= 1:
        raise ValueError(f"soft_weight must be a number in [0, 1], got {soft_weight!r}.")
    if not isinstance(temperature, Real) or not 0 < temperature < math.inf:
        raise ValueError(f"temperature must be a finite number > 0, got {temperature!r}.")
    return float(soft_weight), float(temperature)


def _check_soft_targets(soft_targets, n_samples, classes, temperature):
    """``soft_targets`` checked: ``(n_samples, C)`` probabilities, finite,
    non-negative, rows summing to 1; returned softened to ``temperature``
    (``q ** (1 / T)``, renormalised) as float32."""
    try:
        soft = np.asarray(soft_targets, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError("soft_targets must be an array of numbers of shape "
                         f"(n_samples, n_classes) = ({n_samples}, {len(classes)}).") from None
    if soft.shape != (n_samples, len(classes)):
        raise ValueError(
            f"soft_targets has shape {soft.shape}; it must be (n_samples, n_classes) = "
            f"({n_samples}, {len(classes)}): one row per document, one column per class "
            f"of classes_ = {np.asarray(classes).tolist()!r} (the sorted labels, without "
            "the unlabelled marker)."
        )
    if not np.isfinite(soft).all() or (soft < 0).any():
        raise ValueError("soft_targets must be finite and non-negative (probabilities).")
    sums = soft.sum(axis=1)
    bad = np.flatnonzero(np.abs(sums - 1) > 1e-3)
    if len(bad):
        raise ValueError(
            f"Each row of soft_targets must sum to 1 (class probabilities, as "
            f"predict_proba gives); row {bad[0]} sums to {sums[bad[0]]:.4g}."
        )
    soft = soft / sums[:, None]
    if temperature != 1.0:
        soft = np.exp(np.log(np.clip(soft, 1e-12, None)) / temperature)
        soft /= soft.sum(axis=1, keepdims=True)
    return soft.astype(np.float32)


def _validation_split(data, *, seed, validation_fraction, train_split, early_stopping,
                      valid=None):
    """``(train dataset, skorch train_split)``: the user's validation set, or
    ``train_split``, or a stratified ``validation_fraction`` hold-out when early
    stopping, or none."""
    if valid is not None:
        if train_split is not None:
            raise ValueError("Give a validation set either as X_val/y_val or as "
                             "train_split, not both.")
        return data, predefined_split(valid)
    if train_split is not None:
        return data, train_split
    if not early_stopping:
        return data, None
    # validated on labelled documents only; those with soft targets only
    # (label -1) all train
    positions = np.flatnonzero(data.y >= 0)
    n = len(positions)
    n_valid = int(np.ceil(validation_fraction * n))
    if n_valid < 1 or n - n_valid < 1:
        raise ValueError(
            f"early stopping with validation_fraction={validation_fraction} leaves no "
            f"documents to train or validate on ({n} labelled documents)."
        )
    try:
        train, valid = train_test_split(
            positions, test_size=n_valid, random_state=seed, stratify=data.y[positions]
        )
    except ValueError:  # a class too small to stratify: plain random split
        train, valid = train_test_split(positions, test_size=n_valid, random_state=seed)
    if n < len(data):
        train = np.sort(np.concatenate([train, np.flatnonzero(data.y < 0)]))
    return data.subset(train), predefined_split(data.subset(valid))


def _warn_if_one_class(net, train, classes, min_documents=20):
    """Warn when the kept epoch predicted one class for every training batch
    (read from the outputs training computed, ``history[:, 'train_classes']``)."""
    if len(train) < min_documents or len(np.unique(train.y[train.y >= 0])) < 2:
        return
    history = net.history
    kept = len(history) - 1
    stopping = [cb for _, cb in net.callbacks_ if isinstance(cb, EarlyStopping) and cb.load_best]
    if stopping:  # the weights are those of the best epoch
        best = [i for i, row in enumerate(history) if row.get(f"{stopping[0].monitor}_best")]
        kept = best[-1] if best else kept
    if history[kept].get("train_classes", 2) > 1:
        return
    counts = np.bincount(train.y[train.y >= 0], minlength=len(classes))
    ratio = counts.max() / max(counts[counts > 0].min(), 1)
    imbalance = (f" The classes are imbalanced ({ratio:.0f}:1): give the rare ones more "
                 "weight (class_weight='balanced')." if ratio >= 3 else "")
    label = np.asarray(classes)[history[kept]["train_class"]]
    label = label.item() if isinstance(label, np.generic) else label
    warnings.warn(
        f"The fitted model predicts only {label!r} for its own training documents (all "
        f"{len(train):,}, in the epoch it kept): it learnt nothing useful.{imbalance} "
        "Try another learning rate (lr), more epochs, or gradient clipping "
        "(clip_grad_norm).",
        ConvergenceWarning,
    )


def _warn_if_nothing_known(data, known_from):
    """Warn when documents hold no token the model knows: no id ``>=
    known_from`` among their real tokens (2 after a TextVectorizer, whose id 1
    is the unknown token; 1 for ids of your own, where only an empty document
    counts)."""
    if data.source.ndim == 2:  # padding is 0, never a known id: whole rows will do
        known = (np.asarray(data.source) >= known_from).any(axis=1)
    else:
        counts = np.concatenate(([0], np.cumsum(np.asarray(data.source) >= known_from)))
        known = counts[data.starts + data.lengths] > counts[data.starts]
    blank = int(len(known) - np.count_nonzero(known))
    if blank:
        warnings.warn(
            f"{blank:,} of {len(known):,} documents have no token the model knows (empty, "
            f"or only {'words outside its vocabulary' if known_from > 1 else 'padding'}): "
            "their prediction is the model's prior, what it answers without evidence, not "
            "a reading of their text (it is not calibrated: it can be confident). Check the "
            "text column, the language and the tokenizer.",
            UserWarning,
        )
