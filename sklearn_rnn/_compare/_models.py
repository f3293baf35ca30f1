"""The models of the main job: the rows ``--models`` names, the vectors of
the transfer row, and the combined row.

The transfer row is what beats n-grams at the sizes users have: the LSTM with
the n-gram path, starting from word vectors learnt elsewhere (named
pretrained vectors, a file, or word2vec trained on every document the job is
given without its labels). The combined row stacks the TF-IDF model and the
transfer row: a logistic regression on their log-odds for documents neither
was trained on, so a weak, over-confident member gets a small coefficient
instead of pulling an average down (``benchmarks/results/transfer.md``).
"""

import hashlib
import os
import time
from pathlib import Path

import numpy as np
from gensim.models import KeyedVectors
from sklearn.ensemble import StackingClassifier, VotingClassifier
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline

from .._classifier import RecurrentTextClassifier
from .._distill import DistilledClassifier
from .._ensemble import HoldoutStackingClassifier
from .._linear import NBSVMClassifier
from .._text._vectorizer import TextVectorizer
from .._vectors._io import cached_word_vectors, train_word2vec
from .._vectors._pretrained import PretrainedEmbeddings
from ..datasets import get_data_home
from ._settings import BLENDS, DISTILLED, MODELS, VOTES

__all__ = ["VOTES", "BLENDS", "DISTILLED", "WORD2VEC_MODELS", "row_name", "make_models",
           "resolve_vectors", "Vectors", "combined_model", "vote_model", "distilled_model",
           "unlabelled_marker"]

#: The distilled row's soft-target loss (benchmarks/results/semi_supervised.md).
DISTIL_TEMPERATURE, DISTIL_SOFT_WEIGHT = 1.0, 0.5
#: --n-train 'quick': the distilled row learns from at most this many
#: unlabelled documents (quick mode stays quick).
QUICK_DISTIL_UNLABELLED = 5_000
#: Rows that use word2vec trained on the job's own text.
WORD2VEC_MODELS = ("lstm-w2v", "lstm-ngrams-w2v", "stack")
#: The n-gram rows start from naive-Bayes ratios up to this imbalance.
NB_INIT_MAX_IMBALANCE = 3
#: The NBSVM row's word n-grams.
NBSVM_NGRAMS = (1, 3)
#: Share of the training documents the combined row's stack is fitted on.
BLEND_HOLDOUT = 0.2


class Vectors:
    """The transfer row's vectors: ``embeddings`` for the classifiers (None
    for none), a short description, and whether to keep them frozen."""

    def __init__(self, embeddings, description, freeze, note=None):
        self.embeddings = embeddings
        self.description = description
        self.freeze = freeze
        self.note = note


def row_name(key, vectors=None):
    """The row name of a ``--models`` key."""
    name = MODELS[key]
    if "{vectors}" in name:
        if vectors is None or vectors.embeddings is None:
            return "LSTM + n-grams (no vectors)"
        return name.format(vectors=vectors.description)
    return name


def _word2vec_cache_path(texts, settings):
    """Where word2vec trained on ``texts`` with ``settings`` is kept (or None)."""
    digest = hashlib.sha1(repr(sorted(settings.items())).encode())
    for text in texts:
        digest.update(text.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    try:
        folder = get_data_home() / "word2vec_cache"
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return folder / f"{digest.hexdigest()}.bin"


#: word2vec on the job's own text (chosen on IMDB and Pang & Lee:
#: benchmarks/results/transfer.md).
WORD2VEC = dict(vector_size=100, window=5, min_count=2, epochs=5)
#: Keep word2vec trained on the job's own text frozen (True) or fine-tune it.
FREEZE_OWN = True
#: Keep named pretrained vectors frozen (True) or fine-tune them.
FREEZE_NAMED = True


def _own_word2vec(texts, vectorizer, seed, say):
    """word2vec trained on ``texts`` (cached on disk in word2vec's binary
    format, which holds numbers only: loading it runs no code)."""
    settings = {**WORD2VEC, "seed": seed, "analyzer": repr(vectorizer.get_params())}
    path = _word2vec_cache_path(texts, settings)
    if path is not None and path.is_file():
        say(f"   word2vec: reusing {path} (trained earlier on the same text)")
        return KeyedVectors.load_word2vec_format(str(path), binary=True)
    kv = train_word2vec(texts, vectorizer=vectorizer, random_state=seed, **WORD2VEC)
    if path is not None:
        tmp = path.with_suffix(".part")
        try:
            kv.save_word2vec_format(str(tmp), binary=True)
            os.replace(tmp, path)
        except OSError:
            pass
    return kv


def resolve_vectors(settings, data, vectorizer, say):
    """The transfer row's :class:`Vectors` for ``--vectors``: None, word2vec
    on the job's own text when there is unlabelled text (given, IMDB's, or
    the test documents with ``--transductive``), else none; 'own' (word2vec
    on the job's text in any case); 'none'; a path; a name of gensim-data."""
    choice = settings.vectors
    if choice == "none":
        return Vectors(None, "", False)
    if choice not in (None, "own"):
        description = Path(choice).name if os.path.exists(choice) else choice
        # read (or downloaded) now, before any training: a name that cannot be
        # fetched stops the job here; the fits reuse what was read
        say(f"== vectors: {description}")
        start = time.perf_counter()
        kv = cached_word_vectors(choice)  # the fits' PretrainedEmbeddings reuse it
        say(f"   {len(kv.key_to_index):,} words x {kv.vector_size}, "
            f"{time.perf_counter() - start:.1f} s")
        return Vectors(PretrainedEmbeddings(choice), description, FREEZE_NAMED)
    if choice is None and not data.unlabelled and not settings.transductive:
        # word2vec on the training documents alone measured below random
        # initialisation (IMDB 500 and 2,000, Pang & Lee: transfer.md)
        say("== no unlabelled text and no --vectors: the transfer row starts from random "
            "vectors (word2vec on the training documents alone measured worse; give "
            "--unlabelled FILE or --vectors NAME|PATH: --vectors glove-wiki-gigaword-50 "
            "measured +1.0 point on 2,000 IMDB reviews and +4.7 on short sentences, "
            "benchmarks/results/named_vectors.md)")
        return Vectors(None, "", False)
    texts = list(data.X_train) + list(data.unlabelled or [])
    sources = [f"the {len(data.X_train):,} training documents"]
    if data.unlabelled:
        sources.append(data.unlabelled_note or f"{len(data.unlabelled):,} unlabelled documents")
    note = None
    if settings.transductive:
        texts += list(data.X_test)
        sources.append(f"the {len(data.X_test):,} test documents (their text only, never "
                       "their labels: --transductive)")
        note = ("word2vec was trained on the test documents' text too (--transductive): "
                "their labels were never used, but the scores are those of a transductive "
                "setting.")
    say(f"== word2vec on {' and '.join(sources)} ({len(texts):,} documents)")
    start = time.perf_counter()
    kv = _own_word2vec(texts, vectorizer, settings.seed, say)
    say(f"   {len(kv.key_to_index):,} words x {kv.vector_size}, "
        f"{time.perf_counter() - start:.1f} s")
    return Vectors(PretrainedEmbeddings(kv), "word2vec (own text)", FREEZE_OWN, note=note)


def ngram_init_for(y):
    """How the n-gram rows start their table for labels ``y``: from the
    naive-Bayes log-count ratios ('nb', +1.6 points on 2,000 IMDB reviews:
    benchmarks/results/nbsvm_ngram_init.md) unless the classes are more
    uneven than ``NB_INIT_MAX_IMBALANCE`` to 1 (there the ratios fit the
    small class's documents before training starts), then from zeros."""
    counts = np.unique(np.asarray(y), return_counts=True)[1]
    return "nb" if counts.max() <= NB_INIT_MAX_IMBALANCE * counts.min() else "zeros"


def make_models(settings, keys, vectors, own, make_callbacks, ngram_init="zeros"):
    """Unfitted pipeline factories for ``keys`` (votes and blends excluded).

    ``vectors`` are the transfer row's (:class:`Vectors`), ``own`` word2vec
    on the job's text for the ``*-w2v`` rows (or None),
    ``make_callbacks(key)`` the skorch callbacks of a recurrent row (progress)
    and ``ngram_init`` how the rows with an n-gram path start it
    (:func:`ngram_init_for`).
    """
    common = dict(
        embedding_dim=settings.embedding_dim, hidden_size=settings.hidden_size,
        batch_size=settings.batch_size, max_epochs=settings.epochs, early_stopping=True,
        device=settings.device, verbose=0, random_state=settings.seed,
    )
    if settings.lr is not None:
        common["lr"] = settings.lr

    def vectorizer():
        return TextVectorizer(maxlen=settings.maxlen, max_features=settings.max_features,
                              tokenizer=settings.tokenizer)

    def rnn(key, **params):
        return make_pipeline(vectorizer(), RecurrentTextClassifier(
            **{**common, **params}, callbacks=make_callbacks(key)))

    def words(pattern):
        """The n-gram vectorizers' tokens: ``pattern``, or the --tokenizer's."""
        if settings.tokenizer:
            return dict(tokenizer=vectorizer().build_analyzer(), token_pattern=None)
        return dict(token_pattern=pattern)

    def tfidf():
        return make_pipeline(
            TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True,
                            **words(r"(?u)\b\w\w+\b")),
            LogisticRegression(max_iter=1000),
        )

    def nbsvm():
        # the defaults chosen on validation reviews (benchmarks/results/nbsvm.md)
        return make_pipeline(
            CountVectorizer(ngram_range=NBSVM_NGRAMS, min_df=2, binary=True,
                            **words(r"(?u)\b\w+\b")),
            NBSVMClassifier(),
        )

    # the vectors set the embedding size of the rows that use them
    transfer = {} if vectors is None or vectors.embeddings is None else dict(
        embeddings=vectors.embeddings, freeze_embeddings=vectors.freeze, embedding_dim=None)
    factories = {
        "rnn": lambda: rnn("rnn", cell="rnn", ngram_range=None),
        "lstm": lambda: rnn("lstm", cell="lstm", ngram_range=None),
        "gru": lambda: rnn("gru", cell="gru", ngram_range=None),
        "bilstm": lambda: rnn("bilstm", cell="lstm", bidirectional=True, ngram_range=None),
        "lstm-ngrams": lambda: rnn("lstm-ngrams", cell="lstm", ngram_range=(1, 2),
                                   ngram_init=ngram_init),
        "transfer": lambda: rnn("transfer", cell="lstm", ngram_range=(1, 2),
                                ngram_init=ngram_init, **transfer),
        "tfidf": tfidf,
        "nbsvm": nbsvm,
    }
    if own is not None:
        own = dict(embeddings=own, freeze_embeddings=FREEZE_OWN, embedding_dim=None)
        factories["lstm-w2v"] = lambda: rnn("lstm-w2v", cell="lstm", ngram_range=None, **own)
        factories["lstm-ngrams-w2v"] = lambda: rnn("lstm-ngrams-w2v", cell="lstm",
                                                   ngram_range=(1, 2), ngram_init=ngram_init,
                                                   **own)
        factories["stack"] = lambda: _stack(
            [("tfidf", tfidf()), ("lstm", rnn("stack", cell="lstm", ngram_range=(1, 2),
                                               ngram_init=ngram_init, **own))], settings.seed)
    return {key: factories[key] for key in keys if key not in VOTES and key not in BLENDS}


def _stack(members, seed):
    """``StackingClassifier`` (3-fold, on ``predict_proba``) over ``members``
    with a LogisticRegression on top: every member is refitted per fold."""
    return StackingClassifier(
        members, final_estimator=LogisticRegression(), stack_method="predict_proba",
        cv=StratifiedKFold(3, shuffle=True, random_state=seed))


def combined_model(members, settings):
    """The combined row, unfitted: ``members`` ((key, unfitted model) pairs)
    stacked on ``BLEND_HOLDOUT`` of the training documents."""
    return HoldoutStackingClassifier(members, holdout=BLEND_HOLDOUT, random_state=settings.seed)


def unlabelled_marker(y):
    """A label that marks the unlabelled documents added to ``y`` and is
    none of its classes: -1 for numbers (or one below the smallest when -1
    is a class), ``'<unlabelled>'`` for text (with more angle brackets when
    that is a class)."""
    y = np.asarray(y)
    if y.dtype.kind in "iuf":
        return -1 if not np.any(y == -1) else int(np.floor(np.min(y))) - 1
    marker, labels = "<unlabelled>", {str(v) for v in y}
    while marker in labels:
        marker = f"<{marker}>"
    return marker


def distilled_model(teacher, student, settings, marker):
    """The distilled row, unfitted: ``student`` (an unfitted pipeline) learns
    from the probabilities of ``teacher`` (a row fitted earlier in the run,
    frozen: not fitted again) for the labelled and unlabelled documents
    (``marker`` marks the latter)."""
    quick = settings.n_train == "quick"
    return DistilledClassifier(
        FrozenEstimator(teacher), student, temperature=DISTIL_TEMPERATURE,
        soft_weight=DISTIL_SOFT_WEIGHT, unlabelled_label=marker,
        max_unlabelled=QUICK_DISTIL_UNLABELLED if quick else None,
        random_state=settings.seed)


def vote_model(members, X, y):
    """A soft vote of ``members`` ((key, fitted model) pairs), fitted without
    refitting them."""
    return VotingClassifier([(key, FrozenEstimator(model)) for key, model in members],
                            voting="soft").fit(X, y)
