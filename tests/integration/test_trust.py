"""Trust where the layers meet: one runaway document (the vectorizer caps
it, the classifier trains in time), a tampered token pattern in a skops file
(refused on loading), lone surrogates in character tokens (fit and pickle).

The faults of one layer are tested in its folder: failed and interrupted
fits, input guards, divergence and saved states in ``tests/estimators``;
length buckets in ``tests/nn``; ragged lengths in ``tests/text``.
"""

import pickle
import time

import numpy as np
import pytest
from sklearn.pipeline import make_pipeline

from sklearn_rnn import LSTMSentimentClassifier, TextVectorizer

from ..conftest import FAST, make_reviews


def test_one_runaway_document_is_capped_with_a_warning():
    docs, y = make_reviews(499, seed=1)
    docs = docs + ["word " * 100_000]
    y = np.r_[y, ["positive"]]
    with pytest.warns(UserWarning, match=r"1 of 500 documents are longer than .*100,000"):
        pipe = make_pipeline(TextVectorizer(), LSTMSentimentClassifier(**FAST))
        start = time.perf_counter()
        pipe.fit(docs, y)
    assert pipe[0].maxlen_ < 1000
    assert time.perf_counter() - start < 60
    ids = TextVectorizer(maxlen=200_000).fit_transform(docs)  # an explicit maxlen is kept
    assert ids.shape[1] == 200_000


def test_skops_refuses_a_tampered_token_pattern(tmp_path):
    sio = pytest.importorskip("skops.io")
    from sklearn_rnn.persistence import load_skops

    X, y = make_reviews(80, seed=4)
    pipe = make_pipeline(TextVectorizer(), LSTMSentimentClassifier(**FAST)).fit(X, y)
    evil = r"(?:a+)+$"  # catastrophic backtracking: seconds per short review
    pipe[0].token_pattern = evil
    sio.dump(pipe, tmp_path / "evil.skops")
    match = r"token_pattern=.*\(\?:a\+\)\+\$.* trusted_token_patterns"
    with pytest.raises(ValueError, match=match):
        load_skops(tmp_path / "evil.skops")
    loaded = load_skops(tmp_path / "evil.skops", trusted_token_patterns=[evil])
    assert loaded[0].token_pattern == evil


def test_a_lone_surrogate_in_character_tokens_does_not_break_fit():
    docs = ["good film \ud800 yes", "bad \udfff film", "great fun", "awful \ud83d"] * 10
    y = ["pos", "neg", "pos", "neg"] * 10
    pipe = make_pipeline(TextVectorizer(tokenizer="char"), LSTMSentimentClassifier(**FAST))
    pipe.fit(docs, y)
    assert "\ud800" in pipe[0].vocabulary_
    restored = pickle.loads(pickle.dumps(pipe))
    np.testing.assert_array_equal(restored.predict_proba(docs), pipe.predict_proba(docs))


# --------------------------------------------------------------------------- #
# dependency errors said in our words (issue 31)
# --------------------------------------------------------------------------- #
def test_an_old_onnx_opset_is_said_in_our_words(tmp_path):
    pytest.importorskip("onnx")
    from sklearn_rnn import export_onnx

    X, y = make_reviews(80, seed=5)
    pipe = make_pipeline(TextVectorizer(maxlen=40), LSTMSentimentClassifier(**FAST)).fit(X, y)
    with pytest.raises(ValueError, match=r"could not export this model at ONNX opset 9 .*"
                                         r"use the default \(17\)") as info:
        export_onnx(pipe, tmp_path / "m.onnx", opset=9)
    assert len(str(info.value)) < 600  # not torch's 100-line graph dump


def test_an_empty_x_val_is_named():
    X, y = make_reviews(80, seed=6)
    pipe = make_pipeline(TextVectorizer(), LSTMSentimentClassifier(**FAST))
    with pytest.raises(ValueError, match=r"X_val is empty"):
        pipe.fit(X, y, lstmsentimentclassifier__X_val=[],
                 lstmsentimentclassifier__y_val=[])


def test_ids_beyond_the_embedding_table_are_refused_whatever_n_vocab_says():
    X, y = make_reviews(80, seed=7)
    pipe = make_pipeline(TextVectorizer(maxlen=40), LSTMSentimentClassifier(**FAST)).fit(X, y)
    clf = pickle.loads(pickle.dumps(pipe[-1]))
    rows = clf.net_.module_.embedding.num_embeddings
    clf.n_vocab_ = 1_000_000  # an edited saved state
    with pytest.raises(ValueError):
        clf.predict_proba(np.array([[5, rows + 10]]))
