"""Text to tokens: preprocessing, tokenizing, stop words and the ASCII fast path.

The callables built here are what :class:`~sklearn_rnn.TextVectorizer` calls
per document; its ``build_preprocessor``, ``build_tokenizer`` and
``build_analyzer`` methods return them, as ``CountVectorizer``'s do. They
take plain settings, never the vectorizer, and the ONNX loader
(``sklearn_rnn.onnx``) builds its analyzer from them too: this module imports
numpy and the standard library only (scikit-learn's English stop words are
read when asked for).
"""

import re
import warnings
from html import unescape
from html.entities import html5

import numpy as np

__all__ = [
    "DEFAULT_TOKEN_PATTERN",
    "HTML_TAG",
    "make_preprocessor",
    "make_tokenizer",
    "make_analyzer",
    "make_fast_analyzer",
    "make_offset_analyzer",
    "find_in_order",
    "stop_word_set",
    "unsegmented_language",
    "warn_if_unsegmented",
]

#: Words and digits (unicode-aware), keeping in-word apostrophes ("don't").
DEFAULT_TOKEN_PATTERN = r"(?u)\b\w+(?:['’]\w+)*\b"

#: An HTML tag such as ``<br />`` (bounded, so a stray ``<`` costs nothing).
HTML_TAG = re.compile(r"<[^<>]{0,200}>")
_HTML_TAG_BYTES = re.compile(rb"<[^<>]{0,200}>")
# An apostrophe that does not join two word characters (begins with a literal,
# so the regex engine scans for it at memchr speed).
_EDGE_APOSTROPHE = re.compile(rb"'(?:(?!\w)|(?<=\W')|(?<=^'))")
_WORD_BYTES = set(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_'")
_WORD_TABLE = bytes(c if c in _WORD_BYTES else 32 for c in range(256))


def _identity(text):
    return text


def make_preprocessor(*, strip_html, lowercase):
    """Return ``text -> text``: HTML tags replaced by a space and entities
    decoded (``&quot;`` -> ``"``), then lowercased."""
    sub = HTML_TAG.sub
    if strip_html and lowercase:
        return lambda text: unescape(sub(" ", text)).lower()
    if strip_html:
        return lambda text: unescape(sub(" ", text))
    if lowercase:
        return str.lower
    return _identity


def make_tokenizer(token_pattern):
    """Return ``text -> list of str`` for a regular expression.

    With one capturing group the group is the token, as in ``CountVectorizer``.
    """
    pattern = re.compile(token_pattern)
    if pattern.groups > 1:
        raise ValueError(
            "token_pattern must have at most one capturing group, got "
            f"{pattern.groups}: {token_pattern!r}. Use (?:...) for groups that "
            "should not capture."
        )
    return pattern.findall


#: Scripts written without spaces between words (and Hangul, whose words
#: carry their particles): the default token pattern keeps whole clauses.
_UNSEGMENTED = {
    "Japanese": (re.compile(r"[\u3040-\u30ff]"), "'janome' or 'fugashi' (faster)"),
    "Korean": (re.compile(r"[\uac00-\ud7af]"), "'kiwipiepy'"),
    "Chinese": (re.compile(r"[\u4e00-\u9fff]"), "'jieba'"),
    "Thai, Lao, Khmer or Burmese": (re.compile(r"[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff]"),
                                     "'char'"),
}


def unsegmented_language(token_counts):
    """The language whose script holds over 30% of the tokens (Japanese before
    Chinese when kana appear), with the tokenizer to suggest; or None.

    Parameters
    ----------
    token_counts : dict of str -> int
    """
    total = sum(token_counts.values())
    if not total:
        return None
    for language, (pattern, suggestion) in _UNSEGMENTED.items():
        share = sum(n for token, n in token_counts.items() if pattern.search(token)) / total
        if share > 0.3:
            return language, suggestion
    return None


def warn_if_unsegmented(flat, provisional):
    """Warn when the tokens learnt by the default pattern look like a language
    written without spaces (``flat``: provisional ids, ``provisional``: token
    -> provisional id)."""
    counts = np.bincount(flat, minlength=len(provisional))
    found = unsegmented_language(dict(zip(provisional, counts.tolist(), strict=True)))
    if found:
        language, suggestion = found
        warnings.warn(
            f"The documents look like {language} text: the default token pattern splits "
            "on spaces and punctuation, so whole clauses or words with their particles "
            "become single tokens, and an unseen one becomes '<unk>'. Pass tokenizer="
            f"{suggestion}, or tokenizer='char' for characters.",
            UserWarning,
        )


def stop_word_set(stop_words):
    """``None`` -> empty, ``'english'`` -> scikit-learn's list, else the given words."""
    if stop_words is None:
        return frozenset()
    if isinstance(stop_words, str):
        from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

        return ENGLISH_STOP_WORDS
    return frozenset(stop_words)


def make_analyzer(preprocess, tokenize, *, stop_words=frozenset(), min_token_length=1):
    """Return ``document -> list of tokens``: preprocess, tokenize, filter."""
    stop, min_len = stop_words, min_token_length
    if stop and min_len > 1:
        return lambda doc: [
            t for t in tokenize(preprocess(doc)) if len(t) >= min_len and t not in stop
        ]
    if stop:
        return lambda doc: [t for t in tokenize(preprocess(doc)) if t not in stop]
    if min_len > 1:
        return lambda doc: [t for t in tokenize(preprocess(doc)) if len(t) >= min_len]
    return lambda doc: list(tokenize(preprocess(doc)))  # a tokenizer may yield tokens


def make_fast_analyzer(slow, *, strip_html, lowercase, stop_words, min_token_length):
    """Return ``doc -> list of UTF-8 bytes tokens``, equal to ``slow`` (the
    analyzer of the default token pattern) with bytes tokens.

    Pure-ASCII documents (most of IMDB) skip the regex engine: bytes-level
    ``translate`` maps every non-word byte except the apostrophe to a space, a
    regex anchored on the rare apostrophe removes those that do not join two
    word characters, and ``split`` cuts the tokens. This is exactly
    ``\\w+(?:['’]\\w+)*`` on ASCII text (tested) and several times faster (the
    vectorizer table of ``benchmarks/results/benchmark_cpu.md``). Other
    documents take ``slow``.
    """
    stop = {w.encode("utf-8") for w in stop_words}
    min_len = min_token_length
    html_sub, edge_sub, table = _HTML_TAG_BYTES.sub, _EDGE_APOSTROPHE.sub, _WORD_TABLE

    def analyze(doc):
        if not doc.isascii():
            return [t.encode("utf-8") for t in slow(doc)]
        b = doc.encode("ascii")
        if strip_html and b"<" in b:
            b = html_sub(b" ", b)
        if strip_html and b"&" in b:
            text = unescape(b.decode("ascii"))
            if not text.isascii():  # e.g. &eacute;
                return [t.encode("utf-8") for t in slow(doc)]
            b = text.encode("ascii")
        if lowercase:
            b = b.lower()
        b = b.translate(table)
        if b"'" in b:
            b = edge_sub(b" ", b)
        tokens = b.split()
        if stop:
            tokens = [t for t in tokens if t not in stop]
        if min_len > 1:
            tokens = [t for t in tokens if len(t) >= min_len]
        return tokens

    return analyze


# --------------------------------------------------------------------------- #
# tokens with their place in the original text
# --------------------------------------------------------------------------- #
#: An HTML character reference, as ``html.unescape`` finds them (its private
#: ``html._charref``, copied): ``unescape`` replaces each match on its own, so
#: replacing them one at a time gives the same text.
_CHARREF = re.compile(r"&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)")


def _entity_length(name):
    """How many characters of ``name`` (a match of ``_CHARREF`` after its
    ``&``) ``html.unescape`` replaces: all of a numeric or a known named
    reference, the longest known name of a named one not known as a whole
    (``ampx`` -> 3: '&' then the text 'x'), 0 for none."""
    if name.startswith("#") or name in html5:
        return len(name)
    for x in range(len(name) - 1, 1, -1):  # as html.unescape looks for it
        if name[:x] in html5:
            return x
    return 0


def _preprocess_with_offsets(doc, *, strip_html, lowercase):
    """``make_preprocessor(...)(doc)`` and where each of its characters came from.

    Returns
    -------
    text : str
        Exactly the preprocessed document.
    starts, ends : ndarray of int64, shape (len(text),) or None
        Character ``i`` of ``text`` comes from ``doc[starts[i]:ends[i]]``: the
        character itself, or the whole tag or entity it replaced. None when
        every character stays in place (no tag, no entity, lowercasing keeps
        the length), then ``text[i]`` comes from ``doc[i]``.
    """
    if not (strip_html and ("<" in doc or "&" in doc)):
        text = doc.lower() if lowercase else doc
        if len(text) == len(doc):
            return text, None, None
    # pieces: (text, start, end, in_place) with in_place meaning one character
    # of ``doc`` per character of ``text``
    pieces, pos = [], 0

    def add_segment(segment, offset):
        at = 0
        for m in _CHARREF.finditer(segment) if strip_html and "&" in segment else ():
            if m.start() > at:
                pieces.append((segment[at:m.start()], offset + at, offset + m.start(), True))
            a, b = offset + m.start(), offset + m.end()
            name, x = m.group(1), _entity_length(m.group(1))
            if x == 0:  # not a reference: kept as it is
                pieces.append((m.group(), a, b, True))
            else:  # the reference, then the text after its name (``&ampx``: '&', 'x')
                pieces.append((unescape(m.group()[:x + 1]), a, a + 1 + x, False))
                if x < len(name):
                    pieces.append((name[x:], a + 1 + x, b, True))
            at = m.end()
        if at < len(segment):
            pieces.append((segment[at:], offset + at, offset + len(segment), True))

    for m in HTML_TAG.finditer(doc) if strip_html else ():
        add_segment(doc[pos:m.start()], pos)
        pieces.append((" ", m.start(), m.end(), False))
        pos = m.end()
    add_segment(doc[pos:], pos)
    starts, ends, texts = [], [], []
    for piece, a, b, in_place in pieces:
        texts.append(piece)
        if in_place:
            starts.append(np.arange(a, b, dtype=np.int64))
            ends.append(starts[-1] + 1)
        else:
            starts.append(np.full(len(piece), a, dtype=np.int64))
            ends.append(np.full(len(piece), b, dtype=np.int64))
    text = "".join(texts)
    starts = np.concatenate(starts) if starts else np.zeros(0, np.int64)
    ends = np.concatenate(ends) if ends else np.zeros(0, np.int64)
    if lowercase:
        lowered = text.lower()
        if len(lowered) != len(text):  # a character such as 'İ' lowercases to two
            repeat = [len(c.lower()) for c in text]
            starts, ends = np.repeat(starts, repeat), np.repeat(ends, repeat)
        text = lowered
    return text, starts, ends


def find_in_order(tokens, text, fallback=None):
    """``(start, end)`` of each token in ``text``, searched left to right from
    the end of the previous token found: the first place where ``text`` or
    ``fallback`` (a text of the same length as ``text``, e.g. its
    lowercased form) holds it. A token found in neither gets ``(-1, -1)``
    and the search goes on from where the last token was found.

    Both are searched and the earlier place wins: ``'great'`` in ``'Great
    film, great cast'`` is the first word (found in the lowercased form),
    not the later copy that ``text`` holds as it is (which would leave the
    words between without their places)."""
    spans, cursor = [], 0
    for token in tokens:
        at = text.find(token, cursor) if token else -1
        if fallback is not None and token:
            other = fallback.find(token, cursor, at + len(token) - 1 if at >= 0 else None)
            if other >= 0 and (at < 0 or other < at):
                at = other
        if at < 0:
            spans.append((-1, -1))
            continue
        spans.append((at, at + len(token)))
        cursor = at + len(token)
    return spans


def _original_span(a, b, starts, ends, n):
    """The span in the original document of ``text[a:b]`` (``a = -1``: not found)."""
    if a < 0:
        return -1, -1
    if b > a:
        return int(starts[a]), int(ends[b - 1])
    at = int(starts[a]) if a < len(starts) else n  # an empty token
    return at, at


def make_offset_analyzer(*, strip_html=True, lowercase=True, token_pattern=DEFAULT_TOKEN_PATTERN,
                         tokenizer=None, preprocessor=None, stop_words=frozenset(),
                         min_token_length=1):
    """Return ``document -> (tokens, offsets)``: the tokens of
    :func:`make_analyzer` with the same settings, and where each one is in the
    original document.

    ``offsets`` is an int64 array of shape ``(L, 2)``: token ``i`` was read
    from ``document[offsets[i, 0]:offsets[i, 1]]`` (lowercased, with entities
    decoded: ``&amp;`` is the token ``&``'s span; a token never starts or ends
    inside an HTML tag, which became a space).

    * The token pattern (no ``tokenizer``) and the built-in preprocessing give
      exact offsets: the preprocessing is redone piece by piece (tags, entities,
      lowercasing, even a character whose lowercase is two characters) keeping
      where each character came from.
    * A ``tokenizer`` (a name such as ``'janome'``, or a callable) returns
      text, not places: each token is searched in the preprocessed text, left
      to right from the end of the previous one, and mapped back as above.
    * A custom ``preprocessor`` loses the places: each token is searched in
      the original document, then in its lowercased form.

    A token that is not found (a tokenizer that normalises words, such as
    kiwipiepy's morpheme forms, or a preprocessor that rewrites them) gets
    ``(-1, -1)``, and the search goes on from the last token found.

    Parameters
    ----------
    strip_html, lowercase : bool
        As for :func:`make_preprocessor` (ignored with ``preprocessor``).
    token_pattern : str, default=DEFAULT_TOKEN_PATTERN
    tokenizer : callable, default=None
        ``text -> iterable of str``; overrides ``token_pattern``.
    preprocessor : callable, default=None
        ``text -> text``; overrides ``strip_html`` and ``lowercase``.
    stop_words : set of str, default=frozenset()
    min_token_length : int, default=1

    Returns
    -------
    analyze : callable
        ``document -> (list of str, ndarray of shape (L, 2))``.

    Examples
    --------
    >>> doc = "It's GREAT<br />fun &amp; more"
    >>> tokens, offsets = make_offset_analyzer()(doc)
    >>> tokens
    ["it's", 'great', 'fun', 'more']
    >>> [doc[a:b] for a, b in offsets.tolist()]
    ["It's", 'GREAT', 'fun', 'more']
    """
    pattern = None if tokenizer is not None else re.compile(token_pattern)
    if pattern is not None and pattern.groups > 1:
        make_tokenizer(token_pattern)  # raises its message
    group = 1 if pattern is not None and pattern.groups == 1 else 0
    stop, min_len = stop_words, min_token_length
    builtin = make_preprocessor(strip_html=strip_html, lowercase=lowercase)

    def analyze(doc):
        if preprocessor is None:
            text, starts, ends = _preprocess_with_offsets(doc, strip_html=strip_html,
                                                          lowercase=lowercase)
            mapped = text == builtin(doc)  # always; if not, the tokens stay right
            if not mapped:
                text = builtin(doc)
        else:
            text, mapped = preprocessor(doc), False
        if pattern is not None:
            matches = list(pattern.finditer(text))
            tokens = [m.group(group) or "" for m in matches]
            spans = [m.span(group) for m in matches]
        else:
            tokens = list(tokenizer(text))
            spans = find_in_order(tokens, text) if mapped else None
        if not mapped:  # places in ``text`` mean nothing in ``doc``: search there
            lowered = doc.lower()
            spans = find_in_order(tokens, doc, lowered if len(lowered) == len(doc) else None)
        elif starts is not None:
            spans = [_original_span(a, b, starts, ends, len(doc)) for a, b in spans]
        keep = [i for i, t in enumerate(tokens)
                if (len(t) >= min_len or min_len <= 1) and t not in stop]
        offsets = np.asarray([spans[i] for i in keep], dtype=np.int64).reshape(-1, 2)
        return [tokens[i] for i in keep], offsets

    return analyze
