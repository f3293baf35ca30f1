"""Word vectors by gensim-data name, without a network: a local HTTP server
stands in for the catalogue (``list.json``) and its release files, and
``gensim.downloader`` is pointed at it."""

import pickle
import socket

import numpy as np
import pytest

from sklearn_rnn import LSTMSentimentClassifier, PretrainedEmbeddings, load_word_vectors

from .._gensim_data import point_gensim_at, small_vectors, write_gz

FAST = dict(hidden_size=8, max_epochs=1, random_state=0, batch_size=32, lr=5e-3,
            ngram_range=None)


@pytest.mark.parametrize("name", ["glove-local-50", "glove-wiki-gigaword-50"])
def test_name_downloads_once_into_gensims_folder(catalogue, name):
    kv = load_word_vectors(name)
    assert kv.index_to_key == catalogue["kv"].index_to_key
    np.testing.assert_allclose(kv.vectors, catalogue["kv"].vectors, atol=1e-5)
    path = catalogue["data_dir"] / name / f"{name}.gz"
    assert path.is_file()  # gensim.downloader's own layout and cache
    assert not catalogue["marker"].exists()  # the catalogue's reader code never runs
    catalogue["server"].shutdown()  # no network from here on
    catalogue["server"].server_close()
    again = load_word_vectors(name)
    assert again.index_to_key == kv.index_to_key
    assert load_word_vectors(name, limit=10).index_to_key == kv.index_to_key[:10]


def test_unknown_name_lists_close_names(catalogue):
    with pytest.raises(ValueError, match=r"Did you mean 'glove-local-50'"):
        load_word_vectors("glove-locl-50")
    with pytest.raises(ValueError, match="a corpus, not word vectors"):
        load_word_vectors("text8")
    with pytest.raises(FileNotFoundError, match=r"No word-vector file at 'glove-local-50.txt'"):
        load_word_vectors("glove-local-50.txt")  # a file name, not a name


def test_existing_file_wins_over_a_name(catalogue, tmp_path, monkeypatch, glove):
    monkeypatch.chdir(tmp_path)
    kv = small_vectors(glove, 40)
    kv.save_word2vec_format("glove-local-50", binary=False)  # a file named like the name
    assert len(load_word_vectors("glove-local-50").index_to_key) == 40
    assert not (catalogue["data_dir"] / "glove-local-50").exists()


def test_classifier_by_name_fits_and_pickles_only_the_name(catalogue, review_ids):
    ids, y, _ = review_ids
    name = "glove-local-50"
    clf = LSTMSentimentClassifier(embeddings=name, freeze_embeddings=True, **FAST).fit(ids, y)
    assert clf.embeddings_report_.coverage > 0.5  # 3,000 words
    weights = clf.net_.module_.embedding.weight.detach().numpy()
    token = "movie"
    np.testing.assert_array_equal(weights[ids.vocabulary.index(token)],
                                  catalogue["kv"][token])
    blob = pickle.dumps(clf)
    assert len(blob) < catalogue["kv"].vectors.nbytes / 2
    restored = pickle.loads(blob)
    assert restored.embeddings == name  # only the name is kept
    np.testing.assert_array_equal(restored.predict_proba(ids), clf.predict_proba(ids))
    wrapped = LSTMSentimentClassifier(embeddings=PretrainedEmbeddings(name, oov="zeros"),
                                      **FAST).fit(ids, y)
    assert pickle.loads(pickle.dumps(wrapped)).embeddings.vectors == name


def test_offline_error_names_the_url_and_the_place(offline, glove):
    name = "glove-wiki-gigaword-50"
    with pytest.raises(OSError) as info:
        load_word_vectors(name)
    message = str(info.value)
    place = offline["data_dir"] / name / f"{name}.gz"
    assert f"{offline['url']}/releases/{name}/{name}.gz" in message
    assert str(place) in message
    assert "catalogue itself could not be fetched" in message
    # doing what the message says works, still offline
    place.parent.mkdir(parents=True, exist_ok=True)
    write_gz(small_vectors(glove, 100), place)
    assert len(load_word_vectors(name).index_to_key) == 100


def test_a_silent_server_fails_instead_of_hanging(tmp_path, monkeypatch):
    from sklearn_rnn._vectors import _catalogue

    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        point_gensim_at(monkeypatch, tmp_path, f"http://127.0.0.1:{silent.getsockname()[1]}")
        monkeypatch.setattr(_catalogue, "NETWORK_TIMEOUT", 1)
        with pytest.raises(OSError, match="Could not download") as info:
            load_word_vectors("glove-wiki-gigaword-50")  # without the timeout: for ever
    assert "/releases/glove-wiki-gigaword-50/glove-wiki-gigaword-50.gz (66 MB)" in str(info.value)
    assert socket.getdefaulttimeout() is None  # put back


def test_offline_unknown_name_lists_the_names_known_offline(offline):
    with pytest.raises(ValueError, match=r"Did you mean 'glove-wiki-gigaword-100'") as info:
        load_word_vectors("glove-wiki-gigaword-10")
    assert "could not be fetched" in str(info.value)
    assert "word2vec-google-news-300" in str(info.value)


def test_gensim_data_dir_is_honoured(tmp_path, glove, run_python):
    # a fresh process: gensim.downloader reads GENSIM_DATA_DIR when imported
    name = "glove-wiki-gigaword-50"
    place = tmp_path / "elsewhere" / name / f"{name}.gz"
    place.parent.mkdir(parents=True)
    write_gz(small_vectors(glove, 25), place)
    code = ("from sklearn_rnn import load_word_vectors; "
            f"print(len(load_word_vectors({name!r}).index_to_key))")
    out = run_python("-c", code, env={"GENSIM_DATA_DIR": str(tmp_path / "elsewhere")},
                     timeout=300)
    assert out.stdout.strip() == "25"
