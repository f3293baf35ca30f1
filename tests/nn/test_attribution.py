"""Integrated gradients and the n-gram path's exact share, on the torch module."""

import numpy as np
import pytest
import torch

from sklearn_rnn._nn._attribution import (
    _ngram_attributions,
    _recurrent_logits,
    attribute_batch,
    attribute_dataset,
    gauss_legendre,
    score_directions,
)
from sklearn_rnn._nn._data import to_dataset
from sklearn_rnn._nn._module import RecurrentClassifierModule

ARCHITECTURES = {
    "rnn-last": dict(cell="rnn", pooling="last"),
    "lstm-max": dict(cell="lstm", pooling="max"),
    "gru-mean": dict(cell="gru", pooling="mean"),
    "bilstm-last-2layers": dict(cell="lstm", pooling="last", bidirectional=True, num_layers=2),
    "bigru-max": dict(cell="gru", pooling="max", bidirectional=True),
    "conv-lstm": dict(cell="lstm", conv_filters=6, conv_kernel_size=3, conv_pool_size=2),
    "lstm-ngrams": dict(cell="lstm", ngram_range=(1, 3), ngram_buckets=97),
    "lstm-dense-dropout": dict(cell="lstm", dense_units=5, dropout=0.5),
    "frozen-pretrained": dict(cell="gru", embeddings=torch.randn(30, 6),
                              freeze_embeddings=True),
}


def _module(cell="lstm", n_classes=3, **params):
    torch.manual_seed(0)
    module = RecurrentClassifierModule(cell, vocab_size=30, n_classes=n_classes,
                                       embedding_dim=6, hidden_size=5, **params)
    if module.ngram is not None:  # a trained table, not zeros
        torch.nn.init.normal_(module.ngram.table.weight)
    return module.eval()


def _batch(docs, width):
    ids = torch.zeros((len(docs), width), dtype=torch.long)
    for i, doc in enumerate(docs):
        if doc:
            ids[i, width - len(doc):] = torch.tensor(doc)
    return ids, torch.tensor([len(d) for d in docs])


DOCS = [[4, 9, 2, 17, 11, 3], [5, 8], [3, 3, 3, 3, 3, 3, 3, 8], [21]]


@pytest.mark.parametrize("name", ARCHITECTURES)
def test_recurrent_path_plus_ngrams_is_the_module(name):
    # the attribution's copy of forward (without the embedding lookup) must
    # stay the module's forward
    module = _module(**ARCHITECTURES[name])
    ids, lengths = _batch(DOCS, 8)
    with torch.no_grad():
        expected = module(ids, lengths)
        got = _recurrent_logits(module, module.embedding(ids), lengths)
        if module.ngram is not None:
            got = got + module.ngram(ids, lengths)
    torch.testing.assert_close(got, expected)


@pytest.mark.parametrize("name", ARCHITECTURES)
def test_attributions_add_up_to_the_score_change(name):
    # completeness: sum of attributions = f(x) - f(baseline), to the
    # tolerance asked, for every architecture
    module = _module(**ARCHITECTURES[name])
    ids, lengths = _batch(DOCS, 8)
    out = attribute_batch(module, ids, lengths, n_steps=4, tolerance=1e-3)
    change = out["score"] - out["baseline"]
    gap = out["attributions"].sum(1) - change
    assert out["attributions"].shape == (4, 8)
    assert torch.all(gap.abs() <= 1e-3 * change.abs().clamp(min=0.2) + 1e-6), (gap, change)
    # padding positions get nothing
    assert torch.all(out["attributions"][ids == 0] == 0)
    # a fixed rule: Gauss-Legendre is near exact for smooth paths (tanh and
    # sigmoid cells, 'last' and 'mean' pooling); max pooling and ReLU (conv,
    # dense) put kinks on the path, where it converges more slowly
    params = ARCHITECTURES[name]
    if params.get("pooling") in ("last", "mean") and not {"dense_units", "conv_filters"} & \
            set(params):
        fixed = attribute_batch(module, ids, lengths, n_steps=16, tolerance=0)
        gap = fixed["attributions"].sum(1) - change
        assert torch.all(gap.abs() <= 1e-4 * change.abs() + 1e-6), (gap, change)
        assert fixed["evaluations"].tolist() == [16] * 4


def test_adaptive_integral_refines_where_the_state_flips():
    # large embeddings saturate the cell: the score changes over a short
    # stretch of the path, which a fixed rule with few nodes misses
    module = _module("lstm", pooling="max")
    with torch.no_grad():
        module.embedding.weight.mul_(40.0)
    ids, lengths = _batch(DOCS, 8)
    fixed = attribute_batch(module, ids, lengths, n_steps=4, tolerance=0)
    adaptive = attribute_batch(module, ids, lengths, n_steps=4, tolerance=0.01)
    change = fixed["score"] - fixed["baseline"]
    fixed_gap = (fixed["attributions"].sum(1) - change).abs()
    gap = (adaptive["attributions"].sum(1) - change).abs()
    assert fixed_gap.max() > 0.05 * change.abs().max()  # the fixed rule misses
    assert torch.all(gap <= 0.01 * change.abs().clamp(min=0.2) + 1e-6), (gap, change)
    refined = adaptive["evaluations"] > 4
    assert refined.any() and torch.all(adaptive["evaluations"] <= 4 + 2 * 4 * 16)


def test_score_is_the_target_logit_minus_the_mean_of_the_others():
    module = _module(n_classes=3)
    ids, lengths = _batch(DOCS, 8)
    targets = torch.tensor([0, 1, 2, 1])
    out = attribute_batch(module, ids, lengths, targets, n_steps=4)
    with torch.no_grad():
        logits = module(ids, lengths)
    rows = torch.arange(4)
    others = (logits.sum(1) - logits[rows, targets]) / 2
    torch.testing.assert_close(out["score"], logits[rows, targets] - others)
    assert out["targets"].tolist() == [0, 1, 2, 1]
    # no target: the predicted class
    assert attribute_batch(module, ids, lengths, n_steps=4)["targets"].tolist() == \
        logits.argmax(1).tolist()


def test_with_two_classes_the_score_is_the_log_odds():
    module = _module(n_classes=2)
    ids, lengths = _batch(DOCS, 8)
    out = attribute_batch(module, ids, lengths, torch.ones(4, dtype=torch.long), n_steps=4)
    with torch.no_grad():
        p = torch.softmax(module(ids, lengths), 1)[:, 1]
    torch.testing.assert_close(out["score"], torch.log(p / (1 - p)))


def test_ngram_share_is_exact_and_split_evenly():
    # a unigram-and-bigram bag alone: each token gets its unigram row and half
    # of each bigram it is part of, times scale / sqrt(number of n-grams)
    module = _module(ngram_range=(1, 2), ngram_buckets=1009)
    bag = module.ngram
    ids, lengths = _batch([[4, 9, 2]], 5)
    v = score_directions(torch.tensor([1]), 3)
    attr, logits = _ngram_attributions(bag, ids, lengths, v)
    from sklearn_rnn._nn._module import ngram_rows

    rows = ngram_rows(ids, lengths, bag.keys, bag.ngram_range, bag.buckets)[0]
    present = rows[rows != 0]  # 3 unigrams then 2 bigrams, in order
    assert len(present) == 5
    w = bag.table.weight.detach() @ v[0] * bag.scale / np.sqrt(5)
    s = w[present]
    expected = torch.tensor([0, 0, s[0] + s[3] / 2, s[1] + s[3] / 2 + s[4] / 2, s[2] + s[4] / 2])
    torch.testing.assert_close(attr[0], expected)
    torch.testing.assert_close((logits @ v.T)[0, 0], attr.sum())


def test_gauss_legendre_integrates_polynomials_exactly():
    alphas, weights = gauss_legendre(4)
    assert np.isclose(weights.sum(), 1.0)
    assert np.isclose((weights * alphas ** 7).sum(), 1 / 8)  # degree 2n - 1
    assert np.all((alphas > 0) & (alphas < 1))


def test_a_document_is_explained_the_same_alone_or_in_a_batch():
    module = _module("gru", pooling="max", bidirectional=True)
    ids = np.array([[0, 0, 4, 9, 2], [5, 8, 7, 7, 1], [0, 0, 0, 0, 3]])
    together = attribute_dataset(module, to_dataset(ids), n_steps=8)
    alone = attribute_dataset(module, to_dataset(ids[:1]), n_steps=8)
    np.testing.assert_allclose(alone["attributions"][0], together["attributions"][0],
                               rtol=1e-5, atol=1e-6)
    assert [len(a) for a in together["attributions"]] == [3, 5, 1]
    assert [d.tolist() for d in together["ids"]] == [[4, 9, 2], [5, 8, 7, 7, 1], [3]]


def test_empty_documents_get_no_attributions():
    module = _module(ngram_range=(1, 2), ngram_buckets=97)
    out = attribute_dataset(module, to_dataset(np.array([[0, 0], [0, 4]])), n_steps=4)
    assert out["attributions"][0].shape == (0,)
    assert out["score"][0] == pytest.approx(out["baseline"][0])


def test_the_module_is_left_in_its_mode():
    module = _module(dropout=0.3).train()
    attribute_dataset(module, to_dataset(np.array([[0, 4, 5]])), n_steps=2)
    assert module.training
