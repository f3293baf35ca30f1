"""The settings of one comparison: what ``sklearn-rnn compare`` was asked to do.

:class:`CompareSettings` is built once, from the command line
(:meth:`CompareSettings.from_namespace`) or in Python (the benchmarks), and
every function of the main job reads it; nothing else carries the options.
Its defaults are the command's defaults (``sklearn-rnn compare --help``
shows them from here). Values that can be checked without the data are
checked when it is built, so that a bad option stops the job before any
model trains.
"""

from dataclasses import dataclass, fields

__all__ = ["CompareSettings", "MODELS", "DEFAULT_MODELS", "LINEAR", "RECURRENT", "VOTES",
           "BLENDS", "DISTILLED", "BUILT", "with_members", "parse_sizes"]

#: ``--models`` key -> row name ({vectors}: the transfer row's vectors).
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
    "nbsvm": "NBSVM",
    "combined": "NBSVM + LSTM transfer (combined)",
    "distilled": "LSTM distilled from the combined row",
    "vote": "TF-IDF + LSTM n-grams (soft vote)",
    "vote-w2v": "TF-IDF + LSTM n-grams + word2vec (soft vote)",
    "stack": "TF-IDF + LSTM n-grams + word2vec (stacking)",
}
#: What ``sklearn-rnn compare`` trains without ``--models``: the cells the
#: tutorials compare (recurrent path only), the transfer row, the TF-IDF
#: baseline, NBSVM, the combined row and, when the job has unlabelled text,
#: the distilled row.
DEFAULT_MODELS = ("rnn", "lstm", "transfer", "tfidf", "nbsvm", "combined", "distilled")


#: Soft votes of rows already fitted (no refit): name -> its two members.
VOTES = {"vote": ("tfidf", "lstm-ngrams"), "vote-w2v": ("tfidf", "lstm-ngrams-w2v")}
#: Rows stacked on held-out predictions (:class:`~sklearn_rnn.HoldoutStackingClassifier`):
#: name -> its two members.
BLENDS = {"combined": ("nbsvm", "transfer")}
#: Rows distilled into a student (the transfer row's pipeline) from a
#: teacher row fitted earlier in the run: name -> (teacher, student).
DISTILLED = {"distilled": ("combined", "transfer")}
#: Rows built on others: name -> the rows it needs.
BUILT = {**VOTES, **BLENDS, **DISTILLED}


def with_members(keys):
    """``keys`` and, first, the rows they are built on that they do not
    name (in the order of :data:`MODELS`): the training order."""
    keys = list(dict.fromkeys(keys))
    missing, todo = [], list(keys)
    while todo:
        for member in BUILT.get(todo.pop(), ()):
            if member not in keys and member not in missing:
                missing.append(member)
                todo.append(member)
    return [*sorted(missing, key=list(MODELS).index), *keys]


def parse_sizes(text):
    """``--learning-curve`` sizes: None for the default (n/8, n/4, n/2, n),
    else the sorted distinct positive integers of a comma-separated list."""
    if text in (None, True, "auto"):
        return None
    try:
        sizes = sorted({int(s) for s in str(text).split(",") if s.strip()})
    except ValueError:
        raise ValueError(
            f"--learning-curve takes comma-separated numbers of documents (e.g. 500,1000,2000) "
            f"or nothing, got {text!r}."
        ) from None
    if not sizes or sizes[0] < 1:
        raise ValueError(f"--learning-curve sizes must be positive numbers of documents, "
                         f"got {text!r}.")
    return sizes


@dataclass(frozen=True)
class CompareSettings:
    """The options of one comparison, with the command's defaults.

    Each field is the option of the same name (``n_train`` is
    ``--n-train``); see ``sklearn-rnn compare --help``.
    """

    # data
    data: tuple = None
    dataset: str = None
    format: str = None
    header: object = "auto"
    text_column: str = None
    label_column: str = None
    test_data: str = None
    test_size: float = 0.2
    n_train: object = "quick"
    n_test: int = None
    unlabelled: str = "auto"
    transductive: bool = False
    labels: str = None
    no_download: bool = False
    encoding: str = None
    # models
    models: tuple = DEFAULT_MODELS
    vectors: str = None
    tokenizer: str = None
    epochs: int = 5
    maxlen: int = 300
    max_features: int = 20000
    embedding_dim: int = 64
    hidden_size: int = 64
    batch_size: int = 64
    lr: float = None
    device: str = "auto"
    seed: int = 0
    # output
    out: str = "sklearn_rnn_output"
    overwrite: bool = False
    learning_curve: str = None
    no_plots: bool = False
    save: bool = True
    quiet: bool = False

    def __post_init__(self):
        if self.data is not None and not isinstance(self.data, tuple):
            object.__setattr__(self, "data", tuple(self.data))
        object.__setattr__(self, "models", tuple(self.models))
        errors = []
        unknown = [m for m in self.models if m not in MODELS]
        if unknown or not self.models:
            errors.append(f"--models: unknown model(s) {', '.join(unknown) or '(none given)'}; "
                          f"choose among {', '.join(MODELS)}.")
        for name in ("epochs", "maxlen", "max_features", "embedding_dim", "hidden_size",
                     "batch_size"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                errors.append(f"--{name.replace('_', '-')} must be a whole number of at least "
                              f"1, got {value!r}.")
        if self.lr is not None and not self.lr > 0:
            errors.append(f"--lr must be a positive number, got {self.lr!r}.")
        if self.encoding is not None:
            import codecs

            try:
                codecs.lookup(self.encoding)
            except LookupError:
                errors.append(f"--encoding: unknown encoding {self.encoding!r} (e.g. utf-8, "
                              "latin-1, cp1252).")
        if self.learning_curve is not None:
            try:
                parse_sizes(self.learning_curve)
            except ValueError as exc:
                errors.append(str(exc))
            trained = with_members(self.models)
            if not (any(k in trained for k in LINEAR)
                    and any(k in trained for k in RECURRENT)):
                errors.append("--learning-curve needs a linear row (tfidf or nbsvm) and a "
                              f"recurrent row in --models (got {','.join(self.models)}).")
        if errors:
            raise ValueError(" ".join(errors))

    @classmethod
    def from_namespace(cls, namespace):
        """The settings of a parsed ``sklearn-rnn compare`` command line."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in vars(namespace).items() if k in names})

    @property
    def learning_curve_sizes(self):
        """The ``--learning-curve`` sizes asked for (None: the default ones)."""
        return parse_sizes(self.learning_curve)


#: Rows of linear models on n-grams: the bar a recurrent row must clear.
LINEAR = ("tfidf", "nbsvm")
#: Rows with a recurrent network of their own (a learning curve can follow them).
RECURRENT = ("rnn", "lstm", "gru", "bilstm", "lstm-ngrams", "transfer", "lstm-w2v",
             "lstm-ngrams-w2v", "distilled")
