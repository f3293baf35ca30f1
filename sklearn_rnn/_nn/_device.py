"""Where training runs: devices, memory, Ctrl-C.

Shapes: ``V`` vocabulary size, ``E`` embedding size, ``C`` classes.
"""

import multiprocessing
import os
import signal
import threading
import zlib
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import torch

from ._data import BucketIterator
from ._module import meta_module

__all__ = ["resolve_device", "worker_index", "is_out_of_memory", "Interrupted",
           "interrupt_raises", "available_memory", "host_available", "cgroup_available",
           "address_space_available", "estimate_training_memory", "training_memory",
           "check_training_memory"]


def worker_index():
    """The index of this worker process (Dask worker, joblib/multiprocessing
    child), or None in the main process."""
    try:
        from distributed import get_worker

        name = get_worker().name
        return name if isinstance(name, int) else zlib.crc32(str(name).encode())
    except (ImportError, ValueError):
        pass
    if multiprocessing.parent_process() is not None:
        return os.getpid()
    return None


def resolve_device(device):
    """``'auto'``/None -> the GPU when there is one, else ``'cpu'``; check the others.

    With several GPUs, worker processes (Dask workers, ``n_jobs`` workers)
    spread over them: worker ``k`` takes ``cuda:{k mod GPUs}`` (the main
    process ``cuda``, i.e. the current device).
    """
    if device is None or device == "auto":
        if not torch.cuda.is_available():
            return "cpu"
        count, index = torch.cuda.device_count(), worker_index()
        return "cuda" if count < 2 or index is None else f"cuda:{index % count}"
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ValueError(
            f"device={device!r} is not a device torch knows ({exc}). Use 'auto', "
            "'cpu', 'cuda' or 'cuda:<index>'."
        ) from None
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device={device!r} but CUDA is not available on this machine. Use "
            "device='auto' to take the GPU only when there is one, or 'cpu'."
        )
    return str(device)


def is_out_of_memory(exc):
    """True for torch's and Python's out-of-memory errors (CUDA or host)."""
    if isinstance(exc, (torch.OutOfMemoryError, MemoryError)):
        return True
    text = str(exc).lower()
    return "out of memory" in text or "can't allocate memory" in text


class Interrupted(BaseException):
    """Ctrl-C during training. Not a ``KeyboardInterrupt``: skorch catches those
    to end training quietly (its early stopping raises one), and a user's
    Ctrl-C must stop ``fit``; the classifiers turn it back into a
    ``KeyboardInterrupt``."""


@contextmanager
def interrupt_raises():
    """While in this block, Ctrl-C (SIGINT) raises :class:`Interrupted`.

    Only in the main thread (the only one Python delivers signals to), and
    only when Python's default handler is installed: a handler of the user's
    or of their framework is left alone.
    """
    if (threading.current_thread() is not threading.main_thread()
            or signal.getsignal(signal.SIGINT) is not signal.default_int_handler):
        yield
        return

    def handler(signum, frame):
        raise Interrupted

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


#: Where the host's and this process's memory figures are read (tests point
#: them elsewhere).
_MEMINFO = Path("/proc/meminfo")
_PROC_SELF = Path("/proc/self")
_CGROUP_ROOT = Path("/sys/fs/cgroup")


def available_memory(device):
    """Free memory in bytes on ``device``, or None when it cannot be read.

    On a GPU, what CUDA reports free. On the CPU, the smallest of: the
    host's ``MemAvailable``; what this process's cgroup (v2 ``memory.max``
    minus ``memory.current``, less its reclaimable page cache, for the
    cgroup and each of its parents; or v1 ``memory.limit_in_bytes``) still
    allows; and what its address-space limit (``RLIMIT_AS``, as ``ulimit
    -v`` sets it) leaves above the address space already mapped. A container
    or a job scheduler limits memory the host figure does not show.
    """
    if str(device).startswith("cuda"):
        return torch.cuda.mem_get_info(torch.device(device))[0]
    readings = [free for free in (host_available(), cgroup_available(),
                                  address_space_available()) if free is not None]
    return min(readings) if readings else None


def _read_int(path):
    try:
        text = Path(path).read_text().split()[0]
    except (OSError, IndexError):
        return None
    return None if text == "max" else int(text) if text.isdigit() else None


def _status(field):
    """A ``kB`` field of ``/proc/self/status``, in bytes."""
    try:
        for line in (_PROC_SELF / "status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def host_available():
    """The host's ``MemAvailable`` in bytes, or None."""
    try:
        for line in _MEMINFO.read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def cgroup_available():
    """Bytes this process's memory cgroup still allows, or None without a limit.

    For the process's cgroup (``/proc/self/cgroup``) and each parent up to
    the root of the mount: cgroup v2 ``memory.max`` minus ``memory.current``,
    cgroup v1 ``memory.limit_in_bytes`` minus ``memory.usage_in_bytes``, each
    plus the cgroup's inactive page cache (``memory.stat``: the kernel
    reclaims it before failing); the smallest.
    """
    try:
        lines = (_PROC_SELF / "cgroup").read_text().splitlines()
    except OSError:
        lines = []
    frees = []
    for line in lines:
        _, controllers, path = (line.split(":", 2) + ["", ""])[:3]
        if controllers == "":  # cgroup v2 (under /sys/fs/cgroup/unified in hybrid mode)
            root = _CGROUP_ROOT if (_CGROUP_ROOT / "cgroup.controllers").exists() \
                else _CGROUP_ROOT / "unified"
            files = ("memory.max", "memory.current", "inactive_file")
        elif "memory" in controllers.split(","):  # cgroup v1
            root = _CGROUP_ROOT / "memory"
            files = ("memory.limit_in_bytes", "memory.usage_in_bytes", "total_inactive_file")
        else:
            continue
        folder = root / path.strip().lstrip("/")
        while root == folder or root in folder.parents:
            limit, used = _read_int(folder / files[0]), _read_int(folder / files[1])
            if limit is not None and used is not None and limit < 2**62:  # v1: none is 2**63
                frees.append(limit - used + _stat(folder / "memory.stat", files[2]))
            folder = folder.parent
    return max(min(frees), 0) if frees else None


def _stat(path, key):
    try:
        for line in Path(path).read_text().splitlines():
            name, _, value = line.partition(" ")
            if name == key:
                return int(value)
    except (OSError, ValueError):
        pass
    return 0


def address_space_available():
    """Bytes the address-space limit (``RLIMIT_AS``) leaves above what this
    process has mapped (``VmSize``), or None without a limit."""
    try:
        import resource
    except ImportError:  # not on Windows
        return None
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft == resource.RLIM_INFINITY or soft < 0:
        return None
    mapped = _status("VmSize")
    return None if mapped is None else max(soft - mapped, 0)


# The coefficients below are the least-squares fit to the peaks of three
# runs of benchmarks/memory.py on CPU with torch 2.13 (25 cases each: cells,
# layers and directions, n-gram ranges (1, 1)-(1, 5), 2 to 1,000 classes,
# batch sizes 16-256, lengths 100-1,500), times 1.18 so that the estimate
# stays above the peak, which varies by up to 20% from run to run
# (benchmarks/results/memory.md).

#: Bytes per token of the widest batch and embedding dimension (embeddings,
#: their gradient and dropout; a convolution's filters count twice).
_BYTES_PER_DIM = 4
#: Bytes per step of the widest batch and hidden unit of each layer and
#: direction (the gates and states kept for backpropagation, and their
#: gradients).
_BYTES_PER_UNIT = 52
#: Bytes per step and unit of the recurrent output (``D x H``: the pooled
#: outputs, their masks and gradients).
_BYTES_PER_OUTPUT_UNIT = 29
#: Bytes per ``(batch, n-gram slot, column of the table)`` of the n-gram path
#: (its looked-up rows and their gradients, partly freed as backward runs;
#: the columns are the classes, or the rank of a factorised table).
_BYTES_PER_NGRAM_CLASS = 4.3
#: Bytes per ``(batch, n-gram slot)`` of the n-gram path's hashing: the int64
#: keys, rows and temporaries of each n, and the slots' float weights (from
#: the tensors :func:`~sklearn_rnn._nn._module.ngram_rows` makes; too small
#: to show in the measured cases, large for very long documents).
_BYTES_PER_SLOT = 48
#: Bytes per weight while training with Adam: the weight, its gradient, the
#: two moments and the step's temporaries (5 float32 copies).
_BYTES_PER_WEIGHT = 20
#: Bytes per token of the training documents: materialised as int64 batches
#: on the device (and the copy made on the way).
_BYTES_PER_DATA_TOKEN = 19
#: What a fit holds besides (history, callbacks, caches).
_OVERHEAD = 18 * 2**20


def estimate_training_memory(widths, batch_size, module, *, pool_ratio):
    """Bytes a fit needs at its peak: an upper guess, within 1.5x of the
    measured peak (``benchmarks/results/memory.md``).

    The sum of: the weights with their gradients, Adam's two moments and the
    step's temporaries; the widest batch's activations, per token and
    embedding dimension and per step and hidden unit of each layer and
    direction (and of the output); the
    n-gram path's ``(batch x n-gram slots x classes)`` tensors (or ``x rank``
    for a factorised table); the training
    documents materialised as int64 batches on the device; skorch's cache of
    the epoch's outputs ``(N, C)``.

    Parameters
    ----------
    widths : ndarray of shape (N,)
        Bucket width of each training document.
    batch_size : int
        Documents per training batch.
    module : RecurrentClassifierModule
        The network, typically built on the meta device (only its shapes are
        read).
    pool_ratio : float
        How much narrower the leftovers pooled into the widest batch may be.

    Returns
    -------
    need : int
    """
    widths = np.asarray(widths, dtype=np.int64)
    widest = int(widths.max()) if len(widths) else 1
    # the widest batch: the widest documents (and leftovers pooled with them),
    # all padded to the widest
    n_wide = int((widths * pool_ratio >= widest).sum()) if len(widths) else 1
    docs = max(min(batch_size, n_wide), 1)
    tokens = docs * widest
    dim, steps = module.embedding.embedding_dim, tokens
    if module.conv is not None:
        dim += 2 * module.conv.conv.out_channels
        steps = docs * -(-widest // module.conv.pool_size)
    rnn = module.rnn
    outputs = rnn.hidden_size * (2 if rnn.bidirectional else 1)
    activations = tokens * dim * _BYTES_PER_DIM + steps * outputs * (
        rnn.num_layers * _BYTES_PER_UNIT + _BYTES_PER_OUTPUT_UNIT)
    n_classes = module.n_classes
    if module.ngram is not None:
        low, high = module.ngram.ngram_range
        slots = docs * (high - low + 1) * (widest + high - 1)
        columns = module.ngram.table.embedding_dim  # the classes, or the rank
        activations += slots * (columns * _BYTES_PER_NGRAM_CLASS + _BYTES_PER_SLOT)
    weights = _BYTES_PER_WEIGHT * sum(p.numel() for p in module.parameters())
    data = _BYTES_PER_DATA_TOKEN * int(widths.sum())
    cache = 4 * len(widths) * n_classes  # skorch caches the epoch's outputs
    return int(activations + weights + data + cache + _OVERHEAD)


def training_memory(widths, batch_size, module_kwargs):
    """Bytes a fit on documents of bucket ``widths`` in batches of
    ``batch_size`` needs: :func:`estimate_training_memory` for the module
    that ``module_kwargs`` build (:func:`~sklearn_rnn._nn._layout.module_kwargs`;
    built on the meta device, nothing allocated), batched as
    :class:`~sklearn_rnn._nn._data.BucketIterator` batches."""
    return estimate_training_memory(widths, batch_size, meta_module(module_kwargs),
                                    pool_ratio=BucketIterator.POOL_RATIO)


def check_training_memory(train, module_kwargs, device, *, batch_size, train_batch_size=None):
    """Refuse to start a fit whose estimate exceeds the free memory.

    Parameters
    ----------
    train : SequenceDataset
        The training documents.
    module_kwargs : dict
        Arguments of the module.
    device : str
    batch_size : int
        The classifier's ``batch_size``.
    train_batch_size : int, default=None
        Its ``iterator_train__batch_size``, when set (``-1``: all documents
        in one batch).

    Raises
    ------
    MemoryError
        When the estimate exceeds 90% of :func:`available_memory`; the
        message names the longest document and what to lower.
    """
    size = train_batch_size or batch_size
    need = training_memory(train.widths, max(len(train), 1) if size == -1 else size,
                           module_kwargs)
    free = available_memory(device)
    if free is None or need <= 0.9 * free:
        return
    raise MemoryError(
        f"Training would need about {need / 2**30:.1f} GiB on {device} but "
        f"{free / 2**30:.1f} GiB are free: the longest document has "
        f"{int(train.lengths.max()):,} tokens, batch_size={batch_size}, "
        f"{module_kwargs['n_classes']:,} classes. Cap the document length with "
        "TextVectorizer(maxlen=...), lower batch_size, use smaller embedding_dim/"
        "hidden_size/vocabulary, or a smaller n-gram table (ngram_buckets) or range."
    )
