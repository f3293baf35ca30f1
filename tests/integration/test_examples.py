"""Run every script in examples/ in its quick mode, as a user would."""

import ast
import re
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SCRIPTS = sorted(EXAMPLES.glob("*.py"))

#: For each example: text its quick-mode output must contain, the files it
#: must write to --out, and a score it must reach (a regular expression whose
#: group is the number, and its minimum): the quick modes are seeded, and a
#: broken training loop still prints tables. A new example fails
#: test_example_quick_mode until it is listed here.
EXPECTED = {
    "conv_lstm.py": (
        ["2,000 training and 1,000 held-out IMDB reviews, maxlen 100",
         "model                       accuracy  s/epoch   fit s"],
        [],
        (r"Conv1D \+ LSTM \(tutorial\) +([\d.]+)%", 55),
    ),
    "cross_val_vs_tfidf.py": (
        ["3-fold cross-validated accuracy on 1,200 reviews", "TF-IDF + LogReg: mean",
         "LSTM: mean"],
        [],
        (r"LSTM: mean ([\d.]+)%", 55),
    ),
    "grid_search.py": (
        ["rank  hidden_size  embedding_dim", "Best parameters: {'clf__embedding_dim'"],
        [],
        (r"Held-out accuracy of the refitted best model: ([\d.]+)%", 55),
    ),
    "lstm_stopwords_early_stopping.py": (
        ["epoch  train_loss  train_acc  valid_loss  valid_acc", "Stopped after",
         "    negative ", "    positive ", "weighted avg"],
        ["lstm_training_curves.png"],
        (r"accuracy +([\d.]+) +\d+", 0.6),
    ),
    "multiclass_ratings.py": (
        ["classes_: ['1-2', '3-4', '7-8', '9-10']", "        9-10 ", "macro avg",
         "confusion matrix (rows: true bucket"],
        ["multiclass_confusion.png"],
        (r"accuracy +([\d.]+) +\d+", 0.33),  # 4 classes, the largest is 29%
    ),
    "pretrained_embeddings.py": (
        ["100,000 word vectors of dimension 50", "pretrained, frozen: coverage ",
         "| model | accuracy | macro_f1 | fit_seconds |", "missing: "],
        [],
        (r"\| pretrained, fine-tuned \| ([\d.]+)%", 60),
    ),
    "rnn_vs_lstm.py": (
        ["| model | accuracy | misclassified_rate |", "| TF-IDF + LogReg |", "| RNN |",
         "Sample reviews:", "Misclassified reviews:", " LSTM: "],
        ["rnn_vs_lstm_confusion_rnn.png", "rnn_vs_lstm_confusion_lstm.png"],
        (r"\| LSTM \| ([\d.]+)%", 60),
    ),
    "word2vec_transfer.py": (
        ["from 3,000 unlabelled reviews", "nearest to 'great':", "word2vec coverage "],
        [],
        (r"\| word2vec init \| ([\d.]+)%", 60),
    ),
}


def _ids(paths):
    return [p.name for p in paths]


def test_examples_found():
    assert SCRIPTS, f"no examples in {EXAMPLES}"
    missing = sorted(set(EXPECTED) - set(_ids(SCRIPTS)))
    assert not missing, f"EXPECTED lists examples that do not exist: {missing}"


@pytest.mark.parametrize("script", SCRIPTS, ids=_ids(SCRIPTS))
def test_example_has_title_block_and_options(script):
    source = script.read_text(encoding="utf-8")
    doc = ast.get_docstring(ast.parse(source))
    assert doc, f"{script.name} needs a docstring: title, what it shows, how to run"
    assert "--full" in doc, f"{script.name}'s docstring should say how to run --full"
    assert "# %%" in source, f"{script.name} should be split into '# %%' cells"
    for option in ("--full", "--data", "--out"):
        assert f'"{option}"' in source, f"{script.name} lacks the {option} option"


@pytest.mark.parametrize("script", SCRIPTS, ids=_ids(SCRIPTS))
def test_example_quick_mode(script, imdb_archive, tmp_path, run_python):
    if script.name not in EXPECTED:
        pytest.fail(f"{script.name} has no quick-mode expectations: add it to EXPECTED")
    expected_text, expected_files, (score_pattern, minimum) = EXPECTED[script.name]
    out = tmp_path / "out"
    env = {
        # load_imdb() finds aclImdb_train.tar.gz here instead of downloading
        "SKLEARN_RNN_DATA": str(imdb_archive.parent),
        "MPLBACKEND": "Agg",
        # One thread per example: with other jobs on a 2-core machine,
        # OpenMP threads spin-waiting for a busy core made training 20x slower.
        "OMP_NUM_THREADS": "1",
    }
    proc = run_python(script, "--out", out, cwd=tmp_path, env=env, timeout=300)
    output = f"output of {script.name}:\n{proc.stdout}"
    for text in expected_text:
        assert text in proc.stdout, f"{text!r} not in the {output}"
    match = re.search(score_pattern, proc.stdout)
    assert match, f"no score matching {score_pattern!r} in the {output}"
    assert float(match.group(1)) >= minimum, f"score below {minimum} in the {output}"
    for name in expected_files:
        path = out / name
        assert path.is_file(), f"{script.name} did not write {name}"
        assert path.stat().st_size > 1000, f"{name} is almost empty"
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", f"{name} is not a PNG"
