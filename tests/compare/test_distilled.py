"""The main job's distilled row: the transfer row's pipeline trained on the
combined row's probabilities for the training and the unlabelled documents."""

import numpy as np
import pytest

from sklearn_rnn._cli import main
from sklearn_rnn._compare._models import unlabelled_marker
from sklearn_rnn.persistence import load_skops

from ..conftest import make_reviews
from .conftest import TINY_RUN, read_outputs, write_csv


def _data(tmp_path, n_unlabelled=400):
    X, y = make_reviews(300, seed=44)
    write_csv(tmp_path / "data.csv", ["text", "label"], list(zip(X, y, strict=True)))
    more = tmp_path / "more.txt"
    more.write_text("\n".join(make_reviews(n_unlabelled, seed=45)[0]), encoding="utf-8")
    return tmp_path / "data.csv", more


def test_distilled_row_learns_from_the_combined_row_and_keeps_its_student(tmp_path, capsys):
    data, more = _data(tmp_path)
    out = tmp_path / "out"
    assert main(["compare", "--data", str(data), "--unlabelled", str(more), "--models",
                 "distilled", "--learning-curve", "100,240", "--out", str(out),
                 "--no-plots", *TINY_RUN[2:]]) == 0
    said = capsys.readouterr().out
    _, rows = read_outputs(out)
    names = [r["model"] for r in rows]
    # the rows it is built on are trained first, without being asked for
    assert names == ["LSTM + n-grams + word2vec (own text)", "NBSVM",
                     "NBSVM + LSTM transfer (combined)", "LSTM distilled from the combined row",
                     "Majority class (baseline)"]
    teacher, distilled = rows[2], rows[3]
    # the teacher's accuracy and speed beside the student's
    assert distilled["teacher"] == teacher["model"]
    assert distilled["teacher_accuracy"] == teacher["accuracy"]
    assert distilled["teacher_docs_per_second"] == teacher["predict_docs_per_second"]
    assert "240 training and 400 unlabelled documents" in distilled["combination"]
    assert f"{100 * teacher['accuracy']:.1f}%" in distilled["combination"]
    # the combined row's prediction time is that of the members it runs
    members = rows[0]["predict_seconds"], rows[1]["predict_seconds"]
    expected = members[1] if "NBSVM alone" in teacher["combination"] else sum(members)
    assert teacher["predict_seconds"] == pytest.approx(expected, abs=1e-6)
    # its fit time counts the teacher's
    assert distilled["fit_seconds"] > teacher["fit_seconds"]
    assert "LSTM distilled from the combined row at 240 documents" in said
    # the file holds the student alone: a pipeline that predicts as the row did
    student = load_skops(out / "models" / "distilled.skops")
    assert type(student).__name__ == "Pipeline"
    assert "teacher" in (out / "models" / "distilled.md").read_text().lower()


def test_distilled_row_without_unlabelled_text(tmp_path, capsys):
    data, _ = _data(tmp_path)
    out = tmp_path / "out"
    # asked for by name: refused before any model trains
    assert main(["compare", "--data", str(data), "--models", "distilled", "--out", str(out),
                 *TINY_RUN[2:]]) != 0
    captured = capsys.readouterr()
    assert "--models distilled learns from unlabelled documents" in captured.err
    assert not (out / "comparison.json").exists()
    # by default: left out, and said
    assert main(["compare", "--data", str(data), "--out", str(out), "--overwrite",
                 "--no-plots", "--no-save", *TINY_RUN[2:-1]]) == 0
    said = capsys.readouterr().out
    assert "no unlabelled text: the distilled row is left out" in said
    settings, rows = read_outputs(out)
    assert "distilled" in settings["models"]
    assert not any("distilled" in r["model"] for r in rows)


@pytest.mark.parametrize("y, marker", [
    (["neg", "pos"], "<unlabelled>"),
    (["<unlabelled>", "pos"], "<<unlabelled>>"),
    ([0, 1], -1),
    ([-1, 1], -2),
    ([-1.0, 0.5], -2),
])
def test_the_unlabelled_marker_is_no_class(y, marker):
    assert unlabelled_marker(np.asarray(y)) == marker
