"""What a saved model holds: prediction's needs, and the optimizer's state only
for warm starts (issue 25, item 6)."""

import pickle

import joblib
import numpy as np
import torch

from sklearn_rnn import LSTMSentimentClassifier

from ..conftest import FAST


def _fit(review_ids, **params):
    X, y, _ = review_ids
    return LSTMSentimentClassifier(ngram_buckets=2**14, **FAST, **params).fit(X, y)


def test_saved_model_leaves_the_optimizer_out(review_ids, tmp_path):
    X, y, _ = review_ids
    clf = _fit(review_ids)
    joblib.dump(clf, tmp_path / "model.joblib")
    restored = joblib.load(tmp_path / "model.joblib")
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))
    assert restored.net_.optimizer_.state_dict()["state"] == {}  # a fresh optimizer
    assert len(clf.net_.optimizer_.state_dict()["state"]) > 0  # the live model keeps its own
    # warm-starting what was saved without it trains on, with a fresh optimizer
    restored.set_params(warm_start=True).fit(X, y)
    assert len(restored.history_) == 2 * FAST["max_epochs"]


def test_warm_start_models_keep_the_optimizer_and_the_size_shows_it(review_ids):
    lean = _fit(review_ids)
    warm = _fit(review_ids, warm_start=True)
    lean_blob, warm_blob = pickle.dumps(lean), pickle.dumps(warm)
    # Adam keeps two moments per weight: without them, about a third of the size
    assert len(lean_blob) < 0.6 * len(warm_blob)
    restored = pickle.loads(warm_blob)
    saved = restored.net_.optimizer_.state_dict()["state"]
    live = warm.net_.optimizer_.state_dict()["state"]
    assert saved.keys() == live.keys() and saved
    for key, moments in live.items():
        for name in ("exp_avg", "exp_avg_sq"):
            assert torch.equal(saved[key][name], moments[name])
    # the same weights whatever was saved beside them
    X, _, _ = review_ids
    np.testing.assert_array_equal(pickle.loads(lean_blob).predict_proba(X),
                                  lean.predict_proba(X))


def test_auto_table_keeps_the_rows_it_was_saved_with(review_ids):
    # a model saved when ngram_buckets='auto' meant another size (2**20 rows
    # for 2 classes before the default was measured) loads with its own table
    X, _, _ = review_ids
    clf = _fit(review_ids)  # 2**14 rows
    clf.set_params(ngram_buckets="auto")  # what the file of such a model says
    restored = pickle.loads(pickle.dumps(clf))
    assert restored.net_.module_.ngram.table.num_embeddings == 2**14
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))
