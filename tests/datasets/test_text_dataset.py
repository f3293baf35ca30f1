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
    assert data.format == fmt.removesuffix(".gz")
    assert data.header is (True if fmt in ("csv", "tsv", "csv.gz") else None)
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
    for label, texts in {"neg": ["bad", "worse"], "pos": ["good", "fine"]}.items():
        (tmp_path / label).mkdir()
        for i, text in enumerate(texts):
            (tmp_path / label / f"{i}.txt").write_text(text)
    (tmp_path / "README").write_text("not a class")  # files beside the classes: ignored
    data = load_text_dataset(tmp_path)
    assert sorted(zip(data.data, data.target, strict=True)) == [
        ("bad", "neg"), ("fine", "pos"), ("good", "pos"), ("worse", "neg")]
    assert all(f.endswith(".txt") for f in data.filenames)
    assert (data.format, data.header, data.label_column) == ("folder", None, "<folder name>")


@pytest.mark.parametrize("content, kwargs, match", [
    ("review,stars\nok,5\nmeh,\n", {}, r"'stars' is empty, null or 'nan' in 1 rows \(line 3\)"),
    ("review,stars\nok,5,extra\n", {"header": True}, r"line 2 has 3 fields, the header has 2"),
    ("review,stars\nok,5\n", {"text_column": "body"}, r"No text column 'body'"),
    ("a,b,c\nx,1,p\ny,2,q\nz,1,p\nw,2,q\n", {}, r"Cannot tell which column .* labels"),
    ("review,stars\nok,5\n", {"format": "xml"}, r"format must be one of"),
    ("review,stars\nok,5\n", {"header": "yes"}, r"header must be 'auto', True or False"),
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


# --------------------------------------------------------------------------- #
# the header decision (issue 25): a headerless file keeps its first document
# --------------------------------------------------------------------------- #
HEADERLESS = [
    ("Loved it", "1"),  # the first review is short, as a column name would be
    ("The plot drags and the acting is wooden from the first scene to the last", "0"),
    ("A warm, funny film that never talks down to its audience", "1"),
    ("I walked out after an hour of shouting and explosions", "0"),
    ("Quietly brilliant", "1"),
]


@pytest.mark.parametrize("labels", [("1", "0"), ("pos", "neg")])
def test_headerless_tsv_keeps_its_first_short_review(labels, tmp_path):
    path = tmp_path / "sentences.tsv"
    path.write_text("".join(f"{text}\t{labels[0] if y == '1' else labels[1]}\n"
                            for text, y in HEADERLESS))
    data = load_text_dataset(path)
    assert data.header is False
    assert data.data == [text for text, _ in HEADERLESS]  # no document lost
    assert (data.text_column, data.label_column) == ("0", "1")
    assert len(data.target_names) == 2


def test_header_with_unknown_names_is_found_by_its_values(tmp_path):
    # no known column name: the label column's values share one length the
    # name does not have, as csv.Sniffer's vote would say
    path = tmp_path / "export.tsv"
    path.write_text("opinion\tverdict\n" + "".join(
        f"{text}\t{'pos' if y == '1' else 'neg'}\n" for text, y in HEADERLESS))
    data = load_text_dataset(path)
    assert data.header is True and data.label_column == "verdict"
    assert len(data.data) == len(HEADERLESS)
    assert "a header row" in data.DESCR


def test_header_can_be_forced_either_way(tmp_path):
    path = tmp_path / "sentences.tsv"
    path.write_text("".join(f"{text}\t{y}\n" for text, y in HEADERLESS))
    forced = load_text_dataset(path, header=True, label_column="1")
    assert forced.header is True and len(forced.data) == len(HEADERLESS) - 1


# --------------------------------------------------------------------------- #
# text files, one document per line (issue 25): Pang & Lee, fastText
# --------------------------------------------------------------------------- #
def test_two_files_one_document_per_line_labelled_by_name(tmp_path):
    from sklearn_rnn.datasets import load_text_files

    # Pang & Lee's rt-polarity files are latin-1
    (tmp_path / "rt-polarity.pos").write_bytes("a gem .\n\nfunny and warm , café owner\n"
                                               .encode("latin-1"))
    (tmp_path / "rt-polarity.neg").write_bytes(b"dull .\r\ntoo long by an hour .\r\n")
    paths = [tmp_path / "rt-polarity.pos", tmp_path / "rt-polarity.neg"]
    data = load_text_files(paths, encoding="latin-1")
    assert data.data == ["a gem .", "funny and warm , café owner", "dull .",
                         "too long by an hour ."]  # the blank line is no document
    assert data.target.tolist() == ["pos", "pos", "neg", "neg"]
    assert data.lines == [1, 3, 1, 2]
    assert (data.format, data.label_column) == ("lines", "<file name>")
    # the same through load_text_dataset, given a list
    X, y = load_text_dataset(paths, encoding="latin-1", return_X_y=True)
    assert X == data.data
    # utf-8 (the default) names the file and line of the first bad byte
    with pytest.raises(ValueError, match=r"rt-polarity.pos, line 3: not utf-8 text.*latin-1"):
        load_text_files(paths)


def test_text_file_labels_from_names_and_given(tmp_path):
    from sklearn_rnn.datasets import load_text_files

    for name, lines in {"neg.txt": "bad\nawful\n", "train.pos.txt": "good\ngreat\n",
                        "3.txt": "meh\nso-so\n", "03.txt": "fine\nok\n"}.items():
        (tmp_path / name).write_text(lines)
    data = load_text_files([tmp_path / "neg.txt", tmp_path / "train.pos.txt"])
    assert data.target.tolist() == ["neg", "neg", "pos", "pos"]
    given = load_text_files([tmp_path / "neg.txt", tmp_path / "train.pos.txt"],
                            labels=[0, 1])
    assert given.target.tolist() == [0, 0, 1, 1]
    # '3' and '03' are the same number: one class, which is too few classes
    with pytest.raises(ValueError, match=r"Found 1 class \(3, from .*3.txt\)"):
        load_text_files([tmp_path / "3.txt", tmp_path / "03.txt"])
    with pytest.raises(ValueError, match="labels= gives 1 labels for 2 files"):
        load_text_files([tmp_path / "neg.txt", tmp_path / "3.txt"], labels=["x"])


def test_fasttext_file_given_alone(tmp_path):
    path = tmp_path / "train.txt"
    path.write_text("__label__pos A fine film.\n__label__neg Dull.\n"
                    "__label__pos  Warm and funny.\n__label__neg Too long.\n")
    data = load_text_dataset(path)
    assert data.data == ["A fine film.", "Dull.", "Warm and funny.", "Too long."]
    assert data.target.tolist() == ["pos", "neg", "pos", "neg"]
    assert (data.format, data.label_column) == ("fasttext", "<__label__ prefix>")


@pytest.mark.parametrize("content, match", [
    ("__label__pos good\n__label__neg bad\nno label here\n",
     r"train.txt, line 3: no __label__ prefix, but line 1 has one"),
    ("__label__pos __label__neg mixed feelings\n__label__neg bad\n",
     r"train.txt, line 1: 2 labels \(__label__pos, __label__neg\); one label per document"),
    ("__label__pos\n__label__neg bad\n", r"line 1: the label 'pos' has no text after it"),
    ("a plain line\nanother one\n",
     r"Found 1 class \('train'.*give one file per class, or label each line fastText-style"),
    ("", r"train.txt holds no documents"),
])
def test_text_file_errors_name_the_file_and_line(content, match, tmp_path):
    path = tmp_path / "train.txt"
    path.write_text(content)
    with pytest.raises(ValueError, match=match):
        load_text_dataset(path)


def test_text_files_from_real_reviews(movie_reviews_zip, tmp_path):
    # real sentences (Pang & Lee's reviews, one sentence per line) in the
    # rt-polarity layout: every line is a document, labelled by its file
    import zipfile

    with zipfile.ZipFile(movie_reviews_zip) as archive:
        names = sorted(n for n in archive.namelist() if n.endswith(".txt"))
        texts = {label: archive.read(next(n for n in names if f"/{label}/" in n)).decode()
                 for label in ("pos", "neg")}
    for label, text in texts.items():
        (tmp_path / f"rt-polarity.{label}").write_text(text)
    data = load_text_dataset([tmp_path / "rt-polarity.pos", tmp_path / "rt-polarity.neg"])
    expected = {label: [line for line in text.split("\n") if line.strip()]
                for label, text in texts.items()}
    assert data.data == expected["pos"] + expected["neg"]
    assert (data.target == "pos").sum() == len(expected["pos"]) > 10


# --------------------------------------------------------------------------- #
# a folder per class with too few documents (issue 25)
# --------------------------------------------------------------------------- #
def _tree(root, classes):
    for label, texts in classes.items():
        (root / label).mkdir(parents=True)
        for i, text in enumerate(texts):
            (root / label / f"{i}.txt").write_text(text)
    return root


@pytest.mark.parametrize("classes, match", [
    ({"neg": ["bad"], "pos": ["good"]},
     r"Too few documents: the class 'neg' \(folder .*neg\) has 1; each class needs at least "
     r"2.* 1 more classes"),
    ({"neg": ["bad", "awful"], "pos": ["good"]}, r"the class 'pos' \(folder .*pos\) has 1"),
    ({"pos": ["good", "great"]}, r"Found 1 class \('pos', folder .*pos\)"),
    ({"neg": ["bad", "awful"], "pos": []}, r"class folder .*pos holds no text files"),
])
def test_folder_with_too_few_documents_says_which_class(classes, match, tmp_path):
    _tree(tmp_path / "data", classes)
    with pytest.raises(ValueError, match=match):
        load_text_dataset(tmp_path / "data")


def test_columns_given_for_a_layout_without_columns_are_an_error(tmp_path):
    _tree(tmp_path / "data", {"neg": ["bad", "awful"], "pos": ["good", "fine"]})
    with pytest.raises(ValueError, match=r"name columns of a table; a folder per class has "
                                         r"none \(the text is each file"):
        load_text_dataset(tmp_path / "data", text_column="text")
    (tmp_path / "train.txt").write_text("__label__pos good\n__label__neg bad\n")
    with pytest.raises(ValueError, match=r"a text file has none \(the text is each line"):
        load_text_dataset(tmp_path / "train.txt", label_column="label")


def test_folder_one_level_too_high_says_where_to_point(tmp_path):
    # aclImdb/ itself: train/ and test/ hold the class folders
    for split in ("train", "test"):
        _tree(tmp_path / "aclImdb" / split, {"neg": ["bad", "awful"], "pos": ["good", "fine"]})
    with pytest.raises(ValueError, match=r"hold folders, not text files \(test/: neg, pos\): "
                                         r"point at .*such as .*aclImdb/test"):
        load_text_dataset(tmp_path / "aclImdb")
