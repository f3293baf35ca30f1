"""Dataset loaders on the real archives in ../shared, and on small fakes."""

import functools
import hashlib
import http.server
import io
import tarfile
import threading

import numpy as np
import pytest

from sklearn_rnn.datasets import get_data_home, load_imdb, load_imdb_splits, load_movie_reviews
from sklearn_rnn.datasets._base import fetch_file


def test_load_imdb_train_from_archive(imdb_train):
    data = imdb_train
    assert len(data.data) == 25_000
    assert sorted(set(data.target)) == ["negative", "positive"]
    assert (data.target == "positive").sum() == 12_500
    # ratings 7-10 are positive, 1-4 negative
    assert set(data.ratings[data.target == "positive"]) == {7, 8, 9, 10}
    assert set(data.ratings[data.target == "negative"]) == {1, 2, 3, 4}
    assert data.filenames[0].startswith("aclImdb/train/")
    assert "Large Movie Review Dataset" in data.DESCR
    # shuffled with a fixed seed: a prefix is balanced and the order is stable
    assert 0.4 < np.mean(data.target[:1000] == "positive") < 0.6


def test_load_imdb_options(imdb_archive, imdb_train):
    X, y = load_imdb(data_home=imdb_archive, return_X_y=True, n_samples=50)
    assert X == imdb_train.data[:50] and list(y) == list(imdb_train.target[:50])
    X, ratings = load_imdb(data_home=imdb_archive, return_X_y=True, target="rating",
                           n_samples=50)
    np.testing.assert_array_equal(ratings, imdb_train.ratings[:50])
    ordered = load_imdb(data_home=imdb_archive, shuffle=False)
    assert list(ordered.target[:12_500]) == ["negative"] * 12_500
    assert list(ordered.ids[:3]) == sorted(ordered.ids[:12_500].tolist())[:3]


def test_load_imdb_unsup_and_missing_test_split(imdb_archive):
    splits = load_imdb_splits(("train", "test", "unsup"), data_home=imdb_archive)
    assert splits["test"] is None  # the shared archive holds the train split only
    unsup = splits["unsup"]
    assert len(unsup.data) == 50_000 and unsup.target is None
    assert set(unsup.ratings) == {0}
    with pytest.raises(OSError, match="hold out part of the train split"):
        load_imdb("test", data_home=imdb_archive)


def _tar_of_reviews(path, mode, fmt, reviews):
    with tarfile.open(path, mode, format=fmt) as tar:
        for name, text in reviews.items():
            info = tarfile.TarInfo(name)
            info.size = len(text)
            tar.addfile(info, io.BytesIO(text))
    return path


def test_load_imdb_reads_every_tar_format(tmp_path):
    # long names (GNU and pax headers), plain and compressed archives
    long_name = "x" * 120 + "/aclImdb/train/pos/1_9.txt"
    for fmt, suffix, mode in [(tarfile.GNU_FORMAT, ".tar.gz", "w:gz"),
                              (tarfile.PAX_FORMAT, ".tar", "w"),
                              (tarfile.USTAR_FORMAT, ".tar.bz2", "w:bz2")]:
        first = long_name if fmt != tarfile.USTAR_FORMAT else "aclImdb/train/pos/1_9.txt"
        path = _tar_of_reviews(tmp_path / f"a{suffix}", mode, fmt, {
            first: b"great", "aclImdb/train/neg/2_1.txt": b"bad " * 300, "a/b.txt": b"other"})
        data = load_imdb(data_home=path, shuffle=False)
        assert data.data == ["bad " * 300, "great"], fmt
        assert list(data.filenames) == ["aclImdb/train/neg/2_1.txt", first]


def _fake_imdb(root):
    reviews = {
        "train/pos/10_9.txt": "A wonderful film.", "train/pos/11_8.txt": "Loved it.",
        "train/neg/20_1.txt": "Dreadful.", "train/neg/21_3.txt": "Boring<br />plot.",
        "train/unsup/30_0.txt": "No label here.",
        "test/pos/40_10.txt": "Superb.", "test/neg/41_2.txt": "Awful.",
    }
    for name, text in reviews.items():
        path = root / "aclImdb" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root / "aclImdb"


def test_load_imdb_from_extracted_folder_and_cache(tmp_path, monkeypatch):
    folder = _fake_imdb(tmp_path)
    test = load_imdb("test", data_home=folder, shuffle=False)
    assert test.data == ["Awful.", "Superb."] and list(test.target) == ["negative", "positive"]
    # a cache folder holding aclImdb/, found through the environment variable
    monkeypatch.setenv("SKLEARN_RNN_DATA", str(tmp_path))
    assert get_data_home() == tmp_path
    train = load_imdb(shuffle=False, download_if_missing=False)
    assert list(train.ids) == [20, 21, 10, 11] and list(train.ratings) == [1, 3, 9, 8]
    assert load_imdb("unsup").data == ["No label here."]


def test_missing_data_says_where_to_put_it(tmp_path):
    with pytest.raises(OSError, match="download_if_missing=False. Put aclImdb_v1.tar.gz"):
        load_imdb(data_home=tmp_path / "cache", download_if_missing=False)
    with pytest.raises(FileNotFoundError, match="No such dataset file"):
        load_imdb(data_home=tmp_path / "typo.tar.gz")
    with pytest.raises(ValueError, match="subset must be"):
        load_imdb("validation", data_home=tmp_path)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def served_folder(tmp_path, monkeypatch):
    """A folder served over HTTP on this machine: ``(folder, base URL)``."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    folder = tmp_path / "remote"
    folder.mkdir()
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield folder, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_fetch_file_verifies_checksum(tmp_path, served_folder):
    folder, base_url = served_folder
    (folder / "remote.bin").write_bytes(b"the archive")
    url = f"{base_url}/remote.bin"
    good = hashlib.sha256(b"the archive").hexdigest()
    target = fetch_file(url, tmp_path / "cache" / "a.bin", sha256=good)
    assert target.read_bytes() == b"the archive"
    with pytest.raises(OSError, match="Checksum mismatch"):
        fetch_file(url, tmp_path / "cache" / "b.bin", sha256="0" * 64)
    assert not (tmp_path / "cache" / "b.bin").exists()  # no corrupt file left behind
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == ["a.bin"]


def test_fetch_file_offline_error_says_what_to_do(tmp_path):
    with pytest.raises(OSError, match="If this machine is offline, download"):
        fetch_file("http://127.0.0.1:9/aclImdb_v1.tar.gz", tmp_path / "a.tar.gz",
                   timeout=5)


def test_load_movie_reviews(movie_reviews_zip, tmp_path):
    X, y = load_movie_reviews(data_home=movie_reviews_zip, return_X_y=True)
    assert len(X) == 2000 and (y == "positive").sum() == 1000
    assert 0.4 < np.mean(y[:200] == "positive") < 0.6
    bunch = load_movie_reviews(data_home=movie_reviews_zip, shuffle=False)
    assert bunch.filenames[0].startswith("movie_reviews/neg/cv000")
    folder = tmp_path / "movie_reviews"
    (folder / "pos").mkdir(parents=True)
    (folder / "pos" / "cv001_1.txt").write_text("fine film")
    assert load_movie_reviews(data_home=folder, return_X_y=True)[0] == ["fine film"]
