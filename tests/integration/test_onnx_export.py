"""export_onnx without the [onnx] extra, and quantization without alarming
notes (issue 25, item 7)."""

import logging
import sys

import numpy as np
import pytest
from sklearn.pipeline import make_pipeline

from sklearn_rnn import LSTMSentimentClassifier, TextVectorizer, export_onnx

from ..conftest import FAST, make_reviews


@pytest.fixture(scope="module")
def pipe():
    X, y = make_reviews(120, seed=4)
    return make_pipeline(TextVectorizer(), LSTMSentimentClassifier(
        ngram_range=(1, 2), ngram_buckets=2**10, **FAST)).fit(X, y)


@pytest.mark.parametrize("missing, kwargs, what", [
    ("onnx", {}, "export_onnx needs the onnx package"),
    ("onnxruntime", {"quantize": True}, r"export_onnx\(quantize=True\) needs the onnxruntime"),
])
def test_missing_extra_says_how_to_install_it(missing, kwargs, what, pipe, tmp_path,
                                              monkeypatch):
    if missing != "onnx":
        pytest.importorskip("onnx", reason="the [onnx] extra is not installed")
    for name in [m for m in sys.modules if m == missing or m.startswith(missing + ".")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, missing, None)  # import fails, as when not installed
    with pytest.raises(ImportError, match=what + r'.*pip install "sklearn-rnn\[onnx\]"'):
        export_onnx(pipe, tmp_path / "model.onnx", **kwargs)
    assert not (tmp_path / "model.onnx").exists()


def test_quantize_shows_no_routine_notes_and_leaves_logging_as_it_was(pipe, tmp_path, capfd,
                                                                      caplog):
    pytest.importorskip("onnxruntime", reason="the [onnx] extra is not installed")
    pytest.importorskip("onnx", reason="the [onnx] extra is not installed")
    import sklearn_rnn.onnx as sonnx

    root = logging.getLogger()
    handlers, filters = list(root.handlers), list(root.filters)
    with caplog.at_level(logging.INFO):
        path = export_onnx(pipe, tmp_path / "int8.onnx", quantize=True)
    err = capfd.readouterr().err
    assert "pre-processing" not in err and "Inference failed" not in err
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert root.handlers == handlers and root.filters == filters
    X, _ = make_reviews(20, seed=5)
    proba = sonnx.load(path).predict_proba(X)
    np.testing.assert_allclose(proba, pipe.predict_proba(X), atol=0.1)
