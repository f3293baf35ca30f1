"""Scale-out: grid searches on a Dask cluster (real LocalCluster) and on Ray, shared
word vectors, one GPU per worker (simulated), ragged input."""

import copy
import os

import numpy as np
import pytest
import torch
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import make_pipeline

from sklearn_rnn import LSTMSentimentClassifier, PretrainedEmbeddings, TextVectorizer
from sklearn_rnn._nn._device import resolve_device

from ..conftest import FAST, make_reviews

GRID = {"lstmsentimentclassifier__hidden_size": [4, 8]}


def _search(embeddings=None):
    params = {**FAST, "embedding_dim": None} if embeddings is not None else FAST
    pipe = make_pipeline(TextVectorizer(maxlen=60),
                         LSTMSentimentClassifier(embeddings=embeddings, **params))
    return GridSearchCV(pipe, GRID, cv=StratifiedKFold(2, shuffle=True, random_state=0))


def _one_thread():
    torch.set_num_threads(1)
    return torch.get_num_threads()


@pytest.fixture(scope="module")
def dask_client():
    distributed = pytest.importorskip("distributed", reason="dask.distributed not installed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None, silence_logs=40)
    client = distributed.Client(cluster)
    client.run(_one_thread)  # as the serial run: the same floating-point sums
    yield client
    client.close()
    cluster.close()


def test_grid_search_on_a_dask_cluster_equals_n_jobs_1(dask_client, imdb_tiny):
    import joblib

    X, y = imdb_tiny
    torch.set_num_threads(1)
    serial = _search().fit(X, y)
    with joblib.parallel_backend("dask"):
        distributed = _search().fit(X, y)
    np.testing.assert_array_equal(distributed.cv_results_["mean_test_score"],
                                  serial.cv_results_["mean_test_score"])
    assert distributed.best_params_ == serial.best_params_
    np.testing.assert_array_equal(distributed.predict_proba(X[:20]),
                                  serial.predict_proba(X[:20]))
    # the fits ran on both workers
    assert len(dask_client.scheduler_info()["workers"]) == 2


def test_shared_vectors_reach_the_workers_once(dask_client, glove):
    import joblib

    from sklearn_rnn.parallel import share_vectors

    X, y = make_reviews(120, seed=50)
    torch.set_num_threads(1)
    glove = copy.deepcopy(glove)  # share_vectors freezes them: not the session's fixture
    shared = share_vectors(glove, dask_client, oov="zeros")
    assert type(shared.vectors).__name__ == "SharedVectors"
    with joblib.parallel_backend("dask"):
        distributed = _search(shared).fit(X, y)
    serial = _search(PretrainedEmbeddings(glove, oov="zeros")).fit(X, y)
    np.testing.assert_array_equal(distributed.cv_results_["mean_test_score"],
                                  serial.cv_results_["mean_test_score"])
    import pickle

    task_size = len(pickle.dumps(_search(shared).estimator))
    assert task_size < glove.vectors.nbytes / 100  # a reference, not the 10 MB of vectors
    fitted = pickle.loads(pickle.dumps(distributed.best_estimator_))  # and saves without them
    assert "Dask" in repr(fitted[-1].embeddings.vectors)


def _held_by_workers(client, key):
    def held():  # pickled by value: the import runs on the worker
        from sklearn_rnn._vectors._shared import _SHARED

        return key in _SHARED

    return sorted(client.run(held).values())


def test_shared_vectors_are_frozen_and_can_be_released(dask_client, glove):
    from gensim.models import KeyedVectors

    from sklearn_rnn.parallel import share_vectors

    kv = KeyedVectors(vector_size=50)
    kv.add_vectors(glove.index_to_key[:2000], np.array(glove.vectors[:2000]))
    shared = share_vectors(kv, dask_client).vectors
    assert _held_by_workers(dask_client, shared.key) == [True, True]
    # an in-place change would reach this process and not the workers' copies
    with pytest.raises(ValueError, match="read-only"):
        kv.vectors[5] = 0.0
    assert shared.result() is kv
    kv.add_vectors(["zzzword"], np.ones((1, 50), dtype=np.float32))  # replaced, not frozen
    with pytest.raises(RuntimeError, match="changed after share_vectors"):
        shared.result()
    X, y = make_reviews(60, seed=51)
    pipe = make_pipeline(TextVectorizer(), LSTMSentimentClassifier(
        embeddings=PretrainedEmbeddings(shared), **{**FAST, "embedding_dim": None}))
    with pytest.raises(RuntimeError, match="changed after share_vectors"):
        pipe.fit(X, y)  # a refit here would not match the workers' fits
    assert shared.release() == 2
    assert _held_by_workers(dask_client, shared.key) == [False, False]
    with pytest.raises(RuntimeError, match="released"):
        shared.result()


@pytest.mark.skipif(not os.environ.get("SKLEARN_RNN_RAY_TESTS"),
                    reason="Ray starts a worker process per task (about 2 minutes on 2 "
                           "cores): set SKLEARN_RNN_RAY_TESTS=1 (.ci/run does)")
def test_grid_search_on_ray_equals_n_jobs_1(imdb_tiny):
    ray = pytest.importorskip("ray", reason="ray is not installed")
    import joblib
    from ray.util.joblib import register_ray

    X, y = imdb_tiny
    torch.set_num_threads(1)
    serial = _search().fit(X, y)
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        register_ray()
        with joblib.parallel_backend("ray"):
            on_ray = _search().fit(X, y)
    finally:
        ray.shutdown()
    np.testing.assert_allclose(on_ray.cv_results_["mean_test_score"],
                               serial.cv_results_["mean_test_score"])


def test_workers_spread_over_several_gpus(monkeypatch):
    # CI has no GPU: simulate a machine with 4
    import sklearn_rnn._nn._device as utils

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 4)
    monkeypatch.setattr(utils, "worker_index", lambda: None)
    assert resolve_device("auto") == "cuda"  # the main process: the current GPU
    for index, expected in ((0, "cuda:0"), (1, "cuda:1"), (5, "cuda:1"), (7, "cuda:3")):
        monkeypatch.setattr(utils, "worker_index", lambda index=index: index)
        assert resolve_device("auto") == expected
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    assert resolve_device("auto") == "cuda"
    assert resolve_device("cpu") == "cpu"  # an explicit device is kept


def test_dask_workers_know_their_index(dask_client):
    from sklearn_rnn._nn._device import worker_index

    workers = list(dask_client.scheduler_info()["workers"])
    indexes = [dask_client.submit(worker_index, workers=[w], pure=False).result()
               for w in workers]
    assert sorted(indexes) == [0, 1]  # so on a machine with 2 GPUs: cuda:0 and cuda:1
