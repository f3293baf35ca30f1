"""Text settings read from a stranger's file: the checks the skops loader
(:func:`sklearn_rnn.persistence.load_skops`) and the ONNX loader
(:func:`sklearn_rnn.onnx.load`) share.

A saved model carries the settings that turn text into ids. Types that run no
code are not enough: a regular expression can be built to take exponential
time on every document, and a row length of ``2**29`` makes one prediction
allocate gigabytes. Each check raises a ``ValueError`` that names the field,
the value and how to accept it when it is yours. Standard library only (the
ONNX loader imports neither torch nor scikit-learn).
"""

import re

from ._analyzer import DEFAULT_TOKEN_PATTERN

__all__ = ["MAX_MAXLEN", "check_token_pattern", "check_maxlen"]

#: Largest row length (``maxlen``) a loaded model may ask for: 100,000
#: tokens, 400 kB of int32 ids per padded document (40 times the longest IMDB
#: review, 2,500 tokens). A file that asks for a million made every
#: prediction allocate and zero 4-8 MB per document (a batch of 1,000: 8 GB).
MAX_MAXLEN = 100_000


def check_token_pattern(pattern, trusted=(), *, source):
    """Refuse a token pattern that is not the default nor in ``trusted``, or
    that has more than one capturing group.

    Parameters
    ----------
    pattern : str
        The pattern read from the file.
    trusted : sequence of str, default=()
        Patterns the caller set themselves (``trusted_token_patterns=``).
    source : str
        What holds it, for the message (``"model.onnx's metadata"``).

    Returns
    -------
    pattern : str
    """
    if not isinstance(pattern, str):
        raise ValueError(f"{source} has token_pattern={pattern!r}, expected a string.")
    if pattern != DEFAULT_TOKEN_PATTERN and pattern not in set(trusted):
        raise ValueError(
            f"{source} has token_pattern={pattern!r}, not the default. A regular "
            "expression can be made to take exponential time per document; if you set "
            "this one yourself, pass it in trusted_token_patterns=[...]."
        )
    try:
        groups = re.compile(pattern).groups
    except re.error as exc:
        raise ValueError(f"{source} has token_pattern={pattern!r}, which is not a valid "
                         f"regular expression ({exc}).") from None
    if groups > 1:
        raise ValueError(
            f"{source} has token_pattern={pattern!r} with {groups} capturing groups; a "
            "token pattern has at most one (the token). The file was edited."
        )
    return pattern


def check_maxlen(maxlen, *, source, field="maxlen", longest=None):
    """Refuse a row length that is not an int in ``[1, MAX_MAXLEN]`` (and,
    when ``longest`` is given, not above ``max(longest, 1)``).

    Parameters
    ----------
    maxlen : object
        The value read from the file.
    source : str
        What holds it, for the message.
    field : str, default='maxlen'
        Its name in the file.
    longest : int, default=None
        The longest training document the file records, when the row length
        was chosen from the documents (``maxlen=None``): it can be no longer.

    Returns
    -------
    maxlen : int
    """
    if not isinstance(maxlen, int) or isinstance(maxlen, bool) or maxlen < 1:
        raise ValueError(f"{source} has {field}={maxlen!r}, expected an int >= 1.")
    if maxlen > MAX_MAXLEN:
        raise ValueError(
            f"{source} has {field}={maxlen:,}, above the {MAX_MAXLEN:,} tokens a loaded "
            "model may use: every prediction would allocate and scan rows that long. The "
            "file was edited, or the model was made with an extreme maxlen: refit it with "
            "a smaller one."
        )
    if longest is not None and maxlen > max(int(longest), 1):
        raise ValueError(
            f"{source} has {field}={maxlen:,}, but the longest training document it "
            f"records has {int(longest):,} tokens (its maxlen was chosen from them): the "
            "file was edited."
        )
    return maxlen
