"""Length-bucket batches of token ids, read where the ids already lie.

Shapes: ``N`` documents, ``T`` positions of a padded array, ``B`` documents
in a batch, ``W`` a bucket width.

Every document is padded to the fixed width of its own length bucket
(:func:`~sklearn_rnn._text._ids.bucket_width`, the smallest boundary >= its
length), in training and prediction alike, so its output depends on the
document alone, whatever the batch. Batches are drawn within a bucket,
shuffled across buckets in training (where each bucket's last, partly filled
batch is pooled with those of similar width, and where labels that follow
lengths get batches mixed from two buckets, see :class:`BucketIterator`).
This keeps the cuDNN/oneDNN fused kernels: no ``pack_padded_sequence``
(``benchmarks/results/benchmark_cpu.md``: packing is an order of magnitude
slower for the same accuracy).

:func:`to_dataset` reads what the text layer made, without converting it: a
pre-padded :class:`~sklearn_rnn.TokenArray`'s bucket of width ``W`` is its
last ``W`` columns, post-padded rows are gathered by position, and
:class:`~sklearn_rnn.RaggedTokens` are read from their flat buffer. Each
bucket is materialised once as a padded ``(n_W, W)`` tensor on the training
device when an iterator is made, so an epoch only slices and gathers tensors
that are already in place.
"""

import numpy as np
import torch

from .._text._ids import RaggedTokens, bucket_width, document_spans

__all__ = ["SequenceDataset", "BucketIterator", "to_dataset"]


class SequenceDataset(torch.utils.data.Dataset):
    """Documents sorted by length bucket, read from their ids where they lie.

    Use :func:`to_dataset` to build one. Document ``k`` (in bucket order) is
    row ``order[k]`` of the caller's data; its ``lengths[k]`` ids start at
    ``starts[k]``: a column of ``source[order[k]]`` when ``source`` is a
    padded ``(N, T)`` array, an offset into ``source`` when it is a flat
    buffer of all documents' ids.

    Parameters
    ----------
    source : ndarray of shape (N, T) or (n,)
        The ids, never copied.
    starts, lengths : ndarray of shape (N,)
    y : ndarray of shape (N,), default=None
        Encoded labels.
    order : ndarray of shape (N,), default=None
        Row of each document in the caller's data (``arange(N)`` by default).
    weights : ndarray of shape (N,), default=None
        Loss weight of each document (sample and class weights).
    widths : ndarray of shape (N,), default=None
        Bucket widths, when already known.
    soft : ndarray of shape (N, C), default=None
        Soft targets (class probabilities) of each document, for
        distillation; encoded label -1 in ``y`` marks a document with soft
        targets only.
    """

    def __init__(self, source, starts, lengths, y=None, order=None, weights=None,
                 widths=None, soft=None):
        widths = bucket_width(lengths) if widths is None else widths
        sort = np.argsort(widths, kind="stable")
        self.source = source
        self.starts = np.asarray(starts, dtype=np.int64)[sort]
        self.lengths = np.asarray(lengths, dtype=np.int64)[sort]
        self.widths = widths[sort]
        self.y = None if y is None else np.asarray(y)[sort]
        self.order = sort if order is None else np.asarray(order)[sort]
        self.weights = None if weights is None else np.asarray(weights, np.float32)[sort]
        self.soft = None if soft is None else np.asarray(soft, np.float32)[sort]

    def subset(self, indices):
        """Return the documents at positions ``indices`` (in this dataset's
        order) as a new dataset over the same ids, re-sorted by bucket."""
        indices = np.asarray(indices, dtype=np.int64)
        return SequenceDataset(
            self.source, self.starts[indices], self.lengths[indices],
            y=None if self.y is None else self.y[indices], order=self.order[indices],
            weights=None if self.weights is None else self.weights[indices],
            widths=self.widths[indices],
            soft=None if self.soft is None else self.soft[indices],
        )

    def __len__(self):
        return len(self.lengths)

    def __getitem__(self, i):
        w = int(self.widths[i])
        ids = self.padded(np.array([i]), w)[0]
        X = {"ids": torch.as_tensor(ids), "lengths": torch.as_tensor(self.lengths[i])}
        return X, (None if self.y is None else self.y[i])

    def padded(self, positions, width):
        """Pre-padded ``(len(positions), width)`` int64 ids of some documents."""
        starts = self.starts[positions]
        lengths = self.lengths[positions]
        if self.source.ndim == 2:
            rows = self.order[positions]
            t = self.source.shape[1]
            if (starts + lengths == t).all():
                # pre-padded rows: the bucket is their last ``width`` columns
                if width <= t:
                    return self.source[rows, t - width:].astype(np.int64)
                out = np.zeros((len(rows), width), dtype=np.int64)
                out[:, width - t:] = self.source[rows]
                return out
        offset = np.arange(width)[None, :] - (width - lengths)[:, None]
        valid = offset >= 0
        index = np.where(valid, starts[:, None] + offset, 0)
        if self.source.size == 0:
            return np.zeros((len(positions), width), dtype=np.int64)
        if self.source.ndim == 2:
            return np.where(valid, self.source[rows[:, None], index], 0).astype(np.int64)
        return np.where(valid, self.source[index], 0).astype(np.int64)

    def buckets(self):
        """Yield ``(width, start, stop)`` for each run of equal width."""
        if len(self) == 0:
            return
        cuts = np.flatnonzero(np.diff(self.widths)) + 1
        bounds = np.concatenate(([0], cuts, [len(self)]))
        for a, b in zip(bounds[:-1], bounds[1:], strict=True):
            yield int(self.widths[a]), int(a), int(b)


def to_dataset(X, y=None, *, weights=None, soft=None):
    """The documents of token ids ``X`` as a :class:`SequenceDataset`.

    A :class:`~sklearn_rnn.TokenArray` gives its real tokens by its
    ``lengths`` and ``padding``; :class:`~sklearn_rnn.RaggedTokens` by their
    lengths; a plain array has its padding (id 0) stripped from both ends of
    every row, so pre- and post-padded rows give the same documents (zeros
    inside a document are kept).

    Parameters
    ----------
    X : ndarray of shape (N, T), TokenArray or RaggedTokens
        Non-negative integer ids (checked by the caller).
    y : ndarray of shape (N,), default=None
        Encoded labels.
    weights : ndarray of shape (N,), default=None
        Loss weight of each document.
    soft : ndarray of shape (N, C), default=None
        Soft targets of each document.

    Returns
    -------
    dataset : SequenceDataset

    Examples
    --------
    >>> import numpy as np
    >>> data = to_dataset(np.array([[0, 0, 5], [4, 6, 0]]))
    >>> data.lengths.tolist(), data.order.tolist()
    ([1, 2], [0, 1])
    """
    if isinstance(X, RaggedTokens):  # the ids are already without padding
        return SequenceDataset(X.flat, X.starts, X.lengths, y=y, weights=weights, soft=soft)
    lengths, padding = getattr(X, "lengths", None), getattr(X, "padding", None)
    X = np.asarray(X)
    n, t = X.shape
    if lengths is None:
        first, lengths = document_spans(X)
    else:
        lengths = np.asarray(lengths, dtype=np.int64)
        if lengths.shape != (n,) or (n and (lengths.min() < 0 or lengths.max() > t)):
            raise ValueError(
                f"lengths must give 0 to {t} real tokens for each of the {n} rows."
            )
        first = t - lengths if padding == "pre" else np.zeros(n, dtype=np.int64)
    return SequenceDataset(X, first, lengths, y=y, weights=weights, soft=soft)


class BucketIterator:
    """Batches of equal-width documents, built once on ``device``.

    Each ``__iter__`` is one pass. Without ``shuffle`` (validation,
    prediction) every batch holds documents of one bucket, in the dataset's
    order, so outputs line up with ``dataset.order`` and each document is
    padded to its own bucket's width. With ``shuffle`` (training) documents are
    shuffled within their bucket and batches across buckets; each bucket's
    last, partly filled batch is pooled with the leftovers of buckets at most
    ``1.25`` times as wide (a full step for a few documents would be slow; a
    leftover never gets more than 25% extra padding).

    When lengths and labels go together (short documents of one class, long
    ones of another), batches drawn within buckets hold one class each and
    the optimizer swings from class to class. ``mix='auto'`` checks the
    training plan for that: when its share of single-class batches is 10
    points above what random batches of the same sizes would give, every step
    takes two half batches from two different buckets instead, each still
    read at its own width (one tensor padded to the wider, with ``widths``
    telling the module where each row really starts).

    Yields ``({'ids': (B, W) int64, 'lengths': (B,) int64[, 'widths': (B,)]
    [, 'weights': (B,)][, 'soft': (B, C)]}, y (B,) or None)``.

    Parameters
    ----------
    dataset : SequenceDataset
    batch_size : int
    shuffle : bool, default=False
    seed : int, default=None
    device : str or torch.device, default='cpu'
    mix : {'auto', True, False}, default='auto'
        Training only: pair half batches of different buckets.
    """

    #: Pooled leftovers span at most this ratio of widths.
    POOL_RATIO = 1.25

    def __init__(self, dataset, batch_size, *, shuffle=False, seed=None, device="cpu",
                 mix="auto"):
        self.dataset = dataset
        self.batch_size = max(int(batch_size), 1)
        self.shuffle = shuffle
        self.rng = np.random.default_rng(seed)
        self.device = torch.device(device)
        self._buckets = []
        y, weights, soft = dataset.y, dataset.weights, dataset.soft
        for width, a, b in dataset.buckets():
            positions = np.arange(a, b)
            ids = torch.as_tensor(dataset.padded(positions, width)).to(self.device)
            lengths = torch.as_tensor(dataset.lengths[a:b]).to(self.device)
            yb = None if y is None else torch.as_tensor(y[a:b]).to(self.device)
            wb = None if weights is None else torch.as_tensor(weights[a:b]).to(self.device)
            sb = None if soft is None else torch.as_tensor(soft[a:b]).to(self.device)
            self._buckets.append((ids, lengths, yb, wb, sb))
        self.mix = bool(shuffle and y is not None and (
            mix is True or (mix == "auto" and self._labels_follow_lengths())))

    def _labels_follow_lengths(self):
        """Would batches drawn within buckets be single-class far more often
        than random batches of the same sizes?"""
        plan = self._plan(np.random.default_rng(0), self.batch_size)
        classes, counts = np.unique(self.dataset.y, return_counts=True)
        if len(classes) < 2 or not plan:
            return False
        share = counts / counts.sum()
        single = expected = 0.0
        for parts in plan:
            labels = np.concatenate([self._buckets[k][2][index].cpu().numpy()
                                     for k, index in parts])
            single += len(np.unique(labels)) == 1
            expected += float(np.sum(share ** len(labels)))
        return (single - expected) / len(plan) > 0.10

    def __len__(self):
        if not self.shuffle:
            bs = self.batch_size
            return sum(-(-len(b[1]) // bs) for b in self._buckets)
        plan = self._plan(np.random.default_rng(0), self._part_size())
        return len(self._pairs(plan)) if self.mix else len(plan)

    def _part_size(self):
        return -(-self.batch_size // 2) if self.mix else self.batch_size

    def _plan(self, rng, bs):
        """Training batches as lists of ``(bucket, index)`` parts, in random order."""
        plan, leftovers = [], []
        for k, (_, lengths, *_) in enumerate(self._buckets):
            perm = torch.as_tensor(rng.permutation(len(lengths))).to(self.device)
            n_full = len(lengths) // bs * bs
            plan += [[(k, perm[a : a + bs])] for a in range(0, n_full, bs)]
            if n_full < len(lengths):
                leftovers.append((k, perm[n_full:]))
        # leftovers in width order, pooled while the widest stays close to the
        # narrowest (each group is padded to its widest member)
        group, size, start = [], 0, None
        for k, index in leftovers:
            width = self._buckets[k][0].shape[1]
            if group and width > self.POOL_RATIO * start:
                plan.append(group)
                group, size = [], 0
            if not group:
                start = width
            while len(index):
                take = index[: bs - size]
                group.append((k, take))
                size += len(take)
                index = index[len(take):]
                if size == bs:
                    plan.append(group)
                    group, size = [], 0
                    start = width
        if group:
            plan.append(group)
        return [plan[i] for i in rng.permutation(len(plan))]

    def __iter__(self):
        bs = self.batch_size
        if not self.shuffle:
            for k, (_, lengths, *_) in enumerate(self._buckets):
                for a in range(0, len(lengths), bs):
                    yield self._gather([(k, slice(a, a + bs))])
            return
        plan = self._plan(self.rng, self._part_size())
        if not self.mix:
            for parts in plan:
                yield self._gather(parts)
            return
        for pair in self._pairs(plan):
            halves = [self._gather(parts) for parts in pair]
            width = max(X["ids"].shape[1] for X, _ in halves)
            pad = torch.nn.functional.pad
            X = {
                "ids": torch.cat([pad(X["ids"], (width - X["ids"].shape[1], 0))
                                  for X, _ in halves]),
                "lengths": torch.cat([X["lengths"] for X, _ in halves]),
                "widths": torch.cat([torch.full_like(X["lengths"], X["ids"].shape[1])
                                     for X, _ in halves]),
            }
            for key in ("weights", "soft"):
                if key in halves[0][0]:
                    X[key] = torch.cat([X[key] for X, _ in halves])
            yield X, torch.cat([y for _, y in halves])

    def _pairs(self, plan):
        """Pair half batches, each with one of another majority class when there
        is one (a random pair of one-class halves is one-class half the time)."""
        waiting, pairs = {}, []
        for parts in plan:
            labels = torch.cat([self._buckets[k][2][index] for k, index in parts])
            major = int(torch.mode(labels).values)
            others = [c for c, queue in waiting.items() if c != major and queue]
            if others:
                partner = waiting[max(others, key=lambda c: len(waiting[c]))].pop()
                pairs.append([partner, parts])
            else:
                waiting.setdefault(major, []).append(parts)
        rest = [parts for queue in waiting.values() for parts in queue]
        pairs += [rest[i: i + 2] for i in range(0, len(rest), 2)]
        return [pairs[i] for i in self.rng.permutation(len(pairs))]

    def _gather(self, parts):
        """Batch from ``[(bucket, index), ...]``, left-padded to the widest."""
        width = max(self._buckets[k][0].shape[1] for k, _ in parts)
        chunks = []
        for k, index in parts:
            ids, lengths, y, weights, soft = self._buckets[k]
            chunk = ids[index]
            if chunk.shape[1] < width:
                chunk = torch.nn.functional.pad(chunk, (width - chunk.shape[1], 0))
            chunks.append((chunk, lengths[index], None if y is None else y[index],
                           None if weights is None else weights[index],
                           None if soft is None else soft[index]))
        ids, lengths, y, weights, soft = (
            chunks[0] if len(chunks) == 1 else
            [None if c[0] is None else torch.cat(c) for c in zip(*chunks, strict=True)]
        )
        X = {"ids": ids, "lengths": lengths}
        if weights is not None:
            X["weights"] = weights
        if soft is not None:
            X["soft"] = soft
        return X, y
