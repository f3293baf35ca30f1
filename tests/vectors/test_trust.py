"""Vector files from strangers never run code (issue 23, item 1).

gensim's native format is a pickle, and unpickling runs whatever the file
says. A pickle is loaded only when the caller asks (``format='native'``) or
the file's name says so (``.kv``, ``.model``, ``.wordvectors``); under any
other name it is refused with a clear error, on every route a file takes.
"""

import gzip
import pickle

import pytest

from sklearn_rnn import LSTMSentimentClassifier, PretrainedEmbeddings, load_word_vectors

FAST = dict(hidden_size=8, max_epochs=1, random_state=0, batch_size=32, ngram_range=None)


class _Payload:
    """Unpickling this creates the marker file: stands for any code."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def _malicious(path, marker, protocol=4, compress=False):
    data = pickle.dumps(_Payload(marker), protocol=protocol)
    path.write_bytes(gzip.compress(data) if compress else data)
    return path


# the names a downloaded vector file has; ".gz" both compressed and not
NAMES = [("glove.6B.50d.txt", False), ("GoogleNews-vectors.bin", False),
         ("wiki.en.vec", False), ("vectors.txt.gz", True), ("vectors.gz", False),
         ("vectors.bin.gz", True)]


@pytest.fixture
def marker(tmp_path):
    path = tmp_path / "code-ran"
    yield path
    assert not path.exists(), "a vector file ran code"


@pytest.mark.parametrize(("name", "compress"), NAMES)
def test_pickle_under_a_vector_file_name_is_refused(tmp_path, marker, name, compress):
    path = _malicious(tmp_path / name, marker, compress=compress)
    with pytest.raises(ValueError, match=r"is a pickle .* was not loaded") as info:
        load_word_vectors(path)
    assert "format='native'" in str(info.value)
    with pytest.raises(ValueError, match="was not loaded"):
        load_word_vectors(str(path))


@pytest.mark.parametrize("fmt", ["word2vec-text", "word2vec-binary", "glove"])
def test_pickle_is_refused_whatever_text_format_is_asked(tmp_path, marker, fmt):
    path = _malicious(tmp_path / "vectors.txt", marker)
    with pytest.raises(ValueError, match="was not loaded"):
        load_word_vectors(path, format=fmt)


@pytest.mark.parametrize("protocol", [0, 2, 5])
def test_any_pickle_protocol_never_runs(tmp_path, marker, protocol):
    # protocols 0-1 are ASCII: read as text, they fail as text, never unpickled
    path = _malicious(tmp_path / "glove.6B.50d.txt", marker, protocol=protocol)
    with pytest.raises(ValueError, match="was not loaded|Could not read"):
        load_word_vectors(path)


@pytest.mark.parametrize(("name", "compress"), NAMES)
def test_pickle_refused_at_fit_as_embeddings(tmp_path, marker, review_ids, name, compress):
    ids, y, _ = review_ids
    path = _malicious(tmp_path / name, marker, compress=compress)
    for embeddings in (str(path), path, PretrainedEmbeddings(str(path)),
                       PretrainedEmbeddings(path, oov="zeros", limit=10)):
        clf = LSTMSentimentClassifier(embeddings=embeddings, **FAST)
        with pytest.raises(ValueError, match="was not loaded"):
            clf.fit(ids, y)
        assert not hasattr(clf, "net_")


def test_native_format_loads_when_named_or_asked(glove, tmp_path):
    from gensim.models import KeyedVectors

    small = KeyedVectors(vector_size=50)
    small.add_vectors(glove.index_to_key[:100], glove.vectors[:100])
    for name in ("v.kv", "v.model", "v.wordvectors"):
        # a name is chosen by whoever made the file: it is not consent
        small.save(str(tmp_path / name))
        with pytest.raises(ValueError, match="format='native'"):
            load_word_vectors(tmp_path / name)
        with pytest.raises(ValueError, match="format='native'"):
            PretrainedEmbeddings(str(tmp_path / name)).build_matrix(["<pad>", "<unk>"])
        loaded = load_word_vectors(tmp_path / name, format="native")
        assert loaded.index_to_key == small.index_to_key
    small.save(str(tmp_path / "trusted.bin"))  # a pickle under another name ...
    with pytest.raises(ValueError, match="was not loaded"):
        load_word_vectors(tmp_path / "trusted.bin")
    loaded = load_word_vectors(tmp_path / "trusted.bin", format="native")  # ... when asked
    assert loaded.index_to_key == small.index_to_key
    emb = PretrainedEmbeddings(str(tmp_path / "trusted.bin"), format="native")
    matrix, _ = emb.build_matrix(["<pad>", "<unk>", "the"])
    assert matrix.shape == (3, 50)


# --------------------------------------------------------------------------- #
# the gensim-data catalogue's paths stay in its folder (issue 31)
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("file_name", ["/etc/hostname", "../../outside.txt", "..",
                                       "sub/../../outside.txt"])
def test_a_catalogue_path_outside_its_folder_is_refused(offline, tmp_path, file_name):
    import json

    data_dir = offline["data_dir"]
    data_dir.mkdir(parents=True, exist_ok=True)
    (tmp_path / "outside.txt").write_text("2 2\na 1 2\nb 3 4\n")
    (data_dir / "information.json").write_text(json.dumps(
        {"models": {"my-vectors": {"file_name": file_name}}, "corpora": {}}))
    (data_dir / "my-vectors").mkdir()
    with pytest.raises(ValueError, match=r"not a plain file name inside its folder"):
        load_word_vectors("my-vectors")


def test_a_catalogue_file_that_links_out_of_its_folder_is_refused(offline, tmp_path):
    data_dir = offline["data_dir"]
    name = "glove-wiki-gigaword-50"
    (data_dir / name).mkdir(parents=True)
    (tmp_path / "outside.txt").write_text("2 2\na 1 2\nb 3 4\n")
    (data_dir / name / f"{name}.gz").symlink_to(tmp_path / "outside.txt")
    with pytest.raises(ValueError, match=r"outside the catalogue's folder"):
        load_word_vectors(name)


def test_a_catalogue_name_that_is_a_path_is_refused(offline):
    with pytest.raises(ValueError):
        load_word_vectors("..")
