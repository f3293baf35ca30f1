"""The skorch layer: a ``NeuralNet`` that batches documents by length bucket.

Shapes: ``N`` documents, ``C`` classes.

:class:`RecurrentNet` is what the classifiers build in ``fit`` (their
``net_``). It adds to skorch's ``NeuralNet``: batches from
:class:`~sklearn_rnn._data.BucketIterator` (in training, validation and
prediction), a check that the loss stays finite, inference mode for
evaluation, per-epoch accuracy, and :meth:`RecurrentNet.forward_logits`, the
prediction pass that halves its batch size when memory runs out. It returns
logits; the classifiers turn them into probabilities.
"""

import math
import sys
import warnings

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin
from skorch import NeuralNet
from skorch.callbacks import EarlyStopping, EpochScoring, EpochTimer, PassthroughScoring, PrintLog
from skorch.utils import Ansi

from ._data import BucketIterator, SequenceDataset
from ._utils import is_out_of_memory

__all__ = ["RecurrentNet", "TrainingDivergedError", "BestEpochStopping", "make_scoring",
           "prediction_batch_size", "probabilities"]

#: Smallest batch of validation and prediction when iterator_valid__batch_size
#: is not set: +17% documents/s over 64 on 2 CPU cores for the default LSTM.
PREDICTION_BATCH_SIZE = 256

#: Training stops with TrainingDivergedError when a batch's loss exceeds this
#: multiple of the larger of the first batch's loss and log(classes).
DIVERGENCE_FACTOR = 100

_ADVICE = ("Lower the learning rate (lr), keep gradient clipping on (clip_grad_norm, e.g. "
           "1.0), or check the pretrained embeddings for NaN/inf values.")


class TrainingDivergedError(FloatingPointError):
    """Raised when training diverges: the loss becomes NaN or infinite or grows
    100-fold, or the weights become NaN or infinite.

    Lower the learning rate (``lr``), keep gradient clipping on
    (``clip_grad_norm``), or check pretrained embeddings for NaN values.
    """


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


def _accuracy(net, X, y):
    # EpochScoring caches the epoch's outputs: net.predict replays them.
    return float(np.mean(net.predict(X) == np.asarray(y)))


def probabilities(logits):
    """Class probabilities ``(N, C)`` float64 numpy array of logits ``(N, C)``
    (the one softmax of the Python path; ONNX export has its own in the graph)."""
    return torch.softmax(logits.double(), dim=1).numpy()


class NetAsClassifier(ClassifierMixin, BaseEstimator):
    """What a scikit-learn scorer needs of a net: ``predict``/``predict_proba``
    on a :class:`SequenceDataset` and ``classes_`` (the encoded labels)."""

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
        # EpochScoring caches the epoch's outputs: the net replays them
        return float(scorer(NetAsClassifier(net, n_classes), X, np.asarray(y)))

    return score


class RecurrentNet(NeuralNet):
    """skorch ``NeuralNet`` over :class:`SequenceDataset`, batched by length bucket.

    Parameters
    ----------
    *args, **kwargs
        As for ``skorch.NeuralNet``.
    shuffle_seed : int, default=None
        Seed of the batch order in training.
    """

    def __init__(self, *args, shuffle_seed=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.shuffle_seed = shuffle_seed

    @property
    def _default_callbacks(self):
        return [
            ("epoch_timer", EpochTimer()),
            ("train_loss", PassthroughScoring(name="train_loss", on_train=True)),
            ("train_acc", EpochScoring(_accuracy, name="train_acc", on_train=True,
                                       lower_is_better=False)),
            ("valid_loss", PassthroughScoring(name="valid_loss")),
            ("valid_acc", EpochScoring(_accuracy, name="valid_acc", lower_is_better=False)),
            ("print_log", TerminalPrintLog()),
        ]

    def initialize(self):
        super().initialize()
        # one generator for the whole life of the net: a warm start continues
        # the sequence of batch orders instead of replaying the first epochs
        self.shuffle_rng_ = np.random.default_rng(self.shuffle_seed)
        return self

    def batch_size_for(self, n_documents, training=False):
        """The batch size of training or of validation and prediction.

        ``iterator_train__batch_size`` / ``iterator_valid__batch_size`` when
        set; else ``batch_size`` for training, and at least
        :data:`PREDICTION_BATCH_SIZE` for validation and prediction (no
        gradients to keep; the results do not depend on it). ``-1`` means all
        documents in one batch, as in skorch.
        """
        prefix = "iterator_train" if training else "iterator_valid"
        given = self.get_params_for(prefix).get("batch_size")
        if training:
            batch_size = self.batch_size if given is None else given
            return max(n_documents, 1) if batch_size == -1 else batch_size
        return prediction_batch_size(self.batch_size, given, n_documents)

    def get_iterator(self, dataset, training=False):
        return BucketIterator(
            dataset,
            self.batch_size_for(len(dataset), training),
            shuffle=training,
            seed=self.shuffle_rng_ if training else None,
            device=self.device,
        )

    def get_split_datasets(self, X, y=None, **fit_params):
        train, valid = super().get_split_datasets(X, y, **fit_params)
        # a user's train_split (e.g. skorch's ValidSplit) returns torch
        # Subsets: turn them back into bucket-sorted datasets
        return _as_sequence_dataset(train), _as_sequence_dataset(valid)

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        super().on_train_begin(net, X=X, y=y, **kwargs)
        self._first_loss = None

    def train_step(self, batch, **fit_params):
        step = super().train_step(batch, **fit_params)
        loss = step["loss"].item()  # skorch reads it right after: no extra wait
        if self._first_loss is None:
            self._first_loss = loss
        # far above the loss of guessing (log C) and of the first batch
        bound = DIVERGENCE_FACTOR * max(self._first_loss, math.log(self.module_.n_classes))
        if not math.isfinite(loss) or loss > bound:
            what = f"became {loss}" if not math.isfinite(loss) else (
                f"grew to {loss:.4g}, over {DIVERGENCE_FACTOR}x its start "
                f"({self._first_loss:.4g})")
            raise TrainingDivergedError(
                f"The training loss {what} in epoch {len(self.history)}. {_ADVICE}"
            )
        return step

    def on_epoch_end(self, net, dataset_train=None, dataset_valid=None, **kwargs):
        super().on_epoch_end(net, dataset_train=dataset_train, dataset_valid=dataset_valid,
                             **kwargs)
        bad = [name for name, p in self.module_.named_parameters()
               if not torch.isfinite(p).all()]
        if bad:
            raise TrainingDivergedError(
                f"The weights became NaN or infinite in epoch {len(self.history)} "
                f"({', '.join(bad[:3])}). {_ADVICE}"
            )

    def get_loss(self, y_pred, y_true, X=None, training=False):
        """Cross-entropy; with document weights (``X['weights']``, from
        ``class_weight`` and ``sample_weight``) their weighted mean, as
        scikit-learn averages weighted losses: sum(w * loss) / sum(w)."""
        weights = X.get("weights") if isinstance(X, dict) else None
        if weights is None:
            return super().get_loss(y_pred, y_true, X=X, training=training)
        criterion = self.criterion_
        y_true = y_true.to(y_pred.device)
        per_doc = torch.nn.functional.cross_entropy(
            y_pred, y_true, weight=getattr(criterion, "weight", None), reduction="none",
            label_smoothing=getattr(criterion, "label_smoothing", 0.0),
        )
        class_weight = getattr(criterion, "weight", None)
        denominator = weights if class_weight is None else weights * class_weight[y_true]
        return (per_doc * weights).sum() / denominator.sum().clamp_min(1e-12)

    def evaluation_step(self, batch, training=False):
        with torch.inference_mode(not training):
            return super().evaluation_step(batch, training=training)

    def predict(self, X):
        """Class index of each document of ``X`` (a :class:`SequenceDataset`),
        in its order: the argmax of the logits."""
        return self.forward(X).argmax(dim=1).numpy()

    def forward_logits(self, dataset, batch_size=None):
        """Logits ``(N, C)`` on the CPU, in ``dataset``'s (bucket) order.

        Builds its own iterator and changes nothing, so it is safe to call
        from several threads. When memory runs out it halves the batch size
        and tries again (a ``ResourceWarning`` says so).
        """
        batch_size = first = batch_size or self.batch_size_for(len(dataset))
        while True:
            try:
                outputs = [
                    self.evaluation_step(batch)  # stays on the device: no sync per batch
                    for batch in BucketIterator(dataset, batch_size, device=self.device)
                ]
            except (torch.OutOfMemoryError, RuntimeError, MemoryError) as exc:
                if not is_out_of_memory(exc):
                    raise
                if str(self.device).startswith("cuda"):
                    torch.cuda.empty_cache()
                if batch_size == 1:
                    raise MemoryError(
                        f"Out of memory predicting on {self.device} even one document "
                        "at a time. Lower maxlen in the TextVectorizer (documents are "
                        "that long), or predict on the CPU: set_params(device='cpu') "
                        "and refit, or unpickle the model on a CPU-only process."
                    ) from exc
                batch_size = max(batch_size // 2, 1)
                continue
            if batch_size != first:
                warnings.warn(
                    f"Ran out of memory on {self.device} predicting with batch_size="
                    f"{first}; predicted with batch_size={batch_size} instead. Set "
                    f"iterator_valid__batch_size={batch_size} (or a lower batch_size) "
                    "to avoid the retries.",
                    ResourceWarning,
                )
            if not outputs:
                return torch.zeros((0, self.module_.n_classes))
            return torch.cat(outputs).cpu()


def prediction_batch_size(batch_size, valid_batch_size, n_documents):
    """``valid_batch_size`` when set, else at least :data:`PREDICTION_BATCH_SIZE`
    (``batch_size`` when larger); ``-1`` means all ``n_documents``."""
    if valid_batch_size is None:
        valid_batch_size = batch_size if batch_size == -1 else max(batch_size,
                                                                   PREDICTION_BATCH_SIZE)
    return max(n_documents, 1) if valid_batch_size == -1 else valid_batch_size


def _as_sequence_dataset(dataset):
    if dataset is None or isinstance(dataset, SequenceDataset):
        return dataset
    if isinstance(dataset, torch.utils.data.Subset) and isinstance(
        dataset.dataset, SequenceDataset
    ):
        return dataset.dataset.subset(dataset.indices)
    raise TypeError(
        "train_split must return subsets of the dataset it is given (as skorch's "
        f"ValidSplit does), got {type(dataset).__name__}."
    )
