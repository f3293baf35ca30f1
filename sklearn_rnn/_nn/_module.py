"""The PyTorch module behind the classifiers (plain PyTorch, no sklearn).

Shapes: ``B`` batch, ``T`` positions, ``E`` embedding size, ``H`` hidden
size, ``D`` directions (1 or 2), ``C`` classes, ``V`` vocabulary size, ``N``
n-gram slots.

Input is pre-padded: the real tokens of a document of length ``L`` sit at
positions ``T - L .. T - 1``. Pooling reads only those positions:

* ``'last'``: the forward direction's output at ``T - 1`` (its last real
  token) and, when bidirectional, the backward direction's output at
  ``T - L`` (after it has read the whole document, before it reaches the
  padding).
* ``'max'`` / ``'mean'``: over positions ``T - L .. T - 1`` only.

Randomness: a module draws from its own generators, never from torch's
global RNG, so fits in several threads do not disturb each other. Its
weights are built on the meta device (no draw, no memory), then initialised
from a ``torch.Generator`` seeded with ``seed``, with the distributions
PyTorch's own ``reset_parameters`` use (:func:`init_parameters`); dropout
masks come from a per-device generator of the module's
:class:`RandomSource` (:class:`GeneratorDropout`), including the dropout
between stacked recurrent layers, which runs the layers one by one.
"""

import math
import zlib

import numpy as np
import torch
from torch import nn

from ._layout import ngram_layout

__all__ = ["RecurrentClassifierModule", "meta_module", "ConvFrontEnd", "NgramBag", "pool",
           "token_keys", "ngram_rows", "NGRAM_SCALE", "RandomSource", "GeneratorDropout",
           "init_parameters", "NGRAM_NB_SCALE", "NGRAM_NB_SMOOTHING", "NGRAM_NB_MIN_DOCUMENTS",
           "init_ngram_nb", "ngram_document_counts", "init_ngram_from_counts"]

_CELLS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


class RecurrentClassifierModule(nn.Module):
    """Embedding [-> Conv1D -> max-pool] -> RNN/LSTM/GRU -> masked pooling
    [-> dense] -> linear logits [+ n-gram logits].

    Parameters
    ----------
    cell : {'rnn', 'lstm', 'gru'}
        Recurrent layer type (``'rnn'`` is an Elman RNN with tanh).
    vocab_size : int
        Rows of the embedding table (id 0 is padding).
    n_classes : int
        Number of output logits ``C``.
    embedding_dim : int, default=128
    hidden_size : int, default=128
    num_layers : int, default=1
    bidirectional : bool, default=False
    dropout : float, default=0.0
        Dropout on the embeddings, between stacked layers and on the pooled
        features.
    pooling : {'last', 'max', 'mean'}, default='max'
    embeddings : torch.Tensor of shape (vocab_size, embedding_dim), default=None
        Initial embedding weights (row 0 is zeroed).
    freeze_embeddings : bool, default=False
        Keep the embedding weights fixed during training.
    ngram_range : (int, int), default=None
        Add a linear bag of hashed n-grams of these sizes to the logits
        (:class:`NgramBag`); None for none.
    ngram_buckets : int or 'auto', default='auto'
        Rows of the n-gram table; ``'auto'``: the classifiers' rule
        (:func:`~sklearn_rnn._nn._layout.ngram_layout`).
    ngram_rank : int, None or 'auto', default='auto'
        Columns of the n-gram table, projected to the classes (see
        :class:`NgramBag`); None: one column per class; ``'auto'``: the
        classifiers' rule (factorised from 9 classes on).
    token_keys : torch.LongTensor of shape (vocab_size,), default=None
        Hash key of each id for the n-grams (None: the ids).
    conv_filters : int, default=None
        A convolutional front-end (:class:`ConvFrontEnd`) with this many
        filters before the recurrent layer; None for none.
    conv_kernel_size : int, default=3
    conv_pool_size : int, default=2
    dense_units : int, default=None
        A hidden ReLU layer of this size between the pooled features and the
        output; None for none.
    seed : int, default=None
        Seed of the weights' initialisation and of the dropout masks (the
        module's own generators). None draws one from torch's global RNG, as
        plain PyTorch modules initialise from it.
    """

    def __init__(
        self,
        cell,
        vocab_size,
        n_classes,
        embedding_dim=128,
        hidden_size=128,
        num_layers=1,
        bidirectional=False,
        dropout=0.0,
        pooling="max",
        embeddings=None,
        freeze_embeddings=False,
        ngram_range=None,
        ngram_buckets="auto",
        ngram_rank="auto",
        token_keys=None,
        conv_filters=None,
        conv_kernel_size=3,
        conv_pool_size=2,
        dense_units=None,
        seed=None,
    ):
        super().__init__()
        self.n_classes = n_classes
        self.pooling = pooling
        self.hidden_size = hidden_size
        self.bidirectional = bidirectional
        if seed is None:  # plain PyTorch use: from the global RNG, as nn.Linear does
            seed = int(torch.randint(2**62, (1,), device="cpu"))
        generator = torch.Generator().manual_seed(int(seed))
        # the layers are built on the meta device (no draw from the global
        # RNG, no memory), then made real where the module is being built
        # (the meta device again inside a shape probe) and initialised
        device = torch.get_default_device()
        with torch.device("meta"):
            self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=0)
            self.conv = None if conv_filters is None else ConvFrontEnd(
                embedding_dim, conv_filters, conv_kernel_size, conv_pool_size)
            # the layer's own dropout stays 0: torch would draw its masks
            # from the global RNG; forward applies ours between the layers
            self.rnn = _CELLS[cell](
                embedding_dim if conv_filters is None else conv_filters,
                hidden_size,
                num_layers=num_layers,
                batch_first=True,
                bidirectional=bidirectional,
            )
            features = (2 if bidirectional else 1) * hidden_size
            self.dense = None
            if dense_units is not None:
                self.dense = nn.Sequential(nn.Linear(features, dense_units), nn.ReLU())
                features = dense_units
            self.classifier = nn.Linear(features, n_classes)
            self.ngram = None
            if ngram_range is not None:
                rows, rank = ngram_layout(ngram_buckets, n_classes)
                self.ngram = NgramBag(vocab_size, n_classes, ngram_range, rows,
                                      rank=rank if ngram_rank == "auto" else ngram_rank)
        self.to_empty(device=device)
        if device.type != "meta":  # a shape probe allocates and draws nothing
            init_parameters(self, generator)
        if embeddings is not None:
            with torch.no_grad():
                self.embedding.weight.copy_(torch.as_tensor(embeddings))
                self.embedding.weight[0].zero_()
        self.embedding.weight.requires_grad_(not freeze_embeddings)
        if self.ngram is not None:
            if token_keys is None:
                token_keys = torch.arange(vocab_size, dtype=torch.long)
            self.ngram.keys = torch.as_tensor(token_keys, dtype=torch.long).to(device)
        # dropout: masks from the module's own generators (one per device)
        self.random = RandomSource(
            int(torch.randint(2**62, (1,), generator=generator, device="cpu")))
        self.drop = GeneratorDropout(dropout, self.random)
        if self.dense is not None:
            self.dense.append(GeneratorDropout(dropout, self.random))
        self.layer_dropout = dropout if num_layers > 1 else 0.0
        self._layers = _layer_templates(self.rnn) if self.layer_dropout > 0 else None

    def forward(self, ids, lengths, widths=None, weights=None, soft=None):
        """Return logits ``(B, C)`` for pre-padded ``ids`` ``(B, T)``.

        Parameters
        ----------
        ids : torch.LongTensor of shape (B, T)
        lengths : torch.LongTensor of shape (B,)
            Real tokens per row (0 for an empty document).
        widths : torch.LongTensor of shape (B,), default=None
            Training batches that mix length buckets: the width each row is
            read at (its last ``widths[b]`` columns), so that every group of
            rows runs the recurrent layer on its own bucket's width.
        weights : torch.Tensor of shape (B,), default=None
            Loss weights of the documents (class and sample weights): read by
            the loss, not here.
        soft : torch.Tensor of shape (B, C), default=None
            Soft targets of the documents (distillation): read by the loss,
            not here.
        """
        if widths is not None:
            groups = torch.unique(widths).tolist()
            if len(groups) > 1:
                logits = torch.empty((len(ids), self.n_classes), device=ids.device)
                for width in groups:
                    rows = (widths == width).nonzero().squeeze(1)
                    logits = logits.index_put((rows,), self(ids[rows, -width:], lengths[rows]))
                return logits
            ids = ids[:, -groups[0]:]
        x = self.drop(self.embedding(ids))  # (B, T, E)
        steps = lengths
        if self.conv is not None:
            x, steps = self.conv(x, lengths)  # (B, T', F)
        out = self.recurrent(x)  # (B, T', D*H)
        pooled = self.drop(pool(out, steps, self.pooling, self.bidirectional))
        kind = pooled.device.type
        if not torch.is_autocast_enabled(kind):
            return self.head(pooled, ids, lengths)
        # mixed precision: the head in float32 (a few B x D*H x C products),
        # so the logits are not rounded to bf16's 8 bits
        with torch.autocast(kind, enabled=False):
            return self.head(pooled.float(), ids, lengths)

    def head(self, pooled, ids, lengths):
        """Logits ``(B, C)`` of the pooled features ``(B, D*H)`` [+ the n-gram
        logits of ``ids``]."""
        if self.dense is not None:
            pooled = self.dense(pooled)
        logits = self.classifier(pooled)  # (B, C)
        if self.ngram is not None:
            logits = logits + self.ngram(ids, lengths)
        return logits

    def recurrent(self, x):
        """Outputs ``(B, T, D*H)`` of the recurrent layer(s) for inputs ``(B, T, E)``.

        In training with ``num_layers > 1`` and dropout, the layers run one
        by one with :class:`GeneratorDropout` between them (the module's
        generator instead of the global RNG torch's fused layers draw from);
        otherwise, as in prediction, in one fused call (the same outputs: no
        dropout then).
        """
        if not (self.training and self.layer_dropout > 0):
            return self.rnn(x)[0]
        params = dict(self.rnn.named_parameters())
        last = self.rnn.num_layers - 1
        for k in range(self.rnn.num_layers):
            own = {name.replace(f"_l{k}", "_l0"): value for name, value in params.items()
                   if name.endswith(f"_l{k}") or name.endswith(f"_l{k}_reverse")}
            x = torch.func.functional_call(self._layers[min(k, 1)], own, (x,))[0]
            if k < last:
                x = self.drop_between(x)
        return x

    def drop_between(self, x):
        """Dropout between stacked recurrent layers (torch's ``dropout=``)."""
        return _dropout(x, self.layer_dropout, self.random, self.training)


def meta_module(kwargs):
    """The module that ``kwargs`` build, on the meta device: its weights have
    their shapes but no memory, and no generator is drawn from (the seed is
    fixed). For shape checks and memory estimates before anything is
    allocated.

    Parameters
    ----------
    kwargs : dict
        Arguments of :class:`RecurrentClassifierModule` (a ``seed`` among
        them is ignored).

    Returns
    -------
    module : RecurrentClassifierModule
    """
    with torch.device("meta"):
        return RecurrentClassifierModule(**{**kwargs, "seed": 0})


def _layer_templates(rnn):
    """Single-layer copies of ``rnn`` on the meta device for its first and
    later layers: :func:`torch.func.functional_call` runs each layer with the
    stacked layer's own parameters."""
    kwargs = dict(hidden_size=rnn.hidden_size, num_layers=1, bias=rnn.bias, batch_first=True,
                  bidirectional=rnn.bidirectional)
    if isinstance(rnn, nn.RNN):
        kwargs["nonlinearity"] = rnn.nonlinearity
    width = (2 if rnn.bidirectional else 1) * rnn.hidden_size
    with torch.device("meta"):
        return [type(rnn)(rnn.input_size, **kwargs), type(rnn)(width, **kwargs)]


class ConvFrontEnd(nn.Module):
    """Conv1D (ReLU) then max-pooling over time, exact for pre-padded rows.

    ``(B, T, E)`` embeddings of pre-padded documents -> ``(B, T', F)`` with
    ``T' = ceil(T / pool_size)``, and each document's new length
    ``ceil(L / pool_size)``. Padding never leaks into the real positions: the
    convolution sees zeros beyond a document's ends (its padding rows are the
    zero padding embedding), pooling windows are aligned to the end of the
    rows so a document's windows do not depend on its padding, and windows
    without a real token become zeros.

    Parameters
    ----------
    in_features : int
        ``E``.
    filters : int
        ``F``.
    kernel_size : int
    pool_size : int
    """

    def __init__(self, in_features, filters, kernel_size, pool_size):
        super().__init__()
        self.conv = nn.Conv1d(in_features, filters, kernel_size, padding="same")
        self.pool_size = pool_size

    def forward(self, x, lengths):
        T = x.shape[1]
        p = self.pool_size
        lengths = lengths.to(x.device)
        real = torch.arange(T, device=x.device)[None, :] >= (T - lengths)[:, None]  # (B, T)
        x = x * real.unsqueeze(-1)  # exact zeros outside the document
        h = torch.relu(self.conv(x.transpose(1, 2))).transpose(1, 2)  # (B, T, F)
        # ReLU outputs are >= 0: -1 marks padding, so a window without a real
        # position pools to -1, then 0 (no infinities: ONNX Runtime's MaxPool
        # starts from the lowest float, not -inf)
        h = h.masked_fill(~real.unsqueeze(-1), -1.0)
        # windows aligned to the end of the rows: pool the reversed sequence
        # (a last, partial window with ceil_mode), then reverse it back
        h = torch.flip(h, dims=[1]).transpose(1, 2)  # (B, F, T), reversed
        h = nn.functional.max_pool1d(h, p, stride=p, ceil_mode=True)
        h = torch.flip(h.transpose(1, 2), dims=[1]).clamp(min=0.0)  # (B, T', F)
        return h, (lengths + p - 1) // p  # ceil(L / p), on non-negative ints


def pool(out, lengths, how, bidirectional=False):
    """Pool recurrent outputs over the real positions of pre-padded rows.

    Parameters
    ----------
    out : torch.Tensor of shape (B, T, D*H)
        Outputs of the recurrent layer (forward then backward halves).
    lengths : torch.LongTensor of shape (B,)
        Real tokens per row; they sit at positions ``T - L .. T - 1``.
    how : {'last', 'max', 'mean'}
    bidirectional : bool, default=False
        With ``'last'``: the backward half is read at the first real position.

    Returns
    -------
    pooled : torch.Tensor of shape (B, D*H)
        Zeros for an empty row with ``'max'`` and ``'mean'``.
    """
    B, T, _ = out.shape
    lengths = lengths.to(out.device)
    if how == "last":
        last = out[:, -1]
        if not bidirectional:
            return last  # (B, H)
        H = out.shape[2] // 2
        first = (T - lengths).clamp(0, T - 1)  # first real position
        backward = out[torch.arange(B, device=out.device), first, H:]
        return torch.cat([last[:, :H], backward], dim=1)  # (B, 2H)
    mask = torch.arange(T, device=out.device)[None, :] >= (T - lengths)[:, None]
    mask = mask.unsqueeze(-1)  # (B, T, 1)
    if how == "max":
        # in prediction the outputs are not needed again: masked in place
        # (no (B, T, D*H) copy; autograd forbids it in training)
        fill = out.masked_fill_ if torch.is_inference(out) else out.masked_fill
        pooled = fill(~mask, float("-inf")).amax(dim=1)
        return torch.where((lengths > 0)[:, None], pooled, torch.zeros_like(pooled))
    total = (out * mask).sum(dim=1)
    return total / lengths.clamp(min=1)[:, None].to(out.dtype)


# --------------------------------------------------------------------------- #
# randomness: the module's own generators
# --------------------------------------------------------------------------- #
class RandomSource:
    """The dropout generators of one module: one ``torch.Generator`` per
    device, each seeded with ``seed`` when first used there.

    Not an ``nn.Module`` (it holds no weights); deep-copies and pickles with
    its generators' states.

    Parameters
    ----------
    seed : int
    """

    def __init__(self, seed):
        self.seed = int(seed)
        self.generators = {}

    def generator(self, device):
        """The generator of ``device`` (made on first use)."""
        device = torch.device(device)
        key = str(device)
        generator = self.generators.get(key)
        if generator is None:
            generator = torch.Generator(device=device)
            generator.manual_seed(self.seed)
            self.generators[key] = generator
        return generator

    def get_state(self):
        """``{device: uint8 tensor}``: the state of each generator used so far."""
        return {key: g.get_state() for key, g in self.generators.items()}

    def set_state(self, states):
        """Restore :meth:`get_state`'s states (of devices that exist here)."""
        for key, state in states.items():
            try:
                generator = self.generator(key)
            except RuntimeError:  # a device this machine does not have
                continue
            generator.set_state(torch.as_tensor(state, dtype=torch.uint8).cpu())


def _dropout(x, p, source, training):
    if not training or p == 0:
        return x
    if p >= 1:
        return x * 0.0
    keep = torch.empty_like(x).bernoulli_(1.0 - p, generator=source.generator(x.device))
    return x * keep.div_(1.0 - p)


class GeneratorDropout(nn.Module):
    """``nn.Dropout`` whose masks come from a :class:`RandomSource` (the
    module's own generator) instead of torch's global RNG.

    Same semantics: in training each element is zeroed with probability
    ``p`` and the others scaled by ``1 / (1 - p)``; the identity in
    evaluation, and when ``p`` is 0 (no mask is drawn).

    Parameters
    ----------
    p : float
    source : RandomSource
    """

    def __init__(self, p, source):
        super().__init__()
        self.p = float(p)
        self.source = source

    def forward(self, x):
        return _dropout(x, self.p, self.source, self.training)

    def extra_repr(self):
        return f"p={self.p}"


def init_parameters(module, generator):
    """Initialise every weight of ``module`` from ``generator`` with the
    distributions of PyTorch's own ``reset_parameters``.

    Embeddings ``N(0, 1)`` (the padding row zero), linear and convolution
    layers Kaiming-uniform with ``a = sqrt(5)`` and biases
    ``U(-1/sqrt(fan_in), 1/sqrt(fan_in))``, recurrent layers
    ``U(-1/sqrt(H), 1/sqrt(H))``; the n-gram path as :class:`NgramBag`
    says (a plain table zeros; a factorised one ``U(-1/R, 1/R)`` and its
    projection zeros). In the order of ``module.modules()``, so a seed gives
    the same weights every time.

    Parameters
    ----------
    module : nn.Module
    generator : torch.Generator
        A CPU generator; weights on another device are drawn on the CPU and
        copied.
    """
    with torch.no_grad():
        for layer in module.modules():
            if getattr(layer, "_zero_init", False):  # the n-gram path's linear model
                layer.weight.zero_()
            elif isinstance(layer, nn.Embedding):
                bound = getattr(layer, "_uniform_init", None)
                _fill(layer.weight, (lambda w: w.normal_(0.0, 1.0, generator=generator))
                      if bound is None else _uniform(bound, generator))
                if layer.padding_idx is not None:
                    layer.weight[layer.padding_idx].zero_()
            elif isinstance(layer, (nn.Linear, nn.Conv1d)):
                _fill(layer.weight, lambda w: nn.init.kaiming_uniform_(
                    w, a=math.sqrt(5), generator=generator))
                if layer.bias is not None:
                    fan_in = layer.weight[0].numel()
                    _fill(layer.bias, _uniform(1.0 / math.sqrt(fan_in) if fan_in else 0.0,
                                               generator))
            elif isinstance(layer, nn.RNNBase):
                draw = _uniform(1.0 / math.sqrt(layer.hidden_size), generator)
                for weight in layer.parameters(recurse=False):
                    _fill(weight, draw)


def _uniform(bound, generator):
    return lambda w: w.uniform_(-bound, bound, generator=generator)


def _fill(weight, draw):
    """``draw(tensor)`` fills a tensor in place from a CPU generator: the
    weight itself on the CPU, else a CPU tensor copied to it."""
    if weight.device.type == "cpu":
        draw(weight)
    else:
        weight.copy_(draw(torch.empty(weight.shape, dtype=weight.dtype)))


# --------------------------------------------------------------------------- #
# the n-gram path
# --------------------------------------------------------------------------- #
# A linear model over the hashed n-grams of each document (fastText's bigram
# bag, without its hidden layer), added to the recurrent path's logits and
# trained with it: the "wide" part of a wide-and-deep model. Every n-gram of
# ``ngram_range`` whose tokens are all real (never padding) is hashed into one
# of ``buckets`` rows of a ``(buckets, C)`` table; a document's logits are the
# sum of its n-grams' rows, each weighted ``scale / sqrt(number of n-grams)``
# (the bag's L2 norm, as for TF-IDF features). Only the document's own tokens
# enter, so the logits do not depend on its padding or its batch.
#
# N-grams are hashed from per-token keys (``token_keys``): the CRC-32 of each
# token's text when the vocabulary is known, so an n-gram keeps its row when a
# refitted vocabulary gives its tokens other ids; the ids themselves otherwise.

#: Multiplier of the n-gram features: with Adam's step size, the linear path
#: learns at the pace of the recurrent one (measured on IMDB).
NGRAM_SCALE = 3.0

_PRIME = 1_000_003  # < 2**20: h * _PRIME + key stays below 2**63
_KEY_MOD = 2**31


def token_keys(tokens):
    """Stable int64 hash keys of tokens (CRC-32 of the UTF-8 text; a lone
    surrogate is encoded as it stands, with ``'surrogatepass'``).

    Parameters
    ----------
    tokens : sequence of str

    Returns
    -------
    keys : torch.LongTensor of shape (V,)
    """
    # 'surrogatepass': a lone surrogate (text decoded with 'surrogateescape',
    # or a character of tokenizer='char') gets a key instead of an error
    return torch.tensor([zlib.crc32(t.encode("utf-8", "surrogatepass")) % _KEY_MOD
                         for t in tokens], dtype=torch.long)


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

    Without ``rank``, each of the ``buckets`` rows of the table holds the
    ``C`` logits of its n-grams (zeros at first). With ``rank`` ``R`` (for
    many classes), each row is an ``R``-dimensional vector of its n-grams and
    a ``(C, R)`` projection turns the document's bag into logits, fastText's
    factorisation: the table's size no longer grows with the classes. Its
    rows start ``U(-1/R, 1/R)`` and the projection at zero (so the logits
    start at zero as the plain table's do).

    Parameters
    ----------
    vocab_size : int
    n_classes : int
    ngram_range : (int, int)
    buckets : int
        Rows of the table.
    keys : torch.LongTensor of shape (V,), default=None
        Hash key of each id (see :func:`token_keys`); None uses the ids.
    scale : float, default=NGRAM_SCALE
    rank : int, default=None
        Columns of the table, then projected to the classes; None: the
        table's columns are the classes.
    """

    def __init__(self, vocab_size, n_classes, ngram_range, buckets, keys=None,
                 scale=NGRAM_SCALE, rank=None):
        super().__init__()
        self.ngram_range = tuple(ngram_range)
        self.buckets = buckets
        self.scale = scale
        self.rank = rank
        self.table = nn.Embedding(buckets, n_classes if rank is None else rank, padding_idx=0)
        self.proj = None
        if rank is None:
            self.table._zero_init = True  # a linear model starting at zero (init_parameters)
            nn.init.zeros_(self.table.weight)
        else:
            self.table._uniform_init = 1.0 / rank  # fastText's start (init_parameters)
            self.proj = nn.Linear(rank, n_classes, bias=False)
            self.proj._zero_init = True
            nn.init.zeros_(self.proj.weight)
        if keys is None:
            keys = torch.arange(vocab_size, dtype=torch.long)
        self.register_buffer("keys", torch.as_tensor(keys, dtype=torch.long))

    def forward(self, ids, lengths):
        rows = ngram_rows(ids, lengths, self.keys, self.ngram_range, self.buckets)  # (B, N)
        present = (rows != 0).to(self.table.weight.dtype)
        count = present.sum(dim=1, keepdim=True).clamp(min=1.0)
        weights = present * (self.scale / count.sqrt())  # (B, N)
        bag = (self.table(rows) * weights.unsqueeze(-1)).sum(dim=1)  # (B, C) or (B, R)
        return bag if self.proj is None else self.proj(bag)  # (B, C)

    def row_logits(self, rows):
        """The logits ``(..., C)`` each table row adds per unit of weight (the
        model is linear in its rows: a document's logits are the sum of its
        n-grams' row logits times ``scale / sqrt(count)``)."""
        values = self.table(rows)
        return values if self.proj is None else self.proj(values)


# --------------------------------------------------------------------------- #
# the n-gram table from naive-Bayes log-count ratios ("neural NBSVM")
# --------------------------------------------------------------------------- #
#: ``ngram_init='nb'``: the table starts from ``NGRAM_NB_SCALE / 2`` times
#: the log-ratios (on IMDB at 2,000 reviews, 0.25 beat 0.05, 0.1, 0.5, 1 and
#: 4 on validation reviews of the training part:
#: benchmarks/results/nbsvm_ngram_init.md).
NGRAM_NB_SCALE = 0.25
#: ... and each document frequency is smoothed by this much (one document in
#: a thousand: on 2,000 IMDB reviews, one document per class, as Wang &
#: Manning's ``alpha=1``).
NGRAM_NB_SMOOTHING = 1e-3
#: ... for the rows that at least this many training documents hold (a row
#: of one document's n-grams starts as evidence for its class that fits that
#: document before training; on the validation reviews, 84.41% against
#: 84.17% for every row).
NGRAM_NB_MIN_DOCUMENTS = 2


def init_ngram_nb(module, dataset, n_classes, chunk=256):
    """Start the n-gram table of ``module`` from the naive-Bayes log-ratios
    of ``dataset`` (:func:`ngram_document_counts` then
    :func:`init_ngram_from_counts` with :data:`NGRAM_NB_SCALE` and
    :data:`NGRAM_NB_SMOOTHING`). Nothing without an n-gram path, or with a
    factorised table (it has no column per class: it starts as
    :func:`init_parameters` left it).

    Parameters
    ----------
    module : RecurrentClassifierModule
    dataset : SequenceDataset
        The training documents, with encoded labels ``y`` and ``weights``.
    n_classes : int
    chunk : int, default=256
        Documents read at a time.
    """
    bag = module.ngram
    if bag is None or bag.proj is not None:
        return

    def batches():
        for width, a, b in dataset.buckets():
            for start in range(a, b, chunk):
                at = np.arange(start, min(start + chunk, b))
                yield (dataset.padded(at, width), dataset.lengths[at], dataset.y[at],
                       None if dataset.weights is None else dataset.weights[at])

    counts, totals, documents = ngram_document_counts(bag, batches(), n_classes)
    init_ngram_from_counts(bag, counts, totals, NGRAM_NB_SCALE, NGRAM_NB_SMOOTHING,
                           rows=documents >= NGRAM_NB_MIN_DOCUMENTS)


def ngram_document_counts(bag, batches, n_classes):
    """How many documents of each class hold each row of ``bag``'s table.

    Each document counts once per row it hits (its n-grams binarised, as in
    NBSVM), times its weight.

    Parameters
    ----------
    bag : NgramBag
    batches : iterable of (ids, lengths, labels, weights)
        Pre-padded ``ids`` ``(B, T)``, ``lengths`` ``(B,)``, encoded
        ``labels`` ``(B,)`` and ``weights`` ``(B,)`` (or None for ones).
    n_classes : int

    Returns
    -------
    counts : torch.Tensor of shape (C, buckets), float64
        Row 0 ("no n-gram") stays 0.
    totals : torch.Tensor of shape (C,), float64
        The documents of each class (their weights' sum).
    documents : torch.Tensor of shape (buckets,), int64
        How many documents hold each row, unweighted.
    """
    buckets = bag.buckets
    keys = bag.keys.cpu()
    counts = torch.zeros(n_classes, buckets, dtype=torch.float64)
    totals = torch.zeros(n_classes, dtype=torch.float64)
    documents = torch.zeros(buckets, dtype=torch.int64)
    for ids, lengths, labels, weights in batches:
        rows = ngram_rows(torch.as_tensor(ids), torch.as_tensor(lengths), keys,
                          bag.ngram_range, buckets)  # (B, N)
        labels = torch.as_tensor(labels)
        weight = (torch.ones(len(rows), dtype=torch.float64) if weights is None
                  else torch.as_tensor(weights, dtype=torch.float64))
        totals.index_add_(0, labels, weight)
        # each (document, row) pair once
        pairs = torch.unique(torch.arange(len(rows))[:, None] * buckets + rows)
        doc, row = pairs // buckets, pairs % buckets
        counts.index_put_((labels[doc], row), weight[doc], accumulate=True)
        documents.index_add_(0, row, torch.ones_like(row))
    counts[:, 0] = 0.0
    documents[0] = 0
    return counts, totals, documents


def init_ngram_from_counts(bag, counts, totals, scale, smoothing, rows=None):
    """Start ``bag``'s table from the naive-Bayes log-ratios of its rows.

    Column ``c`` of each row becomes ``scale * r_c / 2``, with
    ``r_c = log((f_c + smoothing) / (g_c + smoothing))``: ``f_c`` the share
    of class ``c``'s documents that hold the row, ``g_c`` the share of the
    other classes' documents. For two classes the rows are ``[-r/2, +r/2] *
    scale``, whose difference is the log-ratio ``r`` of the second class.
    Rows no training document hit stay zero. Only a plain table (no
    ``rank``) can be set so.

    Document frequencies rather than Wang & Manning's ``p / |p|_1`` (the
    share of the class's n-grams, each count plus ``alpha``): with classes
    of different sizes the smoothing of ``|p|_1`` weighs on the small class,
    and every common, neutral n-gram would start as evidence for the large
    one (NBSVM's logistic regression undoes that; the network starts from
    it). Shares of documents are the same whatever the classes' sizes and
    the weights' scale: a weight of 2 is a document counted twice.

    Parameters
    ----------
    bag : NgramBag
    counts : torch.Tensor of shape (C, buckets)
    totals : torch.Tensor of shape (C,)
        From :func:`ngram_document_counts`.
    scale : float
    smoothing : float
        Added to each document frequency.
    rows : torch.BoolTensor of shape (buckets,), default=None
        The rows to set (the others stay zero); None: every row a document
        holds.
    """
    if bag.proj is not None:
        raise ValueError("a factorised n-gram table (rank) has no row per class to start "
                         "from log-count ratios.")
    counts, totals = counts.to(torch.float64), totals.to(torch.float64)
    seen = counts.sum(dim=0) > 0  # (buckets,)
    if rows is not None:
        seen &= rows
    own = counts[:, seen]  # (C, S)
    others = own.sum(dim=0, keepdim=True) - own
    share = own / totals.clamp(min=1e-12)[:, None]
    share_others = others / (totals.sum() - totals).clamp(min=1e-12)[:, None]
    ratios = torch.log(share + smoothing) - torch.log(share_others + smoothing)  # (C, S)
    table = torch.zeros_like(bag.table.weight, dtype=torch.float64, device="cpu")
    table[seen] = (scale / 2) * ratios.T
    with torch.no_grad():
        bag.table.weight.copy_(table.to(bag.table.weight))
