"""Side-by-side speed benchmark: sklearn_rnn against the loops users would write.

Runs, in one process and on the same IMDB reviews, the same model (embedding
128 -> one LSTM layer of 128 -> pooling -> linear to 2 logits, Adam, cross-
entropy, gradient clipping, batch 64) trained six ways, plus the classic
linear baseline:

* ``lstm``, ``rnn``: our ``LSTMSentimentClassifier`` / ``RNNSentimentClassifier``
  with ``max_epochs``, ``batch_size``, ``device``, ``random_state=0`` and
  otherwise their defaults;
* ``floor`` (and ``floor_rnn``): the best hand-written PyTorch loop: documents
  sorted by length, cut into batches of consecutive documents, each batch
  pre-padded to its own longest row and moved to the device once, before
  timing; batch order shuffled every epoch; same pooling as our default;
* ``floor_onthefly``: the same loop, building each batch from numpy and
  copying it to the device at every step;
* ``tutorial``: the loop of most tutorials: post-padded rows of the full
  width, random batches from a ``DataLoader``, the output at the last
  (padded) position as the document vector. It stays near 50% on IMDB: the
  state it reads has just run through hundreds of padding steps;
* ``packed``: a plain ``skorch.NeuralNetClassifier`` around a module that
  packs its batches (``pack_padded_sequence(..., enforce_sorted=False)``) and
  reads ``h_n[-1]``; on CPU it is timed on a subset (``--packed-limit``) and
  its seconds per epoch extrapolated to the full training set;
* ``tfidf``: ``TfidfVectorizer(ngram_range=(1, 2), min_df=2)`` +
  ``LogisticRegression(max_iter=1000)`` on the raw text.

Text is tokenized once by ``TextVectorizer(maxlen=--maxlen)``: every neural
method gets the same token ids (pre-padded for ours and the floor, the same
rows moved to post-padding for the tutorial and packed loops). The
vectorizer itself is timed against scikit-learn's ``CountVectorizer``.

Usage (from the repository root)::

    python benchmarks/benchmark.py                  # CPU
    python benchmarks/benchmark.py --device cuda    # one GPU
    python benchmarks/benchmark.py --speed --threads 2   # the speed study

``--speed`` runs the speed study instead (fused Adam, bf16 autocast,
prediction; IMDB and movie-review sentences; see :func:`speed_study`) and
writes ``benchmarks/results/benchmark_speed.json`` and ``.md``.

Prints Markdown tables and the target checks, and writes
``benchmarks/results/benchmark_<device>.json`` and ``.md`` (``--out``).
See ``benchmarks/README.md`` for how to read them.
"""

import argparse
import ctypes
import gc
import json
import os
import sys
import threading
import time
import warnings
from pathlib import Path

import numpy as np
import skorch
import torch
from _common import IMDB_ARCHIVE, MOVIE_REVIEWS_ZIP, RESULTS, machine
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import LabelEncoder
from threadpoolctl import threadpool_limits
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

from sklearn_rnn import LSTMSentimentClassifier, RNNSentimentClassifier, TextVectorizer
from sklearn_rnn.datasets import load_imdb

METHODS = ("vectorizers", "tfidf", "floor", "floor_onthefly", "lstm", "floor_rnn",
           "rnn", "tutorial", "packed")
MB = 2**20

# Shapes: B documents in a batch, T positions, E embedding size, H hidden size,
# C classes.


# ---------------------------------------------------------------------- #
# measuring
# ---------------------------------------------------------------------- #
def sync(device):
    """Wait for queued GPU work, so that perf_counter brackets it."""
    if device == "cuda":
        torch.cuda.synchronize()


def _release_memory(device):
    """Drop garbage and hand freed memory back, so the next baseline is low."""
    gc.collect()
    if device == "cuda":
        torch.cuda.empty_cache()
    try:  # glibc keeps freed heap memory; without this RSS hides new growth
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


class PeakMemory:
    """Peak memory used by a block, in MiB above the level when it began.

    CPU: the growth of the process's resident set size (RSS), measured after
    a ``gc.collect()`` and glibc's ``malloc_trim(0)`` so freed memory is not
    hiding in the baseline. It counts everything the process touched (numpy
    copies, torch tensors, the allocator's slack). The peak is the kernel's
    own high-water mark ``VmHWM`` in ``/proc/self/status``, reset at the start
    by writing ``5`` to ``/proc/self/clear_refs``: exact, and no thread
    competes with the one being timed. Where that file cannot be written, a
    daemon thread samples the RSS (``/proc/self/statm``) every 5 ms instead,
    missing shorter spikes. ``None`` without ``/proc``.

    CUDA: ``torch.cuda.max_memory_allocated()`` after
    ``reset_peak_memory_stats()``, minus the memory allocated when the block
    began: tensors only, not the CUDA context or the caching allocator's
    reserve.
    """

    interval = 0.005

    def __init__(self, device):
        self.device = device
        self.peak_mb = None
        self.method = None

    @staticmethod
    def _status(field):
        """A ``kB`` field of ``/proc/self/status``, in bytes."""
        with open("/proc/self/status") as f:
            line = next(line for line in f if line.startswith(field + ":"))
        return int(line.split()[1]) * 1024

    @staticmethod
    def _rss():
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

    def _sample(self):
        while not self._stop.wait(self.interval):
            self._peak = max(self._peak, self._rss())

    def __enter__(self):
        _release_memory(self.device)
        if self.device == "cuda":
            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats()
            self._base = torch.cuda.memory_allocated()
            self.method = "cuda max_memory_allocated"
            return self
        try:
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")  # reset VmHWM to the current RSS
            self._base = self._status("VmRSS")
            self.method = "kernel high-water mark VmHWM"
            return self
        except (OSError, StopIteration):
            pass
        try:
            self._base = self._peak = self._rss()
        except OSError:
            return self
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        self.method = "RSS sampled every 5 ms"
        return self

    def __exit__(self, *exc):
        if self.method is None:
            return False
        if self.device == "cuda":
            torch.cuda.synchronize()
            peak = torch.cuda.max_memory_allocated()
        elif self.method.startswith("kernel"):
            peak = self._status("VmHWM")
        else:
            self._stop.set()
            self._thread.join()
            peak = max(self._peak, self._rss())
        self.peak_mb = (peak - self._base) / MB
        return False


def best_time(fn, repeats, device="cpu"):
    """``(best seconds, last result)`` of ``repeats`` calls of ``fn()``."""
    best, result = float("inf"), None
    for _ in range(repeats):
        sync(device)
        t0 = time.perf_counter()
        result = fn()
        sync(device)
        best = min(best, time.perf_counter() - t0)
    return best, result


def row(method, label, *, n_train, s_per_epoch, fit_s, n_predict, predict_s,
        peak_mb, valid_acc, cell="lstm", **extra):
    """One result row; throughputs are reviews per second."""
    return {
        "method": method,
        "label": label,
        "cell": cell,
        "s_per_epoch": s_per_epoch,
        "fit_s": fit_s,
        "train_reviews_per_s": None if not s_per_epoch else n_train / s_per_epoch,
        "predict_reviews_per_s": n_predict / predict_s,
        "peak_mb": peak_mb,
        "valid_acc": valid_acc,
        **extra,
    }


# ---------------------------------------------------------------------- #
# data: loaded and tokenized once, shared by every method
# ---------------------------------------------------------------------- #
def post_padded(ids, lengths):
    """The same rows with their real tokens moved to the start (post-padding)."""
    out = np.zeros_like(ids)
    T = ids.shape[1]
    for i, n in enumerate(lengths.tolist()):
        if n:
            out[i, :n] = ids[i, T - n:]
    return out


def prepare_data(args):
    """Load IMDB once, split train/valid, tokenize once with TextVectorizer."""
    t0 = time.perf_counter()
    texts, labels = load_imdb(data_home=args.data, return_X_y=True)
    load_s = time.perf_counter() - t0
    if args.n_train + args.n_valid > len(texts):
        raise SystemExit(
            f"--n-train {args.n_train} + --n-valid {args.n_valid} exceeds the "
            f"{len(texts)} labelled reviews loaded."
        )
    texts = list(texts[: args.n_train + args.n_valid])
    labels = np.asarray(labels[: args.n_train + args.n_valid])
    train, valid = slice(0, args.n_train), slice(args.n_train, None)

    vectorizer = TextVectorizer(maxlen=args.maxlen)
    t0 = time.perf_counter()
    ids_train = vectorizer.fit_transform(texts[train])  # TokenArray (N, T), pre-padded
    fit_transform_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    ids_valid = vectorizer.transform(texts[valid])
    transform_s = time.perf_counter() - t0

    # id 0 is padding only (TextVectorizer maps literal '<pad>' tokens to
    # '<unk>'), so a row's length is its count of non-zero ids
    len_train = (np.asarray(ids_train) != 0).sum(axis=1).astype(np.int64)
    len_valid = (np.asarray(ids_valid) != 0).sum(axis=1).astype(np.int64)
    encoder = LabelEncoder().fit(labels)  # 'negative' -> 0, 'positive' -> 1
    return {
        "texts_train": texts[train], "texts_valid": texts[valid],
        "labels_train": labels[train], "labels_valid": labels[valid],
        "y_train": encoder.transform(labels[train]).astype(np.int64),
        "y_valid": encoder.transform(labels[valid]).astype(np.int64),
        "ids_train": ids_train, "ids_valid": ids_valid,
        "post_train": post_padded(np.asarray(ids_train), len_train),
        "post_valid": post_padded(np.asarray(ids_valid), len_valid),
        "len_train": len_train, "len_valid": len_valid,
        "n_vocab": len(vectorizer.vocabulary_), "T": vectorizer.maxlen_,
        "load_s": load_s, "fit_transform_s": fit_transform_s,
        "transform_s": transform_s,
    }


# ---------------------------------------------------------------------- #
# the hand-written models (plain PyTorch)
# ---------------------------------------------------------------------- #
_CELLS = {"rnn": nn.RNN, "lstm": nn.LSTM}


class FloorModule(nn.Module):
    """Embedding -> RNN/LSTM -> pooling over real positions -> linear.

    Takes pre-padded ids ``(B, T)``: the real tokens of a row of length ``L``
    are at ``T - L .. T - 1``, so ``'last'`` reads position ``T - 1`` and
    ``'max'`` / ``'mean'`` pool over the real positions only, as our module.
    """

    def __init__(self, cell, n_vocab, embedding_dim, hidden_size, n_classes, pooling):
        super().__init__()
        self.pooling = pooling
        self.embedding = nn.Embedding(n_vocab, embedding_dim, padding_idx=0)
        self.rnn = _CELLS[cell](embedding_dim, hidden_size, batch_first=True)
        self.classifier = nn.Linear(hidden_size, n_classes)

    def forward(self, ids, lengths):
        out, _ = self.rnn(self.embedding(ids))  # (B, T, H)
        if self.pooling == "last":
            return self.classifier(out[:, -1])
        T = out.shape[1]
        real = torch.arange(T, device=out.device)[None, :] >= (T - lengths)[:, None]
        real = real.unsqueeze(-1)  # (B, T, 1)
        if self.pooling == "max":
            pooled = out.masked_fill(~real, float("-inf")).amax(dim=1)
            pooled = torch.where((lengths > 0)[:, None], pooled, 0.0)
        else:
            pooled = (out * real).sum(dim=1) / lengths.clamp(min=1)[:, None]
        return self.classifier(pooled)  # (B, C)


class TutorialModule(nn.Module):
    """Embedding -> LSTM -> output at the last position -> linear.

    With post-padded rows the last position is padding for every document
    shorter than ``T``: the vector read is the state after the padding run.
    """

    def __init__(self, n_vocab, embedding_dim, hidden_size, n_classes):
        super().__init__()
        self.embedding = nn.Embedding(n_vocab, embedding_dim, padding_idx=0)
        self.rnn = nn.LSTM(embedding_dim, hidden_size, batch_first=True)
        self.classifier = nn.Linear(hidden_size, n_classes)

    def forward(self, ids):
        out, _ = self.rnn(self.embedding(ids))  # (B, T, H)
        return self.classifier(out[:, -1])


class PackedModule(nn.Module):
    """Embedding -> packed LSTM -> ``h_n[-1]`` -> linear (post-padded ids)."""

    def __init__(self, n_vocab, embedding_dim, hidden_size, n_classes):
        super().__init__()
        self.embedding = nn.Embedding(n_vocab, embedding_dim, padding_idx=0)
        self.rnn = nn.LSTM(embedding_dim, hidden_size, batch_first=True)
        self.classifier = nn.Linear(hidden_size, n_classes)

    def forward(self, ids, lengths):
        packed = pack_padded_sequence(
            self.embedding(ids), lengths.cpu().clamp(min=1), batch_first=True,
            enforce_sorted=False,
        )
        _, (h_n, _) = self.rnn(packed)
        return self.classifier(h_n[-1])


def train_loop(model, batches, n_batches, *, epochs, lr, clip, device, rng):
    """Adam + cross-entropy over ``batches(i)``, batch order shuffled each epoch.

    Returns the seconds of each epoch. The loss is summed on the device and
    read once per epoch (no per-step host synchronisation).
    """
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    times = []
    model.train()
    for _ in range(epochs):
        sync(device)
        t0 = time.perf_counter()
        total = torch.zeros((), device=device)
        for i in rng.permutation(n_batches):
            ids, lengths, y = batches(i)
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(ids, lengths), y)
            loss.backward()
            if clip is not None:
                nn.utils.clip_grad_norm_(model.parameters(), clip)
            optimizer.step()
            total += loss.detach()
        total.item()
        sync(device)
        times.append(time.perf_counter() - t0)
    return times


def length_batches(lengths, batch_size):
    """Row indices of each batch: documents sorted by length, cut in runs."""
    order = np.argsort(lengths, kind="stable")
    return [order[a:a + batch_size] for a in range(0, len(order), batch_size)]


def make_batch(ids, lengths, y, index, device):
    """Pre-padded ``(B, W)`` batch of rows ``index``, W its longest row.

    The input rows are pre-padded to T, so their last W columns hold each
    row pre-padded to W: slicing them is all the padding there is to do.
    """
    W = max(int(lengths[index].max()), 1)
    T = ids.shape[1]
    batch = (
        torch.as_tensor(ids[index, T - W:], dtype=torch.int64).to(device),
        torch.as_tensor(lengths[index]).to(device),
        None if y is None else torch.as_tensor(y[index]).to(device),
    )
    return batch


def floor_predict(model, ids, lengths, batch_size, device):
    """Probabilities ``(N, C)`` in the original row order."""
    model.eval()
    index = length_batches(lengths, batch_size)
    outputs = []
    with torch.inference_mode():
        for rows in index:
            b_ids, b_len, _ = make_batch(ids, lengths, None, rows, device)
            outputs.append(torch.softmax(model(b_ids, b_len), dim=1))
        proba = torch.cat(outputs).cpu().numpy()
    out = np.empty_like(proba)
    out[np.concatenate(index)] = proba
    return out


# ---------------------------------------------------------------------- #
# the methods: each returns a result row
# ---------------------------------------------------------------------- #
def run_ours(cls, method, label, data, cfg):
    """Our classifier: fit on the id array, predict_proba on the validation ids."""
    # every epoch on all training documents, as the loops it is compared with
    # (the default early_stopping='auto' would hold out 10% above 10,000 docs)
    # the same network as the loops: no n-gram path (whatever the default)
    clf = cls(max_epochs=cfg.epochs, batch_size=cfg.batch_size, device=cfg.device,
              early_stopping=False, ngram_range=None, random_state=0)
    with PeakMemory(cfg.device) as memory:
        sync(cfg.device)
        t0 = time.perf_counter()
        clf.fit(data["ids_train"], data["labels_train"])
        sync(cfg.device)
        fit_s = time.perf_counter() - t0
        predict_s, proba = best_time(lambda: clf.predict_proba(data["ids_valid"]), 2,
                                     cfg.device)
    durations = [float(d) for d in clf.history_[:, "dur"]]
    predicted = clf.classes_[proba.argmax(axis=1)]
    return row(
        method, label, cell=clf.net_.get_params_for("module")["cell"],
        n_train=len(data["y_train"]),
        s_per_epoch=float(np.mean(durations)), fit_s=fit_s,
        n_predict=len(proba), predict_s=predict_s, peak_mb=memory.peak_mb,
        valid_acc=float(np.mean(predicted == data["labels_valid"])),
        # time in fit outside the epochs: input checks, bucketing, building the
        # batches on the device, the per-epoch scoring callbacks
        epoch_s=durations, overhead_s=fit_s - sum(durations),
    )


def run_floor(cell, method, label, data, cfg, prebuilt=True):
    """Hand-written loop: length-sorted batches, pre-padded to their longest row.

    ``prebuilt``: every batch is built and moved to the device once before
    timing; otherwise each step slices it from numpy and copies it over.
    """
    ids, lengths, y = np.asarray(data["ids_train"]), data["len_train"], data["y_train"]
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    with PeakMemory(cfg.device) as memory:
        model = FloorModule(cell, data["n_vocab"], cfg.embedding_dim, cfg.hidden_size,
                            2, cfg.pooling).to(cfg.device)
        sync(cfg.device)
        t0 = time.perf_counter()
        index = length_batches(lengths, cfg.batch_size)
        if prebuilt:
            built = [make_batch(ids, lengths, y, rows, cfg.device) for rows in index]
            batches = built.__getitem__
        else:
            def batches(i):
                return make_batch(ids, lengths, y, index[i], cfg.device)
        sync(cfg.device)
        setup_s = time.perf_counter() - t0
        epoch_s = train_loop(model, batches, len(index), epochs=cfg.epochs, lr=cfg.lr,
                             clip=cfg.clip, device=cfg.device, rng=rng)
        predict_s, proba = best_time(
            lambda: floor_predict(model, np.asarray(data["ids_valid"]),
                                  data["len_valid"], cfg.batch_size, cfg.device),
            2, cfg.device)
    return row(
        method, label, cell=cell, n_train=len(y), s_per_epoch=sum(epoch_s) / cfg.epochs,
        fit_s=setup_s + sum(epoch_s), n_predict=len(proba), predict_s=predict_s,
        peak_mb=memory.peak_mb,
        valid_acc=float(np.mean(proba.argmax(axis=1) == data["y_valid"])),
        epoch_s=epoch_s, setup_s=setup_s,
    )


def run_tutorial(data, cfg):
    """Tutorial loop: full-width post-padded rows, DataLoader(shuffle=True),
    the output at the last position, loss read every step."""
    torch.manual_seed(0)
    loader_seed = torch.Generator().manual_seed(0)
    with PeakMemory(cfg.device) as memory:
        model = TutorialModule(data["n_vocab"], cfg.embedding_dim, cfg.hidden_size,
                               2).to(cfg.device)
        optimizer = torch.optim.Adam(model.parameters(), lr=cfg.lr)
        loss_fn = nn.CrossEntropyLoss()
        sync(cfg.device)
        t0 = time.perf_counter()
        dataset = torch.utils.data.TensorDataset(
            torch.as_tensor(data["post_train"], dtype=torch.int64),
            torch.as_tensor(data["y_train"]),
        )
        loader = torch.utils.data.DataLoader(dataset, batch_size=cfg.batch_size,
                                             shuffle=True, generator=loader_seed)
        setup_s = time.perf_counter() - t0
        epoch_s = []
        model.train()
        for _ in range(cfg.epochs):
            t0 = time.perf_counter()
            running_loss = 0.0
            for ids, y in loader:
                ids, y = ids.to(cfg.device), y.to(cfg.device)
                optimizer.zero_grad()
                loss = loss_fn(model(ids), y)
                loss.backward()
                if cfg.clip is not None:
                    nn.utils.clip_grad_norm_(model.parameters(), cfg.clip)
                optimizer.step()
                running_loss += loss.item()
            sync(cfg.device)
            epoch_s.append(time.perf_counter() - t0)

        def predict():
            model.eval()
            valid = torch.as_tensor(data["post_valid"], dtype=torch.int64)
            with torch.inference_mode():
                return torch.cat([
                    torch.softmax(model(valid[a:a + cfg.batch_size].to(cfg.device)), 1)
                    for a in range(0, len(valid), cfg.batch_size)
                ]).cpu().numpy()

        predict_s, proba = best_time(predict, 2, cfg.device)
    return row(
        "tutorial", "tutorial loop (post-padded, random batches, last position)",
        n_train=len(data["y_train"]), s_per_epoch=sum(epoch_s) / cfg.epochs,
        fit_s=setup_s + sum(epoch_s), n_predict=len(proba), predict_s=predict_s,
        peak_mb=memory.peak_mb,
        valid_acc=float(np.mean(proba.argmax(axis=1) == data["y_valid"])),
        epoch_s=epoch_s, setup_s=setup_s,
    )


def run_packed(data, cfg):
    """Plain skorch NeuralNetClassifier around a packing module.

    With ``--packed-limit`` it trains on the first N training reviews (and
    predicts the first N validation reviews); seconds per epoch are then
    extrapolated linearly to the full training set.
    """
    n_full = len(data["y_train"])
    n = n_full if not cfg.packed_limit else min(cfg.packed_limit, n_full)
    n_pred = len(data["y_valid"]) if not cfg.packed_limit else min(
        cfg.packed_limit, len(data["y_valid"]))
    limited = n < n_full
    epochs = cfg.packed_epochs or (1 if limited else cfg.epochs)
    X_train = {"ids": data["post_train"][:n].astype(np.int64),
               "lengths": data["len_train"][:n]}
    X_valid = {"ids": data["post_valid"][:n_pred].astype(np.int64),
               "lengths": data["len_valid"][:n_pred]}
    torch.manual_seed(0)
    net = skorch.NeuralNetClassifier(
        PackedModule,
        module__n_vocab=data["n_vocab"],
        module__embedding_dim=cfg.embedding_dim,
        module__hidden_size=cfg.hidden_size,
        module__n_classes=2,
        criterion=nn.CrossEntropyLoss,
        optimizer=torch.optim.Adam,
        lr=cfg.lr,
        max_epochs=epochs,
        batch_size=cfg.batch_size,
        iterator_train__shuffle=True,  # skorch does not shuffle by default
        callbacks=[] if cfg.clip is None else [
            skorch.callbacks.GradientNormClipping(cfg.clip)],
        train_split=None,
        verbose=0,
        device=cfg.device,
    )
    with PeakMemory(cfg.device) as memory:
        sync(cfg.device)
        t0 = time.perf_counter()
        net.fit(X_train, data["y_train"][:n])
        sync(cfg.device)
        fit_s = time.perf_counter() - t0
        predict_s, proba = best_time(lambda: net.predict_proba(X_valid), 2, cfg.device)
    durations = [float(d) for d in net.history[:, "dur"]]
    s_subset = float(np.mean(durations))
    label = "plain skorch + pack_padded_sequence"
    if limited:
        label += f" (timed on {n:,} reviews, {epochs} epoch(s); s/epoch extrapolated)"
    return row(
        "packed", label, n_train=n, s_per_epoch=s_subset,
        fit_s=fit_s, n_predict=n_pred, predict_s=predict_s, peak_mb=memory.peak_mb,
        valid_acc=float(np.mean(proba.argmax(axis=1) == data["y_valid"][:n_pred])),
        epoch_s=durations, limited=limited, n_timed=n, n_predicted=n_pred,
        epochs_timed=epochs,
    ) | {
        # extrapolate to the full training set; train throughput is measured
        "s_per_epoch": s_subset * n_full / n,
    }


def run_tfidf(data, cfg):
    """TF-IDF (1-2 grams) + LogisticRegression on the raw text."""
    pipe = make_pipeline(TfidfVectorizer(ngram_range=(1, 2), min_df=2),
                         LogisticRegression(max_iter=1000))
    with PeakMemory("cpu") as memory:
        t0 = time.perf_counter()
        pipe.fit(data["texts_train"], data["labels_train"])
        fit_s = time.perf_counter() - t0
        predict_s, proba = best_time(lambda: pipe.predict_proba(data["texts_valid"]), 2)
    n = len(data["texts_train"])
    result = row(
        "tfidf", "TF-IDF (1-2 grams) + LogisticRegression, raw text", cell=None,
        n_train=n, s_per_epoch=None, fit_s=fit_s, n_predict=len(proba),
        predict_s=predict_s, peak_mb=memory.peak_mb,
        valid_acc=float(np.mean(pipe.classes_[proba.argmax(axis=1)]
                                == data["labels_valid"])),
    )
    result["train_reviews_per_s"] = n / fit_s  # one pass: the whole fit
    return result


def run_vectorizers(data, cfg):
    """TextVectorizer vs CountVectorizer ``fit_transform`` on the same text,
    best of ``--vectorizer-repeats`` runs each, alternating the two."""
    texts = data["texts_train"] + data["texts_valid"]
    times = {"TextVectorizer": [], "CountVectorizer": []}
    outputs = {}
    for _ in range(cfg.vectorizer_repeats):
        for name, make in (
            ("TextVectorizer", lambda: TextVectorizer(maxlen=cfg.maxlen)),
            ("CountVectorizer", CountVectorizer),
        ):
            outputs.pop(name, None)
            _release_memory("cpu")
            t0 = time.perf_counter()
            outputs[name] = make().fit_transform(texts)
            times[name].append(time.perf_counter() - t0)
    tv, cv = outputs["TextVectorizer"], outputs["CountVectorizer"]
    return {
        "n_documents": len(texts),
        "TextVectorizer": {
            "seconds": min(times["TextVectorizer"]),
            "all_seconds": times["TextVectorizer"],
            "shape": list(tv.shape), "dtype": str(tv.dtype), "mb": tv.nbytes / MB,
        },
        "CountVectorizer": {
            "seconds": min(times["CountVectorizer"]),
            "all_seconds": times["CountVectorizer"],
            "shape": list(cv.shape), "dtype": str(cv.dtype),
            "mb": (cv.data.nbytes + cv.indices.nbytes + cv.indptr.nbytes) / MB,
        },
        "transform_valid_reviews_per_s": len(data["texts_valid"]) / data["transform_s"],
    }


def warm_up(cfg):
    """One untimed step of each recurrent cell: library loading, oneDNN/cuDNN
    initialisation and the CUDA context are nobody's epoch time."""
    for cell in ("lstm", "rnn"):
        model = FloorModule(cell, 50, 8, 8, 2, cfg.pooling).to(cfg.device)
        ids = torch.randint(1, 50, (4, 16), device=cfg.device)
        lengths = torch.full((4,), 16, device=cfg.device)
        model(ids, lengths).sum().backward()
    sync(cfg.device)


# ---------------------------------------------------------------------- #
# report
# ---------------------------------------------------------------------- #
def machine_info(cfg):
    return {**machine(cfg.machine_label),
            "gpu": torch.cuda.get_device_name() if cfg.device == "cuda" else None}


def add_ratios(rows):
    """s/epoch over the floor loop of the same cell; train throughput over the
    tutorial loop (LSTM rows only: the tutorial loop is an LSTM)."""
    floors = {r["cell"]: r for r in rows if r["method"] in ("floor", "floor_rnn")}
    tutorial = next((r for r in rows if r["method"] == "tutorial"), None)
    for r in rows:
        floor = floors.get(r["cell"])
        r["vs_floor"] = (r["s_per_epoch"] / floor["s_per_epoch"]
                         if floor and r["s_per_epoch"] else None)
        r["vs_tutorial"] = (r["train_reviews_per_s"] / tutorial["train_reviews_per_s"]
                            if tutorial and r["cell"] == "lstm"
                            and r["train_reviews_per_s"] else None)


def check_targets(rows, vectorizers, cfg):
    """The issue's targets, as ratios measured in this run."""
    by = {r["method"]: r for r in rows}
    targets = []

    def add(name, value, threshold, higher_is_better, applies=True, note=""):
        if not applies:
            passed = None
            note = note or f"not measured on {cfg.device}"
        elif value is None:
            passed = None
            note = note or "a method it needs was skipped"
        else:
            passed = value >= threshold if higher_is_better else value <= threshold
        targets.append({"target": name, "measured": value, "threshold": threshold,
                        "higher_is_better": higher_is_better, "passed": passed,
                        "note": note})

    def ratio(a, b, key, invert=False):
        if a not in by or b not in by or not by[a][key] or not by[b][key]:
            return None
        return by[b][key] / by[a][key] if invert else by[a][key] / by[b][key]

    gpu, cpu = cfg.device == "cuda", cfg.device == "cpu"
    add("GPU: LSTM s/epoch / floor s/epoch", ratio("lstm", "floor", "s_per_epoch"),
        1.15, False, applies=gpu)
    add("GPU: packed skorch s/epoch / LSTM s/epoch",
        ratio("packed", "lstm", "s_per_epoch"), 10, True, applies=gpu,
        note="packed s/epoch extrapolated from a subset"
        if gpu and by.get("packed", {}).get("limited") else "")
    add("CPU: LSTM train reviews/s / tutorial loop",
        ratio("lstm", "tutorial", "train_reviews_per_s"), 3, True, applies=cpu)
    add("CPU: LSTM s/epoch / floor s/epoch", ratio("lstm", "floor", "s_per_epoch"),
        1.2, False, applies=cpu)
    add("CPU: LSTM predict reviews/s",
        by["lstm"]["predict_reviews_per_s"] if "lstm" in by else None, 2000, True,
        applies=cpu, note=f"target set for 2 cores; run with {torch.get_num_threads()} "
        "torch threads" if cpu else "")
    if vectorizers:
        tv, cv = vectorizers["TextVectorizer"], vectorizers["CountVectorizer"]
        add("TextVectorizer fit_transform speed-up over CountVectorizer",
            cv["seconds"] / tv["seconds"], 1, True)
        dtype = np.dtype(tv["dtype"])
        add("TextVectorizer output itemsize (bytes, integer dtype)",
            dtype.itemsize if dtype.kind in "iu" else None, 4, False, note=tv["dtype"])
    return targets


def _fmt(value, spec, suffix=""):
    return "—" if value is None else f"{value:{spec}}{suffix}"


def markdown(result):
    setup, machine = result["setup"], result["machine"]
    lines = [
        f"# sklearn_rnn benchmark, {setup['device']}",
        "",
        f"Machine: {machine['label'] + ': ' if machine['label'] else ''}"
        f"{machine['cpu']}"
        f" ({machine['cpus_available']} CPUs available, {machine['torch_threads']} "
        f"torch threads){', GPU ' + machine['gpu'] if machine['gpu'] else ''}; "
        f"torch {machine['torch']}, skorch {machine['skorch']}, scikit-learn "
        f"{machine.get('scikit-learn') or machine['sklearn']}.",
        "",
        f"IMDB train split: {setup['n_train']:,} training and {setup['n_valid']:,} "
        f"validation reviews, token ids of width T = {setup['T']:,} "
        f"(maxlen={setup['maxlen']}), {setup['n_vocab']:,} ids. Model: embedding "
        f"{setup['embedding_dim']}, hidden {setup['hidden_size']}, pooling "
        f"'{setup['pooling']}', Adam lr={setup['lr']}, clip {setup['clip']}, batch "
        f"{setup['batch_size']}, epochs: {setup['epochs']}.",
        "",
        "| method | s/epoch | fit s (wall) | train reviews/s | predict reviews/s "
        "| peak MB | valid acc | s/epoch ÷ floor | train rev/s ÷ tutorial |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in result["rows"]:
        mark = " *" if r.get("limited") else ""
        lines.append(
            f"| {r['label']} | {_fmt(r['s_per_epoch'], '.2f')}{mark} "
            f"| {_fmt(r['fit_s'], '.1f')}{mark} "
            f"| {_fmt(r['train_reviews_per_s'], ',.0f')} "
            f"| {_fmt(r['predict_reviews_per_s'], ',.0f')} "
            f"| {_fmt(r['peak_mb'], ',.0f')}{mark} "
            f"| {_fmt(100 * r['valid_acc'], '.1f', '%')}{mark} "
            f"| {_fmt(r['vs_floor'], '.2f', 'x')}{mark} "
            f"| {_fmt(r['vs_tutorial'], '.2f', 'x')} |"
        )
    lines += [
        "",
        "s/epoch: training time / epochs (ours: skorch's per-epoch `dur`); fit s: the "
        "whole fit, setup included. Peak MB: "
        + ("GPU tensors above the level before the method "
           "(`torch.cuda.max_memory_allocated`); the TF-IDF row is host RSS growth."
           if setup["device"] == "cuda" else
           f"growth of the process RSS over the method ({setup['memory_method']}).")
        + " Ratios: s/epoch over the floor loop of the same cell; train reviews/s over "
        "the tutorial loop (an LSTM).",
    ]
    if any(r.get("limited") for r in result["rows"]):
        packed = next(r for r in result["rows"] if r.get("limited"))
        lines += [
            "",
            f"\\* timed on the first {packed['n_timed']:,} training reviews for "
            f"{packed['epochs_timed']} epoch(s) and the first "
            f"{packed['n_predicted']:,} validation reviews (`--packed-limit`): "
            "s/epoch is extrapolated linearly to the full training set; fit time, "
            "peak memory and accuracy are those of the subset and not comparable.",
        ]
    vec = result.get("vectorizers")
    if vec:
        lines += [
            "",
            f"Vectorizers, `fit_transform` on {vec['n_documents']:,} reviews (best of "
            f"{len(vec['TextVectorizer']['all_seconds'])}):",
            "",
            "| vectorizer | seconds | reviews/s | output | dtype | MB |",
            "|---|---:|---:|---|---|---:|",
        ]
        for name, kind in (("TextVectorizer", "dense ids"),
                           ("CountVectorizer", "sparse CSR counts")):
            v = vec[name]
            rate = vec["n_documents"] / v["seconds"]
            lines.append(
                f"| {name} | {v['seconds']:.2f} | {rate:,.0f} "
                f"| {kind} {v['shape'][0]:,} x {v['shape'][1]:,} | {v['dtype']} "
                f"| {v['mb']:,.0f} |")
        lines += [
            "",
            f"TextVectorizer.transform on the validation reviews: "
            f"{vec['transform_valid_reviews_per_s']:,.0f} reviews/s.",
        ]
    lines += ["", "Targets:", "", "| target | measured | threshold | result |",
              "|---|---:|---:|---|"]
    for t in result["targets"]:
        verdict = {True: "pass", False: "FAIL", None: "n/a"}[t["passed"]]
        if t["note"]:
            verdict += f" ({t['note']})"
        sign = ">=" if t["higher_is_better"] else "<="
        lines.append(f"| {t['target']} | {_fmt(t['measured'], ',.2f')} "
                     f"| {sign} {t['threshold']:,} | {verdict} |")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------- #
# --speed: the optimizer step, mixed precision and prediction (issue 30)
# ---------------------------------------------------------------------- #
#: CPU flags the speed study reports (what decides the fast paths).
SPEED_FLAGS = ("avx2", "avx512f", "avx512_bf16", "amx_tile", "amx_bf16")


def cpu_flags():
    """The :data:`SPEED_FLAGS` this CPU has (``/proc/cpuinfo``), or None."""
    try:
        with open("/proc/cpuinfo") as f:
            line = next(x for x in f if x.startswith("flags"))
    except (OSError, StopIteration):
        return None
    have = set(line.split(":", 1)[1].split())
    return [flag for flag in SPEED_FLAGS if flag in have]


def movie_review_sentences(path):
    """Sentences of NLTK's movie_reviews (one per line of its tokenized
    files), each labelled with its review's label, and the review each came
    from (to split by review: no review's sentences on both sides)."""
    import zipfile

    texts, labels, groups = [], [], []
    with zipfile.ZipFile(path) as archive:
        names = sorted(n for n in archive.namelist()
                       if n.endswith(".txt") and ("/pos/" in n or "/neg/" in n))
        for doc, name in enumerate(names):
            label = "pos" if "/pos/" in name else "neg"
            for line in archive.read(name).decode("utf-8", "replace").splitlines():
                if line.strip():
                    texts.append(line.strip())
                    labels.append(label)
                    groups.append(doc)
    return texts, np.asarray(labels), np.asarray(groups)


def speed_dataset(name, texts_train, labels_train, texts_valid, labels_valid):
    """Token ids (one TextVectorizer fit) and what the floor loop needs."""
    vectorizer = TextVectorizer()
    ids_train = vectorizer.fit_transform(list(texts_train))
    ids_valid = vectorizer.transform(list(texts_valid))
    len_train = (np.asarray(ids_train) != 0).sum(axis=1).astype(np.int64)
    len_valid = (np.asarray(ids_valid) != 0).sum(axis=1).astype(np.int64)
    encoder = LabelEncoder().fit(labels_train)
    return {
        "name": name, "ids_train": ids_train, "ids_valid": ids_valid,
        "labels_train": np.asarray(labels_train), "labels_valid": np.asarray(labels_valid),
        "y_train": encoder.transform(labels_train).astype(np.int64),
        "y_valid": encoder.transform(labels_valid).astype(np.int64),
        "len_train": len_train, "len_valid": len_valid,
        "tokens_train": int(len_train.sum()),
        "n_vocab": len(vectorizer.vocabulary_), "T": vectorizer.maxlen_,
    }


def speed_datasets(args):
    """IMDB (long documents) and movie-review sentences (short ones)."""
    texts, labels = load_imdb(data_home=args.data, return_X_y=True)
    n = args.n_train + args.n_valid
    texts, labels = list(texts[:n]), np.asarray(labels[:n])
    imdb = speed_dataset("IMDB reviews", texts[:args.n_train], labels[:args.n_train],
                         texts[args.n_train:], labels[args.n_train:])
    sentences, s_labels, groups = movie_review_sentences(MOVIE_REVIEWS_ZIP)
    # reviews, not sentences, are drawn for the held-out part
    held = np.random.default_rng(0).permutation(groups.max() + 1)[:200]
    valid = np.isin(groups, held)
    train_rows = np.flatnonzero(~valid)
    if args.n_sentences:
        train_rows = train_rows[np.random.default_rng(0).permutation(
            len(train_rows))[:args.n_sentences]]
    short = speed_dataset(
        "movie-review sentences", [sentences[i] for i in train_rows], s_labels[train_rows],
        [sentences[i] for i in np.flatnonzero(valid)], s_labels[valid])
    return [imdb, short]


#: The rows of ours in the speed study: (method, label, classifier kwargs).
#: ``optimizer__foreach=False`` is PyTorch's single-tensor Adam, the CPU
#: default before the classifiers chose the step (the old default).
SPEED_VARIANTS = (
    ("ours_single", "ours, single-tensor Adam, float32 (the old default)",
     {"precision": "float32", "optimizer__foreach": False}),
    ("ours_fused", "ours, fused Adam, float32", {"precision": "float32"}),
    ("ours_fused_bf16", "ours, fused Adam, bf16 autocast", {"precision": "bf16"}),
)


def run_ours_speed(method, label, data, cfg, ngram, **kwargs):
    """One speed row of ours: training tokens/s, prediction docs/s, accuracy."""
    clf = LSTMSentimentClassifier(
        max_epochs=cfg.epochs, batch_size=cfg.batch_size, device=cfg.device,
        early_stopping=False, ngram_range=(1, 2) if ngram else None, random_state=0,
        **kwargs)
    with warnings.catch_warnings():
        # a few held-out sentences hold no known token: said once, not per row
        warnings.simplefilter("ignore", UserWarning)
        return _ours_speed(clf, method, label, data, cfg, ngram)


def _ours_speed(clf, method, label, data, cfg, ngram):
    t0 = time.perf_counter()
    clf.fit(data["ids_train"], data["labels_train"])
    fit_s = time.perf_counter() - t0
    predict_s, proba = best_time(lambda: clf.predict_proba(data["ids_valid"]), 2,
                                 cfg.device)
    extra = {}
    if clf.precision != "float32":  # the same weights predicting in float32
        fast_s, fast = predict_s, proba
        clf.set_params(precision="float32")
        predict_s, proba = best_time(lambda: clf.predict_proba(data["ids_valid"]), 2,
                                     cfg.device)
        if not np.array_equal(fast, proba):
            diff = np.abs(fast - proba)
            extra = {"proba_max_diff_vs_float32": float(diff.max()),
                     "proba_p99_diff_vs_float32": float(np.quantile(diff, 0.99)),
                     "predict_bf16_docs_per_s": len(fast) / fast_s,
                     "valid_acc_bf16_prediction": float(np.mean(
                         clf.classes_[fast.argmax(axis=1)] == data["labels_valid"]))}
    durations = [float(d) for d in clf.history_[:, "dur"]]
    s_per_epoch = float(np.mean(durations))
    optimizer = clf.net_.optimizer_.defaults
    return {
        "method": method + ("_ngram" if ngram else ""),
        "label": label + (", n-gram path on" if ngram else ""),
        "dataset": data["name"], "precision": clf.precision_,
        "adam_step": ("fused" if optimizer.get("fused") else "foreach"
                      if optimizer.get("foreach") else "single-tensor"),
        "s_per_epoch": s_per_epoch, "fit_s": fit_s, "epoch_s": durations,
        "tokens_per_s": data["tokens_train"] / s_per_epoch,
        "train_docs_per_s": len(data["y_train"]) / s_per_epoch,
        "predict_docs_per_s": len(proba) / predict_s,  # float32, exact
        "valid_acc": float(np.mean(clf.classes_[proba.argmax(axis=1)]
                                   == data["labels_valid"])),
        **extra,
    }


def run_floor_speed(data, cfg):
    """The hand-written floor loop (:func:`run_floor`) as a speed row."""
    r = run_floor("lstm", "floor", "floor loop (plain Adam, float32, prebuilt batches)",
                  data, cfg)
    return {
        "method": "floor", "label": r["label"], "dataset": data["name"],
        "precision": "float32", "adam_step": "single-tensor",
        "s_per_epoch": r["s_per_epoch"], "fit_s": r["fit_s"], "epoch_s": r["epoch_s"],
        "tokens_per_s": data["tokens_train"] / r["s_per_epoch"],
        "train_docs_per_s": len(data["y_train"]) / r["s_per_epoch"],
        "predict_docs_per_s": r["predict_reviews_per_s"], "valid_acc": r["valid_acc"],
    }


def adam_step_times(data, cfg, repeats=20):
    """Median seconds of one Adam step over the default model's parameters
    (n-gram path on, IMDB's vocabulary): single-tensor, foreach, fused."""
    from sklearn_rnn._nn._speed import foreach_supported, fused_adam_supported

    clf = LSTMSentimentClassifier(max_epochs=1, early_stopping=False, random_state=0,
                                  device=cfg.device)
    clf.fit(data["ids_valid"][:64], data["labels_valid"][:64])  # builds the net
    params = [p for p in clf.net_.module_.parameters() if p.requires_grad]
    out = {"n_parameters": int(sum(p.numel() for p in params))}
    kinds = {"single-tensor": {"foreach": False}}
    if foreach_supported(cfg.device):
        kinds["foreach"] = {"foreach": True}
    if fused_adam_supported(cfg.device):
        kinds["fused"] = {"fused": True}
    for name, kwargs in kinds.items():
        copies = [torch.nn.Parameter(p.detach().clone()) for p in params]
        for p in copies:
            p.grad = torch.randn_like(p) * 1e-3
        optimizer = torch.optim.Adam(copies, lr=1e-3, **kwargs)
        optimizer.step()  # the moments exist from here
        times = []
        for _ in range(repeats):
            sync(cfg.device)
            t0 = time.perf_counter()
            optimizer.step()
            sync(cfg.device)
            times.append(time.perf_counter() - t0)
        out[name] = float(np.median(times))
    return out


def speed_study(args):
    """The ``--speed`` study: rows, Adam step times, machine; writes JSON and
    Markdown."""
    from sklearn_rnn._nn._speed import cpu_has_native_bf16, resolve_precision

    out = Path(args.out) if args.out else RESULTS / "benchmark_speed"
    datasets = speed_datasets(args)
    warm_up(args)
    rows = []
    for data in datasets:
        print(f"{data['name']}: {len(data['y_train']):,} training documents "
              f"({data['tokens_train']:,} tokens), {len(data['y_valid']):,} held out",
              flush=True)
        runs = [("floor", lambda d=data: run_floor_speed(d, args))]
        runs += [(m, lambda d=data, m=m, lab=lab, kw=kw: run_ours_speed(
            m, lab, d, args, ngram=False, **kw)) for m, lab, kw in SPEED_VARIANTS]
        if data is datasets[1] or args.ngram_rows:  # the library's default network too
            runs += [(m + "_ngram", lambda d=data, m=m, lab=lab, kw=kw: run_ours_speed(
                m, lab, d, args, ngram=True, **kw))
                for m, lab, kw in SPEED_VARIANTS if m != "ours_fused"]
        for method, run in runs:
            print(f"  {method} ...", flush=True)
            r = run()
            rows.append(r)
            print(f"    {r['tokens_per_s']:,.0f} tokens/s, {r['s_per_epoch']:.2f} s/epoch, "
                  f"predict {r['predict_docs_per_s']:,.0f} docs/s, "
                  f"acc {100 * r['valid_acc']:.2f}", flush=True)
    for r in rows:
        same = {x["method"]: x for x in rows if x["dataset"] == r["dataset"]}
        r["vs_floor"] = r["tokens_per_s"] / same["floor"]["tokens_per_s"]
        base = same.get("ours_single_ngram" if r["method"].endswith("_ngram")
                        else "ours_single")
        r["acc_vs_single_points"] = (None if base is None
                                     else 100 * (r["valid_acc"] - base["valid_acc"]))
    print("timing one Adam step ...", flush=True)
    adam = adam_step_times(datasets[0], args)
    result = {
        "setup": {"epochs": args.epochs, "batch_size": args.batch_size,
                  "n_train": args.n_train, "n_valid": args.n_valid,
                  "n_sentences": args.n_sentences, "quick": args.quick,
                  "device": args.device,
                  "datasets": [{k: d[k] for k in ("name", "tokens_train", "n_vocab", "T")}
                               | {"n_train": len(d["y_train"]),
                                  "n_valid": len(d["y_valid"])} for d in datasets]},
        "machine": {**machine_info(args), "cpu_flags": cpu_flags(),
                    "torch_cpu_capability": torch.backends.cpu.get_cpu_capability(),
                    "native_bf16": cpu_has_native_bf16(),
                    "auto_precision": resolve_precision("auto", args.device)},
        "rows": rows, "adam_step_s": adam,
    }
    result["targets"] = speed_targets(result)
    report = speed_markdown(result)
    print()
    print(report)
    out.parent.mkdir(parents=True, exist_ok=True)
    Path(f"{out}.json").write_text(json.dumps(result, indent=2, default=str))
    Path(f"{out}.md").write_text(report)
    print(f"wrote {out}.json and {out}.md")
    return result


def speed_targets(result):
    """Issue 30's targets, from the rows of one run."""
    rows = result["rows"]
    targets = []
    for dataset, threshold in (("IMDB reviews", 1.5), ("movie-review sentences", 2.0)):
        same = [r for r in rows if r["dataset"] == dataset and r["method"] != "floor"]
        # the fastest of ours whose accuracy holds (within 0.3 points of the old default)
        held = [r for r in same if r["acc_vs_single_points"] is not None
                and r["acc_vs_single_points"] >= -0.3]
        best = max(held, key=lambda r: r["vs_floor"], default=None)
        targets.append({
            "target": f"training tokens/s / floor loop, {dataset}",
            "measured": None if best is None else best["vs_floor"], "threshold": threshold,
            "passed": None if best is None else best["vs_floor"] >= threshold,
            "note": "" if best is None else f"{best['label']} (accuracy "
            f"{best['acc_vs_single_points']:+.2f} points vs the old default)"})
    imdb = {r["method"]: r for r in rows if r["dataset"] == "IMDB reviews"}
    threads = f"{result['machine']['torch_threads']} torch threads"
    exact = max((r["predict_docs_per_s"] for m, r in imdb.items()
                 if m.startswith("ours")), default=None)
    targets.append({"target": "prediction, IMDB reviews/s (float32, exact)",
                    "measured": exact, "threshold": 3000,
                    "passed": None if exact is None else exact >= 3000, "note": threads})
    fast = max((r["predict_bf16_docs_per_s"] for r in imdb.values()
                if "predict_bf16_docs_per_s" in r), default=None)
    targets.append({"target": "prediction, IMDB reviews/s (precision='bf16')",
                    "measured": fast, "threshold": 3000,
                    "passed": None if fast is None else fast >= 3000, "note": threads})
    diffs = [r["proba_max_diff_vs_float32"] for r in rows
             if "proba_max_diff_vs_float32" in r]
    targets.append({"target": "bf16 prediction: largest probability difference from float32",
                    "measured": max(diffs, default=None), "threshold": 1e-3,
                    "passed": None if not diffs else max(diffs) <= 1e-3,
                    "note": "same weights, predicted with and without autocast",
                    "lower_is_better": True})
    return targets


def speed_markdown(result):
    setup, m = result["setup"], result["machine"]
    lines = [
        "# sklearn_rnn speed study (`benchmark.py --speed`)", "",
        f"Machine: {m['label'] + ': ' if m['label'] else ''}{m['cpu']} "
        f"({m['cpus_available']} CPUs available, {m['torch_threads']} torch threads); "
        f"CPU flags: {', '.join(m['cpu_flags'] or []) or '?'} (torch capability "
        f"{m['torch_cpu_capability']}; native bf16: {m['native_bf16']}; "
        f"precision='auto' resolves to {m['auto_precision']!r}); torch {m['torch']}, "
        f"skorch {m['skorch']}.", "",
        f"Model: the benchmark's LSTM (embedding 128, LSTM 128, max pooling, lr 3e-3, "
        f"clip 1.0, batch {setup['batch_size']}), {setup['epochs']} epoch(s), "
        "early stopping off; rows without the n-gram path are the floor loop's "
        "network.", "",
    ]
    for d in setup["datasets"]:
        lines.append(f"- {d['name']}: {d['n_train']:,} training documents "
                     f"({d['tokens_train']:,} tokens), {d['n_valid']:,} held out, "
                     f"{d['n_vocab']:,} ids.")
    lines += ["", "| dataset | method | Adam step | precision | train tokens/s "
              "| train docs/s | ÷ floor | predict docs/s | bf16 predict docs/s (max Δp) "
              "| held-out acc | Δ acc (points) |",
              "|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in result["rows"]:
        delta = r["acc_vs_single_points"]
        fast = ("—" if "predict_bf16_docs_per_s" not in r else
                f"{r['predict_bf16_docs_per_s']:,.0f} ({r['proba_max_diff_vs_float32']:.1e})")
        lines.append(
            f"| {r['dataset']} | {r['label']} | {r['adam_step']} | {r['precision']} "
            f"| {r['tokens_per_s']:,.0f} | {r['train_docs_per_s']:,.0f} "
            f"| {r['vs_floor']:.2f}x | {r['predict_docs_per_s']:,.0f} | {fast} "
            f"| {100 * r['valid_acc']:.2f}% | {_fmt(delta, '+.2f')} |")
    lines += [
        "",
        "Tokens/s and docs/s: training documents (their real tokens) over the mean "
        "epoch time. Predict: `predict_proba` on the held-out documents in float32 "
        "(exact; what `precision='auto'` does), best of 2; bf16 predict: the same "
        "weights with `precision='bf16'` (autocast), and the largest difference in "
        "probability from float32. Held-out accuracy from the float32 prediction; "
        "Δ acc: minus the single-tensor float32 row of the same network.", "",
    ]
    adam = result["adam_step_s"]
    lines += [f"One Adam step over the default model's {adam['n_parameters']:,} "
              "parameters (n-gram path on, IMDB vocabulary), median of 20:", "",
              "| step | ms | speed-up |", "|---|---:|---:|"]
    for name in ("single-tensor", "foreach", "fused"):
        if name in adam:
            lines.append(f"| {name} | {1000 * adam[name]:.2f} "
                         f"| {adam['single-tensor'] / adam[name]:.2f}x |")
    lines += ["", "Targets:", "", "| target | measured | threshold | result |",
              "|---|---:|---:|---|"]
    for t in result["targets"]:
        verdict = {True: "pass", False: "FAIL", None: "n/a"}[t["passed"]]
        if t["note"]:
            verdict += f" ({t['note']})"
        sign = "<=" if t.get("lower_is_better") else ">="
        lines.append(f"| {t['target']} | {_fmt(t['measured'], ',.4g')} "
                     f"| {sign} {t['threshold']:,} | {verdict} |")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------- #
# main
# ---------------------------------------------------------------------- #
def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(IMDB_ARCHIVE) if IMDB_ARCHIVE.exists()
                        else None,
                        help="aclImdb folder or .tar.gz (default: "
                        "../shared/datasets/imdb/aclImdb_train.tar.gz if present, else "
                        "load_imdb's own lookup)")
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--n-train", type=int, default=20000)
    parser.add_argument("--n-valid", type=int, default=5000)
    parser.add_argument("--maxlen", type=int, default=None,
                        help="token ids per review (default: the longest review)")
    parser.add_argument("--packed-limit", type=int, default=None,
                        help="time the packed skorch wrap on this many reviews "
                        "(default 2000 on cpu, all on cuda; 0 = all)")
    parser.add_argument("--packed-epochs", type=int, default=None,
                        help="epochs of the packed wrap (default: 1 when limited to "
                        "a subset, else --epochs)")
    parser.add_argument("--vectorizer-repeats", type=int, default=3)
    parser.add_argument("--skip", default="",
                        help="comma-separated methods to skip, of: "
                        + ", ".join(METHODS))
    parser.add_argument("--threads", type=int, default=None,
                        help="torch.set_num_threads and the BLAS thread limit")
    parser.add_argument("--machine-label", default="",
                        help="a name for the machine, kept in the results")
    parser.add_argument("--speed", action="store_true",
                        help="run the speed study instead (optimizer step, bf16, "
                        "prediction; IMDB and movie-review sentences): writes "
                        "benchmarks/results/benchmark_speed.{json,md}")
    parser.add_argument("--quick", action="store_true",
                        help="with --speed: 4,000 + 1,000 IMDB reviews, 10,000 "
                        "sentences, 1 epoch (a check under load; figures mean little)")
    parser.add_argument("--n-sentences", type=int, default=20000,
                        help="with --speed: training sentences, drawn from those of "
                        "1,800 reviews (the other 200 reviews' are held out); 0: all")
    parser.add_argument("--ngram-rows", action="store_true",
                        help="with --speed: rows of the n-gram network on IMDB too "
                        "(always on the sentences)")
    parser.add_argument("--out", default=None,
                        help="path of the results without extension (default "
                        "benchmarks/results/benchmark_<device>)")
    args = parser.parse_args(argv)
    args.skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    unknown = args.skip - set(METHODS)
    if unknown:
        parser.error(f"--skip got unknown methods {sorted(unknown)}; "
                     f"choose from {', '.join(METHODS)}")
    if args.device == "cuda" and not torch.cuda.is_available():
        parser.error("--device cuda but torch.cuda.is_available() is False")
    if args.speed:
        given = set(argv if argv is not None else sys.argv[1:])
        if "--epochs" not in given:
            args.epochs = 1 if args.quick else 2
        if args.quick:
            args.n_train = 4000 if "--n-train" not in given else args.n_train
            args.n_valid = 1000 if "--n-valid" not in given else args.n_valid
            args.n_sentences = 10000 if "--n-sentences" not in given else args.n_sentences
    if args.packed_limit is None:
        args.packed_limit = 2000 if args.device == "cpu" else 0
    return args


def main(argv=None):
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    # the model every method trains: our defaults, read from the classifier
    defaults = LSTMSentimentClassifier()
    args.embedding_dim = defaults.embedding_dim
    args.hidden_size = defaults.hidden_size
    args.pooling = defaults.pooling
    args.lr = defaults.lr
    args.clip = defaults.clip_grad_norm
    if args.speed:
        with threadpool_limits(limits=args.threads):
            return speed_study(args)
    out = Path(args.out) if args.out else RESULTS / f"benchmark_{args.device}"

    with threadpool_limits(limits=args.threads):
        data = prepare_data(args)
        print(f"loaded {len(data['y_train']):,} + {len(data['y_valid']):,} reviews in "
              f"{data['load_s']:.1f} s; ids {data['ids_train'].shape} "
              f"{data['ids_train'].dtype}, {data['n_vocab']:,} ids", flush=True)
        warm_up(args)

        runners = {
            "tfidf": lambda: run_tfidf(data, args),
            "floor": lambda: run_floor("lstm", "floor", "floor loop (LSTM, prebuilt "
                                       "bucketed batches)", data, args),
            "floor_onthefly": lambda: run_floor(
                "lstm", "floor_onthefly", "floor loop (LSTM), batches built each step",
                data,
                args, prebuilt=False),
            "lstm": lambda: run_ours(LSTMSentimentClassifier, "lstm",
                                     "ours: LSTMSentimentClassifier", data, args),
            "floor_rnn": lambda: run_floor(
                "rnn", "floor_rnn", "floor loop (RNN, prebuilt bucketed batches)",
                data, args),
            "rnn": lambda: run_ours(RNNSentimentClassifier, "rnn",
                                    "ours: RNNSentimentClassifier", data, args),
            "tutorial": lambda: run_tutorial(data, args),
            "packed": lambda: run_packed(data, args),
        }
        rows = []
        for method, run in runners.items():
            if method in args.skip:
                continue
            print(f"running {method} ...", flush=True)
            rows.append(run())
            r = rows[-1]
            print(f"  s/epoch {_fmt(r['s_per_epoch'], '.3f')}, fit {r['fit_s']:.1f} s, "
                  f"predict {r['predict_reviews_per_s']:,.0f} reviews/s, "
                  f"acc {r['valid_acc']:.3f}", flush=True)
        vectorizers = None
        if "vectorizers" not in args.skip:
            print("timing the vectorizers ...", flush=True)
            vectorizers = run_vectorizers(data, args)

    add_ratios(rows)
    setup = {k: v for k, v in vars(args).items() if k != "skip"}
    setup |= {"skip": sorted(args.skip), "T": int(data["T"]),
              "n_vocab": data["n_vocab"], "load_s": data["load_s"]}
    with PeakMemory(args.device) as probe:  # which way peak memory was measured
        pass
    setup["memory_method"] = probe.method
    result = {"setup": setup, "machine": machine_info(args), "rows": rows,
              "vectorizers": vectorizers}
    result["targets"] = check_targets(rows, vectorizers, args)
    report = markdown(result)
    print()
    print(report)
    out.parent.mkdir(parents=True, exist_ok=True)
    json_path, md_path = Path(f"{out}.json"), Path(f"{out}.md")
    json_path.write_text(json.dumps(result, indent=2, default=str))
    md_path.write_text(report)
    print(f"wrote {json_path} and {md_path}")
    return result


if __name__ == "__main__":
    main()
