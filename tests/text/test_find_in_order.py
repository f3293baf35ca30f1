"""A capitalised word that occurs again later is placed at its first copy,
not the later one (issue 31): ``find_in_order`` searches the text as it is
and its lowercased (or accent-folded) form, and the earlier place wins."""

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from sklearn_rnn import LSTMSentimentClassifier, TextVectorizer, explain
from sklearn_rnn._text._analyzer import find_in_order

from ..conftest import FAST, make_reviews

DOC = "Great acting. The plot was great, the music Great too."


def _placed(tokens, offsets, doc):
    """Each token with the text at its place (lowercased), in order."""
    return [(t, doc[a:b].lower()) for t, (a, b) in zip(tokens, np.asarray(offsets).tolist(),
                                                       strict=True)]


def test_find_in_order_takes_the_earlier_of_text_and_fallback():
    text = "Great film, great cast"
    spans = find_in_order(["great", "film", "great", "cast"], text, text.lower())
    assert spans == [(0, 5), (6, 10), (12, 17), (18, 22)]


def test_tfidf_with_strip_accents_places_each_word_at_its_copy():
    X, y = make_reviews(200, seed=2)
    X = [*X, "Café Great. great café"]
    y = [*y, "positive"]
    pipe = make_pipeline(TfidfVectorizer(strip_accents="unicode"), LogisticRegression())
    pipe.fit(X, y)
    doc = "Great café. The café was great and GREAT"
    e = explain(pipe, [doc])[0]
    placed = _placed(e.tokens, e.offsets, doc)
    assert placed[0] == ("great", "great") and tuple(e.offsets[0]) == (0, 5)
    assert [p for p in placed if p[0] == "cafe"] == [("cafe", "café")] * 2  # accents folded
    starts = [a for a, _ in np.asarray(e.offsets).tolist()]
    assert starts == sorted(starts) and -1 not in starts  # every word placed, in order


def test_text_vectorizer_with_a_custom_preprocessor_places_the_first_copy():
    vec = TextVectorizer(preprocessor=lambda d: d.lower().replace("!", " "))
    tokens, offsets = vec.build_offset_analyzer()(DOC)
    placed = _placed(tokens, offsets, DOC)
    assert all(t == seen for t, seen in placed), placed
    assert offsets[0].tolist() == [0, 5] and offsets[1].tolist() == [6, 12]
    assert [a for a, _ in offsets.tolist()] == sorted(a for a, _ in offsets.tolist())


def test_char_tokens_explained_place_each_character_in_order():
    # compare --tokenizer char: the TF-IDF row reads TextVectorizer's characters
    X, y = make_reviews(120, seed=3)
    chars = TextVectorizer(tokenizer="char").build_analyzer()
    pipe = make_pipeline(TfidfVectorizer(tokenizer=chars, token_pattern=None),
                         LogisticRegression()).fit(X, y)
    doc = "Good. good GOOD"
    e = explain(pipe, [doc])[0]
    placed = _placed(e.tokens, e.offsets, doc)
    assert all(t == seen for t, seen in placed), placed
    starts = [a for a, _ in np.asarray(e.offsets).tolist()]
    assert starts == sorted(starts) and starts[:4] == [0, 1, 2, 3]
    # and the recurrent row's own character tokens
    rnn = make_pipeline(TextVectorizer(tokenizer="char"), LSTMSentimentClassifier(**FAST))
    e = explain(rnn.fit(X, y), [doc])[0]
    assert all(t == seen for t, seen in _placed(e.tokens, e.offsets, doc))
