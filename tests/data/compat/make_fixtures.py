"""Write the saved-model fixtures of ``tests/integration/test_persistence_compat.py``.

Run once, with the sklearn_rnn whose files they stand for checked out (these
were written by ``main`` at 0c24e49, before the layered layout of 0.2)::

    python tests/data/compat/make_fixtures.py tests/data/compat

Each model is saved with pickle, joblib and skops, next to the probabilities
it gave, when saved, for the documents in ``expected.json``: a later
sklearn_rnn must load every file and give the same probabilities.
"""

import json
import pickle
import sys
from pathlib import Path


def main(out):
    import joblib
    import numpy as np
    import skops.io as sio
    from gensim.models import KeyedVectors
    from sklearn.pipeline import make_pipeline

    import sklearn_rnn
    from sklearn_rnn import (
        LSTMSentimentClassifier,
        PretrainedEmbeddings,
        RecurrentTextClassifier,
        RNNSentimentClassifier,
        TextVectorizer,
    )

    sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
    from tests.conftest import make_reviews

    X, y = make_reviews(200, seed=3)
    docs = X[:20] + ["", "an unseen word zyzzyva", "great great great"]
    rng = np.random.default_rng(0)
    words = ["good", "bad", "great", "awful", "film", "movie", "the", "boring"]
    kv = KeyedVectors(vector_size=6)
    kv.add_vectors(words, rng.normal(size=(len(words), 6)).astype("float32"))
    fast = dict(embedding_dim=8, hidden_size=8, max_epochs=2, lr=0.02, random_state=0,
                batch_size=32, ngram_buckets=2**10)
    models = {
        "lstm": make_pipeline(TextVectorizer(max_features=150), LSTMSentimentClassifier(**fast)),
        "rnn_plain": make_pipeline(TextVectorizer(padding="post"),
                                   RNNSentimentClassifier(ngram_range=None, **fast)),
        "gru_all_options": make_pipeline(
            TextVectorizer(ragged=True),
            RecurrentTextClassifier(cell="gru", bidirectional=True, conv_filters=4,
                                    dense_units=4, class_weight="balanced",
                                    embeddings=PretrainedEmbeddings(kv, oov="zeros"),
                                    **fast)),
    }
    expected = {"sklearn_rnn": sklearn_rnn.__version__, "docs": docs, "proba": {}}
    out = Path(out)
    for name, model in models.items():
        model.fit(X, y)
        expected["proba"][name] = model.predict_proba(docs).tolist()
        with open(out / f"{name}.pkl", "wb") as f:
            pickle.dump(model, f)
        joblib.dump(model, out / f"{name}.joblib")
        sio.dump(model, out / f"{name}.skops")
    (out / "expected.json").write_text(json.dumps(expected, indent=1))


if __name__ == "__main__":
    main(sys.argv[1])
