"""The linear bag-of-n-grams path (plain PyTorch).

Shapes: ``B`` batch, ``T`` positions, ``N`` n-gram slots, ``C`` classes,
``V`` vocabulary size.

A linear model over the hashed n-grams of each document (fastText's bigram
bag, without its hidden layer), added to the recurrent path's logits and
trained with it: the "wide" part of a wide-and-deep model. Every n-gram of
``ngram_range`` whose tokens are all real (never padding) is hashed into one
of ``buckets`` rows of a ``(buckets, C)`` table; a document's logits are the
sum of its n-grams' rows, each weighted ``scale / sqrt(number of n-grams)``
(the bag's L2 norm, as for TF-IDF features). Only the document's own tokens
enter, so the logits do not depend on its padding or its batch.

N-grams are hashed from per-token keys (``token_keys``): the CRC-32 of each
token's text when the vocabulary is known, so an n-gram keeps its row when a
refitted vocabulary gives its tokens other ids; the ids themselves otherwise.
"""

import zlib

import torch
from torch import nn

__all__ = ["NgramBag", "token_keys", "ngram_rows", "NGRAM_SCALE", "resolve_buckets"]

#: Multiplier of the n-gram features: with Adam's step size, the linear path
#: learns at the pace of the recurrent one (measured on IMDB).
NGRAM_SCALE = 3.0

#: ``ngram_buckets='auto'``: 2**20 rows (measured on IMDB, benchmarks/recipes.py)
#: for up to 8 classes, then fewer so the table stays at 2**23 floats (32 MB,
#: four times that while training with Adam), never under 2**16 rows.
AUTO_BUCKETS, AUTO_TABLE_FLOATS, MIN_AUTO_BUCKETS = 2**20, 2**23, 2**16


def resolve_buckets(ngram_buckets, n_classes):
    """The number of rows of the n-gram table: ``ngram_buckets``, or the
    'auto' rule above for ``n_classes`` classes."""
    if ngram_buckets != "auto":
        return int(ngram_buckets)
    return max(MIN_AUTO_BUCKETS, min(AUTO_BUCKETS, AUTO_TABLE_FLOATS // max(n_classes, 1)))

_PRIME = 1_000_003  # < 2**20: h * _PRIME + key stays below 2**63
_KEY_MOD = 2**31


def token_keys(tokens):
    """Stable int64 hash keys of tokens (CRC-32 of the UTF-8 text).

    Parameters
    ----------
    tokens : sequence of str

    Returns
    -------
    keys : torch.LongTensor of shape (V,)
    """
    return torch.tensor([zlib.crc32(t.encode("utf-8")) % _KEY_MOD for t in tokens],
                        dtype=torch.long)


def ngram_rows(ids, lengths, keys, ngram_range, buckets):
    """Table rows of every n-gram of pre-padded ``ids``; 0 where it touches padding.

    Parameters
    ----------
    ids : torch.LongTensor of shape (B, T)
        Pre-padded: the real tokens of row ``b`` are its last ``lengths[b]``.
    lengths : torch.LongTensor of shape (B,)
    keys : torch.LongTensor of shape (V,)
        Hash key of each id.
    ngram_range : (int, int)
        Smallest and largest n.
    buckets : int
        Rows of the table; row 0 is reserved for "no n-gram".

    Returns
    -------
    rows : torch.LongTensor of shape (B, N)
        In ``1 .. buckets - 1``, or 0 (n-grams touching padding, and
        ``max_n - 1`` slots per n in front of every row).
    """
    B, T = ids.shape
    # keys with max_n - 1 padding columns in front, so that every n has at
    # least one slot whatever T (no branch on T: exportable with dynamic shapes)
    pad = ngram_range[1] - 1
    k = nn.functional.pad(keys[ids], (pad, 0))  # (B, pad + T)
    first = (T - lengths.to(ids.device))[:, None] + pad  # first real slot
    positions = torch.arange(T + pad, device=ids.device)[None, :]
    out = []
    for n in range(ngram_range[0], ngram_range[1] + 1):
        width = T + pad - n + 1
        h = k[:, :width] % buckets
        for j in range(1, n):
            h = (h * _PRIME + k[:, j:j + width]) % buckets
        h = (h + n * 7919) % (buckets - 1) + 1  # n-grams of different n differ
        out.append(torch.where(positions[:, :width] >= first, h, torch.zeros_like(h)))
    return torch.cat(out, dim=1)


class NgramBag(nn.Module):
    """Linear logits of hashed n-grams: ``(B, T)`` ids -> ``(B, C)`` logits.

    Parameters
    ----------
    vocab_size : int
    n_classes : int
    ngram_range : (int, int)
    buckets : int
        Rows of the weight table.
    keys : torch.LongTensor of shape (V,), default=None
        Hash key of each id (see :func:`token_keys`); None uses the ids.
    scale : float, default=NGRAM_SCALE
    """

    def __init__(self, vocab_size, n_classes, ngram_range, buckets, keys=None,
                 scale=NGRAM_SCALE):
        super().__init__()
        self.ngram_range = tuple(ngram_range)
        self.buckets = buckets
        self.scale = scale
        self.table = nn.Embedding(buckets, n_classes, padding_idx=0)
        nn.init.zeros_(self.table.weight)  # a linear model starting at zero
        if keys is None:
            keys = torch.arange(vocab_size, dtype=torch.long)
        self.register_buffer("keys", torch.as_tensor(keys, dtype=torch.long))

    def forward(self, ids, lengths):
        rows = ngram_rows(ids, lengths, self.keys, self.ngram_range, self.buckets)  # (B, N)
        present = (rows != 0).to(self.table.weight.dtype)
        count = present.sum(dim=1, keepdim=True).clamp(min=1.0)
        weights = present * (self.scale / count.sqrt())  # (B, N)
        return (self.table(rows) * weights.unsqueeze(-1)).sum(dim=1)  # (B, C)
