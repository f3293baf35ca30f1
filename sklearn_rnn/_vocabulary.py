"""The vocabulary: tokens to ids, learnt from documents or given.

Shapes: ``N`` documents, ``n`` tokens of all documents together.

Documents are tokenized into one flat id buffer ``(n,)`` plus the number of
tokens of each document ``(N,)`` (the ragged form); padding happens only once,
at the end, in :class:`~sklearn_rnn.TextVectorizer`.
"""

from collections import defaultdict
from itertools import chain, islice, repeat
from numbers import Integral

import numpy as np

from ._validation import iter_documents

__all__ = [
    "PAD_ID",
    "UNK_ID",
    "PAD_TOKEN",
    "UNK_TOKEN",
    "documents_to_ids",
    "learn_vocabulary",
    "fixed_vocabulary",
    "fit_vocabulary",
]

PAD_ID = 0
UNK_ID = 1
PAD_TOKEN = "<pad>"
UNK_TOKEN = "<unk>"

#: Documents tokenized per chunk before their tokens are mapped to ids.
_CHUNK_DOCS = 2000


def documents_to_ids(raw_documents, analyze, lookup=None):
    """Tokenize every document into one flat id buffer.

    Parameters
    ----------
    raw_documents : iterable of str
    analyze : callable
        ``document -> list of tokens``.
    lookup : dict, default=None
        Token -> id. None assigns provisional first-seen ids instead.

    Returns
    -------
    flat : ndarray of int32, shape (n,)
        Ids (``UNK_ID`` for tokens missing from ``lookup``).
    lengths : ndarray of int64, shape (N,)
    provisional : dict or None
        Token -> provisional id, without ``lookup``.
    """
    if lookup is None:
        provisional = defaultdict()
        provisional.default_factory = provisional.__len__
        get = provisional.__getitem__
    else:
        provisional = None
        get = lookup.get
    chunks, lengths = [], []
    # Tokenize a chunk of documents, then map all its tokens to ids in one
    # C-level pass (np.fromiter over map): bounded memory, few Python steps.
    docs = iter_documents(raw_documents)
    while True:
        tokens = [analyze(doc) for doc in islice(docs, _CHUNK_DOCS)]
        if not tokens:
            break
        first = next((t[0] for t in tokens if t), "")
        if not isinstance(first, (str, bytes)):
            raise TypeError(
                f"The tokenizer returned {type(first).__name__} objects, expected str "
                f"({first!r}). Return the tokens' text, e.g. janome's "
                "Tokenizer(wakati=True).tokenize, or use tokenizer='janome'."
            )
        sizes = [len(t) for t in tokens]
        stream = chain.from_iterable(tokens)
        ids = map(get, stream) if lookup is None else map(get, stream, repeat(UNK_ID))
        chunks.append(np.fromiter(ids, dtype=np.int32, count=sum(sizes)))
        lengths += sizes
    flat = np.concatenate(chunks) if chunks else np.zeros(0, np.int32)
    return flat, np.asarray(lengths, dtype=np.int64), provisional


def learn_vocabulary(flat, lengths, provisional, *, min_df=1, max_df=1.0, max_features=None):
    """Order and select the tokens seen; map the provisional ids to final ones.

    Tokens are ordered by decreasing count, ties broken by the token's text;
    ``<pad>`` and ``<unk>`` keep ids 0 and 1.

    Parameters
    ----------
    flat, lengths, provisional :
        The output of :func:`documents_to_ids` without a lookup (tokens as
        ``str``).
    min_df, max_df : int or float
        Document-frequency bounds, as in ``CountVectorizer``.
    max_features : int or None

    Returns
    -------
    vocabulary : dict
        Token -> id, ``<pad>`` and ``<unk>`` first.
    flat : ndarray of int64, shape (n,)
        Final ids (``UNK_ID`` for tokens left out).
    """
    n_docs = len(lengths)
    n_prov = len(provisional)
    counts = np.bincount(flat, minlength=n_prov)
    keep = np.ones(n_prov, dtype=bool)
    for special in (PAD_TOKEN, UNK_TOKEN):
        if special in provisional:  # produced by a custom tokenizer: never a token
            keep[provisional[special]] = False
    if not (min_df == 1 and max_df == 1.0):
        low = min_df if isinstance(min_df, Integral) else min_df * n_docs
        high = max_df if isinstance(max_df, Integral) else max_df * n_docs
        if high < low:
            raise ValueError(
                f"max_df ({max_df}) corresponds to fewer documents than min_df "
                f"({min_df}); raise max_df or lower min_df."
            )
        doc_of = np.repeat(np.arange(n_docs, dtype=np.int64), lengths)
        pairs = np.unique(doc_of * max(n_prov, 1) + flat)
        doc_freq = np.bincount(pairs % max(n_prov, 1), minlength=n_prov)
        keep &= (doc_freq >= low) & (doc_freq <= high)
    names = list(provisional)  # provisional id -> token (insertion order)
    order = sorted(np.flatnonzero(keep).tolist(), key=lambda i: (-counts[i], names[i]))
    if max_features is not None:
        order = order[:max_features]
    if not order:
        raise ValueError(
            "empty vocabulary: no token was kept from the documents. They may be "
            "empty or contain only stop words, or min_df/max_df/min_token_length "
            "exclude every token."
        )
    remap = np.full(max(n_prov, 1), UNK_ID, dtype=np.int64)
    remap[order] = np.arange(2, len(order) + 2)
    vocabulary = {PAD_TOKEN: PAD_ID, UNK_TOKEN: UNK_ID}
    vocabulary.update(zip((names[i] for i in order), range(2, len(order) + 2), strict=True))
    return vocabulary, remap[flat]


def fit_vocabulary(vectorizer, raw_documents, dtype):
    """The vocabulary of a :class:`~sklearn_rnn.TextVectorizer` (its fixed
    ``vocabulary`` or one learnt from the documents), and the documents' ids.

    Returns
    -------
    vocabulary : dict
    flat, lengths : ndarray
        As :func:`documents_to_ids` returns them, with final ids.
    """
    from ._analyzer import warn_if_unsegmented

    if vectorizer.vocabulary is not None:
        vocabulary = fixed_vocabulary(vectorizer.vocabulary)
        flat, lengths = vectorizer._to_ids(raw_documents, vocabulary)
    else:
        analyze, _, as_bytes = vectorizer._analyzer_and_lookup(None)
        flat, lengths, provisional = documents_to_ids(raw_documents, analyze)
        if as_bytes:
            provisional = {k.decode("utf-8"): v for k, v in provisional.items()}
        if vectorizer.tokenizer is None:
            warn_if_unsegmented(flat, provisional)
        if len(lengths):
            vocabulary, flat = learn_vocabulary(
                flat, lengths, provisional, min_df=vectorizer.min_df,
                max_df=vectorizer.max_df, max_features=vectorizer.max_features,
            )
    if len(lengths) == 0:
        raise ValueError("Expected at least one document to fit on, got an empty sequence.")
    if len(vocabulary) - 1 > np.iinfo(dtype).max:
        raise ValueError(
            f"The vocabulary has {len(vocabulary):,} entries, more than dtype={dtype.name} "
            f"can index (max id {np.iinfo(dtype).max:,}). Use dtype=np.int32 or limit the "
            "vocabulary with max_features."
        )
    return vocabulary, flat, lengths


def fixed_vocabulary(vocab):
    """Validate a user-given vocabulary and return token -> id.

    Parameters
    ----------
    vocab : mapping or iterable of str
        Distinct tokens (numbered 2, 3, ... in order), or a mapping whose ids
        are exactly 2 .. n+1 (``'<pad>': 0`` and ``'<unk>': 1`` may be included).

    Returns
    -------
    vocabulary : dict
    """
    if isinstance(vocab, dict):
        mapping = {}
        for tok, idx in vocab.items():
            if tok in (PAD_TOKEN, UNK_TOKEN):
                expected = PAD_ID if tok == PAD_TOKEN else UNK_ID
                if idx != expected:
                    raise ValueError(
                        f"vocabulary maps the reserved token {tok!r} to {idx}; it "
                        f"must map to {expected}."
                    )
                continue
            mapping[tok] = idx
        ids = sorted(mapping.values())
        if ids != list(range(2, len(ids) + 2)):
            raise ValueError(
                "A vocabulary mapping must give its tokens the distinct ids "
                f"2 .. {len(ids) + 1} (0 is padding, 1 is unknown); got ids from "
                f"{ids[0] if ids else None} to {ids[-1] if ids else None} for "
                f"{len(ids)} tokens. Pass a list of tokens instead to number them "
                "automatically."
            )
    else:
        mapping = {}
        for tok in vocab:
            if tok in (PAD_TOKEN, UNK_TOKEN):
                continue
            if tok in mapping:
                raise ValueError(f"Duplicate token {tok!r} in vocabulary.")
            mapping[tok] = len(mapping) + 2
    if not mapping:
        raise ValueError("The fixed vocabulary is empty.")
    full = {PAD_TOKEN: PAD_ID, UNK_TOKEN: UNK_ID}
    full.update(sorted(mapping.items(), key=lambda item: item[1]))
    return full
