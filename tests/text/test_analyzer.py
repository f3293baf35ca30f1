"""Tokenizing: the ASCII fast path equals the regular expression it replaces."""

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sklearn_rnn import TextVectorizer
from sklearn_rnn._text._analyzer import (
    DEFAULT_TOKEN_PATTERN,
    make_analyzer,
    make_fast_analyzer,
    make_preprocessor,
    make_tokenizer,
)

from ..conftest import make_reviews


def _fast(strip_html=True, lowercase=True, stop_words=frozenset(), min_token_length=1):
    slow = make_analyzer(make_preprocessor(strip_html=strip_html, lowercase=lowercase),
                         make_tokenizer(DEFAULT_TOKEN_PATTERN), stop_words=stop_words,
                         min_token_length=min_token_length)
    fast = make_fast_analyzer(slow, strip_html=strip_html, lowercase=lowercase,
                              stop_words=stop_words, min_token_length=min_token_length)
    return slow, fast


_ascii_text = st.text(alphabet=st.sampled_from(list("ab_Z9 '’<>/!.,-\n\té")), max_size=40)


@settings(max_examples=300, deadline=None)
@given(doc=_ascii_text, strip_html=st.booleans(), lowercase=st.booleans())
def test_fast_analyzer_equals_documented_regex(doc, strip_html, lowercase):
    slow, fast = _fast(strip_html, lowercase)
    text = re.sub(r"<[^<>]{0,200}>", " ", doc) if strip_html else doc
    text = text.lower() if lowercase else text
    expected = re.findall(r"(?u)\b\w+(?:['’]\w+)*\b", text)
    assert [t.decode("utf-8") for t in fast(doc)] == expected == slow(doc)


def test_fast_path_and_regex_give_the_same_ids():
    docs, _ = make_reviews(300, seed=4)
    docs += ["Don't 'quote' it's café naïve <b>bold</b> x'y ''a", "ÀB 東京 rock'n'roll"]
    fast = TextVectorizer(stop_words="english", min_token_length=2)
    slow = TextVectorizer(stop_words="english", min_token_length=2,
                          token_pattern=r"\b\w+(?:['’]\w+)*\b")  # same meaning, no fast path
    np.testing.assert_array_equal(fast.fit_transform(docs), slow.fit_transform(docs))
    assert fast.vocabulary_ == slow.vocabulary_


def test_tokenizer_with_more_than_one_group_is_refused():
    assert make_tokenizer(r"#(\w+)")("#good movie #fun") == ["good", "fun"]
    with pytest.raises(ValueError, match="at most one capturing group"):
        make_tokenizer(r"(a)(b)")


def test_fast_path_and_regex_agree_on_imdb(imdb_train):
    docs = imdb_train.data[:3000]
    fast = TextVectorizer(stop_words="english", min_token_length=2)
    slow = TextVectorizer(stop_words="english", min_token_length=2,
                          token_pattern=r"\b\w+(?:['’]\w+)*\b")
    np.testing.assert_array_equal(fast.fit_transform(docs), slow.fit_transform(docs))
    assert fast.vocabulary_ == slow.vocabulary_
