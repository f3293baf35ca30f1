"""sklearn_rnn: recurrent-network text classifiers as scikit-learn estimators."""

from ._classifier import (
    GRUSentimentClassifier,
    LSTMSentimentClassifier,
    RNNSentimentClassifier,
    TrainingDivergedError,
)
from ._embeddings import (
    EmbeddingCoverage,
    build_embedding_matrix,
    load_word_vectors,
    train_word2vec,
)
from ._vectorizer import TextVectorizer, TokenArray
from ._version import __version__

__all__ = [
    "EmbeddingCoverage",
    "build_embedding_matrix",
    "load_word_vectors",
    "train_word2vec",
    "GRUSentimentClassifier",
    "LSTMSentimentClassifier",
    "RNNSentimentClassifier",
    "TextVectorizer",
    "TokenArray",
    "TrainingDivergedError",
    "__version__",
]
