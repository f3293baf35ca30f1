"""Models saved by an earlier sklearn_rnn load and predict the same.

``tests/data/compat/`` holds three pipelines (an LSTM with the n-gram path, a
post-padded RNN without it, a ragged bidirectional GRU with the conv
front-end, a dense layer, class weights and pretrained vectors) written by
``main`` at 0c24e49, before the layered layout, with pickle, joblib and skops,
and the probabilities each gave when saved (``make_fixtures.py`` wrote them).
"""

import json
import pickle
from pathlib import Path

import joblib
import numpy as np
import pytest

DATA = Path(__file__).parents[1] / "data" / "compat"
EXPECTED = json.loads((DATA / "expected.json").read_text())
MODELS = sorted(EXPECTED["proba"])


def _load(name, kind):
    path = DATA / f"{name}.{kind}"
    if kind == "pkl":
        with open(path, "rb") as f:
            return pickle.load(f)
    if kind == "joblib":
        return joblib.load(path)
    pytest.importorskip("skops")
    from sklearn_rnn.persistence import load_skops

    return load_skops(path)


@pytest.mark.parametrize("kind", ["pkl", "joblib", "skops"])
@pytest.mark.parametrize("name", MODELS)
def test_models_saved_before_the_layered_layout_predict_the_same(name, kind):
    model = _load(name, kind)
    np.testing.assert_allclose(model.predict_proba(EXPECTED["docs"]),
                               EXPECTED["proba"][name], atol=1e-6)
    # and they are the classes of today, which save under their public names
    assert type(model[-1]).__module__ == type(model[0]).__module__ == "sklearn_rnn"


def test_a_loaded_old_model_saves_and_loads_again(tmp_path):
    model = _load("gru_all_options", "pkl")
    path = tmp_path / "again.pkl"
    with open(path, "wb") as f:
        pickle.dump(model, f)
    assert b"sklearn_rnn._embeddings" not in path.read_bytes()
    with open(path, "rb") as f:
        again = pickle.load(f)
    np.testing.assert_allclose(again.predict_proba(EXPECTED["docs"]),
                               EXPECTED["proba"]["gru_all_options"], atol=1e-6)
