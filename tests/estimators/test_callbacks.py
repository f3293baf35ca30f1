"""scikit-learn's callback API: task trees through GridSearchCV and Pipeline, epochs."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

from sklearn_rnn import LSTMSentimentClassifier, TextVectorizer

from ..conftest import FAST

callback = pytest.importorskip("sklearn.callback", reason="scikit-learn < 1.9")


class Recorder:
    """An auto-propagated callback that records every task it sees."""

    max_propagation_depth = None

    def __init__(self, stop_at_epoch=None):
        self.events = []
        self.stop_at_epoch = stop_at_epoch

    def setup(self, estimator, context):
        self.events.append(("setup", type(estimator).__name__))

    def teardown(self, estimator, context):
        self.events.append(("teardown", type(estimator).__name__))

    def on_fit_task_begin(self, estimator, context):
        self.events.append(("begin", _path(context)))

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
        self.events.append(("end", _path(context)))
        if context.task_name == "epoch" and fitted_estimator is not None:
            self.last_epoch_model = fitted_estimator
        return self.stop_at_epoch is not None and context.task_name == "epoch" and \
            context.task_id + 1 >= self.stop_at_epoch


def _path(context):
    from sklearn.callback._callback_context import get_context_path

    return tuple(f"{c.estimator_name}:{c.task_name}" for c in get_context_path(context))


def test_task_tree_of_a_grid_search_over_a_pipeline(reviews):
    X, y = reviews
    recorder = Recorder()
    pipe = make_pipeline(TextVectorizer(), LSTMSentimentClassifier(**FAST))
    search = GridSearchCV(pipe, {"lstmsentimentclassifier__hidden_size": [4, 8]}, cv=2)
    search.set_callbacks(recorder).fit(X, y)
    ends = [path for kind, path in recorder.events if kind == "end"]
    epochs = [p for p in ends if p[-1] == "LSTMSentimentClassifier:epoch"]
    # 2 candidates x 2 folds + the refit, FAST's epochs each
    assert len(epochs) == 5 * FAST["max_epochs"]
    one = epochs[0]
    assert one[0].startswith("GridSearchCV:") and "LSTMSentimentClassifier:fit" in one
    vectorizer = [p for p in ends if p[-1] == "TextVectorizer:fit"]
    assert len(vectorizer) == 5
    assert recorder.events[0] == ("setup", "GridSearchCV")
    assert recorder.events[-1] == ("teardown", "GridSearchCV")


def test_epochs_are_subtasks_with_a_fitted_model(review_ids):
    X, y, _ = review_ids
    recorder = Recorder()
    clf = LSTMSentimentClassifier(**{**FAST, "max_epochs": 3}).set_callbacks(recorder)
    clf.fit(X, y)
    ends = [path for kind, path in recorder.events if kind == "end"]
    assert ends == [("LSTMSentimentClassifier:fit", "LSTMSentimentClassifier:epoch")] * 3 + [
        ("LSTMSentimentClassifier:fit",)]
    # the epoch's model predicts, as if fit had stopped there
    assert recorder.last_epoch_model.predict_proba(X).shape == (len(X), 2)


def test_a_callback_can_stop_training(review_ids):
    X, y, _ = review_ids
    clf = LSTMSentimentClassifier(**{**FAST, "max_epochs": 10})
    clf.set_callbacks(Recorder(stop_at_epoch=2)).fit(X, y)
    assert len(clf.history_) == 2


def test_scoring_monitor_records_each_epoch(review_ids):
    X, y, _ = review_ids
    monitor = callback.ScoringMonitor(scoring="accuracy")
    clf = LSTMSentimentClassifier(**{**FAST, "max_epochs": 3}).set_callbacks(monitor)
    clf.fit(X, y)
    rows = monitor.get_logs().data
    epochs = [r for r in rows if r["task_name"] == "epoch"]
    assert len(epochs) == 3
    assert all(0 <= r["accuracy"] <= 1 for r in epochs)
    # the last epoch's score is the fitted model's
    assert epochs[-1]["accuracy"] == pytest.approx(clf.score(X, y))


def test_callbacks_do_not_change_results(review_ids):
    X, y, _ = review_ids
    params = dict(**{**FAST, "max_epochs": 3}, dropout=0.2)
    plain = LSTMSentimentClassifier(**params).fit(X, y).predict_proba(X)
    watched = LSTMSentimentClassifier(**params).set_callbacks(
        callback.ScoringMonitor(scoring="accuracy"), Recorder())
    np.testing.assert_array_equal(watched.fit(X, y).predict_proba(X), plain)


def test_clone_keeps_callbacks_and_pickles_leave_them_out(review_ids):
    X, y, _ = review_ids
    recorder = Recorder()
    clf = LSTMSentimentClassifier(**FAST).set_callbacks(recorder)
    assert clone(clf)._skl_callbacks[0] is recorder  # as scikit-learn's own estimators
    clf.fit(X, y)
    restored = pickle.loads(pickle.dumps(clf))
    assert not hasattr(restored, "_skl_callbacks")
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))
    vec = TextVectorizer().set_callbacks(recorder).fit(["a b", "c"])
    assert not hasattr(pickle.loads(pickle.dumps(vec)), "_skl_callbacks")


def test_progress_bar_shows_the_nested_tasks(reviews, capsys):
    pytest.importorskip("rich", reason="ProgressBar needs rich")
    X, y = reviews
    pipe = make_pipeline(TextVectorizer(), LSTMSentimentClassifier(**FAST))
    search = GridSearchCV(pipe, {"lstmsentimentclassifier__hidden_size": [4, 8]}, cv=2)
    search.set_callbacks(callback.ProgressBar()).fit(X, y)
    assert search.best_params_


def test_without_sklearn_callback_everything_still_works(run_python):
    code = (
        "import sklearn.callback, sklearn.pipeline, skorch  # what needs it is loaded\n"
        "del sklearn.callback.CallbackSupportMixin, sklearn.callback.with_callbacks\n"
        "# from here on, importing them fails as on scikit-learn < 1.9\n"
        "from sklearn_rnn import LSTMSentimentClassifier, TextVectorizer\n"
        "X = TextVectorizer().fit_transform(['a good film', 'a bad film'] * 20)\n"
        "clf = LSTMSentimentClassifier(hidden_size=4, max_epochs=1).fit(X, [1, 0] * 20)\n"
        "print(clf.predict(X[:2]).shape)\n"
        "try:\n"
        "    clf.set_callbacks(object())\n"
        "except ImportError as exc:\n"
        "    print(exc)\n"
    )
    result = run_python("-c", code)
    shape, message = result.stdout.strip().splitlines()
    assert shape == "(2,)"
    assert "needs scikit-learn >= 1.9" in message


class _KeepEpochs(Recorder):
    """Keeps the model given for every epoch."""

    def __init__(self):
        super().__init__()
        self.models = []

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
        if context.task_name == "epoch":
            self.models.append(fitted_estimator)


def test_each_kept_epoch_model_predicts_as_that_epoch(review_ids):
    X, y, _ = review_ids
    keeper = _KeepEpochs()
    clf = LSTMSentimentClassifier(**{**FAST, "max_epochs": 3}).set_callbacks(keeper).fit(X, y)
    probas = [model.predict_proba(X) for model in keeper.models]
    assert len(probas) == 3
    assert not np.allclose(probas[0], probas[2])  # not all the final model
    np.testing.assert_array_equal(probas[2], clf.predict_proba(X))
    one_epoch = LSTMSentimentClassifier(**{**FAST, "max_epochs": 1}).fit(X, y)
    np.testing.assert_array_equal(probas[0], one_epoch.predict_proba(X))
