"""Small helpers: devices, seeding, memory errors, Ctrl-C."""

import signal
import threading
from contextlib import contextmanager

import torch

__all__ = ["resolve_device", "seeded", "is_out_of_memory", "Interrupted", "interrupt_raises"]


def resolve_device(device):
    """``'auto'``/None -> ``'cuda'`` when available else ``'cpu'``; check the others."""
    if device is None or device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
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
