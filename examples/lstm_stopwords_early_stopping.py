"""LSTM with stop-word removal and early stopping
===============================================

The classic Keras-style recipe as a scikit-learn pipeline: drop English stop
words, keep the 5,000 most frequent words, cut every review to its last 100
words, and train an LSTM that holds out a validation split and stops when the
validation loss stops improving (restoring the best epoch's weights). Prints
the per-epoch log and a ``classification_report`` on held-out reviews, and
saves the training curves (loss and accuracy, train vs validation) as a PNG.

Run::

    python examples/lstm_stopwords_early_stopping.py         # quick: 2,000 reviews
    python examples/lstm_stopwords_early_stopping.py --full  # 20,000 / 5,000 reviews
    python examples/lstm_stopwords_early_stopping.py --data data/ --out figs/
"""

# %%
import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # write PNG files, never open a window
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
from sklearn.metrics import classification_report
from sklearn.pipeline import make_pipeline

from sklearn_rnn import LSTMSentimentClassifier, TextVectorizer
from sklearn_rnn.datasets import load_imdb
from sklearn_rnn.evaluation import plot_training_curves

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--full", action="store_true", help="all data, real model sizes")
parser.add_argument("--data", help="aclImdb .tar.gz or folder (default: download)")
parser.add_argument("--out", default="examples_output", help="folder for figures")
args = parser.parse_args()
out = Path(args.out)
out.mkdir(parents=True, exist_ok=True)

if args.full:  # a realistic run: early stopping decides the number of epochs
    n_train, n_test = 20_000, 5_000
    net_params = dict(embedding_dim=128, hidden_size=128, max_epochs=30)
else:  # quick check: small slice and net; lr high enough to overfit in a few epochs
    n_train, n_test = 2_000, 500
    net_params = dict(embedding_dim=32, hidden_size=32, lr=1e-2, max_epochs=8)

# %%
# Data: hold out the last reviews of the shuffled train split for testing.
X, y = load_imdb(data_home=args.data, return_X_y=True, n_samples=n_train + n_test)
X_train, X_test, y_train, y_test = X[:n_train], X[n_train:], y[:n_train], y[n_train:]

# %%
# Stop words: scikit-learn's English list contains negations ("not", "no",
# "nor"...) which flip a review's sentiment; we keep those. Pass
# stop_words="english" to use the list unchanged.
stop_words = sorted(ENGLISH_STOP_WORDS - {"not", "no", "nor", "never", "nothing"})

# %%
# The model. With early_stopping=True the classifier holds out
# validation_fraction of the training reviews (stratified), scores them after
# every epoch, stops after n_iter_no_change epochs without a lower validation
# loss and restores the weights of the best epoch. (verbose=1 would print
# skorch's per-epoch log while training.)
model = make_pipeline(
    TextVectorizer(stop_words=stop_words, max_features=5_000, maxlen=100),
    LSTMSentimentClassifier(
        early_stopping=True, validation_fraction=0.2, n_iter_no_change=2,
        pooling="max", batch_size=64, random_state=0, **net_params,
    ),
)
model.fit(X_train, y_train)

# %%
# What early stopping did: history_ (a skorch History) has one row per epoch.
history = model[-1].history_
print("epoch  train_loss  train_acc  valid_loss  valid_acc")
for row in history:
    print(f"{row['epoch']:5d}  {row['train_loss']:10.3f}  {row['train_acc']:9.1%}  "
          f"{row['valid_loss']:10.3f}  {row['valid_acc']:9.1%}")
best = min(history, key=lambda row: row["valid_loss"])["epoch"]
print(f"Stopped after {len(history)} of {net_params['max_epochs']} epochs; "
      f"kept epoch {best}.\n")

# %%
# Scores on the held-out reviews, with the usual scikit-learn report.
print(classification_report(y_test, model.predict(X_test), digits=3))

# %%
# Training curves: the validation loss turning up is where training stopped.
fig = plot_training_curves(model, title="LSTM, stop words removed, early stopping")
fig.savefig(out / "lstm_training_curves.png", dpi=100)
print(f"Training curves written to {out / 'lstm_training_curves.png'}")
