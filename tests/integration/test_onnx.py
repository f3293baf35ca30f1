"""Export to ONNX and prediction on ONNX Runtime without torch."""

import os
import subprocess
import sys

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import make_pipeline

from sklearn_rnn import (
    LSTMSentimentClassifier,
    RecurrentTextClassifier,
    TextVectorizer,
    export_onnx,
)

from ..conftest import FAST, make_reviews

ort = pytest.importorskip("onnxruntime", reason="the [onnx] extra is not installed")
pytest.importorskip("onnx", reason="the [onnx] extra is not installed")
import sklearn_rnn.onnx as sonnx  # noqa: E402

ARCHITECTURES = {
    "rnn": dict(cell="rnn"),
    "lstm": dict(cell="lstm"),
    "gru": dict(cell="gru"),
    "bilstm-last": dict(cell="lstm", bidirectional=True, pooling="last"),
    "gru-mean-2-layers": dict(cell="gru", pooling="mean", num_layers=2),
    "rnn-bi-max": dict(cell="rnn", bidirectional=True, pooling="max"),
    "ngrams": dict(cell="lstm", ngram_range=(1, 3), ngram_buckets=2**10),
    "conv-dense": dict(cell="gru", conv_filters=4, conv_kernel_size=4, conv_pool_size=3,
                       dense_units=5),
}


@pytest.fixture(scope="module")
def test_docs():
    X, _ = make_reviews(150, seed=3)
    return X + ["", "zzz qqq", "He said &quot;great&quot;<br />CAF&Eacute;", "word " * 500]


@pytest.mark.parametrize("name", list(ARCHITECTURES))
def test_onnx_runtime_equals_predict_proba(name, reviews, test_docs, tmp_path):
    X, y = reviews
    pipe = make_pipeline(TextVectorizer(maxlen=80),
                         RecurrentTextClassifier(**ARCHITECTURES[name], **FAST)).fit(X, y)
    model = sonnx.load(export_onnx(pipe, tmp_path / "model.onnx"))
    np.testing.assert_allclose(model.predict_proba(test_docs), pipe.predict_proba(test_docs),
                               atol=1e-5)
    np.testing.assert_array_equal(model.predict(test_docs), pipe.predict(test_docs))
    assert model.classes_.tolist() == ["negative", "positive"]


@pytest.mark.parametrize("padding", ["pre", "post"])
def test_vectorizer_settings_travel(padding, tmp_path):
    X, y = make_reviews(200, seed=5)
    y = np.where(np.arange(200) % 3 == 0, 7, np.where(y == "positive", 10, 1))  # int labels
    vec = TextVectorizer(padding=padding, truncating="post", maxlen=12, stop_words="english",
                         min_token_length=2, max_features=40, lowercase=False)
    pipe = make_pipeline(vec, LSTMSentimentClassifier(**FAST)).fit(X, y)
    model = sonnx.load(export_onnx(pipe, tmp_path / "model.onnx"))
    ids, lengths = model.transform(X[:50])
    np.testing.assert_array_equal(ids, pipe[0].transform(X[:50]))
    np.testing.assert_allclose(model.predict_proba(X), pipe.predict_proba(X), atol=1e-5)
    assert model.predict(X[:5]).dtype == pipe.predict(X[:5]).dtype
    assert model.classes_.tolist() == [1, 7, 10]


def test_a_classifier_alone_predicts_from_ids(review_ids, tmp_path):
    X, y, _ = review_ids
    clf = LSTMSentimentClassifier(**FAST).fit(X, y)
    model = sonnx.load(export_onnx(clf, tmp_path / "clf.onnx"))
    np.testing.assert_allclose(model.predict_proba_ids(X), clf.predict_proba(X), atol=1e-5)
    with pytest.raises(ValueError, match="without its TextVectorizer"):
        model.predict(["some text"])


def test_quantized_export_is_smaller_and_agrees(reviews, test_docs, tmp_path):
    X, y = reviews
    pipe = make_pipeline(TextVectorizer(), LSTMSentimentClassifier(
        **{**FAST, "embedding_dim": 32, "hidden_size": 64, "max_epochs": 4})).fit(X, y)
    exact = export_onnx(pipe, tmp_path / "float.onnx")
    small = export_onnx(pipe, tmp_path / "int8.onnx", quantize=True)
    quantized = sonnx.load(small)
    assert quantized.metadata["quantized"].startswith("dynamic int8")
    assert os.path.getsize(small) < os.path.getsize(exact)
    proba = quantized.predict_proba(test_docs)
    assert np.abs(proba - pipe.predict_proba(test_docs)).max() < 0.05
    assert np.mean(quantized.predict(test_docs) == pipe.predict(test_docs)) > 0.95


def test_the_loader_runs_without_torch_sklearn_or_gensim(reviews, tmp_path):
    X, y = reviews
    pipe = make_pipeline(TextVectorizer(), LSTMSentimentClassifier(**FAST)).fit(X, y)
    path = export_onnx(pipe, tmp_path / "model.onnx")
    code = (
        "import sys, sklearn_rnn.onnx as o\n"
        f"m = o.load({str(path)!r})\n"
        "print(m.predict(['a great film', 'a dull waste']).tolist())\n"
        "print(sorted(n for n in ('torch', 'skorch', 'gensim', 'sklearn') if n in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    predictions, imported = result.stdout.strip().splitlines()
    assert predictions == str(pipe.predict(["a great film", "a dull waste"]).tolist())
    assert imported == "[]"


def test_what_cannot_be_exported_says_why(reviews, tmp_path):
    X, y = reviews

    def tokenize(text):
        return text.split()

    custom = make_pipeline(TextVectorizer(tokenizer=tokenize), LSTMSentimentClassifier(**FAST))
    with pytest.raises(ValueError, match="custom tokenizer function"):
        export_onnx(custom.fit(X, y), tmp_path / "a.onnx")
    other = make_pipeline(TfidfVectorizer(), LSTMSentimentClassifier(**FAST))
    with pytest.raises(ValueError, match="TextVectorizer followed by a recurrent classifier"):
        export_onnx(other, tmp_path / "b.onnx")
    with pytest.raises(ValueError, match="not LogisticRegression"):
        from sklearn.linear_model import LogisticRegression

        export_onnx(LogisticRegression(), tmp_path / "c.onnx")
    bad = tmp_path / "not_ours.onnx"
    pipe = make_pipeline(TextVectorizer(), LSTMSentimentClassifier(**FAST)).fit(X, y)
    export_onnx(pipe, bad)
    import onnx

    graph = onnx.load(str(bad))
    del graph.metadata_props[:]
    onnx.save(graph, str(bad))
    with pytest.raises(ValueError, match="not a model exported by sklearn_rnn"):
        sonnx.load(bad)


def test_import_sklearn_rnn_is_lazy():
    code = "import sys, sklearn_rnn; print('torch' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60)
    assert result.stdout.strip() == "False"
