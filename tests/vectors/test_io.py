"""Word-vector files and word2vec training (sklearn_rnn._vectors_io)."""

import numpy as np
import pytest

from sklearn_rnn import TextVectorizer, load_word_vectors, train_word2vec

from ..conftest import make_reviews


@pytest.mark.parametrize("fmt", ["word2vec-text", "word2vec-binary", "glove", "native"])
def test_files_in_every_format_load_back(glove, tmp_path, fmt):
    from gensim.models import KeyedVectors

    small = KeyedVectors(vector_size=50)
    small.add_vectors(glove.index_to_key[:2000], glove.vectors[:2000])
    path = tmp_path / {"word2vec-text": "v.txt", "word2vec-binary": "v.bin",
                       "glove": "glove.6B.50d.txt", "native": "v.kv"}[fmt]
    if fmt == "native":
        small.save(str(path))
    elif fmt == "glove":
        small.save_word2vec_format(str(path), binary=False, write_header=False)
    else:
        small.save_word2vec_format(str(path), binary=fmt == "word2vec-binary")
    loaded = load_word_vectors(path)
    assert loaded.index_to_key == small.index_to_key
    np.testing.assert_allclose(loaded.vectors, small.vectors, atol=1e-5)
    if fmt != "native":
        limited = load_word_vectors(path, limit=100)
        assert len(limited.index_to_key) == 100


def test_load_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="No word-vector file"):
        load_word_vectors(tmp_path / "missing.bin")
    bad = tmp_path / "bad.txt"
    bad.write_text("2 3\nfoo 1 2\n")
    with pytest.raises(ValueError, match="Could not read"):
        load_word_vectors(bad)
    with pytest.raises(ValueError, match="format must be one of"):
        load_word_vectors(bad, format="fasttext")


@pytest.fixture(scope="session")
def imdb_unsup(imdb_archive):
    from sklearn_rnn.datasets import load_imdb

    return load_imdb("unsup", data_home=imdb_archive, n_samples=3000).data


def test_train_word2vec_on_unsup_reviews(imdb_unsup):
    w2v = train_word2vec(imdb_unsup, vector_size=24, min_count=3, epochs=2, random_state=0)
    analyzer = TextVectorizer().build_analyzer()
    seen = {tok for doc in imdb_unsup[:300] for tok in analyzer(doc)}
    assert w2v.vector_size == 24 and len(w2v.index_to_key) > 3000
    assert "br" not in w2v.key_to_index  # HTML stripped, as by TextVectorizer
    assert "don't" in w2v.key_to_index  # same token pattern
    assert all(tok == tok.lower() for tok in w2v.index_to_key[:500])
    assert len(seen & set(w2v.index_to_key)) > 1000
    # similar words end up close: a sanity check that training happened
    assert w2v.similarity("good", "great") > w2v.similarity("good", "the")


def test_train_word2vec_is_seeded_and_tokenizes_like_the_vectorizer():
    docs, _ = make_reviews(500, seed=3)
    a = train_word2vec(docs, vector_size=8, min_count=2, epochs=1, random_state=3)
    b = train_word2vec(docs, vector_size=8, min_count=2, epochs=1, random_state=3)
    np.testing.assert_array_equal(a.vectors, b.vectors)
    assert "br" not in a.key_to_index and "movie" in a.key_to_index
    upper = train_word2vec(docs, vectorizer=TextVectorizer(lowercase=False), vector_size=8,
                           min_count=2, epochs=1)
    assert any(t[0].isupper() for t in upper.index_to_key)
    with pytest.raises(ValueError, match="no tokens"):
        train_word2vec(["!!!", "..."])
