"""Test tooling: open a page in headless Chromium, as a person would.

:func:`render_in_chromium` takes a screenshot of a page in headless Chromium
(Debian's ``chromium`` package) and returns what its console said: the check
that the report of ``sklearn-rnn compare`` opens cleanly in a real browser.
Used by the tests, ``.ci/run`` and ``benchmarks/render_report.py``; not part
of the library.
"""

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

__all__ = ["find_chromium", "render_in_chromium"]

_CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
#: A console message in Chromium's log (``--enable-logging=stderr``):
#: ``[...:INFO:CONSOLE:12] "Uncaught ReferenceError: ...", source: file:///... (12)``.
_CONSOLE = re.compile(r":CONSOLE(?::\d+)?\]|\bUncaught\b")


def find_chromium():
    """The path of a Chromium (or Chrome) executable, or None."""
    for name in _CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def render_in_chromium(html_path, png_path, *, width=1280, height=2000, timeout=120,
                       executable=None):
    """Open ``html_path`` in headless Chromium, save a screenshot, and report.

    Chromium runs without network services, sandbox or GPU, in a fresh
    profile, and logs its console to stderr; every console line counts (the
    report page has no scripts, so any message, such as a script error or a
    resource the Content Security Policy blocked, is a fault).

    Parameters
    ----------
    html_path, png_path : str or path-like
    width, height : int, default=1280, 2000
        The window, in CSS pixels: the screenshot's size.
    timeout : float, default=120
        Seconds before Chromium is stopped (``subprocess.TimeoutExpired``).
    executable : str, default=None
        Chromium's path; None looks for it on ``PATH`` (:func:`find_chromium`).

    Returns
    -------
    result : dict
        ``console`` (list of str: the console lines), ``ink`` (share of the
        screenshot's pixels that differ from its most common colour: 0 for a
        blank page), ``returncode`` and ``stderr``.
    """
    executable = executable or find_chromium()
    if executable is None:
        raise FileNotFoundError(
            "No Chromium found on PATH (tried " + ", ".join(_CHROMIUM_NAMES) + "). On "
            "Debian or Ubuntu: apt-get install chromium."
        )
    html_path, png_path = Path(html_path).resolve(), Path(png_path).resolve()
    png_path.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [executable, "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--no-first-run", "--hide-scrollbars", f"--user-data-dir={profile}",
             f"--screenshot={png_path}", f"--window-size={int(width)},{int(height)}",
             "--enable-logging=stderr", "--v=0", html_path.as_uri()],
            capture_output=True, text=True, timeout=timeout,
        )
    console = [line for line in done.stderr.splitlines() if _CONSOLE.search(line)]
    ink = 0.0
    if png_path.exists():
        from matplotlib.image import imread

        pixels = imread(str(png_path))[..., :3].reshape(-1, 3)
        _, counts = _unique_rows(pixels)
        ink = 1.0 - counts.max() / len(pixels)
    return {"console": console, "ink": float(ink), "returncode": done.returncode,
            "stderr": done.stderr}


def _unique_rows(pixels):
    import numpy as np

    return np.unique(np.round(pixels * 255).astype(np.uint8), axis=0, return_counts=True)
