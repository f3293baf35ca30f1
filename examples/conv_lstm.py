"""Conv1D + LSTM, the Keras tutorial's model, next to the plain LSTM
==================================================================

One of the tutorials this library replaces builds, on IMDB::

    Embedding(20000, 128) -> Dropout(0.25) -> Conv1D(64, 5, relu)
        -> MaxPooling1D(4) -> LSTM(70) -> Dense(1, sigmoid)

on reviews cut to 100 tokens, batch 30, 2 epochs. Here it is one estimator:
``conv_filters=64, conv_kernel_size=5, conv_pool_size=4`` put the
convolution and pooling before the recurrent layer (which then reads a
sequence four times shorter), ``pooling='last'`` reads the LSTM's last state
as Keras does. Trained on the same split as the plain LSTM, with accuracy and
seconds per epoch for both.

Run::

    python examples/conv_lstm.py          # quick: 2,000 reviews to train, 1,000 to test
    python examples/conv_lstm.py --full   # the tutorial: 20,000 / 5,000 reviews
    python examples/conv_lstm.py --data path/to/aclImdb_v1.tar.gz
"""

# %%
import argparse
import time

import numpy as np
from sklearn.pipeline import make_pipeline

from sklearn_rnn import LSTMSentimentClassifier, TextVectorizer
from sklearn_rnn.datasets import load_imdb

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--full", action="store_true", help="the tutorial's sizes")
parser.add_argument("--data", help="aclImdb .tar.gz or folder (default: download)")
parser.add_argument("--out", default="examples_output", help="(no files written)")
args = parser.parse_args()

if args.full:  # the tutorial: 20,000 reviews to train, 5,000 held out
    n_train, n_test, epochs = 20_000, 5_000, 2
else:  # quick check
    n_train, n_test, epochs = 2_000, 1_000, 2

X, y = load_imdb(data_home=args.data, return_X_y=True, n_samples=n_train + n_test)
X_train, y_train, X_test, y_test = X[:n_train], y[:n_train], X[n_train:], y[n_train:]

# %%
# The tutorial's model and the plain LSTM: same vectorizer (100 tokens, the
# 20,000 most frequent words), same embedding, epochs, batch and seed; like the
# tutorial, 2 epochs on all the training reviews (no early-stopping split) and
# no n-gram path (the library's default adds one; see the classifiers guide).
common = dict(embedding_dim=128, dropout=0.25, batch_size=30, max_epochs=epochs,
              early_stopping=False, ngram_range=None, random_state=0)
models = {
    "Conv1D + LSTM (tutorial)": LSTMSentimentClassifier(
        conv_filters=64, conv_kernel_size=5, conv_pool_size=4, hidden_size=70,
        pooling="last", **common),
    "LSTM": LSTMSentimentClassifier(hidden_size=70, pooling="last", **common),
}

# %%
print(f"{n_train:,} training and {n_test:,} held-out IMDB reviews, maxlen 100\n")
print(f"{'model':<26} {'accuracy':>9} {'s/epoch':>8} {'fit s':>7}")
for name, clf in models.items():
    pipe = make_pipeline(TextVectorizer(maxlen=100, max_features=20_000), clf)
    start = time.perf_counter()
    pipe.fit(X_train, y_train)
    fit_seconds = time.perf_counter() - start
    s_per_epoch = float(np.mean(clf.history_[:, "dur"]))
    print(f"{name:<26} {pipe.score(X_test, y_test):>9.1%} {s_per_epoch:>8.1f} "
          f"{fit_seconds:>7.1f}")
