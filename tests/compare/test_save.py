"""What a comparison keeps: every row's fitted model (.skops), its model card,
best.json naming the winner; the winner loads in a fresh process without
pickle and ``sklearn-rnn predict`` reproduces the comparison's predictions."""

import csv
import io
import json
from pathlib import Path

import numpy as np
import pytest

from sklearn_rnn import __version__
from sklearn_rnn._cli import main
from sklearn_rnn._compare._run import compare
from sklearn_rnn._compare._settings import CompareSettings

from .conftest import TINY_RUN, small_csv

ROWS = ["rnn", "lstm", "transfer", "tfidf", "combined"]


@pytest.fixture(scope="module")
def imdb_run(imdb_archive, tmp_path_factory):
    """A tiny comparison on real IMDB reviews (the default rows), saved."""
    out = tmp_path_factory.mktemp("imdb_run")
    settings = CompareSettings(
        data=(str(imdb_archive),), out=str(out), n_train=300, n_test=150, epochs=2,
        maxlen=80, embedding_dim=8, hidden_size=8, unlabelled="none", no_plots=True,
        quiet=True)
    stdout = io.StringIO()
    run = compare(settings, stdout=stdout)
    return run, out, stdout.getvalue()


def _docs_file(run, path):
    """The run's test documents as a CSV (``review``, ``sentiment``)."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["review", "sentiment"])
        writer.writerows(zip(run.data.X_test, run.data.y_test, strict=True))
    return path


def test_compare_saves_every_row_with_a_card_and_names_the_winner(imdb_run):
    run, out, said = imdb_run
    best = json.loads((out / "best.json").read_text())
    winner = max((r for r in run.results.values() if not r.baseline),
                 key=lambda r: r.accuracy)
    assert best["key"] == winner.key and best["model"] == f"models/{winner.key}.skops"
    assert best["load"] == ('from sklearn_rnn.persistence import load_skops; '
                            f'model = load_skops("models/{winner.key}.skops")')
    assert [m["key"] for m in best["models"]] == ROWS  # the baseline is not saved
    for key in ROWS:
        assert (out / "models" / f"{key}.skops").stat().st_size > 10_000
        card = (out / "models" / f"{key}.md").read_text()
        result = run.results[key]
        assert card.startswith("---\nlibrary_name: sklearn\n")
        assert f"model_file: {key}.skops" in card and f"# {result.name}\n" in card
        for section in ("## How to use", "## Data", "## Settings", "## Held-out results",
                        "## Speed", "## Known limits", "## Versions"):
            assert section in card, (key, section)
        assert f"Accuracy {100 * result.accuracy:.1f}%" in card
        assert "| negative |" in card and "| positive |" in card  # per-class figures
        assert "300 training documents, 150 test documents" in card
        assert f"| sklearn_rnn | {__version__} |" in card
        assert "95% interval" in card
    assert "A combination of rows" in (out / "models" / "combined.md").read_text()
    assert "reads at most 80 tokens" in (out / "models" / "lstm.md").read_text()
    assert f"the best, {winner.name}, loads in one line" in said
    report = (out / "report.html").read_text()
    assert 'id="models"' in report and f"models/{winner.key}.skops" in report
    assert "load_skops(&quot;models/" in report
    # the page names files, not the paths of this machine
    data = Path(run.settings.data[0]).resolve()
    assert f"<td>{data.name}</td>" in report and str(data.parent) not in report
    assert str(out) not in report


def test_saved_rows_load_in_a_fresh_process_without_pickle(imdb_run, tmp_path, run_python):
    run, out, _ = imdb_run
    docs = tmp_path / "docs.json"
    docs.write_text(json.dumps(run.data.X_test))
    script = f"""
import json, sys
def refuse_pickles(event, args):  # an unpickler looks up every class it builds
    if event == "pickle.find_class":
        raise AssertionError(f"pickle used: {{args}}")
sys.addaudithook(refuse_pickles)
from sklearn_rnn.persistence import load_skops
docs = json.load(open({str(docs)!r}))
found = {{}}
for key in {ROWS!r}:
    model = load_skops({str(out)!r} + "/models/" + key + ".skops")
    proba = model.predict_proba(docs)
    found[key] = {{"pred": [str(c) for c in model.classes_[proba.argmax(1)]],
                   "proba": proba.tolist(), "type": type(model).__name__}}
print(json.dumps(found))
"""
    done = run_python("-c", script, timeout=300)
    found = json.loads(done.stdout.splitlines()[-1])
    assert found["combined"]["type"] == "HoldoutStackingClassifier"
    for key in ROWS:
        result = run.results[key]
        assert found[key]["pred"] == [str(p) for p in result.pred], key
        np.testing.assert_allclose(found[key]["proba"], result.proba, rtol=0, atol=1e-6)


def test_predict_command_reproduces_the_comparisons_test_predictions(imdb_run, tmp_path,
                                                                    run_python):
    run, out, _ = imdb_run
    data = _docs_file(run, tmp_path / "test.csv")
    best = json.loads((out / "best.json").read_text())
    done = run_python("-m", "sklearn_rnn", "predict", "--model", out, "--data", data,
                      "--proba", "--out", tmp_path / "pred.csv", "--label-column", "sentiment",
                      timeout=300)
    assert done.stdout == ""  # the predictions went to --out; what is said, to stderr
    assert "150 documents" in done.stderr and "text 'review'" in done.stderr
    result = run.results[best["key"]]
    assert f"accuracy against 'sentiment': {100 * result.accuracy:.1f}%" in done.stderr
    with open(tmp_path / "pred.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [r["prediction"] for r in rows] == [str(p) for p in result.pred]
    proba = np.array([[float(r["proba_negative"]), float(r["proba_positive"])] for r in rows])
    np.testing.assert_allclose(proba, result.proba, rtol=0, atol=1e-6)


def test_predict_explains_a_combined_model_through_its_members(imdb_run, tmp_path, capsys):
    run, out, _ = imdb_run
    data = tmp_path / "new.txt"  # one document per line, no labels
    texts = [t.replace("\n", " ") for t in run.data.X_test[:12]]
    texts[0] = '<script>alert("x")</script> ' + texts[0]
    data.write_text("\n".join(texts) + "\n", encoding="utf-8")
    code = main(["predict", "--model", str(out / "models" / "combined.skops"), "--data",
                 str(data), "--output-format", "jsonl", "--explain", str(tmp_path / "why.html")])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    lines = [json.loads(line) for line in captured.out.splitlines()]
    combined = run.results["combined"].model
    assert [line["prediction"] for line in lines] == list(map(str, combined.predict(texts)))
    assert "TF-IDF + LSTM transfer (combined)" in captured.err  # named from best.json
    page = (tmp_path / "why.html").read_text()
    assert page.count('class="doc"') == 12 and "<script" not in page
    assert "&lt;script&gt;" in page and page.count("<mark") > 20
    assert "tfidf:" in page and "transfer:" in page  # each member's highlighted words


def _pipeline(**vectorizer):
    """A fitted TF-IDF pipeline (``vectorizer``: its vectorizer's parameters)
    and the documents it was fitted on."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    from ..conftest import make_reviews

    X, y = make_reviews(120, seed=3)
    return make_pipeline(TfidfVectorizer(**vectorizer), LogisticRegression()).fit(X, y), X


def test_predict_refuses_a_pickle_unless_trusted(tmp_path, capsys):
    import joblib

    model, X = _pipeline()
    joblib.dump(model, tmp_path / "model.joblib")
    data = tmp_path / "docs.csv"
    with open(data, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([["text"], *([x] for x in X[:5])])
    args = ["predict", "--model", str(tmp_path / "model.joblib"), "--data", str(data)]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "loading a pickle runs whatever code" in err and "--trust-pickle" in err
    assert main([*args, "--trust-pickle", "--quiet"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == ["prediction", *model.predict(X[:5])]


def test_predict_refuses_untrusted_types_in_a_skops_file(tmp_path, capsys):
    import skops.io as sio

    model, _ = _pipeline(tokenizer=str.split, token_pattern=None)  # a function: untrusted
    sio.dump(model, tmp_path / "odd.skops")
    data = tmp_path / "docs.txt"
    data.write_text("a fine film\n", encoding="utf-8")
    assert main(["predict", "--model", str(tmp_path / "odd.skops"), "--data", str(data)]) == 1
    err = capsys.readouterr().err
    assert "not trusted: ['builtins.method_descriptor']" in err
    assert "load_skops(path, trusted=" in err


def test_a_row_that_cannot_be_saved_is_said(tmp_path, monkeypatch):
    from sklearn_rnn import persistence

    trusted = [t for t in persistence.SKOPS_TRUSTED_TYPES if "TextVectorizer" not in t]
    monkeypatch.setattr(persistence, "SKOPS_TRUSTED_TYPES", trusted)
    out = tmp_path / "out"
    stdout = io.StringIO()
    compare(CompareSettings(data=(str(small_csv(tmp_path)),), out=str(out),
                            models=("rnn", "tfidf"), epochs=1, maxlen=40, embedding_dim=8,
                            hidden_size=8, no_plots=True, quiet=True), stdout=stdout)
    said = stdout.getvalue()
    assert "RNN: not saved: it holds types load_skops does not trust" in said
    assert "sklearn_rnn.TextVectorizer" in said
    best = json.loads((out / "best.json").read_text())
    assert best["key"] == "tfidf" and not (out / "models" / "rnn.skops").exists()
    assert "error" in best["models"][0] and best["models"][0]["key"] == "rnn"
    assert "not saved: it holds types" in (out / "report.html").read_text()


def test_no_save_keeps_no_model_and_overwrite_forgets_the_earlier_ones(tmp_path, capsys):
    out = tmp_path / "out"
    args = ["compare", "--data", str(small_csv(tmp_path)), "--out", str(out), "--no-plots",
            "--quiet"]
    assert main([*args, "--models", "tfidf", "--no-save"]) == 0, capsys.readouterr().err
    assert (out / "report.html").exists()
    assert not (out / "models").exists() and not (out / "best.json").exists()
    assert main([*args, "--models", "tfidf", "--overwrite"]) == 0
    assert (out / "models" / "tfidf.skops").exists()
    # a later run without that row: no file of the earlier run is left to point at
    assert main([*args, "--models", "rnn", *TINY_RUN[2:-1], "--overwrite"]) == 0
    assert sorted(p.name for p in (out / "models").iterdir()) == ["rnn.md", "rnn.skops"]
    assert json.loads((out / "best.json").read_text())["key"] == "rnn"
    assert main([*args, "--models", "tfidf", "--overwrite", "--no-save"]) == 0
    assert not (out / "best.json").exists() and not list((out / "models").iterdir())


def test_the_combined_row_saves_without_its_word_vectors(tmp_path):
    from sklearn_rnn.persistence import load_skops

    out = tmp_path / "out"
    run = compare(CompareSettings(data=(str(small_csv(tmp_path)),), out=str(out),
                                  models=("combined",), vectors="own", epochs=1, maxlen=40,
                                  embedding_dim=8, hidden_size=8, no_plots=True, quiet=True),
                  stdout=io.StringIO())
    combined = run.results["combined"].model
    template = combined.estimators[1][1][-1]  # the unfitted transfer row: word2vec in memory
    assert type(template.embeddings.vectors).__name__ == "KeyedVectors"  # kept in the run
    assert template.callbacks is not None  # the run's progress, restored after saving
    loaded = load_skops(out / "models" / "combined.skops")
    assert type(loaded.estimators[1][1][-1].embeddings.vectors).__name__ == "VectorsNotSaved"
    np.testing.assert_array_equal(loaded.predict(run.data.X_test), run.results["combined"].pred)
    assert "Transductive" not in (out / "models" / "combined.md").read_text()


def test_predict_names_its_outputs_after_out(tmp_path, capsys):
    import skops.io as sio

    model, X = _pipeline()
    sio.dump(model, tmp_path / "model.skops")
    data = tmp_path / "docs.txt"
    data.write_text("\n".join(X[:7]) + "\n", encoding="utf-8")
    assert main(["predict", "--model", str(tmp_path / "model.skops"), "--data", str(data),
                 "--out", str(tmp_path / "pred.jsonl"), "--explain"]) == 0
    err = capsys.readouterr().err
    lines = (tmp_path / "pred.jsonl").read_text().splitlines()
    assert [json.loads(line) for line in lines] == [{"prediction": p}
                                                    for p in model.predict(X[:7])]
    assert f"wrote {tmp_path / 'pred.html'}" in err
    page = (tmp_path / "pred.html").read_text()
    assert page.count('class="doc"') == 7 and "true label" not in page
