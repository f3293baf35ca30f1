"""The saved-model format: a trained network as plain data.

A fitted classifier pickles its parameters and, instead of the skorch net,
the dict written by :func:`export_net`: numpy arrays of the module's weights
(and of the optimizer's state when the model will be trained on: with Adam
it is twice the size of the weights), the training history as lists of
numbers, and the few sizes needed to rebuild the module. No torch object and no training data
is in it, so ``pickle``, ``joblib`` and ``skops.io`` files load on a machine
without a GPU, and ``skops.io`` loads them without running code from the
file. :func:`import_net` reads it back.
"""

import warnings

import numpy as np
import torch
from skorch.exceptions import DeviceWarning
from skorch.history import History

from .._version import __version__
from ._module import meta_module

__all__ = ["STATE_FORMAT", "export_net", "import_net", "check_saved_net", "migrate_net_state",
           "weight_shapes", "mismatched_weight"]

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


def export_net(net, module_sizes, *, optimizer=True):
    """The trained ``net`` as plain data.

    Parameters
    ----------
    net : RecurrentNet
        A trained net.
    module_sizes : dict
        The module parameters that depend on the data (``vocab_size``,
        ``n_classes``, ``embedding_dim``): with the estimator's own
        parameters they rebuild the module.
    optimizer : bool, default=True
        Save the optimizer's state, which only training on needs (a warm
        start continues with Adam's moments). Without it the ``'optimizer'``
        field is None, as :func:`import_net` has always read it: the
        optimizer then starts afresh.

    Returns
    -------
    state : dict
    """
    optimizer = getattr(net, "optimizer_", None) if optimizer else None
    return {
        "format": STATE_FORMAT,
        "sklearn_rnn": __version__,
        "device": str(net.device),
        "module_sizes": dict(module_sizes),
        "shuffle_seed": net.shuffle_seed,
        "shuffle_state": net.shuffle_rng_.bit_generator.state,
        # the dropout generators, so that a warm start continues their streams
        "dropout_state": {key: state.numpy()
                          for key, state in net.module_.random.get_state().items()},
        "module": {k: v.detach().cpu().numpy() for k, v in net.module_.state_dict().items()},
        "optimizer": None if optimizer is None else _plain(optimizer.state_dict()),
        "history": _plain([dict(row) for row in net.history]),
    }


#: Keys of a saved net and the types their values must have.
_FIELDS = {
    "format": (int,),
    "sklearn_rnn": (str,),
    "device": (str,),
    "module_sizes": (dict,),
    "shuffle_seed": (int, type(None)),
    "module": (dict,),
    "optimizer": (dict, type(None)),
    "history": (list,),
}


def migrate_net_state(saved):
    """A saved net in the current format: format 1 (sklearn_rnn 0.1) kept the
    module sizes as top-level keys (``n_vocab``, ``n_classes``,
    ``embedding_dim``); any other format is returned as it is.

    Parameters
    ----------
    saved : dict
        :func:`export_net`'s dict, as saved (not checked).

    Returns
    -------
    saved : dict
    """
    if saved.get("format") != 1:
        return saved
    return dict(saved, module_sizes={
        "vocab_size": saved.get("n_vocab"), "n_classes": saved.get("n_classes"),
        "embedding_dim": saved.get("embedding_dim"),
    })


def weight_shapes(module_kwargs):
    """``{weight name: shape}`` of the module ``module_kwargs`` build, read
    from it on the meta device (nothing allocated)."""
    return {k: tuple(v.shape) for k, v in meta_module(module_kwargs).state_dict().items()}


def mismatched_weight(saved_shapes, expected_shapes):
    """The first weight (by name) whose saved shape is not the expected one,
    missing from either side included; None when all match.

    Parameters
    ----------
    saved_shapes, expected_shapes : dict
        Weight name -> shape tuple: those of the file and those the
        estimator's parameters make (:func:`weight_shapes`).

    Returns
    -------
    name : str or None
    """
    for key in sorted(set(expected_shapes) | set(saved_shapes)):
        if saved_shapes.get(key) != expected_shapes.get(key):
            return key
    return None


def _version_tuple(text):
    try:
        return tuple(int(part) for part in str(text).split(".")[:3])
    except ValueError:
        return None


def check_saved_net(saved, owner="model"):
    """Validate a saved net before anything is built from it.

    Raises ``ValueError`` naming the field that is missing, of the wrong type,
    or inconsistent with the weights; warns when a newer sklearn_rnn saved it.
    Returns the state in the current format.
    """
    if not isinstance(saved, dict):
        raise ValueError(f"The saved network of this {owner} is not a dict: the file is "
                         "damaged or not an sklearn_rnn model.")
    version = saved.get("format")
    saved = migrate_net_state(saved)
    if version not in (1, STATE_FORMAT):
        raise ValueError(
            f"This {owner} was saved by sklearn_rnn {saved.get('sklearn_rnn', '?')} in "
            f"model format {version!r}; this sklearn_rnn {__version__} reads formats 1 to "
            f"{STATE_FORMAT}. Load it with the version that saved it, or retrain."
        )
    for field, types in _FIELDS.items():
        if field not in saved:
            raise ValueError(f"The saved network of this {owner} has no {field!r} field: "
                             "the file is damaged or was edited.")
        if not isinstance(saved[field], types) or isinstance(saved[field], bool):
            raise ValueError(
                f"The saved network's {field!r} is a {type(saved[field]).__name__}, "
                f"expected {' or '.join(t.__name__ for t in types)}."
            )
    sizes = saved["module_sizes"]
    for key in ("vocab_size", "n_classes", "embedding_dim"):
        value = sizes.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ValueError(f"The saved network's module_sizes[{key!r}] is {value!r}, "
                             "expected a positive int.")
    for key, array in saved["module"].items():
        if not isinstance(array, np.ndarray) or array.dtype.kind not in "fiub":
            raise ValueError(f"The saved weight {key!r} is not a numeric array.")
    dropout_state = saved.get("dropout_state")
    if dropout_state is not None and not (
        isinstance(dropout_state, dict)
        and all(isinstance(k, str) and isinstance(v, np.ndarray) and v.dtype == np.uint8
                and v.ndim == 1 and v.size <= 2**16 for k, v in dropout_state.items())
    ):
        raise ValueError("The saved network's 'dropout_state' is not a dict of generator "
                         "states (uint8 arrays): the file is damaged or was edited.")
    expected = {
        "embedding.weight": (sizes["vocab_size"], sizes["embedding_dim"]),
        "classifier.bias": (sizes["n_classes"],),
    }
    for key, shape in expected.items():
        got = getattr(saved["module"].get(key), "shape", None)
        if got != shape:
            raise ValueError(
                f"The saved weight {key!r} has shape {got}, but module_sizes say {shape}: "
                "the file is damaged or was edited."
            )
    saved_version = _version_tuple(saved["sklearn_rnn"])
    ours = _version_tuple(__version__)
    if saved_version is None or (ours is not None and saved_version > ours):
        warnings.warn(
            f"This {owner} was saved by sklearn_rnn {saved['sklearn_rnn']}, newer than "
            f"this {__version__}: it loads (same model format), but upgrade sklearn_rnn "
            "if anything looks wrong.",
            UserWarning,
        )
    return saved


def import_net(saved, make_net, owner="model"):
    """Rebuild a trained net from :func:`export_net`'s dict (validated first).

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
    saved = check_saved_net(saved, owner)
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
        # the module's shapes (on the meta device: no memory) must be those in
        # the file before anything is allocated
        shapes = weight_shapes(net.get_params_for("module"))
        key = mismatched_weight({k: v.shape for k, v in saved["module"].items()}, shapes)
        if key is not None:
            got = getattr(saved["module"].get(key), "shape", None)
            raise ValueError(f"weight {key!r}: the file has shape {got}, the estimator's "
                             f"parameters make {shapes.get(key)}")
        net.initialize()
        net.module_.load_state_dict({k: torch.as_tensor(v) for k, v in saved["module"].items()})
        if saved.get("optimizer") is not None:
            _load_optimizer(net.optimizer_, _to_torch(saved["optimizer"]))
        if saved.get("shuffle_state") is not None:
            net.shuffle_rng_.bit_generator.state = saved["shuffle_state"]
        if saved.get("dropout_state"):
            net.module_.random.set_state(saved["dropout_state"])
    except (RuntimeError, KeyError, ValueError, TypeError) as exc:
        raise ValueError(
            f"Could not restore the network of this {owner} (saved by sklearn_rnn "
            f"{saved.get('sklearn_rnn', '?')}, loading with {__version__}): {exc}"
        ) from exc
    net.history_ = History(saved["history"])
    return net


def _load_optimizer(optimizer, state):
    """Load a saved optimizer state, keeping the step implementation
    (``fused``/``foreach``) chosen for this machine: a file saved where Adam
    ran fused loads where it cannot (the moments are the same either way)."""
    chosen = [{k: group[k] for k in ("fused", "foreach") if k in group}
              for group in optimizer.param_groups]
    optimizer.load_state_dict(state)
    for group, keep in zip(optimizer.param_groups, chosen, strict=True):
        group.update(keep)
