"""sklearn_rnn.explain on pipelines: offsets in the user's text, TF-IDF, and the
deletion check on real IMDB text."""

import numpy as np
import pytest
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.svm import LinearSVC

from sklearn_rnn import GRUSentimentClassifier, NBSVMClassifier, TextVectorizer, explain

from ..conftest import FAST, make_reviews

HTML_DOCS = [
    "A <b>GREAT</b> film,<br /><br />loved it &amp; the cast. Caf&eacute; scenes!",
    "Boring.<br />What a WASTE of time... don't watch",
    "",
]


@pytest.fixture(scope="module")
def gru_pipeline():
    docs, y = make_reviews(150, seed=3)
    return make_pipeline(TextVectorizer(maxlen=40), GRUSentimentClassifier(**FAST)).fit(docs, y)


def test_explain_pipeline_offsets_map_back_to_the_text(gru_pipeline):
    explanations = explain(gru_pipeline, HTML_DOCS)
    assert len(explanations) == 3
    first = explanations[0]
    assert first.text == HTML_DOCS[0]
    assert first.tokens == ["a", "great", "film", "loved", "it", "the", "cast", "café", "scenes"]
    assert [HTML_DOCS[0][a:b] for a, b in first.offsets.tolist()] == [
        "A", "GREAT", "film", "loved", "it", "the", "cast", "Caf&eacute;", "scenes"]
    for e in explanations[1:]:
        assert [e.text[a:b].lower() for a, b in e.offsets.tolist()] == e.tokens
    assert len(explanations[2]) == 0
    # the same attributions as explaining the ids (tokens outside the
    # vocabulary shown as written, read as '<unk>')
    X = gru_pipeline[0].transform(HTML_DOCS)
    for e, by_ids in zip(explanations, gru_pipeline[-1].explain(X), strict=True):
        np.testing.assert_allclose(e.attributions, by_ids.attributions, atol=1e-6)
        assert e.target == by_ids.target


def test_explain_pipeline_keeps_only_the_tokens_the_model_read():
    docs, y = make_reviews(100, seed=4)
    for truncating in ("pre", "post"):
        pipe = make_pipeline(TextVectorizer(maxlen=5, truncating=truncating),
                             GRUSentimentClassifier(**FAST)).fit(docs, y)
        long_doc = "one two three great four five six seven"
        e = explain(pipe, [long_doc], target="positive")[0]
        expected = long_doc.split()[-5:] if truncating == "pre" else long_doc.split()[:5]
        assert e.tokens == expected
        assert e.target == "positive"


def test_explain_refuses_what_it_cannot_explain(gru_pipeline):
    with pytest.raises(TypeError, match="explain takes a fitted Pipeline"):
        explain(gru_pipeline[-1], HTML_DOCS)
    docs, y = make_reviews(40, seed=1)
    middle = make_pipeline(TextVectorizer(), FunctionTransformer(),
                           GRUSentimentClassifier(**FAST)).fit(docs, y)
    with pytest.raises(ValueError, match=r"steps between them \(FunctionTransformer\)"):
        explain(middle, docs[:2])
    chars = make_pipeline(TfidfVectorizer(analyzer="char"), LogisticRegression()).fit(docs, y)
    with pytest.raises(ValueError, match="analyzer='word'"):
        explain(chars, docs[:2])


@pytest.fixture(scope="module")
def tfidf_pipeline():
    docs, y = make_reviews(200, seed=5)
    return make_pipeline(TfidfVectorizer(ngram_range=(1, 2), stop_words=["the", "a"]),
                         LogisticRegression(max_iter=1000)).fit(docs, y)


def test_explain_tfidf_is_exact_and_maps_to_the_text(tfidf_pipeline):
    explanations = explain(tfidf_pipeline, HTML_DOCS[:2])
    decision = tfidf_pipeline.decision_function(HTML_DOCS[:2])
    proba = tfidf_pipeline.predict_proba(HTML_DOCS[:2])
    classes = list(tfidf_pipeline.classes_)
    for e, d, p in zip(explanations, decision, proba, strict=True):
        assert e.method == "linear"
        assert e.target == tfidf_pipeline.classes_[int(d > 0)]
        assert e.probability == pytest.approx(p[classes.index(e.target)])
        # the score is the log-odds of the target; the shares add up to it
        # minus the intercept's, exactly
        assert e.score == pytest.approx(d if e.target == classes[1] else -d)
        assert e.attributions.sum() == pytest.approx(e.score - e.baseline_score, abs=1e-9)
        assert [e.text[a:b].lower() for a, b in e.offsets.tolist()] == e.tokens
        assert "the" not in e.tokens and "a" not in e.tokens  # stop words
    # the HTML stays in the text for scikit-learn's tokenizer ('br', 'b')
    assert "br" in explanations[0].tokens


def test_explain_tfidf_splits_an_ngram_evenly_over_its_tokens():
    docs = ["good film", "bad film", "good good", "bad bad"]
    pipe = make_pipeline(TfidfVectorizer(ngram_range=(1, 2)), LogisticRegression()).fit(
        docs, ["p", "n", "p", "n"])
    vec, model = pipe[0], pipe[-1]
    e = explain(pipe, ["good film"], target="p")[0]
    x = vec.transform(["good film"]).toarray()[0]
    w = model.coef_[0]
    share = {name: x[i] * w[i] for name, i in vec.vocabulary_.items()}
    assert e.attributions[0] == pytest.approx(share["good"] + share["good film"] / 2)
    assert e.attributions[1] == pytest.approx(share["film"] + share["good film"] / 2)


def test_explain_linear_models_with_more_classes_and_steps():
    docs, y = make_reviews(150, seed=6)
    y = np.where(np.arange(150) % 3 == 0, "mixed", y)
    pipe = make_pipeline(CountVectorizer(), TfidfTransformer(), LinearSVC()).fit(docs, y)
    explanations = explain(pipe, docs[:5], target="mixed")
    decision = pipe.decision_function(docs[:5])
    c = list(pipe.classes_).index("mixed")
    for e, d in zip(explanations, decision, strict=True):
        assert e.probability is None  # LinearSVC has no predict_proba
        assert e.score == pytest.approx(d[c] - np.delete(d, c).mean())
        assert e.attributions.sum() == pytest.approx(e.score - e.baseline_score)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_explain_nbsvm_is_exact_on_counts_it_binarises(n_classes):
    # counts (not binary=True): the model reads each feature as present or
    # absent, and so must its explanation
    docs, y = make_reviews(150, seed=7)
    if n_classes == 3:
        y = np.where(np.arange(150) % 3 == 0, "mixed", y)
    pipe = make_pipeline(CountVectorizer(ngram_range=(1, 2)), NBSVMClassifier()).fit(docs, y)
    texts = ["great great great film, great fun", "dull dull plot and a dull end"]
    decision = pipe.decision_function(texts)
    proba = pipe.predict_proba(texts)
    for e, d, p in zip(explain(pipe, texts), decision, proba, strict=True):
        c = list(pipe.classes_).index(e.target)
        assert e.probability == pytest.approx(p[c]) and c == p.argmax()
        score = (d if c == 1 else -d) if n_classes == 2 else d[c] - np.delete(d, c).mean()
        assert e.score == pytest.approx(score)
        assert e.attributions.sum() == pytest.approx(e.score - e.baseline_score, abs=1e-9)
    # one feature present four times: each occurrence gets a quarter of its
    # coefficient (its count, 4, would give each the whole of it)
    unigrams = make_pipeline(CountVectorizer(), NBSVMClassifier()).fit(docs, y)
    e = explain(unigrams, ["great great film great great"], target="positive")[0]
    assert e.attributions[0] == pytest.approx(e.attributions[3])
    if n_classes == 2:  # the score is the log-odds of classes_[1], 'positive'
        great = unigrams[-1].coef_[0, unigrams[0].vocabulary_["great"]]
        assert e.attributions[0] == pytest.approx(great / 4)


def test_explain_tfidf_with_a_preprocessor_that_changes_lengths():
    docs, y = make_reviews(60, seed=7)
    pipe = make_pipeline(TfidfVectorizer(strip_accents="unicode"), LogisticRegression()).fit(
        docs, y)
    doc = "Ｇreat ﬁlm, café"  # NFKD changes the length: tokens are searched instead
    e = explain(pipe, [doc])[0]
    assert e.tokens == ["great", "film", "cafe"]
    # each character folded on its own: 'Ｇreat' and 'café' are found; the
    # ligature 'ﬁ' becomes two characters, so 'film' is not in the text as such
    assert e.offsets.tolist() == [[0, 5], [-1, -1], [11, 15]]


# --------------------------------------------------------------------------- #
# the deletion check on real text: attributions point at the evidence
# --------------------------------------------------------------------------- #
K = 5


def _delete(text, spans):
    out, at = [], 0
    for start, end in sorted(spans):
        out += [text[at:start], " "]
        at = end
    return "".join(out + [text[at:]])


def _deletion_effects(pipe, docs):
    """Mean |change| of the predicted class's probability after deleting the
    top-K attributed tokens, and K random tokens the model read."""
    rng = np.random.default_rng(0)
    classes = list(pipe.classes_)
    top, rand, before, cls = [], [], [], []
    for e in explain(pipe, docs):
        found = np.flatnonzero(e.offsets[:, 0] >= 0)
        order = found[np.argsort(-e.attributions[found], kind="stable")]
        top.append(_delete(e.text, e.offsets[order[:K]].tolist()))
        rand.append(_delete(e.text, e.offsets[rng.choice(found, K, replace=False)].tolist()))
        before.append(e.probability)
        cls.append(classes.index(e.target))
    rows = np.arange(len(docs))
    before = np.asarray(before)
    return (np.mean(np.abs(before - pipe.predict_proba(top)[rows, cls])),
            np.mean(np.abs(before - pipe.predict_proba(rand)[rows, cls])))


def test_deleting_the_top_tokens_moves_the_lstm_more_than_random(fitted_lstm, imdb_small):
    _, _, X_test, _ = imdb_small
    top, rand = _deletion_effects(fitted_lstm, list(X_test[:100]))
    # measured: 0.14 against 0.03; attributions that were noise would give
    # about the same change for both
    assert top > 3 * rand and top - rand > 0.05, (top, rand)


def test_deleting_the_top_tokens_moves_nbsvm_more_than_random(imdb_small):
    X_train, y_train, X_test, _ = imdb_small
    pipe = make_pipeline(CountVectorizer(ngram_range=(1, 2), binary=True),
                         NBSVMClassifier()).fit(X_train, y_train)
    top, rand = _deletion_effects(pipe, list(X_test[:100]))
    assert top > 3 * rand and top - rand > 0.03, (top, rand)


def test_deleting_the_top_tokens_moves_tfidf_more_than_random(imdb_small):
    X_train, y_train, X_test, _ = imdb_small
    pipe = make_pipeline(TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True),
                         LogisticRegression(max_iter=1000)).fit(X_train, y_train)
    top, rand = _deletion_effects(pipe, list(X_test[:100]))
    assert top > 3 * rand and top - rand > 0.03, (top, rand)
