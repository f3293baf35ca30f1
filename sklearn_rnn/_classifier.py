"""The public recurrent text classifiers.

:class:`RecurrentTextClassifier` takes the recurrent cell as a parameter (so
it can be grid-searched); :class:`RNNSentimentClassifier`,
:class:`LSTMSentimentClassifier` and :class:`GRUSentimentClassifier` are the
same estimator with the cell fixed. The machinery is in ``_base.py``.
"""

import inspect

from sklearn.utils._param_validation import StrOptions

from ._base import _RecurrentBase

__all__ = [
    "RecurrentTextClassifier",
    "RNNSentimentClassifier",
    "LSTMSentimentClassifier",
    "GRUSentimentClassifier",
]


class RecurrentTextClassifier(_RecurrentBase):
    """Recurrent-network (RNN, LSTM or GRU) text classifier, a scikit-learn estimator.

    Embeds token ids, runs a recurrent layer, pools its outputs over the real
    positions of each document and classifies the result, trained with Adam
    and cross-entropy through skorch. Put a :class:`~sklearn_rnn.TextVectorizer`
    before it to classify raw text.

    Parameters
    ----------
    cell : {'rnn', 'lstm', 'gru'}, default='lstm'
        The recurrent layer: an Elman RNN (tanh), an LSTM or a GRU.
    embedding_dim : int, default=128
        Size of the token embeddings. Ignored when ``embeddings`` is given
        (the vectors' dimension wins, with a warning when ``embedding_dim``
        was set to another value than the default, e.g. by a grid search).
    hidden_size : int, default=128
        Size of the recurrent state.
    num_layers : int, default=1
        Stacked recurrent layers.
    bidirectional : bool, default=False
        Also read each document backwards.
    dropout : float, default=0.0
        Dropout on embeddings, between layers and on the pooled features.
    pooling : {'last', 'max', 'mean'}, default='max'
        How the per-position outputs become one vector per document: the
        ``'last'`` real position (read correctly for pre- and post-padded
        input), or the ``'max'`` / ``'mean'`` over the real positions only.
    ngram_range : tuple (min_n, max_n) or None, default=(1, 2)
        A linear bag of n-grams next to the recurrent path ("wide and deep"):
        every n-gram of ``min_n`` to ``max_n`` tokens of a document is hashed
        to a row of a ``(ngram_buckets, C)`` table, and the rows' sum
        (weighted by one over the square root of the document's n-gram
        count) is added to the recurrent path's logits; both are trained
        together. The default adds unigrams and bigrams: cheap next to the
        recurrent layer, and a large gain in accuracy (see the user guide's
        "When an RNN beats TF-IDF"). ``None``: the recurrent path alone.
    ngram_buckets : int or 'auto', default='auto'
        Rows of the n-gram table (at most ``2**24``): more rows, fewer hash
        collisions, more memory (``ngram_buckets x C`` floats, four times
        that while training with Adam). ``'auto'``: ``2**20`` for up to 8
        classes, fewer beyond so the table stays at ``2**23`` floats (at
        least ``2**16`` rows).
    conv_filters : int, default=None
        A convolutional front-end: a ``Conv1D`` with this many filters (ReLU)
        over the embeddings, then max-pooling over time, and the recurrent
        layer reads the pooled sequence (the Embedding -> Conv1D ->
        MaxPooling1D -> LSTM model of the Keras tutorials). None for none.
        Exact like the rest: padding never enters the convolution of a
        document, and lengths shrink with the pooling.
    conv_kernel_size : int, default=3
        Width of the convolution, in tokens.
    conv_pool_size : int, default=2
        Positions merged by the max-pooling (the sequence gets this many
        times shorter).
    dense_units : int, default=None
        A hidden ReLU layer of this size (with ``dropout``) between the pooled
        features and the output. None for none.
    embeddings : PretrainedEmbeddings, KeyedVectors, path or array, default=None
        Pretrained word vectors for the embedding layer. A ``(vocab, dim)``
        matrix whose row ``i`` is the vector of token id ``i``; or gensim
        vectors or a file path, aligned with the vocabulary of the
        TextVectorizer feeding the classifier at every ``fit`` (so every
        cross-validation fold is right). Wrap them in
        :class:`~sklearn_rnn.PretrainedEmbeddings` to choose how words without
        a vector start, and more (``embeddings__oov`` ... in grid searches).
    freeze_embeddings : bool, default=False
        Keep pretrained vectors fixed (True) or fine-tune them (False).
    vocab_size : int, default=None
        Number of token ids, for ids that do not come from TextVectorizer. None
        reads it from the vectorizer's output, or takes ``max id + 1``.
    max_epochs : int, default=10
        Passes over the training data.
    lr : float, default=3e-3
        Learning rate of the optimizer (chosen on IMDB, see the results page).
    batch_size : int, default=64
        Documents per batch, in training and prediction.
    optimizer : torch optimizer class, default=torch.optim.Adam
        Configure it with ``optimizer__weight_decay=...`` etc.
    clip_grad_norm : float or None, default=1.0
        Clip the gradient norm to this value (vanilla RNNs explode without
        it); None disables clipping.
    class_weight : dict, 'balanced' or None, default=None
        Weights of the classes in the loss, as in scikit-learn: a dict
        ``{label: weight}`` (others weigh 1), or ``'balanced'`` for
        ``n_documents / (n_classes * count of the class)``, computed on the
        labels of each fit (so of each cross-validation fold). Multiplies
        ``sample_weight``; the loss is the weighted mean.
    early_stopping : 'auto' or bool, default='auto'
        Hold out ``validation_fraction`` of the training data (stratified),
        or use ``X_val``/``y_val`` given to ``fit``, stop when the validation
        score (``scoring``) has not improved for ``n_iter_no_change`` epochs
        and restore the best epoch's weights. ``'auto'`` does so from 2,000
        training documents or when ``fit`` gets ``X_val``. ``early_stopping_``
        says whether it was used.
    validation_fraction : float, default=0.1
        Share of the training data held out when ``early_stopping``.
    n_iter_no_change : int, default=3
        Patience of early stopping, in epochs.
    scoring : str, callable or None, default=None
        The validation score early stopping monitors: a scikit-learn scorer
        name (``'f1_macro'``, ``'balanced_accuracy'``, ``'roc_auc'``...) or
        a callable ``scorer(estimator, X, y)``. None: accuracy, or balanced
        accuracy when ``class_weight`` is given (accuracy would favour the
        epoch that predicts the majority class). Recorded per epoch in
        ``history_`` as ``valid_<name>`` (``valid_acc``).
    tol : float, default=0.0
        Early stopping counts an epoch as better when its score beats the best
        by more than ``tol``.
    train_split : callable, default=None
        A skorch split such as ``skorch.dataset.ValidSplit(0.2)`` for a
        validation set without early stopping (or with it, instead of
        ``validation_fraction``). None: train on all data unless early
        stopping.
    callbacks : list of skorch callbacks, default=None
        Extra skorch callbacks (or ``(name, callback)`` pairs).
    device : {'auto', 'cpu', 'cuda', ...}, default='auto'
        Where to train: ``'auto'`` takes the GPU when one is available. The
        device used is in ``device_``.
    verbose : int, default=0
        0 silent; 1 prints a table of losses and accuracies per epoch; 2 adds
        a progress bar per epoch.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, dropout, batch shuffling and the
        validation split; an int makes training on CPU reproducible.
    warm_start : bool, default=False
        When fitted already, ``fit`` continues training the same network. If
        the vocabulary changed (a Pipeline refitted its TextVectorizer), every
        token keeps its trained embedding under its new id.
    **kwargs : dict
        skorch pass-through parameters: ``module__*``, ``optimizer__*``,
        ``criterion__*``, ``callbacks__*``, and ``iterator_train__batch_size``
        / ``iterator_valid__batch_size`` (a different batch size for training
        or for validation and prediction).

    Attributes
    ----------
    classes_ : ndarray of shape (C,)
        The labels, as given in ``y``.
    net_ : skorch.NeuralNet
        The trained skorch net (``net_.module_`` is the torch module).
    history_ : skorch.History
        Per-epoch ``train_loss``, ``train_acc``, ``valid_loss``, ``valid_acc``
        and ``dur`` (validation entries only with a validation split).
    device_ : str
        Device the network was trained on.
    early_stopping_ : bool
        Whether early stopping was used (see ``early_stopping``).
    n_vocab_ : int
        Rows of the embedding table.
    tokens_ : tuple of str or None
        Token of each id, when ``X`` came from TextVectorizer.
    embeddings_report_ : EmbeddingCoverage or None
        Coverage of the pretrained vectors over the vocabulary (prints as
        ``coverage 87.3% (43,650 / 50,000)``) when given as vectors or a path.

    See Also
    --------
    TextVectorizer : Turns raw text into the token ids this classifier takes.
    PretrainedEmbeddings : Pretrained word vectors and their options.
    RNNSentimentClassifier, LSTMSentimentClassifier, GRUSentimentClassifier :
        This classifier with the cell fixed.

    Notes
    -----
    Documents may be padded at the start or end: each document is re-padded
    at the start to the fixed width of its length bucket, so its prediction
    never depends on the other documents in a batch.

    Examples
    --------
    >>> from sklearn.model_selection import GridSearchCV
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn_rnn import TextVectorizer, RecurrentTextClassifier
    >>> docs = ["a great film", "loved it", "what a waste", "dull and long",
    ...         "great acting", "boring plot", "a joy", "so bad"]
    >>> y = ["pos", "pos", "neg", "neg", "pos", "neg", "pos", "neg"]
    >>> pipe = make_pipeline(TextVectorizer(), RecurrentTextClassifier(
    ...     hidden_size=8, max_epochs=1, random_state=0))
    >>> search = GridSearchCV(pipe, {"recurrenttextclassifier__cell": ["gru", "lstm"]},
    ...                       cv=2).fit(docs, y)
    >>> sorted(search.cv_results_["param_recurrenttextclassifier__cell"])
    ['gru', 'lstm']
    """

    _parameter_constraints = {
        **_RecurrentBase._parameter_constraints,
        "cell": [StrOptions({"rnn", "lstm", "gru"})],
    }

    def __init__(self, *, cell="lstm", **params):
        self.cell = cell
        super().__init__(**params)

    # scikit-learn reads the parameters from the signature: show cell followed
    # by every parameter of the base class, written once there
    __init__.__signature__ = inspect.signature(_RecurrentBase.__init__).replace(
        parameters=[
            *list(inspect.signature(_RecurrentBase.__init__).parameters.values())[:1],
            inspect.Parameter("cell", inspect.Parameter.KEYWORD_ONLY, default="lstm"),
            *list(inspect.signature(_RecurrentBase.__init__).parameters.values())[1:],
        ]
    )


class RNNSentimentClassifier(RecurrentTextClassifier):
    """Elman RNN (tanh) text classifier with a scikit-learn interface.

    :class:`RecurrentTextClassifier` with ``cell='rnn'``: embeds token ids,
    runs an Elman RNN (tanh) layer and classifies the pooled states, trained with Adam
    and cross-entropy through skorch.

    Parameters
    ----------
    **params : dict
        Every parameter of :class:`RecurrentTextClassifier` except ``cell``
        (``embedding_dim``, ``hidden_size``, ``pooling``, ``max_epochs``,
        ``lr``, ...), with the same defaults and meaning.

    Attributes
    ----------
    classes_ : ndarray of shape (C,)
        The labels, as given in ``y``; ``net_``, ``history_``, ``device_`` and
        the others are those of :class:`RecurrentTextClassifier`.

    See Also
    --------
    RecurrentTextClassifier : The same estimator, with the cell as a parameter.
    TextVectorizer : Turns raw text into the token ids this classifier takes.

    Examples
    --------
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn_rnn import TextVectorizer, RNNSentimentClassifier
    >>> docs = ["a great film", "loved it", "what a waste", "dull and long",
    ...         "great acting", "boring plot"]
    >>> y = ["pos", "pos", "neg", "neg", "pos", "neg"]
    >>> clf = make_pipeline(TextVectorizer(),
    ...                     RNNSentimentClassifier(hidden_size=8, max_epochs=1, random_state=0))
    >>> clf.fit(docs, y).predict_proba(docs).shape
    (6, 2)
    >>> clf.classes_.tolist()
    ['neg', 'pos']
    """

    _cell = "rnn"
    __init__ = _RecurrentBase.__init__  # no cell parameter


class LSTMSentimentClassifier(RecurrentTextClassifier):
    """LSTM text classifier with a scikit-learn interface.

    :class:`RecurrentTextClassifier` with ``cell='lstm'``: embeds token ids,
    runs an LSTM layer and classifies the pooled states, trained with Adam
    and cross-entropy through skorch.

    Parameters
    ----------
    **params : dict
        Every parameter of :class:`RecurrentTextClassifier` except ``cell``
        (``embedding_dim``, ``hidden_size``, ``pooling``, ``max_epochs``,
        ``lr``, ...), with the same defaults and meaning.

    Attributes
    ----------
    classes_ : ndarray of shape (C,)
        The labels, as given in ``y``; ``net_``, ``history_``, ``device_`` and
        the others are those of :class:`RecurrentTextClassifier`.

    See Also
    --------
    RecurrentTextClassifier : The same estimator, with the cell as a parameter.
    TextVectorizer : Turns raw text into the token ids this classifier takes.

    Examples
    --------
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn_rnn import TextVectorizer, LSTMSentimentClassifier
    >>> docs = ["a great film", "loved it", "what a waste", "dull and long",
    ...         "great acting", "boring plot"]
    >>> y = ["pos", "pos", "neg", "neg", "pos", "neg"]
    >>> clf = make_pipeline(TextVectorizer(),
    ...                     LSTMSentimentClassifier(hidden_size=8, max_epochs=1, random_state=0))
    >>> clf.fit(docs, y).predict_proba(docs).shape
    (6, 2)
    >>> clf.classes_.tolist()
    ['neg', 'pos']
    """

    _cell = "lstm"
    __init__ = _RecurrentBase.__init__  # no cell parameter


class GRUSentimentClassifier(RecurrentTextClassifier):
    """GRU text classifier with a scikit-learn interface.

    :class:`RecurrentTextClassifier` with ``cell='gru'``: embeds token ids,
    runs a GRU layer and classifies the pooled states, trained with Adam
    and cross-entropy through skorch.

    Parameters
    ----------
    **params : dict
        Every parameter of :class:`RecurrentTextClassifier` except ``cell``
        (``embedding_dim``, ``hidden_size``, ``pooling``, ``max_epochs``,
        ``lr``, ...), with the same defaults and meaning.

    Attributes
    ----------
    classes_ : ndarray of shape (C,)
        The labels, as given in ``y``; ``net_``, ``history_``, ``device_`` and
        the others are those of :class:`RecurrentTextClassifier`.

    See Also
    --------
    RecurrentTextClassifier : The same estimator, with the cell as a parameter.
    TextVectorizer : Turns raw text into the token ids this classifier takes.

    Examples
    --------
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn_rnn import TextVectorizer, GRUSentimentClassifier
    >>> docs = ["a great film", "loved it", "what a waste", "dull and long",
    ...         "great acting", "boring plot"]
    >>> y = ["pos", "pos", "neg", "neg", "pos", "neg"]
    >>> clf = make_pipeline(TextVectorizer(),
    ...                     GRUSentimentClassifier(hidden_size=8, max_epochs=1, random_state=0))
    >>> clf.fit(docs, y).predict_proba(docs).shape
    (6, 2)
    >>> clf.classes_.tolist()
    ['neg', 'pos']
    """

    _cell = "gru"
    __init__ = _RecurrentBase.__init__  # no cell parameter
