"""The torch module: masks and pooling read only the real positions."""

import pytest
import torch

from sklearn_rnn._nn._module import (
    GeneratorDropout,
    NgramBag,
    RandomSource,
    RecurrentClassifierModule,
    init_ngram_from_counts,
    ngram_document_counts,
    ngram_rows,
    pool,
    token_keys,
)


def _module(cell="lstm", **params):
    torch.manual_seed(0)
    return RecurrentClassifierModule(cell, vocab_size=30, n_classes=3, embedding_dim=6,
                                     hidden_size=5, **params).eval()


def _pre_padded(tokens, width):
    ids = torch.zeros((1, width), dtype=torch.long)
    if tokens:
        ids[0, width - len(tokens):] = torch.tensor(tokens)
    return ids, torch.tensor([len(tokens)])


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("pooling", ["last", "max", "mean"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_rows_of_a_batch_do_not_interact(cell, pooling, bidirectional):
    # the classifiers rely on this: a document padded to its bucket's width
    # gives the same logits alone or in any batch
    module = _module(cell, pooling=pooling, bidirectional=bidirectional, num_layers=2)
    docs = [[4, 9, 2, 17], [5], [], [3, 3, 3, 3, 3, 3, 3, 8]]
    batch = torch.cat([_pre_padded(d, 8)[0] for d in docs])
    lengths = torch.tensor([len(d) for d in docs])
    with torch.no_grad():
        together = module(batch, lengths)
        for i, doc in enumerate(docs):
            torch.testing.assert_close(module(*_pre_padded(doc, 8))[0], together[i])
    assert together.shape == (4, 3) and torch.isfinite(together).all()


def test_last_pooling_reads_the_last_real_state_and_backward_first():
    module = _module("gru", pooling="last", bidirectional=True)
    ids, lengths = _pre_padded([3, 4, 5], 6)
    with torch.no_grad():
        out, _ = module.rnn(module.embedding(ids))
        pooled = pool(out, lengths, "last", bidirectional=True)
    H = module.hidden_size
    torch.testing.assert_close(pooled[0, :H], out[0, -1, :H])  # forward: last position
    torch.testing.assert_close(pooled[0, H:], out[0, 3, H:])  # backward: first real one


def test_max_and_mean_pool_over_real_positions_only():
    out = torch.tensor([[[100.0], [1.0], [3.0]], [[-5.0], [-7.0], [2.0]]])  # (B=2, T=3, 1)
    lengths = torch.tensor([2, 1])
    torch.testing.assert_close(pool(out, lengths, "max"), torch.tensor([[3.0], [2.0]]))
    torch.testing.assert_close(pool(out, lengths, "mean"), torch.tensor([[2.0], [2.0]]))
    empty = pool(out, torch.tensor([0, 0]), "max")
    assert not empty.any()


def test_empty_document_gives_finite_logits():
    for pooling in ("last", "max", "mean"):
        module = _module(pooling=pooling)
        with torch.no_grad():
            logits = module(*_pre_padded([], 4))
        assert torch.isfinite(logits).all()


def test_pretrained_rows_and_freezing():
    matrix = torch.arange(30 * 6, dtype=torch.float32).reshape(30, 6)
    module = _module(embeddings=matrix, freeze_embeddings=True)
    torch.testing.assert_close(module.embedding.weight[1:], matrix[1:])
    assert not module.embedding.weight[0].any()  # padding row zeroed
    assert not module.embedding.weight.requires_grad


def test_ngram_rows_skip_padding_and_depend_only_on_the_document():
    keys = torch.arange(30)
    ids, lengths = _pre_padded([4, 9, 2], 6)
    rows = ngram_rows(ids, lengths, keys, (1, 2), 1000)
    # 3 unigrams and 2 bigrams are real; every slot touching padding is 0
    assert (rows != 0).sum() == 5 and rows.shape == (1, 7 + 6)  # one slot in front per n
    wider = ngram_rows(*_pre_padded([4, 9, 2], 11), keys, (1, 2), 1000)
    assert sorted(rows[rows != 0].tolist()) == sorted(wider[wider != 0].tolist())
    swapped = ngram_rows(*_pre_padded([9, 4, 2], 6), keys, (1, 2), 1000)
    assert sorted(swapped[swapped != 0].tolist()) != sorted(rows[rows != 0].tolist())
    assert ((rows >= 0) & (rows < 1000)).all()


def test_ngram_bag_is_exact_under_padding_and_batching():
    torch.manual_seed(0)
    bag = NgramBag(30, 2, (1, 3), 4096)
    torch.nn.init.normal_(bag.table.weight)
    docs = [[4, 9, 2, 17], [5], [], [3, 3, 3, 8]]
    batch = torch.cat([_pre_padded(d, 7)[0] for d in docs])
    together = bag(batch, torch.tensor([len(d) for d in docs]))
    for i, doc in enumerate(docs):
        torch.testing.assert_close(bag(*_pre_padded(doc, len(doc) or 1))[0], together[i])
    assert not together[2].any()  # an empty document adds nothing


def test_token_keys_are_stable_hashes_of_the_text():
    a = token_keys(["<pad>", "<unk>", "good", "film"])
    b = token_keys(["film", "good"])
    assert a[2] == b[1] and a[3] == b[0]  # the same token, another id: the same key
    assert a.dtype == torch.long and (a >= 0).all()


# --------------------------------------------------------------------------- #
# randomness: the module's own generators
# --------------------------------------------------------------------------- #
def test_a_module_is_built_from_its_seed_without_the_global_rng():
    state = torch.get_rng_state()
    a = RecurrentClassifierModule("lstm", 50, 3, embedding_dim=6, hidden_size=5, seed=7,
                                  ngram_range=(1, 2), ngram_buckets=64, conv_filters=4,
                                  dense_units=3)
    assert torch.equal(torch.get_rng_state(), state)
    b = RecurrentClassifierModule("lstm", 50, 3, embedding_dim=6, hidden_size=5, seed=7,
                                  ngram_range=(1, 2), ngram_buckets=64, conv_filters=4,
                                  dense_units=3)
    c = RecurrentClassifierModule("lstm", 50, 3, embedding_dim=6, hidden_size=5, seed=8,
                                  ngram_range=(1, 2), ngram_buckets=64, conv_filters=4,
                                  dense_units=3)
    for (name, p), q, r in zip(a.state_dict().items(), b.state_dict().values(),
                               c.state_dict().values(), strict=True):
        torch.testing.assert_close(p, q)
        if name.startswith(("embedding", "rnn", "classifier", "conv", "dense")):
            assert not torch.equal(p, r), name


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_initial_weights_follow_pytorchs_default_distributions(cell):
    module = RecurrentClassifierModule(cell, 4000, 3, embedding_dim=50, hidden_size=40,
                                       dense_units=30, conv_filters=20, conv_kernel_size=3,
                                       ngram_range=(1, 2), ngram_buckets=128, seed=0)
    # PyTorch's reset_parameters: U(-b, b) with b = 1/sqrt(fan_in) for linear and
    # convolution weights (Kaiming-uniform, a=sqrt(5)) and biases, 1/sqrt(H) for
    # every recurrent weight
    bounds = {"conv.conv.weight": 1 / (50 * 3) ** 0.5, "conv.conv.bias": 1 / (50 * 3) ** 0.5,
              "rnn.weight_ih_l0": 1 / 40 ** 0.5, "rnn.weight_hh_l0": 1 / 40 ** 0.5,
              "rnn.bias_hh_l0": 1 / 40 ** 0.5, "dense.0.weight": 1 / 40 ** 0.5,
              "dense.0.bias": 1 / 40 ** 0.5, "classifier.weight": 1 / 30 ** 0.5,
              "classifier.bias": 1 / 30 ** 0.5}
    ours = module.state_dict()
    for name, bound in bounds.items():
        got = ours[name]
        assert got.abs().max().item() <= bound, name
        if got.numel() >= 1000:  # the whole interval is used, uniformly
            assert got.abs().max().item() > 0.95 * bound, name
            assert abs(got.std().item() / (bound / 3 ** 0.5) - 1) < 0.1, name
    embedding = ours["embedding.weight"]  # N(0, 1), the padding row zero
    assert not embedding[0].any()
    assert abs(embedding[1:].std().item() - 1) < 0.02 and abs(embedding[1:].mean().item()) < 0.02
    assert not ours["ngram.table.weight"].any()  # the linear n-gram model starts at zero


def test_stacked_layers_run_one_by_one_equal_torchs_fused_layers():
    module = RecurrentClassifierModule("lstm", 30, 2, embedding_dim=6, hidden_size=5,
                                       num_layers=3, bidirectional=True, dropout=0.5, seed=0)
    x = torch.randn(4, 7, 6)
    module.train()
    module.layer_dropout = 1e-12  # the layer-by-layer path, masks (almost surely) all ones
    torch.testing.assert_close(module.recurrent(x), module.rnn(x)[0])
    module.layer_dropout = 0.5
    dropped = module.recurrent(x)
    assert not torch.allclose(dropped, module.rnn(x)[0])
    module.eval()  # prediction: the fused layers, no dropout
    torch.testing.assert_close(module.recurrent(x), module.rnn(x)[0])
    assert module.rnn.dropout == 0  # torch's own dropout (global RNG) is never used


def test_generator_dropout_draws_from_its_source():
    source = RandomSource(3)
    drop = GeneratorDropout(0.5, source).train()
    x = torch.ones(1000)
    state = torch.get_rng_state()
    first = drop(x)
    assert torch.equal(torch.get_rng_state(), state)
    assert set(first.unique().tolist()) == {0.0, 2.0}  # kept ones scaled by 1 / (1 - p)
    assert 400 < int((first == 0).sum()) < 600
    again = GeneratorDropout(0.5, RandomSource(3)).train()(x)
    torch.testing.assert_close(first, again)  # the same seed, the same masks
    assert not torch.equal(drop(x), first)  # the stream goes on
    assert drop.eval()(x) is x and GeneratorDropout(0.0, source).train()(x) is x
    copied = RandomSource(0)
    copied.set_state(source.get_state())
    torch.testing.assert_close(GeneratorDropout(0.5, copied).train()(x), drop.train()(x))


def test_token_keys_take_a_lone_surrogate():
    keys = token_keys(["a", "\ud800", "b\udfff"])
    assert keys.shape == (3,) and len(set(keys.tolist())) == 3


def test_ngram_counts_binarise_each_document_and_weigh_it():
    bag = NgramBag(30, 2, (1, 2), 4096)
    docs, labels = [[4, 9, 4], [9, 2], [4]], [0, 1, 1]
    ids = torch.cat([_pre_padded(d, 3)[0] for d in docs])
    lengths = torch.tensor([len(d) for d in docs])
    counts, totals, documents = ngram_document_counts(
        bag, [(ids, lengths, labels, [1.0, 2.0, 1.0])], 2)
    rows = [set(ngram_rows(*_pre_padded(d, 3), bag.keys, (1, 2), 4096)[0].tolist()) - {0}
            for d in docs]
    unigram_4 = next(iter(rows[2]))  # the third document is the unigram '4' alone
    # once per document that holds it ('4' twice in the first counts once), times its weight
    assert counts[0, unigram_4] == 1 and counts[1, unigram_4] == 1
    assert counts[0].sum() == len(rows[0]) and counts[1].sum() == 2 * len(rows[1]) + 1
    assert totals.tolist() == [1.0, 3.0]  # the classes' weights
    assert documents[unigram_4] == 2 and documents.sum() == sum(map(len, rows))  # unweighted
    assert counts[:, 0].eq(0).all() and documents[0] == 0


@pytest.mark.parametrize("n_classes", [2, 3])
def test_ngram_table_starts_from_the_log_ratios_of_document_shares(n_classes):
    bag = NgramBag(30, n_classes, (1, 1), 8)
    counts = torch.zeros(n_classes, 8, dtype=torch.float64)
    counts[:, 1:5] = torch.rand(n_classes, 4, generator=torch.Generator().manual_seed(0)) * 5
    totals = torch.arange(1, n_classes + 1, dtype=torch.float64) * 10  # classes of any size
    rows = torch.tensor([False, True, True, True, False, False, False, False])
    init_ngram_from_counts(bag, counts, totals, scale=0.5, smoothing=0.01, rows=rows)
    table = bag.table.weight.detach().double()
    for c in range(n_classes):
        share = counts[c, 1:4] / totals[c]
        others = (counts[:, 1:4].sum(dim=0) - counts[c, 1:4]) / (totals.sum() - totals[c])
        r = torch.log((share + 0.01) / (others + 0.01))  # class c against the others
        torch.testing.assert_close(table[1:4, c], 0.25 * r, check_dtype=False)
    # padding, rows outside ``rows`` (row 4 is held) and rows nobody holds: zero
    assert not table[0].any() and not table[4:].any()
    if n_classes == 2:  # [-r/2, +r/2] * scale: the difference is r * scale
        torch.testing.assert_close(table[:, 0], -table[:, 1])
    # shares do not change when every weight is scaled
    again = NgramBag(30, n_classes, (1, 1), 8)
    init_ngram_from_counts(again, 3 * counts, 3 * totals, scale=0.5, smoothing=0.01, rows=rows)
    torch.testing.assert_close(again.table.weight, bag.table.weight)
