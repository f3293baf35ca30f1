"""load_text_dataset: the user's own labelled text in every format it reads."""

import csv
import gzip
import json

import numpy as np
import pytest

from sklearn_rnn.datasets import load_text_dataset

ROWS = [
    {"id": "1", "title": "Great", "review": "Battery lasts all day.", "stars": "5"},
    {"id": "2", "title": "Awful", "review": "Broke after a week, twice.", "stars": "1"},
    {"id": "3", "title": "Fine", "review": "Does the job, nothing more.", "stars": "3"},
    {"id": "4", "title": "Great", "review": "Love the screen, and the price.", "stars": "5"},
]


def _write_delimited(path, sep, header=True):
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, delimiter=sep)  # quotes the reviews with commas
        if header:
            writer.writerow(ROWS[0])
        writer.writerows(r.values() for r in ROWS)
    return path


def _check(data, texts=None, target=(5, 1, 3, 5)):
    assert data.data == (texts or [r["review"] for r in ROWS])
    assert data.target.tolist() == list(target)


@pytest.mark.parametrize("fmt", ["csv", "tsv", "jsonl", "json", "csv.gz", "parquet"])
def test_every_format_gives_the_same_rows(fmt, tmp_path):
    path = tmp_path / f"reviews.{fmt}"
    if fmt in ("csv", "tsv"):
        _write_delimited(path, "," if fmt == "csv" else "\t")
    elif fmt == "csv.gz":
        _write_delimited(tmp_path / "plain.csv", ",")
        path.write_bytes(gzip.compress((tmp_path / "plain.csv").read_bytes()))
    elif fmt == "jsonl":
        path.write_text("\n".join(json.dumps(r) for r in ROWS) + "\n\n")
    elif fmt == "json":
        path.write_text(json.dumps(ROWS))
    else:
        pa = pytest.importorskip("pyarrow", reason="the [parquet] extra is not installed")
        import pyarrow.parquet as pq

        pq.write_table(pa.table({k: [r[k] for r in ROWS] for k in ROWS[0]}), path)
    data = load_text_dataset(path)
    _check(data)
    # the columns found by name, the integers recognised as integers
    assert (data.text_column, data.label_column) == ("review", "stars")
    assert data.target.dtype.kind == "i"
    np.testing.assert_array_equal(data.target_names, [1, 3, 5])


def test_columns_chosen_by_hand_and_joined(tmp_path):
    path = _write_delimited(tmp_path / "reviews.csv", ",")
    data = load_text_dataset(path, text_column=["title", "review"], label_column="title")
    assert data.data[0] == "Great. Battery lasts all day."
    assert data.target.tolist() == ["Great", "Awful", "Fine", "Great"]
    assert data.target.dtype == object


def test_no_header_columns_are_numbered(tmp_path):
    path = _write_delimited(tmp_path / "reviews.tsv", "\t", header=False)
    X, y = load_text_dataset(path, header=False, text_column="2", label_column="3",
                             return_X_y=True)
    _check_xy = [r["review"] for r in ROWS]
    assert X == _check_xy and y.tolist() == [5, 1, 3, 5]


def test_unnamed_columns_are_guessed_from_their_values(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("a,b\n" + "\n".join(
        f"{'pos' if i % 2 else 'neg'},This is a fairly long piece of text number {i}"
        for i in range(20)) + "\n")
    data = load_text_dataset(path)
    assert (data.text_column, data.label_column) == ("b", "a")
    assert set(data.target) == {"pos", "neg"}


def test_shuffle_and_n_samples_keep_texts_with_their_labels(tmp_path):
    path = _write_delimited(tmp_path / "reviews.csv", ",")
    X, y = load_text_dataset(path, shuffle=True, random_state=3, n_samples=3, return_X_y=True)
    assert len(X) == 3
    by_text = {r["review"]: int(r["stars"]) for r in ROWS}
    assert [by_text[x] for x in X] == y.tolist()


def test_a_folder_per_class(tmp_path):
    for label, texts in {"neg": ["bad", "worse"], "pos": ["good"]}.items():
        (tmp_path / label).mkdir()
        for i, text in enumerate(texts):
            (tmp_path / label / f"{i}.txt").write_text(text)
    data = load_text_dataset(tmp_path)
    assert sorted(zip(data.data, data.target, strict=True)) == [
        ("bad", "neg"), ("good", "pos"), ("worse", "neg")]
    assert all(f.endswith(".txt") for f in data.filenames)


@pytest.mark.parametrize("content, kwargs, match", [
    ("review,stars\nok,5\nmeh,\n", {}, r"label column 'stars' is empty in 1 rows \(first: row 2\)"),
    ("review,stars\nok,5,extra\n", {"header": True}, r"row 2 has 3 fields, the header has 2"),
    ("review,stars\nok,5\n", {"text_column": "body"}, r"No text column 'body'"),
    ("a,b,c\nx,1,p\ny,2,q\nz,1,p\nw,2,q\n", {}, r"Cannot tell which column .* labels"),
    ("review,stars\nok,5\n", {"format": "xml"}, r"format must be one of"),
])
def test_bad_files_say_what_is_wrong(content, kwargs, match, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    with pytest.raises(ValueError, match=match):
        load_text_dataset(path, **kwargs)


def test_bad_json_lines_and_unknown_names(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "ok", "label": 1}\nnot json\n')
    with pytest.raises(ValueError, match="line 2 is not JSON"):
        load_text_dataset(path)
    other = tmp_path / "reviews.xlsx"
    other.write_text("x")
    with pytest.raises(ValueError, match="Cannot tell the format of 'reviews.xlsx'"):
        load_text_dataset(other)
    with pytest.raises(FileNotFoundError, match="No such file"):
        load_text_dataset(tmp_path / "missing.csv")
