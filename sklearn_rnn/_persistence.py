"""The saved-model format: a trained network as plain data.

A fitted classifier pickles its parameters and, instead of the skorch net,
the dict written by :func:`export_net`: numpy arrays of the module's weights
and the optimizer's state, the training history as lists of numbers, and the
few sizes needed to rebuild the module. No torch object and no training data
is in it, so ``pickle``, ``joblib`` and ``skops.io`` files load on a machine
without a GPU, and ``skops.io`` loads them without running code from the
file. :func:`import_net` reads it back.
"""

import warnings

import numpy as np
import torch
from skorch.exceptions import DeviceWarning
from skorch.history import History

from ._version import __version__

__all__ = ["STATE_FORMAT", "export_net", "import_net"]

#: Version of the layout written by :func:`export_net` (1: sklearn_rnn 0.1, read too).
STATE_FORMAT = 2


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


def export_net(net, module_sizes):
    """The trained ``net`` as plain data.

    Parameters
    ----------
    net : RecurrentNet
        A trained net.
    module_sizes : dict
        The module parameters that depend on the data (``vocab_size``,
        ``n_classes``, ``embedding_dim``): with the estimator's own
        parameters they rebuild the module.

    Returns
    -------
    state : dict
    """
    optimizer = getattr(net, "optimizer_", None)
    return {
        "format": STATE_FORMAT,
        "sklearn_rnn": __version__,
        "device": str(net.device),
        "module_sizes": dict(module_sizes),
        "shuffle_seed": net.shuffle_seed,
        "module": {k: v.detach().cpu().numpy() for k, v in net.module_.state_dict().items()},
        "optimizer": None if optimizer is None else _plain(optimizer.state_dict()),
        "history": _plain([dict(row) for row in net.history]),
    }


def import_net(saved, make_net, owner="model"):
    """Rebuild a trained net from :func:`export_net`'s dict.

    Parameters
    ----------
    saved : dict
    make_net : callable
        ``make_net(module_sizes, device, shuffle_seed) -> RecurrentNet``, not
        initialized.
    owner : str
        Name of the estimator, for messages.

    Returns
    -------
    net : RecurrentNet
    """
    version = saved.get("format")
    if version == 1:  # the sizes were top-level keys
        saved = dict(saved, module_sizes={
            "vocab_size": saved.get("n_vocab"), "n_classes": saved.get("n_classes"),
            "embedding_dim": saved.get("embedding_dim"),
        })
    elif version != STATE_FORMAT:
        raise ValueError(
            f"This {owner} was saved by sklearn_rnn {saved.get('sklearn_rnn', '?')} in "
            f"model format {version!r}; this sklearn_rnn {__version__} reads format "
            f"{STATE_FORMAT}. Load it with the version that saved it, or retrain."
        )
    device = saved["device"]
    if str(device).startswith("cuda") and not torch.cuda.is_available():
        warnings.warn(
            f"This model was trained on {device}, which is not available here; it is "
            "loaded on the CPU.",
            DeviceWarning,
        )
        device = "cpu"
    try:
        net = make_net(saved["module_sizes"], device, saved["shuffle_seed"])
        net.initialize()
        net.module_.load_state_dict({k: torch.as_tensor(v) for k, v in saved["module"].items()})
        if saved.get("optimizer") is not None:
            net.optimizer_.load_state_dict(_to_torch(saved["optimizer"]))
    except (RuntimeError, KeyError, ValueError, TypeError) as exc:
        raise ValueError(
            f"Could not restore the network of this {owner} (saved by sklearn_rnn "
            f"{saved.get('sklearn_rnn', '?')}, loading with {__version__}): {exc}"
        ) from exc
    net.history_ = History(saved["history"])
    return net
