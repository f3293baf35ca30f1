"""What the main job shows once the models are scored: the terminal report,
explanations of sample and misclassified documents, the learning curve, the
figures and the one-page report (``report.html``).

Everything here reads the predictions each model made once; nothing predicts
the test documents again.
"""

import time

import numpy as np

__all__ = ["print_report", "write_outputs"]

#: Documents of each kind shown in the terminal.
N_SHOWN = 5


def _table_columns(rows, labels):
    columns = ["model", "accuracy", "misclassified_rate"]
    if len(labels) <= 10:
        columns += [f"accuracy_{label}" for label in labels]
    columns += ["macro_f1", "fit_seconds", "predict_seconds"]
    if any("error" in r for r in rows):
        columns.append("error")
    return [c for c in columns if any(c in r for r in rows)]


def _named(keys, names, mapping):
    return {names[k]: mapping[k] for k in keys if k in mapping}


def print_report(say, rows, fitted, names, probas, preds, data, args, notes,
                 classification_report, format_table, format_samples, prediction_samples):
    """The table, a classification report per model, sample and misclassified
    documents with every model's prediction and confidence, and notes."""
    say("\n== Comparison on the test documents\n")
    say(format_table(rows, _table_columns(rows, data.labels)))
    for key in preds:
        if key not in fitted:
            continue
        say(f"\n== Classification report: {names[key]}\n")
        say(classification_report(data.y_test, preds[key], labels=data.labels, digits=3,
                                  zero_division=0))
    keys = [k for k in probas if k in fitted]
    models, cached = _named(keys, names, fitted), _named(keys, names, probas)
    if not models:
        return
    say("== Sample documents (truth, then each model's prediction and confidence)\n")
    say(format_samples(prediction_samples(models, data.X_test, data.y_test, n=N_SHOWN,
                                          random_state=args.seed, probas=cached)))
    wrong = prediction_samples(models, data.X_test, data.y_test, n=N_SHOWN, misclassified=True,
                               random_state=args.seed, probas=cached)
    say(f"\n== Misclassified documents ({len(wrong)} shown)\n")
    say(format_samples(wrong) if wrong else "none: every model got every document right")
    for note in notes:
        say(f"\nNote: {note}")


def _highlight_key(rows, fitted, names):
    """The recurrent row whose explanations the report shows: the transfer row,
    else the most accurate recurrent row."""
    recurrent = [k for k, m in fitted.items() if hasattr(m, "steps")
                 and hasattr(m[-1], "history_")]
    if "transfer" in recurrent:
        return "transfer"
    accuracy = {r["model"]: r.get("accuracy") or 0 for r in rows}
    return max(recurrent, key=lambda k: accuracy.get(names[k], 0), default=None)


def _spans(model, texts):
    """Per text, ``[(start, end, weight), ...]`` toward the predicted class."""
    from .. import explain

    return [result.spans() for result in explain(model, texts)]


def _documents(rows, fitted, names, probas, data, args, say):
    """The report's documents: a sample, and every document the highlighted
    row got wrong (up to a limit), each with every model's prediction and the
    highlighted rows' word attributions."""
    keys = [k for k in probas if k in fitted]
    highlight = [k for k in (_highlight_key(rows, fitted, names), "tfidf") if k in fitted]
    y = np.asarray(data.y_test)
    rng = np.random.default_rng(args.seed)
    sample = np.sort(rng.permutation(len(y))[:N_SHOWN])
    predicted = {k: fitted[k].classes_[probas[k].argmax(axis=1)] for k in keys}
    anchor = highlight[0] if highlight else (keys[0] if keys else None)
    wrong = np.flatnonzero(predicted[anchor] != y) if anchor else np.array([], int)
    from ._run import MAX_REPORT_MISCLASSIFIED

    shown_wrong = wrong[:MAX_REPORT_MISCLASSIFIED]
    chosen = np.unique(np.concatenate([sample, shown_wrong])).astype(int)
    texts = [data.X_test[i] for i in chosen]
    spans = {}
    for key in highlight:
        start = time.perf_counter()
        try:
            found = _spans(fitted[key], texts)
        except (ImportError, ValueError, TypeError, RuntimeError) as exc:
            say(f"   no word highlights for {names[key]}: {exc}")
            continue
        spans[key] = dict(zip(chosen.tolist(), found, strict=True))
        seconds = time.perf_counter() - start
        say(f"   explained {len(texts):,} documents with {names[key]} in {seconds:.1f} s "
            f"({len(texts) / max(seconds, 1e-9):,.0f} documents/s)")
    documents = []
    for section, indices in (("Sample documents", sample),
                             (f"Misclassified documents ({names[anchor] if anchor else ''})",
                              shown_wrong)):
        for i in indices.tolist():
            documents.append({
                "section": section, "index": int(i), "text": data.X_test[i],
                "truth": y[i].item() if isinstance(y[i], np.generic) else y[i],
                "predictions": [{
                    "model": names[k],
                    "label": _plain(predicted[k][i]),
                    "confidence": float(probas[k][i].max()),
                    "correct": bool(predicted[k][i] == y[i]),
                    "spans": spans.get(k, {}).get(i),
                } for k in keys],
            })
    if len(wrong) > len(shown_wrong):
        say(f"   the report shows the first {len(shown_wrong):,} of {len(wrong):,} "
            "misclassified documents")
    return documents


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value


def _summary(rows, names, data):
    """The verdict at the top of the report and at the end of the run."""
    scored = [r for r in rows if r.get("accuracy") is not None
              and not r["model"].startswith("Majority")]
    if not scored:
        return "No model could be trained: see the errors in the table."
    best = max(scored, key=lambda r: r["accuracy"])
    tfidf = next((r for r in scored if r["model"] == names.get("tfidf")), None)
    text = (f"Best on {len(data.X_test):,} test documents of {data.name}: {best['model']}, "
            f"{100 * best['accuracy']:.1f}% accuracy")
    if tfidf is not None and best is not tfidf:
        diff = 100 * (best["accuracy"] - tfidf["accuracy"])
        text += f", {diff:+.1f} points against {tfidf['model']} ({100 * tfidf['accuracy']:.1f}%)"
    majority = next((r for r in rows if r["model"].startswith("Majority")), None)
    if majority is not None:
        text += ("; always predicting the most frequent class gives "
                 f"{100 * majority['accuracy']:.1f}%")
    return text + "."


def write_outputs(reporter, folder, rows, settings, fitted, names, probas, preds, data, args,
                  notes, factories, vectors, started):
    """Explanations, the learning curve, the figures and the report page."""
    say = reporter.say
    figures = []
    documents = []
    say("\n== Explaining the sample and misclassified documents")
    documents = _documents(rows, fitted, names, probas, data, args, say)
    curve = None
    if args.learning_curve:
        from ._curve import learning_curve

        curve = learning_curve(args, data, factories, rows, fitted, names, reporter)
        folder.write_text("learning_curve.json", curve.to_json())
        notes.append(curve.verdict)
        say(f"\n{curve.verdict}")
    if not args.no_plots:
        figures = _figures(folder, rows, fitted, names, preds, data, curve)
    folder.write_tables(rows, settings)
    from .._report import write_report

    summary = _summary(rows, names, data)
    columns = _table_columns(rows, data.labels)
    write_report(
        folder.path / "report.html",
        title=f"sklearn-rnn compare: {data.name}",
        summary=summary, settings=settings, columns=columns, rows=rows, figures=figures,
        documents=documents, notes=notes,
    )
    folder.written.append(folder.path / "report.html")
    say(f"\n{summary}")
    say(f"Wrote {folder.path / 'report.html'} (open it in a browser) and "
        f"{len(folder.written) - 1} more files in {folder.path}; "
        f"{time.perf_counter() - started:.0f} s in all.")


def _figures(folder, rows, fitted, names, preds, data, curve):
    import matplotlib

    matplotlib.use("Agg")
    from ..evaluation import plot_comparison, plot_confusion_matrix, plot_training_curves

    figures = []
    majority = next((r["accuracy"] for r in rows if r["model"].startswith("Majority")), None)
    title = (f"{data.name}: {len(data.X_train):,} training, {len(data.X_test):,} test "
             f"documents, {len(data.labels)} classes")
    scored = [r for r in rows if not r["model"].startswith("Majority")]
    figures.append(("The models side by side (dashed: always the most frequent class)",
                    folder.write_figure("comparison.png", plot_comparison(
                        scored, title=title, chance=majority))))
    if curve is not None:
        figures.append(("Learning curve", folder.write_figure("learning_curve.png",
                                                              curve.figure(title))))
    for key, model in fitted.items():
        name = names[key]
        slug = _slug(name)
        if hasattr(model, "steps") and hasattr(model[-1], "history_"):
            fig = plot_training_curves(model, title=f"{name} training curves")
            figures.append((f"{name}: training curves",
                            folder.write_figure(f"curves_{slug}.png", fig)))
    for key, pred in preds.items():
        if key not in fitted:
            continue
        name = names[key]
        fig = plot_confusion_matrix(None, None, data.y_test, y_pred=pred, labels=data.labels,
                                    title=name, normalize="true")
        figures.append((f"{name}: confusion matrix",
                        folder.write_figure(f"confusion_{_slug(name)}.png", fig)))
    return figures


def _slug(name):
    from ._run import _slug as slug

    return slug(name)
