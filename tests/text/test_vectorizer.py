import numpy as np
import pytest
from sklearn.base import clone

from sklearn_rnn import TextVectorizer

DOCS = ["A great movie!", "A dull, dull movie.", "Great acting<br />and a great cast"]


def test_vocabulary_ordered_by_frequency_ties_by_text():
    vec = TextVectorizer().fit(DOCS)
    # a:3, great:3, dull:2, movie:2, acting/and/cast: 1
    assert vec.vocabulary_ == {
        "<pad>": 0, "<unk>": 1, "a": 2, "great": 3, "dull": 4, "movie": 5,
        "acting": 6, "and": 7, "cast": 8,
    }


def test_fit_transform_equals_fit_then_transform():
    vec = TextVectorizer(maxlen=5)
    a = vec.fit_transform(DOCS)
    b = clone(vec).fit(DOCS).transform(DOCS)
    np.testing.assert_array_equal(a, b)
    assert a.dtype == np.int32


@pytest.mark.parametrize(
    "padding, truncating, expected",
    [
        ("pre", "pre", [[0, 0, 3, 2, 6], [2, 4, 5, 3, 2]]),
        ("post", "pre", [[3, 2, 6, 0, 0], [2, 4, 5, 3, 2]]),
        ("pre", "post", [[0, 0, 3, 2, 6], [2, 2, 4, 5, 3]]),
        ("post", "post", [[3, 2, 6, 0, 0], [2, 2, 4, 5, 3]]),
    ],
)
def test_padding_and_truncating_sides(padding, truncating, expected):
    docs = ["a great movie", "great great acting and a great"]
    vec = TextVectorizer(maxlen=5, padding=padding, truncating=truncating)
    X = vec.fit_transform(docs)
    # great (4 times) -> 2, a (twice) -> 3, then acting, and, movie
    assert [vec.vocabulary_[t] for t in ["great", "a", "acting", "and", "movie"]] == [
        2, 3, 4, 5, 6]
    np.testing.assert_array_equal(X, expected)


def test_maxlen_none_uses_longest_training_document():
    vec = TextVectorizer().fit(DOCS)
    assert vec.maxlen_ == 6  # "great acting and a great cast"
    X = vec.transform(["a " * 20])
    assert X.shape == (1, 6)
    np.testing.assert_array_equal(vec.document_lengths_, [3, 4, 6])


def test_strip_html_and_lowercase(reviews):
    X, _ = reviews
    assert any("<br />" in doc for doc in X)
    vocab = TextVectorizer().fit(X).vocabulary_
    assert "br" not in vocab
    assert all(tok == tok.lower() for tok in vocab)
    raw = TextVectorizer(strip_html=False, lowercase=False).fit(X).vocabulary_
    assert "br" in raw and any(tok != tok.lower() for tok in raw)


def test_stop_words_and_min_token_length():
    vec = TextVectorizer(stop_words="english", min_token_length=3).fit(
        ["the film is not a good one at all", "an ok film"]
    )
    assert set(vec.vocabulary_) == {"<pad>", "<unk>", "film", "good"}
    vec = TextVectorizer(stop_words=["film"]).fit(["the film"])
    assert "film" not in vec.vocabulary_ and "the" in vec.vocabulary_


def test_max_features_keeps_most_frequent(reviews):
    X, _ = reviews
    full = TextVectorizer().fit(X)
    vec = TextVectorizer(max_features=50).fit(X)
    assert len(vec.vocabulary_) == 52
    top = sorted(full.vocabulary_.items(), key=lambda kv: kv[1])[:52]
    assert vec.vocabulary_ == dict(top)
    ids = vec.transform(X)
    assert ids.max() == 51 and (ids == 1).any()


def test_min_df_and_max_df():
    docs = ["a b c", "a b", "a d", "a"]
    vec = TextVectorizer(min_df=2, max_df=0.9).fit(docs)
    # 'a' is in 100% of documents, c and d in one only
    assert set(vec.vocabulary_) == {"<pad>", "<unk>", "b"}
    assert set(TextVectorizer(max_df=3).fit(docs).vocabulary_) == {
        "<pad>", "<unk>", "b", "c", "d"}
    with pytest.raises(ValueError, match="max_df .* fewer documents than min_df"):
        TextVectorizer(min_df=3, max_df=2).fit(docs)


def test_token_pattern_with_group_and_custom_tokenizer():
    vec = TextVectorizer(token_pattern=r"#(\w+)").fit(["#good movie #fun"])
    assert set(vec.vocabulary_) - {"<pad>", "<unk>"} == {"good", "fun"}
    with pytest.raises(ValueError, match="at most one capturing group"):
        TextVectorizer(token_pattern=r"(a)(b)").fit(["ab"])
    # a character tokenizer, as for Japanese without an analyser
    vec = TextVectorizer(tokenizer=list).fit(["映画が好き", "映画"])
    assert vec.vocabulary_["映"] == 2
    assert vec.inverse_transform(vec.transform(["映画"])) == [["映", "画"]]


def test_preprocessor_overrides_builtin_preprocessing():
    vec = TextVectorizer(preprocessor=lambda s: s.replace("!", " exclaim ")).fit(["Wow!"])
    assert set(vec.vocabulary_) == {"<pad>", "<unk>", "Wow", "exclaim"}


def test_fixed_vocabulary_list_and_mapping():
    vec = TextVectorizer(vocabulary=["good", "bad"], maxlen=3)
    X = vec.fit_transform(["good bad ugly", "bad"])
    np.testing.assert_array_equal(X, [[2, 3, 1], [0, 0, 3]])
    vec2 = TextVectorizer(vocabulary={"good": 2, "bad": 3, "<pad>": 0}, maxlen=3)
    np.testing.assert_array_equal(vec2.fit_transform(["good bad ugly", "bad"]), X)
    with pytest.raises(ValueError, match="distinct ids 2 .. 3"):
        TextVectorizer(vocabulary={"good": 1, "bad": 2}).fit(["good"])
    with pytest.raises(ValueError, match="Duplicate token 'good'"):
        TextVectorizer(vocabulary=["good", "good"]).fit(["good"])
    with pytest.raises(ValueError, match="reserved token '<unk>'"):
        TextVectorizer(vocabulary={"<unk>": 5, "a": 2}).fit(["a"])
    # a mapping in any order: ids are what it says, inverse_transform agrees
    vec3 = TextVectorizer(vocabulary={"bad": 3, "good": 2}, maxlen=3)
    np.testing.assert_array_equal(vec3.fit_transform(["good bad ugly", "bad"]), X)
    assert vec3.inverse_transform(X) == [["good", "bad", "<unk>"], ["bad"]]


def test_literal_special_tokens_never_become_padding():
    vec = TextVectorizer(tokenizer=str.split, strip_html=False).fit(["<pad> <unk> word"])
    assert vec.vocabulary_ == {"<pad>": 0, "<unk>": 1, "word": 2}
    np.testing.assert_array_equal(vec.transform(["<pad> word"]), [[0, 1, 2]])


def test_inverse_transform_drops_padding_and_marks_unknown():
    vec = TextVectorizer(maxlen=6).fit(DOCS)
    X = vec.transform(["a great zebra", ""])
    assert vec.inverse_transform(X) == [["a", "great", "<unk>"], []]
    with pytest.raises(ValueError, match="outside"):
        vec.inverse_transform(np.array([[0, 99]]))


def test_feature_names_one_per_column():
    vec = TextVectorizer(maxlen=4).fit(DOCS)
    names = vec.get_feature_names_out()
    assert list(names) == ["token_0", "token_1", "token_2", "token_3"]
    assert len(names) == vec.transform(DOCS).shape[1]


def test_dtype_choices():
    assert TextVectorizer(dtype=np.int16).fit_transform(DOCS).dtype == np.int16
    assert TextVectorizer(dtype="uint16").fit_transform(DOCS).dtype == np.uint16
    many = [" ".join(f"w{i}" for i in range(200))]
    with pytest.raises(ValueError, match="more than dtype=int8 can index"):
        TextVectorizer(dtype=np.int8).fit(many)
    with pytest.raises(ValueError, match="integer dtype"):
        TextVectorizer(dtype=np.float32).fit(DOCS)


def test_output_is_compact(reviews):
    X, _ = reviews
    ids = TextVectorizer().fit_transform(X)
    assert ids.dtype == np.int32
    assert ids.nbytes == ids.size * 4


def test_parameter_errors_are_collected():
    with pytest.raises(ValueError, match=r"(?s)'maxlen' parameter.*'padding' parameter"):
        TextVectorizer(maxlen=0, padding="middle").fit(DOCS)


def test_strip_html_decodes_entities_on_both_paths():
    docs = ["He said &quot;great&quot; &amp; left<br />", "caf&eacute; &#39;ok&#39; &lt;3"]
    vec = TextVectorizer().fit(docs)
    assert "quot" not in vec.vocabulary_ and "amp" not in vec.vocabulary_
    assert {"great", "café", "ok", "3"} <= set(vec.vocabulary_)
    kept = TextVectorizer(strip_html=False).fit(docs)
    assert "quot" in kept.vocabulary_  # only with strip_html
    slow = TextVectorizer(token_pattern=r"\b\w+(?:['’]\w+)*\b").fit(docs)  # no fast path
    assert slow.vocabulary_ == vec.vocabulary_
