"""sklearn_rnn: recurrent-network text classifiers as scikit-learn estimators.

The names below are imported on first use, so ``import sklearn_rnn`` is fast,
``TextVectorizer`` comes without torch (the text layer, ``_text/``, never
imports it), and ``import sklearn_rnn.onnx`` (prediction with ONNX Runtime)
needs neither torch nor scikit-learn.

The private subpackages are the layers, each importing only those before it:
``_utils`` (validation, scikit-learn's callback API), ``_text`` (text to token
ids: numpy and scikit-learn), ``_vectors`` (word vectors: gensim), ``_nn``
(the PyTorch module and the skorch net), then the estimators in
``_classifier.py``; ``NBSVMClassifier`` (``_linear.py``) needs only numpy
and scikit-learn.
"""

import importlib
import importlib.abc
import importlib.util
import sys

from ._version import __version__

#: public name -> the module that defines it
_LAZY = {
    "RecurrentTextClassifier": "._classifier",
    "RNNSentimentClassifier": "._classifier",
    "LSTMSentimentClassifier": "._classifier",
    "GRUSentimentClassifier": "._classifier",
    "NBSVMClassifier": "._linear",
    "TrainingDivergedError": "._nn._net",
    "TextVectorizer": "._text._vectorizer",
    "TokenArray": "._text._ids",
    "RaggedTokens": "._text._ids",
    "PretrainedEmbeddings": "._vectors._pretrained",
    "VectorsNotSaved": "._vectors._pretrained",
    "EmbeddingCoverage": "._vectors._matrix",
    "build_embedding_matrix": "._vectors._matrix",
    "load_word_vectors": "._vectors._io",
    "train_word2vec": "._vectors._io",
    "export_onnx": "._onnx_export",
    "explain": "._explain",
    "HoldoutStackingClassifier": "._ensemble",
    "DistilledClassifier": "._distill",
    "Explanation": "._explain",
}

__all__ = [*_LAZY, "__version__"]


def __getattr__(name):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value  # once
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(__all__)


#: Modules of sklearn_rnn 0.1 that files saved by it name (pickle, joblib and
#: skops record each class by module): importing one gives its successor's
#: names, so those files keep loading.
MOVED_MODULES = {
    "sklearn_rnn._vectorizer": "sklearn_rnn._text._vectorizer",
    "sklearn_rnn._token_array": "sklearn_rnn._text._ids",
    "sklearn_rnn._ragged": "sklearn_rnn._text._ids",
    "sklearn_rnn._embeddings": "sklearn_rnn._vectors._pretrained",
    "sklearn_rnn._net": "sklearn_rnn._nn._net",
}


class _MovedModules(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds the old module names of :data:`MOVED_MODULES`: each is a module
    whose attributes are read from its successor."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname in MOVED_MODULES:
            return importlib.util.spec_from_loader(fullname, self)
        return None

    def create_module(self, spec):
        return None  # the default module object

    def exec_module(self, module):
        successor = importlib.import_module(MOVED_MODULES[module.__name__])
        module.__getattr__ = lambda name: getattr(successor, name)


sys.meta_path.append(_MovedModules())
