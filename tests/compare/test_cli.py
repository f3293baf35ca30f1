"""The sklearn-rnn command: IMDB and movie reviews from ../shared, and the user's own
files (CSV, class folders, an Amazon-polarity-shaped file, Japanese TSV) built here."""

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from sklearn_rnn._cli import main

from ..conftest import make_reviews
from .conftest import TINY_RUN, read_outputs, small_csv, write_csv

# without unlabelled text the transfer row starts from random vectors
# (word2vec on the training documents alone measured worse)
DEFAULT_ROWS = ["RNN", "LSTM", "LSTM + n-grams (no vectors)", "TF-IDF + LogReg", "NBSVM",
                "NBSVM + LSTM transfer (combined)", "Majority class (baseline)"]
DATA = Path(__file__).parents[1] / "data"


def _check_pngs(out, names):
    for name in names:
        path = out / name
        assert path.stat().st_size > 1000, name
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name


def test_compare_on_imdb_prints_table_and_writes_files(imdb_archive, tmp_path, capsys,
                                                       monkeypatch):
    from sklearn.pipeline import Pipeline

    calls = []
    real = Pipeline.predict_proba
    monkeypatch.setattr(Pipeline, "predict_proba", lambda self, X, **kw: calls.append(
        (id(self), len(X))) or real(self, X, **kw))
    # IMDB's 50,000 unlabelled reviews would feed word2vec by default: not here
    # (tests below cover word2vec on unlabelled text)
    code = main(["compare", "--data", str(imdb_archive), "--out", str(tmp_path),
                 "--n-test", "150", "--unlabelled", "none", *TINY_RUN])
    out = capsys.readouterr().out
    assert code == 0
    assert "no test split given: 150 documents held out of IMDB" in out
    assert "Plan: train 5 models (RNN, LSTM, LSTM + n-grams (no vectors), " in out
    assert "no unlabelled text and no --vectors: the transfer row starts from random" in out
    header = ("| model | accuracy | misclassified_rate | accuracy_negative | "
              "accuracy_positive | macro_f1 | fit_seconds | predict_seconds |")
    assert header in out
    for name in DEFAULT_ROWS:
        assert f"| {name} |" in out
    for name in DEFAULT_ROWS[:-1]:
        assert f"== Classification report: {name}" in out
    assert out.count("truth: ") >= 5  # sample documents (and misclassified ones)
    assert "== Misclassified documents" in out
    settings, rows = read_outputs(tmp_path)
    assert [r["model"] for r in rows] == DEFAULT_ROWS
    assert settings["n_train"] == 300 and settings["n_test"] == 150
    assert settings["epochs"] == 2 and settings["models"] == [
        "rnn", "lstm", "transfer", "tfidf", "nbsvm", "combined", "distilled"]
    assert "no unlabelled text: the distilled row is left out" in out
    for r in rows:
        assert abs(r["accuracy"] + r["misclassified_rate"] - 1) < 1e-9
    assert rows[-1]["accuracy"] == 0.5  # the held-out split is stratified
    assert "fitted on 60 held-out training documents" in rows[5]["combination"]
    # every model predicted the 150 test documents once; the combined row's
    # held-out copies predicted their 60 documents once each
    on_test = [model for model, n in calls if n == 150]
    assert len(on_test) == len(set(on_test)) == 5
    assert len([n for _, n in calls if n == 60]) == 2
    assert (tmp_path / "comparison.csv").read_text().startswith("model,accuracy,")
    _check_pngs(tmp_path, ["comparison.png", "curves_rnn.png", "curves_lstm.png",
                           "curves_lstm_ngrams_no_vectors.png", "confusion_rnn.png",
                           "confusion_lstm.png", "confusion_tfidf_logreg.png",
                           "confusion_nbsvm.png", "confusion_nbsvm_lstm_transfer_combined.png"])
    report = (tmp_path / "report.html").read_text()
    assert len(report) > 10_000
    assert all(f"<td>{name}</td>" in report or f">{name}<" in report for name in DEFAULT_ROWS)
    assert report.count("<mark") > 20  # highlighted words of the documents shown
    assert report.count("data:image/png;base64,") >= 5  # the figures, embedded
    from .._chromium import find_chromium, render_in_chromium

    if find_chromium() is not None:  # the page as a browser shows it
        result = render_in_chromium(tmp_path / "report.html", tmp_path / "report.png")
        assert result["returncode"] == 0 and result["console"] == []
        assert result["ink"] > 0.2


def test_compare_on_movie_reviews(movie_reviews_zip, tmp_path, capsys):
    code = main(["compare", "--data", str(movie_reviews_zip), "--out", str(tmp_path),
                 "--no-plots", "--models", "lstm,tfidf", *TINY_RUN])
    assert code == 0
    assert "| LSTM |" in capsys.readouterr().out
    assert not list(tmp_path.glob("*.png"))


def test_compare_on_a_csv_with_three_classes(tmp_path, capsys):
    X, y = make_reviews(300, seed=40)
    y = np.where(np.arange(300) % 3 == 0, "mixed", y)  # a third class
    write_csv(tmp_path / "tickets.csv", ["id", "body", "category"],
               [[i, x, label] for i, (x, label) in enumerate(zip(X, y, strict=True))])
    out = tmp_path / "out"
    code = main(["compare", "--data", str(tmp_path / "tickets.csv"), "--out", str(out),
                 "--models", "gru,tfidf", *TINY_RUN[2:]])
    text = capsys.readouterr().out
    assert code == 0
    assert "3 classes" in text and "accuracy_mixed" in text
    settings, rows = read_outputs(out)
    assert settings["text_column"] == "body" and settings["label_column"] == "category"
    assert [r["model"] for r in rows] == ["GRU", "TF-IDF + LogReg",
                                          "Majority class (baseline)"]
    assert {"accuracy_mixed", "accuracy_negative", "accuracy_positive"} <= set(rows[0])
    assert settings["n_test"] == 60  # --test-size 0.2 of 300
    _check_pngs(out, ["comparison.png", "curves_gru.png", "confusion_gru.png"])


def test_compare_on_a_folder_per_class(tmp_path, capsys):
    X, y = make_reviews(200, seed=41)
    for i, (text, label) in enumerate(zip(X, y, strict=True)):
        folder = tmp_path / "corpus" / label
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{i}.txt").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    code = main(["compare", "--data", str(tmp_path / "corpus"), "--out", str(out),
                 "--models", "lstm,tfidf", "--no-plots", *TINY_RUN[2:]])
    assert code == 0
    settings, rows = read_outputs(out)
    assert settings["label_column"] == "<folder name>" and len(rows) == 3


def test_compare_on_an_amazon_polarity_shaped_file_with_separate_test_file(tmp_path):
    # label,title,content without a header, labels 1 (negative) and 2 (positive)
    for name, seed in (("train.csv", 42), ("test.csv", 43)):
        X, y = make_reviews(200, seed=seed)
        write_csv(tmp_path / name, None,
                   [[2 if label == "positive" else 1, text.split()[0], text]
                    for text, label in zip(X, y, strict=True)])
    out = tmp_path / "out"
    code = main(["compare", "--data", str(tmp_path / "train.csv"), "--test-data",
                 str(tmp_path / "test.csv"), "--text-column", "1,2", "--out", str(out),
                 "--models", "lstm-ngrams,tfidf", "--no-plots", *TINY_RUN[2:]])
    assert code == 0
    settings, rows = read_outputs(out)
    assert settings["label_column"] == "0" and settings["text_column"] == ["1", "2"]
    assert settings["n_test"] == 200 and "test.csv" in settings["test"]
    assert {"accuracy_1", "accuracy_2"} <= set(rows[0])


def test_compare_on_japanese_text_with_a_tokenizer(tmp_path, capsys):
    pytest.importorskip("janome", reason="the [ja] extra is not installed")
    out = tmp_path / "out"
    code = main(["compare", "--data", str(DATA / "reviews_ja.tsv"), "--tokenizer", "janome",
                 "--out", str(out), "--models", "lstm-ngrams,tfidf,vote", "--epochs", "8",
                 "--embedding-dim", "16", "--hidden-size", "16", "--quiet"])
    assert code == 0, capsys.readouterr().err
    settings, rows = read_outputs(out)
    assert settings["tokenizer"] == "janome"
    assert all(r["accuracy"] > 0.7 for r in rows[:-1]), rows  # 60 held-out reviews
    _check_pngs(out, ["comparison.png", "confusion_lstm_ngrams.png"])


def test_compare_trains_word2vec_on_unlabelled_text(tmp_path):
    X, y = make_reviews(300, seed=44)
    write_csv(tmp_path / "data.csv", ["text", "label"], list(zip(X, y, strict=True)))
    unlabelled = tmp_path / "more.txt"
    unlabelled.write_text("\n".join(make_reviews(500, seed=45)[0]), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["compare", "--data", str(tmp_path / "data.csv"), "--unlabelled",
                 str(unlabelled), "--models", "lstm-w2v", "--out", str(out), "--no-plots",
                 *TINY_RUN[2:]]) == 0
    _, rows = read_outputs(out)
    assert rows[0]["model"] == "LSTM + word2vec"


def test_compare_rows_for_the_best_recipe_its_vote_and_stacking(tmp_path):
    X, y = make_reviews(300, seed=46)
    write_csv(tmp_path / "data.csv", ["text", "label"], list(zip(X, y, strict=True)))
    out = tmp_path / "out"
    assert main(["compare", "--data", str(tmp_path / "data.csv"), "--models",
                 "vote-w2v,stack", "--out", str(out), "--no-plots", *TINY_RUN[2:]]) == 0
    _, rows = read_outputs(out)
    # the vote's members are trained first (the same fitted models, not refitted)
    assert [r["model"] for r in rows] == [
        "LSTM + n-grams + word2vec", "TF-IDF + LogReg",
        "TF-IDF + LSTM n-grams + word2vec (stacking)",
        "TF-IDF + LSTM n-grams + word2vec (soft vote)", "Majority class (baseline)"]
    members = [float(r["fit_seconds"]) for r in rows[:2]]
    assert float(rows[3]["fit_seconds"]) == pytest.approx(sum(members), abs=0.01)
    for r in rows:
        assert 0 <= float(r["accuracy"]) <= 1


def test_missing_or_wrong_data_is_a_clear_error(tmp_path, capsys):
    code = main(["compare", "--data", str(tmp_path / "empty_cache"), "--dataset", "imdb",
                 "--no-download", "--out", str(tmp_path / "out"), *TINY_RUN])
    err = capsys.readouterr().err
    assert code == 1
    assert "sklearn-rnn compare: error: IMDB data not found in" in err
    assert "aclImdb_v1.tar.gz" in err  # says what to put where
    assert main(["compare", "--data", str(tmp_path / "typo.tar.gz"), *TINY_RUN]) == 1
    assert "No such dataset file" in capsys.readouterr().err
    broken = tmp_path / "broken.tar.gz"
    broken.write_bytes(b"this is not an archive")
    assert main(["compare", "--data", str(broken), *TINY_RUN]) == 1
    assert "Could not read" in capsys.readouterr().err
    write_csv(tmp_path / "two_label_like.csv", ["a", "b", "text"],
               [[i % 2, i % 3, "some words here"] for i in range(30)])
    assert main(["compare", "--data", str(tmp_path / "two_label_like.csv"), *TINY_RUN]) == 1
    err = capsys.readouterr().err
    assert "--label-column" in err and "label_column=" not in err  # the command's words


@pytest.mark.parametrize("argv, message", [
    (["compare", "--n-train", "-3"], "expected a positive integer or 'all'"),
    (["compare", "--epoch", "2"], "unrecognized arguments: --epoch"),  # no abbreviations
    (["compare", "--models", "lstm,transformer"], "unknown model(s) transformer"),
    (["compare", "--test-size", "1.5"], "between 0 and 1"),
])
def test_bad_arguments_exit_with_usage(argv, message, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert message in capsys.readouterr().err


def test_help_names_each_default_once(capsys):
    with pytest.raises(SystemExit):
        main(["compare", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    options = text.split(" --")[1:]
    assert len(options) > 20
    for block in options:
        assert block.count("(default:") <= 1, block
    for option in ("embedding-dim", "hidden-size", "batch-size", "tokenizer"):
        described = [b for b in options if b.startswith(option + " ") and "(default:" in b]
        assert described, option


def test_python_m_sklearn_rnn_runs_the_command(run_python):
    assert "--n-train" in run_python("-m", "sklearn_rnn", "compare", "--help").stdout


def test_console_script_installed():
    exe = shutil.which("sklearn-rnn")
    if exe is None:
        pytest.skip("the package is not installed with its console script")
    result = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and result.stdout.startswith("sklearn_rnn ")


def test_out_is_checked_before_any_training(tmp_path, capsys):
    data = small_csv(tmp_path)
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    for out in (blocker, blocker / "sub"):
        assert main(["compare", "--data", str(data), "--out", str(out), *TINY_RUN[2:]]) == 1
        captured = capsys.readouterr()
        assert "--out" in captured.err and "== [1/" not in captured.out  # nothing trained
    # the input in the output folder is never overwritten
    out = tmp_path / "out"
    out.mkdir()
    inside = out / "comparison.csv"
    inside.write_bytes(data.read_bytes())
    assert main(["compare", "--data", str(inside), "--out", str(out), "--overwrite",
                 *TINY_RUN[2:]]) == 1
    assert "would overwrite the input" in capsys.readouterr().err
    assert inside.read_bytes() == data.read_bytes()


def test_an_earlier_run_is_kept_unless_overwrite(tmp_path, capsys):
    data = small_csv(tmp_path)
    out = tmp_path / "out"
    args = ["compare", "--data", str(data), "--out", str(out), "--models", "tfidf",
            *TINY_RUN[2:]]
    assert main(args) == 0
    first = (out / "comparison.json").read_bytes()
    assert main(args) == 0
    assert "holds an earlier run's results: this run writes to" in capsys.readouterr().out
    assert (out / "comparison.json").read_bytes() == first
    (later,) = out.glob("run_*")
    assert (later / "comparison.json").is_file() and (later / "report.html").is_file()
    assert main([*args, "--overwrite"]) == 0
    assert not list(later.glob("run_*")) and len(list(out.glob("run_*"))) == 1


def test_rows_are_written_as_each_model_finishes(tmp_path, monkeypatch):
    import sklearn_rnn._compare._outputs as outputs

    data = small_csv(tmp_path)
    seen = []
    real = outputs.RunFolder.write_tables
    monkeypatch.setattr(outputs.RunFolder, "write_tables", lambda self, rows, settings: (
        seen.append([r["model"] for r in rows]), real(self, rows, settings)))
    assert main(["compare", "--data", str(data), "--out", str(tmp_path / "out"),
                 "--models", "lstm,tfidf", "--no-plots", *TINY_RUN[2:]]) == 0
    assert seen[0] == ["LSTM"] and seen[1] == ["LSTM", "TF-IDF + LogReg"]


def test_a_model_that_cannot_be_trained_is_a_row_with_the_reason(tmp_path, capsys,
                                                                 monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    data = small_csv(tmp_path)
    out = tmp_path / "out"
    assert main(["compare", "--data", str(data), "--out", str(out), "--device", "cuda",
                 "--no-plots", *TINY_RUN[2:]]) == 0
    _, rows = read_outputs(out)
    errors = {r["model"]: r.get("error") for r in rows}
    assert "CUDA is not available" in errors["RNN"]
    assert errors["TF-IDF + LogReg"] is None and rows[3]["accuracy"] > 0.5
    assert "which failed" in errors["NBSVM + LSTM transfer (combined)"]
    assert "| RNN | - |" in capsys.readouterr().out


def test_labels_order_and_the_majority_row(tmp_path, capsys):
    data = small_csv(tmp_path, n=240, three=True)
    out = tmp_path / "out"
    assert main(["compare", "--data", str(data), "--out", str(out), "--models", "tfidf",
                 "--labels", "positive,mixed,negative", *TINY_RUN[2:]]) == 0
    settings, rows = read_outputs(out)
    assert settings["labels"] == ["positive", "mixed", "negative"]
    header = (out / "comparison.csv").read_text().splitlines()[0]
    assert header.index("accuracy_positive") < header.index("accuracy_mixed") < \
        header.index("accuracy_negative")
    majority = rows[-1]
    assert majority["model"] == "Majority class (baseline)"
    # one class predicted for every document: recall 1 for it, 0 for the others
    assert sorted(majority[f"accuracy_{c}"] for c in ("positive", "mixed", "negative")) == [
        0.0, 0.0, 1.0]
    assert 0.2 < majority["accuracy"] < 0.5 < rows[0]["accuracy"]
    assert main(["compare", "--data", str(data), "--labels", "positive,mixed",
                 *TINY_RUN[2:]]) == 1
    assert "--labels must list every label once; missing: ['negative']" in \
        capsys.readouterr().err


def test_a_model_near_chance_is_called_out(tmp_path, capsys):
    rng = np.random.default_rng(0)
    X, _ = make_reviews(300, seed=52)
    y = np.where(rng.random(300) < 0.92, "common", "rare")  # labels unrelated to the text
    data = tmp_path / "data.csv"
    write_csv(data, ["text", "label"], list(zip(X, y, strict=True)))
    assert main(["compare", "--data", str(data), "--out", str(tmp_path / "out"),
                 "--models", "lstm", "--no-plots", *TINY_RUN[2:]]) == 0
    text = capsys.readouterr().out
    assert "Note: LSTM" in text and ("most frequent" in text or "majority" in text)


def test_learning_curve_says_where_tfidf_and_the_rnn_cross(tmp_path, capsys):
    data = small_csv(tmp_path, n=300)
    out = tmp_path / "out"
    assert main(["compare", "--data", str(data), "--out", str(out), "--models",
                 "lstm-ngrams,tfidf", "--learning-curve", "60,120,240", *TINY_RUN[2:]]) == 0
    text = capsys.readouterr().out
    curve = json.loads((out / "learning_curve.json").read_text())
    assert curve["sizes"] == [60, 120, 240]
    assert set(curve["curves"]) == {"TF-IDF + LogReg", "LSTM + n-grams"}
    for values in curve["curves"].values():
        assert len(values["accuracy"]) == 3 and all(0 <= a <= 1 for a in values["accuracy"])
    assert curve["crossing"]["kind"] in ("cross", "always", "never", "mixed")
    assert curve["verdict"] in text
    _check_pngs(out, ["learning_curve.png"])


def test_vectors_by_path_name_the_transfer_row(tmp_path, capsys):
    from gensim.models import KeyedVectors

    X, y = make_reviews(240, seed=51)
    data = tmp_path / "data.csv"
    write_csv(data, ["text", "label"], list(zip(X, y, strict=True)))
    words = sorted({w.lower().strip(".!") for text in X for w in text.split()})
    kv = KeyedVectors(vector_size=6)
    kv.add_vectors(words, np.random.default_rng(0).normal(size=(len(words), 6)).astype("f4"))
    path = tmp_path / "my_vectors.txt"
    kv.save_word2vec_format(str(path))
    out = tmp_path / "out"
    assert main(["compare", "--data", str(data), "--out", str(out), "--models", "transfer",
                 "--vectors", str(path), "--no-plots", *TINY_RUN[2:]]) == 0
    text = capsys.readouterr().out
    _, rows = read_outputs(out)
    assert rows[0]["model"] == "LSTM + n-grams + my_vectors.txt"
    assert "vectors coverage" in text
    assert main(["compare", "--data", str(data), "--out", str(tmp_path / "none"), "--models",
                 "transfer", "--vectors", "none", "--no-plots", *TINY_RUN[2:]]) == 0
    assert read_outputs(tmp_path / "none")[1][0]["model"] == "LSTM + n-grams (no vectors)"


def test_transductive_word2vec_is_said(tmp_path, capsys):
    data = small_csv(tmp_path)
    out = tmp_path / "out"
    assert main(["compare", "--data", str(data), "--out", str(out), "--models", "transfer",
                 "--transductive", "--no-plots", *TINY_RUN[2:]]) == 0
    text = capsys.readouterr().out
    assert "test documents (their text only, never their labels: --transductive)" in text
    assert "transductive" in (out / "report.html").read_text()


def test_progress_names_the_model_and_the_epoch(tmp_path, capsys):
    data = small_csv(tmp_path)
    assert main(["compare", "--data", str(data), "--out", str(tmp_path / "out"), "--models",
                 "lstm,tfidf", "--no-plots", *[a for a in TINY_RUN[2:] if a != "--quiet"]]) == 0
    text = capsys.readouterr().out
    assert "== [1/2] Training LSTM" in text and "== [2/2] Training TF-IDF" in text
    assert "[1/2] LSTM: epoch 1/2" in text and "[1/2] LSTM: epoch 2/2" in text


def test_two_files_one_document_per_line(tmp_path, capsys):
    X, y = make_reviews(240, seed=53)
    for label in ("positive", "negative"):
        lines = [x for x, t in zip(X, y, strict=True) if t == label]
        (tmp_path / f"rt-polarity.{label[:3]}").write_text("\n".join(lines), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["compare", "--data", str(tmp_path / "rt-polarity.pos"), "--data",
                 str(tmp_path / "rt-polarity.neg"), "--out", str(out), "--models", "tfidf",
                 "--no-plots", *TINY_RUN[2:]]) == 0
    text = capsys.readouterr().out
    assert "labels from the file names: 'neg'" in text and "'pos'" in text
    settings, rows = read_outputs(out)
    assert settings["labels"] == ["neg", "pos"] and rows[0]["accuracy"] > 0.6
    assert settings["n_train"] + settings["n_test"] == 240


def test_a_headerless_tsv_keeps_its_first_row_and_says_so(tmp_path, capsys):
    X, y = make_reviews(200, seed=54)
    path = tmp_path / "sentences.tsv"
    path.write_text("".join(f"{x}\t{label}\n" for x, label in zip(X, y, strict=True)),
                    encoding="utf-8")
    for flags in ([], ["--no-header"]):
        out = tmp_path / f"out{len(flags)}"
        assert main(["compare", "--data", str(path), "--out", str(out), "--models", "tfidf",
                     "--no-plots", *flags, *TINY_RUN[2:]]) == 0
        text = capsys.readouterr().out
        assert "format tsv, no header row, text column '0', label column '1'" in text
        settings, _ = read_outputs(out)
        assert settings["n_train"] + settings["n_test"] == 200  # no document lost
    # forcing a header takes the first review as column names: one document fewer
    assert main(["compare", "--data", str(path), "--out", str(tmp_path / "h"), "--models",
                 "tfidf", "--no-plots", "--header", "--text-column", X[0],
                 "--label-column", y[0], *TINY_RUN[2:]]) == 0
    settings = read_outputs(tmp_path / "h")[0]
    assert settings["n_train"] + settings["n_test"] == 199


def test_vectors_by_name_download_once_from_the_catalogue(catalogue, tmp_path, capsys):
    # a local gensim-data (tests/_gensim_data.py) stands in for the network
    data = small_csv(tmp_path)
    out = tmp_path / "out"
    assert main(["compare", "--data", str(data), "--out", str(out), "--models", "transfer",
                 "--vectors", "glove-local-50", "--no-plots", *TINY_RUN[2:]]) == 0
    text = capsys.readouterr().out
    assert read_outputs(out)[1][0]["model"] == "LSTM + n-grams + glove-local-50"
    assert "vectors coverage" in text
    assert (catalogue["data_dir"] / "glove-local-50" / "glove-local-50.gz").exists()
    assert not catalogue["marker"].exists()  # gensim-data's reader code never ran


def test_vectors_by_name_offline_is_a_clear_error(offline, tmp_path, capsys):
    data = small_csv(tmp_path)
    code = main(["compare", "--data", str(data), "--out", str(tmp_path / "out"), "--models",
                 "transfer", "--vectors", "glove-wiki-gigaword-50", "--no-plots",
                 *TINY_RUN[2:]])
    err = capsys.readouterr().err
    assert code == 1
    assert "sklearn-rnn compare: error:" in err and "Traceback" not in err
    assert "glove-wiki-gigaword-50" in err and str(offline["data_dir"]) in err


def test_more_classes_than_a_split_can_hold_is_said_in_the_commands_words(tmp_path, capsys):
    rows = [(f"word{i % 7} other{i % 5}", f"c{i % 100}") for i in range(400)]
    write_csv(tmp_path / "many.csv", ["text", "label"], rows)
    code = main(["compare", "--data", str(tmp_path / "many.csv"), "--n-train", "60",
                 "--models", "tfidf", "--no-plots", "--out", str(tmp_path / "out"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    assert "100 classes, more than the 60 training documents" in err and "--n-train" in err
    # 3 documents per class, half held out: many classes keep 1 training document
    write_csv(tmp_path / "three.csv", ["text", "label"], rows[:300])
    code = main(["compare", "--data", str(tmp_path / "three.csv"), "--test-size", "0.5",
                 "--models", "tfidf", "--no-plots", "--out", str(tmp_path / "out"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 1 and "Too few training documents" in err
    assert "more classes)" in err and len(err) < 2000  # not every class listed
