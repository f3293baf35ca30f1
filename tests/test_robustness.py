"""Trust: bad input, failure modes, reproducibility, persistence, threads.

Each case either works as documented or raises a clear error naming the
problem; nothing hangs or eats memory without bound.
"""

import pickle
from concurrent.futures import ThreadPoolExecutor

import joblib
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from skorch.exceptions import DeviceWarning

import sklearn_rnn._vectorizer as vectorizer_module
from sklearn_rnn import (
    LSTMSentimentClassifier,
    RNNSentimentClassifier,
    TextVectorizer,
    TrainingDivergedError,
)

FAST = dict(embedding_dim=8, hidden_size=8, max_epochs=2, random_state=0, batch_size=32)
DOCS = ["A great movie!", "A dull, dull movie.", "Great acting<br />and a great cast"]


# ---------------------------------------------------------------------------
# TextVectorizer: bad and unusual input
# ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    "docs, error, match",
    [
        ("just one string", ValueError, "Iterable over raw text documents expected, str"),
        (b"bytes", ValueError, "Iterable over raw text documents expected, bytes"),
        (None, TypeError, "None received"),
        (["ok", None], TypeError, "Document 1 is None"),
        (["ok", "fine", 3], TypeError, "Document 2 is 3 \\(int\\)"),
        ([float("nan")], TypeError, "Document 0 is NaN"),
        (["ok", b"\xff\xfe bad"], ValueError, "Document 1 is bytes that are not valid UTF-8"),
        ([["nested", "list"]], TypeError, "Document 0 is \\['nested', 'list'\\]"),
        (np.array([["a"], ["b"]]), ValueError, "2 dimensions"),
    ],
)
def test_bad_documents_raise_naming_problem_and_position(docs, error, match):
    with pytest.raises(error, match=match):
        TextVectorizer().fit(docs)


def test_bytes_utf8_series_and_arrays_accepted():
    pd = pytest.importorskip("pandas")
    docs = ["good film", "bad film"]
    expected = TextVectorizer().fit_transform(docs)
    for variant in ([d.encode() for d in docs], np.array(docs), pd.Series(docs),
                    (d for d in docs)):
        np.testing.assert_array_equal(TextVectorizer().fit_transform(variant), expected)
    with pytest.raises(ValueError, match="DataFrame"):
        TextVectorizer().fit(pd.DataFrame({"text": docs}))


def test_fit_on_empty_or_tokenless_input_raises():
    with pytest.raises(ValueError, match="at least one document"):
        TextVectorizer().fit([])
    with pytest.raises(ValueError, match="empty vocabulary"):
        TextVectorizer().fit(["", "!!!"])
    with pytest.raises(ValueError, match="empty vocabulary"):
        TextVectorizer(stop_words="english").fit(["the and of"])


def test_empty_documents_are_rows_of_padding():
    vec = TextVectorizer(maxlen=3).fit(["good film", ""])
    X = vec.transform(["", "   ", "zzz"])
    np.testing.assert_array_equal(X, [[0, 0, 0], [0, 0, 0], [0, 0, 1]])
    assert vec.transform([]).shape == (0, 3)


def test_unicode_tokens_cjk_rtl_emoji():
    docs = ["café naïve", "שלום עולם", "مرحبا بالعالم", "good 😀 film", "東京 タワー"]
    vec = TextVectorizer().fit(docs)
    for tok in ["café", "naïve", "שלום", "مرحبا", "東京", "タワー"]:
        assert tok in vec.vocabulary_
    assert "😀" not in vec.vocabulary_  # emoji are not word characters


def test_long_document_truncated_in_transform():
    vec = TextVectorizer(maxlen=10).fit(["good film"])
    X = vec.transform(["good " * 1_000_000])  # 5,000,000 characters
    np.testing.assert_array_equal(X, [[vec.vocabulary_["good"]] * 10])


def test_huge_output_refused_with_advice(monkeypatch):
    monkeypatch.setattr(vectorizer_module, "_MAX_OUTPUT_BYTES", 1000)
    with pytest.raises(ValueError, match="Set maxlen"):
        TextVectorizer(maxlen=500).fit_transform(DOCS)



_docs = st.lists(st.text(alphabet=st.sampled_from(list("abcde ,.'")), max_size=30),
                 min_size=1, max_size=12)


@settings(max_examples=100, deadline=None)
@given(fit_docs=_docs, docs=_docs, maxlen=st.integers(1, 8),
       padding=st.sampled_from(["pre", "post"]), truncating=st.sampled_from(["pre", "post"]))
def test_transform_properties(fit_docs, docs, maxlen, padding, truncating):
    vec = TextVectorizer(maxlen=maxlen, padding=padding, truncating=truncating,
                         vocabulary=["a", "b", "c"])
    vec.fit(fit_docs)
    X = vec.transform(docs)
    assert X.shape == (len(docs), maxlen) and X.dtype == np.int32
    assert X.min() >= 0 and X.max() < len(vec.vocabulary_)
    analyze = vec.build_analyzer()
    for row, doc, tokens in zip(X, docs, vec.inverse_transform(X), strict=True):
        expected = [t if t in vec.vocabulary_ else "<unk>" for t in analyze(doc)]
        expected = (expected[-maxlen:] if truncating == "pre" else expected[:maxlen])
        assert tokens == expected
        n = len(expected)
        real = row[maxlen - n:] if padding == "pre" else row[:n]
        pad = row[: maxlen - n] if padding == "pre" else row[n:]
        assert (real != 0).all() and (pad == 0).all()


# ---------------------------------------------------------------------------
# Classifiers: bad input and training failure modes
# ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    "X, y, error, match",
    [
        (np.array([[0, 2, 3], [0, -1, 2]]), [0, 1], ValueError, "Negative values in data"),
        (np.array([[0.5, 2.0], [1.0, 2.0]]), [0, 1], ValueError, "fractional part"),
        (np.ones((2, 3, 4), dtype=int), [0, 1], ValueError, "2-D array .* 3 dimension"),
        (np.array([1, 2, 3]), [0, 1, 0], ValueError, "Reshape your data"),
        (np.array([[1, 2], [3, 4]]), [0, 1, 1], ValueError, "inconsistent numbers of samples"),
        (np.array([[1, 2], [3, 4]]), [0, 0], ValueError, "y has 1 class"),
        (np.array([[1, 2], [3, 4]]), [0.0, np.nan], ValueError, "y contains NaN at position 1"),
        (np.array([[1, 2], [3, 4]]), ["a", None], ValueError, "missing label .* position 1"),
        (["a review", "another"], [0, 1], ValueError, "Put a TextVectorizer before it"),
        (np.array([[np.nan, 2.0], [1.0, 2.0]]), [0, 1], ValueError, "NaN or infinity"),
        (np.zeros((0, 3), dtype=int), [], ValueError, "0 sample"),
    ],
)
def test_bad_input_errors(X, y, error, match):
    with pytest.raises(error, match=match):
        LSTMSentimentClassifier(**FAST).fit(X, y)


def test_whole_number_floats_are_accepted(tiny_ids):
    X, y, _ = tiny_ids
    clf = LSTMSentimentClassifier(**FAST).fit(X, y)
    np.testing.assert_array_equal(clf.predict_proba(X.astype(float)), clf.predict_proba(X))


def test_predict_errors(fitted_lstm, tiny_ids):
    X, y, vec = tiny_ids
    with pytest.raises(NotFittedError):
        LSTMSentimentClassifier().predict(X)
    clf = fitted_lstm[-1]
    too_big = np.array([[0, 2, clf.n_vocab_ + 5]])
    match = f"token id {clf.n_vocab_ + 5} .* vocabulary of {clf.n_vocab_} ids"
    with pytest.raises(ValueError, match=match):
        clf.predict(too_big)
    # ids made by another vectorizer mean other tokens: refuse them
    with pytest.raises(ValueError, match="different TextVectorizer"):
        clf.predict(X)
    with pytest.raises(ValueError, match="0 sample"):
        clf.predict(np.zeros((0, 5), dtype=int))


def test_diverging_loss_stops_with_advice(tiny_ids):
    X, y, _ = tiny_ids
    clf = RNNSentimentClassifier(lr=1e30, clip_grad_norm=None, optimizer=torch.optim.SGD,
                                 **{**FAST, "max_epochs": 5})
    with pytest.raises(TrainingDivergedError, match="Lower the learning rate"):
        clf.fit(X, y)


# ---------------------------------------------------------------------------
# Reproducibility
# ---------------------------------------------------------------------------

def test_random_state_reproducible_and_clone(tiny_ids):
    X, y, _ = tiny_ids
    clf = LSTMSentimentClassifier(dropout=0.2, **FAST)
    a = clf.fit(X, y).predict_proba(X)
    b = clone(clf).fit(X, y).predict_proba(X)
    c = clf.fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a, c)
    d = clone(clf).set_params(random_state=1).fit(X, y).predict_proba(X)
    assert not np.allclose(a, d)


def test_fit_does_not_touch_global_torch_rng(tiny_ids):
    X, y, _ = tiny_ids
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    LSTMSentimentClassifier(**FAST).fit(X, y)
    np.testing.assert_array_equal(torch.rand(3), expected)


# ---------------------------------------------------------------------------
# Persistence
# ---------------------------------------------------------------------------

def test_pickle_and_joblib_roundtrip(fitted_lstm, imdb_small, tmp_path):
    _, _, X_test, _ = imdb_small
    expected = fitted_lstm.predict_proba(X_test[:100])
    restored = pickle.loads(pickle.dumps(fitted_lstm))
    np.testing.assert_array_equal(restored.predict_proba(X_test[:100]), expected)
    joblib.dump(fitted_lstm, tmp_path / "model.joblib")
    restored = joblib.load(tmp_path / "model.joblib")
    np.testing.assert_array_equal(restored.predict_proba(X_test[:100]), expected)


def test_cuda_trained_model_loads_on_cpu(fitted_lstm, imdb_small):
    # What a model pickled on a GPU machine looks like: skorch records the
    # CUDA device. On a machine without CUDA it must map to the CPU.
    if torch.cuda.is_available():
        pytest.skip("needs a machine without CUDA")
    _, _, X_test, _ = imdb_small
    model = pickle.loads(pickle.dumps(fitted_lstm))
    model[-1].net_.device = "cuda"
    model[-1].device_ = "cuda"
    buffer = pickle.dumps(model)
    with pytest.warns(DeviceWarning, match="cuda"):
        restored = pickle.loads(buffer)
    assert restored[-1].device_ == "cpu"
    np.testing.assert_array_equal(
        restored.predict_proba(X_test[:50]), fitted_lstm.predict_proba(X_test[:50])
    )


def test_skorch_save_and_load_params(fitted_lstm, imdb_small, tmp_path):
    _, _, X_test, _ = imdb_small
    clf = fitted_lstm[-1]
    ids = fitted_lstm[0].transform(X_test[:50])
    clf.net_.save_params(f_params=tmp_path / "params.pt")
    other = pickle.loads(pickle.dumps(clf))
    with torch.no_grad():
        for p in other.net_.module_.parameters():
            p.zero_()
    assert not np.allclose(other.predict_proba(ids), clf.predict_proba(ids))
    other.net_.load_params(f_params=tmp_path / "params.pt")
    np.testing.assert_array_equal(other.predict_proba(ids), clf.predict_proba(ids))



def test_pickle_holds_no_torch_objects_or_training_data(tiny_ids):
    X, y, _ = tiny_ids
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


def test_restored_model_continues_training_with_warm_start(tiny_ids):
    X, y, _ = tiny_ids
    clf = LSTMSentimentClassifier(warm_start=True, **FAST).fit(X, y)
    restored = pickle.loads(pickle.dumps(clf))
    restored.fit(X, y)
    clf.fit(X, y)  # the same continuation without the round trip
    np.testing.assert_allclose(restored.predict_proba(X), clf.predict_proba(X), atol=1e-6)
    assert len(restored.history_) == 2 * FAST["max_epochs"]


def test_skops_round_trip_with_documented_trusted_types(fitted_lstm, imdb_small, tmp_path):
    sio = pytest.importorskip("skops.io")
    from sklearn_rnn.persistence import SKOPS_TRUSTED_TYPES, load_skops

    _, _, X_test, _ = imdb_small
    path = tmp_path / "model.skops"
    sio.dump(fitted_lstm, path)
    untrusted = sio.get_untrusted_types(file=path)
    assert set(untrusted) <= set(SKOPS_TRUSTED_TYPES)
    with pytest.raises(Exception, match="[Uu]ntrusted"):
        sio.load(path)  # skops refuses until the types are trusted
    loaded = sio.load(path, trusted=SKOPS_TRUSTED_TYPES)
    expected = fitted_lstm.predict_proba(X_test[:200])
    np.testing.assert_array_equal(loaded.predict_proba(X_test[:200]), expected)
    np.testing.assert_array_equal(load_skops(path).predict_proba(X_test[:200]), expected)


def test_load_skops_names_unexpected_types(tiny_ids, tmp_path):
    sio = pytest.importorskip("skops.io")
    from skorch.callbacks import EpochTimer

    from sklearn_rnn.persistence import load_skops

    X, y, _ = tiny_ids
    clf = LSTMSentimentClassifier(callbacks=[("timer2", EpochTimer())], **FAST).fit(X, y)
    path = tmp_path / "model.skops"
    sio.dump(clf, path)
    with pytest.raises(TypeError, match="skorch.callbacks.logging.EpochTimer"):
        load_skops(path)
    loaded = load_skops(path, trusted=["skorch.callbacks.logging.EpochTimer"])
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))


def test_file_from_another_version_fails_clearly(tiny_ids):
    X, y, _ = tiny_ids
    clf = LSTMSentimentClassifier(**FAST).fit(X, y)
    state = clf.__getstate__()
    state["net_state_"] = dict(state["net_state_"], format=99, sklearn_rnn="9.9")
    with pytest.raises(ValueError, match="saved by sklearn_rnn 9.9 in model format 99"):
        LSTMSentimentClassifier.__new__(LSTMSentimentClassifier).__setstate__(state)
    state = clf.__getstate__()
    module = dict(state["net_state_"]["module"])
    module.pop("classifier.bias")
    state["net_state_"] = dict(state["net_state_"], module=module)
    with pytest.raises(ValueError, match="Could not restore the network"):
        LSTMSentimentClassifier.__new__(LSTMSentimentClassifier).__setstate__(state)


# ---------------------------------------------------------------------------
# More input edge cases, memory and threads
# ---------------------------------------------------------------------------

def test_unusual_documents_through_the_pipeline(fitted_lstm):
    pd = pytest.importorskip("pandas")
    docs = ["", "   \n\t ", "qqqzz xxyyw vvvbb", "😀😀😀", "東京 タワー 映画",
            "فيلم رائع", "סרט נהדר", "good " * 2000]
    proba = fitted_lstm.predict_proba(docs)
    assert proba.shape == (len(docs), 2) and np.isfinite(proba).all()
    # empty, whitespace-only, unknown-only and emoji-only documents carry no
    # known token: identical inputs (all padding or all <unk>) after vectorizing
    ids = fitted_lstm[0].transform(docs)
    assert not ids[0].any() and not ids[1].any() and not ids[3].any()
    np.testing.assert_allclose(proba[0], proba[1])
    np.testing.assert_array_equal(fitted_lstm.predict_proba(pd.Series(docs)), proba)
    np.testing.assert_array_equal(fitted_lstm.predict_proba(np.array(docs)), proba)


def test_unseen_labels_in_score_count_as_errors(fitted_lstm, imdb_small):
    _, _, X_test, y_test = imdb_small
    y = np.array(y_test[:100], dtype=object)
    expected = np.mean(fitted_lstm.predict(X_test[:100]) == y)
    y[:10] = "neutral"  # a label the model never saw
    pred = fitted_lstm.predict(X_test[:100])
    assert fitted_lstm.score(X_test[:100], y) == pytest.approx(np.mean(pred == y))
    assert fitted_lstm.score(X_test[:100], y) <= expected


def test_very_long_document_in_fit_is_bounded(imdb_tiny):
    X, y = imdb_tiny
    docs = list(X[:20]) + ["good " * 1_000_000]  # 5,000,000 characters
    vec = TextVectorizer()
    ids = vec.fit_transform(docs)
    assert vec.maxlen_ == 1_000_000 and ids.dtype == np.int32
    assert ids.nbytes == 21 * 1_000_000 * 4  # one int32 row per document, no more
    capped = TextVectorizer(maxlen=500).fit_transform(docs)
    assert capped.shape == (21, 500)


def test_cuda_out_of_memory_in_predict_falls_back_to_smaller_batches(tiny_ids, monkeypatch):
    X, y, _ = tiny_ids
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


def test_predict_from_several_threads(fitted_lstm, imdb_small):
    _, _, X_test, _ = imdb_small
    chunks = [X_test[i : i + 50] for i in range(0, 400, 50)]
    serial = [fitted_lstm.predict_proba(c) for c in chunks]
    with ThreadPoolExecutor(max_workers=4) as pool:
        parallel = list(pool.map(fitted_lstm.predict_proba, chunks * 2))
    for got, want in zip(parallel, serial * 2, strict=True):
        np.testing.assert_allclose(got, want, atol=1e-6)


@settings(max_examples=150, deadline=None)
@given(fit_docs=st.lists(st.text(max_size=40), min_size=1, max_size=10),
       docs=st.lists(st.text(max_size=60), max_size=10),
       maxlen=st.integers(1, 12), padding=st.sampled_from(["pre", "post"]),
       dtype=st.sampled_from([np.int16, np.int32, np.int64]))
def test_any_unicode_text(fit_docs, docs, maxlen, padding, dtype):
    vec = TextVectorizer(maxlen=maxlen, padding=padding, dtype=dtype)
    try:
        vec.fit(fit_docs)
    except ValueError as exc:  # only when no document has a single token
        assert "empty vocabulary" in str(exc)
        assert not any(vec.build_analyzer()(d) for d in fit_docs)
        return
    X = vec.transform(docs)
    assert X.shape == (len(docs), maxlen) and X.dtype == dtype
    assert X.min(initial=0) >= 0 and X.max(initial=0) < len(vec.vocabulary_)
    analyze = vec.build_analyzer()
    for doc, tokens in zip(docs, vec.inverse_transform(X), strict=True):
        expected = [t if t in vec.vocabulary_ else "<unk>" for t in analyze(doc)]
        assert tokens == expected[-maxlen:]
