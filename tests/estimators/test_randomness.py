"""Seeds under threads: every fit draws from its own generators (weights,
dropout, batch order), never from torch's global RNG, so concurrent seeded
fits equal sequential ones."""

import pickle
from concurrent.futures import ThreadPoolExecutor

import joblib
import numpy as np
import torch
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import make_pipeline

from sklearn_rnn import LSTMSentimentClassifier, RecurrentTextClassifier, TextVectorizer

from ..conftest import FAST

#: every source of randomness of a fit: dropout on the embeddings, between
#: stacked layers and in the dense layer, a held-out split, shuffled batches
RANDOM = dict(FAST, dropout=0.3, num_layers=2, dense_units=4, early_stopping=True,
              n_iter_no_change=5)


def _fit(X, y, seed, **params):
    return RecurrentTextClassifier(**{**RANDOM, **params, "random_state": seed}).fit(X, y)


def test_fit_leaves_the_global_rng_as_it_was(review_ids):
    X, y, _ = review_ids
    torch.manual_seed(5)
    state = torch.get_rng_state()
    clf = _fit(X, y, 0, warm_start=True)
    clf.fit(X, y)  # and a warm start
    clf.predict_proba(X)
    assert torch.equal(torch.get_rng_state(), state)


def test_concurrent_seeded_fits_equal_sequential_fits(review_ids):
    X, y, _ = review_ids
    sequential = {seed: _fit(X, y, seed).predict_proba(X) for seed in (0, 1)}
    assert not np.allclose(sequential[0], sequential[1])
    for cell in ("lstm", "gru"):
        with ThreadPoolExecutor(max_workers=2) as pool:
            futures = {seed: pool.submit(_fit, X, y, seed, cell=cell) for seed in (0, 1, 0, 1)}
            threaded = {seed: f.result().predict_proba(X) for seed, f in futures.items()}
        if cell == "lstm":
            for seed in (0, 1):
                np.testing.assert_array_equal(threaded[seed], sequential[seed])
        else:
            again = {seed: _fit(X, y, seed, cell=cell).predict_proba(X) for seed in (0, 1)}
            for seed in (0, 1):
                np.testing.assert_array_equal(threaded[seed], again[seed])


def test_grid_search_with_threads_equals_n_jobs_1(reviews):
    X, y = reviews
    search = GridSearchCV(
        make_pipeline(TextVectorizer(), RecurrentTextClassifier(**RANDOM)),
        {"recurrenttextclassifier__cell": ["gru", "lstm"],
         "recurrenttextclassifier__dropout": [0.1, 0.4]},
        cv=StratifiedKFold(2, shuffle=True, random_state=0),
    )
    serial = search.fit(X, y)
    serial_scores = serial.cv_results_["mean_test_score"].copy()
    serial_proba = serial.predict_proba(X[:50])
    with joblib.parallel_backend("threading"):
        threaded = GridSearchCV(search.estimator, search.param_grid, cv=search.cv,
                                n_jobs=2).fit(X, y)
    np.testing.assert_array_equal(threaded.cv_results_["mean_test_score"], serial_scores)
    np.testing.assert_array_equal(threaded.predict_proba(X[:50]), serial_proba)


def test_a_restored_model_continues_the_dropout_stream(review_ids):
    X, y, _ = review_ids
    clf = LSTMSentimentClassifier(**{**RANDOM, "early_stopping": False}, warm_start=True)
    clf.fit(X, y)
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.fit(X, y).predict_proba(X),
                                  clf.fit(X, y).predict_proba(X))
