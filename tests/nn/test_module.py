"""The torch module: masks and pooling read only the real positions."""

import pytest
import torch

from sklearn_rnn._nn._module import (
    NgramBag,
    RecurrentClassifierModule,
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
