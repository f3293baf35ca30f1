"""One self-contained HTML page for a comparison: the report of ``sklearn-rnn compare``.

:func:`write_report` writes a single file a person opens in any browser, or
sends to a colleague: the CSS inline, the figures embedded as ``data:``
URIs, nothing fetched from the network, no JavaScript (a Content Security
Policy forbids scripts and remote resources outright). Every piece of text
is escaped, its control and bidirectional characters written out
(``\\x1b``, ``\\u202e``); documents are shown as text, their ``<br />``
tags as line breaks, never as markup.

No torch here: the standard library only. (The check that the page opens
cleanly in a real browser is test tooling: ``tests/_chromium.py``.)
"""

import base64
import bisect
import html
import math
import re
from datetime import datetime, timezone
from pathlib import Path

from ._utils._printable import printable

__all__ = ["write_report", "highlight"]

#: Columns whose float values are rates, shown as percentages.
_RATE_PREFIXES = ("accuracy", "misclassified", "macro_f1", "majority")

#: ``<br>``, ``<br/>``, ``<br />`` once escaped: shown as a line break.
_ESCAPED_BREAK = re.compile(r"&lt;br\s*/?\s*&gt;", re.IGNORECASE)
_BREAK = re.compile(r"<br\s*/?\s*>", re.IGNORECASE)

#: Highlight colours (RGB): toward the predicted class, against it.
_TOWARD, _AGAINST = (22, 163, 74), (220, 38, 38)
#: Words whose highlight would be fainter than this opacity stay plain (the
#: page stays readable when every word has a small share).
_FAINTEST = 0.08

_CSS = """
:root { --ink: #1f2937; --muted: #6b7280; --line: #e5e7eb; --card: #ffffff;
        --bg: #f6f7f9; --accent: #2563eb; --good: #15803d; --bad: #b91c1c; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
       font: 15px/1.55 -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue",
             Arial, "Noto Sans", sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 12px 24px 48px; }
nav.contents { position: sticky; top: 0; z-index: 5; background: rgba(246,247,249,.96);
               border-bottom: 1px solid var(--line); padding: 8px 0; margin: 0 0 16px;
               display: flex; flex-wrap: wrap; gap: 4px 16px; font-size: 14px; }
nav.contents a { color: var(--accent); text-decoration: none; white-space: nowrap; }
nav.contents a:hover { text-decoration: underline; }
section { scroll-margin-top: 48px; }
h1 { font-size: 26px; margin: 0 0 6px; letter-spacing: -0.01em; }
h2 { font-size: 19px; margin: 34px 0 12px; padding-bottom: 6px;
     border-bottom: 1px solid var(--line); }
.generated { color: var(--muted); font-size: 13px; margin: 0 0 16px; }
.summary { background: var(--card); border-left: 4px solid var(--accent); padding: 12px 16px;
           margin: 0; border-radius: 6px; box-shadow: 0 1px 2px rgba(0,0,0,.05);
           font-size: 16px; }
table { border-collapse: collapse; background: var(--card); border-radius: 6px;
        overflow: hidden; box-shadow: 0 1px 2px rgba(0,0,0,.06); }
th, td { padding: 7px 12px; border-bottom: 1px solid var(--line); text-align: left;
         vertical-align: top; }
th { background: #f1f3f6; font-weight: 600; font-size: 13px; }
.results th { vertical-align: bottom; }
.results th.group { text-align: center; border-bottom: 1px solid var(--line); }
.results td:first-child { min-width: 10em; }
tr:last-child td { border-bottom: none; }
.results td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.results th.num { text-align: right; }
.results tr.best td { background: #f0fdf4; }
.results td.best-cell { font-weight: 700; color: var(--good); }
.settings td:first-child { color: var(--muted); white-space: nowrap; }
.settings td { font-size: 14px; }
.scroll { overflow-x: auto; }
.figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(460px, 1fr));
           gap: 16px; }
figure { margin: 0; background: var(--card); padding: 10px; border-radius: 6px;
         box-shadow: 0 1px 2px rgba(0,0,0,.06); }
figure img { width: 100%; height: auto; display: block; cursor: zoom-in; }
figcaption { color: var(--muted); font-size: 13px; margin-top: 6px; text-align: center; }
figure .close { display: none; }
figure:target { position: fixed; inset: 0; z-index: 10; margin: 0; border-radius: 0;
                background: #fff; overflow: auto; padding: 16px; }
figure:target img { width: auto; max-width: 100%; max-height: calc(100vh - 90px);
                    margin: 0 auto; cursor: default; }
figure:target .close { display: block; text-align: right; font-size: 15px; }
.pages > details { border: none; padding: 0; margin: 0 0 10px; }
.pages > details > summary { font-size: 15px; font-weight: 600; padding: 6px 0; }
pre.code { background: #111827; color: #f9fafb; padding: 10px 14px; border-radius: 6px;
           overflow-x: auto; font-size: 13px; }
.legend { color: var(--muted); font-size: 13px; margin: -4px 0 12px; }
.legend mark { padding: 0 4px; border-radius: 3px; color: var(--ink); }
.doc { background: var(--card); border-radius: 6px; padding: 14px 16px; margin: 0 0 14px;
       box-shadow: 0 1px 2px rgba(0,0,0,.06); }
.doc-head { display: flex; flex-wrap: wrap; gap: 6px 14px; align-items: baseline;
            margin-bottom: 8px; }
.doc-head .index { font-weight: 700; }
.doc-head .truth { color: var(--muted); }
.chips { display: flex; flex-wrap: wrap; gap: 6px; margin: 0 0 8px; padding: 0;
         list-style: none; }
.chip { font-size: 13px; border: 1px solid var(--line); border-radius: 999px;
        padding: 1px 10px; white-space: nowrap; }
.chip.right { border-color: #bbf7d0; background: #f0fdf4; }
.chip.wrong { border-color: #fecaca; background: #fef2f2; }
.ok { color: var(--good); font-weight: 700; }
.ko { color: var(--bad); font-weight: 700; }
details { border-top: 1px solid var(--line); padding-top: 6px; margin-top: 6px; }
summary { cursor: pointer; font-size: 14px; color: var(--ink); }
summary .model { font-weight: 600; }
.text { margin: 8px 0 4px; max-height: 22em; overflow-y: auto; padding-right: 6px;
        overflow-wrap: anywhere; }
.text mark { color: inherit; border-radius: 3px; padding: 0 1px; }
.notes li { margin-bottom: 4px; }
footer { color: var(--muted); font-size: 12px; margin-top: 40px; }
"""


#: Highlight opacity steps: a word's mark is class ``t<k>`` (toward the
#: predicted class) or ``a<k>`` (against it), opacity ``k / 10``: one short
#: class per word instead of a style, so that a page of 300 highlighted
#: documents stays small.
_STEPS = range(1, 9)
_CSS += "".join(f".t{k} {{ background: rgba({','.join(map(str, _TOWARD))},0.{k}); }}\n"
                f".a{k} {{ background: rgba({','.join(map(str, _AGAINST))},0.{k}); }}\n"
                for k in _STEPS)


def _escape(value, *, document=False):
    """HTML-escaped text, its control and bidirectional characters written
    out as visible escapes (``\\x1b``, ``\\u202e``): a label cannot reorder
    the confidence beside it."""
    return html.escape(printable(value, document=document, lines=True), quote=True)


def _is_rate(column):
    return str(column).startswith(_RATE_PREFIXES)


def _format_cell(column, value):
    """A table cell's text: rates as %, other floats with one decimal, None as '—'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) or type(value).__name__.startswith("float"):
        value = float(value)
        return f"{100 * value:.1f}%" if _is_rate(column) else f"{value:,.1f}"
    if isinstance(value, int) or type(value).__name__.startswith("int"):
        return f"{int(value):,}"
    return str(value)


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) or \
        type(value).__name__.startswith(("float", "int"))


def _text_html(text):
    """Escaped text with ``<br />`` tags as line breaks."""
    return _ESCAPED_BREAK.sub("<br>", _escape(text, document=True))


def highlight(text, spans):
    """HTML of ``text`` with each span's words highlighted by its weight.

    Parameters
    ----------
    text : str
        The document (any HTML in it is escaped; ``<br />`` becomes a line
        break).
    spans : list of (int, int, float)
        ``(start, end, weight)``: positive weights in green (toward the
        predicted class), negative in red, the opacity in proportion to
        ``|weight|`` over the document's largest ``|weight|``, in steps of
        0.1 (classes ``t1``-``t8`` and ``a1``-``a8`` of the report's style
        sheet; words under a tenth of the largest stay plain). Overlapping
        or out-of-range spans, and spans inside a ``<br />`` tag, are
        skipped.

    Returns
    -------
    html : str
    """
    # words inside a <br /> (scikit-learn's tokenizer reads 'br') are not
    # highlighted: the tag stays whole, shown as a line break
    breaks = [m.span() for m in _BREAK.finditer(text)] if "<" in text else []
    starts = [a for a, _ in breaks]

    def in_break(start, end):
        # the last tag starting before the word's end is the only one that
        # can overlap it (tags do not overlap): a binary search, not a scan
        k = bisect.bisect_left(starts, end) - 1
        return k >= 0 and start < breaks[k][1]

    spans = sorted((int(s), int(e), float(w)) for s, e, w in spans
                   if 0 <= int(s) < int(e) <= len(text) and math.isfinite(float(w))
                   and not in_break(int(s), int(e)))
    largest = max((abs(w) for _, _, w in spans), default=0.0)
    out, at = [], 0
    for start, end, weight in spans:
        if start < at:
            continue
        out.append(_text_html(text[at:start]))
        word = _escape(text[start:end], document=True)
        alpha = 0.0 if largest == 0 else 0.8 * abs(weight) / largest
        if alpha < _FAINTEST:
            out.append(word)
        else:
            step = min(max(round(10 * alpha), _STEPS[0]), _STEPS[-1])
            out.append(f'<mark class="{"t" if weight > 0 else "a"}{step}" '
                       f'title="{weight:+.3f}">{word}</mark>')
        at = end
    out.append(_text_html(text[at:]))
    return "".join(out)


def _table(columns, rows):
    best = None
    if "accuracy" in columns:
        scores = [r.get("accuracy") for r in rows]
        valid = [(s, i) for i, s in enumerate(scores) if _is_number(s) and not math.isnan(s)]
        if valid:
            top = max(s for s, _ in valid)
            best = {i for s, i in valid if s == top}
    numeric = {c for c in columns if any(_is_number(r.get(c)) for r in rows)}
    body = []
    for i, row in enumerate(rows):
        cells = []
        for c in columns:
            classes = ["num"] if c in numeric else []
            if best and i in best and c == "accuracy":
                classes.append("best-cell")
            attr = f' class="{" ".join(classes)}"' if classes else ""
            cells.append(f"<td{attr}>{_escape(_format_cell(c, row.get(c)))}</td>")
        tr = ' class="best"' if best and i in best else ""
        body.append(f"<tr{tr}>{''.join(cells)}</tr>")
    return (f'<div class="scroll"><table class="results"><thead>{_head(columns, numeric)}'
            f"</thead><tbody>{''.join(body)}</tbody></table></div>")


#: Table columns as a person reads them.
_HEADINGS = {"misclassified_rate": "misclassified", "macro_f1": "macro F1",
             "fit_seconds": "fit (s)", "predict_seconds": "predict (s)",
             "predict_docs_per_second": "documents/s"}
#: Per-class columns (``accuracy_<label>``), under one heading.
_PER_CLASS = "accuracy_"


def _head(columns, numeric):
    """The table's header: one row, or two when per-class columns stand
    under one "accuracy per class" heading (labels wrap; the table stays
    within the page)."""
    def th(column, text, extra=""):
        cls = ' class="num"' if column in numeric else ""
        return f"<th{cls}{extra}>{_escape(text)}</th>"

    per_class = [c for c in columns if str(c).startswith(_PER_CLASS)]
    if not per_class:
        return "<tr>" + "".join(th(c, _HEADINGS.get(c, c)) for c in columns) + "</tr>"
    top, done = [], False
    for c in columns:
        if c in per_class:
            if not done:
                top.append(f'<th class="group" colspan="{len(per_class)}">accuracy per '
                           "class</th>")
                done = True
        else:
            top.append(th(c, _HEADINGS.get(c, c), ' rowspan="2"'))
    labels = "".join(th(c, str(c)[len(_PER_CLASS):]) for c in per_class)
    return f"<tr>{''.join(top)}</tr><tr>{labels}</tr>"


def _settings(settings):
    def fmt(value):
        if isinstance(value, (list, tuple)):
            return ", ".join(str(v) for v in value)
        return _format_cell("", value) if value is None or _is_number(value) else str(value)

    rows = "".join(f"<tr><td>{_escape(k)}</td><td>{_escape(fmt(v))}</td></tr>"
                   for k, v in settings.items())
    return f'<table class="settings"><tbody>{rows}</tbody></table>'


def _figures(figures):
    """Figures in a grid; each opens over the page, fitted to the window,
    when clicked (its own ``:target``: no script, the image embedded once)."""
    out = []
    for k, figure in enumerate(figures, 1):
        caption, png = figure[0], figure[1]
        data = base64.b64encode(bytes(png)).decode("ascii")
        out.append(f'<figure id="figure-{k}"><a class="close" href="#figures">close ✕</a>'
                   f'<a href="#figure-{k}" title="open full size">'
                   f'<img src="data:image/png;base64,{data}" alt="{_escape(caption)}"></a>'
                   f"<figcaption>{_escape(caption)}"
                   + (f" ({_escape(figure[2])})" if len(figure) > 2 and figure[2] else "")
                   + "</figcaption></figure>")
    return ('<p class="legend">Click a figure to see it full size.</p>'
            f'<div class="figures">{"".join(out)}</div>')


def _verdict(p):
    correct = p.get("correct")
    mark = "" if correct is None else '<span class="ok" title="right">✓</span>' if correct \
        else '<span class="ko" title="wrong">✗</span>'
    conf = p.get("confidence")
    conf = "" if conf is None else f" ({100 * float(conf):.1f}%)"
    return f"{_escape(p.get('label'))}{_escape(conf)} {mark}"


#: A prediction's chip: right, wrong, or no truth to compare with.
_CHIP = {True: " right", False: " wrong"}
#: Documents of a section shown per page (a collapsed ``<details>`` each,
#: the first open).
DOCUMENTS_PER_PAGE = 25


def _document(doc):
    predictions = list(doc.get("predictions", ()))
    chips = "".join(
        f'<li class="chip{_CHIP.get(p.get("correct"), "")}">'
        f"{_escape(p.get('model'))}: {_verdict(p)}</li>" for p in predictions)
    truth = doc.get("truth")
    parts = [
        '<article class="doc"><div class="doc-head">'
        f'<span class="index">Document #{_escape(doc.get("index"))}</span>'
        + ("" if truth is None else
           f'<span class="truth">true label: <b>{_escape(truth)}</b></span>')
        + f'</div><ul class="chips">{chips}</ul>'
    ]
    explained = [p for p in predictions if p.get("spans") is not None]
    for k, p in enumerate(explained):
        parts.append(
            f"<details{' open' if k == 0 else ''}><summary><span class=\"model\">"
            f"{_escape(p.get('model'))}</span>: {_verdict(p)}: highlighted words</summary>"
            f'<div class="text">{highlight(str(doc.get("text", "")), p["spans"])}</div>'
            "</details>")
    if not explained:
        parts.append(f'<div class="text">{_text_html(doc.get("text", ""))}</div>')
    parts.append("</article>")
    return "".join(parts)


def _pages(docs):
    """A section's documents: as they are up to :data:`DOCUMENTS_PER_PAGE`,
    else in collapsed pages of that many (the first open)."""
    if len(docs) <= DOCUMENTS_PER_PAGE:
        return "".join(_document(d) for d in docs)
    pages = []
    for first in range(0, len(docs), DOCUMENTS_PER_PAGE):
        page = docs[first:first + DOCUMENTS_PER_PAGE]
        pages.append(f"<details{' open' if first == 0 else ''}><summary>Documents "
                     f"{first + 1:,}-{first + len(page):,} of {len(docs):,}</summary>"
                     f"{''.join(_document(d) for d in page)}</details>")
    return f'<div class="pages">{"".join(pages)}</div>'


def _saved(saved):
    """The saved models: a table (model, file, size, card or why not saved)
    and the lines that use the best one."""
    rows = "".join(
        f"<tr><td>{_escape(m.get('model'))}</td><td>{_escape(m.get('file') or '—')}</td>"
        f'<td class="num">{_escape(m.get("size") or "—")}</td>'
        f"<td>{_escape(m.get('note') or '')}</td></tr>" for m in saved.get("rows", ()))
    table = ('<div class="scroll"><table class="results"><thead><tr><th>model</th>'
             '<th>file</th><th class="num">size</th><th></th></tr></thead>'
             f"<tbody>{rows}</tbody></table></div>") if rows else ""
    text = f"<p>{_escape(saved['text'])}</p>" if saved.get("text") else ""
    lines = saved.get("lines")
    code = f'<pre class="code">{_escape(chr(10).join(lines))}</pre>' if lines else ""
    return text + code + table


def write_report(path, *, title, summary, settings, columns, rows, figures, documents,
                 notes=(), saved=None):
    """Write one self-contained HTML file (no network, no server): images embedded as data URIs,
    CSS inline, no JavaScript. A contents bar at the top links to each
    section.

    Parameters
    ----------
    path : str or path-like
        Where to write the page (UTF-8).
    title : str
        The page's title and heading.
    summary : str
        A short paragraph at the top: the verdict (which row won, by how much).
    settings : dict
        Shown as a small two-column table.
    columns : list of str
        Keys of ``rows`` to show, in order.
    rows : list of dict
        The comparison table. Floats in columns whose name starts with
        ``accuracy``, ``misclassified``, ``macro_f1`` or ``majority`` are
        rates shown as percentages, other floats with one decimal, None as
        '—'. The best ``accuracy`` is highlighted.
    figures : list of (str, bytes) or (str, bytes, str)
        ``(caption, PNG bytes)``, or with the figure's file name, shown side
        by side in a grid; a click shows one full size over the page.
    documents : list of dict
        ``{"section": "Sample documents" or "Misclassified documents",
        "index": int, "text": str, "truth": label or None, "predictions":
        [{"model": str, "label": label, "confidence": float, "correct": bool
        or None, "spans": [(start, end, weight), ...] or None}, ...]}``.
        Sections appear in the order they are first met, more than
        :data:`DOCUMENTS_PER_PAGE` documents in collapsed pages. Each
        document shows every model's prediction, confidence and ✓/✗ (none
        when ``correct`` is None: no truth), then its words highlighted once
        per model that has spans (green toward the predicted class, red
        against; :func:`highlight`; ``Explanation.spans()`` gives them).
    notes : sequence of str, default=()
        Shown at the end.
    saved : dict, default=None
        The models the run kept: ``{"text": str, "lines": [str, ...] (shown
        as code: how to load and use them), "rows": [{"model": str, "file":
        str, "size": str, "note": str}, ...]}``.

    Returns
    -------
    path : pathlib.Path
    """
    sections = {}
    for doc in documents:
        sections.setdefault(str(doc.get("section", "Documents")), []).append(doc)
    any_spans = any(p.get("spans") is not None for d in documents
                    for p in d.get("predictions", ()))
    legend = (
        '<p class="legend">Highlighted words: '
        '<mark class="t5">toward</mark> the model\'s predicted class, '
        '<mark class="a5">against</mark> it; '
        "the stronger the colour, the larger the word's share of the decision (relative to "
        "the document's strongest word). Hover a word for its share of the log-odds.</p>"
        if any_spans else "")
    parts = []  # (anchor, heading, html)
    if rows:
        parts.append(("results", "Results", _table(list(columns), list(rows))))
    if saved:
        parts.append(("models", "Saved models", _saved(saved)))
    if settings:
        parts.append(("settings", "Settings", _settings(settings)))
    if figures:
        parts.append(("figures", "Figures", _figures(figures)))
    for k, (name, docs) in enumerate(sections.items(), 1):
        parts.append((f"documents-{k}", f"{name} ({len(docs):,})" if len(docs) > 1 else name,
                      legend + _pages(docs)))
    if notes:
        items = "".join(f"<li>{_escape(n)}</li>" for n in notes)
        parts.append(("notes", "Notes", f'<ul class="notes">{items}</ul>'))
    contents = "".join(f'<a href="#{anchor}">{_escape(heading)}</a>'
                       for anchor, heading, _ in parts)
    body = [
        f'<nav class="contents">{contents}</nav>' if len(parts) > 1 else "",
        f"<header><h1>{_escape(title)}</h1>",
        f'<p class="generated">Written {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC by '
        "sklearn_rnn</p>",
        f'<p class="summary">{_escape(summary)}</p></header>',
        *(f'<section id="{anchor}"><h2>{_escape(heading)}</h2>{content}</section>'
          for anchor, heading, content in parts),
    ]
    page = (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "img-src data:; style-src 'unsafe-inline'\">"
        f"<title>{_escape(title)}</title><style>{_CSS}</style></head>\n"
        f"<body><main>{''.join(body)}</main></body></html>\n"
    )
    path = Path(path)
    path.write_text(page, encoding="utf-8")
    return path
