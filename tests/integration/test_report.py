"""The report page: one self-contained, escaped HTML file that renders cleanly."""

import html
import io
import re
from html.parser import HTMLParser

import numpy as np
import pytest

from sklearn_rnn._report import highlight, write_report

from .._chromium import find_chromium, render_in_chromium
from ..conftest import make_reviews

MODELS = ["rnn", "lstm", "gru", "lstm-ngrams", "tfidf"]
INJECTION = ('<script>document.title="pwned"</script><img src=x onerror="alert(1)">'
             '<a href="http://evil.example/">click</a>')


def _figure(kind):
    plt = pytest.importorskip("matplotlib.pyplot")
    fig, ax = plt.subplots(figsize=(4, 3))
    if kind == "curves":
        for i, name in enumerate(MODELS[:4]):
            ax.plot([1, 2, 3], [0.6 + 0.05 * i, 0.7 + 0.03 * i, 0.75 + 0.02 * i], label=name)
        ax.legend()
    elif kind == "confusion":
        ax.imshow([[420, 80], [95, 405]], cmap="Blues")
    else:
        ax.barh(MODELS, [0.71, 0.80, 0.81, 0.83, 0.85])
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=60)
    plt.close(fig)
    return buffer.getvalue()


def _spans(text, rng):
    """Word spans of ``text`` with random weights of both signs."""
    return [(m.start(), m.end(), float(rng.normal()))
            for m in re.finditer(r"\w+", text)]


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """A realistic fake comparison: 5 models, 3 figures, 10 documents (one with
    a script injection attempt), and 2 models with highlighted words."""
    rng = np.random.default_rng(0)
    texts, labels = make_reviews(10, seed=8, min_words=40, max_words=120)
    texts[3] = INJECTION + " " + texts[3] + "<br /><br />The end."
    rows = [{"model": m, "accuracy": a, "misclassified_rate": 1 - a, "macro_f1": a - 0.01,
             "fit_seconds": 12.345 * (i + 1), "predict_docs_per_second": 1500.0 + i}
            for i, (m, a) in enumerate(zip(MODELS, [0.71, 0.80, 0.81, 0.8312, 0.85],
                                           strict=True))]
    rows.append({"model": "majority", "accuracy": 0.5, "misclassified_rate": 0.5,
                 "macro_f1": 0.333, "fit_seconds": None, "predict_docs_per_second": None})
    documents = []
    for i, (text, truth) in enumerate(zip(texts, labels, strict=True)):
        predictions = []
        for m in MODELS:
            label = truth if rng.random() < 0.7 else "other"
            predictions.append({
                "model": m, "label": label, "confidence": float(rng.uniform(0.5, 1)),
                "correct": label == truth,
                "spans": _spans(text, rng) if m in ("lstm-ngrams", "tfidf") else None})
        documents.append({"section": "Sample documents" if i < 5 else "Misclassified documents",
                          "index": 1000 + i, "text": text, "truth": truth,
                          "predictions": predictions})
    path = tmp_path_factory.mktemp("report") / "report.html"
    write_report(
        path, title="RNN vs LSTM vs TF-IDF <on> IMDB",
        summary="tfidf wins: 85.0% accuracy, 1.9 points above lstm-ngrams.",
        settings={"data": "IMDB", "training documents": 2000, "epochs": 5,
                  "models": MODELS, "maxlen": None},
        columns=list(rows[0]), rows=rows,
        figures=[("Training curves", _figure("curves")),
                 ("Confusion matrix: tfidf", _figure("confusion")),
                 ("Accuracy", _figure("bars"))],
        documents=documents, notes=["test documents used as unlabelled text"])
    return path


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def _tags(page):
    parser = _Tags()
    parser.feed(page)
    return parser.tags


def test_report_is_one_self_contained_document(report):
    page = report.read_text(encoding="utf-8")
    tags = _tags(page)
    assert page.startswith("<!DOCTYPE html>") and page.count("<html") == 1
    images = [attrs["src"] for tag, attrs in tags if tag == "img"]
    assert len(images) == 3
    assert all(src.startswith("data:image/png;base64,") for src in images)
    # nothing fetched: no stylesheet or script files, no http(s) resources
    assert not [tag for tag, _ in tags if tag in ("script", "link", "iframe", "object")]
    for _, attrs in tags:
        for name, value in attrs.items():
            assert not (value or "").startswith(("http:", "https:", "//")), (name, value)
    assert "Content-Security-Policy" in page


def test_report_escapes_every_text(report):
    page = report.read_text(encoding="utf-8")
    tags = _tags(page)
    # the injected markup is shown as text, never run or loaded
    assert "<script" not in page
    assert not [a for _, attrs in tags for a in attrs if a.startswith("on")]
    # the only links are the page's own: the contents bar and the figures
    links = [attrs for tag, attrs in tags if tag == "a"]
    assert links and all(attrs["href"].startswith("#") and set(attrs) <= {"href", "class",
                                                                          "title"}
                         for attrs in links)
    assert [attrs["src"][:5] for tag, attrs in tags if tag == "img"] == ["data:"] * 3
    plain = re.sub(r"</?mark[^>]*>", "", page)  # the words of the text, highlighted or not
    assert html.escape(INJECTION) in plain
    assert "RNN vs LSTM vs TF-IDF &lt;on&gt; IMDB" in page
    # a review's <br /> tags are line breaks
    assert "<br><br>The end." in plain


def test_report_table_formats_and_highlights_the_best(report):
    page = report.read_text(encoding="utf-8")
    best = re.search(r'<tr class="best">(.*?)</tr>', page).group(1)
    assert "tfidf" in best and '<td class="num best-cell">85.0%</td>' in best
    assert page.count('<tr class="best">') == 1
    assert ">83.1%<" in page and ">12.3<" in page and ">1,500.0<" in page
    assert ">—<" in page  # None
    assert ">IMDB<" in page and ">rnn, lstm, gru, lstm-ngrams, tfidf<" in page


def test_report_highlights_words_both_ways(report):
    page = report.read_text(encoding="utf-8")
    toward = len(re.findall(r'<mark class="t[1-8]" title="\+', page))
    against = len(re.findall(r'<mark class="a[1-8]" title="-', page))
    assert toward > 50 and against > 50
    # each of the 10 documents once per model with spans (2), the rest as chips
    assert page.count("<details") == 20
    assert page.count('class="chip ') == 50
    # each section in the contents bar and as a heading
    assert page.count(">Sample documents (5)<") == 2
    assert page.count(">Misclassified documents (5)<") == 2


def test_highlight_scales_and_escapes():
    text = "<b>good</b> & bad"
    out = highlight(text, [(3, 7, 2.0), (14, 17, -1.0), (0, 2, 0.01), (5, 9, 1.0)])
    assert out.startswith("&lt;b&gt;")
    assert '<mark class="t8" title="+2.000">good</mark>' in out  # the largest: 0.8
    assert '<mark class="a4" title="-1.000">bad</mark>' in out  # half of it
    assert "&amp;" in out and out.count("<mark") == 2  # tiny and overlapping spans: plain


def test_report_has_a_contents_bar_and_figures_that_open_full_size(report):
    page = report.read_text(encoding="utf-8")
    nav = re.search(r'<nav class="contents">(.*?)</nav>', page).group(1)
    anchors = re.findall(r'href="#([\w-]+)"', nav)
    assert anchors == ["results", "settings", "figures", "documents-1", "documents-2", "notes"]
    for anchor in anchors:
        assert page.count(f'<section id="{anchor}">') == 1
    for k in (1, 2, 3):  # each figure opens over the page (its :target), closes to the grid
        assert f'<figure id="figure-{k}"><a class="close" href="#figures">' in page
        assert f'<a href="#figure-{k}" title="open full size"><img' in page
    assert "figure:target {" in page


def _document(i, truth="pos"):
    start = len(f"text {i} ")  # the word 'good'
    return {"section": "Misclassified documents", "index": i, "text": f"text {i} good",
            "truth": truth, "predictions": [
                {"model": "m", "label": "neg", "confidence": 0.9,
                 "correct": None if truth is None else False,
                 "spans": [(start, start + 4, 1.0)]}]}


def test_report_pages_many_documents_and_groups_per_class_columns(tmp_path):
    labels = ["very negative", "negative", "neutral", "positive", "very positive"]
    rows = [{"model": "m", "accuracy": 0.5, **{f"accuracy_{label}": 0.5 for label in labels},
             "macro_f1": 0.4, "fit_seconds": 1.0}]
    path = write_report(tmp_path / "r.html", title="t", summary="s", settings={},
                        columns=list(rows[0]), rows=rows, figures=[],
                        documents=[_document(i) for i in range(60)])
    page = path.read_text(encoding="utf-8")
    assert '<th class="group" colspan="5">accuracy per class</th>' in page
    assert '<th class="num">very negative</th>' in page and "accuracy_very" not in page
    assert '<th rowspan="2">model</th>' in page and ">macro F1<" in page and ">fit (s)<" in page
    pages = re.findall(r"<details( open)?><summary>Documents (\d+)-(\d+) of 60</summary>", page)
    assert pages == [(" open", "1", "25"), ("", "26", "50"), ("", "51", "60")]
    assert page.count('class="doc"') == 60


def test_report_documents_without_truth(tmp_path):
    path = write_report(tmp_path / "r.html", title="t", summary="s", settings={}, columns=[],
                        rows=[], figures=[], documents=[_document(1, truth=None)])
    page = path.read_text(encoding="utf-8")
    assert "true label" not in page and "✓" not in page and "✗" not in page
    assert '<li class="chip">m: neg (90.0%) </li>' in page
    assert '<mark class="t8" title="+1.000">good</mark>' in page


def test_report_renders_in_headless_chromium(report, tmp_path):
    if find_chromium() is None:
        pytest.skip("no Chromium on PATH (apt-get install chromium): the page is not "
                    "rendered in a real browser")
    result = render_in_chromium(report, tmp_path / "report.png", height=2400)
    assert result["returncode"] == 0, result["stderr"][-2000:]
    assert (tmp_path / "report.png").stat().st_size > 10_000
    assert result["console"] == []  # no script error, nothing blocked
    # not blank: text, tables, figures and highlights cover much of the page
    assert result["ink"] > 0.2, result["ink"]


def test_chromium_console_errors_are_caught(tmp_path):
    # the check above could fail: a page with a script error is reported
    if find_chromium() is None:
        pytest.skip("no Chromium on PATH (apt-get install chromium)")
    bad = tmp_path / "bad.html"
    bad.write_text("<!DOCTYPE html><p>hi</p><script>undefinedFunction()</script>")
    result = render_in_chromium(bad, tmp_path / "bad.png", width=400, height=300)
    assert any("undefinedFunction" in line for line in result["console"])
    assert result["ink"] < 0.05
