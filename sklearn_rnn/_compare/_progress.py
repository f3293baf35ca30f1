"""What the main job says while it works: which model of how many, progress
within each epoch, an estimate of the time left (from the epochs already
timed, once there are some; the machine's load and early stopping make it
an estimate, not a bound), and one line per epoch.

On a terminal the progress is one line redrawn in place; in a log file or a
pipe it becomes a plain line at most every ``PLAIN_EVERY`` seconds (and one
per epoch), so logs stay readable.
"""

import math
import sys
import time
import warnings
from contextlib import contextmanager

from skorch.callbacks import Callback

from .._utils._printable import printable

__all__ = ["Reporter", "EpochProgress", "said_warnings", "with_progress"]

#: Off a terminal, a progress line at most this often (seconds).
PLAIN_EVERY = 15.0
#: On a terminal, redraw the progress line at most this often (seconds).
REDRAW_EVERY = 0.2
#: Share of the first epoch after which the time left is estimated (the
#: first batches say little: their lengths vary).
ESTIMATE_AFTER = 0.1


def _duration(seconds):
    seconds = max(0, int(round(seconds)))
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"


class Reporter:
    """Prints the main job's lines to ``stream``; ``progress`` lines are
    redrawn in place on a terminal and thinned out elsewhere."""

    def __init__(self, stream=None, quiet=False):
        self.stream = stream or sys.stdout
        self.quiet = quiet
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._open = False  # a progress line is on screen
        self._last = 0.0

    def say(self, *parts):
        """A line of its own."""
        self._close()
        print(*(printable(p, document=True, lines=True) for p in parts), file=self.stream,
              flush=True)

    def progress(self, text, *, force=False):
        """A progress line: redrawn on a terminal, thinned out elsewhere."""
        if self.quiet:
            return
        now = time.monotonic()
        text = printable(text, document=True)
        if self.tty:
            if force or now - self._last >= REDRAW_EVERY:
                self.stream.write("\r" + text[:150].ljust(min(150, max(len(text), 80))))
                self.stream.flush()
                self._open, self._last = True, now
        elif force or now - self._last >= PLAIN_EVERY:
            print(text, file=self.stream, flush=True)
            self._last = now

    def __deepcopy__(self, memo):
        return self  # one terminal: clones of the models report to it too

    def _close(self):
        if self._open:
            self.stream.write("\n")
            self._open = False


class EpochProgress(Callback):
    """A skorch callback reporting a fit's progress to a :class:`Reporter`.

    Parameters
    ----------
    reporter : Reporter
    label : str
        What is trained, e.g. ``"[2/5] LSTM"``.
    """

    def __init__(self, reporter, label):
        self.reporter = reporter
        self.label = label

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        self.started_ = time.monotonic()
        self.seconds_per_batch_ = None

    def on_epoch_begin(self, net, dataset_train=None, dataset_valid=None, **kwargs):
        self.epoch_started_ = time.monotonic()
        self.done_ = 0
        counts = [row.get("train_batch_count") for row in net.history[:-1]]
        known = [c for c in counts if c]
        size = max(1, int(net.batch_size))
        self.expected_ = known[-1] if known else max(1, math.ceil(len(dataset_train) / size))
        # whole epochs already timed: a steadier measure than this epoch's
        # first batches (their lengths vary, and so does the machine's load)
        durations = sorted(row["dur"] for row in net.history[:-1] if row.get("dur"))
        self.epoch_seconds_ = durations[len(durations) // 2] if durations else None

    def on_batch_end(self, net, training=False, **kwargs):
        if not training:
            return
        self.done_ += 1
        elapsed = time.monotonic() - self.epoch_started_
        epoch = len(net.history)
        share = min(self.done_ / self.expected_, 1.0)
        # an estimate, not a bound: epochs take what the machine gives them,
        # and early stopping may end the fit sooner
        per_epoch = self.epoch_seconds_ or elapsed / share
        if self.epoch_seconds_ is None and share < ESTIMATE_AFTER:
            left = "estimating the time left"
        else:
            this_epoch = per_epoch - elapsed if per_epoch > elapsed else \
                (1 - share) * elapsed / share
            seconds = this_epoch + max(net.max_epochs - epoch, 0) * per_epoch
            left = f"about {_duration(seconds)} left"
        bar = "#" * int(20 * share) + "." * (20 - int(20 * share))
        self.reporter.progress(
            f"   {self.label}: epoch {epoch}/{net.max_epochs} [{bar}] {100 * share:3.0f}%, "
            f"{left}")

    def on_epoch_end(self, net, **kwargs):
        row = net.history[-1]
        parts = [f"epoch {row['epoch']}/{net.max_epochs}"]
        if "train_loss" in row:
            parts.append(f"train loss {row['train_loss']:.3f}")
        valid = [k for k in row if k.startswith("valid_") and not k.endswith(("_best", "_loss"))
                 and isinstance(row[k], float)]
        for key in valid[:1]:
            best = " (best)" if row.get(f"{key}_best") else ""
            parts.append(f"{key.replace('valid_', 'validation ')} {100 * row[key]:.1f}%{best}")
        parts.append(f"{row['dur']:.1f} s")
        self.reporter.say(f"   {self.label}: " + ", ".join(parts))

    def __getstate__(self):  # never part of a saved model
        return {"label": self.label, "reporter": None}


@contextmanager
def said_warnings(say):
    """The library's warnings during a fit, said once each as plain lines."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield
        finally:
            for message in dict.fromkeys(str(w.message) for w in caught
                                         if not issubclass(w.category, DeprecationWarning)):
                say(f"   warning: {message}")


def with_progress(model, reporter, label):
    """``model`` (a pipeline) with its recurrent network's progress reported
    under ``label``; other models as they are."""
    if hasattr(model, "steps") and hasattr(model[-1], "callbacks"):
        model[-1].set_params(callbacks=[("progress", EpochProgress(reporter, label))])
    return model
