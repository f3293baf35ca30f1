"""Saving and loading: pickle, joblib, skops; plain data only; old files."""

import pickle
from pathlib import Path

import joblib
import numpy as np
import pytest
import torch
from skorch.exceptions import DeviceWarning

from sklearn_rnn import LSTMSentimentClassifier

from ..conftest import FAST, make_reviews

DOCS, _ = make_reviews(100, seed=9)


def test_pickle_and_joblib_roundtrip(fitted_pipeline, tmp_path):
    X_test = DOCS
    expected = fitted_pipeline.predict_proba(X_test[:100])
    restored = pickle.loads(pickle.dumps(fitted_pipeline))
    np.testing.assert_array_equal(restored.predict_proba(X_test[:100]), expected)
    joblib.dump(fitted_pipeline, tmp_path / "model.joblib")
    restored = joblib.load(tmp_path / "model.joblib")
    np.testing.assert_array_equal(restored.predict_proba(X_test[:100]), expected)


def test_cuda_trained_model_loads_on_cpu(fitted_pipeline):
    # What a model pickled on a GPU machine looks like: skorch records the
    # CUDA device. On a machine without CUDA it must map to the CPU.
    if torch.cuda.is_available():
        pytest.skip("needs a machine without CUDA")
    X_test = DOCS
    model = pickle.loads(pickle.dumps(fitted_pipeline))
    model[-1].net_.device = "cuda"
    model[-1].device_ = "cuda"
    buffer = pickle.dumps(model)
    with pytest.warns(DeviceWarning, match="cuda"):
        restored = pickle.loads(buffer)
    assert restored[-1].device_ == "cpu"
    np.testing.assert_array_equal(
        restored.predict_proba(X_test[:50]), fitted_pipeline.predict_proba(X_test[:50])
    )


def test_skorch_save_and_load_params(fitted_pipeline, tmp_path):
    X_test = DOCS
    clf = fitted_pipeline[-1]
    ids = fitted_pipeline[0].transform(X_test[:50])
    clf.net_.save_params(f_params=tmp_path / "params.pt")
    other = pickle.loads(pickle.dumps(clf))
    with torch.no_grad():
        for p in other.net_.module_.parameters():
            p.zero_()
    assert not np.allclose(other.predict_proba(ids), clf.predict_proba(ids))
    other.net_.load_params(f_params=tmp_path / "params.pt")
    np.testing.assert_array_equal(other.predict_proba(ids), clf.predict_proba(ids))



def test_pickle_holds_no_torch_objects_or_training_data(review_ids):
    X, y, _ = review_ids
    clf = LSTMSentimentClassifier(early_stopping=True, **FAST).fit(X, y)
    state = clf.__getstate__()
    assert "net_" not in state and "net_" in vars(clf)  # the live model is untouched

    def walk(value):
        if isinstance(value, dict):
            for v in value.values():
                yield from walk(v)
        elif isinstance(value, (list, tuple)):
            for v in value:
                yield from walk(v)
        else:
            yield value

    kinds = {type(v).__module__.split(".")[0] for v in walk(state["net_state_"])}
    assert kinds <= {"builtins", "numpy"}
    # the validation split (training data) is not saved with the model
    blob = pickle.dumps(clf)
    assert b"SequenceDataset" not in blob
    # no tensors or modules: the only torch name is the optimizer class parameter
    assert b"torch._utils" not in blob and b"torch.nn" not in blob
    assert b"torch.optim.adam" in blob
    restored = pickle.loads(blob)
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))
    assert len(restored.history_) == len(clf.history_)
    assert restored.history_[-1, "valid_loss"] == clf.history_[-1, "valid_loss"]


def test_restored_model_continues_training_with_warm_start(review_ids):
    X, y, _ = review_ids
    clf = LSTMSentimentClassifier(warm_start=True, **FAST).fit(X, y)
    restored = pickle.loads(pickle.dumps(clf))
    restored.fit(X, y)
    clf.fit(X, y)  # the same continuation without the round trip
    np.testing.assert_allclose(restored.predict_proba(X), clf.predict_proba(X), atol=1e-6)
    assert len(restored.history_) == 2 * FAST["max_epochs"]


def test_skops_round_trip_with_documented_trusted_types(fitted_pipeline, tmp_path):
    sio = pytest.importorskip("skops.io")
    from sklearn_rnn.persistence import SKOPS_TRUSTED_TYPES, load_skops

    X_test = DOCS
    path = tmp_path / "model.skops"
    sio.dump(fitted_pipeline, path)
    untrusted = sio.get_untrusted_types(file=path)
    assert set(untrusted) <= set(SKOPS_TRUSTED_TYPES)
    with pytest.raises(Exception, match="[Uu]ntrusted"):
        sio.load(path)  # skops refuses until the types are trusted
    loaded = sio.load(path, trusted=SKOPS_TRUSTED_TYPES)
    expected = fitted_pipeline.predict_proba(X_test[:200])
    np.testing.assert_array_equal(loaded.predict_proba(X_test[:200]), expected)
    np.testing.assert_array_equal(load_skops(path).predict_proba(X_test[:200]), expected)


def test_load_skops_names_unexpected_types(review_ids, tmp_path):
    sio = pytest.importorskip("skops.io")
    from skorch.callbacks import EpochTimer

    from sklearn_rnn.persistence import load_skops

    X, y, _ = review_ids
    clf = LSTMSentimentClassifier(callbacks=[("timer2", EpochTimer())], **FAST).fit(X, y)
    path = tmp_path / "model.skops"
    sio.dump(clf, path)
    with pytest.raises(TypeError, match="skorch.callbacks.logging.EpochTimer"):
        load_skops(path)
    loaded = load_skops(path, trusted=["skorch.callbacks.logging.EpochTimer"])
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))


def test_model_saved_by_sklearn_rnn_0_1_loads_and_predicts_the_same():
    # written by sklearn_rnn 0.1.0 (saved-model format 1) before the classifier
    # was split into modules
    path = Path(__file__).parents[1] / "data" / "pipeline_sklearn_rnn_0.1.pkl"
    with open(path, "rb") as f:
        saved = pickle.load(f)
    assert saved["version"] == "0.1.0"
    np.testing.assert_allclose(saved["model"].predict_proba(saved["docs"]), saved["proba"],
                               atol=1e-12)
    assert saved["model"][-1].n_vocab_ == len(saved["model"][0].vocabulary_)


# --------------------------------------------------------------------------- #
# skops files from strangers: sizes checked before anything is inflated
# --------------------------------------------------------------------------- #
@pytest.fixture(scope="module")
def small_skops(tmp_path_factory):
    sio = pytest.importorskip("skops.io")
    from sklearn.pipeline import make_pipeline

    from sklearn_rnn import TextVectorizer

    X, y = make_reviews(80, seed=12)
    pipe = make_pipeline(TextVectorizer(), LSTMSentimentClassifier(
        **FAST, ngram_buckets=2**10)).fit(X, y)
    path = tmp_path_factory.mktemp("skops") / "model.skops"
    sio.dump(pipe, path)
    return path, pipe


def _schema_and_entries(path):
    import json
    import zipfile

    with zipfile.ZipFile(path) as z:
        schema = json.loads(z.read("schema.json"))
        entries = {name: z.read(name) for name in z.namelist() if name != "schema.json"}
    return schema, entries


def _classifier_node(schema):
    return schema["content"]["content"]["steps"]["content"][1]["content"][1]["content"]["content"]


def _write(path, schema, entries, big=None):
    """A skops archive of ``schema`` and ``entries``; ``big=(name, header, n)``
    adds an entry of ``header`` and ``n`` zero bytes, deflated (a few MB on
    disk for a GB entry): written with a compressor that repeats one
    precomputed block, so the test does not spend seconds compressing."""
    import json
    import zipfile
    import zlib

    with zipfile.ZipFile(path, "w") as z:
        z.writestr("schema.json", json.dumps(schema))
        for name, data in entries.items():
            z.writestr(name, data)
        if big is not None:
            name, header, n = big
            chunk = 2**24
            compressor = zlib.compressobj(1, zlib.DEFLATED, -15)
            block = compressor.compress(bytes(chunk)) + compressor.flush(zlib.Z_FULL_FLUSH)

            class Deflate:  # byte-aligned deflate blocks, one precomputed for the zeros
                def compress(self, data):
                    if len(data) == chunk:
                        return block
                    compressor = zlib.compressobj(1, zlib.DEFLATED, -15)
                    return compressor.compress(data) + compressor.flush(zlib.Z_FULL_FLUSH)

                def flush(self):
                    return b"\x03\x00"  # the final, empty block

            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            with z.open(info, "w", force_zip64=True) as f:
                f._compressor = Deflate()
                f.write(header)
                zeros = bytes(chunk)
                for _ in range(n // chunk):
                    f.write(zeros)
    return path


def _npy_header(shape, dtype="<f4"):
    import io

    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buffer, {"descr": dtype, "fortran_order": False, "shape": shape})
    return buffer.getvalue()


class _ReadCounter:
    """Counts the bytes read from zip entries (what inflating costs)."""

    def __init__(self, monkeypatch):
        import zipfile

        self.total = 0
        read = zipfile.ZipExtFile.read

        def counting(f, n=-1):
            data = read(f, n)
            self.total += len(data)
            return data

        monkeypatch.setattr(zipfile.ZipExtFile, "read", counting)


def test_an_entry_inflating_to_gigabytes_is_refused_before_inflating(small_skops, tmp_path,
                                                                     monkeypatch):
    from sklearn_rnn.persistence import load_skops

    path, _ = small_skops
    schema, entries = _schema_and_entries(path)
    table = _classifier_node(schema)["net_state_"]["content"]["module"]["content"][
        "ngram.table.weight"]["file"]
    rows = 197_132_288  # x 2 classes x 4 bytes: 1.5 GiB of zeros
    header = _npy_header((rows, 2))
    del entries[table]
    bomb = _write(tmp_path / "bomb.skops", schema, entries,
                  big=(table, header, rows * 2 * 4))
    assert bomb.stat().st_size < 20 * 2**20  # a few MB on disk
    counter = _ReadCounter(monkeypatch)
    with pytest.raises(ValueError, match=r"'ngram.table.weight' has shape \(197132288, 2\) "
                                         r"in the file, but its parameters make \(1024, 2\)"):
        load_skops(bomb)
    assert counter.total < 2**20  # the table of contents, the schema, the headers


def test_an_archive_above_max_bytes_is_refused(small_skops):
    from sklearn_rnn.persistence import load_skops

    path, pipe = small_skops
    with pytest.raises(ValueError, match=r"inflates to [\d,]+ bytes, above max_bytes=1,000"):
        load_skops(path, max_bytes=1000)
    np.testing.assert_array_equal(load_skops(path).predict_proba(DOCS[:5]),
                                  pipe.predict_proba(DOCS[:5]))


def test_an_entry_larger_than_its_header_is_refused(small_skops, tmp_path):
    from sklearn_rnn.persistence import load_skops

    path, _ = small_skops
    schema, entries = _schema_and_entries(path)
    name = _classifier_node(schema)["classes_"]["file"]
    entries[name] = _npy_header((2,), "<U8") + bytes(10**6)
    with pytest.raises(ValueError, match=r"inflates to 1,000,\d+ bytes, but its header "
                                         r"declares shape \(2,\)"):
        load_skops(_write(tmp_path / "padded.skops", schema, entries))


def test_classes_that_disagree_with_the_network_are_refused(small_skops, tmp_path):
    import io

    from sklearn_rnn.persistence import load_skops

    path, _ = small_skops
    schema, entries = _schema_and_entries(path)
    name = _classifier_node(schema)["classes_"]["file"]
    buffer = io.BytesIO()
    np.save(buffer, np.array(["a", "b", "c"]))
    entries[name] = buffer.getvalue()
    with pytest.raises(ValueError, match=r"3 labels in classes_ but its network has 2 outputs"):
        load_skops(_write(tmp_path / "classes.skops", schema, entries))


def test_weights_of_other_shapes_than_the_parameters_make_are_refused(small_skops, tmp_path):
    import json

    from sklearn_rnn.persistence import load_skops

    path, _ = small_skops
    schema, entries = _schema_and_entries(path)
    _classifier_node(schema)["hidden_size"]["content"] = json.dumps(10**6)
    with pytest.raises(ValueError, match=r"weight 'classifier.weight' has shape \(2, 8\) in the "
                                         r"file, but its parameters make \(2, 1000000\)"):
        load_skops(_write(tmp_path / "hidden.skops", schema, entries))


@pytest.mark.parametrize("change, match", [
    (dict(maxlen_=2**29), r"maxlen_=536,870,912, above the 100,000 tokens"),
    (dict(maxlen=10**6, maxlen_=10**6), r"maxlen_=1,000,000, above the 100,000 tokens"),
    (dict(maxlen_=5000), r"maxlen_=5,000, but the longest training document it records"),
    (dict(maxlen=50, maxlen_=60), r"maxlen_=60 but maxlen=50"),
    (dict(token_pattern=r"(a)(b)"), r"2 capturing groups"),
])
def test_a_vectorizer_that_would_cost_gigabytes_per_prediction_is_refused_at_load(
        small_skops, tmp_path, change, match):
    sio = pytest.importorskip("skops.io")
    from sklearn.base import clone

    from sklearn_rnn.persistence import load_skops

    _, pipe = small_skops
    edited = clone(pipe)
    edited.steps = [(name, pickle.loads(pickle.dumps(step))) for name, step in pipe.steps]
    for key, value in change.items():
        setattr(edited[0], key, value)
    sio.dump(edited, tmp_path / "edited.skops")
    with pytest.raises(ValueError, match=match):
        load_skops(tmp_path / "edited.skops", trusted_token_patterns=[r"(a)(b)"])


def test_a_vocabulary_larger_than_the_embedding_table_is_refused(small_skops, tmp_path):
    sio = pytest.importorskip("skops.io")
    from sklearn_rnn.persistence import load_skops

    _, pipe = small_skops
    edited = pickle.loads(pickle.dumps(pipe))
    vec = edited[0]
    vec.vocabulary_ = {**vec.vocabulary_, "zzz": len(vec.vocabulary_)}
    vec._tokens = tuple(vec.vocabulary_)
    sio.dump(edited, tmp_path / "vocab.skops")
    with pytest.raises(ValueError, match=r"tokens but the LSTMSentimentClassifier after it has "
                                         r"n_vocab_="):
        load_skops(tmp_path / "vocab.skops")


def test_a_many_class_model_with_a_plain_ngram_table_still_loads(review_ids, monkeypatch):
    # before the factorised table, 'auto' gave many classes a plain table of
    # 2**23 // C rows: such files load with their table as saved
    from sklearn_rnn._nn import _layout

    X, y, _ = review_ids
    y12 = np.arange(len(y)) % 12
    with monkeypatch.context() as patch:  # the rule of then
        patch.setattr(_layout, "ngram_layout", lambda buckets, n_classes: (2**23 // n_classes,
                                                                            None))
        old = LSTMSentimentClassifier(**FAST).fit(X, y12)
        blob = pickle.dumps(old)
    assert old.net_.module_.ngram.table.weight.shape == (699_050, 12)
    restored = pickle.loads(blob)
    assert restored.net_.module_.ngram.proj is None
    np.testing.assert_array_equal(restored.predict_proba(X), old.predict_proba(X))
    assert LSTMSentimentClassifier(**FAST).fit(X, y12).net_.module_.ngram.proj is not None


def test_an_auto_table_larger_than_any_version_made_is_refused_before_inflating(
        small_skops, tmp_path, monkeypatch):
    # a consistent file: ngram_buckets='auto' and a table of 2**20 x 360
    # floats (1.5 GB inflated, a few MB on disk). No version gave 'auto' more
    # than max(2**16, 2**23 // 360) rows of 360 columns: refused from the
    # headers, nothing inflated
    from sklearn_rnn.persistence import load_skops

    path, _ = small_skops
    schema, entries = _schema_and_entries(path)
    node = _classifier_node(schema)
    node["ngram_buckets"] = {**node["ngram_buckets"], "__class__": "str", "content": '"auto"'}
    table = node["net_state_"]["content"]["module"]["content"]["ngram.table.weight"]["file"]
    del entries[table]
    rows, columns = 2**20, 360
    big = _write(tmp_path / "auto_table.skops", schema, entries,
                 big=(table, _npy_header((rows, columns)), rows * columns * 4))
    assert big.stat().st_size < 20 * 2**20
    counter = _ReadCounter(monkeypatch)
    with pytest.raises(ValueError, match=r"'ngram.table.weight' has shape \(1048576, 360\)"):
        load_skops(big)
    assert counter.total < 2**20


def test_zip_size_fields_that_lie_are_caught_without_inflating_the_entry(
        small_skops, tmp_path, monkeypatch):
    # the table's entry holds its header and 64 MB of zeros, and the zip's
    # size fields (local header and central directory) are patched to the
    # size the header declares: every size check agrees, but a reader
    # trusting them would inflate the whole entry in one call
    import struct

    from sklearn_rnn.persistence import load_skops

    path, _ = small_skops
    schema, entries = _schema_and_entries(path)
    table = _classifier_node(schema)["net_state_"]["content"]["module"]["content"][
        "ngram.table.weight"]["file"]
    declared = len(entries[table])
    entries[table] = entries[table] + bytes(64 * 2**20)
    lying = _write(tmp_path / "lying.skops", schema, entries)
    data = bytearray(lying.read_bytes())
    name = table.encode()
    at = data.find(b"PK\x01\x02")
    while at != -1:  # central directory records
        if data[at + 46:at + 46 + struct.unpack("<H", data[at + 28:at + 30])[0]] == name:
            data[at + 24:at + 28] = struct.pack("<I", declared)
            local = struct.unpack("<I", data[at + 42:at + 46])[0]
            data[local + 22:local + 26] = struct.pack("<I", declared)
        at = data.find(b"PK\x01\x02", at + 4)
    lying.write_bytes(bytes(data))
    counter = _ReadCounter(monkeypatch)
    with pytest.raises(ValueError, match=f"entry '{table}' does not inflate to the "
                                         f"{declared:,} bytes its zip headers declare"):
        load_skops(lying)
    assert counter.total < 4 * 2**20


def test_an_archive_inflating_far_beyond_its_size_is_refused_before_inflating(
        small_skops, tmp_path, monkeypatch):
    from sklearn_rnn.persistence import MAX_INFLATION, load_skops

    path, pipe = small_skops
    schema, entries = _schema_and_entries(path)
    # an entry nothing refers to: 256 MiB of zeros in about 250 kB
    bomb = _write(tmp_path / "inflates.skops", schema, entries,
                  big=("extra.npy", _npy_header((2**26,)), 2**28))
    assert bomb.stat().st_size < 2**20 * 2
    counter = _ReadCounter(monkeypatch)
    with pytest.raises(ValueError, match=rf"times more; .* at most {MAX_INFLATION} to 1 .* "
                                         r"pass max_bytes="):
        load_skops(bomb)
    assert counter.total < 2**20  # refused from the table of contents
    assert load_skops(path) is not None  # the file as skops wrote it loads
