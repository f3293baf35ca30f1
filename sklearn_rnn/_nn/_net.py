"""The skorch net the classifiers build in ``fit`` (their ``net_``).

Shapes: ``N`` documents, ``C`` classes, ``V`` vocabulary size, ``E``
embedding size.

:class:`RecurrentNet` adds to skorch's ``NeuralNet``: batches from
:class:`~sklearn_rnn._nn._data.BucketIterator` (in training, validation and
prediction), a check that the loss stays finite, inference mode for
evaluation, the weighted mean loss, :meth:`RecurrentNet.forward_logits` (the
prediction pass that halves its batch size when memory runs out), and
:meth:`RecurrentNet.realign_vocabulary` for warm starts on a refitted
vocabulary. It returns logits; the classifiers turn them into probabilities.
"""

import contextlib
import math
import warnings

import numpy as np
import torch
from skorch import NeuralNet
from skorch.callbacks import EpochTimer, PassthroughScoring
from skorch.dataset import unpack_data

from ._callbacks import BatchAccuracy, TerminalPrintLog
from ._data import BucketIterator, SequenceDataset
from ._device import is_out_of_memory
from ._module import token_keys
from ._speed import autocast_dtype, needs_grad_scaler

__all__ = ["RecurrentNet", "TrainingDivergedError", "prediction_batch_size"]

#: Smallest batch of validation and prediction when iterator_valid__batch_size
#: is not set: no gradients to keep, and faster than the training batch of 64
#: (benchmarks/results/predict_cpu.md).
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

    __module__ = "sklearn_rnn"


def prediction_batch_size(batch_size, valid_batch_size, n_documents):
    """The batch size of validation and prediction: ``valid_batch_size``
    (``iterator_valid__batch_size``) when set, else at least
    :data:`PREDICTION_BATCH_SIZE` (``batch_size`` when larger); ``-1`` means
    all ``n_documents``. The results do not depend on it."""
    if valid_batch_size is None:
        valid_batch_size = batch_size if batch_size == -1 else max(batch_size,
                                                                   PREDICTION_BATCH_SIZE)
    return max(n_documents, 1) if valid_batch_size == -1 else valid_batch_size


class RecurrentNet(NeuralNet):
    """skorch ``NeuralNet`` over :class:`SequenceDataset`, batched by length bucket.

    Parameters
    ----------
    *args, **kwargs
        As for ``skorch.NeuralNet``.
    shuffle_seed : int, default=None
        Seed of the batch order in training.
    precision : {'float32', 'bf16', 'fp16'}, default='float32'
        The training forward pass runs under ``torch.autocast`` in this
        dtype; the weights stay float32 and the logits are returned as
        float32. 'fp16' scales the loss on CUDA (``torch.amp.GradScaler``).
        Validation and :meth:`forward_logits` run in float32 unless asked.
    """

    def __init__(self, *args, shuffle_seed=None, precision="float32", **kwargs):
        super().__init__(*args, **kwargs)
        self.shuffle_seed = shuffle_seed
        self.precision = precision

    @property
    def _default_callbacks(self):
        return [
            ("epoch_timer", EpochTimer()),
            ("train_loss", PassthroughScoring(name="train_loss", on_train=True)),
            ("train_acc", BatchAccuracy(name="train_acc", on_train=True)),
            ("valid_loss", PassthroughScoring(name="valid_loss")),
            ("valid_acc", BatchAccuracy(name="valid_acc")),
            ("print_log", TerminalPrintLog()),
        ]

    def initialize(self):
        super().initialize()
        # one generator for the whole life of the net: a warm start continues
        # the sequence of batch orders instead of replaying the first epochs
        self.shuffle_rng_ = np.random.default_rng(self.shuffle_seed)
        self.grad_scaler_ = (torch.amp.GradScaler(torch.device(self.device).type)
                             if needs_grad_scaler(self.precision, self.device) else None)
        return self

    def infer(self, x, **fit_params):
        """The module's logits; in training under ``torch.autocast`` when
        ``precision`` asks for it (returned as float32)."""
        dtype = autocast_dtype(getattr(self, "precision", "float32"), self.device)
        if dtype is None or not self.module_.training:
            return super().infer(x, **fit_params)
        with torch.autocast(torch.device(self.device).type, dtype=dtype):
            logits = super().infer(x, **fit_params)
        return logits.float()

    def train_step_single(self, batch, **fit_params):
        scaler = getattr(self, "grad_scaler_", None)
        if scaler is None:
            return super().train_step_single(batch, **fit_params)
        # float16: the loss is scaled for backward, the gradients unscaled
        # at once so that clipping (on_grad_computed) sees their true size
        self._set_training(True)
        Xi, yi = unpack_data(batch)
        y_pred = self.infer(Xi, **fit_params)
        loss = self.get_loss(y_pred, yi, X=Xi, training=True)
        scaler.scale(loss).backward()
        scaler.unscale_(self.optimizer_)
        return {"loss": loss, "y_pred": y_pred}

    def _step_optimizer(self, step_fn):
        scaler = getattr(self, "grad_scaler_", None)
        if scaler is None:
            return super()._step_optimizer(step_fn)
        step_fn()
        scaler.step(self.optimizer_)  # skipped when a gradient is inf/NaN
        scaler.update()
        return None

    def batch_size_for(self, n_documents, training=False):
        """The batch size of training, or of validation (see
        :func:`prediction_batch_size`), from the estimator's parameters as
        they were set on this net at the start of the fit. ``-1`` means all
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

    #: ``(soft_weight, temperature)`` of a fit with soft targets (set by the
    #: estimator for the length of that fit), else None.
    soft_loss = None

    def get_loss(self, y_pred, y_true, X=None, training=False):
        """Cross-entropy; with document weights (``X['weights']``, from
        ``class_weight`` and ``sample_weight``) their weighted mean, as
        scikit-learn averages weighted losses: sum(w * loss) / sum(w).

        With soft targets (``X['soft']``, rows of class probabilities ``q``)
        the loss is ``(1 - a) * CE + a * T**2 * KL(q || softmax(logits / T))``
        (``a, T = soft_loss``), the cross-entropy over the documents with a
        label (encoded label >= 0) and the divergence over every document,
        each a weighted mean (Hinton et al. 2015).
        """
        weights = X.get("weights") if isinstance(X, dict) else None
        soft = X.get("soft") if isinstance(X, dict) else None
        if soft is None:
            if weights is None:
                return super().get_loss(y_pred, y_true, X=X, training=training)
            return self._hard_loss(y_pred, y_true.to(y_pred.device), weights)
        y_true = y_true.to(y_pred.device)
        if weights is None:
            weights = torch.ones(len(y_pred), device=y_pred.device)
        alpha, temperature = self.soft_loss or (0.5, 1.0)
        labelled = y_true >= 0
        hard = (self._hard_loss(y_pred[labelled], y_true[labelled], weights[labelled])
                if alpha < 1 and bool(labelled.any()) else y_pred.sum() * 0.0)
        soft = soft.to(y_pred.dtype)
        log_q = torch.log(soft.clamp_min(1e-12))
        log_p = torch.log_softmax(y_pred / temperature, dim=1)
        kl = (soft * (log_q - log_p)).sum(dim=1)
        divergence = (kl * weights).sum() / weights.sum().clamp_min(1e-12)
        return (1 - alpha) * hard + alpha * temperature ** 2 * divergence

    def _hard_loss(self, y_pred, y_true, weights):
        """Weighted mean cross-entropy (class weights from the criterion)."""
        criterion = self.criterion_
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

    def realign_vocabulary(self, old_tokens, new_tokens, new_rows):
        """Move the trained embedding table from ``old_tokens`` to ``new_tokens``.

        Each token in both vocabularies keeps its trained row (and the
        optimizer's state for it) under its new id; rows of new tokens come
        from ``new_rows`` ``(V, E)``. The rest of the network and the
        optimizer are untouched; n-grams are hashed from the tokens' text, so
        their rows stay valid.

        Returns
        -------
        n_kept : int
            Tokens that kept their trained row.
        """
        old_index = {token: i for i, token in enumerate(old_tokens)}
        src = np.array([old_index.get(token, -1) for token in new_tokens], dtype=np.int64)
        known = torch.as_tensor(src >= 0)
        src_known = torch.as_tensor(src[src >= 0])
        embedding = self.module_.embedding
        old = embedding.weight
        weight = torch.as_tensor(new_rows, dtype=old.dtype).to(old.device)
        weight[known] = old.detach()[src_known]
        weight[0] = 0.0  # padding
        new = torch.nn.Parameter(weight, requires_grad=old.requires_grad)
        embedding.weight = new
        embedding.num_embeddings = len(new_tokens)
        for group in self.optimizer_.param_groups:
            group["params"] = [new if p is old else p for p in group["params"]]
        state = self.optimizer_.state.pop(old, None)
        if state:
            self.optimizer_.state[new] = {
                key: _remap_rows(value, old.shape[0], known, src_known)
                for key, value in state.items()
            }
        if getattr(self.module_, "ngram", None) is not None:
            self.module_.ngram.keys = token_keys(new_tokens).to(old.device)
        # keep skorch's record of the module's parameters in step (not
        # set_params, which would re-initialize the module)
        self.module__vocab_size = len(new_tokens)
        return int(known.sum())

    def forward_logits(self, dataset, batch_size, precision="float32"):
        """Logits ``(N, C)`` (float32) on the CPU, in ``dataset``'s (bucket)
        order; under ``torch.autocast`` when ``precision`` is 'bf16' or
        'fp16' (where the device runs it, see
        :func:`~sklearn_rnn._nn._speed.autocast_dtype`).

        Builds its own iterator and changes nothing, so it is safe to call
        from several threads. When memory runs out it halves the batch size
        and tries again (a ``ResourceWarning`` says so).
        """
        first = batch_size
        dtype = autocast_dtype(precision, self.device)
        cast = (contextlib.nullcontext() if dtype is None
                else torch.autocast(torch.device(self.device).type, dtype=dtype))
        while True:
            try:
                with cast:
                    outputs = [
                        self.evaluation_step(batch).float()  # stays on the device
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


def _remap_rows(value, n_old, known, src_known):
    """An optimizer state tensor with one row per old token, re-indexed."""
    if not (torch.is_tensor(value) and value.dim() >= 1 and value.shape[0] == n_old):
        return value
    out = torch.zeros((len(known),) + tuple(value.shape[1:]), dtype=value.dtype,
                      device=value.device)
    out[known] = value[src_known]
    return out
