"""What the classifiers' parameters build: the n-gram table's layout, the
module's arguments, and the layout of a saved table."""

import pytest

from sklearn_rnn._nn._layout import (
    AUTO_BUCKETS,
    AUTO_TABLE_FLOATS,
    MAX_AUTO_BUCKETS,
    MODULE_PARAMS,
    NGRAM_RANK,
    NGRAM_RANK_FROM,
    module_kwargs,
    ngram_layout,
    saved_ngram_layout,
)
from sklearn_rnn._nn._state import weight_shapes

#: Parameters of a classifier, as ``get_params`` gives them (and its cell).
PARAMS = dict(cell="gru", hidden_size=5, num_layers=1, bidirectional=False, dropout=0.0,
              pooling="max", freeze_embeddings=False, ngram_range=(1, 2), ngram_buckets="auto",
              conv_filters=None, conv_kernel_size=3, conv_pool_size=2, dense_units=None,
              lr=0.01, batch_size=32)


def _table(shapes):
    return shapes["ngram.table.weight"], shapes.get("ngram.proj.weight")


@pytest.mark.parametrize("n_classes", [2, NGRAM_RANK_FROM - 1, NGRAM_RANK_FROM, 300])
def test_auto_gives_one_column_per_class_then_a_factorised_table(n_classes):
    rows, rank = ngram_layout("auto", n_classes)
    if n_classes < NGRAM_RANK_FROM:
        assert (rows, rank) == (AUTO_BUCKETS, None)
    else:  # the table's size stops growing with the classes
        assert (rows, rank) == (AUTO_TABLE_FLOATS // NGRAM_RANK, NGRAM_RANK)
    # an explicit size keeps the rule's columns
    assert ngram_layout(1000, n_classes) == (1000, rank)


@pytest.mark.parametrize("n_classes", [2, 12])
def test_the_modules_default_table_is_the_classifiers_auto_table(n_classes):
    sizes = dict(vocab_size=30, n_classes=n_classes, embedding_dim=6)
    default = _table(weight_shapes(dict(cell="gru", ngram_range=(1, 2), **sizes)))
    rows, rank = ngram_layout("auto", n_classes)
    assert default == ((rows, rank or n_classes), rank and (n_classes, rank))
    assert default == _table(weight_shapes(module_kwargs(PARAMS, sizes)))


def test_module_kwargs_take_the_parameters_the_sizes_and_module_pass_through():
    sizes = dict(vocab_size=30, n_classes=3, embedding_dim=6)
    kwargs = module_kwargs({**PARAMS, "module__bias_note": "kept"}, sizes)
    assert kwargs == {**{k: PARAMS[k] for k in MODULE_PARAMS}, **sizes, "cell": "gru",
                      "ngram_buckets": AUTO_BUCKETS, "ngram_rank": None, "bias_note": "kept"}
    # training parameters are not the module's
    assert "lr" not in kwargs and "batch_size" not in kwargs
    # a saved model gives the table it has
    saved = module_kwargs(PARAMS, {**sizes, "ngram_buckets": 77, "ngram_rank": None})
    assert (saved["ngram_buckets"], saved["ngram_rank"]) == (77, None)


def test_a_saved_auto_table_is_taken_as_it_is_within_what_a_version_made():
    plain = {"ngram.table.weight": (2**20, 2)}  # sklearn_rnn 0.1's 'auto'
    assert saved_ngram_layout(plain, "auto", (1, 2)) == {"ngram_buckets": 2**20,
                                                         "ngram_rank": None}
    factorised = {"ngram.table.weight": (2**18, NGRAM_RANK),
                  "ngram.proj.weight": (20, NGRAM_RANK)}
    assert saved_ngram_layout(factorised, "auto", (1, 2)) == {"ngram_buckets": 2**18,
                                                              "ngram_rank": NGRAM_RANK}
    # a plain table of many columns: 'auto' never gave it more than
    # AUTO_TABLE_FLOATS // C rows (and never fewer than 2**16): built as now
    huge = {"ngram.table.weight": (MAX_AUTO_BUCKETS, 360)}
    assert saved_ngram_layout(huge, "auto", (1, 2)) == {"ngram_buckets": AUTO_BUCKETS,
                                                        "ngram_rank": None}
    old = {"ngram.table.weight": (2**23 // 360, 360)}
    assert saved_ngram_layout(old, "auto", (1, 2))["ngram_buckets"] == 2**23 // 360


def test_a_saved_layout_no_version_made_is_built_as_this_version_would():
    # explicit ngram_buckets must match: the parameters decide, and the shape
    # check then refuses a file whose table differs
    table = {"ngram.table.weight": (500, 2)}
    assert saved_ngram_layout(table, 64, (1, 2)) == {"ngram_buckets": 64, "ngram_rank": None}
    odd_rank = {"ngram.table.weight": (2**18, 7), "ngram.proj.weight": (20, 7)}
    assert saved_ngram_layout(odd_rank, "auto", (1, 2)) == {"ngram_buckets": 2**18,
                                                            "ngram_rank": None}
    assert saved_ngram_layout({"ngram.table.weight": (1, 2)}, "auto", (1, 2))[
        "ngram_buckets"] == AUTO_BUCKETS


def test_no_saved_table_or_no_ngram_range_adds_nothing():
    assert saved_ngram_layout({}, "auto", (1, 2)) == {}
    assert saved_ngram_layout({"ngram.table.weight": (64, 2)}, "auto", None) == {}
