"""Saving and loading fitted models safely with skops.io.

A fitted classifier saves plain data: its parameters, numpy arrays of the
network's weights and optimizer state, and the training history as lists of
numbers (the format is described in ``sklearn_rnn/_nn/_state.py``). No
torch object and no training data is in the file, so ``skops.io`` can load it without running
code from the file, on a machine without a GPU.

``skops.io.load`` refuses types it does not trust by default. The types a
sklearn_rnn pipeline needs beyond scikit-learn's own are listed in
:data:`SKOPS_TRUSTED_TYPES`; each is either a sklearn_rnn estimator (rebuilt
from numbers by our own ``__setstate__``), a plain container, or an optimizer
class referenced by the ``optimizer`` parameter.

Types that run no code are not all a stranger's file can attack with:
:func:`load_skops` also reads the archive's table of contents and each
array's header before skops inflates anything, and refuses arrays larger than
their own headers say, weights of other shapes than the estimator's
parameters make, and archives above ``max_bytes``; then it refuses settings
that would cost exponential time or gigabytes per prediction (token patterns,
row lengths, vocabularies inconsistent with the network).
"""

import importlib
import json
import math
import zipfile
import zlib

import numpy as np
import torch

from . import MOVED_MODULES
from ._classifier import (
    GRUSentimentClassifier,
    LSTMSentimentClassifier,
    RecurrentTextClassifier,
    RNNSentimentClassifier,
    network_params,
    restored_state,
)
from ._distill import DistilledClassifier
from ._ensemble import HoldoutStackingClassifier
from ._linear import NBSVMClassifier
from ._nn._layout import module_kwargs, saved_ngram_layout
from ._nn._state import migrate_net_state, mismatched_weight, weight_shapes
from ._text._trust import check_maxlen, check_token_pattern
from ._text._vectorizer import TextVectorizer, vocabulary_tokens
from ._vectors._matrix import EmbeddingCoverage
from ._vectors._pretrained import PretrainedEmbeddings, VectorsNotSaved

__all__ = ["SKOPS_TRUSTED_TYPES", "load_skops", "MAX_BYTES"]

#: ``load_skops``'s default bound on an archive's inflated size (2 GiB).
MAX_BYTES = 2**31
#: Unless ``max_bytes`` is given, an archive may inflate to at most this many
#: times its compressed size (skops stores weights uncompressed; compressed
#: float weights shrink by less than 2 to 1) ...
MAX_INFLATION = 20
#: ... or to this many bytes, whichever is more (a small file of zeros).
MAX_SMALL_BYTES = 2**26

#: sklearn_rnn's classes that saved models hold (all rebuilt from plain data).
_OUR_TYPES = (TextVectorizer, RecurrentTextClassifier, RNNSentimentClassifier,
              LSTMSentimentClassifier, GRUSentimentClassifier, EmbeddingCoverage,
              PretrainedEmbeddings, VectorsNotSaved)
#: The optimizers a classifier's ``optimizer`` parameter may name.
_OPTIMIZERS = (torch.optim.Adam, torch.optim.AdamW, torch.optim.SGD, torch.optim.RMSprop,
               torch.optim.Adagrad)


def _type_name(cls):
    return f"{cls.__module__}.{cls.__qualname__}"


def _old_names(cls):
    """The names files saved by sklearn_rnn 0.1 give ``cls``."""
    return [f"{old}.{cls.__qualname__}" for old, new in MOVED_MODULES.items()
            if hasattr(importlib.import_module(new), cls.__qualname__)] + (
        [f"sklearn_rnn._classifier.{cls.__qualname__}"]
        if cls.__qualname__.endswith("Classifier") else [])


#: Types to pass to ``skops.io.load(..., trusted=...)`` for sklearn_rnn models:
#: our classes by their public names (and the names files of 0.1 used), the
#: main job's combined row (:class:`~sklearn_rnn.HoldoutStackingClassifier`,
#: members and a logistic regression: plain data), its NBSVM row
#: (:class:`~sklearn_rnn.NBSVMClassifier`: arrays and a logistic regression),
#: the distiller (:class:`~sklearn_rnn.DistilledClassifier`: a teacher and a
#: student, each checked as its own types),
#: a frozenset (stop words),
#: scikit-learn's Bunch (a dict: ``VotingClassifier.named_estimators_``) and
#: the optimizer classes.
SKOPS_TRUSTED_TYPES = sorted({
    *(_type_name(cls) for cls in _OUR_TYPES),
    *(name for cls in _OUR_TYPES for name in _old_names(cls)),
    _type_name(HoldoutStackingClassifier),
    _type_name(NBSVMClassifier),
    _type_name(DistilledClassifier),
    "builtins.frozenset",
    "sklearn.utils._bunch.Bunch",
    *(_type_name(cls) for cls in _OPTIMIZERS),
})


def load_skops(file, *, trusted=(), trusted_token_patterns=(), max_bytes=MAX_BYTES):
    """Load a model saved with ``skops.io.dump``, trusting sklearn_rnn's types.

    Equivalent to ``skops.io.load(file, trusted=SKOPS_TRUSTED_TYPES + trusted)``
    but it first checks what skops would inflate, then lists the file's
    untrusted types and refuses, naming them, any that are neither in
    :data:`SKOPS_TRUSTED_TYPES` nor in ``trusted``, and last checks the text
    settings of every :class:`~sklearn_rnn.TextVectorizer` inside.

    Before anything is inflated (from the archive's table of contents and
    each array's header): every array entry must inflate to exactly the
    bytes its header declares; a classifier's weights must have the shapes
    its parameters and ``module_sizes`` make, and ``classes_`` as many labels
    as the network has outputs; the whole archive must inflate to at most
    ``max_bytes``, and (unless ``max_bytes`` is given) to at most
    ``MAX_INFLATION`` (20) times its compressed size or 64 MiB, whichever is
    more (a 708 kB file of zeros would inflate to gigabytes). After loading:
    a vectorizer's ``token_pattern`` must be the default or in
    ``trusted_token_patterns`` (skops' trusted types stop code execution, not
    a regular expression built to take exponential time on every document);
    its ``maxlen_`` must be at most 100,000 tokens and,
    when it was chosen from the training documents (``maxlen=None``), no
    longer than the longest of them (``document_lengths_``); its vocabulary
    must be the ids ``0 .. n - 1`` and fit the classifier after it.

    Parameters
    ----------
    file : str or path-like
        A file written by ``skops.io.dump(model, file)``.
    trusted : sequence of str, default=()
        Further types you trust (e.g. your own callbacks).
    trusted_token_patterns : sequence of str, default=()
        Token patterns you set yourself and trust.
    max_bytes : int, default=MAX_BYTES
        The most bytes the archive may inflate to (2 GiB): raise it for a
        model with a very large vocabulary or n-gram table. Given, it also
        lifts the bound on how much the archive may inflate relative to its
        compressed size.

    Returns
    -------
    model : object

    Raises
    ------
    ImportError
        When skops is not installed.
    TypeError
        When the file holds types that are not trusted.
    ValueError
        When the archive or a setting fails a check above (the message names
        it).
    """
    try:
        import skops.io as sio
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("Safe persistence needs skops: pip install skops") from exc
    # skops reads every array when it lists the types: check sizes first
    _check_archive(file, max_bytes=max_bytes)
    allowed = set(SKOPS_TRUSTED_TYPES) | set(trusted)
    untrusted = sio.get_untrusted_types(file=file)
    unexpected = sorted(t for t in untrusted if t not in allowed)
    if unexpected:
        raise TypeError(
            f"{file} holds types that are not trusted: {unexpected}. Inspect them and "
            "pass the ones you trust as trusted=[...]."
        )
    model = sio.load(file, trusted=list(untrusted))
    for vectorizer, after in _vectorizers(model):
        _check_vectorizer(vectorizer, after, trusted_token_patterns, source=f"{file}")
    return model


# --------------------------------------------------------------------------- #
# the archive, before skops inflates it
# --------------------------------------------------------------------------- #
#: The largest ``schema.json`` (the model's structure, with every JSON value:
#: about 150 bytes per TextVectorizer token, 600 per scikit-learn vectorizer
#: entry, whose ids are numpy integers) :func:`load_skops` reads.
MAX_SCHEMA_BYTES = 2**28
_CLASSIFIERS = {cls.__name__: cls for cls in (RecurrentTextClassifier, RNNSentimentClassifier,
                                              LSTMSentimentClassifier, GRUSentimentClassifier)}


class _Unknown:
    """A schema value that is not plain JSON (an object, a type...)."""


class _Array:
    """A numpy array of the archive, by its entry's name."""

    def __init__(self, file):
        self.file = file


def _check_archive(file, *, max_bytes=MAX_BYTES):
    """Check a skops archive's sizes before anything in it is inflated.

    Raises ``ValueError`` when an entry inflates to more bytes than its
    header declares, when a classifier's weights are not of the shapes its
    parameters make, or when the archive inflates to more than
    ``max_bytes``. See :func:`load_skops`.
    """
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ValueError(f"{file} is not a skops file (a zip archive): {exc}") from None
    with archive:
        infos = archive.infolist()
        names = [info.filename for info in infos]
        if len(set(names)) != len(names):
            raise ValueError(f"{file} has several entries of the same name: it was edited.")
        total = sum(info.file_size for info in infos)
        if total > max_bytes:
            raise ValueError(
                f"{file} inflates to {total:,} bytes, above max_bytes={max_bytes:,}. If "
                "you trust the file and expect a model that large, raise max_bytes."
            )

        if "schema.json" not in names:
            raise ValueError(f"{file} has no schema.json: it is not a skops file.")
        if archive.getinfo("schema.json").file_size > MAX_SCHEMA_BYTES:
            raise ValueError(f"{file}'s schema.json inflates to "
                             f"{archive.getinfo('schema.json').file_size:,} bytes, above "
                             f"{MAX_SCHEMA_BYTES:,}: it was edited.")
        _check_entry_size(archive, archive.getinfo("schema.json"), file)
        try:
            schema = json.loads(archive.read("schema.json"))
        except ValueError as exc:
            raise ValueError(f"{file}'s schema.json is not JSON: {exc}") from None
        headers = {}
        for node in _nodes(schema):
            if node.get("__loader__") == "NdArrayNode" and node.get("type") == "numpy":
                name = node.get("file")
                if name not in headers:
                    headers[name] = _array_header(archive, name, file)
        for node in _nodes(schema):
            if node.get("__class__") in _CLASSIFIERS and node.get("__loader__") == "ObjectNode":
                _check_classifier_node(node, headers, file)
        stored = sum(info.compress_size for info in infos)
        if max_bytes == MAX_BYTES and total > max(MAX_INFLATION * stored, MAX_SMALL_BYTES):
            raise ValueError(
                f"{file} holds {stored:,} compressed bytes that inflate to {total:,} "
                f"({total / max(stored, 1):,.0f} times more; model weights compress less "
                f"than 2 to 1, and at most {MAX_INFLATION} to 1 or {MAX_SMALL_BYTES:,} bytes "
                "are accepted): a file built to exhaust memory. If you trust it, pass "
                "max_bytes= (the most bytes it may inflate to)."
            )
        # the checks above took the zip's sizes on trust (and read only
        # headers); skops reads each entry whole: check they do not lie
        for info in infos:
            _check_entry_size(archive, info, file)


def _check_entry_size(archive, info, file, chunk=2**20):
    """Inflate one entry in ``chunk``-sized pieces and check it gives exactly
    the bytes its zip headers declare (and its CRC): a zip whose size fields
    lie would otherwise be inflated whole, in one call, by the readers after
    this check. Memory stays at one chunk; time is one pass over the data."""
    seen = 0
    try:
        with archive.open(info) as f:
            while True:
                piece = f.read(chunk)
                if not piece:
                    break
                seen += len(piece)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as exc:
        raise ValueError(f"{file}'s entry {info.filename!r} does not inflate to the "
                         f"{info.file_size:,} bytes its zip headers declare ({exc}): the "
                         "file is damaged or was edited.") from None
    if seen != info.file_size:
        raise ValueError(f"{file}'s entry {info.filename!r} inflates to {seen:,} bytes, not "
                         f"the {info.file_size:,} its zip headers declare: the file is "
                         "damaged or was edited.")


def _nodes(tree):
    """Every dict node of a skops schema, depth first."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            yield node
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


def _array_header(archive, name, file):
    """``(shape, dtype)`` of an array entry, read from its first bytes; the
    entry must inflate to exactly the bytes they declare."""
    try:
        info = archive.getinfo(name)
    except (KeyError, TypeError):
        raise ValueError(f"{file}'s schema names an array file {name!r} that is not in the "
                         "archive.") from None
    try:
        with archive.open(info) as f:
            version = np.lib.format.read_magic(f)
            read = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                    else np.lib.format.read_array_header_2_0)
            shape, _, dtype = read(f)
            header = f.tell()
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as exc:
        raise ValueError(f"{file}: the array {name!r} has no valid numpy header ({exc})."
                         ) from None
    if dtype.hasobject:
        raise ValueError(f"{file}: the array {name!r} holds Python objects (pickles).")
    declared = header + math.prod(shape) * dtype.itemsize
    if info.file_size != declared:
        raise ValueError(
            f"{file}: the array {name!r} inflates to {info.file_size:,} bytes, but its "
            f"header declares shape {shape} of {dtype} ({declared:,} bytes): it was edited."
        )
    return shape, dtype


def _value(node):
    """The plain value of a schema node: JSON, containers of JSON, arrays as
    :class:`_Array`; anything else :class:`_Unknown`."""
    if not isinstance(node, dict):
        return _Unknown
    loader = node.get("__loader__")
    content = node.get("content")
    if loader == "JsonNode":
        try:
            return json.loads(content)
        except (TypeError, ValueError):
            return _Unknown
    if loader in ("ListNode", "TupleNode") and isinstance(content, list):
        values = [_value(child) for child in content]
        return tuple(values) if loader == "TupleNode" else values
    if loader == "DictNode" and isinstance(content, dict):
        return {key: _value(child) for key, child in content.items()}
    if loader == "NdArrayNode":
        return _Array(node.get("file")) if node.get("type") == "numpy" else _Unknown
    return _Unknown


def _check_classifier_node(node, headers, file):
    """A classifier's saved weights have the shapes its parameters make."""
    cls = _CLASSIFIERS[node["__class__"]]
    state = _value(node.get("content"))
    where = f"{file}: the {cls.__name__}"
    if not isinstance(state, dict) or not isinstance(state.get("net_state_"), dict):
        return  # not fitted, or saved another way: skops and __setstate__ check the rest
    saved = migrate_net_state(state["net_state_"])
    sizes = saved.get("module_sizes")
    if not isinstance(sizes, dict) or not all(
            isinstance(sizes.get(k), int) and sizes[k] >= 1
            for k in ("vocab_size", "n_classes", "embedding_dim")):
        raise ValueError(f"{where}'s module_sizes are {sizes!r}: expected positive ints.")
    module = saved.get("module")
    if not isinstance(module, dict) or not all(isinstance(v, _Array) for v in module.values()):
        raise ValueError(f"{where}'s saved weights are not plain arrays.")
    shapes = {key: headers[v.file][0] for key, v in module.items()}
    classes = state.get("classes_")
    n_labels = headers[classes.file][0][:1] if isinstance(classes, _Array) else None
    if n_labels and n_labels[0] != sizes["n_classes"]:
        raise ValueError(f"{where} has {n_labels[0]} labels in classes_ but its network has "
                         f"{sizes['n_classes']} outputs (module_sizes['n_classes']).")
    # the shapes the parameters make, as unpickling builds the estimator
    # (restored_state) and its module (from a module on the meta device)
    estimator = cls.__new__(cls)
    vars(estimator).update(restored_state(cls, {k: v for k, v in state.items()
                                                if k != "net_state_" and v is not _Unknown}))
    sizes = {**sizes, **saved_ngram_layout(shapes, estimator.ngram_buckets,
                                           estimator.ngram_range)}
    try:
        expected = weight_shapes(module_kwargs(network_params(estimator), sizes))
    except Exception as exc:  # parameters no estimator could have: say so
        raise ValueError(f"{where}'s parameters do not make a network ({exc}).") from None
    key = mismatched_weight(shapes, expected)
    if key is not None:
        raise ValueError(
            f"{where}'s weight {key!r} has shape {shapes.get(key)} in the file, but its "
            f"parameters make {expected.get(key)}: the file was edited."
        )
    largest = max((math.prod(s) for s in expected.values()), default=0)
    for array in _arrays_in(saved.get("optimizer")):
        if math.prod(headers[array.file][0]) > largest:
            raise ValueError(f"{where}'s optimizer state holds an array of shape "
                             f"{headers[array.file][0]}, larger than any weight: the file "
                             "was edited.")


def _arrays_in(value):
    """The arrays inside a :func:`_value` result."""
    if isinstance(value, _Array):
        yield value
    elif isinstance(value, dict):
        for child in value.values():
            yield from _arrays_in(child)
    elif isinstance(value, (list, tuple)):
        for child in value:
            yield from _arrays_in(child)


# --------------------------------------------------------------------------- #
# the text settings, once loaded
# --------------------------------------------------------------------------- #
def _check_vectorizer(vectorizer, after, trusted_token_patterns, *, source):
    """A loaded vectorizer's settings: the token pattern, ``maxlen_`` and the
    vocabulary (against the classifier ``after`` it, if any)."""
    where = f"{source} holds a TextVectorizer that"
    if vectorizer.tokenizer is None:
        check_token_pattern(vectorizer.token_pattern, trusted_token_patterns,
                            source=f"{source} holds a TextVectorizer with")
    if not hasattr(vectorizer, "vocabulary_"):
        return  # not fitted
    lengths = getattr(vectorizer, "document_lengths_", None)
    longest = None
    if vectorizer.maxlen is None and isinstance(lengths, np.ndarray) and lengths.size:
        longest = int(lengths.max())
    check_maxlen(vectorizer.maxlen_, source=f"{source} holds a TextVectorizer that",
                 field="has maxlen_", longest=longest)
    if vectorizer.maxlen is not None and vectorizer.maxlen_ != vectorizer.maxlen:
        raise ValueError(f"{where} has maxlen_={vectorizer.maxlen_!r} but maxlen="
                         f"{vectorizer.maxlen!r}: the file was edited.")
    vocabulary = vectorizer.vocabulary_
    if not isinstance(vocabulary, dict) or sorted(vocabulary.values()) != list(
            range(len(vocabulary))) or tuple(vocabulary) != tuple(vocabulary_tokens(vectorizer)):
        raise ValueError(f"{where} has a vocabulary_ whose ids are not 0 .. n - 1 in the "
                         "order of its tokens: the file was edited.")
    n_vocab = getattr(after, "n_vocab_", None)
    if isinstance(n_vocab, int) and len(vocabulary) > n_vocab:
        raise ValueError(
            f"{where} has {len(vocabulary):,} tokens but the {type(after).__name__} after it "
            f"has n_vocab_={n_vocab:,} embedding rows: ids would be out of its table."
        )


def _vectorizers(obj, seen=None):
    """``(vectorizer, next step)`` for every TextVectorizer inside a loaded
    model (pipelines, searches, ...); the next step when it is a pipeline's."""
    seen = set() if seen is None else seen
    if id(obj) in seen:
        return
    seen.add(id(obj))
    if isinstance(obj, TextVectorizer):
        yield obj, None
    steps = getattr(obj, "steps", None)
    if isinstance(steps, list):
        for (_, step), (_, after) in zip(steps, steps[1:], strict=False):
            if isinstance(step, TextVectorizer):
                seen.add(id(step))
                yield step, after
    if isinstance(obj, dict):
        children = list(obj.values())
    elif isinstance(obj, (list, tuple)):
        children = list(obj)
    elif hasattr(obj, "__dict__") and hasattr(obj, "get_params"):
        children = list(vars(obj).values())
    else:
        children = []
    for child in children:
        yield from _vectorizers(child, seen)
