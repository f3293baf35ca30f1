"""The ``sklearn-rnn`` command: ``sklearn-rnn compare`` runs the main job,
``sklearn-rnn predict`` uses a model it saved.

The arguments are parsed here, once, into a
:class:`~sklearn_rnn._compare._settings.CompareSettings` (whose fields hold
the defaults shown by ``--help``); the comparison itself is in ``_compare/``,
imported only when a job runs so that ``sklearn-rnn --help`` starts fast.
"""

import argparse
import sys
from pathlib import Path

from ._compare._settings import DEFAULT_MODELS, MODELS, CompareSettings

__all__ = ["main", "build_parser"]


def _positive_int_or_all(text):
    if text == "all":
        return None
    if text == "quick":  # --n-train's default, resolved once the data is known
        return text
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a positive integer or 'all', got {text!r}"
        ) from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer or 'all', got {text!r}")
    return value


def _fraction(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a fraction such as 0.2, got {text!r}") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"expected a fraction between 0 and 1, got {text!r}")
    return value


def _model_list(text):
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in MODELS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown model(s) {', '.join(unknown) or repr(text)}; choose among "
            f"{', '.join(MODELS)}"
        )
    return names


def build_parser():
    """The argument parser of ``sklearn-rnn``."""
    from . import __version__
    from .tokenizers import TOKENIZERS

    parser = argparse.ArgumentParser(
        prog="sklearn-rnn", allow_abbrev=False,
        description="Recurrent-network text classifiers with a scikit-learn interface.",
    )
    parser.add_argument("--version", action="version", version=f"sklearn_rnn {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    cmp = sub.add_parser(
        "compare", allow_abbrev=False,
        help="train recurrent models and a TF-IDF baseline on the same data and compare them",
        description=(
            "Train recurrent models (RNN, LSTM, the LSTM with word vectors learnt "
            "elsewhere) and a TF-IDF + LogisticRegression baseline on the same documents, "
            "combine the best two, and compare them on the same test documents against "
            "always predicting the most frequent class: a table (accuracy, misclassified "
            "rate, accuracy per class, macro F1, fit and predict time), classification "
            "reports, sample and misclassified documents with highlighted words, and "
            "files: report.html (one page to open in a browser), the table (CSV, and JSON "
            "with the settings), training curves, confusion matrices and a figure "
            "comparing the models (PNG). Data: IMDB or movie_reviews (downloaded when "
            "missing), or your own CSV/TSV, JSON lines, Parquet or .txt files, or a folder "
            "with one sub-folder of text files per class. The defaults are a quick run on "
            "a CPU; --n-train all --epochs 10 for a full one."
        ),
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    data = cmp.add_argument_group("data")
    data.add_argument("--data", default=None, metavar="PATH", action="append",
                      help="your data (.csv, .tsv, .jsonl, .json, .parquet, .txt, or a "
                           "folder with one sub-folder per class), or the IMDB archive or "
                           "movie_reviews.zip; give it once per file for one document per "
                           "line and one file per class (--data pos.txt --data neg.txt: the "
                           "labels are the file names); none: IMDB from $SKLEARN_RNN_DATA "
                           "or ~/sklearn_rnn_data")
    data.add_argument("--dataset", choices=["imdb", "movie_reviews", "file", "files"],
                      default=None, help="what --data is, when its name does not tell")
    data.add_argument("--format", default=None,
                      choices=["csv", "tsv", "jsonl", "json", "parquet", "txt", "folder"],
                      help="the format of your file, when its name does not tell; none: "
                           "from the name")
    header = data.add_mutually_exclusive_group()
    header.add_argument("--header", dest="header", action="store_const", const=True,
                        default="auto", help="the first row of a CSV/TSV names the columns; "
                                             "'auto': detected")
    header.add_argument("--no-header", dest="header", action="store_const", const=False,
                        help="the first row of a CSV/TSV is data: the columns are named "
                             "0, 1, ...")
    data.add_argument("--text-column", default=None, metavar="NAME",
                      help="column with the text (comma-separated to join several); "
                           "none: detected")
    data.add_argument("--label-column", default=None, metavar="NAME",
                      help="column with the labels; none: detected")
    data.add_argument("--test-data", default=None, metavar="PATH",
                      help="a separate file of test documents (same columns)")
    data.add_argument("--test-size", type=_fraction, default=CompareSettings.test_size,
                      help="share held out for testing when there is no test split")
    data.add_argument("--n-train", type=_positive_int_or_all, default=CompareSettings.n_train,
                      help="training documents ('all' for every one); 'quick': 2,000 of "
                           "IMDB or movie_reviews, all of your own data")
    data.add_argument("--n-test", type=_positive_int_or_all, default=None,
                      help="test documents, instead of --test-size ('all': the whole test "
                           "split)")
    data.add_argument("--unlabelled", default=CompareSettings.unlabelled, metavar="PATH",
                      help="unlabelled text for word2vec (the transfer row and the *-w2v "
                           "rows): a .txt file with one document per line, or a data file; "
                           "'unsup': IMDB's 50,000 unlabelled reviews; 'auto': those for "
                           "IMDB, none otherwise; 'none'")
    data.add_argument("--transductive", action="store_true",
                      help="let word2vec read the test documents' text too (never their "
                           "labels); said in the output")
    data.add_argument("--labels", default=None, metavar="LIST",
                      help="the order to show the labels in, comma-separated (e.g. "
                           "'very negative,negative,neutral,positive,very positive'); none: "
                           "sorted, numbers as numbers")
    data.add_argument("--encoding", default=None, metavar="NAME",
                      help="the text encoding of your files (e.g. latin-1, cp1252); none: "
                           "UTF-8, and Windows' cp1252 for a file that is not UTF-8 (said in "
                           "the output)")
    data.add_argument("--no-download", action="store_true",
                      help="fail instead of downloading a missing dataset")
    model = cmp.add_argument_group("models")
    model.add_argument("--models", type=_model_list, default=list(DEFAULT_MODELS),
                       metavar="LIST", help=f"comma-separated, among {', '.join(MODELS)}")
    model.add_argument("--vectors", default=None, metavar="NAME|PATH|own|none",
                       help="word vectors of the transfer row: a name of gensim-data (e.g. "
                            "glove-wiki-gigaword-100, word2vec-google-news-300, "
                            "fasttext-wiki-news-subwords-300; downloaded once), a file, "
                            "'own' (word2vec on the documents given) or 'none'; none given: "
                            "word2vec on the training documents and the unlabelled text when "
                            "there is some (--unlabelled; IMDB's own), else none")
    model.add_argument("--tokenizer", choices=sorted(TOKENIZERS), default=None,
                       help="analyser for languages without spaces (Japanese: janome or "
                            "fugashi; Korean: kiwipiepy; Chinese: jieba; any: char); none: "
                            "words and digits")
    for option, what in (("epochs", "maximum training epochs"),
                         ("maxlen", "tokens kept per document"),
                         ("max_features", "vocabulary size"),
                         ("embedding_dim", "token embedding size"),
                         ("hidden_size", "recurrent state size"),
                         ("batch_size", "documents per batch")):
        model.add_argument(f"--{option.replace('_', '-')}", type=int,
                           default=getattr(CompareSettings, option), help=what)
    model.add_argument("--lr", type=float, default=None,
                       help="learning rate; none: the classifiers' default")
    model.add_argument("--device", default=CompareSettings.device,
                       help="'auto', 'cpu' or 'cuda'")
    model.add_argument("--seed", type=int, default=CompareSettings.seed, help="random seed")
    output = cmp.add_argument_group("output")
    output.add_argument("--out", default=CompareSettings.out, metavar="DIR",
                        help="folder for report.html, the tables and the figures; when it "
                             "holds an earlier run, a dated sub-folder")
    output.add_argument("--overwrite", action="store_true",
                        help="replace an earlier run's files in --out")
    output.add_argument("--learning-curve", nargs="?", const="auto", default=None,
                        metavar="SIZES",
                        help="also fit TF-IDF and the best recurrent row at growing numbers "
                             "of labelled documents (comma-separated sizes; none given: "
                             "n/8, n/4, n/2, n) and say where they cross")
    output.add_argument("--no-plots", action="store_true", help="skip the PNG files")
    save = output.add_mutually_exclusive_group()
    save.add_argument("--save", dest="save", action="store_true", default=CompareSettings.save,
                      help="keep every row's fitted model in DIR/models (.skops: loads "
                           "without running code), with a model card, and DIR/best.json "
                           "naming the winner (for sklearn-rnn predict)")
    save.add_argument("--no-save", dest="save", action="store_false",
                      help="keep no model (the table, figures and report only)")
    output.add_argument("--quiet", action="store_true", help="no progress lines")
    _add_predict(sub)
    return parser


def _add_predict(sub):
    """``sklearn-rnn predict``'s options."""
    pred = sub.add_parser(
        "predict", allow_abbrev=False,
        help="predict the documents of a file with a saved model (a run of compare, or a "
             ".skops file)",
        description=(
            "Predict the class of every document of a file with a saved model: the best "
            "model of a run of 'sklearn-rnn compare' (--model <its folder>), one of its "
            "rows (--model <folder>/models/<row>.skops), or any .skops file. The file is "
            "read as compare reads its data (CSV/TSV, JSON lines, JSON, Parquet, .txt with "
            "one document per line, a folder of text files), with no label column needed. "
            "Writes one prediction per document, in order, as CSV or JSON lines; "
            "--proba adds each class's probability; --explain writes a page of documents "
            "with the words that made each prediction highlighted. A pickle is refused "
            "unless --trust-pickle: loading one runs any code it holds."
        ),
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    pred.add_argument("--model", required=True, metavar="PATH",
                      help="a run folder of sklearn-rnn compare (its best model), its "
                           "best.json, or a .skops file")
    pred.add_argument("--data", required=True, metavar="PATH",
                      help="the documents (.csv, .tsv, .jsonl, .json, .parquet, .txt with "
                           "one document per line, or a folder of text files)")
    pred.add_argument("--proba", action="store_true",
                      help="add each class's probability (proba_<class> columns)")
    pred.add_argument("--explain", nargs="?", const="auto", default=None, metavar="HTML",
                      help="also write a page of the first documents with their words "
                           "highlighted (none given: beside --out, or predictions.html)")
    pred.add_argument("--out", default=None, metavar="FILE",
                      help="write the predictions here instead of stdout")
    pred.add_argument("--output-format", choices=["csv", "jsonl"], default=None,
                      help="none: jsonl for an --out ending in .jsonl/.json, else csv")
    pred.add_argument("--format", default=None,
                      choices=["csv", "tsv", "jsonl", "json", "parquet", "txt", "folder"],
                      help="the format of --data, when its name does not tell")
    header = pred.add_mutually_exclusive_group()
    header.add_argument("--header", dest="header", action="store_const", const=True,
                        default="auto", help="the first row of a CSV/TSV names the columns")
    header.add_argument("--no-header", dest="header", action="store_const", const=False,
                        help="the first row of a CSV/TSV is data")
    pred.add_argument("--text-column", default=None, metavar="NAME",
                      help="column with the text (comma-separated to join several); none: "
                           "the run's, else detected")
    pred.add_argument("--label-column", default=None, metavar="NAME",
                      help="a column of true labels, to report the accuracy against")
    pred.add_argument("--encoding", default=None, metavar="NAME",
                      help="the text encoding of --data; none: UTF-8, and cp1252 for a "
                           "file that is not UTF-8 (said)")
    pred.add_argument("--trust-pickle", action="store_true",
                      help="load a --model that is a pickle or joblib file (runs any code "
                           "it holds: only for files you trust)")
    pred.add_argument("--quiet", action="store_true",
                      help="say nothing on stderr (the predictions only)")


def _check_plotting(parser, settings):
    """Fail before training, not after, when the figures cannot be drawn."""
    if settings.no_plots:
        return
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        parser.error("the figures need matplotlib: pip install matplotlib (or pass "
                     "--no-plots)")


def _shown(message):
    """An error message as the terminal gets it: a label or a line of a
    stranger's file in it cannot send control sequences."""
    from ._utils._printable import printable

    return printable(message, document=True, lines=True)


def main(argv=None):
    """Entry point of the ``sklearn-rnn`` console script; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "compare":
        try:
            settings = CompareSettings.from_namespace(args)
        except ValueError as exc:
            parser.error(str(exc))
        _check_plotting(parser, settings)
        from ._compare._data import cli_words
        from ._compare._run import compare

        try:
            compare(settings)
        except (OSError, ValueError, ImportError) as exc:
            print(f"sklearn-rnn compare: error: {_shown(cli_words(str(exc)))}",
                  file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            print("sklearn-rnn compare: interrupted; the rows scored so far are in "
                  f"comparison.csv/json under {settings.out}.", file=sys.stderr)
            return 130
    elif args.command == "predict":
        return _predict(parser, args)
    return 0


def _predict(parser, args):
    from ._predict import PredictSettings

    if args.explain == "auto":
        args.explain = str(Path(args.out).with_suffix(".html")) if args.out \
            else "predictions.html"
    try:
        settings = PredictSettings.from_namespace(args)
    except ValueError as exc:
        parser.error(str(exc))
    from ._compare._data import cli_words
    from ._predict import predict

    try:
        predict(settings)
    except BrokenPipeError:  # pragma: no cover - e.g. | head
        return 0
    except (OSError, ValueError, ImportError) as exc:
        print(f"sklearn-rnn predict: error: {_shown(cli_words(str(exc)))}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
