"""The torch module: masks and pooling read only the real positions."""

import pytest
import torch

from sklearn_rnn._module import RecurrentClassifierModule, pool


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
