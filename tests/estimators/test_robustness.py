"""Trust: reproducibility, unusual input, memory and threads.

Each case either works as documented or raises a clear error naming the
problem; nothing hangs or eats memory without bound.
"""

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone

from sklearn_rnn import LSTMSentimentClassifier, TextVectorizer

from ..conftest import FAST, make_reviews

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


def test_random_state_reproducible_and_clone(review_ids):
    X, y, _ = review_ids
    clf = LSTMSentimentClassifier(dropout=0.2, **FAST)
    a = clf.fit(X, y).predict_proba(X)
    b = clone(clf).fit(X, y).predict_proba(X)
    c = clf.fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a, c)
    d = clone(clf).set_params(random_state=1).fit(X, y).predict_proba(X)
    assert not np.allclose(a, d)


def test_fit_does_not_touch_global_torch_rng(review_ids):
    X, y, _ = review_ids
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    LSTMSentimentClassifier(**FAST).fit(X, y)
    np.testing.assert_array_equal(torch.rand(3), expected)



def test_unusual_documents_through_the_pipeline(fitted_pipeline):
    pd = pytest.importorskip("pandas")
    docs = ["", "   \n\t ", "qqqzz xxyyw vvvbb", "😀😀😀", "東京 タワー 映画",
            "فيلم رائع", "סרט נהדר", "good " * 2000]
    proba = fitted_pipeline.predict_proba(docs)
    assert proba.shape == (len(docs), 2) and np.isfinite(proba).all()
    # empty, whitespace-only, unknown-only and emoji-only documents carry no
    # known token: identical inputs (all padding or all <unk>) after vectorizing
    ids = fitted_pipeline[0].transform(docs)
    assert not ids[0].any() and not ids[1].any() and not ids[3].any()
    np.testing.assert_allclose(proba[0], proba[1])
    np.testing.assert_array_equal(fitted_pipeline.predict_proba(pd.Series(docs)), proba)
    np.testing.assert_array_equal(fitted_pipeline.predict_proba(np.array(docs)), proba)


def test_unseen_labels_in_score_count_as_errors(fitted_pipeline):
    X_test, y_test = make_reviews(100, seed=11)
    y = np.array(y_test[:100], dtype=object)
    expected = np.mean(fitted_pipeline.predict(X_test[:100]) == y)
    y[:10] = "neutral"  # a label the model never saw
    pred = fitted_pipeline.predict(X_test[:100])
    assert fitted_pipeline.score(X_test[:100], y) == pytest.approx(np.mean(pred == y))
    assert fitted_pipeline.score(X_test[:100], y) <= expected


def test_very_long_document_in_fit_is_bounded(reviews):
    X, y = reviews
    docs = list(X[:20]) + ["good " * 1_000_000]  # 5,000,000 characters
    vec = TextVectorizer()
    ids = vec.fit_transform(docs)
    assert vec.maxlen_ == 1_000_000 and ids.dtype == np.int32
    assert ids.nbytes == 21 * 1_000_000 * 4  # one int32 row per document, no more
    capped = TextVectorizer(maxlen=500).fit_transform(docs)
    assert capped.shape == (21, 500)


def test_predict_from_several_threads(fitted_pipeline):
    X_test, _ = make_reviews(400, seed=12)
    chunks = [X_test[i : i + 50] for i in range(0, 400, 50)]
    serial = [fitted_pipeline.predict_proba(c) for c in chunks]
    with ThreadPoolExecutor(max_workers=4) as pool:
        parallel = list(pool.map(fitted_pipeline.predict_proba, chunks * 2))
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
