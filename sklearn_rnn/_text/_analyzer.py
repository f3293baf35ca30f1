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

import numpy as np

__all__ = [
    "DEFAULT_TOKEN_PATTERN",
    "HTML_TAG",
    "make_preprocessor",
    "make_tokenizer",
    "make_analyzer",
    "make_fast_analyzer",
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
