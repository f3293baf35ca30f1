"""The skorch layer: batch sizes, the prediction pass and its memory fallback."""

import numpy as np
import pytest
import torch

from sklearn_rnn import LSTMSentimentClassifier

from ..conftest import FAST


@pytest.mark.parametrize("params, train, predict", [
    ({}, 32, 256),  # prediction batches are at least 256 documents
    ({"iterator_train__batch_size": 8}, 8, 256),
    ({"iterator_valid__batch_size": 20}, 32, 20),
    ({"iterator_valid__batch_size": -1}, 32, 300),  # -1: all documents, as in skorch
])
def test_batch_sizes_of_training_and_prediction(review_ids, params, train, predict):
    X, y, _ = review_ids
    clf = LSTMSentimentClassifier(**{**FAST, "max_epochs": 1}, **params).fit(X, y)
    assert max(clf.history_[-1, "batches", :, "train_batch_size"]) == train
    assert clf.net_.batch_size_for(len(X)) == predict  # validation during training
    np.testing.assert_allclose(
        clf.predict_proba(X),
        LSTMSentimentClassifier(**{**FAST, "max_epochs": 1}, **params).fit(X, y)
        .set_params(batch_size=5, iterator_valid__batch_size=5).predict_proba(X),
        atol=1e-6,
    )


def test_batch_size_set_after_fit_is_the_one_predict_uses(review_ids, monkeypatch):
    X, y, _ = review_ids
    clf = LSTMSentimentClassifier(**FAST).fit(X, y)
    seen = []
    step = clf.net_.evaluation_step
    monkeypatch.setattr(clf.net_, "evaluation_step",
                        lambda batch, training=False: seen.append(len(batch[1] if batch[1]
                                                                  is not None else
                                                                  batch[0]["ids"]))
                        or step(batch, training))
    clf.set_params(iterator_valid__batch_size=7).predict_proba(X)
    assert max(seen) == 7
    seen.clear()
    clf.set_params(iterator_valid__batch_size=None).predict_proba(X)
    assert max(seen) > 7  # whole buckets again (each bucket holds fewer than 256 here)


def test_exported_model_uses_the_batch_size_predict_uses(review_ids, tmp_path):
    pytest.importorskip("onnx")
    import json

    import onnx

    from sklearn_rnn import export_onnx

    X, y, _ = review_ids
    clf = LSTMSentimentClassifier(**FAST).fit(X, y)
    for params, expected in (({"batch_size": 512}, 512),
                             ({"iterator_valid__batch_size": 9}, 9)):
        clf.set_params(**params)
        path = export_onnx(clf, tmp_path / "model.onnx")
        metadata = json.loads(onnx.load(path).metadata_props[0].value)
        assert metadata["batch_size"] == expected  # what predict_proba now uses


def test_out_of_memory_in_predict_falls_back_to_smaller_batches(review_ids, monkeypatch):
    X, y, _ = review_ids
    clf = LSTMSentimentClassifier(**FAST).fit(X, y)
    expected = clf.predict_proba(X)
    real_step = clf.net_.evaluation_step

    def step(batch, training=False):
        if batch[0]["ids"].shape[0] > 8:
            raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")
        return real_step(batch, training=training)

    monkeypatch.setattr(clf.net_, "evaluation_step", step)
    with pytest.warns(ResourceWarning, match="predicted with batch_size=8 instead"):
        proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba, expected, atol=1e-6)

    def always_oom(batch, training=False):
        raise torch.OutOfMemoryError("CUDA out of memory.")

    monkeypatch.setattr(clf.net_, "evaluation_step", always_oom)
    with pytest.raises(MemoryError, match="Lower maxlen"):
        clf.predict_proba(X)

    def other_error(batch, training=False):
        raise RuntimeError("something else broke")

    monkeypatch.setattr(clf.net_, "evaluation_step", other_error)
    with pytest.raises(RuntimeError, match="something else broke"):
        clf.predict_proba(X)  # only memory errors are retried


def test_epoch_accuracy_is_counted_per_batch_without_keeping_the_outputs():
    # skorch's EpochScoring keeps every batch's (B, C) outputs for the epoch;
    # the net's own train_acc / valid_acc count the argmax and must give the
    # same figures (checked against an EpochScoring that caches)
    from skorch.callbacks import EpochScoring

    from sklearn_rnn._nn._callbacks import accuracy

    rng = np.random.default_rng(0)
    X = rng.integers(2, 40, size=(300, 6))
    y = np.arange(300) % 12  # many classes: the cached outputs are what grows
    reference = [("ref_train", EpochScoring(accuracy, name="ref_train", on_train=True,
                                            lower_is_better=False)),
                 ("ref_valid", EpochScoring(accuracy, name="ref_valid",
                                            lower_is_better=False))]
    clf = LSTMSentimentClassifier(hidden_size=8, embedding_dim=8, max_epochs=3,
                                  random_state=0, early_stopping=True,
                                  validation_fraction=0.2, callbacks=reference).fit(X, y)
    history = clf.history_
    assert history[:, "train_acc"] == history[:, "ref_train"]
    assert history[:, "valid_acc"] == history[:, "ref_valid"]
    own = dict(clf.net_.callbacks_)
    assert own["train_acc"].y_preds_ == [] and own["valid_acc"].y_preds_ == []
