"""Where training runs: devices, memory, Ctrl-C.

Shapes: ``V`` vocabulary size, ``E`` embedding size, ``C`` classes.
"""

import multiprocessing
import os
import signal
import threading
import zlib
from contextlib import contextmanager

import torch

__all__ = ["resolve_device", "worker_index", "is_out_of_memory", "Interrupted",
           "interrupt_raises", "available_memory", "estimate_training_memory"]


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


def available_memory(device):
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


#: Bytes of training memory per token of a batch, measured on CPU (torch 2.13)
#: for the LSTM: a base, plus per embedding dimension, plus per hidden unit,
#: layer and direction (the activations kept for backpropagation).
_BYTES_PER_TOKEN = (2400, 21, 60)


def estimate_training_memory(widths, batch_size, *, vocab_size, embedding_dim, n_classes,
                             hidden_size, num_layers, bidirectional, ngram_rows,
                             pool_ratio):
    """Bytes the largest training step and the weights need (a rough upper guess).

    Parameters
    ----------
    widths : ndarray of shape (N,)
        Bucket width of each training document.
    batch_size : int
    vocab_size, embedding_dim, n_classes, hidden_size, num_layers, bidirectional :
        The network's sizes.
    ngram_rows : int
        Rows of the n-gram table (0 without the n-gram path).
    pool_ratio : float
        How much narrower the leftovers pooled into the widest batch may be.
    """
    widest = int(widths.max()) if len(widths) else 1
    # the widest batch: the widest documents (and leftovers pooled with them),
    # all padded to the widest
    n_wide = int((widths * pool_ratio >= widest).sum()) if len(widths) else 1
    tokens = widest * min(batch_size, n_wide)
    base, per_dim, per_unit = _BYTES_PER_TOKEN
    layers = num_layers * (2 if bidirectional else 1)
    activations = tokens * (base + per_dim * embedding_dim + per_unit * hidden_size * layers)
    weights = vocab_size * embedding_dim * 4 * 4  # + grad + Adam's two moments
    weights += ngram_rows * n_classes * 4 * 4
    return activations + weights
