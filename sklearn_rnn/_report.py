"""One self-contained HTML page for a comparison: the report of ``sklearn-rnn compare``.

:func:`write_report` writes a single file a person opens in any browser, or
sends to a colleague: the CSS inline, the figures embedded as ``data:``
URIs, nothing fetched from the network, no JavaScript (a Content Security
Policy forbids scripts and remote resources outright). Every piece of text
is escaped; documents are shown as text, their ``<br />`` tags as line
breaks, never as markup.

No torch here: the standard library only. (The check that the page opens
cleanly in a real browser is test tooling: ``tests/_chromium.py``.)
"""

import base64
import html
import math
import re
from datetime import datetime, timezone
from pathlib import Path

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
main { max-width: 1180px; margin: 0 auto; padding: 28px 24px 48px; }
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
th { background: #f1f3f6; font-weight: 600; font-size: 13px; white-space: nowrap; }
tr:last-child td { border-bottom: none; }
.results td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.results th.num { text-align: right; }
.results tr.best td { background: #f0fdf4; }
.results td.best-cell { font-weight: 700; color: var(--good); }
.settings td:first-child { color: var(--muted); white-space: nowrap; }
.settings td { font-size: 14px; }
.scroll { overflow-x: auto; }
.figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(340px, 1fr));
           gap: 16px; }
figure { margin: 0; background: var(--card); padding: 10px; border-radius: 6px;
         box-shadow: 0 1px 2px rgba(0,0,0,.06); }
figure img { width: 100%; height: auto; display: block; }
figcaption { color: var(--muted); font-size: 13px; margin-top: 6px; text-align: center; }
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


def _escape(value):
    return html.escape(str(value), quote=True)


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
    return _ESCAPED_BREAK.sub("<br>", _escape(text))


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
        ``|weight|`` over the document's largest ``|weight|`` (words under a
        tenth of the largest stay plain). Overlapping or out-of-range spans,
        and spans inside a ``<br />`` tag, are skipped.

    Returns
    -------
    html : str
    """
    # words inside a <br /> (scikit-learn's tokenizer reads 'br') are not
    # highlighted: the tag stays whole, shown as a line break
    breaks = [m.span() for m in _BREAK.finditer(text)] if "<" in text else []
    spans = sorted((int(s), int(e), float(w)) for s, e, w in spans
                   if 0 <= int(s) < int(e) <= len(text) and math.isfinite(float(w))
                   and not any(a < int(e) and int(s) < b for a, b in breaks))
    largest = max((abs(w) for _, _, w in spans), default=0.0)
    out, at = [], 0
    for start, end, weight in spans:
        if start < at:
            continue
        out.append(_text_html(text[at:start]))
        word = _escape(text[start:end])
        alpha = 0.0 if largest == 0 else 0.8 * abs(weight) / largest
        if alpha < _FAINTEST:
            out.append(word)
        else:
            r, g, b = _TOWARD if weight > 0 else _AGAINST
            out.append(f'<mark style="background:rgba({r},{g},{b},{alpha:.2f})" '
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
    head = "".join(f'<th class="num">{_escape(c)}</th>' if c in numeric
                   else f"<th>{_escape(c)}</th>" for c in columns)
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
    return (f'<div class="scroll"><table class="results"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table></div>")


def _settings(settings):
    def fmt(value):
        if isinstance(value, (list, tuple)):
            return ", ".join(str(v) for v in value)
        return _format_cell("", value) if value is None or _is_number(value) else str(value)

    rows = "".join(f"<tr><td>{_escape(k)}</td><td>{_escape(fmt(v))}</td></tr>"
                   for k, v in settings.items())
    return f'<table class="settings"><tbody>{rows}</tbody></table>'


def _figures(figures):
    out = []
    for caption, png in figures:
        data = base64.b64encode(bytes(png)).decode("ascii")
        out.append(f'<figure><img src="data:image/png;base64,{data}" alt="{_escape(caption)}">'
                   f"<figcaption>{_escape(caption)}</figcaption></figure>")
    return f'<div class="figures">{"".join(out)}</div>'


def _verdict(p):
    mark = '<span class="ok" title="right">✓</span>' if p.get("correct") else \
        '<span class="ko" title="wrong">✗</span>'
    conf = p.get("confidence")
    conf = "" if conf is None else f" ({100 * float(conf):.1f}%)"
    return f"{_escape(p.get('label'))}{_escape(conf)} {mark}"


def _document(doc):
    predictions = list(doc.get("predictions", ()))
    chips = "".join(
        f'<li class="chip {"right" if p.get("correct") else "wrong"}">'
        f"{_escape(p.get('model'))}: {_verdict(p)}</li>" for p in predictions)
    parts = [
        '<article class="doc"><div class="doc-head">'
        f'<span class="index">Document #{_escape(doc.get("index"))}</span>'
        f'<span class="truth">true label: <b>{_escape(doc.get("truth"))}</b></span></div>'
        f'<ul class="chips">{chips}</ul>'
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


def write_report(path, *, title, summary, settings, columns, rows, figures, documents,
                 notes=()):
    """Write one self-contained HTML file (no network, no server): images embedded as data URIs,
    CSS inline, no JavaScript required (a little is fine if it degrades).

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
    figures : list of (str, bytes)
        ``(caption, PNG bytes)``, shown side by side in a responsive grid.
    documents : list of dict
        ``{"section": "Sample documents" or "Misclassified documents",
        "index": int, "text": str, "truth": label, "predictions": [{"model":
        str, "label": label, "confidence": float, "correct": bool, "spans":
        [(start, end, weight), ...] or None}, ...]}``. Sections appear in the
        order they are first met. Each document shows every model's
        prediction, confidence and ✓/✗, then its words highlighted once per
        model that has spans (green toward the predicted class, red
        against; :func:`highlight`; ``Explanation.spans()`` gives them).
    notes : sequence of str, default=()
        Shown at the end.

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
        f'<mark style="background:rgba({",".join(map(str, _TOWARD))},0.45)">toward</mark> the '
        "model's predicted class, "
        f'<mark style="background:rgba({",".join(map(str, _AGAINST))},0.45)">against</mark> it; '
        "the stronger the colour, the larger the word's share of the decision (relative to "
        "the document's strongest word). Hover a word for its share of the log-odds.</p>"
        if any_spans else "")
    body = [
        f"<header><h1>{_escape(title)}</h1>",
        f'<p class="generated">Written {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC by '
        "sklearn_rnn</p>",
        f'<p class="summary">{_escape(summary)}</p></header>',
    ]
    if rows:
        body.append(f"<section><h2>Results</h2>{_table(list(columns), list(rows))}</section>")
    if settings:
        body.append(f"<section><h2>Settings</h2>{_settings(settings)}</section>")
    if figures:
        body.append(f"<section><h2>Figures</h2>{_figures(figures)}</section>")
    for name, docs in sections.items():
        body.append(f"<section><h2>{_escape(name)}</h2>{legend}"
                    f"{''.join(_document(d) for d in docs)}</section>")
    if notes:
        items = "".join(f"<li>{_escape(n)}</li>" for n in notes)
        body.append(f'<section><h2>Notes</h2><ul class="notes">{items}</ul></section>')
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
