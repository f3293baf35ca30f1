"""What a stranger's files and options can do to a run: leakage said or
refused, one run per output folder, bounded unlabelled text, options that
make no sense refused before anything trains."""

import subprocess
import sys

from sklearn_rnn._cli import main
from sklearn_rnn._compare import _data
from sklearn_rnn._compare._outputs import LOCK_NAME, RunFolder

from ..conftest import make_reviews
from .conftest import TINY_RUN, read_outputs, small_csv, write_csv

QUICK = ["--models", "lstm,tfidf", "--no-plots", *TINY_RUN[2:]]


def test_test_documents_in_the_unlabelled_text_are_left_out_without_transductive(tmp_path,
                                                                                  capsys):
    data = small_csv(tmp_path, n=200)
    out = tmp_path / "out"
    # the data file itself as the unlabelled text: it holds every test document
    args = ["compare", "--data", str(data), "--unlabelled", str(data), "--out", str(out),
            "--models", "lstm-w2v", "--no-plots", *TINY_RUN[2:]]
    assert main(args) == 0
    said = capsys.readouterr().out
    assert "40 documents of the unlabelled text are test documents" in said
    assert "left out" in said and "(--transductive keeps them)" in said
    settings, _ = read_outputs(out)
    assert settings["transductive"] is False
    assert "(320 documents)" in said  # 160 training + the 160 unlabelled that are not tests
    assert "left out" in (out / "report.html").read_text()
    assert main([*args, "--transductive", "--overwrite"]) == 0
    settings, _ = read_outputs(out)
    assert settings["transductive"] is True
    assert ("40 documents of the unlabelled text are test documents (kept: --transductive)"
            in settings["details"])


def test_test_documents_duplicated_in_the_training_documents_are_counted(tmp_path, capsys):
    X, y = make_reviews(200, seed=3)
    X, y = [*X, *X[:30]], [*y, *y[:30]]  # 30 documents twice
    write_csv(tmp_path / "dup.csv", ["text", "label"], list(zip(X, y, strict=True)))
    out = tmp_path / "out"
    assert main(["compare", "--data", str(tmp_path / "dup.csv"), "--out", str(out),
                 *QUICK]) == 0
    said = capsys.readouterr().out
    assert "test documents also appear among the training documents" in said
    assert "also appear among the training documents" in (out / "report.html").read_text()


def test_out_inside_a_folder_data_set_is_refused(tmp_path, capsys):
    folder = tmp_path / "reviews"
    X, y = make_reviews(60, seed=4)
    for i, (text, label) in enumerate(zip(X, y, strict=True)):
        (folder / str(label)).mkdir(parents=True, exist_ok=True)
        (folder / str(label) / f"{i}.txt").write_text(text)
    assert main(["compare", "--data", str(folder), "--out", str(folder / "results"),
                 *QUICK]) == 1
    assert "inside the data folder" in capsys.readouterr().err
    assert not (folder / "results").exists()


def test_a_second_run_on_a_folder_in_use_is_refused(tmp_path, capsys):
    data = small_csv(tmp_path)
    out = tmp_path / "out"
    code = ("import sys, time; from sklearn_rnn._compare._outputs import RunFolder; "
            "f = RunFolder(sys.argv[1]); print('locked', flush=True); time.sleep(60)")
    holder = subprocess.Popen([sys.executable, "-c", code, str(out)], stdout=subprocess.PIPE,
                              text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        assert main(["compare", "--data", str(data), "--out", str(out), "--overwrite",
                     *QUICK]) == 1
        err = capsys.readouterr().err
        assert f"is in use by another sklearn-rnn run (process {holder.pid})" in err
        assert not (out / "comparison.csv").exists()
    finally:
        holder.kill()
        holder.wait()
    # the system released the dead process's lock: the folder is usable again
    with RunFolder(out, overwrite=True) as folder:
        assert (folder.path / LOCK_NAME).exists()
    assert not (out / LOCK_NAME).exists()


def test_n_test_larger_than_the_data_is_said_plainly(tmp_path, capsys):
    data = small_csv(tmp_path, n=100)
    assert main(["compare", "--data", str(data), "--out", str(tmp_path / "out"),
                 "--n-test", "100000", *QUICK]) == 1
    err = capsys.readouterr().err
    assert "--n-test 100,000 leaves no training documents: there are 100 labelled" in err
    assert "-99" not in err


def test_a_binary_unlabelled_file_is_named_in_the_error(tmp_path, capsys):
    data = small_csv(tmp_path)
    binary = tmp_path / "blob.txt"
    binary.write_bytes(bytes(range(256)) * 40)
    assert main(["compare", "--data", str(data), "--unlabelled", str(binary), "--out",
                 str(tmp_path / "out"), *QUICK]) == 1
    err = capsys.readouterr().err
    assert f"--unlabelled {binary} is not UTF-8 text" in err


def test_unlabelled_text_is_read_up_to_a_bound_that_is_said(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(_data, "MAX_UNLABELLED_DOCUMENTS", 50)
    data = small_csv(tmp_path)
    more = tmp_path / "more.txt"
    more.write_text("\n".join(make_reviews(120, seed=9)[0]), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["compare", "--data", str(data), "--unlabelled", str(more), "--out", str(out),
                 "--models", "lstm-w2v", "--no-plots", *TINY_RUN[2:]]) == 0
    settings, _ = read_outputs(out)
    assert settings["unlabelled_text"].startswith("50 documents of more.txt (the first 50: "
                                                  "at most 50 documents")


def test_the_lock_is_released_after_a_run(tmp_path):
    data = small_csv(tmp_path)
    out = tmp_path / "out"
    assert main(["compare", "--data", str(data), "--out", str(out), *QUICK]) == 0
    assert not (out / LOCK_NAME).exists()
    assert main(["compare", "--data", str(data), "--out", str(out), "--overwrite",
                 *QUICK]) == 0


# --------------------------------------------------------------------------- #
# control and bidirectional characters: shown, never interpreted
# --------------------------------------------------------------------------- #
#: What a hostile review can hold: OSC 52 (writes the clipboard), a screen
#: clear, a right-to-left override, a zero-width space, a C1 control, DEL.
HOSTILE = ("\x1b]52;c;aGFja2Vk\x07", "\x1b[2J\x1b[H", "\u202e", "\u200b", "\x9b31m", "\x7f")


def test_compare_prints_no_control_sequence_of_a_document(tmp_path):
    X, y = make_reviews(200, seed=7)
    X = [f"{text} {HOSTILE[i % len(HOSTILE)]} end" for i, text in enumerate(X)]
    write_csv(tmp_path / "hostile.csv", ["text", "label"], list(zip(X, y, strict=True)))
    out = tmp_path / "out"
    run = subprocess.run(
        [sys.executable, "-m", "sklearn_rnn", "compare", "--data", str(tmp_path / "hostile.csv"),
         "--out", str(out), "--models", "tfidf", "--no-plots"],
        capture_output=True, text=True, encoding="utf-8", timeout=300, check=True)
    said = run.stdout + run.stderr
    assert "Sample documents" in said
    for raw in ("\x1b", "\x07", "\u202e", "\u200b", "\x9b", "\x7f"):
        assert raw not in said, repr(raw)
    # shown as escapes: the reader sees they are there
    assert "\\x1b]52;c;aGFja2Vk\\x07" in said or "\\u202e" in said or "\\x1b[2J" in said
    page = (out / "report.html").read_text(encoding="utf-8")
    for raw in ("\x1b", "\x07", "\u202e", "\u200b", "\x9b", "\x7f"):
        assert raw not in page, repr(raw)
    shown = ("\\x1b]52", "\\x1b[2J", "\\u202e", "\\u200b", "\\x9b31m", "\\x7f")
    assert any(escape in page for escape in shown)
