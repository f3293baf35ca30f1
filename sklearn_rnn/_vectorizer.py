"""Raw text to padded integer token ids: :class:`TextVectorizer`.

Shapes: ``N`` documents, ``T`` positions (``maxlen_``).
"""

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._analyzer import (
    DEFAULT_TOKEN_PATTERN,
    fastest_analyzer,
    make_analyzer,
    make_preprocessor,
    make_tokenizer,
    stop_word_set,
)
from ._callbacks import CALLBACK_STATE, CallbackSupportMixin, begin_fit_task, with_callbacks
from ._ragged import RaggedTokens, ragged_truncate
from ._token_array import TokenArray, auto_maxlen, pad_ragged  # noqa: F401 (TokenArray: old pickles)
from ._validation import check_integer_dtype, validate_params, with_new_parameters
from ._vocabulary import PAD_ID, UNK_ID, documents_to_ids, fit_vocabulary
from .tokenizers import TOKENIZERS, get_tokenizer

__all__ = ["TextVectorizer"]


class TextVectorizer(CallbackSupportMixin, TransformerMixin, BaseEstimator):
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

    def _analyzer_and_lookup(self, vocabulary):
        """The fastest analyzer for these settings, and ``vocabulary`` keyed
        the way its tokens are (UTF-8 bytes on the ASCII fast path)."""
        analyze, as_bytes = fastest_analyzer(self)
        if vocabulary is None or not as_bytes:
            return analyze, vocabulary, as_bytes
        cache = getattr(self, "_bytes_lookup_cache", None)
        if cache is None or cache[0] is not vocabulary:
            cache = (vocabulary, {k.encode("utf-8"): v for k, v in vocabulary.items()})
            self._bytes_lookup_cache = cache
        return analyze, cache[1], True

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
    @with_callbacks
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

    @with_callbacks
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
        X : TokenArray of shape (N, T)
            Token ids.
        """
        flat, lengths = self._fit(raw_documents)
        return self._pad(flat, lengths)

    def _fit(self, raw_documents):
        validate_params(self)
        task = begin_fit_task(self, None, None)  # one task: the documents are read once
        vocabulary, flat, lengths = fit_vocabulary(self, raw_documents,
                                                   check_integer_dtype(self.dtype))
        self.vocabulary_ = vocabulary
        self._tokens = tuple(vocabulary)  # id -> token (ids are insertion order)
        self.stop_words_ = self.get_stop_words()
        self.document_lengths_ = lengths.copy()
        self.maxlen_ = self.maxlen if self.maxlen is not None else auto_maxlen(lengths)
        if task is not None:
            task.call_on_fit_task_end(estimator=self, reconstruction_attributes={})
        return flat, lengths

    def _to_ids(self, raw_documents, vocabulary):
        analyze, lookup, _ = self._analyzer_and_lookup(vocabulary)
        flat, lengths, _ = documents_to_ids(raw_documents, analyze, lookup)
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
        X : TokenArray of shape (N, T)
            Token ids, ``dtype`` integers.
        """
        check_is_fitted(self, "vocabulary_")
        return self._pad(*self._to_ids(raw_documents, self.vocabulary_))

    def _pad(self, flat, lengths):
        if self.ragged:
            flat, kept = ragged_truncate(flat, lengths, self.maxlen_, self.truncating)
            return RaggedTokens(flat.astype(self.dtype, copy=False), kept,
                                vocabulary=self._tokens, maxlen=self.maxlen_)
        return pad_ragged(
            flat, lengths, maxlen=self.maxlen_, padding=self.padding,
            truncating=self.truncating, dtype=self.dtype, vocabulary=self._tokens,
        )

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
