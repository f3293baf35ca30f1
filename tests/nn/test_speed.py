"""The fast paths: the default Adam's step (fused, foreach, single-tensor)
and ``precision`` (bf16/fp16 autocast with float32 weights)."""

import pickle

import numpy as np
import pytest
import torch

from sklearn_rnn import GRUSentimentClassifier, LSTMSentimentClassifier
from sklearn_rnn._nn import _speed

from ..conftest import FAST


@pytest.fixture(scope="module")
def tokens():
    """Synthetic token ids: the label is whether token 3 or token 4 occurs."""
    rng = np.random.default_rng(0)
    X = rng.integers(5, 60, size=(240, 24))
    y = rng.integers(2, size=240)
    X[np.arange(240), rng.integers(24, size=240)] = np.where(y == 1, 3, 4)
    return X, y


@pytest.fixture(autouse=True)
def _fresh_checks():
    _speed._step_works.cache_clear()
    yield
    _speed._step_works.cache_clear()


def _step(clf):
    defaults = clf.net_.optimizer_.defaults
    return ("fused" if defaults.get("fused") else "foreach" if defaults.get("foreach")
            else "single")


def test_default_adam_is_fused_where_supported(tokens):
    X, y = tokens
    clf = LSTMSentimentClassifier(**FAST).fit(X, y)
    expected = "fused" if _speed.fused_adam_supported("cpu") else "foreach"
    assert _step(clf) == expected
    assert clf.score(X, y) > 0.6


def test_fused_falls_back_to_foreach_then_single_tensor(tokens, monkeypatch):
    X, y = tokens
    real = torch.optim.Adam

    def adam(params, *args, fused=None, foreach=None, **kwargs):
        if fused:
            raise RuntimeError("fused=True requires all the params to be ... supported")
        if foreach and refuse_foreach:
            raise RuntimeError("foreach not supported")
        return real(params, *args, fused=fused, foreach=foreach, **kwargs)

    refuse_foreach = False
    monkeypatch.setattr(torch.optim, "Adam", adam)
    assert not _speed.fused_adam_supported("cpu")
    assert _speed.optimizer_defaults(real, "cpu", {}) == {"foreach": True}
    refuse_foreach = True
    _speed._step_works.cache_clear()
    assert _speed.optimizer_defaults(real, "cpu", {}) == {}
    monkeypatch.undo()
    _speed._step_works.cache_clear()
    # the fit itself: the check fails, the net is built with foreach
    monkeypatch.setattr(_speed, "fused_adam_supported", lambda device: False)
    clf = LSTMSentimentClassifier(**FAST).fit(X, y)
    assert _step(clf) == "foreach"


def test_user_optimizer_choices_are_respected(tokens):
    X, y = tokens
    clf = LSTMSentimentClassifier(**FAST, optimizer__foreach=False).fit(X, y)
    assert _step(clf) == "single"
    assert clf.net_.optimizer_.defaults["fused"] in (None, False)
    clf = LSTMSentimentClassifier(**FAST, optimizer__fused=False).fit(X, y)
    assert clf.net_.optimizer_.defaults["fused"] is False
    clf = LSTMSentimentClassifier(**FAST, optimizer=torch.optim.SGD).fit(X, y)
    assert isinstance(clf.net_.optimizer_, torch.optim.SGD)
    assert "fused" not in clf.get_params() and "optimizer__fused" not in clf.get_params()
    assert _speed.optimizer_defaults(torch.optim.SGD, "cpu", {}) == {}


def test_fused_and_single_tensor_adam_train_the_same_model(tokens):
    X, y = tokens
    single = LSTMSentimentClassifier(**FAST, optimizer__foreach=False).fit(X, y)
    fused = LSTMSentimentClassifier(**FAST).fit(X, y)
    np.testing.assert_allclose(fused.predict_proba(X), single.predict_proba(X), atol=1e-4)


def test_float32_never_enters_autocast(tokens, monkeypatch):
    X, y = tokens

    def refuse(*args, **kwargs):
        raise AssertionError("autocast entered with precision='float32'")

    monkeypatch.setattr(torch, "autocast", refuse)
    clf = LSTMSentimentClassifier(**FAST, precision="float32").fit(X, y)
    assert clf.precision_ == "float32"
    assert clf.predict_proba(X).dtype == np.float64


@pytest.mark.parametrize("cls", [LSTMSentimentClassifier, GRUSentimentClassifier])
def test_bf16_trains_with_float32_weights_and_outputs(tokens, cls):
    X, y = tokens
    clf = cls(**FAST, precision="bf16").fit(X, y)
    assert clf.precision_ == "bf16"
    assert all(p.dtype == torch.float32 for p in clf.net_.module_.parameters())
    proba = clf.predict_proba(X)
    assert proba.dtype == np.float64
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert clf.score(X, y) > 0.6
    # the same weights predicting in float32: close
    exact = clf.set_params(precision="float32").predict_proba(X)
    assert not np.array_equal(exact, proba)
    np.testing.assert_allclose(exact, proba, atol=1e-2)


def test_auto_trains_in_bf16_and_predicts_exactly_in_float32(tokens, monkeypatch):
    X, y = tokens
    monkeypatch.setattr(_speed, "cpu_has_native_bf16", lambda: True)
    monkeypatch.setattr(_speed, "AUTO_BF16_ON_CPU", True)
    clf = LSTMSentimentClassifier(**FAST).fit(X, y)
    assert clf.precision_ == "bf16"
    proba = clf.predict_proba(X)
    np.testing.assert_array_equal(clf.set_params(precision="float32").predict_proba(X),
                                  proba)
    fast = clf.set_params(precision="bf16").predict_proba(X)
    assert not np.array_equal(fast, proba)
    np.testing.assert_allclose(fast, proba, atol=1e-2)


def test_bf16_runs_the_forward_pass_under_autocast(tokens, monkeypatch):
    X, y = tokens
    seen = []
    real = torch.autocast

    def spy(device_type, dtype=None, enabled=True, **kwargs):
        if enabled:  # the head turns it off: float32 logits
            seen.append((device_type, dtype))
        return real(device_type, dtype=dtype, enabled=enabled, **kwargs)

    monkeypatch.setattr(torch, "autocast", spy)
    clf = LSTMSentimentClassifier(**FAST, precision="bf16").fit(X, y)
    n_fit = len(seen)
    assert n_fit > 0 and set(seen) == {("cpu", torch.bfloat16)}
    clf.predict(X)
    assert len(seen) > n_fit


def test_auto_is_float32_on_a_cpu_without_bf16(tokens, monkeypatch):
    X, y = tokens
    monkeypatch.setattr(_speed, "cpu_has_native_bf16", lambda: False)
    monkeypatch.setattr(_speed, "AUTO_BF16_ON_CPU", True)
    assert _speed.resolve_precision("auto", "cpu") == "float32"
    clf = LSTMSentimentClassifier(**FAST).fit(X, y)
    assert clf.precision == "auto" and clf.precision_ == "float32"
    monkeypatch.setattr(_speed, "cpu_has_native_bf16", lambda: True)
    assert _speed.resolve_precision("auto", "cpu") == "bf16"
    assert _speed.resolve_precision("auto", "cpu", "gru") == "float32"
    assert GRUSentimentClassifier(**FAST).fit(X, y).precision_ == "float32"
    monkeypatch.setattr(_speed, "AUTO_BF16_ON_CPU", False)
    assert _speed.resolve_precision("auto", "cpu") == "float32"


def test_cpu_bf16_flag_is_read_from_cpuinfo(monkeypatch, tmp_path):
    import builtins

    real_open = builtins.open
    for flags, expected in (("fpu avx2 avx512f", False), ("fpu avx512f avx512_bf16", True),
                            ("fpu amx_tile amx_bf16", True)):
        info = tmp_path / "cpuinfo"
        info.write_text(f"processor\t: 0\nflags\t\t: {flags}\n")
        monkeypatch.setattr(builtins, "open", lambda path, *a, _i=info, **k: real_open(
            _i if path == "/proc/cpuinfo" else path, *a, **k))
        _speed.cpu_has_native_bf16.cache_clear()
        assert _speed.cpu_has_native_bf16() is expected
    monkeypatch.undo()
    _speed.cpu_has_native_bf16.cache_clear()


def test_fp16_on_cpu_raises_a_clear_error(tokens):
    X, y = tokens
    with pytest.raises(ValueError, match="precision='fp16' needs a CUDA device"):
        LSTMSentimentClassifier(**FAST, precision="fp16", device="cpu").fit(X, y)
    with pytest.raises(ValueError, match="precision"):
        LSTMSentimentClassifier(**FAST, precision="half").fit(X, y)


def test_pickle_and_skops_keep_precision(tokens, tmp_path):
    X, y = tokens
    clf = LSTMSentimentClassifier(**FAST, precision="bf16").fit(X, y)
    expected = clf.predict_proba(X)
    loaded = pickle.loads(pickle.dumps(clf))
    assert loaded.precision == loaded.precision_ == loaded.net_.precision == "bf16"
    np.testing.assert_array_equal(loaded.predict_proba(X), expected)
    sio = pytest.importorskip("skops.io")
    from sklearn_rnn.persistence import load_skops

    path = tmp_path / "model.skops"
    sio.dump(clf, path)
    loaded = load_skops(path)
    assert loaded.precision_ == "bf16"
    np.testing.assert_array_equal(loaded.predict_proba(X), expected)


def test_models_saved_before_precision_load_as_float32(tokens):
    X, y = tokens
    clf = LSTMSentimentClassifier(**FAST, precision="float32").fit(X, y)
    state = clf.__getstate__()
    del state["precision"], state["precision_"]
    old = LSTMSentimentClassifier.__new__(LSTMSentimentClassifier)
    old.__setstate__(state)
    assert old.precision == "auto" and old.precision_ == "float32"
    np.testing.assert_array_equal(old.predict_proba(X), clf.predict_proba(X))


def test_warm_start_keeps_the_step_and_the_precision(tokens):
    X, y = tokens
    clf = LSTMSentimentClassifier(**FAST, precision="bf16", warm_start=True).fit(X, y)
    step = _step(clf)
    loaded = pickle.loads(pickle.dumps(clf))
    loaded.fit(X, y)
    assert loaded.precision_ == "bf16" and _step(loaded) == step
    assert len(loaded.history_) == 2 * FAST["max_epochs"]


def test_grad_scaler_path_trains_like_the_plain_step(tokens, monkeypatch):
    """The float16 path's mechanics (scaled backward, unscale before
    clipping, scaler.step/update), run with a CPU GradScaler: no CUDA here."""
    from sklearn_rnn._nn import _net

    X, y = tokens
    plain = LSTMSentimentClassifier(**FAST, precision="float32").fit(X, y)
    monkeypatch.setattr(_net, "needs_grad_scaler", lambda precision, device: True)
    scaled = LSTMSentimentClassifier(**FAST, precision="float32").fit(X, y)
    assert isinstance(scaled.net_.grad_scaler_, torch.amp.GradScaler)
    assert scaled.net_.grad_scaler_.get_scale() > 1
    # scaling by a power of two and back is exact: the same training
    np.testing.assert_allclose(scaled.predict_proba(X), plain.predict_proba(X), atol=1e-5)
