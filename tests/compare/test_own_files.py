"""What a new user hits on their own files: files that are not UTF-8 (Pang &
Lee's latin-1 ``rt-polarity.pos/.neg``), a ``.txt`` of ``text<TAB>label``
lines; and documents read without labels (``sklearn-rnn predict``)."""

import pytest

from sklearn_rnn._cli import main
from sklearn_rnn.datasets import load_text_dataset

from ..conftest import make_reviews


def _latin1_files(tmp_path):
    """rt-polarity.pos/.neg as Pang & Lee ship them: latin-1, accents included."""
    X, y = make_reviews(80, seed=4)
    paths = []
    for label, suffix in (("positive", "pos"), ("negative", "neg")):
        path = tmp_path / f"rt-polarity.{suffix}"
        lines = [f"{x} -- café, très {suffix}" for x, t in zip(X, y, strict=True) if t == label]
        path.write_bytes("\n".join(lines).encode("latin-1") + b"\n")
        paths.append(path)
    return paths


def test_compare_reads_files_that_are_not_utf8_and_says_so(tmp_path, capsys):
    pos, neg = _latin1_files(tmp_path)
    args = ["compare", "--data", str(pos), "--data", str(neg), "--models", "tfidf",
            "--no-plots", "--quiet", "--no-save"]
    assert main([*args, "--out", str(tmp_path / "a")]) == 0
    out = capsys.readouterr().out
    assert ("rt-polarity.pos is not UTF-8 (line 1): rt-polarity.pos + rt-polarity.neg read "
            "as cp1252; pass --encoding NAME") in out
    assert main([*args, "--out", str(tmp_path / "b"), "--encoding", "latin-1"]) == 0
    assert "not UTF-8" not in capsys.readouterr().out
    assert main([*args, "--out", str(tmp_path / "c"), "--encoding", "utf-8"]) == 1
    err = capsys.readouterr().err
    assert "line 1: not utf-8 text" in err and "--encoding latin-1" in err


def test_compare_refuses_an_unknown_encoding(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["compare", "--data", str(tmp_path / "x.csv"), "--encoding", "klingon"])
    assert "--encoding: unknown encoding 'klingon'" in capsys.readouterr().err


def test_a_txt_of_tab_separated_labels_says_format_tsv(tmp_path, capsys):
    X, y = make_reviews(40, seed=5)
    path = tmp_path / "reviews.txt"
    path.write_text("".join(f"{x}\t{t}\n" for x, t in zip(X, y, strict=True)),
                    encoding="utf-8")
    args = ["compare", "--data", str(path), "--models", "tfidf", "--no-plots", "--quiet",
            "--no-save"]
    assert main([*args, "--out", str(tmp_path / "a")]) == 1
    err = capsys.readouterr().err
    assert "Found 1 class" in err and "text<TAB>label" in err and "--format tsv" in err
    assert main([*args, "--out", str(tmp_path / "b"), "--format", "tsv", "--no-header"]) == 0


def test_load_text_dataset_reads_documents_without_labels(tmp_path):
    (tmp_path / "a.csv").write_text("id,review\n1,Great phone\n2,Broke in a week\n")
    (tmp_path / "b.txt").write_text("__label__pos A fine film.\n__label__neg Dull.\n")
    (tmp_path / "c.txt").write_text("one document\n\nanother one\n")
    folder = tmp_path / "docs"
    (folder / "sub").mkdir(parents=True)
    (folder / "x.txt").write_text("first file")
    (folder / "sub" / "y.txt").write_text("second file")
    (folder / ".hidden").write_text("not a document")
    table = load_text_dataset(tmp_path / "a.csv", label_column=False)
    assert table.data == ["Great phone", "Broke in a week"] and table.target is None
    assert table.text_column == "review" and table.header is True
    assert load_text_dataset(tmp_path / "b.txt", label_column=False).data == [
        "A fine film.", "Dull."]  # fastText labels dropped
    assert load_text_dataset(tmp_path / "c.txt", label_column=False,
                             return_X_y=True) == (["one document", "another one"], None)
    assert load_text_dataset(folder, label_column=False).data == ["second file", "first file"]
    with pytest.raises(ValueError, match="No text column 'body'"):
        load_text_dataset(tmp_path / "a.csv", text_column="body", label_column=False)


def test_compare_reads_unlabelled_text_from_a_data_file_without_labels(tmp_path, capsys):
    import json

    from .conftest import TINY_RUN, small_csv

    unlabelled = tmp_path / "more.jsonl"
    unlabelled.write_text("".join(json.dumps({"id": i, "body": x}) + "\n"
                                  for i, x in enumerate(make_reviews(200, seed=6)[0])),
                          encoding="utf-8")
    assert main(["compare", "--data", str(small_csv(tmp_path)), "--unlabelled",
                 str(unlabelled), "--models", "lstm-w2v", "--out", str(tmp_path / "out"),
                 "--no-plots", "--no-save", *TINY_RUN[2:]]) == 0, capsys.readouterr().err
    assert "200 documents of more.jsonl" in (tmp_path / "out" / "comparison.json").read_text()
