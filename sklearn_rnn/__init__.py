"""sklearn_rnn: recurrent-network text classifiers as scikit-learn estimators."""

from ._classifier import (
    GRUSentimentClassifier,
    LSTMSentimentClassifier,
    RNNSentimentClassifier,
)
from ._vectorizer import TextVectorizer, TokenArray

__version__ = "0.1.0"

__all__ = [
    "GRUSentimentClassifier",
    "LSTMSentimentClassifier",
    "RNNSentimentClassifier",
    "TextVectorizer",
    "TokenArray",
    "__version__",
]
