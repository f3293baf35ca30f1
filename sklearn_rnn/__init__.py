"""sklearn_rnn: recurrent-network text classifiers as scikit-learn estimators."""

from ._classifier import (
    GRUSentimentClassifier,
    LSTMSentimentClassifier,
    RecurrentTextClassifier,
    RNNSentimentClassifier,
)
from ._embeddings import EmbeddingCoverage, PretrainedEmbeddings, build_embedding_matrix
from ._net import TrainingDivergedError
from ._token_array import TokenArray
from ._vectorizer import TextVectorizer
from ._vectors_io import load_word_vectors, train_word2vec
from ._version import __version__

__all__ = [
    "EmbeddingCoverage",
    "PretrainedEmbeddings",
    "build_embedding_matrix",
    "load_word_vectors",
    "train_word2vec",
    "RecurrentTextClassifier",
    "GRUSentimentClassifier",
    "LSTMSentimentClassifier",
    "RNNSentimentClassifier",
    "TextVectorizer",
    "TokenArray",
    "TrainingDivergedError",
    "__version__",
]
