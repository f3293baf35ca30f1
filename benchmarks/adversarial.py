"""What a stranger's text, files and options do to sklearn_rnn: an adversarial pass.

Each case runs in its own Python process with an address-space limit
(``resource.setrlimit(RLIMIT_AS)``, 6 GiB: torch maps much address space
it never touches) and a wall-clock timeout, in a folder of its own. The case
checks the behaviour a careful user expects and reports one outcome:

``ok``
    It works, and gives the right answer.
``clear error``
    It is refused before harm, with a message of ours that says why.
``security``
    A stranger's input acts on the reader's terminal, the page, or files
    outside what was asked.
``data loss``
    A run dies late or silently overwrites another's results.
``silent wrong``
    A wrong answer with no word said.
``hang``
    The process runs past its timeout.
``blow-up``
    Memory or time out of proportion to the input (a ``MemoryError``, the
    process killed, or a case's own bound).
``dependency error``
    An error raised from inside a dependency (torch, gensim, scikit-learn,
    the standard library's parsers), not said in our words.

Usage::

    python benchmarks/adversarial.py                 # every case
    python benchmarks/adversarial.py -k fasttext     # cases whose name holds 'fasttext'

Writes ``benchmarks/results/adversarial.{json,md}`` (the counts and each
case's behaviour). The seconds depend on the machine's load; outcomes do not.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time

import _common
from _common import RESULTS

OUTCOMES = ("ok", "clear error", "security", "data loss", "silent wrong", "hang", "blow-up",
            "dependency error")
BAD = OUTCOMES[2:]
MEMORY_LIMIT = 6 * 2**30

#: Runs first in every case's process: the limits, and the helpers a case uses.
PREAMBLE = r'''
import contextlib, io, json, os, re, resource, sys, time, traceback
import numpy as np
resource.setrlimit(resource.RLIMIT_AS, (%(limit)d, %(limit)d))
os.environ["OMP_NUM_THREADS"] = "1"
import warnings; warnings.simplefilter("ignore")
RAW = ("\x1b", "\x07", "\x9b", "\u202e", "\u2066", "\u200b")

def done(outcome, detail):
    print("@@RESULT " + json.dumps({"outcome": outcome, "detail": detail}), flush=True)
    sys.exit(0)

def _ours(exc):
    tb = exc.__traceback__
    last = None
    while tb is not None:
        last = tb.tb_frame.f_code.co_filename
        tb = tb.tb_next
    return last is not None and "sklearn_rnn" in last and "site-packages" not in last

def refused(fn, pattern=None, what="refused"):
    """Run fn; an error of ours whose message matches: 'clear error'."""
    try:
        value = fn()
    except MemoryError as exc:
        done("blow-up", f"MemoryError: {exc}")
    except Exception as exc:
        message = f"{type(exc).__name__}: {exc}"
        if not _ours(exc):
            done("dependency error", message[:300])
        if pattern and not re.search(pattern, str(exc), re.S):
            done("clear error", "refused, but the message does not say " + repr(pattern)
                 + ": " + message[:240])
        done("clear error", f"{what}: " + message[:240])
    return value

def cli(*args):
    """sklearn-rnn in this process: (exit code, stdout, stderr)."""
    from sklearn_rnn._cli import main
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main([str(a) for a in args])
        except SystemExit as exc:
            code = exc.code
    return code, out.getvalue(), err.getvalue()

def reviews(n=200, seed=0):
    sys.path.insert(0, %(repo)r)
    from tests.conftest import make_reviews
    X, y = make_reviews(n, seed=seed)
    return list(X), [str(v) for v in y]

def write_csv(path, rows, header=("text", "label")):
    import csv
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f); w.writerow(header); w.writerows(rows)
    return path

def tiny_pipe(n=120, **params):
    from sklearn.pipeline import make_pipeline
    from sklearn_rnn import LSTMSentimentClassifier, TextVectorizer
    X, y = reviews(n)
    kw = dict(embedding_dim=8, hidden_size=8, max_epochs=1, random_state=0, batch_size=32)
    kw.update(params)
    return make_pipeline(TextVectorizer(maxlen=60), LSTMSentimentClassifier(**kw)).fit(X, y), X

QUICK = ["--models", "tfidf", "--no-plots", "--quiet"]
'''

# name -> (family, what is tried, code). The code ends by calling done().
CASES = {}


def case(name, family, tried):
    def register(code):
        CASES[name] = (family, tried, textwrap.dedent(code))
        return code
    return register


# --------------------------------------------------------------------------- #
# security: what a document or label does to the terminal and the page
# --------------------------------------------------------------------------- #
case("terminal-osc52-clear-screen", "terminal", "compare on reviews holding OSC 52, a screen "
     "clear, a right-to-left override, a C1 CSI")("""
    X, y = reviews()
    hostile = ["\\x1b]52;c;aGFja2Vk\\x07", "\\x1b[2J\\x1b[H", "\\u202e", "\\x9b31m", "\\u200b"]
    X = [f"{t} {hostile[i % 5]} end" for i, t in enumerate(X)]
    write_csv("d.csv", zip(X, y))
    code, out, err = cli("compare", "--data", "d.csv", "--out", "o", "--models", "tfidf",
                         "--no-plots")
    said = out + err
    if code != 0: done("data loss", err[-300:])
    leaked = [repr(c) for c in RAW if c in said]
    page = open("o/report.html", encoding="utf-8").read()
    leaked += [repr(c) + " in report" for c in RAW if c in page]
    if leaked: done("security", "raw " + ", ".join(leaked))
    done("ok", "every control shown as an escape (\\\\x1b, \\\\u202e) in the terminal and report")
""")

case("terminal-format-samples", "terminal", "format_samples/format_table on hostile "
     "documents, labels and model names")("""
    from sklearn_rnn.evaluation import format_samples, format_table
    s = format_samples([{"index": 0, "text": "a\\x1b]52;c;eA==\\x07b", "truth": "p\\u202e",
                         "predictions": {"m\\x1b[31m": ("n\\x07", 0.9)}}])
    t = format_table([{"model": "x\\x1b[2J", "accuracy_\\u202eneg": 0.5}])
    if any(c in s + t for c in RAW): done("security", "raw control in " + repr(s + t))
    done("ok", "escaped: " + s.splitlines()[-1].strip()[:60])
""")

case("report-bidi-label", "report", "a label with a right-to-left override beside its "
     "confidence in report.html")("""
    from sklearn_rnn._report import write_report
    p = write_report("r.html", title="t", summary="s", settings={}, columns=[], rows=[],
                     figures=[], documents=[{"section": "S", "index": 0, "text": "doc \\u2066x",
                     "truth": "\\u202eneg", "predictions": [{"model": "m", "label": "\\u202eneg",
                     "confidence": 0.91, "correct": True, "spans": [(0, 3, 1.0)]}]}]).read_text()
    if any(c in p for c in RAW): done("security", "raw bidi control in the page")
    done("ok", "shown as \\\\u202eneg (91.0%)")
""")

case("error-message-control", "terminal", "a label holding ESC: the CLI's error message")("""
    X, y = reviews(60)
    y = [l if i % 7 else "pos\\x1b[2J" for i, l in enumerate(y)]
    write_csv("d.csv", zip(X, y))
    code, out, err = cli("compare", "--data", "d.csv", "--out", "o", *QUICK)
    if any(c in out + err for c in RAW): done("security", "raw ESC in " + repr(err[-200:]))
    if code == 1 and "U+001B" in err: done("clear error", err.strip()[-200:])
    done("silent wrong", f"exit {code}: {err[-200:]}")
""")

case("predict-terminal-labels", "terminal", "sklearn-rnn predict's CSV on a terminal, "
     "labels holding ESC")("""
    from sklearn_rnn._predict import _write
    class Tty(io.StringIO):
        def isatty(self): return True
    s = Tty()
    _write(s, "csv", np.array(["a\\x1b[2J"]), np.array([[1.0]]), np.array(["a\\x1b[2J"]), True)
    if "\\x1b" in s.getvalue(): done("security", repr(s.getvalue()))
    done("ok", "escaped on a terminal, kept as they are in a file or pipe")
""")

for _name, _file_name in (("catalogue-absolute-path", "/etc/hostname"),
                          ("catalogue-dotdot", "../../outside.txt"),
                          ("catalogue-dotdot-nested", "a/../../../outside.txt")):
    case(_name, "catalogue", f"information.json gives file_name={_file_name!r}")(f"""
    os.makedirs("gd/my-vectors"); open("outside.txt", "w").write("2 2\\\\na 1 2\\\\nb 3 4\\\\n")
    json.dump({{"models": {{"my-vectors": {{"file_name": {_file_name!r}}}}}}},
              open("gd/information.json", "w"))
    import gensim.downloader as api
    api.BASE_DIR = os.path.abspath("gd")
    api.DATA_LIST_URL = "http://127.0.0.1:9/list.json"
    api._load_info.__defaults__ = (api.DATA_LIST_URL, "utf-8")
    from sklearn_rnn import load_word_vectors
    kv = refused(lambda: load_word_vectors("my-vectors"), "not a plain file name")
    done("security", f"read {{len(kv.index_to_key)}} words from outside the catalogue")
""")

case("catalogue-symlink-out", "catalogue", "the catalogue's file is a symbolic link to a "
     "file outside its folder")("""
    name = "glove-wiki-gigaword-50"
    os.makedirs(f"gd/{name}"); open("outside.txt", "w").write("2 2\\na 1 2\\nb 3 4\\n")
    os.symlink(os.path.abspath("outside.txt"), f"gd/{name}/{name}.gz")
    import gensim.downloader as api
    api.BASE_DIR = os.path.abspath("gd")
    from sklearn_rnn import load_word_vectors
    kv = refused(lambda: load_word_vectors(name), "outside the catalogue")
    done("security", "read a file outside the catalogue")
""")

# --------------------------------------------------------------------------- #
# data loss: options checked before training; one run per output folder
# --------------------------------------------------------------------------- #
for _name, _args in (("learning-curve-abc", ["--learning-curve", "abc"]),
                     ("learning-curve-zero", ["--learning-curve", "0"]),
                     ("learning-curve-huge", ["--learning-curve", "100000"]),
                     ("learning-curve-without-tfidf", ["--learning-curve", "100",
                                                       "--models", "lstm"]),
                     ("n-test-huge", ["--n-test", "100000"])):
    case(_name, "settings", f"compare {' '.join(_args)}")(f"""
    X, y = reviews(200)
    write_csv("d.csv", zip(X, y))
    t = time.perf_counter()
    args = {_args!r}
    models = [] if "--models" in args else ["--models", "tfidf,lstm"]
    code, out, err = cli("compare", "--data", "d.csv", "--out", "o", *models, *args,
                         "--no-plots", "--quiet", "--epochs", "1")
    seconds = time.perf_counter() - t
    trained = os.path.exists("o/comparison.csv")
    if code in (1, 2) and not trained:
        msg = (err.strip().splitlines() or ["?"])[-1]
        if re.search(r"(?<![\\w-])-[0-9][0-9,]* training documents", msg):
            done("silent wrong", msg[:200])
        done("clear error", f"refused before training ({{seconds:.1f}} s): " + msg[:200])
    if code == 0: done("ok", "ran")
    done("data loss", f"exit {{code}} after training: " + err[-200:])
""")

case("two-runs-one-out", "settings", "two compare runs on one --out at once")("""
    import subprocess
    X, y = reviews(200)
    write_csv("d.csv", zip(X, y))
    cmd = [sys.executable, "-m", "sklearn_rnn", "compare", "--data", "d.csv", "--out", "o",
           "--models", "tfidf,lstm", "--epochs", "2", "--no-plots", "--quiet", "--overwrite"]
    a = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(4)
    b = subprocess.run(cmd, capture_output=True, text=True)
    a.communicate()
    if b.returncode == 0 and a.returncode == 0: done("data loss", "both exited 0")
    if b.returncode == 1 and "in use" in b.stderr: done("clear error", b.stderr.strip()[-160:])
    done("ok" if a.returncode == 0 else "data loss", f"first {a.returncode}, second "
         f"{b.returncode}: {b.stderr[-150:]}")
""")

case("out-inside-folder-dataset", "settings", "--out inside the folder data set")("""
    X, y = reviews(60)
    for i, (t, l) in enumerate(zip(X, y)):
        os.makedirs(f"data/{l}", exist_ok=True); open(f"data/{l}/{i}.txt", "w").write(t)
    code, out, err = cli("compare", "--data", "data", "--out", "data/results", *QUICK)
    if code == 1 and "inside the data folder" in err: done("clear error", err.strip()[-150:])
    done("data loss", f"exit {code}; results in the data set: {os.path.exists('data/results')}")
""")

# --------------------------------------------------------------------------- #
# silent wrong: labels, leakage, offsets, BOM
# --------------------------------------------------------------------------- #
for _name, _label, _code in (("label-rlo", "\u202eneg", "U+202E"),
                             ("label-zero-width-space", "neg\u200b", "U+200B"),
                             ("label-word-joiner", "neg\u2060", "U+2060"),
                             ("label-newline", "ne\ng", "U+000A"),
                             ("label-isolate", "\u2067neg\u2069", "U+2067")):
    case(_name, "labels", f"a label {_label!r} beside 'neg'")(f"""
    from sklearn_rnn.datasets import load_text_dataset
    X, y = reviews(60)
    y = [{_label!r} if (l == "negative" and i % 2) else l for i, l in enumerate(y)]
    write_csv("d.csv", zip(X, y))
    b = refused(lambda: load_text_dataset("d.csv"), {_code.replace("+", ".")!r})
    done("silent wrong", f"{{len(set(b.target))}} classes read, one of them {_label!r}")
""")

case("label-nan", "labels", "a label 'nan' in some rows")("""
    from sklearn_rnn.datasets import load_text_dataset
    X, y = reviews(60)
    y = ["nan" if i in (3, 9) else l for i, l in enumerate(y)]
    write_csv("d.csv", zip(X, y))
    b = refused(lambda: load_text_dataset("d.csv"), r"'nan' in 2 rows \\(line 5, line 11\\)")
    done("silent wrong", "'nan' became a class")
""")

case("label-nfc-nfd", "labels", "'café' composed and decomposed as two labels")("""
    from sklearn_rnn.datasets import load_text_dataset
    X, y = reviews(60)
    y = ["caf\\u00e9" if i % 2 else "cafe\\u0301" for i in range(60)]
    write_csv("d.csv", zip(X, y))
    b = refused(lambda: load_text_dataset("d.csv"), "two Unicode forms")
    done("silent wrong", f"{len(set(b.target))} classes that look the same")
""")

case("label-nfd-only", "labels", "'café' decomposed only (macOS folder names)")("""
    from sklearn_rnn.datasets import load_text_dataset
    X, y = reviews(60)
    y = ["cafe\\u0301" if l == "positive" else l for l in y]
    write_csv("d.csv", zip(X, y))
    b = load_text_dataset("d.csv")
    if "caf\\u00e9" in set(b.target.tolist()): done("ok", "normalised to NFC: 'caf\\\\xe9'")
    done("silent wrong", repr(set(b.target.tolist())))
""")

case("unlabelled-is-test-file", "leakage", "--unlabelled is the data file itself")("""
    X, y = reviews(200)
    write_csv("d.csv", zip(X, y))
    code, out, err = cli("compare", "--data", "d.csv", "--unlabelled", "d.csv", "--out", "o",
                         "--models", "lstm-w2v", "--no-plots", "--quiet", "--epochs", "1",
                         "--embedding-dim", "8", "--hidden-size", "8")
    if code != 0: done("data loss", err[-200:])
    if "left out" in out and "--transductive" in out:
        done("ok", "the test documents in it left out and said (--transductive keeps them)")
    done("silent wrong", "word2vec read the test text without a word")
""")

case("duplicates-across-split", "leakage", "30 documents twice: on both sides of the "
     "split")("""
    X, y = reviews(200)
    write_csv("d.csv", zip(X + X[:30], y + y[:30]))
    code, out, err = cli("compare", "--data", "d.csv", "--out", "o", *QUICK[:-1])
    if code != 0: done("data loss", err[-200:])
    if "also appear among the training documents" in out:
        done("ok", "counted and said in the output and the report")
    done("silent wrong", "the report says disjoint")
""")

case("offsets-strip-accents", "offsets", "TF-IDF with strip_accents: 'Great ... great'")("""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn_rnn import explain
    X, y = reviews(200)
    pipe = make_pipeline(TfidfVectorizer(strip_accents="unicode"), LogisticRegression()).fit(X, y)
    doc = "Great café. The café was great"
    e = explain(pipe, [doc])[0]
    got = [doc[a:b].lower() for a, b in e.offsets.tolist()]
    if got[0] == "great" and e.offsets.tolist()[0] == [0, 5] and -1 not in e.offsets[:, 0]:
        done("ok", "each word at its own copy: " + ", ".join(got))
    done("silent wrong", repr(e.offsets.tolist()))
""")

case("offsets-custom-preprocessor", "offsets", "TextVectorizer(preprocessor=...) on "
     "'Great ... great'")("""
    from sklearn_rnn import TextVectorizer
    doc = "Great acting, the plot was great"
    tokens, offsets = TextVectorizer(preprocessor=str.lower).build_offset_analyzer()(doc)
    if offsets[0].tolist() == [0, 5] and offsets[1].tolist() == [6, 12]:
        done("ok", "first copy")
    done("silent wrong", repr(offsets.tolist()))
""")

case("offsets-char-tokens", "offsets", "compare --tokenizer char's TF-IDF row: "
     "'Good. good'")("""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn_rnn import TextVectorizer, explain
    X, y = reviews(120)
    chars = TextVectorizer(tokenizer="char").build_analyzer()
    pipe = make_pipeline(TfidfVectorizer(tokenizer=chars, token_pattern=None),
                         LogisticRegression()).fit(X, y)
    doc = "Good. good"
    e = explain(pipe, [doc])[0]
    if [a for a, _ in e.offsets.tolist()][:4] == [0, 1, 2, 3]: done("ok", "in order")
    done("silent wrong", repr(e.offsets.tolist()))
""")

case("glove-bom", "vectors", "a GloVe file starting with a UTF-8 byte order mark")("""
    open("g.txt", "wb").write(b"\\xef\\xbb\\xbfthe 0.5 0.25\\nfilm 1 2\\n")
    from sklearn_rnn import load_word_vectors
    kv = refused(lambda: load_word_vectors("g.txt"))
    if "the" in kv.key_to_index: done("ok", "'the' keeps its vector")
    done("silent wrong", repr(kv.index_to_key))
""")

case("word2vec-text-bom", "vectors", "a word2vec text file (header) after a byte order "
     "mark")("""
    open("w.vec", "wb").write(b"\\xef\\xbb\\xbf2 2\\nthe 0.5 0.25\\nfilm 1 2\\n")
    from sklearn_rnn import load_word_vectors
    kv = refused(lambda: load_word_vectors("w.vec"))
    if kv.index_to_key == ["the", "film"]: done("ok", "header read, 2 words")
    done("silent wrong", repr(kv.index_to_key))
""")

# --------------------------------------------------------------------------- #
# blow-ups
# --------------------------------------------------------------------------- #
case("report-five-1mb-documents", "rendering", "highlight five 1 MB documents full of "
     "<br /> tags")("""
    from sklearn_rnn._report import highlight
    t = time.perf_counter()
    for k in range(5):
        doc = "word other <br />" * 62_000
        spans = [(s, s + 4, 1.0) for s in range(0, len(doc), 17)]
        highlight(doc, spans)
    seconds = time.perf_counter() - t
    if seconds > 60: done("blow-up", f"{seconds:.0f} s")
    done("ok", f"{seconds:.1f} s for 5 MB")
""")

for _n in (100, 300):
    case(f"confusion-matrix-{_n}-classes", "rendering", f"the confusion-matrix figure of "
         f"{_n} classes")(f"""
    import matplotlib; matplotlib.use("Agg")
    from sklearn_rnn.evaluation import plot_confusion_matrix
    n = {_n}
    labels = np.array([f"class {{k}}" for k in range(n)], dtype=object)
    rng = np.random.default_rng(0)
    y = labels[rng.integers(n, size=20 * n)]
    fig = plot_confusion_matrix(None, None, y, y_pred=y[::-1], labels=labels, normalize="true")
    buf = io.BytesIO(); fig.savefig(buf, format="png", dpi=110)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    if peak > 1.5: done("blow-up", f"{{peak:.1f}} GB")
    done("ok", f"{{fig.get_size_inches()[0]:.0f}} inches, {{len(buf.getvalue()) // 1024}} kB, "
         f"peak {{peak * 1024:.0f}} MB")
""")

case("compare-300-classes", "rendering", "compare on 300 classes (figures on)")("""
    X, y = reviews(1800)
    y = [f"c{i % 300}" for i in range(1800)]
    write_csv("d.csv", zip(X, y))
    code, out, err = cli("compare", "--data", "d.csv", "--out", "o", "--models", "tfidf",
                         "--quiet")
    if code != 0: done("data loss", err[-200:])
    size = os.path.getsize("o/report.html")
    done("ok", f"report {size // 1024} kB, {len(os.listdir('o'))} files")
""")

case("skops-maxlen-1e6", "loaders", "a skops file whose vectorizer asks for rows of "
     "1,000,000 tokens")("""
    import skops.io as sio
    from sklearn_rnn.persistence import load_skops
    pipe, X = tiny_pipe()
    pipe[0].maxlen = pipe[0].maxlen_ = 1_000_000
    sio.dump(pipe, "m.skops")
    m = refused(lambda: load_skops("m.skops"), "above the 100,000")
    done("blow-up", "loaded: each prediction allocates 4-8 MB per document")
""")

case("onnx-maxlen-1e6", "loaders", "an ONNX file whose metadata asks for rows of "
     "1,000,000 tokens")("""
    import onnx
    from sklearn_rnn import export_onnx
    from sklearn_rnn.onnx import load
    pipe, X = tiny_pipe()
    export_onnx(pipe, "m.onnx")
    model = onnx.load("m.onnx")
    for p in model.metadata_props:
        if p.key == "sklearn_rnn":
            meta = json.loads(p.value); meta["vectorizer"]["maxlen"] = 1_000_000
            p.value = json.dumps(meta)
    onnx.save(model, "m2.onnx")
    refused(lambda: load("m2.onnx"), "above the 100,000")
    done("blow-up", "loaded")
""")

case("skops-inflates", "loaders", "a skops file of 256 MiB of zeros in about 250 kB")("""
    import zipfile, zlib
    import skops.io as sio
    from sklearn_rnn.persistence import load_skops
    pipe, X = tiny_pipe()
    sio.dump(pipe, "m.skops")
    with zipfile.ZipFile("m.skops", "a", compression=zipfile.ZIP_DEFLATED) as z:
        with z.open("extra.npy", "w", force_zip64=True) as f:
            zeros = bytes(2**24)
            for _ in range(16): f.write(zeros)
    refused(lambda: load_skops("m.skops"), "times more")
    done("blow-up", "inflated")
""")

case("unlabelled-too-many-lines", "loaders", "--unlabelled with 1,000,001 short lines")("""
    X, y = reviews(200)
    write_csv("d.csv", zip(X, y))
    with open("u.txt", "w") as f:
        for i in range(1_000_001): f.write(f"w{i % 97} x\\n")
    code, out, err = cli("compare", "--data", "d.csv", "--unlabelled", "u.txt", "--out", "o",
                         "--models", "lstm-w2v", "--no-plots", "--epochs", "1",
                         "--embedding-dim", "8", "--hidden-size", "8")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    if "1,000,000" in out + err: done("ok" if code == 0 else "clear error",
                                       f"bounded and said (peak {peak:.1f} GB)")
    done("silent wrong" if code == 0 else "data loss", (out + err)[-200:])
""")

case("unlabelled-binary", "loaders", "--unlabelled is a binary file")("""
    X, y = reviews(200)
    write_csv("d.csv", zip(X, y))
    open("u.bin", "wb").write(bytes(range(256)) * 100)
    code, out, err = cli("compare", "--data", "d.csv", "--unlabelled", "u.bin", "--out", "o",
                         "--models", "lstm-w2v", "--no-plots", "--quiet")
    if code == 1 and "u.bin" in err: done("clear error", err.strip()[-160:])
    done("data loss" if code else "silent wrong", err[-200:])
""")

# --------------------------------------------------------------------------- #
# hangs
# --------------------------------------------------------------------------- #
case("fasttext-lying-header", "vectors", "fastText's mark, then 4,000 random bytes")("""
    open("v.bin", "wb").write(b"\\xba\\x16\\x4f\\x2f" + np.random.default_rng(0).bytes(4000))
    from sklearn_rnn import load_word_vectors
    refused(lambda: load_word_vectors("v.bin"), "fastText|declares|ends")
    done("silent wrong", "loaded")
""")

case("fasttext-truncated", "vectors", "a real fastText .bin cut in its vocabulary")("""
    from gensim.models import FastText
    from gensim.models.fasttext import save_facebook_model
    X, y = reviews(200)
    m = FastText([t.lower().split() for t in X], vector_size=8, min_count=1, epochs=1,
                 bucket=1000, workers=1)
    save_facebook_model(m, "f.bin")
    data = open("f.bin", "rb").read()
    open("cut.bin", "wb").write(data[:300])
    from sklearn_rnn import load_word_vectors
    refused(lambda: load_word_vectors("cut.bin"), "ends")
    done("silent wrong", "loaded")
""")

case("fasttext-matrix-lies", "vectors", "a real fastText .bin whose matrix rows lie")("""
    import struct
    from gensim.models import FastText
    from gensim.models.fasttext import save_facebook_model
    X, y = reviews(200)
    m = FastText([t.lower().split() for t in X], vector_size=8, min_count=1, epochs=1,
                 bucket=1000, workers=1)
    save_facebook_model(m, "f.bin")
    data = bytearray(open("f.bin", "rb").read())
    # the bucket count in the header (the 9th of 12 int32 after magic and version)
    data[8 + 8 * 4: 8 + 9 * 4] = struct.pack("<i", 90_000_000)
    open("lie.bin", "wb").write(data)
    from sklearn_rnn import load_word_vectors
    refused(lambda: load_word_vectors("lie.bin"), "matrix|declares")
    done("silent wrong", "loaded")
""")

for _name, _binary in (("word2vec-text-count-lies", False), ("word2vec-binary-count-lies", True)):
    case(_name, "vectors", f"a word2vec {'binary' if _binary else 'text'} header declaring "
         "1,000,000,000 vectors, one given")(f"""
    body = (b"good " + np.float32([0.5, 0.25]).tobytes() + b"\\n") if {_binary} \\
        else b"good 0.5 0.25\\n"
    open("v.bin" if {_binary} else "v.txt", "wb").write(b"1000000000 2\\n" + body)
    from sklearn_rnn import load_word_vectors
    refused(lambda: load_word_vectors("v.bin" if {_binary} else "v.txt",
                                      format="word2vec-binary" if {_binary}
                                      else "word2vec-text"), "declares")
    done("silent wrong", "loaded")
""")

case("fifo-named-csv", "files", "a FIFO named data.csv nobody writes to")("""
    os.mkfifo("d.csv")
    from sklearn_rnn.datasets import load_text_dataset
    refused(lambda: load_text_dataset("d.csv"), "not a regular file|FIFO|pipe")
    done("silent wrong", "read")
""")

case("dev-zero-as-csv", "files", "/dev/zero given as a CSV")("""
    os.symlink("/dev/zero", "z.csv")
    from sklearn_rnn.datasets import load_text_dataset
    refused(lambda: load_text_dataset("z.csv"))
    done("silent wrong", "read")
""")

case("csv-gz-bomb", "files", "a .csv.gz of 1 MB that inflates to 1 GiB")("""
    import gzip
    with gzip.open("d.csv.gz", "wb", compresslevel=1) as f:
        f.write(b"text,label\\n")
        for _ in range(1024): f.write(b"a" * 2**20)
    from sklearn_rnn.datasets import load_text_dataset
    refused(lambda: load_text_dataset("d.csv.gz"), "inflates to more than")
    done("blow-up", "read")
""")

case("json-nested-deep", "files", "a JSON file nested 100,000 deep")("""
    open("d.json", "w").write("[" * 100_000 + "]" * 100_000)
    from sklearn_rnn.datasets import load_text_dataset
    refused(lambda: load_text_dataset("d.json"))
    done("silent wrong", "read")
""")

case("jsonl-nested-deep", "files", "a JSON-lines file, a line nested 100,000 deep")("""
    open("d.jsonl", "w").write('{"text": "a", "label": "b"}\\n' + "[" * 100_000 + "]" * 100_000
                               + "\\n")
    from sklearn_rnn.datasets import load_text_dataset
    refused(lambda: load_text_dataset("d.jsonl"))
    done("silent wrong", "read")
""")

# --------------------------------------------------------------------------- #
# neighbours: saved states, options, dependencies
# --------------------------------------------------------------------------- #
case("export-onnx-opset-9", "dependencies", "export_onnx(opset=9)")("""
    from sklearn_rnn import export_onnx
    pipe, X = tiny_pipe()
    refused(lambda: export_onnx(pipe, "m.onnx", opset=9), "opset")
    done("ok", "exported")
""")

case("empty-x-val", "dependencies", "fit(X, y, X_val=[], y_val=[])")("""
    from sklearn_rnn import LSTMSentimentClassifier, TextVectorizer
    from sklearn.pipeline import make_pipeline
    X, y = reviews(80)
    pipe = make_pipeline(TextVectorizer(), LSTMSentimentClassifier(max_epochs=1,
                         hidden_size=8, embedding_dim=8))
    refused(lambda: pipe.fit(X, y, lstmsentimentclassifier__X_val=[],
                             lstmsentimentclassifier__y_val=[]), "X_val")
    done("silent wrong", "fitted")
""")

case("n-vocab-beyond-table", "dependencies", "a saved state whose n_vocab_ is 1,000,000 "
     "(ids beyond the table)")("""
    import pickle
    pipe, X = tiny_pipe()
    clf = pipe[-1]
    state = clf.__getstate__() if hasattr(clf, "__getstate__") else clf.__dict__
    clf.n_vocab_ = 1_000_000
    try:
        m = pickle.loads(pickle.dumps(pipe))
    except Exception as exc:
        refused(lambda: (_ for _ in ()).throw(exc))
    ids = np.array([[5, 999_999]])
    refused(lambda: m[-1].predict_proba(ids))
    done("silent wrong", "predicted")
""")

case("saved-state-device-meta", "dependencies", "a fitted classifier whose device is "
     "set to 'meta', pickled and predicting")("""
    import pickle
    pipe, X = tiny_pipe()
    pipe[-1].device = "meta"
    def go():
        m = pickle.loads(pickle.dumps(pipe))
        return m.predict_proba(X[:5])
    p = refused(go, "device")
    done("ok" if np.isfinite(p).all() else "silent wrong", "predicted on the CPU")
""")

case("truncated-tokens", "dependencies", "a pipeline whose classifier's tokens_ lost its "
     "last half")("""
    import pickle
    pipe, X = tiny_pipe()
    clf = pipe[-1]
    clf.tokens_ = clf.tokens_[: len(clf.tokens_) // 2]
    def go():
        m = pickle.loads(pickle.dumps(pipe))
        return m.predict_proba(X[:5])
    p = refused(go)
    done("silent wrong", "predicted with a vocabulary that does not match")
""")

case("vector-pickle-as-txt", "vectors", "a pickle named vectors.txt")("""
    import pickle
    class P:
        def __reduce__(self): return (open, ("ran", "w"))
    open("vectors.txt", "wb").write(pickle.dumps(P(), protocol=4))
    from sklearn_rnn import load_word_vectors
    refused(lambda: load_word_vectors("vectors.txt"), "pickle")
    done("security" if os.path.exists("ran") else "silent wrong", "unpickled")
""")

case("skops-regex-bomb", "loaders", "a skops file with token_pattern (?:a+)+$")("""
    import skops.io as sio
    from sklearn_rnn.persistence import load_skops
    pipe, X = tiny_pipe()
    pipe[0].token_pattern = r"(?:a+)+$"
    sio.dump(pipe, "m.skops")
    refused(lambda: load_skops("m.skops"), "trusted_token_patterns")
    done("blow-up", "loaded")
""")

case("label-dollar-mathtext", "rendering", "labels '$x^{' in the confusion figure")("""
    import matplotlib; matplotlib.use("Agg")
    from sklearn_rnn.evaluation import plot_confusion_matrix
    labels = np.array(["$x^{", "b$"], dtype=object)
    y = labels[[0, 1, 0, 1]]
    fig = refused(lambda: plot_confusion_matrix(None, None, y, y_pred=y, labels=labels))
    buf = io.BytesIO()
    refused(lambda: fig.savefig(buf, format="png"))
    done("ok", "drawn as text")
""")


# --------------------------------------------------------------------------- #
# the runner
# --------------------------------------------------------------------------- #
def run_case(name, timeout):
    family, tried, code = CASES[name]
    source = PREAMBLE % {"limit": MEMORY_LIMIT, "repo": str(_common.REPO)} + code
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        filter(None, [str(_common.REPO), os.environ.get("PYTHONPATH")])),
        "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        try:
            done = subprocess.run([sys.executable, "-c", source], cwd=folder, env=env,
                                  capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return {"name": name, "family": family, "tried": tried, "outcome": "hang",
                    "detail": f"still running after {timeout} s",
                    "seconds": time.perf_counter() - start}
    seconds = time.perf_counter() - start
    lines = [line for line in done.stdout.splitlines() if line.startswith("@@RESULT ")]
    if lines:
        result = json.loads(lines[-1][len("@@RESULT "):])
    elif done.returncode < 0 or "MemoryError" in done.stderr:
        result = {"outcome": "blow-up", "detail": f"killed (status {done.returncode}): "
                  + done.stderr[-200:]}
    else:
        tail = done.stderr.strip().splitlines()[-1:] or ["?"]
        result = {"outcome": "dependency error" if "site-packages" in done.stderr[-2000:]
                  else "data loss", "detail": f"uncaught: {tail[0][:250]}"}
    return {"name": name, "family": family, "tried": tried, **result, "seconds": seconds}


def markdown(saved):
    counts = saved["counts"]
    lines = [
        "# Adversarial pass",
        "",
        "Produced by `python benchmarks/adversarial.py`: each case in its own process, "
        f"address space limited to {MEMORY_LIMIT // 2**30} GiB, a timeout of "
        f"{saved['timeout']} s. Outcomes: `ok` (works, right answer), `clear error` (refused "
        "before harm, with the reason), and the failures: " + ", ".join(f"`{o}`" for o in BAD)
        + ".",
        "",
        "| outcome | cases |",
        "|---|---:|",
        *(f"| {o} | {counts.get(o, 0)} |" for o in OUTCOMES),
        f"| **all** | **{sum(counts.values())}** |",
        "",
        "| case | family | tried | outcome | behaviour now | s |",
        "|---|---|---|---|---|---:|",
    ]
    for r in saved["cases"]:
        detail = r["detail"].replace("|", "\\|").replace("\n", " ")[:220]
        tried = r["tried"].replace("|", "\\|")
        lines.append(f"| {r['name']} | {r['family']} | {tried} | {r['outcome']} | {detail} | "
                     f"{r['seconds']:.0f} |")
    machine = saved.get("machine") or {}
    lines += ["", f"Machine: {machine.get('cpu', '?')} (shared with other jobs: the seconds "
              "are indications)."]
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-k", default="", help="only cases whose name holds this")
    parser.add_argument("--timeout", type=int, default=240)
    args = parser.parse_args()
    out = RESULTS / "adversarial.json"
    previous = json.loads(out.read_text()) if out.exists() else {"cases": []}
    kept = {r["name"]: r for r in previous["cases"] if r["name"] in CASES}
    for name in CASES:
        if args.k in name:
            result = run_case(name, args.timeout)
            print(f"{result['outcome']:>16}  {name}: {result['detail'][:150]}", flush=True)
            kept[name] = result
    cases = [kept[n] for n in CASES if n in kept]
    counts = {o: sum(r["outcome"] == o for r in cases) for o in OUTCOMES}
    saved = {"machine": _common.machine(), "timeout": args.timeout, "counts": counts,
             "cases": cases}
    out.write_text(json.dumps(saved, indent=1))
    (RESULTS / "adversarial.md").write_text(markdown(saved))
    print(json.dumps(counts))


if __name__ == "__main__":
    main()
