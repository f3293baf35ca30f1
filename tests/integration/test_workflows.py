"""End-to-end scikit-learn workflows: synthetic reviews, and real IMDB reviews next to TF-IDF."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score
from sklearn.pipeline import Pipeline, make_pipeline

from sklearn_rnn import LSTMSentimentClassifier, RNNSentimentClassifier, TextVectorizer

from ..conftest import FAST, TINY, make_reviews


def _pipe(**clf_params):
    return Pipeline([
        ("vec", TextVectorizer(maxlen=80, max_features=2000)),
        ("clf", LSTMSentimentClassifier(**{**TINY, "max_epochs": 2, **clf_params})),
    ])


def test_grid_search_over_hidden_size_and_embedding_dim(reviews):
    X, y = reviews
    grid = {"clf__hidden_size": [8, 16], "clf__embedding_dim": [8, 16]}
    cv = StratifiedKFold(2, shuffle=True, random_state=0)
    serial = GridSearchCV(_pipe(), grid, cv=cv, n_jobs=1).fit(X, y)
    parallel = GridSearchCV(_pipe(), grid, cv=cv, n_jobs=2).fit(X, y)
    assert serial.best_params_ == parallel.best_params_
    np.testing.assert_allclose(
        serial.cv_results_["mean_test_score"], parallel.cv_results_["mean_test_score"]
    )
    assert len(serial.cv_results_["params"]) == 4
    best = serial.best_estimator_.named_steps["clf"]
    assert best.hidden_size == serial.best_params_["clf__hidden_size"]
    assert best.net_.module_.rnn.hidden_size == best.hidden_size
    assert best.net_.module_.embedding.embedding_dim == best.embedding_dim
    assert serial.predict(X[:5]).tolist() == serial.best_estimator_.predict(X[:5]).tolist()


def test_cross_val_score_next_to_tfidf(imdb_small):
    X, y, _, _ = imdb_small
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    lstm = make_pipeline(
        TextVectorizer(maxlen=150, max_features=3000),
        LSTMSentimentClassifier(**{**TINY, "max_epochs": 4}),
    )
    tfidf = make_pipeline(TfidfVectorizer(), LogisticRegression(max_iter=1000))
    lstm_scores = cross_val_score(lstm, X, y, cv=cv)
    tfidf_scores = cross_val_score(tfidf, X, y, cv=cv)
    assert lstm_scores.shape == tfidf_scores.shape == (3,)
    assert (lstm_scores > 0.6).all()  # learns in every fold
    assert (tfidf_scores > 0.7).all()


def test_pipeline_clone_get_set_params():
    pipe = _pipe(hidden_size=12)
    params = pipe.get_params()
    assert params["clf__hidden_size"] == 12 and params["vec__maxlen"] == 80
    pipe.set_params(clf__hidden_size=20, clf__optimizer__weight_decay=1e-4, vec__maxlen=50)
    twin = clone(pipe)
    assert twin.get_params()["clf__hidden_size"] == 20
    assert twin.get_params()["clf__optimizer__weight_decay"] == 1e-4
    assert twin.get_params()["vec__maxlen"] == 50
    assert twin.named_steps["clf"] is not pipe.named_steps["clf"]


@pytest.mark.parametrize("cls", [RNNSentimentClassifier, LSTMSentimentClassifier])
def test_fold_vocabulary_sizes_the_embedding(cls):
    # every fold fits its own vectorizer; the classifier must follow it
    X, y = make_reviews(45, seed=13, max_words=6)
    pipe = make_pipeline(TextVectorizer(maxlen=40), cls(**{**TINY, "max_epochs": 1}))
    sizes = set()
    for train, _ in StratifiedKFold(3).split(X, y):
        fitted = clone(pipe).fit([X[i] for i in train], y[train])
        vec, clf = fitted[0], fitted[-1]
        assert clf.n_vocab_ == len(vec.vocabulary_)
        sizes.add(clf.n_vocab_)
    assert len(sizes) == 3


def test_soft_voting_and_stacking_with_tfidf(reviews):
    # the documented recipe for combining with the TF-IDF baseline
    from sklearn.ensemble import StackingClassifier, VotingClassifier

    X, y = reviews
    X_test, y_test = make_reviews(200, seed=31)

    def members():
        return [
            ("tfidf", make_pipeline(TfidfVectorizer(ngram_range=(1, 2)),
                                    LogisticRegression(max_iter=1000))),
            ("rnn", make_pipeline(TextVectorizer(), LSTMSentimentClassifier(
                ngram_range=(1, 2), ngram_buckets=2**12, **{**FAST, "max_epochs": 3}))),
        ]

    vote = VotingClassifier(members(), voting="soft").fit(X, y)
    alone = [clone(m).fit(X, y).predict_proba(X_test) for _, m in members()]
    np.testing.assert_allclose(vote.predict_proba(X_test), np.mean(alone, axis=0), atol=1e-6)
    assert vote.score(X_test, y_test) > 0.7
    stack = StackingClassifier(members(), final_estimator=LogisticRegression(), cv=2).fit(X, y)
    assert stack.predict_proba(X_test).shape == (200, 2)
    assert stack.score(X_test, y_test) > 0.7
    # the meta-model weighs both members
    assert (np.abs(stack.final_estimator_.coef_) > 0).all()
