"""Multiclass: predicting star-rating buckets
===========================================

The classifiers are not limited to two classes: any labels scikit-learn
accepts work, and ``classes_`` keeps them as given. Here a GRU predicts the
star rating bucket of an IMDB review (1-2, 3-4, 7-8 or 9-10 stars out of 10;
the dataset has no neutral 5-6 reviews) from the ratings ``load_imdb``
returns. Prints the class balance, a ``classification_report`` and the
confusion matrix (most mistakes fall in a neighbouring bucket), and saves it
as a PNG.

Run::

    python examples/multiclass_ratings.py          # quick: 2,000 reviews
    python examples/multiclass_ratings.py --full   # 20,000 / 5,000 reviews
    python examples/multiclass_ratings.py --data path/to/aclImdb_v1.tar.gz --out figs/
"""

# %%
import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # write PNG files, never open a window
import numpy as np
from sklearn.metrics import classification_report, confusion_matrix
from sklearn.pipeline import make_pipeline

from sklearn_rnn import GRUSentimentClassifier, TextVectorizer
from sklearn_rnn.datasets import load_imdb
from sklearn_rnn.evaluation import plot_confusion_matrix

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--full", action="store_true", help="all data, real model sizes")
parser.add_argument("--data", help="aclImdb .tar.gz or folder (default: download)")
parser.add_argument("--out", default="examples_output", help="folder for figures")
args = parser.parse_args()
out = Path(args.out)
out.mkdir(parents=True, exist_ok=True)

if args.full:  # 20,000 / 5,000 reviews and a network of a realistic size
    n_train, n_test = 20_000, 5_000
    vec_params = dict(maxlen=400, max_features=20_000)
    net_params = dict(embedding_dim=128, hidden_size=128, max_epochs=8)
else:  # quick check: small slice, tiny GRU
    n_train, n_test = 2_000, 500
    vec_params = dict(maxlen=100, max_features=2_000)
    net_params = dict(embedding_dim=32, hidden_size=32, lr=1e-2, max_epochs=4)

# %%
# Labels: each review's star rating (1-4 and 7-10) grouped into 4 buckets.
imdb = load_imdb(data_home=args.data, n_samples=n_train + n_test)
stars = imdb.ratings
y = np.select([stars <= 2, stars <= 4, stars <= 8], ["1-2", "3-4", "7-8"], "9-10")
X = imdb.data
X_train, X_test, y_train, y_test = X[:n_train], X[n_train:], y[:n_train], y[n_train:]
labels, counts = np.unique(y_train, return_counts=True)
print("training reviews per bucket:", dict(zip(labels.tolist(), counts.tolist(),
                                                strict=True)))

# %%
# A GRU this time; the pipeline is the same as for two classes. The network
# gets one output per class and is trained with cross-entropy.
model = make_pipeline(
    TextVectorizer(**vec_params),
    GRUSentimentClassifier(pooling="max", batch_size=64, random_state=0, **net_params),
)
model.fit(X_train, y_train)
print("classes_:", model.classes_.tolist())

# %%
# Per-bucket precision and recall, and where the mistakes go (rows: truth).
pred = model.predict(X_test)
print(classification_report(y_test, pred, digits=3, zero_division=0))
print("confusion matrix (rows: true bucket, columns: predicted):")
print(f"{'':>6}" + "".join(f"{c:>6}" for c in model.classes_))
matrix = confusion_matrix(y_test, pred, labels=model.classes_)
for label, row in zip(model.classes_, matrix, strict=True):
    print(f"{label:>6}" + "".join(f"{n:6d}" for n in row))

fig = plot_confusion_matrix(model, X_test, y_test, title="GRU, star-rating buckets")
fig.savefig(out / "multiclass_confusion.png", dpi=100)
print(f"Confusion matrix written to {out / 'multiclass_confusion.png'}")
