"""Raw text to integer token ids: :class:`TextVectorizer`.

Shapes: ``N`` documents, ``T`` positions (``maxlen_``), ``n`` tokens of all
documents together.

One pass: documents are tokenized into one flat id buffer ``(n,)`` plus the
number of tokens of each document ``(N,)`` (the ragged form); the vocabulary
is learnt on that buffer (as ``CountVectorizer._count_vocab`` does, in a
method), and padding happens once, at the end, unless ``ragged=True``.
"""

from collections import defaultdict
from itertools import chain, islice, repeat
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from .._utils._callbacks import CALLBACK_STATE, CallbackSupportMixin, begin_fit_task
from .._utils._validation import (
    AllErrorsMixin,
    check_integer_dtype,
    iter_documents,
    with_new_parameters,
)
from ..tokenizers import TOKENIZERS, get_tokenizer
from ._analyzer import (
    DEFAULT_TOKEN_PATTERN,
    make_analyzer,
    make_fast_analyzer,
    make_offset_analyzer,
    make_preprocessor,
    make_tokenizer,
    stop_word_set,
    warn_if_unsegmented,
)
from ._ids import (
    PAD_ID,
    PAD_TOKEN,
    UNK_ID,
    UNK_TOKEN,
    RaggedTokens,
    auto_maxlen,
    pad,
    truncate,
)

__all__ = ["TextVectorizer"]

#: Documents tokenized per chunk before their tokens are mapped to ids.
_CHUNK_DOCS = 2000


class TextVectorizer(AllErrorsMixin, CallbackSupportMixin, TransformerMixin,
                     BaseEstimator):
    """Turn raw documents into a padded 2-D array of integer token ids.

    Tokenizes, builds a frequency-ordered vocabulary and pads or truncates
    every document to the same length: the input pipeline of a recurrent
    text classifier, as one scikit-learn transformer. Id 0 is padding and
    id 1 the unknown token; the other tokens follow by decreasing frequency
    in the training documents, ties broken by the token's text.

    Parameters
    ----------
    lowercase : bool, default=True
        Convert text to lowercase before tokenizing.
    strip_html : bool, default=True
        Replace HTML tags such as ``<br />`` (common in IMDB reviews) with a
        space and decode HTML entities (``&quot;``, ``&amp;``, ``&eacute;``)
        before tokenizing.
    token_pattern : str, default=r"(?u)\\b\\w+(?:['’]\\w+)*\\b"
        Regular expression for a token: by default runs of letters and digits
        in any script, keeping in-word apostrophes (``don't``). If it has one
        capturing group, the group is the token. Ignored when ``tokenizer`` is
        given.
    tokenizer : {'janome', 'fugashi', 'kiwipiepy', 'jieba', 'char'} or callable, \
            default=None
        Overrides ``token_pattern``. A name selects a morphological analyser
        for a language written without spaces (Japanese: ``'janome'``,
        ``'fugashi'``; Korean: ``'kiwipiepy'``; Chinese: ``'jieba'``; any
        script: ``'char'``; see :mod:`sklearn_rnn.tokenizers`), loaded when
        first used and picklable. A callable ``text -> iterable of str`` (a
        generator too) is used as it is; it must be picklable for
        ``GridSearchCV(n_jobs=...)`` and for saving the model. When the
        default pattern meets such a language, ``fit`` warns.
    preprocessor : callable, default=None
        ``preprocessor(text) -> str``, overriding the built-in preprocessing
        (``strip_html`` and ``lowercase``), as in ``CountVectorizer``.
    stop_words : {'english'}, list or None, default=None
        Tokens to drop; ``'english'`` uses scikit-learn's English list (which
        includes negations such as "not": mind that for sentiment).
    min_token_length : int, default=1
        Drop tokens shorter than this many characters.
    max_features : int, default=None
        Keep only the ``max_features`` most frequent tokens; the others become
        the unknown token. The vocabulary then holds ``max_features + 2``
        entries with padding and unknown.
    min_df : float in [0.0, 1.0] or int, default=1
        Ignore tokens that appear in fewer documents (a proportion when float,
        a count when int).
    max_df : float in [0.0, 1.0] or int, default=1.0
        Ignore tokens that appear in more documents (proportion or count).
    vocabulary : mapping or iterable, default=None
        A fixed vocabulary instead of one learnt from the documents: an
        iterable of distinct tokens (ids 2, 3, ... in that order), or a
        mapping token -> id whose ids are exactly 2 .. n+1 (``'<pad>': 0`` and
        ``'<unk>': 1`` may be included).
    maxlen : int, default=None
        Length of every output row. None uses the longest document seen in
        ``fit``, unless it is an outlier: longer than 4 times the 99th
        percentile of the lengths (and than 256 tokens). Then the rows are
        that long, and a warning says how many documents were cut; one
        runaway document cannot make training need gigabytes.
    padding : {'pre', 'post'}, default='pre'
        Pad shorter documents at the start ('pre') or end ('post'). The
        classifiers read both correctly.
    truncating : {'pre', 'post'}, default='pre'
        Cut longer documents at the start ('pre', keeping the end of a review,
        where its verdict usually is) or at the end ('post').
    ragged : bool, default=False
        Return a :class:`RaggedTokens` (the ids of each document, without
        padding) instead of the padded array: far less memory for many short
        documents, and the classifiers take it as they take the array.
    dtype : integer dtype, default=np.int32
        Dtype of the output: half the memory of int64, enough for any
        vocabulary. ``np.int16`` / ``np.uint16`` halve it again for
        vocabularies below 32,767 / 65,535 tokens.

    Attributes
    ----------
    vocabulary_ : dict
        Token -> id, including ``'<pad>': 0`` and ``'<unk>': 1``.
    maxlen_ : int
        Length of the output rows.
    document_lengths_ : ndarray of shape (N,)
        Number of tokens of each training document before truncation.
    stop_words_ : frozenset
        Tokens dropped as stop words.

    See Also
    --------
    sklearn.feature_extraction.text.CountVectorizer : Bag-of-words counts.
    RecurrentTextClassifier : The classifier that consumes this transformer's
        output (also as RNN-, LSTM- and GRUSentimentClassifier).

    Notes
    -----
    The output is a :class:`TokenArray`: a plain ``ndarray`` that also carries
    the vocabulary and the number of real tokens of each row, which the
    classifiers read (to size their embedding table, align pretrained
    vectors, and find the real tokens without scanning for padding). A step
    between the two that converts the array (``set_output(transform="pandas")``,
    a ``FunctionTransformer``) drops them; the classifiers then say so where
    they need them.

    Literal ``<pad>`` or ``<unk>`` tokens produced by a custom tokenizer map to
    the unknown id, so no real token is ever read as padding.

    Examples
    --------
    >>> from sklearn_rnn import TextVectorizer
    >>> docs = ["A great movie!", "A dull, dull movie.", "Great acting"]
    >>> vec = TextVectorizer(maxlen=4)
    >>> ids = vec.fit_transform(docs)
    >>> ids.shape
    (3, 4)
    >>> vec.vocabulary_["a"], vec.vocabulary_["dull"]
    (2, 3)
    >>> vec.inverse_transform(ids[:1])
    [['a', 'great', 'movie']]
    """

    __module__ = "sklearn_rnn"

    _parameter_constraints = {
        "lowercase": ["boolean"],
        "strip_html": ["boolean"],
        "token_pattern": [str],
        "tokenizer": [callable, StrOptions(set(TOKENIZERS)), None],
        "preprocessor": [callable, None],
        "stop_words": [StrOptions({"english"}), list, tuple, set, frozenset, None],
        "min_token_length": [Interval(Integral, 1, None, closed="left")],
        "max_features": [Interval(Integral, 1, None, closed="left"), None],
        "min_df": [Interval(Real, 0, 1, closed="both"), Interval(Integral, 1, None, closed="left")],
        "max_df": [Interval(Real, 0, 1, closed="both"), Interval(Integral, 1, None, closed="left")],
        "vocabulary": ["array-like", dict, set, tuple, None],
        "maxlen": [Interval(Integral, 1, None, closed="left"), None],
        "padding": [StrOptions({"pre", "post"})],
        "truncating": [StrOptions({"pre", "post"})],
        "dtype": "no_validation",
        "ragged": ["boolean"],
    }

    def __init__(
        self,
        *,
        lowercase=True,
        strip_html=True,
        token_pattern=DEFAULT_TOKEN_PATTERN,
        tokenizer=None,
        preprocessor=None,
        stop_words=None,
        min_token_length=1,
        max_features=None,
        min_df=1,
        max_df=1.0,
        vocabulary=None,
        maxlen=None,
        padding="pre",
        truncating="pre",
        dtype=np.int32,
        ragged=False,
    ):
        self.lowercase = lowercase
        self.strip_html = strip_html
        self.token_pattern = token_pattern
        self.tokenizer = tokenizer
        self.preprocessor = preprocessor
        self.stop_words = stop_words
        self.min_token_length = min_token_length
        self.max_features = max_features
        self.min_df = min_df
        self.max_df = max_df
        self.vocabulary = vocabulary
        self.maxlen = maxlen
        self.padding = padding
        self.truncating = truncating
        self.dtype = dtype
        self.ragged = ragged

    # ------------------------------------------------------------------ #
    # analyzer (see _analyzer.py)
    # ------------------------------------------------------------------ #
    def build_preprocessor(self):
        """Return a callable ``text -> text`` (HTML stripping, lowercasing).

        Returns
        -------
        preprocessor : callable
        """
        if self.preprocessor is not None:
            return self.preprocessor
        return make_preprocessor(strip_html=self.strip_html, lowercase=self.lowercase)

    def build_tokenizer(self):
        """Return a callable ``text -> list of tokens``.

        Returns
        -------
        tokenizer : callable
        """
        if isinstance(self.tokenizer, str):
            return get_tokenizer(self.tokenizer)
        if self.tokenizer is not None:
            return self.tokenizer
        return make_tokenizer(self.token_pattern)

    def get_stop_words(self):
        """Return the stop words as a frozenset (empty if none).

        Returns
        -------
        stop_words : frozenset of str
        """
        return stop_word_set(self.stop_words)

    def build_analyzer(self):
        """Return a callable ``document -> list of tokens``: preprocessing,
        tokenizing and filtering, exactly as ``fit`` and ``transform`` do.

        Use it to tokenize other text the same way, e.g. to train word2vec.

        Returns
        -------
        analyzer : callable

        Examples
        --------
        >>> from sklearn_rnn import TextVectorizer
        >>> TextVectorizer().build_analyzer()("It's GREAT<br />fun")
        ["it's", 'great', 'fun']
        """
        return make_analyzer(
            self.build_preprocessor(),
            self.build_tokenizer(),
            stop_words=self.get_stop_words(),
            min_token_length=self.min_token_length,
        )

    def build_offset_analyzer(self):
        """Return a callable ``document -> (tokens, offsets)``: the tokens of
        :meth:`build_analyzer` and where each one is in the document.

        ``offsets`` is an int64 array of shape ``(L, 2)``: token ``i`` was read
        from ``document[start:end]`` (lowercased, HTML entities decoded), so
        explanations can highlight the words of the user's own text. HTML tags,
        entities and lowercasing keep exact offsets. With a ``tokenizer`` (a
        name or a callable) each token is searched in the preprocessed text
        in order; with a custom ``preprocessor``, in the original text (then
        its lowercased form). A token that cannot be found there (a tokenizer
        that normalises words, a preprocessor that rewrites them) gets
        ``(-1, -1)``.

        Returns
        -------
        analyzer : callable

        Examples
        --------
        >>> from sklearn_rnn import TextVectorizer
        >>> doc = "It's GREAT<br />fun"
        >>> tokens, offsets = TextVectorizer().build_offset_analyzer()(doc)
        >>> tokens, offsets.tolist()
        (["it's", 'great', 'fun'], [[0, 4], [5, 10], [16, 19]])
        """
        tokenizer = self.tokenizer
        if isinstance(tokenizer, str):
            tokenizer = get_tokenizer(tokenizer)
        return make_offset_analyzer(
            strip_html=self.strip_html, lowercase=self.lowercase,
            token_pattern=self.token_pattern, tokenizer=tokenizer,
            preprocessor=self.preprocessor, stop_words=self.get_stop_words(),
            min_token_length=self.min_token_length,
        )

    def _fast_analyzer(self):
        """``(analyze, as_bytes)``: the ASCII fast path for the default token
        pattern with no custom tokenizer or preprocessor (tokens as UTF-8
        bytes), else :meth:`build_analyzer` (tokens as str)."""
        analyze = self.build_analyzer()
        if (self.tokenizer is not None or self.preprocessor is not None
                or self.token_pattern != DEFAULT_TOKEN_PATTERN):
            return analyze, False
        fast = make_fast_analyzer(
            analyze, strip_html=self.strip_html, lowercase=self.lowercase,
            stop_words=self.get_stop_words(), min_token_length=self.min_token_length,
        )
        return fast, True

    def _lookup(self, vocabulary, as_bytes):
        """``vocabulary`` keyed the way the analyzer's tokens are (UTF-8 bytes
        on the ASCII fast path), cached for the fitted vocabulary."""
        if not as_bytes:
            return vocabulary
        cache = getattr(self, "_bytes_lookup_cache", None)
        if cache is None or cache[0] is not vocabulary:
            cache = (vocabulary, {k.encode("utf-8"): v for k, v in vocabulary.items()})
            self._bytes_lookup_cache = cache
        return cache[1]

    def __getstate__(self):
        state = dict(super().__getstate__())  # a copy: never touch self.__dict__
        for name in ("_bytes_lookup_cache", *CALLBACK_STATE):
            state.pop(name, None)
        return state

    def __setstate__(self, state):
        # a vectorizer saved before a parameter existed gets that parameter's default
        super().__setstate__(with_new_parameters(type(self), state))

    # ------------------------------------------------------------------ #
    # fit / transform
    # ------------------------------------------------------------------ #
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, raw_documents, y=None):
        """Learn the vocabulary and ``maxlen_`` from the documents.

        Parameters
        ----------
        raw_documents : iterable of str
            Documents (``bytes`` are decoded as UTF-8).
        y : None
            Ignored.

        Returns
        -------
        self : TextVectorizer
            Fitted transformer.
        """
        self._fit(raw_documents)
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_transform(self, raw_documents, y=None):
        """Learn the vocabulary and return the padded token ids.

        Equivalent to ``fit(raw_documents).transform(raw_documents)``, in one
        tokenizing pass.

        Parameters
        ----------
        raw_documents : iterable of str
            Documents.
        y : None
            Ignored.

        Returns
        -------
        X : TokenArray of shape (N, T) or RaggedTokens
            Token ids.
        """
        return self._output(*self._fit(raw_documents))

    def _fit(self, raw_documents):
        task = begin_fit_task(self, None, None)  # one task: the documents are read once
        dtype = check_integer_dtype(self.dtype)
        vocabulary, flat, lengths = self._count_vocab(raw_documents)
        if len(vocabulary) - 1 > np.iinfo(dtype).max:
            raise ValueError(
                f"The vocabulary has {len(vocabulary):,} entries, more than dtype="
                f"{dtype.name} can index (max id {np.iinfo(dtype).max:,}). Use "
                "dtype=np.int32 or limit the vocabulary with max_features."
            )
        self.vocabulary_ = vocabulary
        self._tokens = tuple(vocabulary)  # id -> token (ids are insertion order)
        self.stop_words_ = self.get_stop_words()
        self.document_lengths_ = lengths.copy()
        self.maxlen_ = self.maxlen if self.maxlen is not None else auto_maxlen(lengths)
        if task is not None:
            task.call_on_fit_task_end(estimator=self, reconstruction_attributes={})
        return flat, lengths

    def _count_vocab(self, raw_documents):
        """The vocabulary (the fixed ``vocabulary`` or one learnt from the
        documents) and the documents' ids ``(flat, lengths)``, in one pass."""
        if self.vocabulary is not None:
            vocabulary = _fixed_vocabulary(self.vocabulary)
            flat, lengths = self._to_ids(raw_documents, vocabulary)
        else:
            analyze, as_bytes = self._fast_analyzer()
            flat, lengths, provisional = _documents_to_ids(raw_documents, analyze)
            if as_bytes:
                provisional = {k.decode("utf-8"): v for k, v in provisional.items()}
            if self.tokenizer is None:
                warn_if_unsegmented(flat, provisional)
            if len(lengths):
                vocabulary, flat = _select_tokens(
                    flat, lengths, provisional, min_df=self.min_df, max_df=self.max_df,
                    max_features=self.max_features)
        if len(lengths) == 0:
            raise ValueError("Expected at least one document to fit on, got an empty sequence.")
        return vocabulary, flat, lengths

    def _to_ids(self, raw_documents, vocabulary):
        analyze, as_bytes = self._fast_analyzer()
        flat, lengths, _ = _documents_to_ids(raw_documents, analyze,
                                             self._lookup(vocabulary, as_bytes))
        return np.where(flat == PAD_ID, UNK_ID, flat), lengths  # literal '<pad>' tokens

    def transform(self, raw_documents):
        """Turn documents into padded token ids with the fitted vocabulary.

        Parameters
        ----------
        raw_documents : iterable of str
            Documents. Tokens not in the vocabulary become ``1``; an empty
            document becomes a row of padding.

        Returns
        -------
        X : TokenArray of shape (N, T) or RaggedTokens
            Token ids, ``dtype`` integers.
        """
        check_is_fitted(self, "vocabulary_")
        return self._output(*self._to_ids(raw_documents, self.vocabulary_))

    def transform_with_offsets(self, raw_documents):
        """Transform documents and say where each kept token lies in its text.

        What :func:`~sklearn_rnn.explain` uses to highlight words.

        Parameters
        ----------
        raw_documents : iterable of str
            Documents.

        Returns
        -------
        X : RaggedTokens
            :meth:`transform`'s ids, ragged.
        tokens : list of list of str
            For each document the tokens that ``X`` keeps (truncated to
            ``maxlen_`` on the ``truncating`` side).
        offsets : list of list of tuple of int
            ``(start, end)`` of each kept token in its document (see
            :meth:`build_offset_analyzer`).
        """
        check_is_fitted(self, "vocabulary_")
        analyze = self.build_offset_analyzer()
        vocabulary, maxlen = self.vocabulary_, self.maxlen_
        all_tokens, all_offsets, ids = [], [], []
        for doc in iter_documents(raw_documents):
            tokens, offsets = analyze(doc)
            if len(tokens) > maxlen:
                keep = (slice(len(tokens) - maxlen, None) if self.truncating == "pre"
                        else slice(0, maxlen))
                tokens, offsets = tokens[keep], offsets[keep]
            all_tokens.append(tokens)
            all_offsets.append(offsets)
            # a literal '<pad>' token is unknown, as in transform
            ids.extend(vocabulary.get(t, UNK_ID) or UNK_ID for t in tokens)
        X = RaggedTokens(np.asarray(ids, dtype=self.dtype), [len(t) for t in all_tokens],
                         vocabulary=self._tokens, maxlen=maxlen)
        return X, all_tokens, all_offsets

    def _output(self, flat, lengths):
        if self.ragged:
            flat, kept = truncate(flat, lengths, self.maxlen_, self.truncating)
            return RaggedTokens(flat.astype(self.dtype, copy=False), kept,
                                vocabulary=self._tokens, maxlen=self.maxlen_)
        return pad(flat, lengths, maxlen=self.maxlen_, padding=self.padding,
                   truncating=self.truncating, dtype=self.dtype, vocabulary=self._tokens)

    def inverse_transform(self, X):
        """Return the tokens of each row of ids, padding dropped.

        Parameters
        ----------
        X : array-like of shape (N, T)
            Token ids.

        Returns
        -------
        documents : list of list of str
            Tokens per document; unknown ids give ``'<unk>'``.
        """
        check_is_fitted(self, "vocabulary_")
        X = np.asarray(X)
        if X.ndim != 2:
            raise ValueError(f"Expected a 2-D array of token ids, got shape {X.shape}.")
        tokens = self._tokens
        n_vocab = len(tokens)
        if X.size and (X.min() < 0 or X.max() >= n_vocab):
            raise ValueError(
                f"X contains ids outside [0, {n_vocab - 1}], the range of this "
                "vectorizer's vocabulary."
            )
        return [[tokens[i] for i in row[row != PAD_ID].tolist()] for row in X]

    def get_feature_names_out(self, input_features=None):
        """Name each output column: ``token_0`` ... ``token_{maxlen_-1}``.

        Columns are positions in the padded sequence, not vocabulary words.

        Parameters
        ----------
        input_features : None
            Ignored.

        Returns
        -------
        feature_names_out : ndarray of str objects
        """
        check_is_fitted(self, "maxlen_")
        return np.asarray([f"token_{i}" for i in range(self.maxlen_)], dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        tags.target_tags.required = False
        tags.transformer_tags.preserves_dtype = []
        return tags


# --------------------------------------------------------------------------- #
# the vocabulary
# --------------------------------------------------------------------------- #
def vocabulary_tokens(vectorizer):
    """The fitted vectorizer's tokens in id order (``id -> token``)."""
    check_is_fitted(vectorizer, "vocabulary_")
    return vectorizer._tokens


def _documents_to_ids(raw_documents, analyze, lookup=None):
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


def _select_tokens(flat, lengths, provisional, *, min_df=1, max_df=1.0, max_features=None):
    """Order and select the tokens seen; map the provisional ids to final ones.

    Tokens are ordered by decreasing count, ties broken by the token's text;
    ``<pad>`` and ``<unk>`` keep ids 0 and 1.

    Parameters
    ----------
    flat, lengths, provisional :
        The output of :func:`_documents_to_ids` without a lookup (tokens as
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


def _fixed_vocabulary(vocab):
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
