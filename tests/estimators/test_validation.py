"""Bad input gets a clear error naming the problem (parameters, token ids, labels)."""

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

import sklearn_rnn._text._ids as ids_module
from sklearn_rnn import (
    LSTMSentimentClassifier,
    TextVectorizer,
)

from ..conftest import FAST

DOCS = ["A great movie!", "A dull, dull movie.", "Great acting<br />and a great cast"]


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
    monkeypatch.setattr(ids_module, "MAX_PADDED_BYTES", 1000)
    with pytest.raises(ValueError, match="Set maxlen"):
        TextVectorizer(maxlen=500).fit_transform(DOCS)




@pytest.mark.parametrize(
    "X, y, error, match",
    [
        (np.array([[0, 2, 3], [0, -1, 2]]), [0, 1], ValueError, "Negative values in data"),
        (np.array([[0.5, 2.0], [1.0, 2.0]]), [0, 1], ValueError, "fractional part"),
        (np.ones((2, 3, 4), dtype=int), [0, 1], ValueError, "dim 3"),
        (np.array([1, 2, 3]), [0, 1, 0], ValueError, "Reshape your data"),
        (np.array([[1, 2], [3, 4]]), [0, 1, 1], ValueError, "inconsistent numbers of samples"),
        (np.array([[1, 2], [3, 4]]), [0, 0], ValueError, "y has 1 class"),
        (np.array([[1, 2], [3, 4]]), [0.0, np.nan], ValueError, "y contains NaN at position 1"),
        (np.array([[1, 2], [3, 4]]), ["a", None], ValueError, "missing label .* position 1"),
        (["a review", "another"], [0, 1], ValueError, "Put a TextVectorizer before it"),
        (np.array([[np.nan, 2.0], [1.0, 2.0]]), [0, 1], ValueError, "contains NaN"),
        (np.zeros((0, 3), dtype=int), [], ValueError, "0 sample"),
    ],
)
def test_bad_input_errors(X, y, error, match):
    with pytest.raises(error, match=match):
        LSTMSentimentClassifier(**FAST).fit(X, y)


def test_whole_number_floats_are_accepted(review_ids):
    X, y, _ = review_ids
    clf = LSTMSentimentClassifier(**FAST).fit(X, y)
    np.testing.assert_array_equal(clf.predict_proba(X.astype(float)), clf.predict_proba(X))


def test_predict_errors(fitted_pipeline, review_ids):
    X, y, vec = review_ids
    with pytest.raises(NotFittedError):
        LSTMSentimentClassifier().predict(X)
    clf = fitted_pipeline[-1]
    too_big = np.array([[0, 2, clf.n_vocab_ + 5]])
    match = f"token id {clf.n_vocab_ + 5} .* vocabulary of {clf.n_vocab_} ids"
    with pytest.raises(ValueError, match=match):
        clf.predict(too_big)
    # ids made by another vectorizer mean other tokens: refuse them
    docs = [" ".join(tokens) for tokens in vec.inverse_transform(X[:50])]
    other = TextVectorizer(max_features=30).fit(docs)
    with pytest.raises(ValueError, match="different TextVectorizer"):
        clf.predict(other.transform(["a good film"]))
    with pytest.raises(ValueError, match="0 sample"):
        clf.predict(np.zeros((0, 5), dtype=int))
