"""Saving and loading: pickle, joblib, skops; plain data only; old files."""

import pickle
from pathlib import Path

import joblib
import numpy as np
import pytest
import torch
from skorch.exceptions import DeviceWarning

from sklearn_rnn import LSTMSentimentClassifier

from ..conftest import FAST, make_reviews

DOCS, _ = make_reviews(100, seed=9)


def test_pickle_and_joblib_roundtrip(fitted_pipeline, tmp_path):
    X_test = DOCS
    expected = fitted_pipeline.predict_proba(X_test[:100])
    restored = pickle.loads(pickle.dumps(fitted_pipeline))
    np.testing.assert_array_equal(restored.predict_proba(X_test[:100]), expected)
    joblib.dump(fitted_pipeline, tmp_path / "model.joblib")
    restored = joblib.load(tmp_path / "model.joblib")
    np.testing.assert_array_equal(restored.predict_proba(X_test[:100]), expected)


def test_cuda_trained_model_loads_on_cpu(fitted_pipeline):
    # What a model pickled on a GPU machine looks like: skorch records the
    # CUDA device. On a machine without CUDA it must map to the CPU.
    if torch.cuda.is_available():
        pytest.skip("needs a machine without CUDA")
    X_test = DOCS
    model = pickle.loads(pickle.dumps(fitted_pipeline))
    model[-1].net_.device = "cuda"
    model[-1].device_ = "cuda"
    buffer = pickle.dumps(model)
    with pytest.warns(DeviceWarning, match="cuda"):
        restored = pickle.loads(buffer)
    assert restored[-1].device_ == "cpu"
    np.testing.assert_array_equal(
        restored.predict_proba(X_test[:50]), fitted_pipeline.predict_proba(X_test[:50])
    )


def test_skorch_save_and_load_params(fitted_pipeline, tmp_path):
    X_test = DOCS
    clf = fitted_pipeline[-1]
    ids = fitted_pipeline[0].transform(X_test[:50])
    clf.net_.save_params(f_params=tmp_path / "params.pt")
    other = pickle.loads(pickle.dumps(clf))
    with torch.no_grad():
        for p in other.net_.module_.parameters():
            p.zero_()
    assert not np.allclose(other.predict_proba(ids), clf.predict_proba(ids))
    other.net_.load_params(f_params=tmp_path / "params.pt")
    np.testing.assert_array_equal(other.predict_proba(ids), clf.predict_proba(ids))



def test_pickle_holds_no_torch_objects_or_training_data(review_ids):
    X, y, _ = review_ids
    clf = LSTMSentimentClassifier(early_stopping=True, **FAST).fit(X, y)
    state = clf.__getstate__()
    assert "net_" not in state and "net_" in vars(clf)  # the live model is untouched

    def walk(value):
        if isinstance(value, dict):
            for v in value.values():
                yield from walk(v)
        elif isinstance(value, (list, tuple)):
            for v in value:
                yield from walk(v)
        else:
            yield value

    kinds = {type(v).__module__.split(".")[0] for v in walk(state["net_state_"])}
    assert kinds <= {"builtins", "numpy"}
    # the validation split (training data) is not saved with the model
    blob = pickle.dumps(clf)
    assert b"SequenceDataset" not in blob
    # no tensors or modules: the only torch name is the optimizer class parameter
    assert b"torch._utils" not in blob and b"torch.nn" not in blob
    assert b"torch.optim.adam" in blob
    restored = pickle.loads(blob)
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))
    assert len(restored.history_) == len(clf.history_)
    assert restored.history_[-1, "valid_loss"] == clf.history_[-1, "valid_loss"]


def test_restored_model_continues_training_with_warm_start(review_ids):
    X, y, _ = review_ids
    clf = LSTMSentimentClassifier(warm_start=True, **FAST).fit(X, y)
    restored = pickle.loads(pickle.dumps(clf))
    restored.fit(X, y)
    clf.fit(X, y)  # the same continuation without the round trip
    np.testing.assert_allclose(restored.predict_proba(X), clf.predict_proba(X), atol=1e-6)
    assert len(restored.history_) == 2 * FAST["max_epochs"]


def test_skops_round_trip_with_documented_trusted_types(fitted_pipeline, tmp_path):
    sio = pytest.importorskip("skops.io")
    from sklearn_rnn.persistence import SKOPS_TRUSTED_TYPES, load_skops

    X_test = DOCS
    path = tmp_path / "model.skops"
    sio.dump(fitted_pipeline, path)
    untrusted = sio.get_untrusted_types(file=path)
    assert set(untrusted) <= set(SKOPS_TRUSTED_TYPES)
    with pytest.raises(Exception, match="[Uu]ntrusted"):
        sio.load(path)  # skops refuses until the types are trusted
    loaded = sio.load(path, trusted=SKOPS_TRUSTED_TYPES)
    expected = fitted_pipeline.predict_proba(X_test[:200])
    np.testing.assert_array_equal(loaded.predict_proba(X_test[:200]), expected)
    np.testing.assert_array_equal(load_skops(path).predict_proba(X_test[:200]), expected)


def test_load_skops_names_unexpected_types(review_ids, tmp_path):
    sio = pytest.importorskip("skops.io")
    from skorch.callbacks import EpochTimer

    from sklearn_rnn.persistence import load_skops

    X, y, _ = review_ids
    clf = LSTMSentimentClassifier(callbacks=[("timer2", EpochTimer())], **FAST).fit(X, y)
    path = tmp_path / "model.skops"
    sio.dump(clf, path)
    with pytest.raises(TypeError, match="skorch.callbacks.logging.EpochTimer"):
        load_skops(path)
    loaded = load_skops(path, trusted=["skorch.callbacks.logging.EpochTimer"])
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))


def test_model_saved_by_sklearn_rnn_0_1_loads_and_predicts_the_same():
    # written by sklearn_rnn 0.1.0 (saved-model format 1) before the classifier
    # was split into modules
    path = Path(__file__).parents[1] / "data" / "pipeline_sklearn_rnn_0.1.pkl"
    with open(path, "rb") as f:
        saved = pickle.load(f)
    assert saved["version"] == "0.1.0"
    np.testing.assert_allclose(saved["model"].predict_proba(saved["docs"]), saved["proba"],
                               atol=1e-12)
    assert saved["model"][-1].n_vocab_ == len(saved["model"][0].vocabulary_)
