"""Helpers of the main job's tests: a tiny run's options, a small CSV of
synthetic reviews, and the files a run writes."""

import csv
import json

import numpy as np

from ..conftest import make_reviews

#: Options of a run that takes seconds: tiny models, few documents.
TINY_RUN = ["--n-train", "300", "--epochs", "2", "--maxlen", "80",
            "--embedding-dim", "8", "--hidden-size", "8", "--quiet"]


def read_outputs(out):
    """``(settings, rows)`` of a run's comparison.json."""
    saved = json.loads((out / "comparison.json").read_text())
    return saved["settings"], saved["results"]


def write_csv(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        if header:
            writer.writerow(header)
        writer.writerows(rows)


def small_csv(tmp_path, n=200, seed=50, three=False):
    """``data.csv`` in ``tmp_path``: ``n`` synthetic reviews, two classes
    (three with ``three=True``)."""
    X, y = make_reviews(n, seed=seed)
    if three:
        y = np.where(np.arange(n) % 3 == 0, "mixed", y)
    path = tmp_path / "data.csv"
    write_csv(path, ["text", "label"], list(zip(X, y, strict=True)))
    return path
