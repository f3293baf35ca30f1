"""Tokenizers for languages written without spaces between words.

The default :class:`~sklearn_rnn.TextVectorizer` splits on spaces and
punctuation, which is right for English and wrong for Japanese and Chinese
(a whole clause becomes one token) and for Korean (particles stay attached:
``청소기도``, ``청소기는`` are different tokens). A morphological analyser
splits such text into words. These classes wrap the analysers users of those
languages use, as picklable callables ``text -> list of str``:

* ``tokenizer="janome"``: :class:`JanomeTokenizer`, Japanese, pure Python
  (``pip install "sklearn-rnn[ja]"``);
* ``tokenizer="fugashi"``: :class:`FugashiTokenizer`, Japanese with MeCab,
  faster (``pip install "sklearn-rnn[ja-fast]"``);
* ``tokenizer="kiwipiepy"``: :class:`KiwiTokenizer`, Korean
  (``pip install "sklearn-rnn[ko]"``);
* ``tokenizer="jieba"``: :class:`JiebaTokenizer`, Chinese
  (``pip install "sklearn-rnn[zh]"``);
* ``tokenizer="char"``: :class:`CharTokenizer`, characters of any script
  (nothing to install).

Each analyser is loaded on first use (once per process and thread) and not
pickled: a pickled, cloned or ``GridSearchCV(n_jobs=2)``-shipped vectorizer
carries only the tokenizer's name and options, and loads the analyser again
where it runs. A name whose package is missing raises an ``ImportError``
naming the extra to install.
"""

import importlib
import threading

__all__ = [
    "JanomeTokenizer",
    "FugashiTokenizer",
    "KiwiTokenizer",
    "JiebaTokenizer",
    "CharTokenizer",
    "get_tokenizer",
    "TOKENIZERS",
]


class _AnalyserTokenizer:
    """Base: a lazily loaded analyser, one per thread, never pickled."""

    package = None  # module to import
    extra = None  # pip extra that installs it

    def __init__(self):
        self._local = threading.local()

    def _load(self, module):  # pragma: no cover - overridden
        raise NotImplementedError

    def _split(self, analyser, text):  # pragma: no cover - overridden
        raise NotImplementedError

    def __call__(self, text):
        analyser = getattr(self._local, "analyser", None)
        if analyser is None:
            try:
                module = importlib.import_module(self.package)
            except ImportError as exc:
                raise ImportError(
                    f"{type(self).__name__} needs the package {self.package!r}: "
                    f'pip install "sklearn-rnn[{self.extra}]"'
                ) from exc
            analyser = self._local.analyser = self._load(module)
        return self._split(analyser, text)

    def __getstate__(self):
        state = dict(vars(self))
        state.pop("_local")
        return state

    def __setstate__(self, state):
        vars(self).update(state)
        self._local = threading.local()

    def __eq__(self, other):
        return type(self) is type(other) and self.__getstate__() == other.__getstate__()

    def __hash__(self):
        return hash((type(self), tuple(sorted(self.__getstate__().items()))))

    def __repr__(self):
        options = ", ".join(f"{k}={v!r}" for k, v in self.__getstate__().items())
        return f"{type(self).__name__}({options})"


class JanomeTokenizer(_AnalyserTokenizer):
    """Japanese words with janome (pure Python, ``pip install "sklearn-rnn[ja]"``).

    Examples
    --------
    >>> JanomeTokenizer()("このスマホケースは品質が高い")  # doctest: +SKIP
    ['この', 'スマホケース', 'は', '品質', 'が', '高い']
    """

    package, extra = "janome.tokenizer", "ja"

    def _load(self, module):
        return module.Tokenizer(wakati=True)

    def _split(self, analyser, text):
        return list(analyser.tokenize(text, wakati=True))


class FugashiTokenizer(_AnalyserTokenizer):
    """Japanese words with fugashi (MeCab) and the unidic-lite dictionary:
    several times faster than janome (``pip install "sklearn-rnn[ja-fast]"``)."""

    package, extra = "fugashi", "ja-fast"

    def _load(self, module):
        return module.Tagger()

    def _split(self, analyser, text):
        return [word.surface for word in analyser(text)]


class KiwiTokenizer(_AnalyserTokenizer):
    """Korean morphemes with kiwipiepy (``pip install "sklearn-rnn[ko]"``):
    ``청소기도`` -> ``청소기``, ``도``."""

    package, extra = "kiwipiepy", "ko"

    def _load(self, module):
        return module.Kiwi()

    def _split(self, analyser, text):
        return [token.form for token in analyser.tokenize(text)]


class JiebaTokenizer(_AnalyserTokenizer):
    """Chinese words with jieba (``pip install "sklearn-rnn[zh]"``)."""

    package, extra = "jieba", "zh"

    def _load(self, module):
        module.setLogLevel(60)  # no "Building prefix dict" chatter
        return module.Tokenizer()

    def _split(self, analyser, text):
        return [word for word in analyser.cut(text) if not word.isspace()]


class CharTokenizer:
    """Characters, or overlapping character n-grams, of any script.

    Parameters
    ----------
    n : int, default=1
        1: every character but white space is a token; 2: overlapping
        bigrams of the characters of each white-space-separated chunk, etc.

    Examples
    --------
    >>> CharTokenizer()("映画 が好き")
    ['映', '画', 'が', '好', 'き']
    >>> CharTokenizer(n=2)("映画が好き")
    ['映画', '画が', 'が好', '好き']
    """

    def __init__(self, n=1):
        self.n = n

    def __call__(self, text):
        n = self.n
        if n == 1:
            return [c for c in text if not c.isspace()]
        return [chunk[i: i + n] for chunk in text.split()
                for i in range(max(len(chunk) - n + 1, 1))]

    def __eq__(self, other):
        return type(self) is type(other) and self.n == other.n

    def __hash__(self):
        return hash((type(self), self.n))

    def __repr__(self):
        return f"CharTokenizer(n={self.n})"


#: ``TextVectorizer(tokenizer=name)`` -> tokenizer class.
TOKENIZERS = {
    "janome": JanomeTokenizer,
    "fugashi": FugashiTokenizer,
    "kiwipiepy": KiwiTokenizer,
    "jieba": JiebaTokenizer,
    "char": CharTokenizer,
}


_SHARED = {}


def get_tokenizer(name):
    """The tokenizer for ``TextVectorizer(tokenizer=name)``, one per process.

    Parameters
    ----------
    name : {'janome', 'fugashi', 'kiwipiepy', 'jieba', 'char'}

    Returns
    -------
    tokenizer : callable
    """
    if name not in TOKENIZERS:
        raise ValueError(
            f"Unknown tokenizer {name!r}; use one of {sorted(TOKENIZERS)}, or pass a "
            "callable text -> list of tokens."
        )
    if name not in _SHARED:
        _SHARED[name] = TOKENIZERS[name]()
    return _SHARED[name]
