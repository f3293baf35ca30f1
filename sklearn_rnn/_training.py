"""The training recipe around the net: callbacks, the validation split, and
warm starts on a refitted vocabulary.

Shapes: ``V`` vocabulary size, ``E`` embedding size.
"""

import numpy as np
import torch
from sklearn.model_selection import train_test_split
from skorch.callbacks import GradientNormClipping, ProgressBar
from skorch.helper import predefined_split
from skorch.utils import noop

from ._net import BestEpochStopping
from ._ngram import token_keys

__all__ = [
    "AUTO_EARLY_STOPPING_MIN_DOCUMENTS",
    "uses_early_stopping",
    "make_callbacks",
    "validation_split",
    "realign_vocabulary",
]

#: ``early_stopping='auto'`` turns early stopping on above this many training
#: documents (as scikit-learn's HistGradientBoosting does above 10,000 samples).
AUTO_EARLY_STOPPING_MIN_DOCUMENTS = 10_000


def uses_early_stopping(early_stopping, n_documents):
    """Resolve ``early_stopping`` (``'auto'`` or bool) for a training set size."""
    if early_stopping == "auto":
        return n_documents > AUTO_EARLY_STOPPING_MIN_DOCUMENTS
    return bool(early_stopping)


def make_callbacks(*, clip_grad_norm, early_stopping, n_iter_no_change, verbose, extra):
    """The skorch callbacks of a fit: clipping, early stopping, progress, the user's."""
    callbacks = []
    if clip_grad_norm is not None:
        callbacks.append(("gradient_clipping", GradientNormClipping(clip_grad_norm)))
    if early_stopping:
        callbacks.append((
            "early_stopping",
            BestEpochStopping(
                # accuracy, not loss: on IMDB the validation loss bottoms out an
                # epoch or two before the accuracy peaks, as the network grows
                # confident (measured: 88.4% vs 90.1%)
                monitor="valid_acc",
                lower_is_better=False,
                patience=n_iter_no_change,
                load_best=True,
                sink=print if verbose else noop,
            ),
        ))
    if verbose and verbose >= 2:
        callbacks.append(("progress_bar", ProgressBar()))
    callbacks.extend(extra or [])
    return callbacks


def validation_split(data, *, seed, validation_fraction, train_split, early_stopping):
    """``(train dataset, skorch train_split)``: the user's ``train_split``, or a
    stratified ``validation_fraction`` hold-out when early stopping, or none."""
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
