"""Cross-validated LSTM vs a TF-IDF + LogisticRegression baseline
================================================================

``cross_val_score`` works on the LSTM pipeline exactly as on a bag-of-words
baseline: the same folds, the same scorer, one line each. The comparison
every recurrent model should pass before it is worth its training time.
Prints each fold's accuracy and the mean and spread per model.

Run::

    python examples/cross_val_vs_tfidf.py          # quick: 1,200 reviews, 3 folds
    python examples/cross_val_vs_tfidf.py --full   # 25,000 reviews, 5 folds
    python examples/cross_val_vs_tfidf.py --data path/to/aclImdb_v1.tar.gz
"""

# %%
import argparse

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline

from sklearn_rnn import LSTMSentimentClassifier, TextVectorizer
from sklearn_rnn.datasets import load_imdb

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--full", action="store_true", help="all data, real model sizes")
parser.add_argument("--data", help="aclImdb .tar.gz or folder (default: download)")
parser.add_argument("--out", default="examples_output", help="(no files written)")
args = parser.parse_args()

if args.full:  # every labelled review, 5 folds of 20,000 / 5,000
    n_samples, folds = None, 5
    vec_params = dict(maxlen=400, max_features=20_000)
    net_params = dict(embedding_dim=128, hidden_size=128, max_epochs=6)
else:  # quick check: 3 folds of 800 / 400 reviews, tiny LSTM
    n_samples, folds = 1_200, 3
    vec_params = dict(maxlen=100, max_features=2_000)
    net_params = dict(embedding_dim=32, hidden_size=32, lr=1e-2, max_epochs=3)

X, y = load_imdb(data_home=args.data, return_X_y=True, n_samples=n_samples)

# %%
# Two pipelines from raw text to a label. Each fold fits its own vectorizer,
# so no word of a test fold leaks into the vocabulary.
models = {
    "TF-IDF + LogReg": make_pipeline(TfidfVectorizer(min_df=2, ngram_range=(1, 2)),
                                     LogisticRegression(max_iter=1000)),
    "LSTM": make_pipeline(TextVectorizer(**vec_params),
                          LSTMSentimentClassifier(pooling="max", batch_size=32,
                                                  random_state=0, **net_params)),
}

# %%
# The same stratified folds for both models, so the scores pair up fold by fold.
cv = StratifiedKFold(folds, shuffle=True, random_state=0)
print(f"{folds}-fold cross-validated accuracy on {len(X):,} reviews")
for name, model in models.items():
    scores = cross_val_score(model, X, y, cv=cv, scoring="accuracy")
    per_fold = "  ".join(f"{s:.1%}" for s in scores)
    print(f"{name:>16}: mean {scores.mean():.1%} (std {scores.std():.1%})  "
          f"folds: {per_fold}")
