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
  embeddings (zeros): ``IG_t = sum_e x_te * integral_0^1 df/dx_te(a x) da``,
  the integral by Gauss-Legendre quadrature with ``S`` nodes (Captum's
  default rule). Completeness: the attributions add up to
  ``f(x) - f(baseline)`` up to the quadrature error.
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

__all__ = ["DEFAULT_STEPS", "attribute_batch", "attribute_dataset", "gauss_legendre",
           "score_directions"]

#: Integration steps: the completeness gap (attributions' sum against
#: ``f(x) - f(baseline)``) measured on IMDB models falls below 1-2% of
#: ``|f(x) - f(baseline)|`` for most documents from here
#: (benchmarks/results/explain.md).
DEFAULT_STEPS = 16

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
    logits = (bag.table(rows) * weights.unsqueeze(-1)).sum(dim=1)  # (B, C)
    share = (bag.table(rows) * v.unsqueeze(1)).sum(-1) * weights  # (B, N): each n-gram's
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


def attribute_batch(module, ids, lengths, targets=None, *, n_steps=DEFAULT_STEPS):
    """Attributions of a batch of pre-padded documents of one width.

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
        Gauss-Legendre nodes of the integral.

    Returns
    -------
    out : dict of tensors
        ``attributions`` ``(B, W)`` (zeros on padding), ``logits`` ``(B, C)``,
        ``targets`` ``(B,)``, ``score`` ``(B,)`` (``f`` at the document) and
        ``baseline`` ``(B,)`` (``f`` at the baseline).
    """
    device = ids.device
    with torch.no_grad():
        emb = module.embedding(ids)  # (B, W, E)
        ends = _recurrent_logits(module, torch.cat([emb, torch.zeros_like(emb)]),
                                 torch.cat([lengths, lengths]))
    B, W, E = emb.shape
    rnn_logits, base_logits = ends[:B], ends[B:]
    ngram = module.ngram
    if ngram is not None:
        with torch.no_grad():
            ngram_logits = ngram(ids, lengths)
    logits = rnn_logits + (ngram_logits if ngram is not None else 0.0)
    if targets is None:
        targets = logits.argmax(dim=1)
    v = score_directions(targets.cpu(), logits.shape[1]).to(device)
    alphas, weights = (torch.as_tensor(a, dtype=emb.dtype, device=device)
                       for a in gauss_legendre(n_steps))
    total = torch.zeros((B, W, E), dtype=emb.dtype, device=device)
    per_pass = max(1, _POSITIONS_PER_PASS // max(B * W, 1))
    with torch.enable_grad(), _no_cudnn(device):
        for a in range(0, len(alphas), per_pass):
            alpha, weight = alphas[a:a + per_pass], weights[a:a + per_pass]
            S = len(alpha)
            x = (alpha[:, None, None, None] * emb).reshape(S * B, W, E).requires_grad_()
            out = _recurrent_logits(module, x, lengths.repeat(S))  # (S*B, C)
            (grad,) = torch.autograd.grad((out * v.repeat(S, 1)).sum(), x)
            total += (weight[:, None, None, None] * grad.reshape(S, B, W, E)).sum(0)
    attributions = (emb * total).sum(-1)  # (B, W)
    score = (rnn_logits * v).sum(1)
    if ngram is not None:
        with torch.no_grad():
            ngram_attr, _ = _ngram_attributions(ngram, ids, lengths, v)
        attributions = attributions + ngram_attr
        score = score + (ngram_logits * v).sum(1)
    return {"attributions": attributions.detach(), "logits": logits, "targets": targets,
            "score": score, "baseline": (base_logits * v).sum(1)}


def attribute_dataset(module, dataset, targets=None, *, n_steps=DEFAULT_STEPS, device="cpu",
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
    n_steps : int, default=DEFAULT_STEPS
    device : str or torch.device, default='cpu'
    max_batch : int, default=64

    Returns
    -------
    out : dict
        In the caller's order: ``ids`` and ``attributions`` (lists of ``N``
        arrays of shape ``(L_i,)``: each document's real tokens and theirs),
        ``logits`` ``(N, C)``, ``targets`` ``(N,)``, ``score`` and
        ``baseline`` ``(N,)``.
    """
    was_training = module.training
    module.eval()
    n = len(dataset)
    attributions, documents = [None] * n, [None] * n
    logits = np.zeros((n, module.n_classes), dtype=np.float64)
    chosen = np.zeros(n, dtype=np.int64)
    score, baseline = np.zeros(n), np.zeros(n)
    try:
        for width, start, stop in dataset.buckets():
            step = max(1, min(max_batch, _POSITIONS_PER_PASS // (n_steps * width)))
            for a in range(start, stop, step):
                positions = np.arange(a, min(a + step, stop))
                rows = dataset.order[positions]
                ids = torch.as_tensor(dataset.padded(positions, width)).to(device)
                lengths = torch.as_tensor(dataset.lengths[positions]).to(device)
                tb = None if targets is None else torch.as_tensor(targets[rows]).to(device)
                out = attribute_batch(module, ids, lengths, tb, n_steps=n_steps)
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
    finally:
        module.train(was_training)
    return {"ids": documents, "attributions": attributions, "logits": logits,
            "targets": chosen, "score": score, "baseline": baseline}
