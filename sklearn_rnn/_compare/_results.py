"""What a comparison produced: one :class:`Result` per row, held by a
:class:`Run` with the settings and the data, looked up by ``--models`` key.

The terminal report, the figures, the learning curve and ``report.html`` are
all written from a :class:`Run`; nothing predicts the test documents again.
"""

import time
from dataclasses import dataclass, field

import numpy as np

__all__ = ["Result", "Run", "is_recurrent", "recurrent_pipeline", "uses_recurrent"]

#: A model whose test accuracy is within this of always predicting the most
#: frequent class, or that predicts one class for this share of the test
#: documents, is called out as near chance.
NEAR_CHANCE_MARGIN, ONE_CLASS_SHARE = 0.02, 0.95


def is_recurrent(model):
    """Whether ``model`` is a pipeline ending in a trained recurrent network."""
    return hasattr(model, "steps") and hasattr(model[-1], "history_")


def recurrent_pipeline(model):
    """The recurrent pipeline that makes ``model``'s predictions: the model
    itself, or a distilled model's student; None for anything else."""
    if is_recurrent(model):
        return model
    student = getattr(model, "student_", None)
    return student if is_recurrent(student) else None


def uses_recurrent(model):
    """Whether a recurrent network takes part in ``model``'s predictions (a
    stack that passes one linear member through does not)."""
    if recurrent_pipeline(model) is not None:
        return True
    if getattr(model, "alone_", None) is not None:
        return uses_recurrent(model.estimators_[model.alone_])
    members = getattr(model, "estimators_", None)
    if members is not None:
        return any(uses_recurrent(getattr(m, "estimator", m)) for m in members)
    return False


@dataclass
class Result:
    """One row of the comparison.

    Attributes
    ----------
    key : str
        The ``--models`` key (``'majority'`` for the baseline).
    name : str
        The row's name in the table.
    row : dict
        The table row: the scores of :func:`sklearn_rnn.evaluation.evaluate_model`,
        or ``{'model': name, 'error': ...}`` when the model failed.
    model : estimator or None
        The fitted model (None when it failed).
    proba : ndarray of shape (n_test, n_classes) or None
        Its probabilities for the test documents (predicted once).
    pred : ndarray of shape (n_test,) or None
        Its predictions for the test documents.
    baseline : bool
        The majority-class baseline: shown in the table, not a contender.
    """

    key: str
    name: str
    row: dict
    model: object = None
    proba: np.ndarray = None
    pred: np.ndarray = None
    baseline: bool = False

    @property
    def error(self):
        return self.row.get("error")

    @property
    def accuracy(self):
        return self.row.get("accuracy")

    @property
    def recurrent(self):
        """A recurrent pipeline makes its predictions (a plain or distilled row)."""
        return recurrent_pipeline(self.model) is not None

    @property
    def contender(self):
        """Scored, with a model and predictions: shown in the samples and figures."""
        return not self.baseline and self.model is not None and self.proba is not None


@dataclass
class Run:
    """A comparison: its settings, data and output folder, and one
    :class:`Result` per row in the table's order.

    Attributes
    ----------
    settings : CompareSettings
    data : ComparisonData
    folder : RunFolder
    vectors : Vectors or None
        The transfer row's vectors, when a row used them.
    names : dict
        ``--models`` key -> row name, for every row planned.
    results : dict
        ``--models`` key -> :class:`Result`, in the table's order.
    notes : list of str
        What the reader must know (near-chance rows, a transductive setting).
    saved : Saved or None
        The models kept in the run folder (``--save``), when saved.
    """

    settings: object
    data: object
    folder: object
    vectors: object = None
    names: dict = field(default_factory=dict)
    results: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)
    started: float = field(default_factory=time.perf_counter)
    saved: object = None

    @property
    def rows(self):
        """The table rows, in order."""
        return [result.row for result in self.results.values()]

    def add(self, result):
        """Record ``result`` and rewrite the tables at once (a run that stops
        later keeps the rows scored so far)."""
        self.results[result.key] = result
        self.folder.write_tables(self.rows, self.record())

    def contenders(self):
        """The results with a model and predictions, in order."""
        return [r for r in self.results.values() if r.contender]

    @property
    def majority(self):
        return next((r for r in self.results.values() if r.baseline), None)

    def best_recurrent(self):
        """The recurrent row the report explains and the learning curve
        follows: the most accurate row a recurrent pipeline predicts (the
        first of equals)."""
        recurrent = [r for r in self.contenders() if r.recurrent]
        return max(recurrent, key=lambda r: r.accuracy or 0, default=None)

    def near_chance(self, result):
        """Why ``result`` is barely better than the baseline, or None."""
        majority = self.majority
        if result.accuracy is None or result.pred is None or majority is None:
            return None
        values, counts = np.unique(result.pred, return_counts=True)
        top = counts.max() / counts.sum()
        if top >= ONE_CLASS_SHARE:
            return (f"{result.name} predicts {values[counts.argmax()]!r} for {100 * top:.0f}% "
                    "of the test documents: it has learnt little more than the majority "
                    "class.")
        if result.accuracy <= majority.accuracy + NEAR_CHANCE_MARGIN:
            return (f"{result.name} is within {100 * NEAR_CHANCE_MARGIN:.0f} points of always "
                    f"predicting the most frequent class ({100 * majority.accuracy:.1f}%).")
        return None

    def record(self):
        """The settings as written beside the table (``comparison.json``)."""
        settings, data = self.settings, self.data
        keep = ("models", "epochs", "maxlen", "max_features", "embedding_dim", "hidden_size",
                "batch_size", "lr", "device", "seed", "tokenizer", "vectors", "transductive",
                "unlabelled", "format", "header")
        record = {key: getattr(settings, key) for key in keep}
        record["models"] = list(settings.models)
        record.update(
            data=", ".join(map(str, settings.data)) if settings.data else data.name,
            dataset=data.name, test=data.test_note, n_train=len(data.X_train),
            n_test=len(data.X_test), text_column=data.text_column,
            label_column=data.label_column, labels=[str(label) for label in data.labels],
            details=data.details,
            transfer_vectors=self.vectors.description if self.vectors is not None else None,
            unlabelled_text=data.unlabelled_note, out=str(self.folder.path),
        )
        return record
