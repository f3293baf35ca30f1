"""A comparison returns one result per row, looked up by ``--models`` key: the
fitted model, its test probabilities and predictions, its table row."""

import io

import numpy as np

from sklearn_rnn import HoldoutStackingClassifier
from sklearn_rnn._compare._run import compare
from sklearn_rnn._compare._settings import CompareSettings

from .conftest import small_csv


def test_compare_returns_a_run_with_one_result_per_row(tmp_path):
    data = small_csv(tmp_path)
    settings = CompareSettings(data=(str(data),), out=str(tmp_path / "out"), n_train=150,
                               epochs=1, maxlen=40, embedding_dim=8, hidden_size=8,
                               no_plots=True, quiet=True, vectors="none")
    run = compare(settings, stdout=io.StringIO())
    assert list(run.results) == ["rnn", "lstm", "transfer", "tfidf", "nbsvm", "combined",
                                 "majority"]
    y_test = np.asarray(run.data.y_test)
    for key in ("rnn", "lstm", "transfer", "tfidf", "nbsvm", "combined"):
        result = run.results[key]
        assert result.key == key and result.name == run.names[key]
        assert result.proba.shape == (len(y_test), 2)
        np.testing.assert_array_equal(result.pred,
                                      result.model.classes_[result.proba.argmax(1)])
        assert result.accuracy == np.mean(result.pred == y_test)
        assert result.row in run.rows and not result.baseline
    # the combined row is a real, fitted estimator over the two fitted rows
    combined = run.results["combined"].model
    assert isinstance(combined, HoldoutStackingClassifier)
    assert combined.estimators_[0] is run.results["nbsvm"].model
    assert combined.estimators_[1] is run.results["transfer"].model
    np.testing.assert_allclose(combined.predict_proba(run.data.X_test),
                               run.results["combined"].proba)
    assert run.majority.baseline and run.majority.key == "majority"
    recurrent = [run.results[k] for k in ("rnn", "lstm", "transfer")]
    assert run.best_recurrent() is max(recurrent, key=lambda r: r.accuracy)
    assert [r.key for r in run.contenders()] == ["rnn", "lstm", "transfer", "tfidf", "nbsvm",
                                                 "combined"]


def test_the_best_recurrent_row_is_the_most_accurate(tmp_path):
    data = small_csv(tmp_path)
    settings = CompareSettings(data=(str(data),), out=str(tmp_path / "out"), n_train=150,
                               epochs=2, maxlen=40, embedding_dim=8, hidden_size=8,
                               no_plots=True, quiet=True, models=("rnn", "lstm", "tfidf"))
    run = compare(settings, stdout=io.StringIO())
    best = max((run.results[k] for k in ("rnn", "lstm")), key=lambda r: r.accuracy)
    assert run.best_recurrent() is best


def test_the_ngram_rows_start_from_nb_ratios_unless_the_classes_are_uneven():
    from sklearn_rnn._compare._models import ngram_init_for

    assert ngram_init_for(["a"] * 60 + ["b"] * 40) == "nb"
    assert ngram_init_for(["a"] * 300 + ["b"] * 100 + ["c"] * 100) == "nb"
    assert ngram_init_for(["a"] * 301 + ["b"] * 100) == "zeros"
