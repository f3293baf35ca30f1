"""word2vec on unlabelled reviews, transferred to an LSTM
=======================================================

Semi-supervised transfer in two steps: train word2vec (gensim) on IMDB's
unlabelled ``unsup`` reviews with ``train_word2vec``, tokenized exactly like
the classifier's ``TextVectorizer``, then use those vectors to initialise the
embedding layer of an LSTM trained on a few labelled reviews. Prints the
nearest neighbours of a few words, the vectors' coverage of the classifier's
vocabulary, and held-out accuracy next to a randomly initialised LSTM.

Run::

    python examples/word2vec_transfer.py          # quick: 3,000 unlabelled reviews
    python examples/word2vec_transfer.py --full   # all 50,000 unlabelled reviews
    python examples/word2vec_transfer.py --data path/to/aclImdb_v1.tar.gz
"""

# %%
import argparse

from sklearn.base import clone
from sklearn.pipeline import make_pipeline

from sklearn_rnn import LSTMSentimentClassifier, TextVectorizer, train_word2vec
from sklearn_rnn.datasets import load_imdb
from sklearn_rnn.evaluation import evaluate_model, format_table

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--full", action="store_true", help="all data, real model sizes")
parser.add_argument("--data", help="aclImdb .tar.gz or folder (default: download)")
parser.add_argument("--out", default="examples_output", help="(no files written)")
args = parser.parse_args()

if args.full:  # word2vec on all 50,000 reviews (minutes on one core), then
    # 5,000 labelled reviews: transfer helps most when labels are few
    n_unsup, n_train, n_test = None, 5_000, 5_000
    w2v_params = dict(vector_size=100, epochs=5)
    vec_params = dict(maxlen=400, max_features=20_000)
    net_params = dict(hidden_size=128, max_epochs=8)
else:  # quick check: 3,000 reviews, few passes at a higher learning rate (alpha)
    n_unsup, n_train, n_test = 3_000, 2_000, 500
    w2v_params = dict(vector_size=50, epochs=3, alpha=0.05)
    vec_params = dict(maxlen=100, max_features=5_000)
    net_params = dict(hidden_size=32, lr=1e-2, max_epochs=3)

# %%
# Step 1: word2vec on unlabelled reviews. Passing the vectorizer makes gensim
# see the same tokens as the classifier (lowercased, HTML stripped, "don't"
# kept whole). workers=1 makes the vectors reproducible.
vectorizer = TextVectorizer(**vec_params)
unsup = load_imdb("unsup", data_home=args.data, n_samples=n_unsup).data
vectors = train_word2vec(unsup, vectorizer=vectorizer, min_count=3, workers=1,
                         random_state=0, **w2v_params)
print(f"word2vec: {len(vectors):,} words x {vectors.vector_size} from "
      f"{len(unsup):,} unlabelled reviews")
for word in ("great", "awful", "plot"):
    neighbours = ", ".join(w for w, _ in vectors.most_similar(word, topn=5))
    print(f"  nearest to {word!r}: {neighbours}")

# %%
# Step 2: a labelled slice (the unsup reviews have no labels), with held-out
# reviews from the same train split for testing.
X, y = load_imdb(data_home=args.data, return_X_y=True, n_samples=n_train + n_test)
X_train, X_test, y_train, y_test = X[:n_train], X[n_train:], y[:n_train], y[n_train:]

# %%
# Step 3: the same pipeline with random and with word2vec initial embeddings
# (fine-tuned during training: freeze_embeddings=False).
common = dict(embedding_dim=vectors.vector_size, pooling="max", batch_size=64,
              random_state=0, **net_params)
rows = []
for name, embeddings in (("random init", None), ("word2vec init", vectors)):
    model = make_pipeline(clone(vectorizer),
                          LSTMSentimentClassifier(embeddings=embeddings, **common))
    model.fit(X_train, y_train)
    rows.append(evaluate_model(model, X_test, y_test, name=name))
    if embeddings is not None:  # words of the vocabulary found in the vectors
        print(f"word2vec {model[-1].embeddings_report_} of the classifier's vocabulary")

print(format_table(rows, columns=["model", "accuracy", "accuracy_negative",
                                  "accuracy_positive"]))
