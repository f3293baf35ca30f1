"""A local gensim-data for tests: a file server standing in for the catalogue
(``list.json``) and its release files, with ``gensim.downloader`` pointed at
it (fixtures ``catalogue`` and ``offline``, registered in ``conftest.py``)."""

import functools
import gzip
import hashlib
import http.server
import json
import socket
import threading

import pytest


def small_vectors(glove, n=3000):
    from gensim.models import KeyedVectors

    kv = KeyedVectors(vector_size=50)
    kv.add_vectors(glove.index_to_key[:n], glove.vectors[:n])
    return kv


def write_gz(kv, path, binary=False):
    """Vectors as gensim-data ships them: word2vec format, gzip-compressed."""
    raw = path.with_suffix("")
    kv.save_word2vec_format(str(raw), binary=binary)
    path.write_bytes(gzip.compress(raw.read_bytes()))
    raw.unlink()
    return hashlib.md5(path.read_bytes()).hexdigest()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def point_gensim_at(monkeypatch, tmp_path, base_url):
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
    kv = small_vectors(glove)
    for name in ("glove-local-50", "glove-wiki-gigaword-50"):
        folder = site / "releases" / name
        folder.mkdir(parents=True)
        checksum = write_gz(kv, folder / f"{name}.gz")
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
    data_dir = point_gensim_at(monkeypatch, tmp_path, base_url)
    yield {"data_dir": data_dir, "kv": kv, "marker": marker, "server": server}
    server.shutdown()
    server.server_close()


@pytest.fixture
def offline(tmp_path, monkeypatch):
    """gensim.downloader pointed at a port nothing listens on."""
    base_url = f"http://127.0.0.1:{free_port()}"
    return {"data_dir": point_gensim_at(monkeypatch, tmp_path, base_url), "url": base_url}
