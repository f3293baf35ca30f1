"""The layers keep to their dependencies: the text layer never imports torch."""

import subprocess
import sys

import pytest


def _modules_after(code):
    """The top-level packages a fresh interpreter has imported after ``code``."""
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys\nprint(' '.join(sorted({m.split('.')[0] "
         "for m in sys.modules})))"],
        capture_output=True, text=True, check=True,
    ).stdout
    return set(out.split())


def test_the_text_layer_imports_no_torch():
    loaded = _modules_after(
        "import sklearn_rnn\n"
        "X = sklearn_rnn.TextVectorizer().fit_transform(['a b', 'b c'])\n"
        "R = sklearn_rnn.TextVectorizer(ragged=True).fit_transform(['a b', 'b c'])\n"
        "assert type(X).__name__ == 'TokenArray' and type(R).__name__ == 'RaggedTokens'"
    )
    assert not loaded & {"torch", "skorch", "gensim"}, loaded & {"torch", "skorch", "gensim"}


def test_the_onnx_loader_imports_neither_torch_nor_scikit_learn():
    loaded = _modules_after("import sklearn_rnn.onnx")
    assert not loaded & {"torch", "skorch", "gensim", "sklearn"}


@pytest.mark.parametrize("name", ["TextVectorizer", "TokenArray", "RaggedTokens",
                                  "RecurrentTextClassifier", "LSTMSentimentClassifier",
                                  "PretrainedEmbeddings", "EmbeddingCoverage",
                                  "TrainingDivergedError"])
def test_public_classes_report_the_public_module(name):
    import sklearn_rnn

    assert getattr(sklearn_rnn, name).__module__ == "sklearn_rnn"
