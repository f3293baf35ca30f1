"""Pretrained vectors aligned with token ids: real GloVe 6B 50d on synthetic reviews."""

import pickle
import warnings

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer
from skorch.callbacks import Callback

from sklearn_rnn import (
    EmbeddingCoverage,
    LSTMSentimentClassifier,
    PretrainedEmbeddings,
    RNNSentimentClassifier,
    TextVectorizer,
    VectorsNotSaved,
    build_embedding_matrix,
    load_word_vectors,
    train_word2vec,
)

from ..conftest import make_reviews

FAST = dict(hidden_size=8, max_epochs=1, random_state=0, batch_size=32, lr=5e-3)


@pytest.fixture(scope="session")
def w2v():
    docs, _ = make_reviews(1000, seed=7)
    return train_word2vec(docs, vector_size=12, min_count=2, epochs=2, random_state=0)


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
    matrix, coverage = build_embedding_matrix(glove, vocab, oov="random", random_state=0)
    assert coverage.n_found == 1
    assert not matrix[0].any()  # padding stays zero
    assert 0.8 < matrix[1:-1].std() / glove.vectors.std() < 1.2
    again, _ = build_embedding_matrix(glove, vocab, oov="random", random_state=0)
    np.testing.assert_array_equal(matrix, again)


def _held_out(glove, every=10):
    """GloVe without every ``every``-th of its words, and those words."""
    from gensim.models import KeyedVectors

    held = np.arange(len(glove.index_to_key)) % every == 3
    kv = KeyedVectors(vector_size=50)
    kv.add_vectors([w for w, h in zip(glove.index_to_key, held, strict=True) if not h],
                   glove.vectors[~held])
    return kv, [w for w, h in zip(glove.index_to_key, held, strict=True) if h], held


def test_char_ngrams_estimate_is_close_to_the_real_vector(glove):
    kv, words, held = _held_out(glove)  # 5,000 real words, their vectors hidden
    vocab = ["<pad>", "<unk>", "the", *words, "\u02ac\u02ac\u02ac"]
    matrix, coverage = build_embedding_matrix(kv, vocab, random_state=0)  # the default
    assert coverage.n_found == 1 and coverage.n_estimated >= 0.99 * len(words)
    assert f"{coverage.n_estimated:,} estimated from n-grams" in str(coverage)
    truth = glove.vectors[held]
    estimate = matrix[3:-1]
    cos = (estimate * truth).sum(1) / np.linalg.norm(estimate, axis=1) / np.linalg.norm(
        truth, axis=1)
    rand, _ = build_embedding_matrix(kv, vocab, oov="random", random_state=0)
    cos_random = (rand[3:-1] * truth).sum(1) / np.linalg.norm(rand[3:-1], axis=1) / (
        np.linalg.norm(truth, axis=1))
    assert cos.mean() > 0.3 and abs(cos_random.mean()) < 0.05  # measured: 0.40 and 0.0
    np.testing.assert_array_equal(matrix[2], kv["the"])  # own vectors untouched
    assert not matrix[0].any()
    scale = kv.vectors[:100_000].std()
    for row in (matrix[1], matrix[-1]):  # <unk> and a word sharing no n-gram: random
        assert row.any() and 0.5 < row.std() / scale < 2
    again, _ = build_embedding_matrix(kv, vocab, random_state=0)
    np.testing.assert_array_equal(matrix, again)


def test_mean_and_zeros_fill_the_rows_without_a_vector(glove):
    vocab = ["<pad>", "<unk>", "the", "zzqqx", "qqzzx"]
    mean, coverage = build_embedding_matrix(glove, vocab, oov="mean")
    np.testing.assert_allclose(mean[[1, 3, 4]], np.tile(glove.vectors.mean(0), (3, 1)),
                               rtol=1e-5)
    assert coverage.n_estimated == 0 and coverage.missing == ["zzqqx", "qqzzx"]
    zeros, _ = build_embedding_matrix(glove, vocab, oov="zeros")
    assert not zeros[[0, 1, 3, 4]].any() and zeros[2].any()
    with pytest.raises(ValueError, match=r"oov must be one of \('char-ngrams'"):
        build_embedding_matrix(glove, vocab, oov="median")


def test_coverage_saved_before_the_new_counts_still_reads():
    report = EmbeddingCoverage(n_found=3, n_lowercase=0, n_tokens=4, missing=["x"])
    del report.__dict__["n_subword"], report.__dict__["n_estimated"]  # an older file's state
    assert report.n_subword == 0 and report.n_estimated == 0
    assert str(report) == "coverage 75.0% (3 / 4)"


def test_build_matrix_from_fitted_vectorizer(glove, reviews):
    X, _ = reviews
    vec = TextVectorizer().fit(X)
    matrix, coverage = build_embedding_matrix(glove, vec)
    assert matrix.shape == (len(vec.vocabulary_), 50) and matrix.dtype == np.float32
    assert coverage.coverage == 1.0  # every word of the synthetic reviews is English
    with pytest.raises(TypeError, match="KeyedVectors"):
        build_embedding_matrix(matrix, vec)


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


# --------------------------------------------------------------------------- #
# PretrainedEmbeddings, the parameter object
# --------------------------------------------------------------------------- #
def test_pretrained_embeddings_options_are_nested_parameters(glove):
    clf = LSTMSentimentClassifier(embeddings=PretrainedEmbeddings(glove, oov="zeros"))
    params = clf.get_params()
    assert params["embeddings__oov"] == "zeros" and params["embeddings__vectors"] is glove
    clf.set_params(embeddings__oov="random", embeddings__lowercase_fallback=False)
    assert clf.embeddings.oov == "random" and clf.embeddings.lowercase_fallback is False
    twin = clone(clf)
    assert twin.embeddings is not clf.embeddings  # a new parameter object ...
    assert twin.embeddings.vectors is glove  # ... sharing the vectors, not copying them
    assert twin.get_params()["embeddings__oov"] == "random"


def test_options_need_the_parameter_object(glove, review_ids):
    X, y, _ = review_ids
    with pytest.raises(ValueError, match=r"PretrainedEmbeddings\(vectors, oov=\.\.\.\)"):
        LSTMSentimentClassifier(embeddings=glove).set_params(embeddings__oov="zeros")
    with pytest.raises(ValueError, match=r"PretrainedEmbeddings\(vectors, limit=\.\.\.\)"):
        LSTMSentimentClassifier(embeddings=glove, embeddings__limit=5, **FAST).fit(X, y)
    with pytest.raises(ValueError, match="'oov' parameter"):
        LSTMSentimentClassifier(embeddings=PretrainedEmbeddings(glove, oov="median"),
                                **FAST).fit(X, y)


def test_grid_search_over_an_embedding_option(glove, reviews):
    X, y = reviews
    capture = _CaptureInitialEmbedding()
    pipe = make_pipeline(
        TextVectorizer(),
        LSTMSentimentClassifier(embeddings=PretrainedEmbeddings(glove), freeze_embeddings=True,
                                callbacks=[("capture", capture)], **FAST),
    )
    grid = {"lstmsentimentclassifier__embeddings__oov": ["zeros", "random"]}
    search = GridSearchCV(pipe, grid, cv=2, refit=False).fit(X, y)
    assert search.cv_results_["param_lstmsentimentclassifier__embeddings__oov"].tolist() == [
        "zeros", "random"]
    unk = make_pipeline(TextVectorizer(), clone(pipe[-1]).set_params(
        embeddings__oov="zeros")).fit(X, y)
    initial = dict(unk[-1].net_.callbacks_)["capture"].weight_
    assert not initial[1].any()  # <unk> starts at zero with oov='zeros'


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
def test_rows_match_vectors_in_every_cv_fold(glove, freeze):
    X, y = make_reviews(150, seed=8, max_words=15)  # small folds: vocabularies differ
    capture = _CaptureInitialEmbedding()
    pipe = make_pipeline(
        TextVectorizer(),
        LSTMSentimentClassifier(embeddings=glove, freeze_embeddings=freeze,
                                callbacks=[("capture", capture)], **FAST),
    )
    result = cross_validate(pipe, X, y, cv=StratifiedKFold(3), return_estimator=True)
    vocabularies = set()
    for fitted in result["estimator"]:
        vec, clf = fitted[0], fitted[-1]
        vocabularies.add(tuple(vec.vocabulary_))
        initial = dict(clf.net_.callbacks_)["capture"].weight_
        assert _check_rows(vec, initial, glove) == len(vec.vocabulary_) - 2
        final = clf.net_.module_.embedding.weight.detach().numpy()
        if freeze:
            _check_rows(vec, final, glove)  # still the GloVe vectors after training
        else:
            assert not np.allclose(final, initial)  # fine-tuned
        assert clf.embeddings_report_.coverage == 1.0
        assert clf.net_.module_.embedding.embedding_dim == 50
    assert len(vocabularies) == 3  # each fold has its own vocabulary


@pytest.mark.parametrize("fmt", ["word2vec-text", "word2vec-binary"])
def test_word2vec_file_route_inside_cross_validation(w2v, reviews, tmp_path, fmt):
    X, y = reviews
    path = tmp_path / ("w2v.bin" if fmt == "word2vec-binary" else "w2v.txt")
    w2v.save_word2vec_format(str(path), binary=fmt == "word2vec-binary")
    capture = _CaptureInitialEmbedding()
    pipe = make_pipeline(
        TextVectorizer(),
        RNNSentimentClassifier(embeddings=PretrainedEmbeddings(str(path), oov="zeros"),
                               callbacks=[("capture", capture)], **FAST),
    )
    assert pipe[-1].embeddings.vectors == str(path)  # stored as given, loaded at fit
    result = cross_validate(pipe, X + ["zzzunseen word"] * 2, np.r_[y, y[:2]], cv=2,
                            return_estimator=True)
    for fitted in result["estimator"]:
        vec, clf = fitted[0], fitted[-1]
        initial = dict(clf.net_.callbacks_)["capture"].weight_
        loaded = load_word_vectors(path)
        assert _check_rows(vec, initial, loaded) > 20
        missing = [i for t, i in vec.vocabulary_.items() if t not in loaded.key_to_index]
        assert not initial[missing].any()  # oov='zeros'


def test_glove_text_file_route_with_limit(glove, review_ids, tmp_path):
    from gensim.models import KeyedVectors

    ids, y, _ = review_ids
    small = KeyedVectors(vector_size=50)
    small.add_vectors(glove.index_to_key[:5000], glove.vectors[:5000])
    path = tmp_path / "glove.6B.50d.txt"
    small.save_word2vec_format(str(path), binary=False, write_header=False)
    limited = PretrainedEmbeddings(path, limit=40)
    clf = LSTMSentimentClassifier(embeddings=limited, **FAST).fit(ids, y)
    assert clf.embeddings_report_.n_found <= 40
    full = LSTMSentimentClassifier(embeddings=path, **FAST).fit(ids, y)
    assert full.embeddings_report_.n_found > clf.embeddings_report_.n_found


def test_clone_shares_raw_vectors_and_grid_search_parallel(glove, reviews):
    X, y = reviews
    clf = LSTMSentimentClassifier(embeddings=glove, **FAST)
    assert clone(clf).embeddings is glove  # no multi-GB deep copy per fold
    pipe = make_pipeline(TextVectorizer(), clf)
    grid = {"lstmsentimentclassifier__freeze_embeddings": [True, False]}
    serial = GridSearchCV(pipe, grid, cv=2, n_jobs=1).fit(X, y)
    parallel = GridSearchCV(pipe, grid, cv=2, n_jobs=2).fit(X, y)
    np.testing.assert_allclose(serial.cv_results_["mean_test_score"],
                               parallel.cv_results_["mean_test_score"])
    assert not np.isnan(serial.cv_results_["mean_test_score"]).any()


@pytest.mark.parametrize("wrap", [False, True])
def test_fitted_pickle_leaves_vectors_out(glove, reviews, wrap):
    X, y = reviews
    embeddings = PretrainedEmbeddings(glove, oov="zeros") if wrap else glove
    # without the n-gram table (2**20 x 2 floats and their Adam moments: 25 MB)
    # the weights are small, so the vectors would show
    pipe = make_pipeline(TextVectorizer(), LSTMSentimentClassifier(
        embeddings=embeddings, ngram_range=None, **FAST)).fit(X, y)
    blob = pickle.dumps(pipe)
    assert len(blob) < glove.vectors.nbytes / 10  # the 50k x 50 vectors (10 MB) are not in there
    assert pipe[-1].embeddings is embeddings  # the live model is untouched
    restored = pickle.loads(blob)
    np.testing.assert_array_equal(restored.predict_proba(X), pipe.predict_proba(X))
    placeholder = restored[-1].embeddings.vectors if wrap else restored[-1].embeddings
    assert isinstance(placeholder, VectorsNotSaved)
    assert "50,000 x 50" in repr(placeholder)
    if wrap:
        assert restored[-1].embeddings.oov == "zeros"  # the options are kept
    with pytest.raises(ValueError, match="set_params\\(embeddings=...\\)"):
        restored.fit(X, y)
    restored.set_params(lstmsentimentclassifier__embeddings=glove).fit(X, y)
    # an unfitted estimator keeps its vectors when pickled (joblib workers need them)
    unfitted = pickle.loads(pickle.dumps(LSTMSentimentClassifier(embeddings=embeddings)))
    vectors = unfitted.embeddings.vectors if wrap else unfitted.embeddings
    assert vectors.vector_size == 50


def test_embedding_dim_rule(glove, review_ids):
    ids, y, _ = review_ids
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the default embedding_dim is silently replaced
        clf = LSTMSentimentClassifier(embeddings=glove, **FAST).fit(ids, y)
    assert clf.net_.module_.embedding.embedding_dim == 50
    match = "embedding_dim=100 is ignored: the pretrained vectors have 50"
    with pytest.warns(UserWarning, match=match):
        clf = LSTMSentimentClassifier(embeddings=glove, embedding_dim=100, **FAST).fit(ids, y)
    assert clf.net_.module_.embedding.embedding_dim == 50


def test_vectors_need_the_vocabulary(glove, reviews):
    pytest.importorskip("pandas")
    X, y = reviews
    ids = np.asarray(TextVectorizer().fit_transform(X))  # plain array
    with pytest.raises(ValueError, match="Put the TextVectorizer right before"):
        LSTMSentimentClassifier(embeddings=glove, **FAST).fit(ids, y)
    # a step in between that converts the TokenArray: a clear error, not wrong rows
    pandas_out = make_pipeline(TextVectorizer().set_output(transform="pandas"),
                               LSTMSentimentClassifier(embeddings=glove, **FAST))
    with pytest.raises(ValueError, match=r"set_output\(transform='pandas'\)"):
        pandas_out.fit(X, y)
    in_between = make_pipeline(TextVectorizer(), FunctionTransformer(np.asarray),
                               LSTMSentimentClassifier(embeddings=glove, **FAST))
    with pytest.raises(ValueError, match="FunctionTransformer"):
        in_between.fit(X, y)
    # without pretrained vectors the pandas output works (vocabulary from the ids)
    plain = make_pipeline(TextVectorizer().set_output(transform="pandas"),
                          LSTMSentimentClassifier(**FAST)).fit(X, y)
    assert plain.predict(X[:3]).shape == (3,)


def test_matrix_route(glove, review_ids):
    ids, y, vec = review_ids
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
    with pytest.raises(ValueError, match="numeric 2-D matrix"):
        LSTMSentimentClassifier(embeddings=matrix[0], **FAST).fit(ids, y)
