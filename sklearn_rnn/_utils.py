"""Small helpers: devices, seeding, memory errors, Ctrl-C."""

import multiprocessing
import os
import signal
import threading
import zlib
from contextlib import contextmanager

import torch

__all__ = ["resolve_device", "worker_index", "seeded", "is_out_of_memory", "Interrupted",
           "interrupt_raises"]


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


class seeded:
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
