"""Per-token attributions of :class:`~sklearn_rnn._nn._module.RecurrentClassifierModule`.

Shapes: ``B`` documents in a batch, ``W`` their bucket width, ``E``
embedding size, ``C`` classes, ``S`` integration steps.

What is explained is the target's *score*, a linear function of the logits
``z``: ``f_c = z_c - mean of z_j over the other classes j``. With two classes
it is the log-odds ``log(p_c / (1 - p_c))``; with more, the target's margin
over the average other class. Being linear in the logits, the model's two
additive paths split it exactly:

* the recurrent path (embeddings -> [conv] -> RNN -> pooling -> [dense] ->
  linear) by **integrated gradients** (Sundararajan et al., 2017) on the
  embedding output, from the baseline of the same document made of padding
  embeddings (zeros): ``IG_t = sum_e x_te * integral_0^1 df/dx_te(a x) da``.
  The integral is adaptive Gauss-Legendre quadrature (Captum's rule, with
  ``S`` nodes per interval), whose error is known exactly: an interval's
  shares must add up to ``f(c x) - f(a x)`` (completeness), computed by
  two forward passes. A document whose total misses is refined where it
  misses most. A trained LSTM's state can flip over a few hundredths of the
  path, where any fixed rule fails: at 16 fixed nodes half the reviews of an
  IMDB LSTM missed completeness by 9% or more (one in ten by 50%); the
  adaptive rule (2 nodes per interval, 2% tolerance) keeps all of them
  within 2%, at 24 gradient evaluations per review on average.
* the n-gram path (:class:`~sklearn_rnn._nn._module.NgramBag`), linear in
  its hashed n-gram indicators, **exactly**: each n-gram adds its table row
  times ``scale / sqrt(count)``, and that share is split evenly over its
  tokens. Its baseline (no n-gram) is 0.

Plain torch, in evaluation mode (no dropout). On CUDA the recurrent layer's
backward pass runs without cuDNN, which refuses it outside training mode.
"""

import contextlib

import numpy as np
import torch

from ._module import ngram_rows, pool

__all__ = ["DEFAULT_STEPS", "DEFAULT_TOLERANCE", "MAX_SPLITS", "attribute_batch",
           "attribute_dataset", "gauss_legendre", "score_directions"]

#: Gauss-Legendre nodes per interval of the path (see attribute_batch), and
#: the completeness gap (relative) the adaptive integral aims for, with at
#: most MAX_SPLITS interval halvings per document: chosen on IMDB LSTMs
#: against fixed rules of 16 to 64 nodes (benchmarks/results/explain.md).
DEFAULT_STEPS = 2
DEFAULT_TOLERANCE = 0.02
MAX_SPLITS = 16

#: Positions (``S x B x W``) in one backward pass: bounds the memory of the
#: recurrent layer's saved activations while keeping the batches large.
_POSITIONS_PER_PASS = 2**16


def gauss_legendre(n_steps):
    """Nodes and weights of the ``n_steps``-point Gauss-Legendre rule on [0, 1].

    Returns
    -------
    alphas, weights : ndarray of shape (S,)
    """
    nodes, weights = np.polynomial.legendre.leggauss(int(n_steps))
    return (nodes + 1) / 2, weights / 2


def score_directions(targets, n_classes):
    """``(B, C)`` rows ``v`` such that ``z @ v`` is the score ``f_c`` of the
    target class ``c`` of each row: 1 at ``c``, ``-1 / (C - 1)`` elsewhere."""
    v = torch.full((len(targets), n_classes), -1.0 / max(n_classes - 1, 1))
    v[torch.arange(len(targets)), targets] = 1.0
    return v


def _recurrent_logits(module, x, lengths):
    """Logits ``(B, C)`` of the recurrent path from embeddings ``x`` ``(B, W, E)``.

    ``RecurrentClassifierModule.forward`` after its embedding lookup and
    without the n-gram path (evaluation mode: dropout is the identity);
    ``tests/nn/test_attribution.py`` checks the two agree.
    """
    steps = lengths
    if module.conv is not None:
        x, steps = module.conv(x, lengths)
    out, _ = module.rnn(x)
    pooled = pool(out, steps, module.pooling, module.bidirectional)
    if module.dense is not None:
        pooled = module.dense(pooled)
    return module.classifier(pooled)


def _ngram_attributions(bag, ids, lengths, v):
    """Exact attributions ``(B, W)`` of the n-gram path to the scores, and its
    logits ``(B, C)``."""
    rows = ngram_rows(ids, lengths, bag.keys, bag.ngram_range, bag.buckets)  # (B, N)
    present = (rows != 0).to(bag.table.weight.dtype)
    count = present.sum(dim=1, keepdim=True).clamp(min=1.0)
    weights = present * (bag.scale / count.sqrt())  # (B, N)
    row_logits = bag.row_logits(rows)  # (B, N, C): linear in the rows, factorised or not
    logits = (row_logits * weights.unsqueeze(-1)).sum(dim=1)  # (B, C)
    share = (row_logits * v.unsqueeze(1)).sum(-1) * weights  # (B, N): each n-gram's
    B, W = ids.shape
    pad = bag.ngram_range[1] - 1
    attr = torch.zeros((B, W + pad), dtype=share.dtype, device=share.device)
    at = 0
    for n in range(bag.ngram_range[0], bag.ngram_range[1] + 1):
        # slot s of size n covers columns s .. s + n - 1 of the keys padded
        # with ``pad`` columns in front (ngram_rows' layout)
        width = W + pad - n + 1
        part = share[:, at:at + width] / n
        for j in range(n):
            attr[:, j:j + width] += part
        at += width
    return attr[:, pad:], logits


def _no_cudnn(device):
    # cuDNN's RNN backward refuses evaluation mode; the native kernels do not
    if torch.device(device).type == "cuda":
        return torch.backends.cudnn.flags(enabled=False)
    return contextlib.nullcontext()


def _integrate(module, emb, lengths, v, jobs, n_steps):
    """Gauss-Legendre integrals of the gradient over intervals of the path.

    Parameters
    ----------
    emb : torch.Tensor of shape (B, W, E)
    jobs : list of (int, float, float)
        ``(document, a, c)``: integrate over ``alpha`` in ``[a, c]``.

    Returns
    -------
    attributions : torch.Tensor of shape (J, W)
        Each job's share per token: ``x_t . integral_a^c grad f(alpha x) dalpha``.
        Its sum is the job's estimate of ``f(c x) - f(a x)``.
    """
    device, (_, W, E) = emb.device, emb.shape
    nodes, weights = (torch.as_tensor(t, dtype=emb.dtype, device=device)
                      for t in gauss_legendre(n_steps))
    rows = torch.as_tensor([b for b, _, _ in jobs], device=device)
    a = torch.as_tensor([j[1] for j in jobs], dtype=emb.dtype, device=device)
    c = torch.as_tensor([j[2] for j in jobs], dtype=emb.dtype, device=device)
    alphas = (a[:, None] + (c - a)[:, None] * nodes).reshape(-1)  # (J*S,) job-major
    scale = ((c - a)[:, None] * weights).reshape(-1)
    seq = rows.repeat_interleave(len(nodes))  # document of each sequence
    total = torch.zeros((len(jobs), W, E), dtype=emb.dtype, device=device)
    per_pass = max(1, _POSITIONS_PER_PASS // max(W, 1))
    with torch.enable_grad(), _no_cudnn(device):
        for k in range(0, len(seq), per_pass):
            part = slice(k, k + per_pass)
            x = (alphas[part, None, None] * emb[seq[part]]).requires_grad_()
            out = _recurrent_logits(module, x, lengths[seq[part]])  # (n, C)
            (grad,) = torch.autograd.grad((out * v[seq[part]]).sum(), x)
            job = torch.arange(k, k + len(x), device=device) // len(nodes)
            total.index_add_(0, job, scale[part, None, None] * grad)
    return (emb[rows] * total).sum(-1)


def _scores_at(module, emb, lengths, v, rows, alphas):
    """``f(alpha x)`` of the recurrent path for documents ``rows`` (no gradient)."""
    with torch.no_grad():
        x = torch.as_tensor(alphas, dtype=emb.dtype, device=emb.device)[:, None, None] \
            * emb[rows]
        return (_recurrent_logits(module, x, lengths[rows]) * v[rows]).sum(1)


def attribute_batch(module, ids, lengths, targets=None, *, n_steps=DEFAULT_STEPS,
                    tolerance=DEFAULT_TOLERANCE, max_splits=MAX_SPLITS):
    """Attributions of a batch of pre-padded documents of one width.

    The integral is adaptive, with an exact error: each interval's estimate
    of ``f(c x) - f(a x)`` is compared with that difference, computed by two
    forward passes. While a document's shares miss ``f(x) - f(baseline)`` by
    more than ``tolerance`` times it (times 0.2 at least), its interval with
    the largest error is halved and both halves integrated again, at most
    ``max_splits`` times: a recurrent state that flips over a short stretch
    of the path gets the steps it needs, the other documents none.

    Parameters
    ----------
    module : RecurrentClassifierModule
        In evaluation mode.
    ids : torch.LongTensor of shape (B, W)
        Pre-padded: the real tokens of row ``b`` are its last ``lengths[b]``.
    lengths : torch.LongTensor of shape (B,)
    targets : torch.LongTensor of shape (B,), default=None
        Class index to explain per row; None: the predicted class.
    n_steps : int, default=DEFAULT_STEPS
        Gauss-Legendre nodes per interval.
    tolerance : float, default=DEFAULT_TOLERANCE
        Relative completeness gap to reach by splitting; 0 for no splits.
    max_splits : int, default=MAX_SPLITS

    Returns
    -------
    out : dict of tensors
        ``attributions`` ``(B, W)`` (zeros on padding), ``logits`` ``(B, C)``,
        ``targets`` ``(B,)``, ``score`` ``(B,)`` (``f`` at the document),
        ``baseline`` ``(B,)`` (``f`` at the baseline) and ``evaluations``
        ``(B,)`` (gradient evaluations per document).
    """
    device = ids.device
    with torch.no_grad():
        emb = module.embedding(ids)  # (B, W, E)
        ends = _recurrent_logits(module, torch.cat([emb, torch.zeros_like(emb)]),
                                 torch.cat([lengths, lengths]))
    B = len(ids)
    rnn_logits, base_logits = ends[:B], ends[B:]
    ngram = module.ngram
    if ngram is not None:
        with torch.no_grad():
            ngram_logits = ngram(ids, lengths)
    logits = rnn_logits + (ngram_logits if ngram is not None else 0.0)
    if targets is None:
        targets = logits.argmax(dim=1)
    v = score_directions(targets.cpu(), logits.shape[1]).to(device)
    f0, f1 = (base_logits * v).sum(1), (rnn_logits * v).sum(1)
    # each document's intervals: [a, c, f(a x), f(c x), shares (W,)]
    parts = _integrate(module, emb, lengths, v, [(b, 0.0, 1.0) for b in range(B)], n_steps)
    intervals = [[[0.0, 1.0, f0[b], f1[b], parts[b]]] for b in range(B)]
    evaluations = torch.full((B,), n_steps)
    bound = tolerance * (f1 - f0).abs().clamp(min=0.2)  # no chase of a tiny change
    for _ in range(max_splits if tolerance > 0 else 0):
        splits = []
        for b in range(B):
            errors = [float(i[4].sum() - (i[3] - i[2])) for i in intervals[b]]
            if abs(sum(errors)) > bound[b]:
                splits.append((b, max(range(len(errors)), key=lambda k: abs(errors[k]))))
        if not splits:
            break
        halves = [intervals[b][k][:2] for b, k in splits]
        mids = [(a + c) / 2 for a, c in halves]
        rows = torch.as_tensor([b for b, _ in splits], device=device)
        f_mid = _scores_at(module, emb, lengths, v, rows, mids)
        jobs = [job for (b, _), (a, c), m in zip(splits, halves, mids, strict=True)
                for job in ((b, a, m), (b, m, c))]
        parts = _integrate(module, emb, lengths, v, jobs, n_steps)
        for j, (b, k) in enumerate(splits):
            a, c, fa, fc, _ = intervals[b][k]
            intervals[b][k:k + 1] = [[a, mids[j], fa, f_mid[j], parts[2 * j]],
                                     [mids[j], c, f_mid[j], fc, parts[2 * j + 1]]]
            evaluations[b] += 2 * n_steps
    attributions = torch.stack([sum(i[4] for i in intervals[b]) for b in range(B)])
    score = f1
    if ngram is not None:
        with torch.no_grad():
            ngram_attr, _ = _ngram_attributions(ngram, ids, lengths, v)
        attributions = attributions + ngram_attr
        score = score + (ngram_logits * v).sum(1)
    return {"attributions": attributions.detach(), "logits": logits, "targets": targets,
            "score": score, "baseline": f0, "evaluations": evaluations}


def attribute_dataset(module, dataset, targets=None, *, n_steps=DEFAULT_STEPS,
                      tolerance=DEFAULT_TOLERANCE, max_splits=MAX_SPLITS, device="cpu",
                      max_batch=64):
    """Attributions of every document of a :class:`~sklearn_rnn._nn._data.SequenceDataset`.

    Documents are taken by length bucket (each padded to its own bucket's
    width, as in prediction), as many per batch as keep one backward pass
    under a fixed number of positions, at most ``max_batch``.

    Parameters
    ----------
    module : RecurrentClassifierModule
    dataset : SequenceDataset
    targets : ndarray of int of shape (N,), default=None
        Class index per document, in the caller's order; None: predicted.
    n_steps, tolerance, max_splits :
        As for :func:`attribute_batch`.
    device : str or torch.device, default='cpu'
    max_batch : int, default=64

    Returns
    -------
    out : dict
        In the caller's order: ``ids`` and ``attributions`` (lists of ``N``
        arrays of shape ``(L_i,)``: each document's real tokens and theirs),
        ``logits`` ``(N, C)``, ``targets`` ``(N,)``, ``score``, ``baseline``
        and ``evaluations`` ``(N,)``.
    """
    was_training = module.training
    module.eval()
    n = len(dataset)
    attributions, documents = [None] * n, [None] * n
    logits = np.zeros((n, module.n_classes), dtype=np.float64)
    chosen = np.zeros(n, dtype=np.int64)
    score, baseline = np.zeros(n), np.zeros(n)
    evaluations = np.zeros(n, dtype=np.int64)
    try:
        for width, start, stop in dataset.buckets():
            step = max(1, min(max_batch, _POSITIONS_PER_PASS // (n_steps * width)))
            for a in range(start, stop, step):
                positions = np.arange(a, min(a + step, stop))
                rows = dataset.order[positions]
                ids = torch.as_tensor(dataset.padded(positions, width)).to(device)
                lengths = torch.as_tensor(dataset.lengths[positions]).to(device)
                tb = None if targets is None else torch.as_tensor(targets[rows]).to(device)
                out = attribute_batch(module, ids, lengths, tb, n_steps=n_steps,
                                      tolerance=tolerance, max_splits=max_splits)
                attr = out["attributions"].double().cpu().numpy()
                ids = ids.cpu().numpy()
                for i, row in enumerate(rows.tolist()):
                    length = int(dataset.lengths[positions[i]])
                    attributions[row] = attr[i, width - length:]
                    documents[row] = ids[i, width - length:]
                logits[rows] = out["logits"].double().cpu().numpy()
                chosen[rows] = out["targets"].cpu().numpy()
                score[rows] = out["score"].double().cpu().numpy()
                baseline[rows] = out["baseline"].double().cpu().numpy()
                evaluations[rows] = out["evaluations"].numpy()
    finally:
        module.train(was_training)
    return {"ids": documents, "attributions": attributions, "logits": logits,
            "targets": chosen, "score": score, "baseline": baseline,
            "evaluations": evaluations}
