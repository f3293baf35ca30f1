"""Tokens with their place in the user's text: the same tokens as the analyzer."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sklearn_rnn import TextVectorizer

from ..conftest import make_reviews

_pieces = st.sampled_from(
    ["Great", "film", "DON'T", "it's", "a", "<br />", "<b>", "</b>", "&amp;", "&quot;",
     "caf&eacute;", "&eacute;t&eacute;", "&#39;", "&#x41;", "&ampx", "&", "<", ">", " ",
     "  ", "\n", ".", ",", "!", "'", "İstanbul", "ΟΔΟΣ", "naïve", "東京", "x_y", "42"])
_documents = st.lists(_pieces, max_size=25).map("".join)


@settings(max_examples=300, deadline=None)
@given(doc=_documents, strip_html=st.booleans(), lowercase=st.booleans(),
       stop=st.booleans(), min_len=st.integers(1, 3))
def test_offset_analyzer_gives_the_analyzer_tokens_at_their_places(doc, strip_html, lowercase,
                                                                    stop, min_len):
    vec = TextVectorizer(strip_html=strip_html, lowercase=lowercase, min_token_length=min_len,
                         stop_words=["a", "film"] if stop else None)
    tokens, offsets = vec.build_offset_analyzer()(doc)
    assert tokens == vec.build_analyzer()(doc)
    assert offsets.shape == (len(tokens), 2)
    preprocess = vec.build_preprocessor()
    for token, (start, end) in zip(tokens, offsets.tolist(), strict=True):
        assert 0 <= start < end <= len(doc)
        # the token is what preprocessing makes of its span of the original
        # ('İ' lowercases to 'i' and a combining dot, and the token is the 'i')
        span = preprocess(doc[start:end])
        assert span == token or ("İ" in doc[start:end] and token in span)


def test_offsets_map_back_through_html_entities_and_case():
    doc = "<p>It&#39;s a GREAT film,<br /><br />caf&eacute; &amp; İstanbul</p>"
    tokens, offsets = TextVectorizer().build_offset_analyzer()(doc)
    assert tokens == ["it's", "a", "great", "film", "café", "i", "stanbul"]
    assert [doc[a:b] for a, b in offsets.tolist()] == [
        "It&#39;s", "a", "GREAT", "film", "caf&eacute;", "İ", "stanbul"]


def test_offsets_with_a_capturing_group():
    vec = TextVectorizer(token_pattern=r"#(\w+)")
    doc = "So #Good and #fun"
    tokens, offsets = vec.build_offset_analyzer()(doc)
    assert tokens == ["good", "fun"] == vec.build_analyzer()(doc)
    assert [doc[a:b] for a, b in offsets.tolist()] == ["Good", "fun"]


def test_named_tokenizer_tokens_are_found_in_order():
    doc = "映画<br />が好き 映画"
    vec = TextVectorizer(tokenizer="char")
    tokens, offsets = vec.build_offset_analyzer()(doc)
    assert tokens == vec.build_analyzer()(doc) == ["映", "画", "が", "好", "き", "映", "画"]
    # the repeated characters are found in order, after the <br /> tag
    assert offsets.tolist() == [[0, 1], [1, 2], [8, 9], [9, 10], [10, 11], [12, 13], [13, 14]]


def _lemmatize(text):
    # a tokenizer that rewrites a word, as morphological analysers may
    return ["be" if w == "was" else w for w in text.split()]


def test_a_token_that_cannot_be_found_gets_minus_one():
    doc = "It was great, it was"
    tokens, offsets = TextVectorizer(tokenizer=_lemmatize).build_offset_analyzer()(doc)
    assert tokens == ["it", "be", "great,", "it", "be"]
    # not found: (-1, -1); the search goes on after the last token found
    assert offsets.tolist() == [[0, 2], [-1, -1], [7, 13], [14, 16], [-1, -1]]


def test_custom_preprocessor_tokens_are_searched_in_the_original_text():
    vec = TextVectorizer(preprocessor=lambda t: t.replace("!", " ").lower())
    doc = "Loved IT!Really"
    tokens, offsets = vec.build_offset_analyzer()(doc)
    assert tokens == vec.build_analyzer()(doc) == ["loved", "it", "really"]
    assert [doc[a:b] for a, b in offsets.tolist()] == ["Loved", "IT", "Really"]


@pytest.mark.parametrize("truncating", ["pre", "post"])
def test_transform_with_offsets_keeps_the_tokens_transform_keeps(truncating):
    docs, _ = make_reviews(60, seed=3)
    docs += ["", "<br />", "Don't <b>stop</b> &amp; go"]
    vec = TextVectorizer(maxlen=12, truncating=truncating, max_features=30).fit(docs)
    X, tokens, offsets = vec.transform_with_offsets(docs)
    expected = vec.set_params(ragged=True).transform(docs)
    np.testing.assert_array_equal(X.flat, expected.flat)
    np.testing.assert_array_equal(X.lengths, expected.lengths)
    for doc, toks, offs in zip(docs, tokens, offsets, strict=True):
        assert [doc[a:b].lower() for a, b in offs.tolist()] == toks
    assert tokens[-1] == ["don't", "stop", "go"]
