"""sklearn_rnn: recurrent-network text classifiers as scikit-learn estimators.

The names below are imported on first use, so ``import sklearn_rnn`` is fast
and ``import sklearn_rnn.onnx`` (prediction with ONNX Runtime) never imports
torch.
"""

from ._version import __version__

#: public name -> the module that defines it
_LAZY = {
    "RecurrentTextClassifier": "._classifier",
    "RNNSentimentClassifier": "._classifier",
    "LSTMSentimentClassifier": "._classifier",
    "GRUSentimentClassifier": "._classifier",
    "TrainingDivergedError": "._net",
    "TextVectorizer": "._vectorizer",
    "TokenArray": "._token_array",
    "RaggedTokens": "._ragged",
    "PretrainedEmbeddings": "._embeddings",
    "EmbeddingCoverage": "._embeddings",
    "build_embedding_matrix": "._embeddings",
    "load_word_vectors": "._vectors_io",
    "train_word2vec": "._vectors_io",
    "export_onnx": "._onnx_export",
}

__all__ = [*_LAZY, "__version__"]


def __getattr__(name):
    if name in _LAZY:
        from importlib import import_module

        value = getattr(import_module(_LAZY[name], __name__), name)
        globals()[name] = value  # once
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
