"""Export to ONNX and prediction on ONNX Runtime without torch."""

import os

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
def held_out_docs():
    """Documents no model here was trained on, with an empty, an unknown, an
    HTML-escaped and a very long one."""
    X, _ = make_reviews(150, seed=3)
    return X + ["", "zzz qqq", "He said &quot;great&quot;<br />CAF&Eacute;", "word " * 500]


@pytest.mark.parametrize("name", list(ARCHITECTURES))
def test_onnx_runtime_equals_predict_proba(name, reviews, held_out_docs, tmp_path):
    X, y = reviews
    pipe = make_pipeline(TextVectorizer(maxlen=80),
                         RecurrentTextClassifier(**ARCHITECTURES[name], **FAST)).fit(X, y)
    model = sonnx.load(export_onnx(pipe, tmp_path / "model.onnx"))
    np.testing.assert_allclose(model.predict_proba(held_out_docs),
                               pipe.predict_proba(held_out_docs), atol=1e-5)
    np.testing.assert_array_equal(model.predict(held_out_docs), pipe.predict(held_out_docs))
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


def test_quantized_export_is_smaller_and_agrees(reviews, held_out_docs, tmp_path):
    X, y = reviews
    pipe = make_pipeline(TextVectorizer(), LSTMSentimentClassifier(
        **{**FAST, "embedding_dim": 32, "hidden_size": 64, "max_epochs": 4})).fit(X, y)
    exact = export_onnx(pipe, tmp_path / "float.onnx")
    small = export_onnx(pipe, tmp_path / "int8.onnx", quantize=True)
    quantized = sonnx.load(small)
    assert quantized.metadata["quantized"].startswith("dynamic int8")
    assert os.path.getsize(small) < os.path.getsize(exact)
    proba = quantized.predict_proba(held_out_docs)
    assert np.abs(proba - pipe.predict_proba(held_out_docs)).max() < 0.05
    assert np.mean(quantized.predict(held_out_docs) == pipe.predict(held_out_docs)) > 0.95


def test_the_loader_runs_without_torch_sklearn_or_gensim(reviews, tmp_path, run_python):
    X, y = reviews
    pipe = make_pipeline(TextVectorizer(), LSTMSentimentClassifier(**FAST)).fit(X, y)
    path = export_onnx(pipe, tmp_path / "model.onnx")
    code = (
        "import sys, sklearn_rnn.onnx as o\n"
        f"m = o.load({str(path)!r})\n"
        "print(m.predict(['a great film', 'a dull waste']).tolist())\n"
        "print(sorted(n for n in ('torch', 'skorch', 'gensim', 'sklearn') if n in sys.modules))\n"
    )
    result = run_python("-c", code)
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


def test_import_sklearn_rnn_is_lazy(run_python):
    code = "import sys, sklearn_rnn; print('torch' in sys.modules)"
    result = run_python("-c", code, timeout=60)
    assert result.stdout.strip() == "False"


# --------------------------------------------------------------------------- #
# files from strangers: the metadata is checked before use
# --------------------------------------------------------------------------- #
@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    X, y = make_reviews(120, seed=11)
    pipe = make_pipeline(TextVectorizer(), LSTMSentimentClassifier(**FAST)).fit(X, y)
    path = tmp_path_factory.mktemp("onnx") / "model.onnx"
    export_onnx(pipe, path)
    return path, pipe


def _tampered(path, tmp_path, edit):
    """A copy of the exported file whose metadata JSON went through ``edit``
    (a function of the dict, or a string to store as it is)."""
    import json

    import onnx

    graph = onnx.load(str(path))
    entry = next(e for e in graph.metadata_props if e.key == sonnx.METADATA_KEY)
    if isinstance(edit, str):
        entry.value = edit
    else:
        metadata = json.loads(entry.value)
        edit(metadata)
        entry.value = json.dumps(metadata)
    out = tmp_path / "tampered.onnx"
    onnx.save(graph, str(out))
    return out


def _set(*keys_and_value):
    *keys, value = keys_and_value

    def edit(metadata):
        target = metadata
        for key in keys[:-1]:
            target = target[key]
        if value is _DELETE:
            del target[keys[-1]]
        else:
            target[keys[-1]] = value

    return edit


_DELETE = object()


@pytest.mark.parametrize("edit, match", [
    (_set("vectorizer", "token_pattern", r"(?:a+)+$"),
     r"token_pattern='\(\?:a\+\)\+\$', not the default.*trusted_token_patterns"),
    (_set("vectorizer", "maxlen", 2**28), r"vectorizer.maxlen=268,435,456, above the"),
    (_set("vectorizer", "maxlen", 0), r"vectorizer.maxlen=0, expected an int >= 1"),
    (_set("batch_size", -1), r"batch_size=-1, expected an int >= 1"),
    (_set("batch_size", "64"), r"batch_size='64', expected int"),
    (_set("classes", "values", ["negative", "neutral", "positive"]),
     r"3 classes but the graph outputs 2 columns"),
    (_set("classes", "values", ["negative", "negative"]), "repeated labels"),
    (_set("classes", "dtype", "<M8[ns]"), "classes.dtype"),
    (_set("n_vocab", 10**6), r"n_vocab=1,000,000 but the graph's embedding table has"),
    (_set("n_vocab", 5), r"vectorizer.tokens but n_vocab=5"),
    (_set("vectorizer", "tokens", ["<pad>", "<unk>", "good", "good"]), "repeated tokens"),
    (_set("vectorizer", "stop_words", "the"), r"vectorizer.stop_words='the', expected list"),
    (_set("vectorizer", "padding", "middle"), r"vectorizer.padding='middle'"),
    (_set("vectorizer", "tokenizer", "evil.module"), r"not one of the named tokenizers"),
    (_set("vectorizer", "lowercase", "yes"), r"vectorizer.lowercase='yes', expected bool"),
    (_set("n_vocab", _DELETE), r"has no 'n_vocab' field"),
    (_set("vectorizer", [1, 2]), r"vectorizer=\[1, 2\], expected dict or null"),
    ("{not json", r"metadata is not JSON"),
    ("[1, 2]", r"metadata is a list, expected a JSON object"),
])
def test_tampered_metadata_is_refused_naming_the_field(exported, tmp_path, edit, match):
    path, _ = exported
    with pytest.raises(ValueError, match=match):
        sonnx.load(_tampered(path, tmp_path, edit))


def test_a_tampered_token_pattern_is_refused_before_any_text(exported, tmp_path):
    path, pipe = exported
    evil = r"(?:a+)+$"  # catastrophic backtracking: doubling time per character
    tampered = _tampered(path, tmp_path, _set("vectorizer", "token_pattern", evil))
    with pytest.raises(ValueError, match="trusted_token_patterns"):
        sonnx.load(tampered)
    # the same rule as load_skops: a pattern you set yourself can be trusted
    model = sonnx.load(tampered, trusted_token_patterns=[evil])
    assert model.transform(["aaa"])[1].tolist() == [1]
    two_groups = _tampered(path, tmp_path, _set("vectorizer", "token_pattern", r"(a)(b)"))
    with pytest.raises(ValueError, match="2 capturing groups"):
        sonnx.load(two_groups, trusted_token_patterns=[r"(a)(b)"])


def test_a_named_tokenizer_needs_no_pattern_trust(exported, tmp_path):
    path, _ = exported

    def edit(metadata):
        metadata["vectorizer"].update(tokenizer="char", token_pattern="(?:a+)+$")

    model = sonnx.load(_tampered(path, tmp_path, edit))  # the pattern is not used
    assert model.predict_proba(["good"]).shape == (1, 2)


@pytest.mark.parametrize("kwargs, match", [
    (dict(lengths=[-3]), r"lengths must be in \[0, 4\].*row 0 has -3"),
    (dict(lengths=[5]), r"row 0 has 5"),
    (dict(lengths=[1, 2]), r"lengths must be 1 integers"),
    (dict(lengths=[1.5]), r"lengths must be 1 integers"),
    (dict(lengths=[2], padding="middle"), r"padding must be 'pre' or 'post'"),
])
def test_predict_proba_ids_checks_its_arguments(exported, kwargs, match):
    path, _ = exported
    model = sonnx.load(path)
    with pytest.raises(ValueError, match=match):
        model.predict_proba_ids([[0, 0, 5, 6]], **kwargs)
    with pytest.raises(ValueError, match="must be integers"):
        model.predict_proba_ids([[0.5, 2.0]])
    assert model.predict_proba_ids([[0, 0, 5, 6]], lengths=[2]).shape == (1, 2)
