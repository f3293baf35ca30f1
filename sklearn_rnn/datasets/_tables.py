"""Reading a file of labelled text: its bytes as text, and a table as columns.

CSV and TSV are read strictly (a quote that opens a field must close it,
before the delimiter; a quote left open that would swallow the rows after it
is an error naming its line); backslash-escaped quotes (``\\"``) are read as
quotes, with a warning that says so. JSON lines, JSON lists of objects and
Parquet are read as records. Every reader returns the same thing: column
name -> values, and where each row is in the file, for the messages.
"""

import codecs
import csv
import io
import json
import re
import warnings
import zlib
from collections import Counter
from pathlib import Path

from ._columns import LABEL_COLUMNS, NUMBER, TEXT_COLUMNS

__all__ = ["FORMATS", "format_of", "read_text", "text_lines", "read_columns"]

FORMATS = ("auto", "csv", "tsv", "jsonl", "json", "parquet", "folder", "txt")
_SUFFIXES = ((".csv", "csv"), (".tsv", "tsv"), (".tab", "tsv"), (".jsonl", "jsonl"),
             (".ndjson", "jsonl"), (".json", "json"), (".parquet", "parquet"),
             (".pq", "parquet"), (".txt", "txt"))


def format_of(path):
    if path.is_dir():
        return "folder"
    name = path.name.lower()
    for suffix, fmt in _SUFFIXES:
        if name.endswith(suffix) or name.endswith(suffix + ".gz"):
            return fmt
    raise ValueError(
        f"Cannot tell the format of {path.name!r} from its name; pass format= (--format) one "
        f"of {FORMATS[1:]}, or give the file a .csv, .tsv, .jsonl, .json, .parquet or .txt "
        "name. Text files with one document per line and the label in the file name "
        "(rt-polarity.pos, rt-polarity.neg) load with load_text_files([...])."
    )


def check_regular(path):
    """Refuse what is not a regular file (after symbolic links): reading a
    FIFO waits for a writer forever, ``/dev/zero`` never ends."""
    path = Path(path)
    if path.exists() and not path.is_file() and not path.is_dir():
        raise ValueError(f"{path} is not a regular file (a FIFO, a device or a socket: "
                         "reading it could wait forever or never end). Give a file.")


#: A compressed data file may inflate to this many times its size, or to
#: :data:`MAX_SMALL_INFLATED` bytes, whichever is more (text compresses 3 to
#: 10 to 1; a file of one repeated byte, 1,000 to 1).
MAX_INFLATION = 100
MAX_SMALL_INFLATED = 2**28


def _gunzip(raw, path):
    """``raw`` decompressed, refused past :data:`MAX_INFLATION` times its size
    (a small file built to fill memory), before it is all inflated."""
    limit = max(MAX_INFLATION * len(raw), MAX_SMALL_INFLATED)
    try:
        out, data = [], raw
        total = 0
        while data:
            unzip = zlib.decompressobj(16 + zlib.MAX_WBITS)
            while data:
                piece = unzip.decompress(data, 2**24)
                total += len(piece)
                if total > limit:
                    raise ValueError(
                        f"{path} inflates to more than {limit:,} bytes from {len(raw):,} "
                        f"({MAX_INFLATION} times its size at most): not a compressed table "
                        "of documents. Decompress it yourself if you trust it.")
                out.append(piece)
                data = unzip.unconsumed_tail
                if unzip.eof:
                    break
            data = unzip.unused_data  # gzip members one after the other
    except zlib.error as exc:
        raise ValueError(f"{path} is not a valid gzip file ({exc}).") from None
    return b"".join(out)


def read_text(path, encoding):
    """The whole file as str: gunzipped, decoded, without a byte order mark.

    A byte that is not ``encoding`` text is an error naming its line.
    """
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise ValueError(f"Unknown encoding {encoding!r}.") from None
    check_regular(path)
    raw = path.read_bytes()
    if path.name.lower().endswith(".gz"):
        raw = _gunzip(raw, path)
    try:
        # utf-8-sig: Excel and Notepad write a BOM, which would stick to the
        # first column's name ('\ufefftext') or the first document
        return raw.decode("utf-8-sig" if name == "utf-8" else encoding)
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ValueError(
            f"{path}, line {line}: not {encoding} text (byte {raw[exc.start]:#04x}: "
            f"{exc.reason}). Pass the file's encoding, e.g. encoding='latin-1' or 'cp1252'."
        ) from None


def text_lines(text):
    """Physical lines (only ``\\n`` and ``\\r\\n`` end a line: ``str.splitlines``
    would also cut at characters such as U+0085 inside a document)."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def _quote_error(path, start, stop, exc, delimiter):
    """The message for a row csv's strict mode refuses: at which line, and why."""
    sep = "tab" if delimiter == "\t" else repr(delimiter)
    if "end of data" in str(exc):
        return (f"{path}, line {start}: a quote opens a field in this row and is never "
                "closed, so every row after it would be read into that one field. Close "
                'the quote, or double a quote that is part of the text ("").')
    if stop > start:
        return (f"{path}, lines {start}-{stop}: a quote opens a field at line {start} and "
                f"the quote that closes it is at line {stop}, followed by more text: the "
                f"{stop - start} rows between would be read as one field. Close the quote "
                f'at line {start}, or double a quote that is part of the text ("").')
    return (f"{path}, line {start}: a field starts with a quote, but its closing quote is "
            f"followed by more text instead of a {sep} ({exc}). Quote the whole field and "
            'double the quotes inside it ("He said ""hi""").')


def _parse_delimited(text, delimiter, escapechar, path, quoting=csv.QUOTE_MINIMAL):
    """Rows and the physical line each starts at (strict quoting; blank rows
    dropped)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True,
                        escapechar=escapechar, quoting=quoting)
    rows, starts, stops = [], [], []
    start = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise ValueError(_quote_error(path, start, reader.line_num, exc, delimiter)) from None
        if any(field.strip() for field in row):
            rows.append(row)
            starts.append(start)
            stops.append(reader.line_num)
        start = reader.line_num + 1
    return rows, starts, stops


#: A field as a quoting writer writes it: in quotes, with a quote inside
#: doubled (``""``) or escaped (``\\"``).
_QUOTED_FIELD = re.compile(r'"(?:[^"\\]|""|\\.)*"')


def _escapes_quotes(field):
    return ('""' in field[1:-1] or '\\"' in field[1:-1]) and bool(_QUOTED_FIELD.fullmatch(field))


def _tsv_is_quoted(text):
    """Whether a TSV file quotes its fields as CSV does.

    TSV has no quoting of its own: a quote in a TSV file is usually part of
    the text (``" the film " is ...`` in tokenized corpora), and a quoted
    reading would drop it or read the rows after it into one field. So a TSV
    file is read literally unless it shows it was written with quoting (as
    pandas ``to_csv(sep="\\t")`` writes it): its rows have different numbers
    of fields when split at every tab (a quoted field holds a tab or a line
    break), or a field is quoted with a quote doubled or escaped inside.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter="\t",
                        quoting=csv.QUOTE_NONE)
    widths = set()
    for row in reader:
        if any(field.strip() for field in row):
            widths.add(len(row))
            if len(widths) > 1 or any(_escapes_quotes(f.strip()) for f in row):
                return True
    return False


def _check_swallowed_rows(rows, starts, stops, delimiter, path):
    """Refuse a quoted field that spans lines which read as rows of their own:
    a quote left open until a later quote happens to close it.

    In a TSV, any line of a field over several lines that holds a tab. In a
    CSV (where a review running over several lines may hold commas), a line
    of such a field that splits into as many fields as a row, one of them a
    value that recurs in that column of the file (a label).
    """
    n = len(rows[0])
    single = [row for row, a, b in zip(rows, starts, stops, strict=True)
              if a == b and len(row) == n]
    recurring = [{v for v, k in Counter(r[j].strip() for r in single).items() if k > 1}
                 for j in range(n)]
    for row, start, stop in zip(rows, starts, stops, strict=True):
        if start == stop:
            continue
        for field in row:
            if "\n" not in field:
                continue
            for offset, line in enumerate(field.split("\n")):
                if delimiter not in line:
                    continue
                parts = next(csv.reader([line], delimiter=delimiter))
                if delimiter == "\t" or (len(parts) == n and any(
                        p.strip() in recurring[j] for j, p in enumerate(parts))):
                    raise ValueError(
                        f"{path}, lines {start}-{stop}: one quoted field runs over these "
                        f"lines, and line {start + offset} reads as a row of its own "
                        f"({line[:60]!r}): a quote is probably not closed at line {start}. "
                        'Close it, or double a quote that is part of the text ("").'
                    )


def _looks_like_header(rows):
    """Whether the first row of a CSV/TSV file names its columns.

    Yes when one of its fields is a known text or label column name. No when
    one of them is a sentence (over 4 words or 40 characters: a name is
    short) or a value that recurs in its column below (a label such as
    ``pos`` or ``1``: names occur once). Otherwise csv.Sniffer's vote, on the
    rows already parsed (so the delimiter is never guessed): a column of
    numbers under a name that is not one, or of values of one length under a
    name of another length, says "header"; the same type or length says
    "data"; a tie says "data" (a header taken for a document shows as a class
    of one document, a document taken for a header is lost).
    """
    first, body = rows[0], [r for r in rows[1:201] if len(r) == len(rows[0])]
    if {field.strip().lower() for field in first} & {*TEXT_COLUMNS, *LABEL_COLUMNS}:
        return True
    if any(len(field.split()) > 4 or len(field.strip()) > 40 for field in first):
        return False
    votes = 0
    for j, field in enumerate(first):
        value = field.strip()
        column = [r[j].strip() for r in body]
        if not column:
            continue
        counts = Counter(column)
        if value in counts and len(counts) < len(column):
            return False
        if all(NUMBER.fullmatch(v) for v in column):
            votes += -1 if NUMBER.fullmatch(value) else 1
            continue
        lengths = {len(v) for v in column}
        if len(lengths) == 1:
            votes += -1 if len(value) in lengths else 1
    return votes > 0


def _read_delimited(path, delimiter, encoding, header):
    """Columns of a CSV/TSV file: ``(columns, where, header, quoted)``."""
    csv.field_size_limit(2**31 - 1)  # reviews and lyrics can be long
    text = read_text(path, encoding)
    if delimiter == "\t" and not _tsv_is_quoted(text):
        rows, starts, _ = _parse_delimited(text, delimiter, None, path, csv.QUOTE_NONE)
        quoted = False
    else:
        rows, starts = _parse_quoted(text, delimiter, path)
        quoted = True
    if not rows:
        raise ValueError(f"{path} has no rows.")
    if header == "auto":
        header = _looks_like_header(rows)
    header = bool(header)
    names = [n.strip() for n in rows[0]] if header else [str(i) for i in range(len(rows[0]))]
    if header and len(set(names)) < len(names):
        twice = next(n for n, k in Counter(names).items() if k > 1)
        raise ValueError(f"{path}: the header names the column {twice!r} twice.")
    body, lines = (rows[1:], starts[1:]) if header else (rows, starts)
    for row, line in zip(body, lines, strict=True):
        if len(row) != len(names):
            raise ValueError(
                f"{path}: line {line} has {len(row)} fields, the "
                f"{'header' if header else 'first row'} has {len(names)}. Check the "
                "delimiter (format='tsv' for tabs) and the quoting."
            )
    columns = {name: [row[j] for row in body] for j, name in enumerate(names)}
    return columns, (lambda i: f"line {lines[i]}"), header, quoted


def _parse_quoted(text, delimiter, path):
    """Rows and start lines of a CSV (or quoted TSV), read strictly: quotes
    that would swallow rows are an error; backslash-escaped quotes are read
    (with a warning)."""
    escapechar = None
    if '\\"' in text:
        escapechar = "\\"
        line = text.count("\n", 0, text.index('\\"')) + 1
        warnings.warn(
            f'{path} escapes quotes with a backslash (\\" at line {line}): read with '
            'backslash as the escape character, so \\" is a quote and \\\\ a backslash '
            "(a backslash before any other character is dropped). Double the quotes "
            '("") in the file if that is not what it means.',
            UserWarning,
        )
    rows, starts, stops = _parse_delimited(text, delimiter, escapechar, path)
    if rows:
        _check_swallowed_rows(rows, starts, stops, delimiter, path)
    return rows, starts


def _read_records(records, path, where):
    if not isinstance(records, list) or not records or not all(
            isinstance(r, dict) for r in records):
        raise ValueError(f"{path}: expected one JSON object per record, like "
                         '{"text": "...", "label": "..."}.')
    names = list(dict.fromkeys(k for r in records for k in r))
    return {name: [r.get(name) for r in records] for name in names}, where, None, None


def read_columns(path, fmt, encoding, header):
    """``(columns, where, header, quoted)``: column name -> values, row index
    -> where the row is in the file (``'line 12'``), the header decision and
    whether quotes were read as CSV quoting (CSV/TSV only, else None)."""
    if fmt in ("csv", "tsv"):
        return _read_delimited(path, "," if fmt == "csv" else "\t", encoding, header)
    if fmt == "jsonl":
        records, lines = [], []
        for number, line in enumerate(text_lines(read_text(path, encoding)), 1):
            if line.strip():
                try:
                    records.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise ValueError(f"{path}: line {number} is not JSON ({exc}).") from None
                except RecursionError:
                    raise ValueError(f"{path}: line {number} is JSON nested deeper than "
                                     "Python's reader can follow: not a table of "
                                     "documents.") from None
                lines.append(number)
        return _read_records(records, path, lambda i: f"line {lines[i]}")
    if fmt == "json":
        try:
            records = json.loads(read_text(path, encoding))
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path} is not JSON ({exc}).") from None
        except RecursionError:
            raise ValueError(f"{path} is JSON nested deeper than Python's reader can "
                             "follow: not a table of documents.") from None
        return _read_records(records, path, lambda i: f"record {i + 1}")
    try:
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise ImportError(
            'Reading Parquet needs pyarrow: pip install "sklearn-rnn[parquet]"'
        ) from exc
    return pq.read_table(path).to_pydict(), (lambda i: f"row {i + 1}"), None, None

