"""``--learning-curve``: the strongest linear row and the best recurrent row at growing numbers
of labelled documents, on the same test documents.

It answers the question the comparison raises: is it worth labelling more,
or do n-grams stay ahead at the sizes within reach? The sizes are nested
stratified subsets of the training documents (each contains the smaller
ones); the crossing size is interpolated on a log scale.
"""

import json
import time

import numpy as np

from ..evaluation import plot_learning_curve
from ._models import BLENDS, DISTILLED, combined_model, distilled_model, unlabelled_marker
from ._progress import said_warnings, with_progress
from ._settings import LINEAR

__all__ = ["learning_curve", "curve_sizes", "LearningCurve", "default_sizes", "crossing"]


def default_sizes(n):
    """Doubling sizes up to ``n``: n/8, n/4, n/2, n (from 50 documents)."""
    sizes = sorted({max(50, n // 8), max(50, n // 4), max(50, n // 2), n})
    return [s for s in sizes if s <= n]


def crossing(sizes, first, second):
    """Where ``second`` overtakes ``first`` (two accuracy curves at ``sizes``):
    ``(kind, size)`` with kind 'cross' (interpolated size), 'always' (ahead at
    every size) or 'never' (behind or level at every size)."""
    diff = np.asarray(second) - np.asarray(first)
    if (diff > 0).all():
        return "always", sizes[0]
    if (diff <= 0).all():
        return "never", sizes[-1]
    for i in range(len(diff) - 1):
        if diff[i] <= 0 < diff[i + 1]:
            a, b = np.log(sizes[i]), np.log(sizes[i + 1])
            t = -diff[i] / (diff[i + 1] - diff[i])
            return "cross", int(round(np.exp(a + t * (b - a))))
    return "mixed", None


class LearningCurve:
    """The measured curves and what they say."""

    def __init__(self, sizes, curves, names, data_name):
        self.sizes = sizes
        self.curves = curves
        self.names = names
        kind, size = crossing(sizes, curves[names[0]]["accuracy"], curves[names[1]]["accuracy"])
        tfidf, rnn = names
        if kind == "cross":
            self.verdict = (f"Learning curve: {rnn} overtakes {tfidf} at about {size:,} "
                            f"labelled documents of {data_name}: beyond that, labelling more "
                            "favours the recurrent model.")
        elif kind == "always":
            self.verdict = (f"Learning curve: {rnn} is ahead of {tfidf} at every size tried, "
                            f"from {size:,} labelled documents.")
        elif kind == "never":
            self.verdict = (f"Learning curve: {tfidf} stays ahead of {rnn} up to {size:,} "
                            f"labelled documents: they do not cross within this data. "
                            "Stay with n-grams, or bring in more knowledge (--vectors).")
        else:
            self.verdict = (f"Learning curve: {rnn} and {tfidf} take turns ahead: no clear "
                            "crossing within this data.")
        self.kind, self.size = kind, size

    def to_json(self):
        return json.dumps({"sizes": self.sizes, "curves": self.curves,
                           "crossing": {"kind": self.kind, "size": self.size},
                           "verdict": self.verdict}, indent=2)

    def figure(self, title):
        return plot_learning_curve(self.sizes, self.curves, title=f"{title} (learning curve)")


def _nested_subsets(y, sizes, seed):
    """Indices of nested stratified subsets of ``y`` of each size."""
    rng = np.random.default_rng(seed)
    # each class's documents in a random order, ranked by their share of the
    # class: sorting by rank interleaves the classes in proportion, so every
    # prefix is stratified
    ranks = np.empty(len(y))
    for c in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == c))
        ranks[members] = (np.arange(len(members)) + rng.random()) / len(members)
    by_rank = np.argsort(ranks, kind="stable")
    return {size: np.sort(by_rank[:size]) for size in sizes}


def _distilled_factories(run, factories, reporter):
    """Factories of the distilled rows for the curve: at each size the
    teacher (the combined row, unfitted) is fitted on the labelled subset,
    then its student on the subset and the unlabelled documents."""
    made = {}
    for key, (teacher_key, student_key) in DISTILLED.items():
        members = BLENDS.get(teacher_key, ())
        if key not in run.results or not all(m in factories for m in (*members, student_key)):
            continue

        def make(key=key, members=members, student_key=student_key):
            teacher = combined_model([(m, factories[m]()) for m in members], run.settings)
            student = with_progress(factories[student_key](), reporter, f"[curve] {key}")
            return distilled_model(teacher, student, run.settings,
                                   unlabelled_marker(run.data.y_train)).set_params(
                teacher=teacher)  # fitted at each size, not frozen
        made[key] = make
    return made


def curve_sizes(settings, data):
    """The ``--learning-curve`` sizes for ``data``, checked before any model
    trains (a ValueError names the sizes possible)."""
    y = np.asarray(data.y_train)
    asked = settings.learning_curve_sizes
    sizes = default_sizes(len(y)) if asked is None else asked
    smallest = 2 * len(np.unique(y))
    too_large = [s for s in sizes if s > len(y)]
    if too_large or min(sizes) < smallest:
        raise ValueError(f"--learning-curve sizes must be from {smallest:,} to {len(y):,} "
                         f"documents (the training documents), got {settings.learning_curve}.")
    return sizes


def learning_curve(run, factories, sizes, reporter):
    """Fit the strongest linear row and the best recurrent row at growing
    ``sizes``; return a :class:`LearningCurve` (None, said, when either
    could not be trained)."""
    say = reporter.say

    factories = {**factories, **_distilled_factories(run, factories, reporter)}

    def best(results):
        return max((r for r in results if r.contender and r.key in factories),
                   key=lambda r: r.accuracy, default=None)

    linear = best(run.results[k] for k in LINEAR if k in run.results)
    recurrent = best(r for r in run.results.values() if r.recurrent)
    if linear is None or recurrent is None:
        say("\nNo learning curve: it needs a linear row (tfidf, nbsvm) and a recurrent row, "
            "and one of them could not be trained.")
        return None
    data = run.data
    y = np.asarray(data.y_train)
    subsets = _nested_subsets(y, sizes, run.settings.seed)
    X = np.asarray(data.X_train, dtype=object)
    curves = {}
    say(f"\n== Learning curve: {linear.name} and {recurrent.name} at "
        f"{', '.join(f'{s:,}' for s in sizes)} labelled documents")
    for result in (linear, recurrent):
        curve = {"accuracy": [], "fit_seconds": []}
        for size in sizes:
            index = subsets[size]
            model = with_progress(factories[result.key](), reporter,
                                  f"[curve] {result.name} at {size:,}")
            X_fit, y_fit = list(X[index]), y[index]
            if result.key in DISTILLED:  # the labelled subset and every unlabelled document
                marker = model.unlabelled_label
                X_fit += list(data.unlabelled)
                y_fit = np.asarray([*y_fit, *[marker] * len(data.unlabelled)],
                                   dtype=y.dtype if y.dtype.kind in "iuf" else object)
            start = time.perf_counter()
            with said_warnings(say):
                model.fit(X_fit, y_fit)
            seconds = time.perf_counter() - start
            score = float(np.mean(np.asarray(model.predict(data.X_test)) == data.y_test))
            curve["accuracy"].append(score)
            curve["fit_seconds"].append(seconds)
            say(f"   {result.name} at {size:,} documents: {100 * score:.1f}% ({seconds:.1f} s)")
        curves[result.name] = curve
    return LearningCurve(sizes, curves, [linear.name, recurrent.name], data.name)
