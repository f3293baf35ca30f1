"""What the classifiers' parameters build: the n-gram table's layout and the
module's arguments.

Plain functions of parameters and sizes (no torch, no estimator), so that
the estimator, the module's own defaults, persistence and the benchmarks
all read one rule. ``C`` is the number of classes.

The n-gram table (:class:`~sklearn_rnn._nn._module.NgramBag`) has ``rows``
rows and, up to ``NGRAM_RANK_FROM - 1`` classes, one column per class;
from ``NGRAM_RANK_FROM`` classes on it is factorised (fastText's hidden
layer): ``NGRAM_RANK`` columns and a ``(C, NGRAM_RANK)`` projection, so its
size stops growing with the classes. :func:`ngram_layout` gives both for
``ngram_buckets`` (an int or ``'auto'``); :func:`saved_ngram_layout` reads
them from a saved table, whose 'auto' rule may be an older version's.
"""

__all__ = ["AUTO_BUCKETS", "NGRAM_RANK_FROM", "NGRAM_RANK", "AUTO_TABLE_FLOATS",
           "MAX_AUTO_BUCKETS", "MODULE_PARAMS", "MODULE_OWNED", "ngram_layout",
           "module_kwargs", "saved_ngram_layout"]

#: ``ngram_buckets='auto'`` with up to 8 classes: 2**18 rows (on IMDB the
#: smallest size within noise of the best, 2**20 included, at 2,000 and at
#: 20,000 reviews: benchmarks/results/ngram_table.md).
AUTO_BUCKETS = 2**18
#: From this many classes on, the n-gram table is factorised (fastText's
#: hidden layer): ``NGRAM_RANK`` columns and a ``(C, NGRAM_RANK)``
#: projection instead of one column per class, and ``'auto'`` gives it
#: ``AUTO_TABLE_FLOATS // NGRAM_RANK`` rows, so its size stops growing with
#: the classes (2**23 floats: 32 MB, four times that while training with
#: Adam).
NGRAM_RANK_FROM, NGRAM_RANK, AUTO_TABLE_FLOATS = 9, 32, 2**23
#: The most rows ``'auto'`` has given in any version: a saved 'auto' table
#: of up to this many rows loads as it is (the rule changed between versions:
#: sklearn_rnn 0.1 used plain tables of 2**16 to 2**20 rows).
MAX_AUTO_BUCKETS = max(2**20, AUTO_BUCKETS)

#: Parameters of the classifiers passed to the module under the same name.
MODULE_PARAMS = ("hidden_size", "num_layers", "bidirectional", "dropout", "pooling",
                 "freeze_embeddings", "ngram_range", "ngram_buckets", "conv_filters",
                 "conv_kernel_size", "conv_pool_size", "dense_units")
#: Module arguments the classifiers set themselves (never passed through as
#: ``module__*``).
MODULE_OWNED = MODULE_PARAMS + ("cell", "vocab_size", "n_classes", "embedding_dim",
                                "embeddings", "token_keys", "seed", "ngram_rank")


def ngram_layout(ngram_buckets, n_classes):
    """``(rows, rank)`` of the n-gram table for ``C`` classes.

    Parameters
    ----------
    ngram_buckets : int or 'auto'
        The rows asked for, or ``'auto'``: ``AUTO_BUCKETS`` rows up to
        ``NGRAM_RANK_FROM - 1`` classes, ``AUTO_TABLE_FLOATS // NGRAM_RANK``
        from then on.
    n_classes : int

    Returns
    -------
    rows : int
    rank : int or None
        Columns of a factorised table (``NGRAM_RANK`` from
        ``NGRAM_RANK_FROM`` classes on); None: one column per class.

    Examples
    --------
    >>> from sklearn_rnn._nn._layout import ngram_layout
    >>> ngram_layout("auto", 2), ngram_layout("auto", 20), ngram_layout(1000, 20)
    ((262144, None), (262144, 32), (1000, 32))
    """
    rank = NGRAM_RANK if n_classes >= NGRAM_RANK_FROM else None
    if ngram_buckets != "auto":
        return int(ngram_buckets), rank
    return (AUTO_BUCKETS if rank is None else AUTO_TABLE_FLOATS // NGRAM_RANK), rank


def module_kwargs(params, sizes):
    """The module's arguments (without the initial embeddings, the n-gram
    keys and the seed).

    Parameters
    ----------
    params : mapping
        The classifier's parameters: at least those of ``MODULE_PARAMS`` and
        ``'cell'``; its ``module__*`` pass-through ones are passed on without
        the prefix.
    sizes : dict
        What the data decides: ``vocab_size``, ``n_classes`` and
        ``embedding_dim``; a saved model adds ``ngram_buckets`` and
        ``ngram_rank``, its table as saved (:func:`saved_ngram_layout`),
        instead of :func:`ngram_layout`'s.

    Returns
    -------
    kwargs : dict
    """
    kwargs = {k: params[k] for k in MODULE_PARAMS}
    kwargs.update(sizes, cell=params["cell"])
    if "ngram_buckets" not in sizes:
        kwargs["ngram_buckets"], kwargs["ngram_rank"] = ngram_layout(
            params["ngram_buckets"], sizes["n_classes"])
    kwargs.update((k.partition("__")[2], v) for k, v in params.items()
                  if k.startswith("module__"))
    return kwargs


def saved_ngram_layout(shapes, ngram_buckets, ngram_range):
    """The n-gram table of a saved module, as the module must be built to load it.

    The 'auto' rule changed between versions, so a saved 'auto' table is
    taken as it is, up to the most rows any version gave for its column
    count (so that a file cannot declare a table of gigabytes); an explicit
    ``ngram_buckets`` must match. A layout no version made is built as this
    version would, and the weights' shape check then refuses the file.

    Parameters
    ----------
    shapes : dict
        Weight name -> shape, as saved.
    ngram_buckets : int or 'auto'
    ngram_range : tuple or None
        The classifier's parameters.

    Returns
    -------
    layout : dict
        ``{'ngram_buckets': rows, 'ngram_rank': rank}``, the
        :func:`module_kwargs` sizes to add; empty without an n-gram table.
    """
    table, proj = shapes.get("ngram.table.weight"), shapes.get("ngram.proj.weight")
    if ngram_range is None or table is None or len(table) != 2:
        return {}
    rank = None if proj is None or len(proj) != 2 else int(proj[1])
    if rank is not None and rank != NGRAM_RANK:
        rank = None  # no version made it
    rows, columns = int(table[0]), int(table[1])
    if rank is None:  # one column per class: sklearn_rnn 0.1's rule gave the most
        most = max(2**16, min(MAX_AUTO_BUCKETS, AUTO_TABLE_FLOATS // max(columns, 1)))
    else:
        most = AUTO_TABLE_FLOATS // NGRAM_RANK
    if ngram_buckets != "auto" or not 2 <= rows <= most:
        rows = ngram_layout(ngram_buckets, 1 if rank is None else NGRAM_RANK_FROM)[0]
    return {"ngram_buckets": rows, "ngram_rank": rank}
