"""Control and bidirectional characters of a stranger's text are shown as
escapes wherever it is printed: the terminal's tables and samples, the
report page (issue 31)."""

import html

import numpy as np

from sklearn_rnn._report import highlight, write_report
from sklearn_rnn._utils._printable import printable, unsafe_characters
from sklearn_rnn.evaluation import format_samples, format_table

RAW = ("\x1b", "\x07", "\x9b", "\x7f", "\u202e", "\u2066", "\u200b", "\ufeff", "\r")


def test_printable_escapes_controls_and_bidi_and_keeps_scripts():
    assert printable("pos\x1b]52;c;aGk=\x07") == "pos\\x1b]52;c;aGk=\\x07"
    assert printable("\u202eneg") == "\\u202eneg"
    assert printable("a\r\nb") == "a\\x0d\\x0ab"
    assert printable("a\tb\nc", lines=True) == "a\tb\nc"
    assert printable("a\rb", lines=True) == "a\\x0db"  # would write over the line
    persian = "می\u200cخواهم"  # the zero-width non-joiner is part of the word
    assert printable(persian, document=True) == persian
    assert printable(persian) == "می\\u200cخواهم"  # in a label: escaped
    assert printable("naïve 映画 😀") == "naïve 映画 😀"
    assert unsafe_characters("po\u200bs\u202e") == ["U+200B", "U+202E"]


def test_format_samples_and_table_escape_documents_and_labels():
    samples = [{"index": 3, "text": "fine \x1b[2J\x1b]52;c;aGk=\x07 \u202eevil",
                "truth": "pos\u202e", "predictions": {"lstm\x1b[31m": ("neg\u200b", 0.9)}}]
    shown = format_samples(samples)
    assert not any(c in shown for c in RAW)
    assert "\\x1b[2J" in shown and "\\u202eevil" in shown and "neg\\u200b" in shown
    table = format_table([{"model": "a\x1b[31m", "accuracy_pos\u202e": 0.5}])
    assert not any(c in table for c in RAW)
    assert "accuracy_pos\\u202e" in table and "a\\x1b[31m" in table


def test_report_escapes_controls_in_documents_labels_and_highlights(tmp_path):
    text = "good \u202eboring\u202c film<br />\x1b]52;c;aGk=\x07 great"
    spans = [(0, 4, 1.0), (6, 12, -0.5), (text.index("great"), len(text), 0.8)]
    page = write_report(
        tmp_path / "r.html", title="t\x1b[2J", summary="s", settings={"k": "v\u2066"},
        columns=["model", "accuracy"], rows=[{"model": "m\u202e", "accuracy": 0.5}],
        figures=[], documents=[{"section": "Sample", "index": 0, "text": text,
                                "truth": "pos\u202e", "predictions": [
                                    {"model": "m", "label": "neg\u200b", "confidence": 0.9,
                                     "correct": False, "spans": spans}]}]).read_text()
    assert not any(c in page for c in RAW)
    assert "\\u202e" in page and "\\u202c film" in page
    assert "\\x1b]52" in page and "pos\\u202e" in page
    assert html.escape("<br>") not in page and "<br>" in page  # the tag still breaks the line


def test_highlight_is_linear_in_line_breaks():
    # 40,000 <br /> tags and 80,000 highlighted words: checked against every
    # tag, this took minutes; with a binary search, well under a second
    text = "word other <br />" * 40_000
    starts = np.arange(0, len(text), 17)
    spans = [(int(s), int(s) + 4, 1.0) for s in starts] + \
            [(int(s) + 5, int(s) + 10, -1.0) for s in starts] + \
            [(int(s) + 12, int(s) + 14, 1.0) for s in starts]  # inside the tag: skipped
    out = highlight(text, spans)
    assert out.count("<mark") == 80_000
    assert out.count("<br>") == 40_000


def test_predict_escapes_labels_on_a_terminal_and_keeps_them_in_a_file():
    import io

    from sklearn_rnn._predict import _write

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    pred, classes = np.array(["neg\x1b[2J", "pos"]), np.array(["neg\x1b[2J", "pos"])
    proba = np.array([[0.9, 0.1], [0.2, 0.8]])
    for kind in ("csv", "jsonl"):
        shown, kept = Terminal(), io.StringIO()
        _write(shown, kind, pred, proba, classes, True)
        _write(kept, kind, pred, proba, classes, True)
        assert "\x1b" not in shown.getvalue() and "\\x1b[2J" in shown.getvalue()
        assert kind == "jsonl" or "neg\x1b[2J" in kept.getvalue()  # data, as it is
