"""Where the main job writes, checked before any training, and what it writes:
the table (CSV and JSON with the settings) after every model, figures, and the
report page.

A run never loses its results to the folder: ``--out`` is checked to be
writable, not to hold the input and not to lie inside a data folder before
the first model trains; one run writes to a folder at a time (a lock held
for the run; a second run is refused); each model's row is written as soon
as it is scored; and a folder that holds an earlier run's results gets the
new run in a dated sub-folder, unless ``--overwrite``.
"""

import csv
import io
import json
import os
import re
import time
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: the lock file alone
    fcntl = None

__all__ = ["RunFolder", "OUTPUT_NAMES", "LOCK_NAME", "slug"]

#: The file a run holds locked in its folder while it writes there.
LOCK_NAME = ".sklearn_rnn.lock"

#: Files of a run, besides its PNG figures.
OUTPUT_NAMES = ("comparison.csv", "comparison.json", "report.html")


def slug(name):
    """A row name as a file name part: ``'TF-IDF + LogReg'`` -> ``'tfidf_logreg'``."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower().replace("-", "")).strip("_")


class RunFolder:
    """The folder of one run.

    Parameters
    ----------
    out : str or path-like
        ``--out``.
    inputs : list of path-like
        The files the run reads: never overwritten.
    overwrite : bool
        Write into ``out`` even when it holds an earlier run's results.
    """

    def __init__(self, out, inputs=(), overwrite=False):
        out = Path(out).expanduser()
        if out.exists() and not out.is_dir():
            raise ValueError(f"--out {out} is a file, not a folder: give a folder.")
        self.note = None
        earlier = out.is_dir() and any((out / name).exists() for name in OUTPUT_NAMES)
        if earlier and not overwrite:
            stamp = time.strftime("%Y-%m-%d_%H-%M-%S")
            out = out / f"run_{stamp}"
            self.note = (f"{out.parent} holds an earlier run's results: this run writes to "
                         f"{out} (pass --overwrite to replace them instead)")
        resolved = out.resolve()
        for path in inputs:
            path = Path(path).resolve()
            if path.parent == resolved and (path.name in OUTPUT_NAMES
                                            or path.suffix.lower() == ".png"):
                raise ValueError(
                    f"--out {out} would overwrite the input {path}: choose another folder."
                )
            if path.is_dir() and (path == resolved or path in resolved.parents):
                raise ValueError(
                    f"--out {out} is inside the data folder {path}: the next run would read "
                    "its files as documents (or its folder as a class). Choose a folder "
                    "outside the data."
                )
        try:
            out.mkdir(parents=True, exist_ok=True)
            probe = out / f".sklearn_rnn_write_test_{os.getpid()}"
            probe.write_bytes(b"ok")
            probe.unlink()
        except OSError as exc:
            raise OSError(
                f"cannot write to --out {out} ({exc.strerror or exc}): choose a folder you "
                "can write to. Nothing was trained."
            ) from None
        self.path = out
        self.written = []
        self._lock = _acquire(out)

    def close(self):
        """Release the folder for the next run."""
        lock, self._lock = self._lock, None
        if lock is not None:
            try:
                (self.path / LOCK_NAME).unlink()
            except OSError:
                pass
            lock.close()  # closing the file releases the lock

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _replace(self, name, data):
        """Write ``name`` whole or not at all (a temporary file, then a rename)."""
        target = self.path / name
        tmp = target.with_name(f".{target.name}.part")
        tmp.write_bytes(data)
        os.replace(tmp, target)
        if target not in self.written:
            self.written.append(target)
        return target

    def write_tables(self, rows, settings):
        """The table as CSV, and as JSON with the settings (rewritten whole)."""
        keys = list(dict.fromkeys(k for row in rows for k in row))
        text = io.StringIO(newline="")
        writer = csv.DictWriter(text, fieldnames=keys)
        writer.writeheader()
        writer.writerows(rows)
        self._replace("comparison.csv", text.getvalue().encode("utf-8"))
        self._replace("comparison.json", json.dumps(
            {"settings": settings, "results": rows}, indent=2, default=str).encode("utf-8"))

    def write_figure(self, name, fig):
        """A matplotlib figure as ``name`` (PNG); returns its bytes."""
        import matplotlib.pyplot as plt

        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=110)
        plt.close(fig)
        data = buffer.getvalue()
        self._replace(name, data)
        return data

    def write_text(self, name, text):
        return self._replace(name, text.encode("utf-8"))


def _acquire(folder):
    """Lock ``folder`` for this run (an exclusive lock on a file in it, which
    the system releases if the process dies); a ValueError when another run
    holds it."""
    path = folder / LOCK_NAME
    handle = open(path, "a+")  # noqa: SIM115 - held open for the run
    try:
        if fcntl is not None:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.seek(0)
        holder = handle.read().strip()
        handle.close()
        raise ValueError(
            f"--out {folder} is in use by another sklearn-rnn run"
            + (f" (process {holder})" if holder else "")
            + ": wait for it to finish, or choose another --out. Nothing was trained."
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    return handle
