"""Own data loads nothing silently wrong (issue 23, item 8): each case a real
small file that once lost or changed documents without a word."""

import json
import os
import warnings

import numpy as np
import pytest

from sklearn_rnn.datasets import load_text_dataset


def _write(tmp_path, name, content, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(content.encode(encoding))
    return path


# --------------------------------------------------------------------------- #
# quotes
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("name, content, match", [
    # never closed: every row after it would be one field (3 rows -> 2 documents);
    # a TSV written with quoting (a doubled quote on line 2 shows it)
    ("a.tsv", 'text\tlabel\n"He said ""hi"""\tpos\n"great movie\tpos\nbad film\tneg\n'
              'ok\tpos\n',
     r"a.tsv, line 3: a quote opens a field in this row and is never closed"),
    ("a.csv", 'text,label\nfine,pos\n"great movie,pos\nbad film,neg\nok,pos\n',
     r"a.csv, line 3: a quote opens a field .* never closed"),
    # closed by a quote further down, inside a text
    ("b.csv", 'text,label\n"great movie,pos\nbad film,neg\nok "really" fine,pos\nlast,neg\n',
     r"b.csv, lines 2-4: a quote opens a field at line 2 and the quote that closes it is at "
     r"line 4.* the 2 rows between would be read as one field"),
    # closed right before a delimiter: parses, but its lines are rows
    ("c.tsv", 'text\tlabel\n"great movie\tpos\nbad film\tneg\nok really"\tpos\nfine\tneg\n'
              '"a ""quoted"" one"\tneg\n',
     r"c.tsv, lines 2-4: one quoted field runs over these lines, and line 2 reads as a "
     r"row of its own \('great movie\\tpos'\)"),
    ("c.csv", 'text,label\n"great movie,pos\nbad film,neg\nok really",pos\nfine,neg\n'
              'meh,neg\ngood,pos\n',
     r"c.csv, lines 2-4: one quoted field .* line 3 reads as a row of its own "
     r"\('bad film,neg'\).* not closed at line 2"),
    # one row swallowed, the label first
    ("e.csv", 'label,text\npos,"great movie\nneg,bad film"\nneg,fine\nneg,meh\npos,good\n',
     r"e.csv, lines 2-3: .* line 3 reads as a row of its own \('neg,bad film'\)"),
    ("f.csv", 'text,label\n"great movie,pos\nbad film",neg\nfine,neg\nmeh,pos\ngood,pos\n',
     r"f.csv, lines 2-3: .* line 2 reads as a row of its own \('great movie,pos'\)"),
    # a quote closes a field but text follows it
    ("d.csv", 'text,label\n"Great" film,pos\nbad,neg\n',
     r"d.csv, line 2: a field starts with a quote, but its closing quote is followed by "
     r"more text"),
])
def test_unclosed_quote_stops_with_the_line(name, content, match, tmp_path):
    with pytest.raises(ValueError, match=match):
        load_text_dataset(_write(tmp_path, name, content))


def test_tsv_without_quoting_keeps_every_row_and_its_quotes(tmp_path):
    # TSV has no quoting: a quote is text (tokenized corpora write '" the film "'),
    # so the unclosed quote of issue 23 (3 rows read as 2 documents) is no error
    path = _write(tmp_path, "a.tsv", 'text\tlabel\n"great movie\tpos\nbad film\tneg\n'
                                     'ok really"\tpos\n" a quote " and more\tneg\n')
    data = load_text_dataset(path)
    assert data.data == ['"great movie', "bad film", 'ok really"', '" a quote " and more']
    assert data.target.tolist() == ["pos", "neg", "pos", "neg"]
    assert "quotes read as text" in data.DESCR


def test_headerless_tsv_of_real_sentences_with_quotes(movie_reviews_zip, tmp_path):
    # real tokenized sentences (Pang & Lee), many opening with a quote: read
    # literally, none lost, the first not taken for a header (csv.Sniffer says
    # it is one)
    import csv

    from sklearn_rnn.datasets import load_movie_reviews

    X, y = load_movie_reviews(data_home=movie_reviews_zip, return_X_y=True)
    rows = [(line.strip(), int(label == "positive")) for doc, label in zip(X[:100], y[:100],
                                                                            strict=True)
            for line in doc.split("\n")[:4] if line.strip()]
    text = "".join(f"{t}\t{label}\n" for t, label in rows)
    assert any(t.startswith('"') for t, _ in rows)
    assert csv.Sniffer().has_header(text[:65536])  # what the old rule fell back on
    path = _write(tmp_path, "sentences.tsv", text)
    data = load_text_dataset(path)
    assert data.header is False
    assert data.data == [t for t, _ in rows]
    assert data.target.tolist() == [label for _, label in rows]


def test_quoted_field_over_several_lines_with_commas_loads(tmp_path):
    # a review in paragraphs, with commas on its inner lines, is no swallowed row
    path = _write(tmp_path, "reviews.csv",
                  'text,label\n"First paragraph.\nSecond, with a comma.\nThird, and last.",pos\n'
                  'bad,neg\nworse,neg\ngood,pos\n')
    data = load_text_dataset(path)
    assert data.data[0] == "First paragraph.\nSecond, with a comma.\nThird, and last."
    assert data.target.tolist() == ["pos", "neg", "neg", "pos"]


def test_backslash_escaped_quotes_are_read_as_quotes_with_a_warning(tmp_path):
    path = _write(tmp_path, "reviews.csv",
                  'text,label\n"He said \\"hi\\" to me",pos\n"\\"Dull\\", she said",neg\n'
                  'plain text,pos\n')
    with pytest.warns(UserWarning, match=r'escapes quotes with a backslash \(\\" at line 2\)'):
        data = load_text_dataset(path)
    assert data.data == ['He said "hi" to me', '"Dull", she said', "plain text"]
    assert data.target.tolist() == ["pos", "neg", "pos"]


def test_doubled_quotes_need_no_warning(tmp_path):
    path = _write(tmp_path, "reviews.csv", 'text,label\n"He said ""hi""",pos\nbad,neg\n')
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert load_text_dataset(path).data[0] == 'He said "hi"'


# --------------------------------------------------------------------------- #
# labels: one type per column
# --------------------------------------------------------------------------- #
def test_numeric_labels_written_differently_are_one_class(tmp_path):
    path = _write(tmp_path, "reviews.csv",
                  "text,label\ngood,1\ngreat,1.0\nfine,01\nbad, 0\nawful,0.0\n")
    data = load_text_dataset(path)
    assert data.target.tolist() == [1, 1, 1, 0, 0]
    assert data.target.dtype.kind == "i"
    np.testing.assert_array_equal(data.target_names, [0, 1])
    # not integral: floats, still compared as numbers
    path = _write(tmp_path, "scores.csv", "text,score\na,0.5\nb,.50\nc,1.5\nd,1.50\n")
    assert load_text_dataset(path).target.tolist() == [0.5, 0.5, 1.5, 1.5]


def test_text_labels_with_one_number_written_two_ways_are_an_error(tmp_path):
    path = _write(tmp_path, "reviews.csv", "text,label\ngood,pos\nbad,1\nmeh,01\nok,pos\n")
    with pytest.raises(ValueError, match=r"holds text \('pos', line 2\), so its labels are read "
                                         r"as strings, and there '1' \(line 3\) and '01' "
                                         r"\(line 4\) would be two classes"):
        load_text_dataset(path)
    # text labels alone stay strings, numbers among them as written
    path = _write(tmp_path, "bands.csv", "lyrics,artist\nla la,311\nhey,Blink-182\nyo,311\n")
    assert load_text_dataset(path).target.tolist() == ["311", "Blink-182", "311"]


def test_json_labels_of_mixed_types_are_an_error(tmp_path):
    rows = [{"text": "good", "label": 1}, {"text": "bad", "label": "neg"}]
    path = _write(tmp_path, "reviews.jsonl", "\n".join(map(json.dumps, rows)))
    with pytest.raises(ValueError, match=r"mixes types: 1 \(line 1\) and 'neg' \(line 2\)"):
        load_text_dataset(path)
    rows = [{"text": "good", "label": 1}, {"text": "bad", "label": "1.0"},
            {"text": "ok", "label": 0.0}]
    path = _write(tmp_path, "numbers.jsonl", "\n".join(map(json.dumps, rows)))
    assert load_text_dataset(path).target.tolist() == [1, 1, 0]


# --------------------------------------------------------------------------- #
# texts: missing is an error naming the row
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("name, content, match", [
    ("a.jsonl", '{"text": "good", "label": 1}\n\n{"text": null, "label": 0}\n',
     r"a.jsonl: the text column 'text' is empty, null or NaN in 1 rows \(first: line 3\)"),
    ("b.jsonl", '{"text": "good", "label": 1}\n{"text": NaN, "label": 0}\n',
     r"b.jsonl: .* in 1 rows \(first: line 2\)"),
    ("c.json", '[{"text": "good", "label": 1}, {"label": 0}]',
     r"c.json: .* \(first: record 2\)"),
    ("d.csv", "text,label\ngood,1\n  ,0\n,1\n", r"d.csv: .* in 2 rows \(first: line 3\)"),
    # how str() writes a missing value: not the document 'nan'
    ("g.csv", "text,label\ngood film,pos\nNaN,neg\nnan,pos\n",
     r"g.csv: .* in 2 rows \(first: line 3\)"),
    ("e.jsonl", '{"text": ["good", "film"], "label": 1}\n',
     r"e.jsonl, line 1: the text column 'text' holds a list \(\['good', 'film'\]\), not text"),
    ("f.jsonl", '{"text": "good", "label": [1, 2]}\n{"text": "bad", "label": 0}\n',
     r"f.jsonl, line 1: the label column 'label' holds a list"),
])
def test_missing_or_non_text_texts_are_errors_naming_the_row(name, content, match, tmp_path):
    with pytest.raises(ValueError, match=match):
        load_text_dataset(_write(tmp_path, name, content))


def test_joined_text_columns_need_one_part(tmp_path):
    path = _write(tmp_path, "reviews.csv", "title,body,label\nGreat,,1\n,Dull,0\n,,1\n")
    with pytest.raises(ValueError, match=r"\['title', 'body'\] is empty.* \(first: line 4\)"):
        load_text_dataset(path, text_column=["title", "body"])
    path.write_text("title,body,label\nGreat,,1\n,Dull,0\n")
    assert load_text_dataset(path, text_column=["title", "body"]).data == ["Great", "Dull"]


@pytest.mark.parametrize("kind", ["binary", "list"])
def test_parquet_binary_or_list_text_is_refused(kind, tmp_path):
    pa = pytest.importorskip("pyarrow", reason="the [parquet] extra is not installed")
    import pyarrow.parquet as pq

    texts = [b"good film", b"bad film"] if kind == "binary" else [["good"], ["bad"]]
    path = tmp_path / "reviews.parquet"
    pq.write_table(pa.table({"text": texts, "label": [1, 0]}), path)
    with pytest.raises(ValueError, match=r"reviews.parquet, row 1: the text column 'text' "
                                         rf"holds a {'bytes' if kind == 'binary' else 'list'}"):
        load_text_dataset(path)
    pq.write_table(pa.table({"text": ["good", None], "label": [1, 0]}), path)
    with pytest.raises(ValueError, match=r"empty, null or NaN in 1 rows \(first: row 2\)"):
        load_text_dataset(path)


# --------------------------------------------------------------------------- #
# encoding: a byte order mark
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("fmt", ["csv", "tsv", "jsonl"])
def test_utf8_byte_order_mark_is_dropped(fmt, tmp_path):
    if fmt == "jsonl":
        content = '{"text": "café crème", "label": "pos"}\n{"text": "bad", "label": "neg"}\n'
    else:
        sep = "," if fmt == "csv" else "\t"
        content = f"text{sep}label\ncafé crème{sep}pos\nbad{sep}neg\n"
    path = _write(tmp_path, f"excel.{fmt}", content, encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    data = load_text_dataset(path, text_column="text", label_column="label")
    assert data.data == ["café crème", "bad"]
    assert data.text_column == "text"


def test_bytes_that_are_not_the_encoding_name_the_line(tmp_path):
    path = _write(tmp_path, "reviews.csv", "text,label\ngood,1\ncafé,0\n", encoding="latin-1")
    with pytest.raises(ValueError, match=r"reviews.csv, line 3: not utf-8 text"):
        load_text_dataset(path)
    assert load_text_dataset(path, encoding="latin-1").data == ["good", "café"]


# --------------------------------------------------------------------------- #
# a folder per class: hidden folders and links out of the tree
# --------------------------------------------------------------------------- #
def _class_folders(root):
    for label, texts in {"neg": ["bad", "awful"], "pos": ["good", "great"]}.items():
        (root / label).mkdir(parents=True)
        for i, text in enumerate(texts):
            (root / label / f"{i}.txt").write_text(text)
    return root


def test_hidden_folders_and_files_are_skipped_with_a_warning(tmp_path):
    root = _class_folders(tmp_path / "data")
    (root / ".ipynb_checkpoints").mkdir()
    (root / ".ipynb_checkpoints" / "0-checkpoint.txt").write_text("stale")
    (root / "pos" / ".DS_Store").write_bytes(b"\x00\x01binary")
    with pytest.warns(UserWarning, match=r"skipped 2 hidden file\(s\) or folder\(s\) .*"
                                         r"\.ipynb_checkpoints, pos/\.DS_Store"):
        data = load_text_dataset(root)
    assert sorted(data.target_names) == ["neg", "pos"]
    assert sorted(data.data) == ["awful", "bad", "good", "great"]


@pytest.mark.skipif(os.name == "nt", reason="symbolic links need privileges on Windows")
def test_links_out_of_the_tree_are_skipped_links_inside_kept(tmp_path):
    root = _class_folders(tmp_path / "data")
    outside = tmp_path / "secret.txt"
    outside.write_text("a file from elsewhere")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "a.txt").write_text("x")
    (root / "pos" / "link.txt").symlink_to(outside)
    (root / "other").symlink_to(tmp_path / "elsewhere")
    (root / "neg" / "again.txt").symlink_to(root / "neg" / "0.txt")  # inside: a document
    with pytest.warns(UserWarning, match=r"skipped 2 symbolic link\(s\) pointing out of the "
                                         r"folder \(other, pos/link.txt\)"):
        data = load_text_dataset(root)
    assert "a file from elsewhere" not in data.data
    assert sorted(data.target_names) == ["neg", "pos"]
    assert sorted(data.data) == ["awful", "bad", "bad", "good", "great"]


def test_empty_file_in_a_class_folder_is_an_error(tmp_path):
    root = _class_folders(tmp_path / "data")
    (root / "neg" / "2.txt").write_text("  \n")
    with pytest.raises(ValueError, match=r"2.txt is empty"):
        load_text_dataset(root)


# --------------------------------------------------------------------------- #
# n_samples
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("n_samples", [-5, 0, 2.5, True, "3"])
def test_n_samples_must_be_a_positive_int(n_samples, tmp_path):
    path = _write(tmp_path, "reviews.csv", "text,label\na,1\nb,0\nc,1\nd,0\ne,1\nf,0\n")
    with pytest.raises(ValueError, match="n_samples must be a positive int or None"):
        load_text_dataset(path, n_samples=n_samples)
    assert len(load_text_dataset(path, n_samples=100).data) == 6


# --------------------------------------------------------------------------- #
# labels a person reads: normalised, or refused with the reason (issue 31)
# --------------------------------------------------------------------------- #
def _labelled_csv(path, labels):
    import csv

    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["text", "label"])
        for i, label in enumerate(labels):
            writer.writerow([f"document number {i} good or bad", label])
    return path


@pytest.mark.parametrize("odd, code", [("pos\u200b", "U+200B"), ("\u202eneg", "U+202E"),
                                       ("pos\u2066", "U+2066"), ("ne\x1bg", "U+001B"),
                                       ("ne\x07g", "U+0007"), ("p\u200dos", "U+200D"),
                                       ("p\x85os", "U+0085")])
def test_a_label_with_control_bidi_or_invisible_characters_is_refused(tmp_path, odd, code):
    path = _labelled_csv(tmp_path / "odd.csv", ["pos", "neg"] * 5 + [odd, odd])
    with pytest.raises(ValueError, match=rf"{code.replace('+', '[+]')} \(line 12, line 13\)") \
            as info:
        load_text_dataset(path)
    message = str(info.value)
    assert "refused in labels" in message
    assert odd not in message  # shown escaped, not as it is


def test_labels_equal_after_nfc_are_named(tmp_path):
    composed, decomposed = "caf\u00e9", "cafe\u0301"
    path = _labelled_csv(tmp_path / "nfc.csv", [composed, "neg"] * 4 + [decomposed] * 2)
    with pytest.raises(ValueError, match=r"two Unicode forms") as info:
        load_text_dataset(path)
    assert "caf\\xe9" in str(info.value) and "cafe\\u0301" in str(info.value)
    # one form only: NFC-normalised, one class
    path = _labelled_csv(tmp_path / "nfd.csv", [decomposed, "neg"] * 4)
    data = load_text_dataset(path)
    assert sorted(set(data.target.tolist())) == [composed, "neg"]


@pytest.mark.parametrize("missing", ["nan", "NaN", " ", ""])
def test_a_nan_or_empty_label_is_refused_naming_the_rows(tmp_path, missing):
    path = _labelled_csv(tmp_path / "nan.csv", ["pos", "neg"] * 4 + [missing, "pos", missing])
    with pytest.raises(ValueError, match=r"empty, null or 'nan' in 2 rows") as info:
        load_text_dataset(path)
    assert "(line 10, line 12)" in str(info.value)


def test_class_folders_are_normalised_and_checked(tmp_path):
    for name in ("cafe\u0301", "neg"):
        (tmp_path / "data" / name).mkdir(parents=True)
        for i in range(3):
            (tmp_path / "data" / name / f"{i}.txt").write_text(f"text {i} of {name}")
    data = load_text_dataset(tmp_path / "data")
    assert sorted(set(data.target.tolist())) == ["caf\u00e9", "neg"]
    (tmp_path / "data" / "pos\u202e").mkdir()
    (tmp_path / "data" / "pos\u202e" / "0.txt").write_text("a document")
    with pytest.raises(ValueError, match=r"U\+202E"):
        load_text_dataset(tmp_path / "data")


# --------------------------------------------------------------------------- #
# what is not a file of documents (issue 31)
# --------------------------------------------------------------------------- #
def test_a_fifo_or_a_device_is_refused_not_waited_on(tmp_path, run_python):
    os.mkfifo(tmp_path / "data.csv")  # nobody writes: reading it would wait forever
    (tmp_path / "zero.csv").symlink_to("/dev/zero")  # never ends
    code = ("import sys\nfrom sklearn_rnn.datasets import load_text_dataset\n"
            "try:\n    load_text_dataset(sys.argv[1])\n"
            "except ValueError as exc:\n    print(exc)\n")
    for name in ("data.csv", "zero.csv"):
        done = run_python("-c", code, tmp_path / name, timeout=60)
        assert "is not a regular file (a FIFO, a device or a socket" in done.stdout


@pytest.mark.parametrize("name, content", [
    ("deep.json", "[" * 100_000 + "]" * 100_000),
    ("deep.jsonl", '{"text": "a", "label": "b"}\n' + "[" * 100_000 + "]" * 100_000 + "\n"),
])
def test_json_nested_too_deep_is_said_in_our_words(tmp_path, name, content):
    (tmp_path / name).write_text(content)
    with pytest.raises(ValueError, match=r"nested deeper than Python's reader can follow"):
        load_text_dataset(tmp_path / name)


def test_a_compressed_file_that_inflates_past_the_bound_is_refused(tmp_path):
    import gzip

    from sklearn_rnn.datasets._tables import MAX_INFLATION

    bomb = tmp_path / "bomb.csv.gz"  # 300 MB of one byte in about 300 kB
    with gzip.open(bomb, "wb", compresslevel=1) as f:
        f.write(b"text,label\n")
        for _ in range(300):
            f.write(b"a" * 2**20)
    with pytest.raises(ValueError, match=rf"inflates to more than .* \({MAX_INFLATION} times"):
        load_text_dataset(bomb)
    fine = tmp_path / "fine.csv.gz"  # two gzip members one after the other
    fine.write_bytes(gzip.compress(b"text,label\ngood film,pos\nbad film,neg\n")
                     + gzip.compress(b"great,pos\nawful,neg\n"))
    assert sorted(load_text_dataset(fine).data) == ["awful", "bad film", "good film", "great"]
