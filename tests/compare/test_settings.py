"""The main job's settings: built once from the command line, checked before
any data is read or model trained, the command's defaults in one place."""

import dataclasses

import pytest

from sklearn_rnn._cli import build_parser, main
from sklearn_rnn._compare._settings import DEFAULT_MODELS, CompareSettings

from .conftest import small_csv


def test_the_parsed_command_line_becomes_one_settings_object():
    args = build_parser().parse_args(
        ["compare", "--data", "a.csv", "--data", "b.csv", "--models", "lstm,tfidf",
         "--epochs", "3", "--learning-curve", "100,200"])
    settings = CompareSettings.from_namespace(args)
    assert settings.data == ("a.csv", "b.csv")
    assert settings.models == ("lstm", "tfidf") and settings.epochs == 3
    assert settings.learning_curve_sizes == [100, 200]
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.epochs = 4


def test_the_command_defaults_are_the_settings_defaults():
    args = build_parser().parse_args(["compare"])
    assert CompareSettings.from_namespace(args) == CompareSettings()
    assert CompareSettings().models == DEFAULT_MODELS


@pytest.mark.parametrize("changes, message", [
    (dict(epochs=0), "--epochs must be a whole number of at least 1, got 0"),
    (dict(maxlen=-3, batch_size=0), "--maxlen .* got -3. --batch-size .* got 0"),
    (dict(models=("lstm", "nope")), "unknown model\\(s\\) nope"),
    (dict(lr=0.0), "--lr must be a positive number"),
    (dict(learning_curve="abc"), "comma-separated numbers of documents .* got 'abc'"),
    (dict(learning_curve="0,100"), "positive numbers of documents, got '0,100'"),
    (dict(learning_curve="auto", models=("lstm", "rnn")),
     "needs a linear row \\(tfidf or nbsvm\\) and a recurrent row"),
])
def test_bad_settings_name_every_problem(changes, message):
    with pytest.raises(ValueError, match=message):
        CompareSettings(**changes)


@pytest.mark.parametrize("argv, message", [
    (["--learning-curve", "abc"], "got 'abc'"),
    (["--learning-curve", "--models", "lstm,rnn"], "needs a linear row"),
    (["--epochs", "0"], "--epochs must be"),
])
def test_the_command_refuses_bad_options_before_reading_data(argv, message, capsys, tmp_path):
    missing = tmp_path / "no such file.csv"  # never read: the options fail first
    with pytest.raises(SystemExit) as stop:
        main(["compare", "--data", str(missing), "--out", str(tmp_path / "out"), *argv])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert message in err and "no such file" not in err
    assert not (tmp_path / "out").exists()


def test_learning_curve_sizes_beyond_the_data_stop_before_training(tmp_path, capsys):
    data = small_csv(tmp_path, n=60)
    code = main(["compare", "--data", str(data), "--out", str(tmp_path / "out"),
                 "--learning-curve", "10,100000", "--no-plots", "--quiet"])
    captured = capsys.readouterr()
    assert code == 1
    assert "--learning-curve sizes must be from 4 to 48 documents" in captured.err
    assert "Training" not in captured.out


def test_the_command_line_parser_imports_nothing_heavy(run_python):
    """``sklearn-rnn --help`` starts fast: the parser needs neither numpy nor torch."""
    code = ("import sys; from sklearn_rnn._cli import build_parser; build_parser(); "
            "print(sorted(m for m in ('numpy', 'torch', 'sklearn', 'gensim', 'skorch') "
            "if m in sys.modules))")
    assert run_python("-c", code).stdout.strip() == "[]"
