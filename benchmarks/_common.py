"""What the benchmark scripts share: where the checkout, the shared data and
the results are, and the machine a run was taken on.

A script imports it as ``from _common import ...`` (``python benchmarks/x.py``
puts the script's folder first on ``sys.path``).
"""

import os
import platform
from pathlib import Path

__all__ = ["REPO", "SHARED", "IMDB_ARCHIVE", "MOVIE_REVIEWS_ZIP", "RESULTS", "cpu_name",
           "machine"]

#: This checkout.
REPO = Path(__file__).resolve().parents[1]
#: The shared data folder beside the checkout (``SKLEARN_RNN_SHARED``
#: overrides it, as for the tests).
SHARED = Path(os.environ.get("SKLEARN_RNN_SHARED", REPO.parent / "shared"))
#: IMDB's train split (25,000 labelled and 50,000 unlabelled reviews).
IMDB_ARCHIVE = SHARED / "datasets" / "imdb" / "aclImdb_train.tar.gz"
#: Pang & Lee's 2,000 movie reviews, in NLTK's layout.
MOVIE_REVIEWS_ZIP = SHARED / "datasets" / "nltk" / "movie_reviews.zip"
#: Where the scripts write their tables and JSON.
RESULTS = REPO / "benchmarks" / "results"


def cpu_name():
    """The processor's model name (``/proc/cpuinfo``), else what
    :mod:`platform` knows (``x86_64``)."""
    try:
        with open("/proc/cpuinfo") as f:
            return next(line.split(":", 1)[1].strip() for line in f
                        if line.startswith("model name"))
    except (OSError, StopIteration):
        return platform.processor() or platform.machine()


def _memory():
    try:
        with open("/proc/meminfo") as f:
            return f"{int(f.read().split()[1]) / 2**20:.0f} GB"
    except (OSError, ValueError, IndexError):
        return "?"


def machine(label=""):
    """The machine and the library versions of a run, for its result file.

    Parameters
    ----------
    label : str, default=""
        What the person running it calls the machine (``--machine-label``).

    Returns
    -------
    machine : dict
        ``label``, ``cpu`` (:func:`cpu_name`), ``cores``, ``cpus_available``
        (those this process may use), ``memory``, ``torch_threads`` (now),
        and the versions of ``python``, ``torch``, ``skorch``,
        ``scikit-learn``, ``numpy`` and ``sklearn_rnn``.
    """
    import numpy
    import sklearn
    import skorch
    import torch

    import sklearn_rnn

    return {
        "label": label,
        "cpu": cpu_name(),
        "cores": os.cpu_count(),
        "cpus_available": (len(os.sched_getaffinity(0))
                           if hasattr(os, "sched_getaffinity") else os.cpu_count()),
        "memory": _memory(),
        "torch_threads": torch.get_num_threads(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "skorch": skorch.__version__,
        "scikit-learn": sklearn.__version__,
        "numpy": numpy.__version__,
        "sklearn_rnn": sklearn_rnn.__version__,
    }
