"""What the main job shows once the models are scored: the terminal report,
explanations of sample and misclassified documents, the figures and the
one-page report (``report.html``).

Everything here reads a :class:`~sklearn_rnn._compare._results.Run`: the
predictions each model made once; nothing predicts the test documents again.
"""

import time
from pathlib import Path

import matplotlib
import numpy as np
from sklearn.metrics import classification_report

from .._explain import explain
from .._report import write_report
from ..evaluation import (
    format_samples,
    format_table,
    paired_comparison,
    plot_comparison,
    plot_confusion_matrix,
    plot_training_curves,
    prediction_samples,
)
from ._outputs import slug
from ._results import recurrent_pipeline, uses_recurrent
from ._save import report_section

__all__ = ["print_report", "write_outputs", "N_SHOWN", "MAX_REPORT_MISCLASSIFIED"]

#: Documents of each kind shown in the terminal.
N_SHOWN = 5
#: Misclassified documents shown (with highlights) in the report, at most.
MAX_REPORT_MISCLASSIFIED = 300


def _table_columns(rows, labels):
    columns = ["model", "accuracy", "misclassified_rate"]
    if len(labels) <= 10:
        columns += [f"accuracy_{label}" for label in labels]
    columns += ["macro_f1", "fit_seconds", "predict_seconds"]
    if any("error" in r for r in rows):
        columns.append("error")
    return [c for c in columns if any(c in r for r in rows)]


def print_report(run, say):
    """The table, a classification report per model, sample and misclassified
    documents with every model's prediction and confidence, and the notes."""
    data, seed = run.data, run.settings.seed
    say("\n== Comparison on the test documents\n")
    say(format_table(run.rows, _table_columns(run.rows, data.labels)))
    contenders = run.contenders()
    for result in contenders:
        say(f"\n== Classification report: {result.name}\n")
        say(classification_report(data.y_test, result.pred, labels=data.labels, digits=3,
                                  zero_division=0))
    if not contenders:
        return
    models = {r.name: r.model for r in contenders}
    cached = {r.name: r.proba for r in contenders}
    say("== Sample documents (truth, then each model's prediction and confidence)\n")
    say(format_samples(prediction_samples(models, data.X_test, data.y_test, n=N_SHOWN,
                                          random_state=seed, probas=cached)))
    wrong = prediction_samples(models, data.X_test, data.y_test, n=N_SHOWN, misclassified=True,
                               random_state=seed, probas=cached)
    say(f"\n== Misclassified documents ({len(wrong)} shown)\n")
    say(format_samples(wrong) if wrong else "none: every model got every document right")
    for note in run.notes:
        say(f"\nNote: {note}")


def _documents(run, say):
    """The report's documents: a sample, and every document the highlighted
    row got wrong (up to a limit), each with every model's prediction and the
    highlighted rows' word attributions."""
    data = run.data
    contenders = run.contenders()
    best = run.best_recurrent()
    highlight = [r for r in (best, run.results.get("tfidf")) if r is not None and r.contender]
    y = np.asarray(data.y_test)
    rng = np.random.default_rng(run.settings.seed)
    sample = np.sort(rng.permutation(len(y))[:N_SHOWN])
    anchor = highlight[0] if highlight else (contenders[0] if contenders else None)
    wrong = np.flatnonzero(anchor.pred != y) if anchor else np.array([], int)
    shown_wrong = wrong[:MAX_REPORT_MISCLASSIFIED]
    chosen = np.unique(np.concatenate([sample, shown_wrong])).astype(int)
    texts = [data.X_test[i] for i in chosen]
    spans = {}
    for result in highlight:
        start = time.perf_counter()
        try:
            found = [e.spans() for e in explain(recurrent_pipeline(result.model) or result.model,
                                                texts)]
        except (ImportError, ValueError, TypeError, RuntimeError) as exc:
            say(f"   no word highlights for {result.name}: {exc}")
            continue
        spans[result.key] = dict(zip(chosen.tolist(), found, strict=True))
        seconds = time.perf_counter() - start
        say(f"   explained {len(texts):,} documents with {result.name} in {seconds:.1f} s "
            f"({len(texts) / max(seconds, 1e-9):,.0f} documents/s)")
    documents = []
    for section, indices in (("Sample documents", sample),
                             (f"Misclassified documents ({anchor.name if anchor else ''})",
                              shown_wrong)):
        for i in indices.tolist():
            documents.append({
                "section": section, "index": int(i), "text": data.X_test[i],
                "truth": _plain(y[i]),
                "predictions": [{
                    "model": r.name,
                    "label": _plain(r.pred[i]),
                    "confidence": float(r.proba[i].max()),
                    "correct": bool(r.pred[i] == y[i]),
                    "spans": spans.get(r.key, {}).get(i),
                } for r in contenders],
            })
    if len(wrong) > len(shown_wrong):
        say(f"   the report shows the first {len(shown_wrong):,} of {len(wrong):,} "
            "misclassified documents")
    return documents


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value


#: The rows of linear models on n-grams: the bar a recurrent row must clear.
LINEAR_ROWS = ("tfidf", "nbsvm")


def _against(a, b, y):
    """``a``'s accuracy against ``b``'s on the same documents, said with
    whether the difference is real."""
    test = paired_comparison(y, a.pred, b.pred)
    low, high = (100 * v for v in test["interval"])
    p = test["p_value"]
    said = (f"{100 * test['difference']:+.1f} points against {b.name} "
            f"({100 * b.accuracy:.1f}%; 95% interval {low:+.1f} to {high:+.1f} points, "
            f"McNemar p = {p:.2g})")
    return said + (": a real difference" if test["real"] else
                   ": no real difference on these documents, a tie")


def summary(run):
    """The verdict at the top of the report and at the end of the run: the
    best row, its margin over the strongest linear row (or, when a linear
    row is best, the best row with a recurrent network in it) with a paired
    test on the test documents, and the majority-class baseline."""
    scored = [r for r in run.results.values() if r.accuracy is not None and not r.baseline
              and r.pred is not None]
    if not scored:
        return "No model could be trained: see the errors in the table."
    y = np.asarray(run.data.y_test)
    best = max(scored, key=lambda r: r.accuracy)
    text = (f"Best on {len(y):,} test documents of {run.data.name}: {best.name}, "
            f"{100 * best.accuracy:.1f}% accuracy")
    linear = [r for r in scored if r.key in LINEAR_ROWS]
    neural = [r for r in scored if uses_recurrent(r.model)]
    if best in linear:
        rival = max(neural, key=lambda r: r.accuracy, default=None)
        if rival is not None:
            text += (f"; the best row with a recurrent network: {rival.name} "
                     f"({100 * rival.accuracy:.1f}%), {_against(rival, best, y)}")
    elif linear:
        text += f", {_against(best, max(linear, key=lambda r: r.accuracy), y)}"
    majority = run.majority
    if majority is not None:
        text += ("; always predicting the most frequent class gives "
                 f"{100 * majority.accuracy:.1f}%")
    return text + "."


def write_outputs(run, reporter, curve=None):
    """Explanations, the figures, the tables and the report page."""
    say, folder, data = reporter.say, run.folder, run.data
    say("\n== Explaining the sample and misclassified documents")
    documents = _documents(run, say)
    figures = [] if run.settings.no_plots else _figures(run, curve)
    folder.write_tables(run.rows, run.record())
    verdict = summary(run)
    write_report(
        folder.path / "report.html",
        title=f"sklearn-rnn compare: {data.name}",
        summary=verdict, settings=_page_settings(run.record()),
        columns=_table_columns(run.rows, data.labels), rows=run.rows, figures=figures,
        documents=documents, notes=run.notes, saved=report_section(run.saved),
    )
    folder.written.append(folder.path / "report.html")
    say(f"\n{verdict}")
    say(f"Wrote {folder.path / 'report.html'} (open it in a browser) and "
        f"{len(folder.written) - 1} more files in {folder.path}; "
        f"{time.perf_counter() - run.started:.0f} s in all.")


def _page_settings(record):
    """The settings as the page shows them: files by their names, not the
    paths of the machine the run was on (the page is sent to others)."""
    shown = dict(record)
    for key in ("data", "out"):
        if shown.get(key):
            shown[key] = ", ".join(Path(p).name for p in str(shown[key]).split(", "))
    return shown


def _figures(run, curve):
    matplotlib.use("Agg")
    folder, data = run.folder, run.data
    figures = []
    majority = run.majority
    title = (f"{data.name}: {len(data.X_train):,} training, {len(data.X_test):,} test "
             f"documents, {len(data.labels)} classes")
    scored = [r.row for r in run.results.values() if not r.baseline]
    figures.append(("The models side by side (dashed: always the most frequent class)",
                    folder.write_figure("comparison.png", plot_comparison(
                        scored, title=title,
                        chance=majority.accuracy if majority is not None else None))))
    if curve is not None:
        figures.append(("Learning curve", folder.write_figure("learning_curve.png",
                                                              curve.figure(title))))
    contenders = run.contenders()
    for result in contenders:
        if result.recurrent:
            fig = plot_training_curves(recurrent_pipeline(result.model),
                                       title=f"{result.name} training curves")
            figures.append((f"{result.name}: training curves",
                            folder.write_figure(f"curves_{slug(result.name)}.png", fig)))
    for result in contenders:
        fig = plot_confusion_matrix(None, None, data.y_test, y_pred=result.pred,
                                    labels=data.labels, title=result.name, normalize="true")
        figures.append((f"{result.name}: confusion matrix",
                        folder.write_figure(f"confusion_{slug(result.name)}.png", fig)))
    return figures
