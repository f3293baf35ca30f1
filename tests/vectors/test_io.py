"""Word-vector files (every format, real GloVe 6B 50d) and word2vec training."""

import numpy as np
import pytest

from sklearn_rnn import TextVectorizer, load_word_vectors, train_word2vec

from ..conftest import make_reviews

FILES = {"word2vec-text": "vectors.txt", "word2vec-binary": "vectors.bin",
         "glove": "glove.6B.50d.txt", "native": "vectors.kv",
         "word2vec-text-gz": "vectors.txt.gz", "word2vec-binary-gz": "vectors.bin.gz"}


def _write(kv, path, fmt):
    if fmt == "native":
        kv.save(str(path))
    else:  # gensim compresses a .gz name itself
        kv.save_word2vec_format(str(path), binary="binary" in fmt,
                                write_header=fmt != "glove")


@pytest.mark.parametrize("fmt", list(FILES))
def test_real_glove_in_every_format_loads_back(glove, tmp_path, fmt):
    from gensim.models import KeyedVectors

    kv = glove  # the 50,000 x 50 real vectors; compressed, the first 5,000
    if fmt.endswith("-gz"):
        kv = KeyedVectors(vector_size=50)
        kv.add_vectors(glove.index_to_key[:5000], glove.vectors[:5000])
    path = tmp_path / FILES[fmt]
    _write(kv, path, fmt)
    # the native format is a pickle: read only when asked
    loaded = load_word_vectors(path, **({"format": "native"} if fmt == "native" else {}))
    assert loaded.index_to_key == kv.index_to_key
    np.testing.assert_allclose(loaded.vectors, kv.vectors, atol=1e-5)
    if fmt != "native":
        limited = load_word_vectors(path, limit=100)
        assert limited.index_to_key == kv.index_to_key[:100]
        explicit = fmt.removesuffix("-gz")
        assert load_word_vectors(path, format=explicit, limit=3).index_to_key == [
            "the", ",", "."]


def test_load_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="No word-vector file"):
        load_word_vectors(tmp_path / "missing.bin")
    with pytest.raises(FileNotFoundError, match=r"Did you mean 'glove-wiki-gigaword-100'"):
        load_word_vectors("/data/glove-wiki-gigaword-100")  # a path, not the name
    bad = tmp_path / "bad.txt"
    bad.write_text("2 3\nfoo 1 2\n")
    with pytest.raises(ValueError, match="Could not read"):
        load_word_vectors(bad)
    with pytest.raises(ValueError, match="Could not read .* as fasttext"):
        load_word_vectors(bad, format="fasttext")
    with pytest.raises(ValueError, match="format must be one of"):
        load_word_vectors(bad, format="pickle")
    words = tmp_path / "words.txt"  # words and no numbers: not vectors
    words.write_text("good\nbad\n")
    with pytest.raises(ValueError, match="2 words of 0 numbers"):
        load_word_vectors(words)
    fake = tmp_path / "v.txt.gz"  # named .gz, not compressed: read as it is
    fake.write_text("1 2\ngood 0.5 0.25\n")
    with pytest.raises(ValueError, match="Could not read"):
        load_word_vectors(fake)
    with pytest.raises(TypeError, match="path or a gensim-data name"):
        load_word_vectors(42)


@pytest.fixture(scope="session")
def fasttext_bin(tmp_path_factory):
    """A small fastText model trained by gensim on synthetic reviews, saved in
    Facebook's .bin format (not a pickle)."""
    from gensim.models import FastText
    from gensim.models.fasttext import save_facebook_model

    docs, _ = make_reviews(400, seed=5)
    analyze = TextVectorizer().build_analyzer()
    model = FastText([analyze(d) for d in docs], vector_size=16, min_count=2, epochs=2,
                     min_n=3, max_n=5, bucket=20_000, seed=0, workers=1)
    path = tmp_path_factory.mktemp("fasttext") / "cc.en.16.bin"
    save_facebook_model(model, str(path))
    return path, model.wv


def test_fasttext_bin_gives_every_word_a_subword_vector(fasttext_bin):
    from sklearn_rnn import build_embedding_matrix

    path, wv = fasttext_bin
    assert path.read_bytes()[:1] != b"\x80"  # Facebook's format: no pickle involved
    kv = load_word_vectors(path)  # told apart from word2vec binary by its first bytes
    assert type(kv).__name__ == "FastTextKeyedVectors"
    assert kv.index_to_key == wv.index_to_key
    np.testing.assert_allclose(kv["movie"], wv["movie"], atol=1e-5)
    assert load_word_vectors(path, format="fasttext").index_to_key == wv.index_to_key
    vocab = ["<pad>", "<unk>", "movie", "moviegoers", "filmic", "zzz"]
    matrix, coverage = build_embedding_matrix(kv, vocab, oov="zeros")
    assert coverage.n_found == 1 and coverage.n_subword == 3
    assert "3 from subwords" in str(coverage)
    np.testing.assert_allclose(matrix[3], kv.get_vector("moviegoers"), rtol=1e-5)
    assert matrix[3:].any(axis=1).all()  # every word got a vector ...
    assert not matrix[1].any()  # ... and <unk> follows oov


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


# --------------------------------------------------------------------------- #
# headers checked against the file before gensim reads it (issue 31)
# --------------------------------------------------------------------------- #
def _load_in_a_process(run_python, path, fmt="auto"):
    code = ("import sys\nfrom sklearn_rnn import load_word_vectors\n"
            "try:\n    load_word_vectors(sys.argv[1], format=sys.argv[2])\n"
            "except ValueError as exc:\n    print('ValueError', exc)\n")
    return run_python("-c", code, path, fmt, timeout=60, check=False)


def test_a_fasttext_bin_whose_header_lies_is_refused_not_looped_on(tmp_path, run_python,
                                                                   fasttext_bin):
    rng = np.random.default_rng(0)
    lying = tmp_path / "lying.bin"  # fastText's mark, then random bytes
    lying.write_bytes(b"\xba\x16\x4f\x2f" + rng.bytes(4000))
    done = _load_in_a_process(run_python, lying)  # gensim alone loops forever on it
    assert done.returncode == 0 and "ValueError" in done.stdout, done.stderr
    # the real file, cut short: its vocabulary ends before the count it declares
    real, wv = fasttext_bin
    cut = tmp_path / "cut.bin"
    data = real.read_bytes()
    cut.write_bytes(data[:200])
    done = _load_in_a_process(run_python, cut)
    assert "declares" in done.stdout and ("ends after" in done.stdout
                                          or "ends inside" in done.stdout), done.stdout
    cut.write_bytes(data[:len(data) // 2])  # the matrix cut
    with pytest.raises(ValueError, match=r"the file is truncated"):
        load_word_vectors(cut)
    assert load_word_vectors(real).index_to_key == wv.index_to_key


@pytest.mark.parametrize("binary", [False, True])
def test_a_word2vec_header_declaring_more_than_the_file_holds_is_refused(tmp_path, binary):
    path = tmp_path / ("big.bin" if binary else "big.txt")
    body = (b"good " + np.float32([0.5, 0.25]).tobytes() + b"\n" if binary
            else b"good 0.5 0.25\n")
    path.write_bytes(b"1000000000 2\n" + body)
    with pytest.raises(ValueError, match=r"declares 1,000,000,000 vectors of 2 numbers"):
        load_word_vectors(path, format="word2vec-binary" if binary else "word2vec-text")
    path.write_bytes(b"1 100000\n" + body)
    with pytest.raises(ValueError, match=r"1 to 10,000"):
        load_word_vectors(path, format="word2vec-binary" if binary else "word2vec-text")


def test_a_byte_order_mark_keeps_the_first_word(tmp_path):
    glove = tmp_path / "glove.txt"
    glove.write_bytes(b"\xef\xbb\xbfthe 0.5 0.25\nfilm 1 2\n")
    kv = load_word_vectors(glove)
    assert kv.index_to_key == ["the", "film"] and kv.key_to_index["the"] == 0
    np.testing.assert_allclose(kv["the"], [0.5, 0.25])
    text = tmp_path / "w2v.vec"  # a header line after the mark: word2vec text
    text.write_bytes(b"\xef\xbb\xbf2 2\nthe 0.5 0.25\nfilm 1 2\n")
    kv = load_word_vectors(text)
    assert kv.index_to_key == ["the", "film"]
    np.testing.assert_allclose(kv["film"], [1, 2])
