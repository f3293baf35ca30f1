"""The training recipe around the net: callbacks, the validation split, and
warm starts on a refitted vocabulary.

Shapes: ``V`` vocabulary size, ``E`` embedding size.
"""

import warnings

import numpy as np
import torch
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.validation import _check_sample_weight  # private; see document_weights
from skorch.callbacks import EpochScoring, GradientNormClipping, ProgressBar
from skorch.helper import predefined_split
from skorch.utils import noop

from ._data import BucketIterator, bucket_width, to_dataset
from ._net import BestEpochStopping, make_scoring
from ._ngram import resolve_buckets, token_keys
from ._token_array import token_metadata
from ._token_ids import check_token_ids
from ._utils import Interrupted, interrupt_raises, seeded
from ._validation import check_labels

__all__ = [
    "AUTO_EARLY_STOPPING_MIN_DOCUMENTS",
    "check_training_memory",
    "document_weights",
    "train_net",
    "validation_dataset",
    "check_validation_pair",
    "warn_if_one_class",
    "uses_early_stopping",
    "make_callbacks",
    "validation_split",
    "realign_vocabulary",
]

#: ``early_stopping='auto'`` turns early stopping on from this many training
#: documents. scikit-learn's HistGradientBoosting does so above 10,000 samples;
#: benchmarks/recipes.py measured early stopping on IMDB at 2,000 reviews too:
#: +1.0 points for the default LSTM, +2.6 with the n-gram path (3 seeds each).
AUTO_EARLY_STOPPING_MIN_DOCUMENTS = 2_000


def uses_early_stopping(early_stopping, n_documents, has_validation=False):
    """Resolve ``early_stopping`` (``'auto'`` or bool): 'auto' is on from
    2,000 training documents or with a validation set of the user's."""
    if early_stopping == "auto":
        return n_documents >= AUTO_EARLY_STOPPING_MIN_DOCUMENTS or has_validation
    return bool(early_stopping)


def document_weights(y_encoded, classes, class_weight, sample_weight, X):
    """Loss weight of each document: ``sample_weight`` times ``class_weight``
    (computed on these labels, as scikit-learn does), or None for neither."""
    if class_weight is None and sample_weight is None:
        return None
    # _check_sample_weight is private, but scikit-learn's own estimators and
    # many third-party ones check sample_weight with it: the same errors
    weights = (np.ones(len(y_encoded)) if sample_weight is None
               else _check_sample_weight(sample_weight, X, dtype=np.float64))
    if class_weight is not None:
        per_class = compute_class_weight(class_weight, classes=classes,
                                         y=np.asarray(classes)[y_encoded])
        weights = weights * per_class[y_encoded]
    if not weights.sum() > 0:
        raise ValueError("The sample weights sum to 0: nothing to learn from.")
    return weights


def check_validation_pair(X_val, y_val):
    """``X_val`` and ``y_val`` come together or not at all."""
    if (X_val is None) != (y_val is None):
        raise ValueError(
            f"X_val and y_val go together: got {'X_val' if y_val is None else 'y_val'} only. "
            "Pass both (a validation set of your own) or neither."
        )


def validation_dataset(X_val, y_val, classes, tokens, n_vocab):
    """``X_val``, ``y_val`` checked and made a dataset, or None."""
    if X_val is None:
        return None
    val_tokens, lengths, padding = token_metadata(X_val)
    X_val = check_token_ids(X_val, name="X_val")
    y_val = check_labels(X_val, y_val, estimator_name="The classifier")
    if val_tokens is not None and tokens is not None and tuple(val_tokens) != tuple(tokens):
        raise ValueError(
            "X_val was made by another TextVectorizer than X (another vocabulary). In a "
            "Pipeline, let it transform X_val with the fold's vectorizer: "
            "Pipeline(steps, transform_input=['X_val']) with metadata routing on."
        )
    unknown = sorted(set(np.unique(y_val)) - set(classes))
    if unknown:
        raise ValueError(f"y_val has labels {unknown!r} that are not in y ({list(classes)!r}).")
    if X_val.size and X_val.max() >= n_vocab:
        raise ValueError(f"X_val contains token id {int(X_val.max())}, outside the vocabulary "
                         f"of {n_vocab} ids.")
    return to_dataset(X_val, np.searchsorted(classes, y_val), lengths=lengths, padding=padding)


def scoring_name(scoring):
    """The history key of the validation score: ``valid_acc`` by default."""
    if scoring is None:
        return "valid_acc"
    return f"valid_{scoring if isinstance(scoring, str) else 'score'}"


def make_callbacks(*, clip_grad_norm, early_stopping, n_iter_no_change, verbose, extra,
                   scoring=None, tol=0.0, n_classes=2, validation=False):
    """The skorch callbacks of a fit: clipping, the validation score, early
    stopping on it, progress, the user's."""
    callbacks = []
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
                # network grows confident (measured: 88.4% vs 90.1%)
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


def validation_split(data, *, seed, validation_fraction, train_split, early_stopping,
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
    n = len(data)
    n_valid = int(np.ceil(validation_fraction * n))
    if n_valid < 1 or n - n_valid < 1:
        raise ValueError(
            f"early stopping with validation_fraction={validation_fraction} leaves no "
            f"documents to train or validate on ({n} documents)."
        )
    positions = np.arange(n)
    try:
        train, valid = train_test_split(
            positions, test_size=n_valid, random_state=seed, stratify=data.y
        )
    except ValueError:  # a class too small to stratify: plain random split
        train, valid = train_test_split(positions, test_size=n_valid, random_state=seed)
    return data.subset(train), predefined_split(data.subset(valid))


def realign_vocabulary(net, old_tokens, new_tokens, new_rows):
    """Move a trained embedding table from ``old_tokens`` to ``new_tokens``.

    Each token in both vocabularies keeps its trained row (and the optimizer's
    state for it) under its new id; rows of new tokens come from ``new_rows``
    ``(V, E)``. The rest of the network and the optimizer are untouched.

    Returns
    -------
    n_kept : int
        Tokens that kept their trained row.
    """
    old_index = {token: i for i, token in enumerate(old_tokens)}
    src = np.array([old_index.get(token, -1) for token in new_tokens], dtype=np.int64)
    known = torch.as_tensor(src >= 0)
    src_known = torch.as_tensor(src[src >= 0])
    embedding = net.module_.embedding
    old = embedding.weight
    weight = torch.as_tensor(new_rows, dtype=old.dtype).to(old.device)
    weight[known] = old.detach()[src_known]
    weight[0] = 0.0  # padding
    new = torch.nn.Parameter(weight, requires_grad=old.requires_grad)
    embedding.weight = new
    embedding.num_embeddings = len(new_tokens)
    optimizer = net.optimizer_
    for group in optimizer.param_groups:
        group["params"] = [new if p is old else p for p in group["params"]]
    state = optimizer.state.pop(old, None)
    if state:
        optimizer.state[new] = {
            key: _remap_rows(value, old.shape[0], known, src_known)
            for key, value in state.items()
        }
    if getattr(net.module_, "ngram", None) is not None:
        # n-grams are hashed from the tokens' text: their rows stay valid
        net.module_.ngram.keys = token_keys(new_tokens).to(old.device)
    # keep skorch's record of the module's parameters in step (not set_params,
    # which would re-initialize the module)
    net.module__vocab_size = len(new_tokens)
    return int(known.sum())


def _remap_rows(value, n_old, known, src_known):
    if not (torch.is_tensor(value) and value.dim() >= 1 and value.shape[0] == n_old):
        return value
    out = torch.zeros((len(known),) + tuple(value.shape[1:]), dtype=value.dtype,
                      device=value.device)
    out[known] = value[src_known]
    return out


#: Bytes of training memory per token of a batch, measured on CPU (torch 2.13)
#: for the LSTM: about 2.4 KB plus 21 B per embedding dimension and 60 B per
#: hidden unit, layer and direction (the activations kept for backpropagation).
_BYTES_PER_TOKEN = (2400, 21, 60)


def _available_memory(device):
    """Free memory in bytes on ``device``, or None when it cannot be read."""
    if str(device).startswith("cuda"):
        return torch.cuda.mem_get_info(torch.device(device))[0]
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def estimate_training_memory(data, batch_size, sizes, params):
    """Bytes the largest training step and the weights need (a rough upper guess).

    Parameters
    ----------
    data : SequenceDataset
        The training documents.
    batch_size : int
    sizes : dict
        ``vocab_size``, ``n_classes``, ``embedding_dim``.
    params : estimator
        ``hidden_size``, ``num_layers``, ``bidirectional``, ``ngram_buckets``...
    """
    widths = bucket_width(data.lengths) if len(data) else np.array([1])
    widest = int(widths.max())
    # the widest batch: the widest documents (and leftovers pooled with them,
    # at most 1.25 times narrower), all padded to the widest
    n_wide = int((widths * BucketIterator.POOL_RATIO >= widest).sum())
    tokens = widest * min(batch_size, n_wide)
    base, per_dim, per_unit = _BYTES_PER_TOKEN
    layers = params.num_layers * (2 if params.bidirectional else 1)
    activations = tokens * (base + per_dim * sizes["embedding_dim"]
                            + per_unit * params.hidden_size * layers)
    weights = sizes["vocab_size"] * sizes["embedding_dim"] * 4 * 4  # + grad + Adam's two
    if params.ngram_range is not None:
        weights += resolve_buckets(params.ngram_buckets, sizes["n_classes"]) \
            * sizes["n_classes"] * 4 * 4
    return activations + weights, widest


def check_training_memory(data, batch_size, sizes, params, device):
    """Refuse to start a fit whose estimate exceeds the free memory."""
    need, widest = estimate_training_memory(data, batch_size, sizes, params)
    free = _available_memory(device)
    if free is None or need <= 0.9 * free:
        return
    raise MemoryError(
        f"Training would need about {need / 2**30:.1f} GiB on {device} but "
        f"{free / 2**30:.1f} GiB are free: the longest document has "
        f"{int(data.lengths.max()):,} tokens "
        f"and batch_size={batch_size}. Cap the document length with TextVectorizer("
        "maxlen=...), lower batch_size, or use smaller embedding_dim/hidden_size/"
        "vocabulary."
    )


def train_net(net, train, *, seed, device, classes, warm, owner):
    """Train ``net`` (a new one, or a copy for a warm start) on ``train``.

    Ctrl-C stops training and propagates as ``KeyboardInterrupt``; the caller
    (``owner``) then leaves the estimator as it was.
    """
    try:
        with interrupt_raises(), seeded(seed, device):
            if warm:
                net.partial_fit(train, train.y)
            else:
                net.fit(train, train.y)
    except Interrupted:
        raise KeyboardInterrupt(
            f"{owner}.fit was interrupted; the estimator is left as it was before this fit."
        ) from None
    warn_if_one_class(net, train, classes)


def warn_if_one_class(net, train, classes, n_check=1000, min_documents=20):
    """Warn when the trained net predicts one class for its own training data
    (checked on up to ``n_check`` of them, from ``min_documents`` on)."""
    if len(train) < min_documents or len(np.unique(train.y)) < 2:
        return
    rng = np.random.default_rng(0)
    sample = train.subset(np.sort(rng.permutation(len(train))[:n_check]))
    predicted = np.unique(net.forward_logits(sample).argmax(dim=1).numpy())
    if len(predicted) > 1:
        return
    counts = np.bincount(train.y, minlength=len(classes))
    ratio = counts.max() / max(counts[counts > 0].min(), 1)
    imbalance = (f" The classes are imbalanced ({ratio:.0f}:1): give the rare ones more "
                 "weight (criterion__weight)." if ratio >= 3 else "")
    label = np.asarray(classes)[predicted[0]]
    label = label.item() if isinstance(label, np.generic) else label
    warnings.warn(
        f"The fitted model predicts only {label!r} for "
        f"its own training documents ({len(sample):,} checked): it learnt nothing "
        f"useful.{imbalance} Try another learning rate (lr), more epochs, or gradient "
        "clipping (clip_grad_norm).",
        ConvergenceWarning,
    )
