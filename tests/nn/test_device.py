"""Where training runs: the free-memory reading (host, cgroup v1/v2, address
space), the training memory estimate, and fit's refusal when it does not fit."""

import numpy as np
import pytest
import torch

import sklearn_rnn._nn._device as device
from sklearn_rnn import LSTMSentimentClassifier
from sklearn_rnn._nn._module import RecurrentClassifierModule

from ..conftest import FAST

GB = 2**30


@pytest.fixture
def machine(tmp_path, monkeypatch):
    """A fake /proc and /sys/fs/cgroup: write files into it, the readers read them."""
    proc, cgroup = tmp_path / "proc", tmp_path / "cgroup"
    proc.mkdir()
    cgroup.mkdir()
    (tmp_path / "meminfo").write_text(f"MemTotal: {64 * GB // 1024} kB\n"
                                      f"MemAvailable: {32 * GB // 1024} kB\n")
    (proc / "status").write_text(f"Name: python\nVmSize: {3 * GB // 1024} kB\n")
    monkeypatch.setattr(device, "_MEMINFO", tmp_path / "meminfo")
    monkeypatch.setattr(device, "_PROC_SELF", proc)
    monkeypatch.setattr(device, "_CGROUP_ROOT", cgroup)

    def write(relative, text):
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)

    return write


def test_without_limits_the_host_figure_is_the_free_memory(machine):
    machine("proc/cgroup", "0::/\n")
    assert device.cgroup_available() is None
    assert device.available_memory("cpu") == 32 * GB


def test_cgroup_v2_limit_of_the_process_and_its_parents(machine):
    machine("proc/cgroup", "0::/jobs/job1\n")
    machine("cgroup/cgroup.controllers", "cpu memory\n")
    machine("cgroup/jobs/job1/memory.max", f"{8 * GB}\n")
    machine("cgroup/jobs/job1/memory.current", f"{3 * GB}\n")
    machine("cgroup/jobs/job1/memory.stat", f"anon 1\ninactive_file {GB}\nactive_file 5\n")
    assert device.cgroup_available() == 6 * GB  # 8 - 3 + the reclaimable cache
    machine("cgroup/jobs/memory.max", f"{4 * GB}\n")  # a parent's tighter limit
    machine("cgroup/jobs/memory.current", f"{3 * GB}\n")
    assert device.cgroup_available() == GB
    assert device.available_memory("cpu") == GB  # the smallest reading wins
    machine("cgroup/jobs/memory.max", "max\n")  # "max": no limit there
    assert device.cgroup_available() == 6 * GB


def test_cgroup_v2_in_hybrid_mode_and_v1(machine):
    machine("proc/cgroup", "4:memory:/docker/abc\n0::/docker/abc\n")
    machine("cgroup/unified/docker/abc/memory.max", f"{10 * GB}\n")
    machine("cgroup/unified/docker/abc/memory.current", f"{GB}\n")
    assert device.cgroup_available() == 9 * GB
    machine("cgroup/memory/docker/abc/memory.limit_in_bytes", f"{2 * GB}\n")
    machine("cgroup/memory/docker/abc/memory.usage_in_bytes", f"{GB}\n")
    assert device.cgroup_available() == GB
    machine("cgroup/memory/docker/abc/memory.limit_in_bytes", "9223372036854771712\n")
    assert device.cgroup_available() == 9 * GB  # v1's "no limit"


def test_the_address_space_limit_counts(machine, monkeypatch):
    import resource

    machine("proc/cgroup", "0::/\n")
    monkeypatch.setattr(resource, "getrlimit", lambda which: (5 * GB, resource.RLIM_INFINITY))
    assert device.address_space_available() == 2 * GB  # 5 GB limit, 3 GB mapped
    assert device.available_memory("cpu") == 2 * GB
    monkeypatch.setattr(resource, "getrlimit",
                        lambda which: (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    assert device.address_space_available() is None


def test_unreadable_files_give_no_reading(machine, tmp_path):
    (tmp_path / "meminfo").unlink()
    assert device.host_available() is None and device.cgroup_available() is None
    assert device.available_memory("cpu") is None


def test_fit_refuses_what_the_cgroup_cannot_hold(machine, review_ids, monkeypatch):
    X, y, _ = review_ids
    machine("proc/cgroup", "0::/\n")
    machine("cgroup/cgroup.controllers", "memory\n")
    machine("cgroup/memory.max", f"{GB + 5 * 2**20}\n")  # 5 MB free: less than any fit
    machine("cgroup/memory.current", f"{GB}\n")
    with pytest.raises(MemoryError, match=r"GiB on cpu but 0.0 GiB are free.*batch_size=32"):
        LSTMSentimentClassifier(**FAST).fit(X, y)
    machine("cgroup/memory.max", f"{4 * GB}\n")
    LSTMSentimentClassifier(**FAST).fit(X, y)


def _estimate(n_classes, ngram_range, batch_size=64, width=400, n=512):
    with torch.device("meta"):
        module = RecurrentClassifierModule("lstm", 20_000, n_classes, ngram_range=ngram_range,
                                           ngram_buckets=2**10, ngram_rank=None)
    return device.estimate_training_memory(np.full(n, width), batch_size, module,
                                           pool_ratio=1.25)


def test_the_estimate_counts_the_batch_by_ngram_by_class_tensor():
    # (1, 5) has 5 n-gram slots per position where (1, 1) has one: the
    # difference grows with the classes and the batch, as the tensor does
    small = _estimate(300, (1, 5)) - _estimate(300, (1, 1))
    assert _estimate(1000, (1, 5)) - _estimate(1000, (1, 1)) > 3 * small
    assert small > 64 * 4 * 400 * 300 * 4  # at least one float copy of the extra slots
    assert (_estimate(300, (1, 5), batch_size=256) - _estimate(300, (1, 1), batch_size=256)
            > 3.5 * small)
    # and the whole training set is counted, not only the widest batch
    assert _estimate(2, (1, 2), n=50_000) - _estimate(2, (1, 2)) > 49_488 * 400 * 8


def _train(n=40, width=16):
    from sklearn_rnn._nn._data import to_dataset

    return to_dataset(np.ones((n, width), dtype=np.int32), np.arange(n) % 3)


def test_training_memory_is_the_estimate_for_the_module_the_arguments_build():
    kwargs = dict(cell="gru", vocab_size=50, n_classes=3, embedding_dim=8, hidden_size=8,
                  ngram_range=(1, 2), ngram_buckets=64)
    train = _train()
    with torch.device("meta"):
        module = RecurrentClassifierModule(**kwargs, seed=0)
    assert device.training_memory(train.widths, 16, kwargs) == \
        device.estimate_training_memory(train.widths, 16, module, pool_ratio=1.25)
    bigger = dict(kwargs, hidden_size=256)
    assert device.training_memory(train.widths, 16, bigger) > \
        device.training_memory(train.widths, 16, kwargs)


def test_check_training_memory_refuses_what_does_not_fit_and_names_the_batch(monkeypatch):
    kwargs = dict(cell="lstm", vocab_size=50, n_classes=3, embedding_dim=8, hidden_size=8)
    train = _train(n=40)
    small = device.training_memory(train.widths, 8, kwargs)
    large = device.training_memory(train.widths, 40, kwargs)  # all documents in one batch
    assert large > small
    free = (small + large) / 2 / 0.9  # fits in 90% of it: batches of 8, not of 40
    monkeypatch.setattr(device, "available_memory", lambda where: free)
    device.check_training_memory(train, kwargs, "cpu", batch_size=8)
    device.check_training_memory(train, kwargs, "cpu", batch_size=64, train_batch_size=8)
    with pytest.raises(MemoryError, match=r"on cpu but .* longest document has 16 tokens, "
                                          r"batch_size=64, 3 classes"):
        device.check_training_memory(train, kwargs, "cpu", batch_size=64)
    with pytest.raises(MemoryError, match="batch_size=8,"):  # -1: all in one batch
        device.check_training_memory(train, kwargs, "cpu", batch_size=8, train_batch_size=-1)
    monkeypatch.setattr(device, "available_memory", lambda where: None)  # unknown: go on
    device.check_training_memory(train, kwargs, "cpu", batch_size=64)
