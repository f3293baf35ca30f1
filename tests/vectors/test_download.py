"""Word vectors by gensim-data name, without a network: a local HTTP server
stands in for the catalogue (``list.json``) and its release files, and
``gensim.downloader`` is pointed at it."""

import functools
import gzip
import hashlib
import http.server
import json
import os
import pickle
import socket
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from sklearn_rnn import LSTMSentimentClassifier, PretrainedEmbeddings, load_word_vectors

FAST = dict(hidden_size=8, max_epochs=1, random_state=0, batch_size=32, lr=5e-3,
            ngram_range=None)
REPO = Path(__file__).resolve().parents[2]


def _small(glove, n=3000):
    from gensim.models import KeyedVectors

    kv = KeyedVectors(vector_size=50)
    kv.add_vectors(glove.index_to_key[:n], glove.vectors[:n])
    return kv


def _write_gz(kv, path, binary=False):
    """Vectors as gensim-data ships them: word2vec format, gzip-compressed."""
    raw = path.with_suffix("")
    kv.save_word2vec_format(str(raw), binary=binary)
    path.write_bytes(gzip.compress(raw.read_bytes()))
    raw.unlink()
    return hashlib.md5(path.read_bytes()).hexdigest()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _point_gensim_at(monkeypatch, tmp_path, base_url):
    import gensim.downloader as api

    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"):
        monkeypatch.delenv(var, raising=False)
    data_dir = tmp_path / "gensim-data"
    list_url = f"{base_url}/list.json"
    monkeypatch.setattr(api, "BASE_DIR", str(data_dir))
    monkeypatch.setattr(api, "DATA_LIST_URL", list_url)
    monkeypatch.setattr(api, "DOWNLOAD_BASE_URL", f"{base_url}/releases")
    # gensim's catalogue reader took the URL as a default argument at import
    monkeypatch.setattr(api._load_info, "__defaults__", (list_url, "utf-8"))
    return data_dir


@pytest.fixture
def catalogue(glove, tmp_path, monkeypatch):
    """A local gensim-data: 'glove-local-50' (3,000 real GloVe words, word2vec
    text in .gz, a name gensim's real catalogue does not have) and
    'glove-wiki-gigaword-50' (the same file, under a name we know offline)."""
    site = tmp_path / "site"
    marker = tmp_path / "reader-code-ran"
    models = {}
    kv = _small(glove)
    for name in ("glove-local-50", "glove-wiki-gigaword-50"):
        folder = site / "releases" / name
        folder.mkdir(parents=True)
        checksum = _write_gz(kv, folder / f"{name}.gz")
        # gensim.downloader.load(name) without return_path imports this file
        (folder / "__init__.py").write_text(
            f"open({str(marker)!r}, 'w').close()\ndef load_data():\n    return None\n")
        models[name] = {"file_name": f"{name}.gz", "parts": 1, "checksum": checksum,
                        "num_records": len(kv.index_to_key)}
    corpora = {"text8": {"file_name": "text8.gz", "parts": 1, "checksum": "0"}}
    (site / "list.json").write_text(json.dumps({"models": models, "corpora": corpora}))
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base_url = f"http://127.0.0.1:{server.server_address[1]}"
    data_dir = _point_gensim_at(monkeypatch, tmp_path, base_url)
    yield {"data_dir": data_dir, "kv": kv, "marker": marker, "server": server}
    server.shutdown()
    server.server_close()


@pytest.fixture
def offline(tmp_path, monkeypatch):
    """gensim.downloader pointed at a port nothing listens on."""
    base_url = f"http://127.0.0.1:{_free_port()}"
    return {"data_dir": _point_gensim_at(monkeypatch, tmp_path, base_url), "url": base_url}


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
    kv = _small(glove, 40)
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
    _write_gz(_small(glove, 100), place)
    assert len(load_word_vectors(name).index_to_key) == 100


def test_a_silent_server_fails_instead_of_hanging(tmp_path, monkeypatch):
    from sklearn_rnn._vectors import _catalogue

    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        _point_gensim_at(monkeypatch, tmp_path, f"http://127.0.0.1:{silent.getsockname()[1]}")
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


def test_gensim_data_dir_is_honoured(tmp_path, glove):
    # a fresh process: gensim.downloader reads GENSIM_DATA_DIR when imported
    name = "glove-wiki-gigaword-50"
    place = tmp_path / "elsewhere" / name / f"{name}.gz"
    place.parent.mkdir(parents=True)
    _write_gz(_small(glove, 25), place)
    env = {**os.environ, "GENSIM_DATA_DIR": str(tmp_path / "elsewhere"),
           "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    code = ("from sklearn_rnn import load_word_vectors; "
            f"print(len(load_word_vectors({name!r}).index_to_key))")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, timeout=300, check=True)
    assert out.stdout.strip() == "25"
