"""The sklearn-rnn command on real IMDB reviews."""

import json
import shutil
import subprocess
import sys

import pytest

from sklearn_rnn._cli import main

TINY_RUN = ["--n-train", "300", "--n-test", "150", "--epochs", "2", "--maxlen", "80",
            "--embedding-dim", "8", "--hidden-size", "8", "--quiet"]


def test_compare_prints_table_and_writes_files(imdb_archive, tmp_path, capsys):
    code = main(["compare", "--data", str(imdb_archive), "--out", str(tmp_path), *TINY_RUN])
    out = capsys.readouterr().out
    assert code == 0
    assert "no test split available: 150 held-out reviews of the train split" in out
    header = ("| model | accuracy | misclassified_rate | accuracy_positive | "
              "accuracy_negative | macro_f1 | fit_seconds | predict_seconds |")
    assert header in out
    names = ["RNN", "LSTM", "LSTM + n-grams", "TF-IDF + LogReg",
             "TF-IDF + LSTM n-grams (soft vote)"]
    for name in names:
        assert f"| {name} |" in out
        assert f"== Classification report: {name}" in out
    assert out.count("truth: ") >= 5  # sample reviews (and misclassified ones)
    assert "== Misclassified reviews" in out
    rows = json.loads((tmp_path / "comparison.json").read_text())
    assert [r["model"] for r in rows] == names
    for r in rows:
        assert abs(r["accuracy"] + r["misclassified_rate"] - 1) < 1e-9
    assert (tmp_path / "comparison.csv").read_text().startswith("model,accuracy,")
    for png in ("curves_rnn.png", "curves_lstm.png", "curves_lstm_ngrams.png",
                "confusion_rnn.png", "confusion_lstm.png", "confusion_tfidf_logreg.png",
                "confusion_tfidf_lstm_ngrams_soft_vote.png"):
        assert (tmp_path / png).stat().st_size > 1000


def test_compare_on_movie_reviews(movie_reviews_zip, tmp_path, capsys):
    code = main(["compare", "--dataset", "movie_reviews", "--data", str(movie_reviews_zip),
                 "--out", str(tmp_path), "--no-plots", *TINY_RUN])
    assert code == 0
    assert "| LSTM |" in capsys.readouterr().out
    assert not list(tmp_path.glob("*.png"))


def test_missing_data_is_a_clear_error(tmp_path, capsys):
    code = main(["compare", "--data", str(tmp_path / "empty_cache"), "--no-download",
                 "--out", str(tmp_path / "out"), *TINY_RUN])
    err = capsys.readouterr().err
    assert code == 1
    assert "sklearn-rnn compare: error: IMDB data not found in" in err
    assert "aclImdb_v1.tar.gz" in err  # says what to put where
    code = main(["compare", "--data", str(tmp_path / "typo.tar.gz"), *TINY_RUN])
    assert code == 1
    assert "No such dataset file" in capsys.readouterr().err


def test_bad_arguments_exit_with_usage(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["compare", "--n-train", "-3"])
    assert exc.value.code == 2
    assert "expected a positive integer or 'all'" in capsys.readouterr().err


def test_console_script_installed():
    exe = shutil.which("sklearn-rnn")
    if exe is None:
        pytest.skip("the package is not installed with its console script")
    result = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and result.stdout.startswith("sklearn_rnn ")
    result = subprocess.run([sys.executable, "-m", "sklearn_rnn", "compare", "--help"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and "--n-train" in result.stdout
