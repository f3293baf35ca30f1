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
from pathlib import Path

import numpy as np

__all__ = ["MODELS", "DEFAULT_MODELS", "VOTES", "BLENDS", "WORD2VEC_MODELS", "row_name",
           "make_models", "resolve_vectors", "held_out_stack", "Stacker", "blend_weight",
           "Vectors"]

#: ``--models`` name -> row name ({vectors}: the transfer row's vectors).
MODELS = {
    "rnn": "RNN",
    "lstm": "LSTM",
    "gru": "GRU",
    "bilstm": "Bidirectional LSTM",
    "lstm-ngrams": "LSTM + n-grams",
    "transfer": "LSTM + n-grams + {vectors}",
    "lstm-w2v": "LSTM + word2vec",
    "lstm-ngrams-w2v": "LSTM + n-grams + word2vec",
    "tfidf": "TF-IDF + LogReg",
    "combined": "TF-IDF + LSTM transfer (combined)",
    "vote": "TF-IDF + LSTM n-grams (soft vote)",
    "vote-w2v": "TF-IDF + LSTM n-grams + word2vec (soft vote)",
    "stack": "TF-IDF + LSTM n-grams + word2vec (stacking)",
}
#: What ``sklearn-rnn compare`` trains without ``--models``: the cells the
#: tutorials compare (recurrent path only), the transfer row, the TF-IDF
#: baseline and the combined row.
DEFAULT_MODELS = ("rnn", "lstm", "transfer", "tfidf", "combined")
#: Soft votes of rows already fitted (no refit): name -> its two members.
VOTES = {"vote": ("tfidf", "lstm-ngrams"), "vote-w2v": ("tfidf", "lstm-ngrams-w2v")}
#: Rows stacked on held-out predictions (:class:`Stacker`): name -> its two members.
BLENDS = {"combined": ("tfidf", "transfer")}
#: Rows that use word2vec trained on the job's own text.
WORD2VEC_MODELS = ("lstm-w2v", "lstm-ngrams-w2v", "stack")
#: Share of the training documents the combined row's stacker is fitted on.
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
    from ..datasets import get_data_home

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
    from gensim.models import KeyedVectors

    from .. import train_word2vec

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


def resolve_vectors(args, data, vectorizer, say):
    """The transfer row's :class:`Vectors` for ``--vectors``: None, word2vec
    on the job's own text when there is unlabelled text (given, IMDB's, or
    the test documents with ``--transductive``), else none; 'own' (word2vec
    on the job's text in any case); 'none'; a path; a name of gensim-data."""
    import time

    from .. import PretrainedEmbeddings

    choice = args.vectors
    if choice == "none":
        return Vectors(None, "", False)
    if choice not in (None, "own"):
        from .._vectors._io import cached_word_vectors

        description = Path(choice).name if os.path.exists(choice) else choice
        # read (or downloaded) now, before any training: a name that cannot be
        # fetched stops the job here; the fits reuse what was read
        say(f"== vectors: {description}")
        start = time.perf_counter()
        kv = cached_word_vectors(choice)  # the fits' PretrainedEmbeddings reuse it
        say(f"   {len(kv.key_to_index):,} words x {kv.vector_size}, "
            f"{time.perf_counter() - start:.1f} s")
        return Vectors(PretrainedEmbeddings(choice), description, FREEZE_NAMED)
    if choice is None and not data.unlabelled and not args.transductive:
        # word2vec on the training documents alone measured below random
        # initialisation (IMDB 500 and 2,000, Pang & Lee: transfer.md)
        say("== no unlabelled text and no --vectors: the transfer row starts from random "
            "vectors (word2vec on the training documents alone measured worse; give "
            "--unlabelled FILE or --vectors NAME|PATH)")
        return Vectors(None, "", False)
    texts = list(data.X_train) + list(data.unlabelled or [])
    sources = [f"the {len(data.X_train):,} training documents"]
    if data.unlabelled:
        sources.append(data.unlabelled_note or f"{len(data.unlabelled):,} unlabelled documents")
    note = None
    if args.transductive:
        texts += list(data.X_test)
        sources.append(f"the {len(data.X_test):,} test documents (their text only, never "
                       "their labels: --transductive)")
        note = ("word2vec was trained on the test documents' text too (--transductive): "
                "their labels were never used, but the scores are those of a transductive "
                "setting.")
    say(f"== word2vec on {' and '.join(sources)} ({len(texts):,} documents)")
    start = time.perf_counter()
    kv = _own_word2vec(texts, vectorizer, args.seed, say)
    say(f"   {len(kv.key_to_index):,} words x {kv.vector_size}, "
        f"{time.perf_counter() - start:.1f} s")
    return Vectors(PretrainedEmbeddings(kv), "word2vec (own text)", FREEZE_OWN, note=note)


def make_models(args, keys, vectors, own, make_callbacks):
    """Unfitted pipeline factories for ``keys`` (votes and blends excluded).

    ``vectors`` are the transfer row's (:class:`Vectors`), ``own`` word2vec
    on the job's text for the ``*-w2v`` rows (or None), and
    ``make_callbacks(key)`` the skorch callbacks of a recurrent row (progress).
    """
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    from .. import RecurrentTextClassifier, TextVectorizer

    common = dict(
        embedding_dim=args.embedding_dim, hidden_size=args.hidden_size,
        batch_size=args.batch_size, max_epochs=args.epochs, early_stopping=True,
        device=args.device, verbose=0, random_state=args.seed,
    )
    if args.lr is not None:
        common["lr"] = args.lr

    def vectorizer():
        return TextVectorizer(maxlen=args.maxlen, max_features=args.max_features,
                              tokenizer=args.tokenizer)

    def rnn(key, **params):
        return make_pipeline(vectorizer(), RecurrentTextClassifier(
            **{**common, **params}, callbacks=make_callbacks(key)))

    def tfidf():
        return make_pipeline(
            TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True,
                            tokenizer=vectorizer().build_analyzer() if args.tokenizer else None,
                            token_pattern=None if args.tokenizer else r"(?u)\b\w\w+\b"),
            LogisticRegression(max_iter=1000),
        )

    # the vectors set the embedding size of the rows that use them
    transfer = {} if vectors is None or vectors.embeddings is None else dict(
        embeddings=vectors.embeddings, freeze_embeddings=vectors.freeze, embedding_dim=None)
    factories = {
        "rnn": lambda: rnn("rnn", cell="rnn", ngram_range=None),
        "lstm": lambda: rnn("lstm", cell="lstm", ngram_range=None),
        "gru": lambda: rnn("gru", cell="gru", ngram_range=None),
        "bilstm": lambda: rnn("bilstm", cell="lstm", bidirectional=True, ngram_range=None),
        "lstm-ngrams": lambda: rnn("lstm-ngrams", cell="lstm", ngram_range=(1, 2)),
        "transfer": lambda: rnn("transfer", cell="lstm", ngram_range=(1, 2), **transfer),
        "tfidf": tfidf,
    }
    if own is not None:
        own = dict(embeddings=own, freeze_embeddings=FREEZE_OWN, embedding_dim=None)
        factories["lstm-w2v"] = lambda: rnn("lstm-w2v", cell="lstm", ngram_range=None, **own)
        factories["lstm-ngrams-w2v"] = lambda: rnn("lstm-ngrams-w2v", cell="lstm",
                                                   ngram_range=(1, 2), **own)
        factories["stack"] = lambda: _stack(
            [("tfidf", tfidf()), ("lstm", rnn("stack", cell="lstm", ngram_range=(1, 2),
                                               **own))], args.seed)
    return {key: factories[key] for key in keys if key not in VOTES and key not in BLENDS}


def _stack(members, seed):
    """``StackingClassifier`` (3-fold, on ``predict_proba``) over ``members``
    with a LogisticRegression on top: every member is refitted per fold."""
    from sklearn.ensemble import StackingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    return StackingClassifier(
        members, final_estimator=LogisticRegression(), stack_method="predict_proba",
        cv=StratifiedKFold(3, shuffle=True, random_state=seed))


def held_out_probas(factories, X, y, seed):
    """Predicted probabilities of ``BLEND_HOLDOUT`` of the training documents
    by copies of each member trained on the rest.

    Returns
    -------
    probas : list of ndarray of shape (n_held_out, n_classes)
    truth : ndarray of shape (n_held_out,)
    classes : ndarray
    """
    from sklearn.model_selection import train_test_split

    X = np.asarray(X, dtype=object)
    train, held = train_test_split(np.arange(len(y)), test_size=BLEND_HOLDOUT,
                                   random_state=seed, stratify=y)
    probas = []
    for make in factories:
        model = make().fit(list(X[train]), y[train])
        probas.append(np.asarray(model.predict_proba(list(X[held]))))
        classes = model.classes_
    return probas, y[held], classes


def _log_odds(probas):
    """Stacking features: each member's log-probabilities (for two classes,
    its log-odds), side by side."""
    logs = [np.log(np.clip(p, 1e-7, 1.0)) for p in probas]
    if probas[0].shape[1] == 2:
        return np.column_stack([lp[:, 1] - lp[:, 0] for lp in logs])
    return np.hstack([lp - lp.mean(axis=1, keepdims=True) for lp in logs])


class Stacker:
    """Combine members' probabilities with a logistic regression on their
    log-odds (log-probabilities with more than two classes), fitted on
    held-out predictions: each member's confidence is rescaled by what it
    was worth on documents it never saw, so a weak or over-confident member
    gets a small coefficient instead of pulling an average down.

    Parameters
    ----------
    probas : list of ndarray
        Held-out probabilities of each member.
    truth : ndarray
        The held-out labels.
    classes : ndarray
        The members' ``classes_``.
    """

    def __init__(self, probas, truth, classes):
        from sklearn.linear_model import LogisticRegression

        self.classes_ = classes
        self.meta_ = LogisticRegression(C=1.0, max_iter=1000).fit(_log_odds(probas), truth)
        #: Index of the member used alone instead of the stack (see
        #: :func:`held_out_stack`), or None.
        self.alone_ = None

    def predict_proba(self, probas):
        """Combined probabilities from the members' ``probas`` (a list)."""
        if self.alone_ is not None:
            return np.asarray(probas[self.alone_])
        proba = self.meta_.predict_proba(_log_odds(probas))
        order = [list(self.meta_.classes_).index(c) for c in self.classes_]
        return proba[:, order]

    def describe(self, names):
        """The coefficients, in words."""
        if self.alone_ is not None:
            return f"{names[self.alone_]} alone: it beat the stack on the held-out documents"
        coef = self.meta_.coef_
        if coef.shape[0] == 1:  # two classes: one coefficient per member
            return ", ".join(f"{c:.2f} x {n}" for c, n in zip(coef[0], names, strict=True))
        width = coef.shape[1] // len(names)
        return ", ".join(f"|{np.abs(coef[:, i * width:(i + 1) * width]).mean():.2f}| x {n}"
                         for i, n in enumerate(names))


def held_out_stack(factories, X, y, seed):
    """A :class:`Stacker` fitted on held-out predictions of copies of the
    members, and the held-out accuracy of each member and of the stack (the
    stack's by 5-fold cross-validation on the held-out documents, so that no
    document scores the logistic regression it trained). When a member alone
    was more accurate on the held-out documents than the stack, the stacker
    passes that member's probabilities through (``alone_``).

    Returns
    -------
    stacker : Stacker
    scores : dict
    """

    probas, truth, classes = held_out_probas(factories, X, y, seed)
    return stack_held_out(probas, truth, classes, seed)


def stack_held_out(probas, truth, classes, seed):
    """:func:`held_out_stack` from the held-out probabilities."""
    from sklearn.base import clone
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    stacker = Stacker(probas, truth, classes)
    folds = min(5, int(np.unique(truth, return_counts=True)[1].min()))
    if folds >= 2:
        pred = cross_val_predict(clone(stacker.meta_), _log_odds(probas), truth,
                                 cv=StratifiedKFold(folds, shuffle=True, random_state=seed))
        blend = float(np.mean(pred == truth))
    else:
        blend = float("nan")
    members = [float(np.mean(classes[p.argmax(axis=1)] == truth)) for p in probas]
    # a stack of a strong and a much weaker member can end below the strong
    # one (the weaker one's held-out copy misleads the regression): then the
    # better member alone is the combined row, as it was on held-out data
    if not blend >= max(members):
        stacker.alone_ = int(np.argmax(members))
    return stacker, {"members": members, "stack": blend, "n_held_out": len(truth)}


def blend_weight(factories, X, y, seed, say=None):
    """The weight ``w`` of the first member in ``w * p1 + (1 - w) * p2``,
    chosen on ``BLEND_HOLDOUT`` of the training documents by copies of both
    members trained on the rest.

    ``w`` runs over 0, 0.05, ..., 1 (so each member alone is a candidate);
    the best held-out accuracy wins, ties broken by log-loss.

    Returns
    -------
    w : float
    scores : dict
        Held-out accuracy of each member and of the blend.
    """
    probas, truth, classes = held_out_probas(factories, X, y, seed)
    return _best_weight(probas, truth, classes)


def _best_weight(probas, truth, classes):
    from sklearn.metrics import log_loss

    best = None
    for w in np.round(np.linspace(0, 1, 21), 2):
        p = w * probas[0] + (1 - w) * probas[1]
        accuracy = float(np.mean(classes[p.argmax(axis=1)] == truth))
        loss = log_loss(truth, np.clip(p, 1e-7, 1), labels=classes)
        key = (accuracy, -loss)
        if best is None or key > best[0]:
            best = (key, float(w))
    w = best[1]
    member_scores = [float(np.mean(classes[p.argmax(axis=1)] == truth)) for p in probas]
    return w, {"members": member_scores, "blend": best[0][0], "n_held_out": len(truth)}
