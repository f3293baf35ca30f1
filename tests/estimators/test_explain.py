"""The classifiers' explain(X): per-token attributions of token ids."""

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from sklearn_rnn import (
    Explanation,
    GRUSentimentClassifier,
    LSTMSentimentClassifier,
    RecurrentTextClassifier,
    RNNSentimentClassifier,
    TextVectorizer,
)

from ..conftest import FAST, make_reviews


@pytest.fixture(scope="module")
def data():
    docs, y = make_reviews(120, seed=1)
    vec = TextVectorizer().fit(docs)
    return docs, y, vec


@pytest.fixture(scope="module")
def lstm(data):
    docs, y, vec = data
    return LSTMSentimentClassifier(**FAST).fit(vec.transform(docs), y)


def test_explain_gives_one_explanation_per_document_with_its_tokens(data, lstm):
    docs, _, vec = data
    X = vec.transform(docs[:10])
    explanations = lstm.explain(X)
    assert len(explanations) == 10
    assert all(isinstance(e, Explanation) for e in explanations)
    for e, tokens in zip(explanations, vec.inverse_transform(X), strict=True):
        assert e.tokens == tokens
        assert e.attributions.shape == (len(tokens),)
        assert e.offsets is None and e.text is None
        assert np.isfinite(e.attributions).all()


def test_explain_targets_the_prediction_with_its_probability(data, lstm):
    docs, _, vec = data
    X = vec.transform(docs[:20])
    explanations = lstm.explain(X)
    proba = lstm.predict_proba(X)
    assert [e.target for e in explanations] == lstm.predict(X).tolist()
    for e, p in zip(explanations, proba, strict=True):
        assert e.probability == pytest.approx(p[list(lstm.classes_).index(e.target)], abs=1e-5)
        # two classes: the score is the log-odds of the target
        assert e.score == pytest.approx(np.log(e.probability / (1 - e.probability)), abs=1e-4)


def test_explain_a_given_target_flips_the_signs(data, lstm):
    docs, _, vec = data
    X = vec.transform(docs[:5])
    pos = lstm.explain(X, target="positive")
    neg = lstm.explain(X, target="negative")
    assert {e.target for e in pos} == {"positive"} and {e.target for e in neg} == {"negative"}
    for p, n in zip(pos, neg, strict=True):
        # with two classes f_neg = -f_pos: the same attributions, negated
        np.testing.assert_allclose(p.attributions, -n.attributions, atol=1e-5)
        assert p.probability + n.probability == pytest.approx(1.0)
    per_document = lstm.explain(X, target=["positive", "negative"] * 2 + ["positive"])
    assert [e.target for e in per_document] == ["positive", "negative"] * 2 + ["positive"]


def test_explain_refuses_an_unknown_target_and_bad_steps(data, lstm):
    docs, _, vec = data
    X = vec.transform(docs[:3])
    with pytest.raises(ValueError, match="'neutral' is not a class of this classifier"):
        lstm.explain(X, target="neutral")
    with pytest.raises(ValueError, match="target has 2 labels for 3 documents"):
        lstm.explain(X, target=["positive", "negative"])
    with pytest.raises(ValueError, match="n_steps must be an integer >= 1"):
        lstm.explain(X, n_steps=0)
    with pytest.raises(ValueError, match="tolerance must be a number >= 0"):
        lstm.explain(X, tolerance=-1)
    with pytest.raises(NotFittedError):
        LSTMSentimentClassifier().explain(X)


def test_explain_is_the_same_for_every_form_of_the_ids(data, lstm):
    docs, _, vec = data
    sample = docs[:12] + [""]
    pre = vec.transform(sample)
    forms = {
        "post-padded": TextVectorizer(**{**vec.get_params(), "padding": "post"}).fit(docs)
        .transform(sample),
        "ragged": vec.set_params(ragged=True).transform(sample),
        "plain array": np.asarray(pre),
    }
    vec.set_params(ragged=False)
    expected = lstm.explain(pre, n_steps=4)
    assert len(expected[-1]) == 0  # the empty document
    for name, X in forms.items():
        got = lstm.explain(X, n_steps=4)
        for e, g in zip(expected, got, strict=True):
            assert g.tokens == e.tokens, name
            np.testing.assert_allclose(g.attributions, e.attributions, atol=1e-6, err_msg=name)


@pytest.mark.parametrize("make", [
    lambda n: RNNSentimentClassifier(ngram_range=None, pooling="last", **FAST),
    lambda n: GRUSentimentClassifier(bidirectional=True, pooling="mean", **FAST),
    lambda n: LSTMSentimentClassifier(conv_filters=4, bidirectional=True, num_layers=2, **FAST),
    lambda n: RecurrentTextClassifier(cell="gru", dense_units=4, dropout=0.2, **FAST),
    lambda n: LSTMSentimentClassifier(embeddings=np.random.default_rng(0).normal(
        size=(n, 8)).astype("float32"), freeze_embeddings=True, **FAST),
], ids=["rnn-last", "bigru-mean", "conv-bilstm-2", "gru-dense", "frozen-pretrained"])
def test_explain_works_for_every_architecture(make):
    docs, y = make_reviews(80, seed=2)
    vec = TextVectorizer().fit(docs)
    clf = make(len(vec.vocabulary_)).fit(vec.transform(docs), y)
    explanations = clf.explain(vec.transform(docs[:8]))
    for e in explanations:
        assert e.attributions.shape == (len(e.tokens),)
        # the default tolerance: 5% of the score change (of 0.2 at least)
        assert abs(e.completeness_gap) <= 0.05 * max(abs(e.score - e.baseline_score), 0.2)


def test_explain_three_classes():
    docs, y = make_reviews(90, seed=5)
    y = np.where(np.arange(90) % 3 == 0, "mixed", y)
    vec = TextVectorizer().fit(docs)
    clf = GRUSentimentClassifier(**FAST).fit(vec.transform(docs), y)
    explanations = clf.explain(vec.transform(docs[:6]), target="mixed")
    proba = clf.predict_proba(vec.transform(docs[:6]))[:, list(clf.classes_).index("mixed")]
    np.testing.assert_allclose([e.probability for e in explanations], proba, atol=1e-5)
    assert all(e.target == "mixed" for e in explanations)


def test_explain_ids_without_a_vocabulary_names_tokens_by_id():
    X = np.array([[0, 3, 4], [5, 6, 2], [0, 0, 7], [2, 3, 6]])
    clf = GRUSentimentClassifier(**FAST).fit(X, [0, 1, 0, 1])
    assert clf.explain(X[:1])[0].tokens == ["3", "4"]


def test_explanation_repr_top_and_spans():
    assert Explanation.__module__ == "sklearn_rnn"
    e = Explanation(tokens=["so", "good", "not", "bad"], attributions=[0.0, 1.5, -0.4, 0.2],
                    target="pos", probability=0.8, score=1.3, baseline_score=0.0,
                    offsets=[[0, 2], [3, 7], [-1, -1], [12, 15]], text="so good, no bad")
    assert e.top(2) == [("good", 1.5), ("bad", 0.2)]
    assert e.top(5, against=True) == [("not", -0.4)]
    assert e.spans() == [(0, 2, 0.0), (3, 7, 1.5), (12, 15, 0.2)]  # 'not' was not found
    assert e.completeness_gap == pytest.approx(0.0)
    assert repr(e) == ("Explanation(target='pos', p=0.800, 4 tokens; for: 'good' +1.50, "
                       "'bad' +0.20; against: 'not' -0.40)")
    html = e._repr_html_()  # a notebook shows the highlighted text
    assert "<mark" in html and ">good</mark>" in html and "<b>pos</b> (80.0%)" in html
    assert Explanation(tokens=[], attributions=[], target=0, probability=None, score=0,
                       baseline_score=0)._repr_html_() is None
    with pytest.raises(ValueError, match="4 tokens but 3 attributions"):
        Explanation(tokens=e.tokens, attributions=[1, 2, 3], target=1, probability=None,
                    score=0, baseline_score=0)


def test_explain_with_a_factorised_ngram_table():
    # 10 classes: the n-gram table is factorised (rows of 32, a projection);
    # its share is still exact, so completeness holds as with 2 classes
    docs, _ = make_reviews(200, seed=7)
    y = np.arange(200) % 10
    vec = TextVectorizer().fit(docs)
    clf = LSTMSentimentClassifier(**FAST).fit(vec.transform(docs), y)
    assert clf.net_.module_.ngram.proj is not None
    for e in clf.explain(vec.transform(docs[:8])):
        assert e.attributions.shape == (len(e.tokens),)
        assert abs(e.completeness_gap) <= 0.05 * max(abs(e.score - e.baseline_score), 0.2)
