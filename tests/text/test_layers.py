"""The layers keep to their dependencies: the text, word-vector, dataset,
evaluation, explanation and report layers never import torch."""

import pytest

#: What no layer below the network may load.
TORCH = {"torch", "skorch"}


def _modules_after(run_python, code):
    """The top-level packages a fresh interpreter has imported after ``code``."""
    out = run_python(
        "-c", code + "\nimport sys\nprint(' '.join(sorted({m.split('.')[0] for m in sys.modules})))"
    ).stdout
    return set(out.split())


def test_the_text_layer_imports_no_torch(run_python):
    loaded = _modules_after(
        run_python,
        "import sklearn_rnn\n"
        "X = sklearn_rnn.TextVectorizer().fit_transform(['a b', 'b c'])\n"
        "R = sklearn_rnn.TextVectorizer(ragged=True).fit_transform(['a b', 'b c'])\n"
        "assert type(X).__name__ == 'TokenArray' and type(R).__name__ == 'RaggedTokens'"
    )
    assert not loaded & {*TORCH, "gensim"}, loaded & {*TORCH, "gensim"}


#: Each layer above the text layer and below the network: what using it runs,
#: and what it must not load (gensim only when vectors are used).
LAYERS = {
    "vectors (import)": (
        "import sklearn_rnn._vectors._catalogue, sklearn_rnn._vectors._io, "
        "sklearn_rnn._vectors._matrix, sklearn_rnn._vectors._pretrained, "
        "sklearn_rnn._vectors._shared",
        {*TORCH, "gensim"},
    ),
    "vectors (in use)": (
        "import numpy as np\n"
        "from gensim.models import KeyedVectors\n"
        "from sklearn_rnn import PretrainedEmbeddings, TextVectorizer, build_embedding_matrix\n"
        "kv = KeyedVectors(vector_size=4)\n"
        "kv.add_vectors(['good', 'bad'], np.eye(2, 4, dtype=np.float32))\n"
        "vec = TextVectorizer().fit(['good film', 'bad film'])\n"
        "matrix, coverage = build_embedding_matrix(kv, vec)\n"
        "assert matrix.shape == (len(vec.vocabulary_), 4)\n"
        "tokens = sorted(vec.vocabulary_, key=vec.vocabulary_.get)\n"
        "assert PretrainedEmbeddings(kv).build_matrix(tokens)[0].shape == matrix.shape",
        TORCH,
    ),
    "datasets": (
        "import pathlib, tempfile\n"
        "from sklearn_rnn.datasets import load_text_dataset\n"
        "path = pathlib.Path(tempfile.mkdtemp()) / 'a.csv'\n"
        "_ = path.write_text('text,label\\nfine,1\\ngood,1\\nbad,0\\npoor,0\\n')\n"
        "assert load_text_dataset(path).target.tolist() == [1, 1, 0, 0]",
        TORCH,
    ),
    "evaluation": (
        "from sklearn.dummy import DummyClassifier\n"
        "from sklearn_rnn.evaluation import evaluate_model, format_table\n"
        "model = DummyClassifier().fit([[0]] * 4, ['a', 'b', 'a', 'a'])\n"
        "assert 'accuracy' in format_table([evaluate_model(model, [[0]] * 4, list('abaa'))])",
        TORCH,
    ),
    "explanations": ("import sklearn_rnn._explain", TORCH),
    "report (the standard library only)": (
        "from sklearn_rnn._report import highlight\n"
        "assert '<mark' in highlight('a good film', [(2, 6, 1.0)])",
        {*TORCH, "gensim", "sklearn"},
    ),
}


@pytest.mark.parametrize("code, forbidden", LAYERS.values(), ids=LAYERS.keys())
def test_the_layers_below_the_network_import_no_torch(run_python, code, forbidden):
    loaded = _modules_after(run_python, code)
    assert not loaded & forbidden, loaded & forbidden


def test_the_onnx_loader_imports_neither_torch_nor_scikit_learn(run_python):
    loaded = _modules_after(run_python, "import sklearn_rnn.onnx")
    assert not loaded & {*TORCH, "gensim", "sklearn"}


@pytest.mark.parametrize("name", ["TextVectorizer", "TokenArray", "RaggedTokens",
                                  "RecurrentTextClassifier", "LSTMSentimentClassifier",
                                  "PretrainedEmbeddings", "EmbeddingCoverage",
                                  "TrainingDivergedError"])
def test_public_classes_report_the_public_module(name):
    import sklearn_rnn

    assert getattr(sklearn_rnn, name).__module__ == "sklearn_rnn"
