"""RNN vs LSTM on IMDB reviews, next to a TF-IDF baseline
=========================================================

Trains a vanilla RNN and an LSTM on the same IMDB reviews, each in a
scikit-learn ``Pipeline`` behind a ``TextVectorizer``, and a TF-IDF +
LogisticRegression baseline. Prints a comparison table (accuracy,
misclassification rate, per-class accuracy, training time), a few held-out
reviews with each model's prediction and confidence, and reviews that at
least one model gets wrong. Saves each network's confusion matrix as a PNG.

Run::

    python examples/rnn_vs_lstm.py           # quick: 2,000 reviews, tiny nets
    python examples/rnn_vs_lstm.py --full    # 20,000 train / 5,000 test, real sizes
    python examples/rnn_vs_lstm.py --data path/to/aclImdb_v1.tar.gz --out figures/
"""

# %%
# Imports and settings. The quick mode only checks that everything runs; use
# --full for numbers worth reporting.
import argparse
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # write PNG files, never open a window
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from sklearn_rnn import LSTMSentimentClassifier, RNNSentimentClassifier, TextVectorizer
from sklearn_rnn.datasets import load_imdb
from sklearn_rnn.evaluation import (
    evaluate_model,
    format_samples,
    format_table,
    plot_confusion_matrix,
    prediction_samples,
)

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--full", action="store_true", help="all data, real model sizes")
parser.add_argument("--data", help="aclImdb .tar.gz or folder (default: download)")
parser.add_argument("--out", default="examples_output", help="folder for figures")
args = parser.parse_args()
out = Path(args.out)
out.mkdir(parents=True, exist_ok=True)

if args.full:  # 20,000 / 5,000 reviews and networks of a realistic size
    n_train, n_test = 20_000, 5_000
    vec_params = dict(maxlen=400, max_features=20_000)
    net_params = dict(embedding_dim=128, hidden_size=128, max_epochs=8)
else:  # a quick check that everything runs: small slice, tiny nets, 3 epochs
    n_train, n_test = 2_000, 500
    vec_params = dict(maxlen=100, max_features=2_000)
    net_params = dict(embedding_dim=32, hidden_size=32, lr=1e-2, max_epochs=3)
net_params.update(pooling="max", batch_size=64, random_state=0)

# %%
# Data: the official test split may be missing (the shared archive has only
# the train split), so we hold out the last reviews of the shuffled train set.
X, y = load_imdb(data_home=args.data, return_X_y=True, n_samples=n_train + n_test)
X_train, X_test, y_train, y_test = X[:n_train], X[n_train:], y[:n_train], y[n_train:]
print(f"{len(X_train):,} training and {len(X_test):,} held-out reviews")

# %%
# Models: the two networks differ only in their recurrent cell. Both read the
# token ids made by TextVectorizer (vocabulary, padding, truncation), and
# pool their per-word states with a max over the review ("max").
models = {
    "TF-IDF + LogReg": make_pipeline(TfidfVectorizer(min_df=2),
                                     LogisticRegression(max_iter=1000)),
    "RNN": make_pipeline(TextVectorizer(**vec_params),
                         RNNSentimentClassifier(**net_params)),
    "LSTM": make_pipeline(TextVectorizer(**vec_params),
                          LSTMSentimentClassifier(**net_params)),
}

# %%
# Train and score each model on the held-out reviews. (In quick mode the first
# network's fit_seconds include PyTorch's one-off start-up, about 3 s.)
rows = []
for name, model in models.items():
    start = time.perf_counter()
    model.fit(X_train, y_train)
    rows.append(evaluate_model(model, X_test, y_test, name=name,
                               fit_seconds=time.perf_counter() - start))
print(format_table(rows, columns=["model", "accuracy", "misclassified_rate",
                                  "accuracy_negative", "accuracy_positive",
                                  "fit_seconds"]))

# %%
# A few held-out reviews with every model's prediction and confidence
# (its predicted class's probability), then reviews some model gets wrong.
print("\nSample reviews:")
print(format_samples(prediction_samples(models, X_test, y_test, n=3), width=150))
print("\nMisclassified reviews:")
print(format_samples(prediction_samples(models, X_test, y_test, n=3,
                                        misclassified=True), width=150))

# %%
# Confusion matrices of the two networks.
for name in ("RNN", "LSTM"):
    fig = plot_confusion_matrix(models[name], X_test, y_test, title=name)
    fig.savefig(out / f"rnn_vs_lstm_confusion_{name.lower()}.png", dpi=100)
print(f"\nConfusion matrices written to {out}/")
