"""What a vector file's header says, checked against what the file holds,
before gensim reads it.

gensim believes the counts a file declares. A fastText ``.bin`` whose
vocabulary size lies makes it read past the end of the file one byte at a
time, forever (its loop waits for a word's terminating NUL, and ``read(1)``
at the end gives ``b''``); a word2vec header declaring a billion vectors
makes it allocate for them. Here each declared count is checked against
the file's length (or, compressed, against the bytes it inflates to),
reading the vocabulary of a fastText file once in large chunks; the
message says which count and what the file holds. Standard library only.
"""

import gzip
import os
import struct

__all__ = ["check_fasttext", "check_word2vec_header", "BOM", "MAX_DIM"]

#: The byte order mark some editors write at the start of a UTF-8 file.
BOM = b"\xef\xbb\xbf"
#: Largest vector size a file may declare (published vectors have 25-1,024).
MAX_DIM = 10_000
#: Largest fastText bucket count (its default is 2,000,000).
MAX_BUCKETS = 100_000_000
#: Largest vocabulary a file may declare (the largest published: 2-4 million).
MAX_WORDS = 100_000_000
_MAGIC = 793712314
_CHUNK = 2**22


def _open(path):
    name = os.fspath(path)
    with open(name, "rb") as f:
        compressed = f.read(2) == b"\x1f\x8b"
    return gzip.open(name, "rb") if compressed else open(name, "rb"), compressed


class _Reader:
    """Bytes of a file in large chunks, with the count of bytes consumed."""

    def __init__(self, f):
        self.f, self.buf, self.pos, self.done = f, b"", 0, 0

    def _fill(self):
        more = self.f.read(_CHUNK)
        if not more:
            return False
        self.buf = self.buf[self.pos:] + more
        self.done += self.pos
        self.pos = 0
        return True

    def take(self, n):
        while len(self.buf) - self.pos < n:
            if not self._fill():
                return None
        out = self.buf[self.pos:self.pos + n]
        self.pos += n
        return out

    def skip_word(self):
        """Past the next NUL; False at the end of the file."""
        while True:
            k = self.buf.find(b"\x00", self.pos)
            if k >= 0:
                self.pos = k + 1
                return True
            self.done += len(self.buf)
            self.buf, self.pos = b"", 0
            if not self._fill():
                return False

    def rest(self):
        """Bytes left to the end of the file (read through)."""
        left = len(self.buf) - self.pos
        while True:
            more = self.f.read(_CHUNK)
            if not more:
                return left
            left += len(more)


def check_fasttext(path):
    """Check a fastText ``.bin`` file's header, vocabulary and matrix size.

    Raises
    ------
    ValueError
        The file is not of the format gensim reads (Facebook's, since 2017),
        a declared size is out of bounds, the vocabulary ends before the
        count it declares, or the matrix declared does not fit in the bytes
        left.
    """
    name = os.fspath(path)
    f, _ = _open(path)
    with f:
        r = _Reader(f)

        def need(fmt, what):
            data = r.take(struct.calcsize(fmt))
            if data is None:
                raise ValueError(f"{name!r} ends inside its {what}: it is not a complete "
                                 "fastText .bin file.")
            return struct.unpack(fmt, data)

        magic, _version = need("<2i", "header")
        if magic != _MAGIC:
            raise ValueError(f"{name!r} does not start with fastText's mark (793712314): "
                             "not a fastText .bin file of the format gensim reads.")
        dim, *_, bucket, minn, maxn, _lr_update = need("<12i", "header")
        need("<d", "header")
        if not 1 <= dim <= MAX_DIM:
            raise ValueError(f"{name!r} declares vectors of {dim:,} numbers; a fastText file "
                             f"has 1 to {MAX_DIM:,}: the header is damaged.")
        if not 0 <= bucket <= MAX_BUCKETS or not 0 <= minn <= 100 or not 0 <= maxn <= 100:
            raise ValueError(f"{name!r} declares bucket={bucket:,}, minn={minn}, maxn={maxn}; "
                             f"expected 0 to {MAX_BUCKETS:,} buckets and character n-grams "
                             "of 0 to 100: the header is damaged.")
        size, nwords, nlabels = need("<3i", "vocabulary header")
        need("<q", "vocabulary header")  # tokens
        prune, = need("<q", "vocabulary header")
        if nlabels:
            raise ValueError(f"{name!r} is a supervised fastText model ({nlabels:,} labels): "
                             "only unsupervised word vectors can be read.")
        if not 1 <= size <= MAX_WORDS or not 0 <= nwords <= size:
            raise ValueError(f"{name!r} declares {size:,} entries of which {nwords:,} words; "
                             f"expected 1 to {MAX_WORDS:,}: the header is damaged.")
        if not -1 <= prune <= MAX_WORDS + MAX_BUCKETS:
            raise ValueError(f"{name!r} declares {prune:,} pruned entries: the header is "
                             "damaged.")
        for k in range(size):
            if not r.skip_word() or r.take(9) is None:
                raise ValueError(
                    f"{name!r} declares {size:,} words but ends after {k:,}: the file is "
                    "truncated or its header lies (gensim would read past its end forever).")
        if prune > 0 and r.take(8 * prune) is None:
            raise ValueError(f"{name!r} ends inside its {prune:,} pruned entries.")
        need("<?", "matrix header")
        rows, columns = need("<2q", "matrix header")
        if columns != dim or rows != nwords + bucket:
            raise ValueError(
                f"{name!r} holds a matrix of {rows:,} x {columns:,}, but its header makes "
                f"{nwords + bucket:,} x {dim:,} ({nwords:,} words + {bucket:,} buckets): the "
                "file is damaged.")
        left = r.rest()
        if left < rows * columns * 4:
            raise ValueError(
                f"{name!r} declares {rows:,} x {columns:,} numbers ({rows * columns * 4:,} "
                f"bytes) but holds {left:,} bytes after its vocabulary: the file is truncated.")


def check_word2vec_header(path, binary, limit=None):
    """Check a word2vec file's ``<count> <dim>`` line against its length.

    A binary vector takes ``4 * dim`` bytes and a word of at least one byte
    and a space; a text one at least two characters per number. For a
    compressed file the bound is checked while gensim reads (it stops at
    the end of the data); here the declared sizes only.

    Returns
    -------
    has_bom : bool
        The file starts with a UTF-8 byte order mark (gensim cannot read
        the header then: the caller reads a copy without it).
    """
    name = os.fspath(path)
    f, compressed = _open(path)
    with f:
        head = f.read(4096)
    has_bom = head.startswith(BOM)
    first = head[len(BOM) if has_bom else 0:].split(b"\n", 1)[0].split()
    try:
        count, dim = (int(x) for x in first)
    except ValueError:
        raise ValueError(f"{name!r} does not start with a word2vec header line "
                         "'<count> <dim>'.") from None
    if not 1 <= dim <= MAX_DIM or not 1 <= count <= MAX_WORDS:
        raise ValueError(f"{name!r} declares {count:,} vectors of {dim:,} numbers; expected "
                         f"1 to {MAX_WORDS:,} vectors of 1 to {MAX_DIM:,}: the header is "
                         "damaged.")
    rows = min(count, limit) if limit else count
    least = rows * (4 * dim + 2 if binary else 2 * dim + 2)
    if not compressed and least > os.path.getsize(name):
        raise ValueError(
            f"{name!r} declares {count:,} vectors of {dim:,} numbers, which take at least "
            f"{least:,} bytes, but the file has {os.path.getsize(name):,}: the header lies "
            "or the file is truncated.")
    return has_bom
