"""A time limit on downloads done by code that sets none (gensim's and
scikit-learn's ``urlopen`` calls)."""

import contextlib
import socket

__all__ = ["network_timeout"]


@contextlib.contextmanager
def network_timeout(seconds):
    """Give every socket operation ``seconds`` meanwhile.

    A connection that stops answering (a proxy, a firewall) would otherwise
    hang for ever. The default of new sockets is process-wide: it is set only
    when the process has none, and put back after.
    """
    before = socket.getdefaulttimeout()
    if before is None:
        socket.setdefaulttimeout(seconds)
    try:
        yield
    finally:
        if before is None:
            socket.setdefaulttimeout(None)
