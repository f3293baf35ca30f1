"""Why a classifier predicted what it did: per-token attributions.

Shapes: ``N`` documents, ``L`` tokens of one document, ``C`` classes, ``F``
features of a linear model.

:class:`Explanation` holds one document's explanation; :func:`explain`
explains raw text through a fitted pipeline: a :class:`TextVectorizer` then
a recurrent classifier (integrated gradients, ``_nn/_attribution.py``), or a
scikit-learn ``CountVectorizer``/``TfidfVectorizer`` then a linear classifier
such as ``LogisticRegression`` or :class:`NBSVMClassifier` (its coefficients,
exactly). Both explain the same quantity, the target's
score ``f_c = z_c - mean of the other classes' z_j`` (``z``: the logits, or
the linear model's decision values): the log-odds of the target with two
classes.
"""

import numbers
import re

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._distill import DistilledClassifier
from ._text._analyzer import find_in_order
from ._text._vectorizer import TextVectorizer
from ._utils._validation import iter_documents

__all__ = ["Explanation", "explain"]


class Explanation:
    """The per-token attributions of one document toward one class.

    Returned by :func:`sklearn_rnn.explain` and the classifiers' ``explain``.
    Each token gets a share of the target class's score (the log-odds with
    two classes): positive for evidence toward the target class, negative
    against it. The shares add up to ``score - baseline_score``, the score of
    the document minus that of an empty one (exactly for linear models and
    the n-gram path, up to the integration error for the recurrent path:
    ``completeness_gap``).

    Parameters
    ----------
    tokens : list of str
        The tokens the model read, in order (after stop words, and truncation
        to ``maxlen_``); words outside the vocabulary are shown as written,
        the model read them as ``'<unk>'``.
    attributions : array-like of shape (L,)
        Share of the score of each token.
    target : object
        The class explained (a label of ``classes_``).
    probability : float or None
        The model's probability of ``target`` for this document (None for a
        model without ``predict_proba``).
    score : float
        The target's score ``f_c`` of the document: ``z_c`` minus the mean
        ``z_j`` of the other classes (``z``: logits or decision values).
    baseline_score : float
        The score of the baseline: the same document with every embedding
        set to the padding embedding (zeros) and no n-grams, or, for a linear
        model, no features (its intercept).
    offsets : array-like of shape (L, 2), default=None
        Where each token is in ``text``: ``text[start:end]``; ``(-1, -1)``
        for a token the tokenizer rewrote so that it could not be found.
        None when explaining token ids.
    text : str, default=None
        The document, as given.
    method : str, default='integrated_gradients'
        ``'integrated_gradients'`` (recurrent classifiers) or ``'linear'``.

    Attributes
    ----------
    completeness_gap : float
        ``sum(attributions) - (score - baseline_score)``: 0 up to rounding for
        a linear model, the integration error otherwise.

    Examples
    --------
    >>> from sklearn_rnn import Explanation
    >>> e = Explanation(tokens=["a", "great", "film"], attributions=[0.1, 2.0, -0.3],
    ...                 target="pos", probability=0.86, score=1.8, baseline_score=0.0)
    >>> e.top(2)
    [('great', 2.0), ('a', 0.1)]
    >>> e.top(1, against=True)
    [('film', -0.3)]
    """

    __module__ = "sklearn_rnn"

    def __init__(self, *, tokens, attributions, target, probability, score, baseline_score,
                 offsets=None, text=None, method="integrated_gradients"):
        self.tokens = list(tokens)
        self.attributions = np.asarray(attributions, dtype=np.float64).reshape(-1)
        if len(self.attributions) != len(self.tokens):
            raise ValueError(f"{len(self.tokens)} tokens but {len(self.attributions)} "
                             "attributions: give one attribution per token.")
        self.offsets = (None if offsets is None
                        else np.asarray(offsets, dtype=np.int64).reshape(-1, 2))
        if self.offsets is not None and len(self.offsets) != len(self.tokens):
            raise ValueError(f"{len(self.tokens)} tokens but {len(self.offsets)} offsets.")
        self.target = target.item() if isinstance(target, np.generic) else target
        self.probability = None if probability is None else float(probability)
        self.score = float(score)
        self.baseline_score = float(baseline_score)
        self.text = text
        self.method = method

    @property
    def completeness_gap(self):
        return float(self.attributions.sum() - (self.score - self.baseline_score))

    def __len__(self):
        return len(self.tokens)

    def top(self, k=5, *, against=False):
        """The ``k`` tokens with the largest attributions toward the target
        (or, with ``against=True``, the most negative ones).

        Parameters
        ----------
        k : int, default=5
        against : bool, default=False

        Returns
        -------
        top : list of (str, float)
            ``(token, attribution)``, strongest first; only tokens on that
            side (positive, or negative with ``against``).
        """
        a = self.attributions
        order = np.argsort(a if against else -a, kind="stable")
        side = a < 0 if against else a > 0
        return [(self.tokens[i], float(a[i])) for i in order[:k] if side[i]]

    def spans(self):
        """``(start, end, attribution)`` of every token found in ``text``:
        what a highlighter needs (the report page of ``sklearn-rnn compare``
        takes it as is).

        Returns
        -------
        spans : list of (int, int, float)
        """
        if self.offsets is None:
            return []
        return [(int(s), int(e), float(w))
                for (s, e), w in zip(self.offsets.tolist(), self.attributions, strict=True)
                if s >= 0]

    def _repr_html_(self):
        """The text with its words highlighted, in a notebook (None without text)."""
        if self.text is None:
            return None
        import html

        from ._report import highlight

        p = "" if self.probability is None else f" ({100 * self.probability:.1f}%)"
        return (f'<div style="line-height:1.7"><div><b>{html.escape(str(self.target))}</b>'
                f"{p}</div>{highlight(self.text, self.spans())}</div>")

    def __repr__(self):
        p = "" if self.probability is None else f", p={self.probability:.3f}"

        def words(pairs):
            return ", ".join(f"{t!r} {w:+.2f}" for t, w in pairs) or "none"

        return (f"Explanation(target={self.target!r}{p}, {len(self)} tokens; for: "
                f"{words(self.top(3))}; against: {words(self.top(3, against=True))})")


# --------------------------------------------------------------------------- #
# explain(pipeline, texts)
# --------------------------------------------------------------------------- #
def explain(pipeline, texts, *, target=None, n_steps=None, tolerance=None):
    """Explain a fitted text classifier's predictions word by word.

    For each document, every token gets a share of the target class's score
    (the log-odds with two classes), with its place in the text, so that the
    words that made the prediction can be highlighted.

    * A :class:`~sklearn_rnn.TextVectorizer` then a recurrent classifier:
      integrated gradients on the embeddings (from a baseline of padding
      embeddings) for the recurrent path, plus the exact linear share of each
      n-gram for the n-gram path (see the classifiers' ``explain``).
    * A scikit-learn ``CountVectorizer`` or ``TfidfVectorizer`` (word
      analyzer) then a linear classifier with ``coef_`` (such as
      ``LogisticRegression``; transformers that keep the features, such as
      ``TfidfTransformer``, may stand between): a token gets, for each n-gram
      feature it is part of, ``value x coefficient`` of that feature, split
      evenly over the feature's occurrences and their tokens. Exact: the
      shares add up to the decision value minus the intercept. The same for
      a :class:`~sklearn_rnn.NBSVMClassifier`, from its effective ``coef_``
      (the log-count ratios times the logistic regression's weights), each
      feature's value binarised as the model reads it.

    Parameters
    ----------
    pipeline : Pipeline or DistilledClassifier
        Fitted; its first step a ``TextVectorizer``, ``CountVectorizer`` or
        ``TfidfVectorizer``, its last the classifier. A
        :class:`~sklearn_rnn.DistilledClassifier` is explained through its
        student (``student_``), the model that predicts.
    texts : iterable of str
        Documents.
    target : label or array-like of labels, default=None
        The class to explain, for all documents or one per document; None:
        each document's predicted class.
    n_steps, tolerance : default=None
        The integral's settings for a recurrent classifier (None: its
        defaults; see its ``explain``); ignored for linear models, explained
        exactly.

    Returns
    -------
    explanations : list of Explanation
        One per document, with ``text`` and ``offsets``: ``text[start:end]``
        is where each token was read.

    See Also
    --------
    Explanation : What each explanation holds.

    Notes
    -----
    ``TextVectorizer`` records each token's offsets exactly through HTML
    stripping, entities and lowercasing; with a tokenizer (``'janome'``, a
    callable) or a custom preprocessor each token is searched in the text in
    order, and one that cannot be found gets ``(-1, -1)`` (see
    :meth:`TextVectorizer.build_offset_analyzer`). For scikit-learn's
    vectorizers, tokens are found with the token pattern on the preprocessed
    text, which keeps the offsets when preprocessing keeps the length
    (lowercasing does); when it does not (``strip_accents``, a custom
    ``preprocessor`` or ``tokenizer``), each token is searched in order in
    the lowercased text instead, as above.

    Examples
    --------
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn_rnn import LSTMSentimentClassifier, TextVectorizer, explain
    >>> docs = ["a great film", "loved it", "what a waste", "dull and long",
    ...         "great acting", "boring plot", "a joy", "so bad"]
    >>> y = ["pos", "pos", "neg", "neg", "pos", "neg", "pos", "neg"]
    >>> pipe = make_pipeline(TextVectorizer(), LSTMSentimentClassifier(
    ...     hidden_size=8, max_epochs=1, random_state=0)).fit(docs, y)
    >>> e = explain(pipe, ["A GREAT<br />film!"])[0]
    >>> e.tokens, e.offsets.tolist(), e.attributions.shape
    (['a', 'great', 'film'], [[0, 1], [2, 7], [13, 17]], (3,))
    >>> explain(pipe, ["A GREAT<br />film!"], target="neg")[0].target
    'neg'
    """
    if isinstance(pipeline, DistilledClassifier):  # the student predicts: explain it
        check_is_fitted(pipeline)
        pipeline = pipeline.student_
    steps = getattr(pipeline, "steps", None)
    if not steps:
        raise TypeError(
            f"explain takes a fitted Pipeline whose first step turns text into features "
            f"(TextVectorizer, CountVectorizer or TfidfVectorizer), got "
            f"{type(pipeline).__name__}. For token ids, call the classifier's explain(X)."
        )
    first, last = steps[0][1], steps[-1][1]
    middle = [est for _, est in steps[1:-1] if est not in (None, "passthrough")]
    if isinstance(first, TextVectorizer):
        if not hasattr(last, "explain"):
            raise TypeError(f"The last step, {type(last).__name__}, has no explain method: "
                            "after a TextVectorizer, explain takes a recurrent classifier.")
        if middle:
            names = ", ".join(type(m).__name__ for m in middle)
            raise ValueError(
                "explain reads the TextVectorizer's token ids straight into the classifier; "
                f"this pipeline has steps between them ({names})."
            )
        documents = list(iter_documents(texts))
        X, tokens, offsets = first.transform_with_offsets(documents)
        settings = {k: v for k, v in (("n_steps", n_steps), ("tolerance", tolerance))
                    if v is not None}
        explanations = last.explain(X, target=target, **settings)
        for e, doc, toks, offs in zip(explanations, documents, tokens, offsets, strict=True):
            e.tokens, e.offsets, e.text = toks, offs, doc
        return explanations
    from sklearn.feature_extraction.text import CountVectorizer

    if isinstance(first, CountVectorizer):
        return _explain_linear(pipeline, first, middle, last, texts, target)
    raise TypeError(
        f"The first step of the pipeline is {type(first).__name__}; explain needs a "
        "TextVectorizer (recurrent classifiers) or a CountVectorizer/TfidfVectorizer "
        "(linear classifiers) there."
    )


def target_indices(target, classes, n):
    """Class index per document for ``target`` (a label, labels per document,
    or None for None)."""
    if target is None:
        return None
    classes = np.asarray(classes)
    many = not isinstance(target, (str, bytes, numbers.Number)) and np.ndim(target) == 1
    labels = np.asarray(target, dtype=object) if many else np.full(n, None, dtype=object)
    if not many:
        labels[:] = [target] * n
    if len(labels) != n:
        raise ValueError(f"target has {len(labels)} labels for {n} documents: give one "
                         "label, or one per document.")
    index = {c: i for i, c in enumerate(classes.tolist())}
    unknown = sorted({repr(t) for t in labels.tolist() if t not in index})
    if unknown:
        raise ValueError(f"target {', '.join(unknown)} is not a class of this classifier; "
                         f"its classes are {classes.tolist()!r}.")
    return np.asarray([index[t] for t in labels.tolist()], dtype=np.int64)


# --------------------------------------------------------------------------- #
# linear models over scikit-learn's vectorizers
# --------------------------------------------------------------------------- #
def _sklearn_tokens_with_offsets(vectorizer, doc):
    """The word tokens a ``CountVectorizer`` makes of ``doc`` (before stop
    words and n-grams) and their ``(start, end)`` in ``doc``."""
    text = vectorizer.build_preprocessor()(doc)
    in_place = (vectorizer.tokenizer is None and vectorizer.preprocessor is None
                and vectorizer.strip_accents is None and len(text) == len(doc))
    if in_place:  # lowercasing that keeps the length keeps every position
        pattern = re.compile(vectorizer.token_pattern)
        group = 1 if pattern.groups == 1 else 0
        matches = list(pattern.finditer(text))
        return [m.group(group) for m in matches], [m.span(group) for m in matches]
    tokens = list(vectorizer.build_tokenizer()(text))
    return tokens, find_in_order(tokens, doc, _folded(doc, vectorizer))


def _folded(doc, vectorizer):
    """``doc`` as the vectorizer's preprocessing sees each character, one for
    one (lowercased; accents stripped with ``strip_accents``): where a
    character would become several or none, it stays as it is. None when
    that changes nothing."""
    strip = vectorizer.build_preprocessor() if vectorizer.strip_accents else None
    lower = vectorizer.lowercase
    if strip is None:
        lowered = doc.lower() if lower else doc
        return lowered if len(lowered) == len(doc) and lowered != doc else None
    out = []
    for c in doc:
        try:
            folded = strip(c) if vectorizer.preprocessor is None else (c.lower() if lower else c)
        except Exception:  # a preprocessor of the user's that wants whole documents
            folded = c
        out.append(folded if len(folded) == 1 else c)
    return "".join(out)


def _explain_linear(pipeline, vectorizer, middle, model, texts, target):
    # here, not at the top: the recurrent classifiers import this module, and
    # need not load scikit-learn's linear models
    from ._linear import NBSVMClassifier

    check_is_fitted(model, "coef_")
    if vectorizer.input != "content":
        raise ValueError(f"explain takes the documents' text: set input='content' on the "
                         f"{type(vectorizer).__name__} (it has input={vectorizer.input!r}).")
    if vectorizer.analyzer != "word":
        raise ValueError(
            f"explain supports word features (analyzer='word'); this {type(vectorizer).__name__} "
            f"has analyzer={vectorizer.analyzer!r}."
        )
    documents = list(iter_documents(texts))
    features = vectorizer.transform(documents)
    for step in middle:
        features = step.transform(features)
    if isinstance(model, NBSVMClassifier) and model.binarize:
        features = (features > 0).astype(np.float64)  # as the model reads them
    n_features = len(vectorizer.vocabulary_)
    coef = np.asarray(model.coef_, dtype=np.float64)
    if features.shape[1] != n_features or coef.shape[1] != n_features:
        raise ValueError(
            f"The classifier takes {coef.shape[1]} features but the vectorizer makes "
            f"{n_features}: explain needs the steps between them to keep every feature "
            "in place (TfidfTransformer, Normalizer, MaxAbsScaler do)."
        )
    classes = model.classes_
    n_classes = len(classes)
    decision = np.asarray(model.decision_function(features), dtype=np.float64)
    intercept = np.broadcast_to(np.asarray(getattr(model, "intercept_", 0.0), np.float64),
                                (coef.shape[0],))
    if coef.shape[0] == 1:  # binary: one decision value, the log-odds of classes_[1]
        coef = np.vstack([-coef[0], coef[0]]) / 2
        intercept = np.array([-intercept[0], intercept[0]]) / 2
        decision = np.column_stack([-decision, decision]) / 2
    # the score f_c = z_c - mean of the other z_j, as for the recurrent classifiers
    directions = np.full((n_classes, n_classes), -1.0 / max(n_classes - 1, 1))
    np.fill_diagonal(directions, 1.0)
    coef_score = directions @ coef  # (C, F)
    intercept_score = directions @ intercept
    score_all = decision @ directions.T  # (N, C)
    indices = target_indices(target, classes, len(documents))
    if indices is None:
        indices = score_all.argmax(axis=1)
    proba = pipeline.predict_proba(documents) if hasattr(pipeline, "predict_proba") else None
    features = features.tocsr() if hasattr(features, "tocsr") else features
    vocabulary = vectorizer.vocabulary_
    stop = vectorizer.get_stop_words() or ()
    min_n, max_n = vectorizer.ngram_range
    out = []
    for i, doc in enumerate(documents):
        raw_tokens, raw_spans = _sklearn_tokens_with_offsets(vectorizer, doc)
        keep = [j for j, t in enumerate(raw_tokens) if t not in stop]
        tokens = [raw_tokens[j] for j in keep]
        spans = [raw_spans[j] for j in keep]
        c = int(indices[i])
        row = features[i]
        values = dict(zip(row.indices.tolist(), row.data.tolist(), strict=True)) \
            if hasattr(row, "indices") else dict(enumerate(np.ravel(row)))
        # each occurrence of each feature: its first token and n
        occurrences = {}
        for n in range(min_n, max_n + 1):
            for a in range(len(tokens) - n + 1):
                f = vocabulary.get(" ".join(tokens[a:a + n]))
                if f is not None:
                    occurrences.setdefault(f, []).append((a, n))
        attributions = np.zeros(len(tokens))
        for f, places in occurrences.items():
            share = values.get(f, 0.0) * coef_score[c, f] / len(places)
            for a, n in places:
                attributions[a:a + n] += share / n
        out.append(Explanation(
            tokens=tokens, attributions=attributions, target=classes[c],
            probability=None if proba is None else proba[i, c], score=score_all[i, c],
            baseline_score=intercept_score[c], offsets=spans, text=doc, method="linear",
        ))
    return out


# doctests of the class above (its __module__ is the public one)
__test__ = {"Explanation": Explanation}
