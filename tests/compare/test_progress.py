"""The progress line: an estimate of the time left, from the epochs already
timed once there are some (a clock of our own: no timed test)."""

import io

from sklearn_rnn._compare import _progress
from sklearn_rnn._compare._progress import EpochProgress, Reporter


class _Clock:
    def __init__(self):
        self.now = 0.0

    def monotonic(self):
        return self.now


class _Terminal(io.StringIO):
    def isatty(self):
        return True  # every progress line redrawn (off a terminal, one per 15 s)


class _Net:
    def __init__(self, max_epochs):
        self.max_epochs, self.batch_size, self.history = max_epochs, 10, []


def _epoch(progress, net, clock, batches, seconds_each):
    net.history.append({"epoch": len(net.history) + 1})
    progress.on_epoch_begin(net, dataset_train=range(10 * batches))
    lines = []
    for _ in range(batches):
        clock.now += seconds_each
        progress.on_batch_end(net, training=True)
        lines.append(progress.reporter.stream.getvalue().splitlines()[-1].rstrip())
    net.history[-1].update(dur=batches * seconds_each, train_batch_count=batches)
    return lines


def test_time_left_is_an_estimate_from_the_epochs_already_timed(monkeypatch):
    clock = _Clock()
    monkeypatch.setattr(_progress, "time", clock)
    progress = EpochProgress(Reporter(_Terminal()), "[1/1] LSTM")
    net = _Net(max_epochs=3)
    progress.on_train_begin(net)
    first = _epoch(progress, net, clock, batches=20, seconds_each=20.0)
    assert first[0].endswith("estimating the time left")  # one batch of 20 says little
    assert first[2].endswith("about 19 min 00 s left")  # 17 batches + 2 epochs of 400 s
    # the next epoch's first batch is fast: the estimate keeps the timed epoch's 400 s
    second = _epoch(progress, net, clock, batches=20, seconds_each=1.0)
    assert second[0].endswith("about 13 min 19 s left")  # (400 - 1) + 400 s
    assert "at most" not in "".join(first + second)
