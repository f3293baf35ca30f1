"""Grid search over an LSTM's sizes with GridSearchCV
===================================================

Tunes ``hidden_size`` and ``embedding_dim`` of an LSTM inside a
``Pipeline(TextVectorizer, LSTMSentimentClassifier)`` with scikit-learn's
``GridSearchCV``, exactly as for any other estimator: parameters are
addressed as ``<step>__<parameter>`` and every cross-validation fold fits its
own vocabulary. Prints the cross-validated score of each combination, the
best one, and its accuracy on held-out reviews.

Run::

    python examples/grid_search.py          # quick: 1,200 reviews, 2x2 grid, 2 folds
    python examples/grid_search.py --full   # 10,000 reviews, 3x3 grid, 3 folds
    python examples/grid_search.py --data path/to/aclImdb_v1.tar.gz
"""

# %%
import argparse

from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import Pipeline

from sklearn_rnn import LSTMSentimentClassifier, TextVectorizer
from sklearn_rnn.datasets import load_imdb

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--full", action="store_true", help="all data, real model sizes")
parser.add_argument("--data", help="aclImdb .tar.gz or folder (default: download)")
parser.add_argument("--out", default="examples_output", help="(no files written)")
args = parser.parse_args()

if args.full:  # 9 combinations x 3 folds = 27 fits (plus the refit)
    n_train, n_test, folds = 10_000, 5_000, 3
    vec_params = dict(maxlen=400, max_features=20_000)
    net_params = dict(max_epochs=6)
    grid = {"clf__hidden_size": [32, 64, 128], "clf__embedding_dim": [32, 64, 128]}
else:  # quick check: 4 combinations x 2 folds of tiny networks
    n_train, n_test, folds = 1_200, 300, 2
    vec_params = dict(maxlen=100, max_features=2_000)
    net_params = dict(lr=1e-2, max_epochs=4)
    grid = {"clf__hidden_size": [16, 32], "clf__embedding_dim": [16, 32]}

# %%
# Data: hold out the last reviews of the shuffled train split for testing.
X, y = load_imdb(data_home=args.data, return_X_y=True, n_samples=n_train + n_test)
X_train, X_test, y_train, y_test = X[:n_train], X[n_train:], y[:n_train], y[n_train:]

# %%
# The pipeline: named steps, so the grid can address "clf__hidden_size".
pipe = Pipeline([
    ("vec", TextVectorizer(**vec_params)),
    ("clf", LSTMSentimentClassifier(pooling="max", batch_size=32, random_state=0,
                                    **net_params)),
])

# %%
# The search. n_jobs=1 trains one network at a time: PyTorch already uses
# every core; with n_jobs > 1 set torch's threads per worker accordingly.
cv = StratifiedKFold(folds, shuffle=True, random_state=0)
search = GridSearchCV(pipe, grid, cv=cv, scoring="accuracy", n_jobs=1)
search.fit(X_train, y_train)

# %%
# One row per combination, best first (cv_results_ is a plain dict of arrays).
results = search.cv_results_
print("rank  hidden_size  embedding_dim  mean accuracy  (std)   fit time")
for i in results["rank_test_score"].argsort():
    params = results["params"][i]
    print(f"{results['rank_test_score'][i]:4d}  {params['clf__hidden_size']:11d}  "
          f"{params['clf__embedding_dim']:13d}  {results['mean_test_score'][i]:13.1%}  "
          f"({results['std_test_score'][i]:.1%})  {results['mean_fit_time'][i]:6.1f} s")

# %%
# GridSearchCV refits the best combination on all training reviews.
print(f"\nBest parameters: {search.best_params_}")
print(f"Held-out accuracy of the refitted best model: "
      f"{search.score(X_test, y_test):.1%} on {len(y_test):,} reviews")
