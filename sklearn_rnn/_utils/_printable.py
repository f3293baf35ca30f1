"""Text from a stranger, made safe to show: control and bidirectional
characters written out as visible escapes, never interpreted.

A document or a label printed as it is can drive the reader's terminal (an
``ESC ]52`` sequence writes the clipboard, ``ESC [2J`` clears the screen) or
reorder what a browser shows (a right-to-left override makes ``pos`` read
as ``sop`` and moves the number beside it). :func:`printable` writes each
such character as ``\\x1b`` (up to U+00FF) or ``\\u202e`` (beyond): the
reader sees that it is there and nothing acts on it. Standard library only.
"""

import re

__all__ = ["printable", "UNSAFE_IN_LABELS", "unsafe_characters"]

#: C0 controls but tab and line feed (carriage return included: it
#: overwrites the line); DEL; C1 controls.
_CONTROLS = "\x00-\x08\x0b-\x1f\x7f-\x9f"
#: Bidirectional embeddings, overrides and isolates, the Arabic letter mark;
#: invisible characters that make two strings look the same (zero-width
#: space, word joiner and invisible operators, byte order mark); line and
#: paragraph separators (a terminal may break the line there).
_ALWAYS = "\u061c\u180e\u200b\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
#: Characters that scripts need inside words (Persian, Indic: zero-width
#: non-joiner and joiner; Hebrew, Arabic: left-to-right and right-to-left
#: marks, which reorder nothing but neutral characters): kept in documents,
#: escaped in labels, model names and settings.
_IN_WORDS = "\u200c-\u200f"

_DOCUMENT = re.compile(f"[{_CONTROLS}{_ALWAYS}\t\n]")
_DOCUMENT_KEEP_LINES = re.compile(f"[{_CONTROLS}{_ALWAYS}]")
_NAME = re.compile(f"[{_CONTROLS}{_ALWAYS}{_IN_WORDS}\t\n]")
_NAME_KEEP_LINES = re.compile(f"[{_CONTROLS}{_ALWAYS}{_IN_WORDS}]")

#: What a label may not hold: every character :func:`printable` escapes
#: in a name (tab, line breaks and the other controls included).
UNSAFE_IN_LABELS = _NAME


def _escaped(match):
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text, *, document=False, lines=False):
    """``text`` with every control and bidirectional character escaped.

    Parameters
    ----------
    text : object
        Shown as ``str(text)``.
    document : bool, default=False
        A document: the zero-width joiner and non-joiner and the
        left-to-right and right-to-left marks stay (scripts need them). A
        label, a model name or a setting: they are escaped too.
    lines : bool, default=False
        Keep tab and line feed (several lines of our own making, such as a
        table); else they are escaped too. A carriage return is always
        escaped (it would write over the line).

    Returns
    -------
    text : str
        Nothing in it moves the cursor, writes the clipboard, changes
        colours or reorders what follows.

    Examples
    --------
    >>> printable("pos\\x1b]52;c;aGk=\\x07")
    'pos\\\\x1b]52;c;aGk=\\\\x07'
    >>> printable("\\u202eneg")
    '\\\\u202eneg'
    """
    text = str(text)
    if text.isascii() and text.isprintable():
        return text
    pattern = ((_DOCUMENT_KEEP_LINES if lines else _DOCUMENT) if document
               else (_NAME_KEEP_LINES if lines else _NAME))
    return pattern.sub(_escaped, text)


def unsafe_characters(text):
    """The characters of ``text`` a label may not hold, each as ``U+XXXX``
    (in order of first appearance)."""
    found = dict.fromkeys(UNSAFE_IN_LABELS.findall(str(text)))
    return [f"U+{ord(c):04X}" for c in found]
