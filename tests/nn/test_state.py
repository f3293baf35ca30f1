"""The saved-model format's checks, shared by unpickling and ``load_skops``:
the format-1 migration, the weights' shapes the parameters make, and the
first weight that differs."""

import numpy as np
import torch

from sklearn_rnn._nn._module import RecurrentClassifierModule, meta_module
from sklearn_rnn._nn._state import migrate_net_state, mismatched_weight, weight_shapes

SIZES = dict(vocab_size=30, n_classes=3, embedding_dim=6)


def test_format_1_sizes_move_into_module_sizes():
    old = {"format": 1, "n_vocab": 30, "n_classes": 3, "embedding_dim": 6, "module": {}}
    assert migrate_net_state(old)["module_sizes"] == SIZES
    assert "module_sizes" not in old  # the saved dict is left as it was
    current = {"format": 2, "module_sizes": SIZES}
    assert migrate_net_state(current) is current


def test_weight_shapes_are_those_of_the_built_module_without_allocating():
    kwargs = dict(cell="lstm", hidden_size=4, ngram_range=(1, 2), ngram_buckets=64,
                  conv_filters=5, seed=123, **SIZES)
    state = torch.get_rng_state()
    probe = meta_module(kwargs)
    assert torch.equal(torch.get_rng_state(), state)  # no draw from the global RNG
    assert all(p.device.type == "meta" for p in probe.parameters())
    real = RecurrentClassifierModule(**kwargs).state_dict()
    assert weight_shapes(kwargs) == {k: tuple(v.shape) for k, v in real.items()}
    assert weight_shapes(kwargs)["rnn.weight_ih_l0"] == (16, 5)  # 4 gates of 4, conv's 5


def test_the_first_mismatched_weight_by_name_is_named():
    expected = {"a": (2, 3), "b": (4,), "c": (1,)}
    assert mismatched_weight(dict(expected), expected) is None
    assert mismatched_weight({**expected, "b": (5,), "c": (2,)}, expected) == "b"
    missing = {k: v for k, v in expected.items() if k != "c"}
    assert mismatched_weight(missing, expected) == "c"
    assert mismatched_weight({**expected, "extra": (1,)}, expected) == "extra"
    shapes = {k: np.zeros(v).shape for k, v in expected.items()}  # numpy shapes are tuples
    assert mismatched_weight(shapes, expected) is None
