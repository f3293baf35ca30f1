"""RNN, LSTM and GRU text classifiers as scikit-learn estimators.

Shapes: ``N`` documents, ``T`` positions, ``C`` classes.

Design: compose skorch, do not subclass it. Each classifier is a plain
scikit-learn estimator whose ``__init__`` only stores its (flat, named)
parameters; ``fit`` builds a :class:`skorch.NeuralNet` in ``net_`` and trains
it. We chose this over subclassing ``NeuralNetClassifier`` because:

* skorch's ``__init__`` sets attributes (``history_``, ``initialized_``),
  its ``device`` must be concrete while ours defaults to ``'auto'`` (the GPU
  when there is one, recorded in ``device_``), and its ``y`` goes to torch
  as is; composing keeps all three sklearn-correct without patching skorch
  internals;
* the inputs need preparing before skorch sees them (strip padding, sort
  into length buckets, encode labels) and the outputs un-sorting after.

skorch's power stays reachable: ``callbacks=``, ``module__*``,
``optimizer__*``, ``criterion__*``, ``callbacks__*`` and
``iterator_*__batch_size`` parameters are passed through to the net; the fitted ``net_`` has the
``history``, ``save_params``/``load_params`` and everything else.
"""

import math
import warnings
from numbers import Integral, Real

import numpy as np
import torch
from scipy.special import softmax
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.exceptions import DataConversionWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import LabelEncoder
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_consistent_length, check_is_fitted
from skorch import NeuralNet
from skorch.callbacks import (
    EarlyStopping,
    EpochScoring,
    EpochTimer,
    GradientNormClipping,
    PassthroughScoring,
    PrintLog,
    ProgressBar,
)
from skorch.exceptions import DeviceWarning
from skorch.helper import predefined_split
from skorch.history import History

from ._data import BucketIterator, SequenceDataset
from ._embeddings import (
    VectorsNotSaved,
    describe_vectors,
    is_word_vectors,
    resolve_embeddings,
)
from ._modules import RecurrentClassifierModule
from ._validation import check_token_ids, suggest, validate_params
from ._version import __version__

__all__ = [
    "RNNSentimentClassifier",
    "LSTMSentimentClassifier",
    "GRUSentimentClassifier",
]

#: ``early_stopping='auto'`` turns early stopping on above this many training
#: documents (as scikit-learn's HistGradientBoosting does above 10,000 samples).
AUTO_EARLY_STOPPING_MIN_DOCUMENTS = 10_000

#: Prefixes of skorch parameters passed through to the net.
SKORCH_PREFIXES = (
    "module",
    "optimizer",
    "criterion",
    "callbacks",
    "iterator_train",
    "iterator_valid",
)


class TrainingDivergedError(FloatingPointError):
    """Raised when the training loss becomes NaN or infinite."""


class _EarlyStopping(EarlyStopping):
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


def _accuracy(net, X, y):
    # EpochScoring with caching: ``net.predict`` replays the epoch's outputs.
    return float(np.mean(net.predict(X) == np.asarray(y)))


class _RecurrentNet(NeuralNet):
    """skorch net that batches :class:`SequenceDataset` by length bucket."""

    def __init__(self, *args, shuffle_seed=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.shuffle_seed = shuffle_seed

    @property
    def _default_callbacks(self):
        return [
            ("epoch_timer", EpochTimer()),
            ("train_loss", PassthroughScoring(name="train_loss", on_train=True)),
            (
                "train_acc",
                EpochScoring(_accuracy, name="train_acc", on_train=True,
                             lower_is_better=False),
            ),
            ("valid_loss", PassthroughScoring(name="valid_loss")),
            ("valid_acc", EpochScoring(_accuracy, name="valid_acc", lower_is_better=False)),
            ("print_log", PrintLog()),
        ]

    def get_iterator(self, dataset, training=False):
        prefix = "iterator_train" if training else "iterator_valid"
        kwargs = self.get_params_for(prefix)
        batch_size = kwargs.get("batch_size", self.batch_size)
        if batch_size == -1:
            batch_size = len(dataset)
        return BucketIterator(
            dataset,
            batch_size,
            shuffle=training,
            seed=self.shuffle_seed,
            device=self.device,
        )

    def get_split_datasets(self, X, y=None, **fit_params):
        train, valid = super().get_split_datasets(X, y, **fit_params)
        # a user's train_split (e.g. skorch's ValidSplit) returns torch
        # Subsets: turn them back into bucket-sorted datasets
        return _as_sequence_dataset(train), _as_sequence_dataset(valid)

    def train_step(self, batch, **fit_params):
        step = super().train_step(batch, **fit_params)
        loss = step["loss"].item()  # skorch reads it right after: no extra wait
        if not math.isfinite(loss):
            raise TrainingDivergedError(
                f"The training loss became {loss} in epoch "
                f"{len(self.history)}. Lower the learning rate (lr), keep "
                "gradient clipping on (clip_grad_norm, e.g. 1.0), or check the "
                "pretrained embeddings for NaN/inf values."
            )
        return step

    def evaluation_step(self, batch, training=False):
        with torch.inference_mode(not training):
            return super().evaluation_step(batch, training=training)

    def predict(self, X):
        return self.predict_proba(X).argmax(axis=1)


def _as_sequence_dataset(dataset):
    if dataset is None or isinstance(dataset, SequenceDataset):
        return dataset
    if isinstance(dataset, torch.utils.data.Subset) and isinstance(
        dataset.dataset, SequenceDataset
    ):
        return dataset.dataset.subset(dataset.indices)
    raise TypeError(
        "train_split must return subsets of the dataset it is given (as "
        f"skorch's ValidSplit does), got {type(dataset).__name__}."
    )


def _resolve_device(device):
    if device is None or device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    dev = torch.device(device)
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device={device!r} but CUDA is not available on this machine. Use "
            "device='auto' to take the GPU only when there is one, or 'cpu'."
        )
    return str(device)


class _RecurrentClassifier(ClassifierMixin, BaseEstimator):
    """Base class of the recurrent text classifiers; see the subclasses."""

    _cell = "lstm"

    _parameter_constraints = {
        "embedding_dim": [Interval(Integral, 1, None, closed="left"), None],
        "hidden_size": [Interval(Integral, 1, None, closed="left")],
        "num_layers": [Interval(Integral, 1, None, closed="left")],
        "bidirectional": ["boolean"],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "pooling": [StrOptions({"last", "max", "mean"})],
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
        embedding_dim=128,
        hidden_size=128,
        num_layers=1,
        bidirectional=False,
        dropout=0.0,
        pooling="max",
        embeddings=None,
        freeze_embeddings=False,
        vocab_size=None,
        max_epochs=10,
        lr=3e-3,
        batch_size=64,
        optimizer=torch.optim.Adam,
        clip_grad_norm=1.0,
        early_stopping="auto",
        validation_fraction=0.1,
        n_iter_no_change=3,
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
        self.embeddings = embeddings
        self.freeze_embeddings = freeze_embeddings
        self.vocab_size = vocab_size
        self.max_epochs = max_epochs
        self.lr = lr
        self.batch_size = batch_size
        self.optimizer = optimizer
        self.clip_grad_norm = clip_grad_norm
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.train_split = train_split
        self.callbacks = callbacks
        self.device = device
        self.verbose = verbose
        self.random_state = random_state
        self.warm_start = warm_start
        vars(self).update(kwargs)

    # ------------------------------------------------------------------ #
    # parameters
    # ------------------------------------------------------------------ #
    def _extra_param_names(self):
        return sorted(
            k for k in vars(self) if not k.startswith("_") and not k.endswith("_")
            and k not in self._get_param_names()
        )

    def get_params(self, deep=True):
        """Get parameters, including skorch pass-through ones (``module__*``...).

        Parameters
        ----------
        deep : bool, default=True
            Also return the parameters of contained estimators (none here).

        Returns
        -------
        params : dict
        """
        params = super().get_params(deep=deep)
        params.update((k, getattr(self, k)) for k in self._extra_param_names())
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
        own = {}
        for key, value in params.items():
            if "__" in key and key.split("__", 1)[0] in SKORCH_PREFIXES + ("embeddings",):
                setattr(self, key, value)
            else:
                own[key] = value
        if own:
            super().set_params(**own)
        return self

    def __sklearn_clone__(self):
        # Pretrained vectors (a gensim KeyedVectors can be several GB) are only
        # read, never modified: share them between clones instead of
        # deep-copying them for every fold and grid point.
        params = self.get_params(deep=False)
        new_params = {
            name: value if name == "embeddings" and is_word_vectors(value)
            else clone(value, safe=False)
            for name, value in params.items()
        }
        new = type(self)(**new_params)
        if hasattr(self, "_metadata_request"):
            new._metadata_request = clone(self._metadata_request, safe=False)
        return new

    def _prefixed(self, prefix):
        """``{name: value}`` of the ``<prefix>__<name>`` parameters."""
        start = prefix + "__"
        return {
            k[len(start):]: getattr(self, k)
            for k in self._extra_param_names() if k.startswith(start)
        }

    def _validate_extra_params(self):
        named = set(self._get_param_names())
        errors = []
        for key in self._extra_param_names():
            prefix = key.split("__", 1)[0]
            if prefix == "embeddings" and "__" in key:
                continue  # checked by resolve_embeddings
            if "__" in key and prefix in SKORCH_PREFIXES:
                if prefix.startswith("iterator_") and key.split("__", 1)[1] != "batch_size":
                    errors.append(
                        f"{key} is not supported: batches are built by length bucket "
                        f"(only {prefix}__batch_size can be set)."
                    )
                if prefix == "module":
                    sub = key.split("__", 1)[1]
                    if sub in named or sub in ("cell", "vocab_size", "n_classes"):
                        errors.append(
                            f"{key} is set by the classifier; use the top-level "
                            f"parameter {sub}= instead."
                            if sub in named
                            else f"{key} is set by the classifier from the data."
                        )
                continue
            hint = ""
            for p in SKORCH_PREFIXES:
                if key.startswith(p + "_") and not key.startswith(p + "__"):
                    hint = f" Did you mean {p + '__' + key[len(p):].lstrip('_')!r}?"
                    break
            hint = hint or suggest(key, named)
            errors.append(
                f"{type(self).__name__} got an unexpected parameter {key!r}.{hint} "
                f"Pass-through parameters must start with one of "
                f"{', '.join(p + '__' for p in SKORCH_PREFIXES)}."
            )
        if errors:
            raise ValueError("\n".join(errors))

    # ------------------------------------------------------------------ #
    # data
    # ------------------------------------------------------------------ #
    def _check_y(self, X, y):
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None."
            )
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] == 1:
            warnings.warn(
                "A column-vector y was passed when a 1d array was expected; "
                "it was raveled.",
                category=DataConversionWarning,
            )
            y = y.ravel()
        if y.ndim != 1:
            raise ValueError(f"y must be 1-D (one label per document), got shape {y.shape}.")
        check_consistent_length(X, y)
        if y.dtype.kind == "f" and np.isnan(y).any():
            raise ValueError(
                f"y contains NaN at position {int(np.flatnonzero(np.isnan(y))[0])}; "
                "drop or label those documents first."
            )
        if y.dtype == object and any(v is None or (isinstance(v, float) and v != v)
                                     for v in y):
            bad = next(i for i, v in enumerate(y)
                       if v is None or (isinstance(v, float) and v != v))
            raise ValueError(
                f"y contains a missing label (None or NaN) at position {bad}; drop "
                "or label those documents first."
            )
        check_classification_targets(y)
        return y

    def _vocab_size_from(self, X, tokens, matrix):
        if matrix is not None and tokens is not None and matrix.shape[0] != len(tokens):
            raise ValueError(
                f"The embeddings matrix has {matrix.shape[0]} rows but the "
                f"TextVectorizer's vocabulary has {len(tokens)} ids; its rows must be "
                "aligned with the ids (row i is the vector of token id i). Build it "
                "with build_embedding_matrix(vectors, vectorizer), or pass the "
                "KeyedVectors themselves to have it built in every fit."
            )
        if matrix is not None:
            n = matrix.shape[0]
            source = "rows of the embeddings matrix"
        elif tokens is not None:
            n = len(tokens)
            source = "the TextVectorizer's vocabulary"
        elif self.vocab_size is not None:
            n = self.vocab_size
            source = "vocab_size"
        else:
            n = max(int(X.max()) + 1 if X.size else 2, 2)
            source = None
        if X.size and X.max() >= n:
            raise ValueError(
                f"X contains token id {int(X.max())}, outside the vocabulary of "
                f"{n} ids given by {source}."
            )
        return n

    def _check_ids_for_predict(self, X):
        tokens = getattr(X, "vocabulary", None)
        X = check_token_ids(X)
        if (
            tokens is not None
            and self.tokens_ is not None
            and tokens is not self.tokens_
            and tuple(tokens) != tuple(self.tokens_)
        ):
            raise ValueError(
                "X was made by a different TextVectorizer (another vocabulary) than "
                "the one this classifier was fitted with, so its ids mean other "
                "tokens. Transform the documents with the fitted vectorizer, e.g. "
                "by keeping both in one Pipeline."
            )
        if X.size and X.max() >= self.n_vocab_:
            row = int(np.argwhere(X >= self.n_vocab_)[0][0])
            raise ValueError(
                f"X contains token id {int(X.max())} (row {row}), but the classifier "
                f"was fitted with a vocabulary of {self.n_vocab_} ids (0 to "
                f"{self.n_vocab_ - 1}). Transform new documents with the same "
                "TextVectorizer the classifier was fitted after; with your own ids, "
                "set vocab_size= to the full vocabulary size before fitting."
            )
        return X

    # ------------------------------------------------------------------ #
    # fit
    # ------------------------------------------------------------------ #
    def _callbacks(self, early_stopping):
        callbacks = []
        if self.clip_grad_norm is not None:
            callbacks.append(
                ("gradient_clipping", GradientNormClipping(self.clip_grad_norm))
            )
        if early_stopping:
            callbacks.append((
                "early_stopping",
                _EarlyStopping(
                    # accuracy, not loss: on IMDB the validation loss bottoms
                    # out an epoch or two before the accuracy peaks, as the
                    # network grows confident (measured: 88.4% vs 90.1%)
                    monitor="valid_acc",
                    lower_is_better=False,
                    patience=self.n_iter_no_change,
                    load_best=True,
                    sink=print if self.verbose else _silent,
                ),
            ))
        if self.verbose and self.verbose >= 2:
            callbacks.append(("progress_bar", ProgressBar()))
        for cb in self.callbacks or []:
            callbacks.append(cb)
        return callbacks

    def _uses_early_stopping(self, n_documents):
        if self.early_stopping == "auto":
            return n_documents > AUTO_EARLY_STOPPING_MIN_DOCUMENTS
        return bool(self.early_stopping)

    def _split(self, data, seed, early_stopping):
        """Train/validation datasets: the user's train_split, or our own
        stratified ``validation_fraction`` hold-out when early stopping."""
        if self.train_split is not None:
            return data, self.train_split
        if not early_stopping:
            return data, None
        n = len(data)
        n_valid = int(np.ceil(self.validation_fraction * n))
        if n_valid < 1 or n - n_valid < 1:
            raise ValueError(
                f"early stopping with validation_fraction="
                f"{self.validation_fraction} leaves no documents to train or "
                f"validate on ({n} documents)."
            )
        positions = np.arange(n)
        try:
            train, valid = train_test_split(
                positions, test_size=n_valid, random_state=seed, stratify=data.y
            )
        except ValueError:
            # a class too small to stratify: plain random split
            train, valid = train_test_split(positions, test_size=n_valid, random_state=seed)
        return data.subset(train), predefined_split(data.subset(valid))

    def _module_params(self, n_vocab, n_classes, matrix, embedding_dim=None):
        if matrix is not None:
            dim = matrix.shape[1]  # pretrained vectors set the embedding size
        else:
            dim = embedding_dim or self.embedding_dim or 128
        return {
            "module__cell": self._cell,
            "module__vocab_size": n_vocab,
            "module__n_classes": n_classes,
            "module__embedding_dim": dim,
            "module__hidden_size": self.hidden_size,
            "module__num_layers": self.num_layers,
            "module__bidirectional": self.bidirectional,
            "module__dropout": self.dropout,
            "module__pooling": self.pooling,
            "module__embeddings": None if matrix is None else torch.as_tensor(matrix),
            "module__freeze_embeddings": self.freeze_embeddings,
        }

    def fit(self, X, y):
        """Train the network on token ids ``X`` and labels ``y``.

        Parameters
        ----------
        X : array-like of shape (N, T)
            Non-negative integer token ids, padded with 0 on either side, as
            produced by :class:`~sklearn_rnn.TextVectorizer`.
        y : array-like of shape (N,)
            Labels: strings, integers or any values scikit-learn accepts for
            classification; at least two classes.

        Returns
        -------
        self : object
            Fitted classifier.
        """
        validate_params(self)
        self._validate_extra_params()
        tokens = getattr(X, "vocabulary", None)  # set by TextVectorizer
        X = check_token_ids(X)
        y = self._check_y(X, y)
        if len(y) == 0:
            raise ValueError("Found array with 0 sample(s) (shape=(0, ...)) while a "
                             "minimum of 1 is required.")
        if self.warm_start and hasattr(self, "net_"):
            return self._continue_fit(X, y)

        encoder = LabelEncoder().fit(y)
        if len(encoder.classes_) < 2:
            raise ValueError(
                f"y has 1 class ({encoder.classes_[0]!r}); a classifier needs "
                "documents of at least 2 classes."
            )
        seed = check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
        matrix, self.embeddings_report_ = resolve_embeddings(
            self.embeddings, tokens=tokens, embedding_dim=self.embedding_dim,
            seed=seed, options=self._prefixed("embeddings"),
        )
        n_vocab = self._vocab_size_from(X, tokens, matrix)
        if matrix is not None and matrix.shape[0] != n_vocab:
            raise ValueError(
                f"The embeddings matrix has {matrix.shape[0]} rows but the "
                f"vocabulary has {n_vocab} ids; its rows must be aligned with the "
                "TextVectorizer's ids (row i is the vector of token id i)."
            )
        device = _resolve_device(self.device)
        data = SequenceDataset.from_padded(X, encoder.transform(y))
        early_stopping = self._uses_early_stopping(len(data))
        train, train_split = self._split(data, seed, early_stopping)
        self.classes_ = encoder.classes_
        self.early_stopping_ = early_stopping
        self.tokens_ = None if tokens is None else tuple(tokens)
        self.n_vocab_ = n_vocab
        self.device_ = device

        net = self._make_net(
            n_vocab, len(self.classes_), matrix, train_split, device, seed
        )
        with _seeded(seed, device):
            net.fit(train, train.y)
        # the initial matrix now lives in the module's weights: drop the copy
        net.module__embeddings = None
        self.net_ = net
        return self

    def _make_net(
        self, n_vocab, n_classes, matrix, train_split, device, seed, embedding_dim=None
    ):
        early_stopping = getattr(self, "early_stopping_", False)
        return _RecurrentNet(
            RecurrentClassifierModule,
            criterion=torch.nn.CrossEntropyLoss,
            optimizer=self.optimizer,
            lr=self.lr,
            max_epochs=self.max_epochs,
            batch_size=self.batch_size,
            train_split=train_split,
            callbacks=self._callbacks(early_stopping),
            verbose=self.verbose,
            device=device,
            shuffle_seed=seed,
            **self._module_params(n_vocab, n_classes, matrix, embedding_dim),
            **{k: getattr(self, k) for k in self._extra_param_names()
               if not k.startswith("embeddings__")},
        )

    def _continue_fit(self, X, y):
        unknown = set(np.unique(y)) - set(self.classes_)
        if unknown:
            raise ValueError(
                f"warm_start: y has labels {sorted(unknown)!r} not seen in the first "
                f"fit (classes_ = {list(self.classes_)!r})."
            )
        X = self._check_ids_for_predict(X)
        encoded = np.searchsorted(self.classes_, y)
        data = SequenceDataset.from_padded(X, encoded)
        seed = check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
        train, self.net_.train_split = self._split(data, seed, self.early_stopping_)
        with _seeded(None, self.device_):
            self.net_.partial_fit(train, train.y)
        return self

    # ------------------------------------------------------------------ #
    # predict
    # ------------------------------------------------------------------ #
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
        check_is_fitted(self, "net_")
        X = self._check_ids_for_predict(X)
        n = X.shape[0]
        if n == 0:
            raise ValueError("Found array with 0 sample(s) (shape=(0, ...)) while a "
                             "minimum of 1 is required.")
        data = SequenceDataset.from_padded(X)
        logits = self._forward_with_retry(data).double().numpy()
        proba = np.empty_like(logits)
        proba[data.order] = softmax(logits, axis=1)
        return proba

    def _forward(self, data, batch_size):
        """Logits ``(N, C)`` in ``data``'s (bucket) order. Builds its own
        iterator and mutates nothing: safe to call from several threads."""
        net = self.net_
        outputs = [
            net.evaluation_step(batch)  # stays on the device: no sync per batch
            for batch in BucketIterator(data, batch_size, device=net.device)
        ]
        if not outputs:
            return torch.zeros((0, len(self.classes_)))
        return torch.cat(outputs).cpu()

    def _forward_with_retry(self, data):
        """:meth:`_forward`, halving the batch size when memory runs out."""
        batch_size = getattr(self, "iterator_valid__batch_size", self.batch_size)
        first = batch_size
        while True:
            try:
                logits = self._forward(data, batch_size)
            except (torch.OutOfMemoryError, RuntimeError, MemoryError) as exc:
                if not _is_out_of_memory(exc):
                    raise
                if str(self.device_).startswith("cuda"):
                    torch.cuda.empty_cache()
                if batch_size == 1:
                    raise MemoryError(
                        f"Out of memory predicting on {self.device_} even one document "
                        "at a time. Lower maxlen in the TextVectorizer (documents are "
                        "that long), or predict on the CPU: set_params(device='cpu') "
                        "and refit, or unpickle the model on a CPU-only process."
                    ) from exc
                batch_size = max(batch_size // 2, 1)
                continue
            if batch_size != first:
                warnings.warn(
                    f"Ran out of memory on {self.device_} predicting with batch_size="
                    f"{first}; predicted with batch_size={batch_size} instead. Set "
                    f"iterator_valid__batch_size={batch_size} (or a lower batch_size) "
                    "to avoid the retries.",
                    ResourceWarning,
                )
            return logits

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
        proba = self.predict_proba(X)
        return self.classes_[proba.argmax(axis=1)]

    def predict_log_proba(self, X):
        """Log of :meth:`predict_proba`.

        Parameters
        ----------
        X : array-like of shape (N, T)

        Returns
        -------
        log_proba : ndarray of shape (N, C)
        """
        return np.log(self.predict_proba(X))

    @property
    def history_(self):
        """The skorch History of the last fit.

        Per epoch: ``train_loss``, ``train_acc``, ``dur`` and, with a
        validation split, ``valid_loss`` and ``valid_acc``.
        """
        check_is_fitted(self, "net_")
        return self.net_.history

    # ------------------------------------------------------------------ #
    # persistence
    # ------------------------------------------------------------------ #
    def __getstate__(self):
        """Plain-data state: numpy arrays and Python primitives, no torch
        objects, so that pickle, joblib and skops.io files load without
        running arbitrary code (skops) and without a GPU."""
        state = dict(super().__getstate__())  # a copy: never touch self.__dict__
        net = state.pop("net_", None)
        if net is not None:
            state["net_state_"] = _export_net(net)
            # The rows the vocabulary needs are in the network's weights: never
            # save a (possibly multi-GB) vector set along with a fitted model.
            if is_word_vectors(state.get("embeddings")):
                state["embeddings"] = VectorsNotSaved(describe_vectors(state["embeddings"]))
        return state

    def __setstate__(self, state):
        net_state = state.pop("net_state_", None)
        super().__setstate__(state)
        if net_state is not None:
            self.net_ = self._import_net(net_state)
            self.device_ = str(self.net_.device)

    def _import_net(self, saved):
        version = saved.get("format")
        if version != _STATE_FORMAT:
            raise ValueError(
                f"This {type(self).__name__} was saved by sklearn_rnn "
                f"{saved.get('sklearn_rnn', '?')} in model format {version!r}; this "
                f"sklearn_rnn {__version__} reads format {_STATE_FORMAT}. Load it with "
                "the version that saved it, or retrain."
            )
        device = saved["device"]
        if str(device).startswith("cuda") and not torch.cuda.is_available():
            warnings.warn(
                f"This model was trained on {device}, which is not available here; "
                "it is loaded on the CPU.",
                DeviceWarning,
            )
            device = "cpu"
        net = self._make_net(
            saved["n_vocab"], saved["n_classes"], None,
            self.train_split, device, saved["shuffle_seed"], saved["embedding_dim"],
        )
        try:
            net.initialize()
            net.module_.load_state_dict(
                {k: torch.as_tensor(v) for k, v in saved["module"].items()}
            )
            if saved.get("optimizer") is not None:
                net.optimizer_.load_state_dict(_to_torch(saved["optimizer"]))
        except (RuntimeError, KeyError, ValueError) as exc:
            raise ValueError(
                f"Could not restore the network of this {type(self).__name__} "
                f"(saved by sklearn_rnn {saved.get('sklearn_rnn', '?')}, loading with "
                f"{__version__}): {exc}"
            ) from exc
        net.history_ = History(saved["history"])
        net.module__embeddings = None
        return net

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.categorical = True
        tags.input_tags.positive_only = True
        tags.non_deterministic = False
        return tags


def _silent(*args, **kwargs):
    pass


def _is_out_of_memory(exc):
    if isinstance(exc, (torch.OutOfMemoryError, MemoryError)):
        return True
    text = str(exc).lower()
    return "out of memory" in text or "can't allocate memory" in text


#: Version of the saved-model layout written by ``__getstate__``.
_STATE_FORMAT = 1


def _plain(value):
    """Tensors -> numpy arrays, numpy scalars -> Python, recursively."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(v) for v in value)
    if isinstance(value, np.generic):
        return value.item()
    return value


def _to_torch(value):
    if isinstance(value, np.ndarray):
        return torch.as_tensor(value)
    if isinstance(value, dict):
        return {k: _to_torch(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_to_torch(v) for v in value)
    return value


def _export_net(net):
    """The trained network as plain data (see ``__getstate__``)."""
    module = net.module_
    params = net.get_params_for("module")
    optimizer = getattr(net, "optimizer_", None)
    return {
        "format": _STATE_FORMAT,
        "sklearn_rnn": __version__,
        "device": str(net.device),
        "n_vocab": params["vocab_size"],
        "n_classes": params["n_classes"],
        "embedding_dim": params["embedding_dim"],
        "shuffle_seed": net.shuffle_seed,
        "module": {k: v.detach().cpu().numpy() for k, v in module.state_dict().items()},
        "optimizer": None if optimizer is None else _plain(optimizer.state_dict()),
        "history": _plain([dict(row) for row in net.history]),
    }


class _seeded:
    """Context: seed torch's global RNGs, restoring them afterwards."""

    def __init__(self, seed, device):
        self.seed = seed
        self.cuda = str(device).startswith("cuda") and torch.cuda.is_available()

    def __enter__(self):
        devices = [torch.cuda.current_device()] if self.cuda else []
        self._fork = torch.random.fork_rng(devices=devices)
        self._fork.__enter__()
        if self.seed is not None:
            torch.manual_seed(self.seed)
        return self

    def __exit__(self, *exc):
        return self._fork.__exit__(*exc)


_DOC_PARAMS = """
    Parameters
    ----------
    embedding_dim : int, default=128
        Size of the token embeddings. Ignored when ``embeddings`` is given
        (the vectors' dimension wins).
    hidden_size : int, default=128
        Size of the recurrent state.
    num_layers : int, default=1
        Stacked recurrent layers.
    bidirectional : bool, default=False
        Also read each document backwards.
    dropout : float, default=0.0
        Dropout on embeddings, between layers and on the pooled features.
    pooling : {'last', 'max', 'mean'}, default='max'
        How the per-position outputs become one vector per document:
        ``'last'`` real position (the classic recipe; read correctly for pre-
        and post-padded input), or the ``'max'`` / ``'mean'`` over the real
        positions only.
    embeddings : array-like, KeyedVectors, Word2Vec or path, default=None
        Pretrained word vectors. A ``(vocab, dim)`` matrix whose row ``i`` is
        the vector of token id ``i``; or gensim vectors / a file path, aligned
        with the vocabulary of the TextVectorizer feeding the classifier at
        every ``fit`` (so every cross-validation fold is right).
        Options go in ``embeddings__oov`` ('random' or 'zeros' rows for words
        without a vector), ``embeddings__lowercase_fallback``,
        ``embeddings__limit`` and ``embeddings__format`` (for paths; see
        :func:`~sklearn_rnn.load_word_vectors`). The vectors' dimension sets
        the embedding size: ``embedding_dim`` is then ignored (with a warning
        when it was set to another value than the default, e.g. by a grid
        search).
    freeze_embeddings : bool, default=False
        Keep pretrained vectors fixed (True) or fine-tune them (False). Rows
        of words without a vector stay at their initial values when frozen.
    vocab_size : int, default=None
        Number of token ids, for ids that do not come from TextVectorizer. None
        reads it from the vectorizer's output, or takes ``max id + 1``.
    max_epochs : int, default=10
        Passes over the training data.
    lr : float, default=3e-3
        Learning rate of the optimizer. On 20,000 IMDB reviews Adam at 3e-3
        beat 1e-3 (89.2% vs 88.3% best held-out accuracy).
    batch_size : int, default=64
        Documents per batch, in training and prediction.
    optimizer : torch optimizer class, default=torch.optim.Adam
        Configure it with ``optimizer__weight_decay=...`` etc.
    clip_grad_norm : float or None, default=1.0
        Clip the gradient norm to this value (vanilla RNNs explode without
        it); None disables clipping.
    early_stopping : 'auto' or bool, default='auto'
        Hold out ``validation_fraction`` of the training data (stratified), stop
        when the validation accuracy has not improved for ``n_iter_no_change``
        epochs and restore the best epoch's weights. ``'auto'`` does so when
        there are more than 10,000 training documents: measured on IMDB, an
        LSTM peaks after 3 epochs and then overfits. ``early_stopping_`` says
        whether it was used.
    validation_fraction : float, default=0.1
        Share of the training data held out when ``early_stopping``.
    n_iter_no_change : int, default=3
        Patience of early stopping, in epochs.
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
    verbose : int, default=0
        0 silent; 1 prints a table of losses and accuracies per epoch; 2 adds
        a progress bar per epoch.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, dropout, batch shuffling and the
        validation split; an int makes training on CPU reproducible.
    warm_start : bool, default=False
        When fitted already, ``fit`` continues training the same network.
    **kwargs : dict
        skorch pass-through parameters: ``module__*``, ``optimizer__*``,
        ``criterion__*``, ``callbacks__*``, and ``iterator_train__batch_size``
        / ``iterator_valid__batch_size`` (a different batch size for training
        or validation and prediction).

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
    early_stopping_ : bool
        Whether early stopping was used (see ``early_stopping``).
    n_vocab_ : int
        Rows of the embedding table.
    tokens_ : tuple of str or None
        Token of each id, when ``X`` came from TextVectorizer.
    embeddings_report_ : EmbeddingCoverage or None
        Coverage of the pretrained vectors over the vocabulary (prints as
        ``coverage 87.3% (43,650 / 50,000)``) when given as vectors or a path.
"""

_DOC_SEE_ALSO = """
    See Also
    --------
    TextVectorizer : Turns raw text into the token ids these classifiers take.
    RNNSentimentClassifier, LSTMSentimentClassifier, GRUSentimentClassifier
"""

_DOC_NOTES = """
    Notes
    -----
    Documents may be padded at the start or end: padding is stripped and each
    document re-padded at the start to the fixed width of its length bucket,
    so its prediction never depends on the other documents in a batch.
"""


def _example(name):
    return f"""
    Examples
    --------
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn_rnn import TextVectorizer, {name}
    >>> docs = ["a great film", "loved it", "what a waste", "dull and long",
    ...         "great acting", "boring plot"]
    >>> y = ["pos", "pos", "neg", "neg", "pos", "neg"]
    >>> clf = make_pipeline(TextVectorizer(),
    ...                     {name}(hidden_size=8, max_epochs=1, random_state=0))
    >>> clf.fit(docs, y).predict_proba(docs).shape
    (6, 2)
    >>> clf.classes_.tolist()
    ['neg', 'pos']
"""


class RNNSentimentClassifier(_RecurrentClassifier):
    _cell = "rnn"


class LSTMSentimentClassifier(_RecurrentClassifier):
    _cell = "lstm"


class GRUSentimentClassifier(_RecurrentClassifier):
    _cell = "gru"


RNNSentimentClassifier.__doc__ = (
    """Elman RNN (tanh) text classifier with a scikit-learn interface.

    Embeds token ids, runs a vanilla recurrent layer and classifies the pooled
    states, trained with Adam and cross-entropy through skorch.
"""
    + _DOC_PARAMS + _DOC_SEE_ALSO + _DOC_NOTES + _example("RNNSentimentClassifier")
)
LSTMSentimentClassifier.__doc__ = (
    """LSTM text classifier with a scikit-learn interface.

    Embeds token ids, runs an LSTM and classifies the pooled states, trained
    with Adam and cross-entropy through skorch.
"""
    + _DOC_PARAMS + _DOC_SEE_ALSO + _DOC_NOTES + _example("LSTMSentimentClassifier")
)
GRUSentimentClassifier.__doc__ = (
    """GRU text classifier with a scikit-learn interface.

    Embeds token ids, runs a GRU and classifies the pooled states, trained with
    Adam and cross-entropy through skorch.
"""
    + _DOC_PARAMS + _DOC_SEE_ALSO + _DOC_NOTES + _example("GRUSentimentClassifier")
)
