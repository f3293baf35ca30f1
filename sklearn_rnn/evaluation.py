"""Compare fitted text classifiers: tables, sample predictions and plots.

The report every RNN-vs-LSTM tutorial builds by hand: accuracy,
misclassification rate and per-class accuracy per model, sample and
misclassified reviews with each model's confidence, training curves and
confusion matrices. Works with any fitted scikit-learn classifier or
pipeline (TF-IDF baselines included); plots need matplotlib.
"""

import re
import time

import numpy as np
from sklearn.metrics import accuracy_score, f1_score, recall_score

from ._utils._printable import printable

_HTML_TAG = re.compile(r"<[^<>]{0,200}>")

__all__ = [
    "evaluate_model",
    "format_table",
    "paired_comparison",
    "prediction_samples",
    "format_samples",
    "plot_training_curves",
    "plot_confusion_matrix",
    "plot_comparison",
    "plot_learning_curve",
]


def _labels_of(model):
    classes = getattr(model, "classes_", None)
    if classes is None and hasattr(model, "steps"):
        classes = getattr(model.steps[-1][1], "classes_", None)
    return classes


def evaluate_model(model, X, y, *, name=None, fit_seconds=None, y_pred=None,
                   predict_seconds=None, labels=None):
    """Score a fitted classifier on ``X, y``.

    Parameters
    ----------
    model : fitted classifier or pipeline
        Anything with ``predict`` (and ``classes_``).
    X : sequence of documents
    y : array-like of labels
    name : str, default=None
        Row label; the model's class name by default.
    fit_seconds : float, default=None
        Training time to report with the scores.
    y_pred : array-like, default=None
        The model's predictions for ``X`` when already computed (then
        ``model`` is not called, and ``predict_seconds`` is reported as given).
    predict_seconds : float, default=None
        With ``y_pred``: how long predicting took.
    labels : array-like, default=None
        The labels to report an accuracy for, in this order; the model's
        ``classes_`` by default.

    Returns
    -------
    row : dict
        ``model``, ``accuracy``, ``misclassified_rate``, ``macro_f1``,
        ``accuracy_<label>`` for each class (the recall of that class: the
        share of its documents predicted right), ``fit_seconds``,
        ``predict_seconds``, ``predict_docs_per_second``.

    Examples
    --------
    >>> from sklearn.dummy import DummyClassifier
    >>> model = DummyClassifier(strategy="constant", constant="pos").fit(
    ...     [[0]] * 4, ["pos", "neg", "pos", "neg"])
    >>> row = evaluate_model(model, [[0]] * 4, ["pos", "neg", "pos", "pos"])
    >>> row["accuracy"], row["accuracy_neg"], row["accuracy_pos"]
    (0.75, 0.0, 1.0)
    """
    y = np.asarray(y)
    if y_pred is None:
        start = time.perf_counter()
        pred = np.asarray(model.predict(X))
        predict_seconds = time.perf_counter() - start
    else:
        pred = np.asarray(y_pred)
    row = {
        "model": name or type(model).__name__,
        "accuracy": float(accuracy_score(y, pred)),
        "misclassified_rate": float(np.mean(pred != y)),
        "macro_f1": float(f1_score(y, pred, average="macro", zero_division=0)),
    }
    if labels is None:
        labels = _labels_of(model)
    labels = np.unique(y) if labels is None else np.asarray(labels)
    present = np.isin(labels, y)
    recalls = recall_score(y, pred, labels=labels, average=None, zero_division=0)
    for label, recall, seen in zip(labels, recalls, present, strict=True):
        row[f"accuracy_{label}"] = float(recall) if seen else None
    row["fit_seconds"] = None if fit_seconds is None else float(fit_seconds)
    row["predict_seconds"] = None if predict_seconds is None else float(predict_seconds)
    row["predict_docs_per_second"] = (float(len(y) / predict_seconds) if predict_seconds
                                      else None)
    return row


def paired_comparison(y, pred_a, pred_b, *, confidence=0.95, n_resamples=2000,
                      random_state=0):
    """Is the accuracy difference of two classifiers on the same documents real?

    Two tests on the documents where exactly one of them is right: McNemar's
    exact test (a two-sided binomial test on the discordant documents) and
    a bootstrap interval of the accuracy difference (the documents resampled
    with replacement, the same resample for both models).

    Parameters
    ----------
    y : array-like of shape (N,)
        The true labels.
    pred_a, pred_b : array-like of shape (N,)
        The two models' predictions for the same documents.
    confidence : float, default=0.95
        Of the interval; a difference is called real when the interval
        excludes 0 and McNemar's p-value is below ``1 - confidence``.
    n_resamples : int, default=2000
    random_state : int, default=0

    Returns
    -------
    result : dict
        ``difference`` (accuracy of a minus b), ``interval`` (low, high),
        ``p_value``, ``only_a``/``only_b`` (documents only a/only b got
        right) and ``real`` (bool).

    Examples
    --------
    >>> y = [0, 1] * 50
    >>> result = paired_comparison(y, y, [0] * 100)
    >>> result["difference"], result["real"]
    (0.5, True)
    >>> paired_comparison(y, y, y)["real"]
    False
    """
    from scipy.stats import binomtest

    y, pred_a, pred_b = np.asarray(y), np.asarray(pred_a), np.asarray(pred_b)
    right_a, right_b = pred_a == y, pred_b == y
    only_a = int(np.sum(right_a & ~right_b))
    only_b = int(np.sum(right_b & ~right_a))
    n = len(y)
    p_value = (1.0 if only_a + only_b == 0
               else float(binomtest(only_a, only_a + only_b, 0.5).pvalue))
    gain = right_a.astype(float) - right_b.astype(float)
    rng = np.random.default_rng(random_state)
    means = np.array([gain[rng.integers(0, n, n)].mean() for _ in range(n_resamples)]) \
        if n else np.zeros(1)
    tail = 100 * (1 - confidence) / 2
    low, high = np.percentile(means, [tail, 100 - tail])
    return {
        "difference": float(gain.mean()) if n else 0.0,
        "interval": (float(low), float(high)),
        "p_value": p_value,
        "only_a": only_a,
        "only_b": only_b,
        "real": bool(p_value < 1 - confidence and (low > 0 or high < 0)),
    }


def format_table(rows, columns=None):
    """Format result rows as a Markdown table.

    Parameters
    ----------
    rows : list of dict
        From :func:`evaluate_model`.
    columns : list of str, default=None
        Keys to show, in order; all keys of the first row by default. Rates and
        accuracies are shown as percentages, times with one decimal.

    Returns
    -------
    table : str
        Control and bidirectional characters in names and labels are written
        out as escapes (``\\x1b``, ``\\u202e``): the table is safe to print.
    """
    if not rows:
        return ""
    columns = columns or list(rows[0])

    def fmt(key, value):
        if value is None:
            return "-"
        if isinstance(value, float):
            if key.startswith(("accuracy", "misclassified", "macro_f1")):
                return f"{100 * value:.1f}%"
            if key.endswith("per_second"):
                return f"{value:,.0f}"
            return f"{value:.1f}"
        return printable(value)

    lines = ["| " + " | ".join(printable(c) for c in columns) + " |",
             "|" + "---|" * len(columns)]
    for row in rows:
        lines.append("| " + " | ".join(fmt(c, row.get(c)) for c in columns) + " |")
    return "\n".join(lines)


def prediction_samples(models, X, y, *, n=5, misclassified=False, random_state=0,
                       probas=None):
    """Pick documents and collect every model's prediction and confidence.

    Parameters
    ----------
    models : dict of str -> fitted classifier
        Models with ``predict_proba``.
    X : sequence of str
        Documents.
    y : array-like
        True labels.
    n : int, default=5
        Number of documents.
    misclassified : bool or str, default=False
        False: a random sample. True: documents that at least one model gets
        wrong. A model name: documents that this model gets wrong.
    random_state : int, default=0
    probas : dict of str -> ndarray of shape (N, C), default=None
        Each model's ``predict_proba(X)`` when already computed (its columns
        follow the model's ``classes_``): the models are then not called.

    Returns
    -------
    samples : list of dict
        ``index``, ``text``, ``truth`` and, per model, ``{name: (label,
        confidence)}`` under ``predictions``.
    """
    y = np.asarray(y)
    preds = {}
    for name, model in models.items():
        proba = np.asarray(probas[name] if probas is not None and name in probas
                           else model.predict_proba(X))
        labels = _labels_of(model)
        preds[name] = (labels[proba.argmax(axis=1)], proba.max(axis=1))
    if misclassified is True:
        wrong = np.zeros(len(y), dtype=bool)
        for label, _ in preds.values():
            wrong |= label != y
        candidates = np.flatnonzero(wrong)
    elif misclassified:
        if misclassified not in preds:
            raise ValueError(f"No model named {misclassified!r}; have {list(preds)}.")
        candidates = np.flatnonzero(preds[misclassified][0] != y)
    else:
        candidates = np.arange(len(y))
    rng = np.random.default_rng(random_state)
    chosen = np.sort(rng.permutation(candidates)[:n])
    return [
        {
            "index": int(i),
            "text": X[i],
            "truth": y[i],
            "predictions": {m: (p[0][i], float(p[1][i])) for m, p in preds.items()},
        }
        for i in chosen
    ]


def format_samples(samples, width=200):
    """Format :func:`prediction_samples` output for a terminal.

    Parameters
    ----------
    samples : list of dict
    width : int, default=200
        Characters of each document to show.

    Returns
    -------
    text : str
        Control and bidirectional characters of the documents and labels are
        written out as escapes (``\\x1b``, ``\\u202e``), never sent to the
        terminal: a document cannot clear the screen or write the clipboard.
    """
    out = []
    for s in samples:
        text = " ".join(_HTML_TAG.sub(" ", str(s["text"])).split())
        if len(text) > width:
            text = text[: width - 3] + "..."
        out.append(f"[{s['index']}] truth: {printable(s['truth'])}")
        for name, (label, conf) in s["predictions"].items():
            mark = "ok " if label == s["truth"] else "BAD"
            out.append(f"    {mark} {printable(name)}: {printable(label)} ({100 * conf:.1f}%)")
        out.append(f"    {printable(text, document=True)}")
    return "\n".join(out)


def _finish(fig, axes, title):
    """Grid and legend on each of ``axes``, the title, a tight layout."""
    for ax in axes:
        ax.grid(alpha=0.3)
        ax.legend(fontsize="small")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "Plotting needs matplotlib: pip install matplotlib (or sklearn-rnn[plot])."
        ) from exc
    return plt


def _history(model):
    if hasattr(model, "steps"):
        model = model.steps[-1][1]
    history = getattr(model, "history_", None)
    if history is None:
        history = getattr(model, "history", None)
    if history is None:
        raise ValueError("The model has no training history (history_).")
    return history


def _restored_epoch(model, history):
    """The epoch whose weights early stopping restored, or None."""
    clf = model.steps[-1][1] if hasattr(model, "steps") else model
    if not getattr(clf, "early_stopping_", False):
        return None
    try:
        scores = history[:, "valid_acc"]
    except KeyError:
        return None
    return int(history[int(np.argmax(scores)), "epoch"])


def plot_training_curves(model, *, title=None):
    """Plot loss and accuracy per epoch, training vs validation.

    Parameters
    ----------
    model : fitted classifier, pipeline or skorch History
        A recurrent classifier (or a pipeline ending in one).
    title : str, default=None

    Returns
    -------
    fig : matplotlib Figure
        Two panels: loss and accuracy. Validation curves appear when the
        model was trained with a validation split (``early_stopping`` or
        ``train_split``): documents held out of the training data, not the
        test set. With early stopping, a dashed line marks the epoch whose
        weights were restored.
    """
    plt = _pyplot()
    from matplotlib.ticker import MaxNLocator

    history = model if hasattr(model, "record_batch") else _history(model)
    restored = None if hasattr(model, "record_batch") else _restored_epoch(model, history)
    epochs = history[:, "epoch"]
    labels = {"train": "training", "valid": "validation (held out of the training data)"}
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 4))
    for ax, key, label in ((ax_loss, "loss", "loss"), (ax_acc, "acc", "accuracy")):
        for split in ("train", "valid"):
            try:
                values = history[:, f"{split}_{key}"]
            except KeyError:
                continue
            ax.plot(epochs, values, marker="o", label=labels[split])
        if restored is not None:
            ax.axvline(restored, color="grey", linestyle="--",
                       label=f"restored: epoch {restored}")
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel(label)
    return _finish(fig, (ax_loss, ax_acc), title)


def plot_confusion_matrix(model, X, y, *, title=None, normalize=None, y_pred=None,
                          labels=None):
    """Plot the confusion matrix of a fitted classifier on ``X, y``.

    Parameters
    ----------
    model : fitted classifier or pipeline
    X, y : documents and labels
    title : str, default=None
    normalize : {'true', 'pred', 'all'} or None, default=None
        As in :func:`sklearn.metrics.confusion_matrix`. Normalized matrices
        show rates on one colour scale from 0 to 1 (so figures of different
        models compare), with the counts in the title.
    y_pred : array-like, default=None
        The model's predictions for ``X`` when already computed.
    labels : array-like, default=None
        The labels in the order to show them; the model's ``classes_`` by
        default.

    Returns
    -------
    fig : matplotlib Figure
        Its size grows with the classes up to ``MAX_FIGURE_INCHES`` (14)
        inches a side. Up to ``MAX_ANNOTATED_CLASSES`` (20) classes each cell
        shows its value; up to ``MAX_LABELLED_CLASSES`` (60) the cells are
        colours under the class names; beyond, colours only (the classes in
        the order of ``labels``). Long
        names are cut to 24 characters, control characters escaped, ``$``
        shown as it is (never read as mathematics).
    """
    from sklearn.metrics import ConfusionMatrixDisplay, confusion_matrix

    plt = _pyplot()
    if labels is None:
        labels = _labels_of(model)
    if labels is None:
        labels = np.unique(y)
    labels = np.asarray(labels)
    n = len(labels)
    size = min(max(4.5, 0.6 * n + 2), MAX_FIGURE_INCHES)
    fig, ax = plt.subplots(figsize=(size + 0.5, size))
    matrix = confusion_matrix(y, model.predict(X) if y_pred is None else y_pred,
                              labels=labels, normalize=normalize)
    shown = [_tick_label(label) for label in labels] if n <= MAX_LABELLED_CLASSES else None
    kwargs = dict(values_format=".0%", im_kw={"vmin": 0.0, "vmax": 1.0}) if normalize else {}
    ConfusionMatrixDisplay(matrix, display_labels=shown).plot(
        ax=ax, colorbar=False, include_values=n <= MAX_ANNOTATED_CLASSES,
        xticks_rotation=45 if n > 4 else "horizontal", **kwargs)
    if shown is None:
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_xlabel(f"Predicted label ({n:,} classes in order)")
        ax.set_ylabel("True label")
    elif n > MAX_ANNOTATED_CLASSES:
        ax.tick_params(labelsize=max(4, 9 - n // 20))
    if title or normalize:
        what = {"true": "share of each true class", "pred": "share of each predicted class",
                "all": "share of all documents"}.get(normalize)
        title = _tick_label(title, 80) if title else title
        ax.set_title("\n".join(filter(None, [title, what and f"{what}, {len(y):,} documents"])))
    fig.tight_layout()
    return fig


#: A confusion matrix figure is at most this many inches a side (at 110 dpi,
#: 1,540 pixels): 300 classes make a figure of the same size as 20.
MAX_FIGURE_INCHES = 14
#: Up to this many classes, each cell of a confusion matrix shows its value.
MAX_ANNOTATED_CLASSES = 20
#: Up to this many classes, the class names stand along the axes.
MAX_LABELLED_CLASSES = 60


def _tick_label(label, width=24):
    """A label as a figure shows it: control characters escaped, ``$`` not
    read as mathematics, cut to ``width`` characters."""
    text = printable(label)
    if len(text) > width:
        text = text[: width - 1] + "…"
    return text.replace("$", r"\$")


def plot_comparison(rows, *, metrics=("accuracy", "macro_f1"), title=None, chance=None):
    """Bar chart of the models side by side, on an axis from 0 to 100%.

    Parameters
    ----------
    rows : list of dict
        From :func:`evaluate_model`, one per model (rows without a score, such
        as models that failed, are left out).
    metrics : sequence of str, default=('accuracy', 'macro_f1')
        Keys of the rows to show, as bars next to each other.
    title : str, default=None
        E.g. the data set and its sizes.
    chance : float, default=None
        Accuracy of always predicting the most frequent class: drawn as a
        line, so a model near it shows as learning nothing.

    Returns
    -------
    fig : matplotlib Figure
    """
    plt = _pyplot()
    rows = [r for r in rows if r.get(metrics[0]) is not None]
    names = [r["model"] for r in rows]
    fig, ax = plt.subplots(figsize=(max(6, 1.3 * len(rows) + 2), 4.8))
    width = 0.8 / len(metrics)
    x = np.arange(len(rows))
    for i, metric in enumerate(metrics):
        values = [100 * (r.get(metric) or 0) for r in rows]
        bars = ax.bar(x + (i - (len(metrics) - 1) / 2) * width, values, width,
                      label=metric.replace("_", " "))
        ax.bar_label(bars, fmt="%.1f", fontsize="small")
    if chance is not None:
        ax.axhline(100 * chance, color="black", linestyle="--", linewidth=1,
                   label=f"majority class ({100 * chance:.1f}%)")
    ax.set_ylim(0, 105)
    ax.set_xticks(x, names, rotation=20, ha="right")
    ax.set_ylabel("% on the test documents")
    if title:
        ax.set_title(title)
    ax.legend(loc="lower right", fontsize="small")
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    return fig


def plot_learning_curve(sizes, curves, *, title=None):
    """Accuracy and fit time against the number of labelled documents.

    Parameters
    ----------
    sizes : sequence of int
        Training documents at each point.
    curves : dict of str -> dict
        Per model, ``{"accuracy": [...], "fit_seconds": [...]}`` at ``sizes``.
    title : str, default=None

    Returns
    -------
    fig : matplotlib Figure
        Two panels: accuracy (%) and fit seconds, both against the size on a
        log scale.
    """
    plt = _pyplot()
    fig, (ax_acc, ax_time) = plt.subplots(1, 2, figsize=(11, 4.2))
    for name, curve in curves.items():
        ax_acc.plot(sizes, [100 * a for a in curve["accuracy"]], marker="o", label=name)
        ax_time.plot(sizes, curve["fit_seconds"], marker="o", label=name)
    for ax, label in ((ax_acc, "% accuracy on the test documents"), (ax_time, "fit seconds")):
        ax.set_xscale("log")
        ax.set_xticks(list(sizes), [f"{s:,}" for s in sizes])
        ax.minorticks_off()
        ax.set_xlabel("labelled training documents")
        ax.set_ylabel(label)
    return _finish(fig, (ax_acc, ax_time), title)
