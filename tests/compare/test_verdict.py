"""The verdict says whether a difference is real: a paired test on the same
test documents, a tie called a tie, the best recurrent row's margin when a
linear row wins, and what each combined row is made of."""

import html
import io

import numpy as np
import pytest

from sklearn_rnn._compare._run import compare
from sklearn_rnn._compare._settings import CompareSettings
from sklearn_rnn.evaluation import paired_comparison

from .conftest import read_outputs, small_csv


def test_paired_comparison_counts_the_documents_only_one_model_got_right():
    y = np.array([0, 1] * 50)
    a = y.copy()
    b = y.copy()
    b[:10] = 1 - b[:10]  # b wrong on 10 documents a gets right
    a[10:12] = 1 - a[10:12]  # a wrong on 2 documents b gets right
    result = paired_comparison(y, a, b)
    assert (result["only_a"], result["only_b"]) == (10, 2)
    assert result["difference"] == pytest.approx(0.08)
    low, high = result["interval"]
    assert low <= 0.08 <= high
    assert result["p_value"] == pytest.approx(0.0386, abs=1e-3)  # binomial, 12 trials


def test_a_difference_of_two_documents_in_five_thousand_is_a_tie():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 5000)
    a = np.where(rng.random(5000) < 0.85, y, 1 - y)
    b = np.where(rng.random(5000) < 0.85, y, 1 - y)
    result = paired_comparison(y, a, b)
    assert abs(result["difference"]) < 0.02
    assert not result["real"] and result["interval"][0] < 0 < result["interval"][1]
    big = paired_comparison(y, y, b)
    assert big["real"] and big["p_value"] < 1e-10


def test_the_verdict_names_the_test_and_the_report_says_what_the_combined_row_is(tmp_path):
    data = small_csv(tmp_path, n=300)
    settings = CompareSettings(data=(str(data),), out=str(tmp_path / "out"), n_train=200,
                               epochs=1, maxlen=40, embedding_dim=8, hidden_size=8,
                               no_plots=True, quiet=True, vectors="none")
    out = io.StringIO()
    run = compare(settings, stdout=out)
    said = out.getvalue()
    verdict = said.strip().splitlines()[-2]
    assert verdict.startswith("Best on 60 test documents")
    assert "McNemar p = " in verdict and "95% interval" in verdict
    assert ("a real difference" in verdict) != ("a tie" in verdict)
    combined = run.results["combined"]
    assert f"{combined.name} is " in said  # the note says what it is made of
    report = (tmp_path / "out" / "report.html").read_text()
    assert "McNemar p = " in report
    assert html.escape(combined.row["combination"].split(";")[0]) in report
    settings_saved, rows = read_outputs(tmp_path / "out")
    assert any("combination" in r for r in rows)
