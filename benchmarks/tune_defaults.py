"""Evidence for the classifiers' defaults: validation accuracy on IMDB.

Trains ``TextVectorizer()`` + ``LSTMSentimentClassifier(**config)`` (what
``make_pipeline`` does) for 8 epochs on a fixed split of the IMDB train reviews
(default 20,000 to train, 5,000 to validate) for each named configuration,
records the held-out accuracy after every epoch (which epoch count to default
to), and appends the results to a JSON file, so a long series can be resumed.
Accuracy does not depend on the machine; the times do.

Usage::

    python benchmarks/tune_defaults.py --data ../shared/datasets/imdb/aclImdb_train.tar.gz \
        --configs shipped,lr3e-3,lr3e-3-last,lr3e-3-bidirectional
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch
from skorch.callbacks import Callback

from sklearn_rnn import LSTMSentimentClassifier, TextVectorizer
from sklearn_rnn._nn._data import to_dataset
from sklearn_rnn.datasets import load_imdb

#: name -> (TextVectorizer params, classifier params) on top of the defaults
CONFIGS = {
    # the defaults when this series started: lr=1e-3, pooling='max', batch 64
    "default": ({}, dict(lr=1e-3)),
    "lr3e-3": ({}, dict(lr=3e-3)),
    # the shipped defaults as they are: early_stopping='auto' is on above 10,000
    # documents, max_epochs=10
    "shipped": ({}, dict(max_epochs=10)),
    "lr3e-3-last": ({}, dict(lr=3e-3, pooling="last")),
    "lr3e-3-mean": ({}, dict(lr=3e-3, pooling="mean")),
    "lr3e-3-bidirectional": ({}, dict(lr=3e-3, bidirectional=True)),
    "lr3e-3-dropout0.3": ({}, dict(lr=3e-3, dropout=0.3)),
    "lr3e-3-batch128": ({}, dict(lr=3e-3, batch_size=128)),
    "lr3e-3-maxlen400": (dict(maxlen=400), dict(lr=3e-3)),
    "lr3e-3-vocab30k": (dict(max_features=30000), dict(lr=3e-3)),
}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=None)
    parser.add_argument("--n-train", type=int, default=20000)
    parser.add_argument("--n-valid", type=int, default=5000)
    parser.add_argument("--configs", default="default")
    parser.add_argument("--max-epochs", type=int, default=8,
                        help="epochs for the rows without early stopping")
    parser.add_argument("--out", default="benchmarks/results/tune_defaults.json")
    args = parser.parse_args(argv)

    X, y = load_imdb(data_home=args.data, return_X_y=True)
    X_train, y_train = X[: args.n_train], y[: args.n_train]
    X_valid, y_valid = X[-args.n_valid:], y[-args.n_valid:]
    out = Path(args.out)
    results = json.loads(out.read_text()) if out.exists() else []
    for name in args.configs.split(","):
        vec_params, clf_params = CONFIGS[name]
        params = {"max_epochs": args.max_epochs, "early_stopping": False, **clf_params}
        if name == "shipped":
            params.pop("early_stopping")
        start = time.perf_counter()
        vec = TextVectorizer(**vec_params)
        ids_train = vec.fit_transform(X_train)
        ids_valid = vec.transform(X_valid)
        holdout = HoldoutAccuracy(ids_valid, np.asarray(y_valid))
        clf = LSTMSentimentClassifier(random_state=0, verbose=1,
                                      callbacks=[("holdout", holdout)], **params)
        clf.fit(ids_train, y_train)
        fit_seconds = time.perf_counter() - start
        acc = clf.score(ids_valid, y_valid)  # after early stopping's restore, if any
        history = clf.history_
        curve = [round(float(a), 4) for a in history[:, "holdout_acc"]]
        row = {
            "config": name,
            "vectorizer": vec_params,
            "classifier": params,
            "valid_accuracy": round(float(acc), 4),
            "holdout_acc_per_epoch": curve,
            "best_epoch": int(np.argmax(curve)) + 1,
            "epochs": len(history),
            "train_acc_per_epoch": [round(float(a), 4) for a in history[:, "train_acc"]],
            "fit_seconds": round(fit_seconds, 1),
            "seconds_per_epoch": round(float(np.mean(history[:, "dur"])), 1),
            "device": clf.device_,
            "threads": torch.get_num_threads(),
            "n_train": args.n_train,
            "n_valid": args.n_valid,
        }
        results.append(row)
        print(row, flush=True)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(results, indent=2))


class HoldoutAccuracy(Callback):
    """Record the accuracy on held-out reviews after every epoch."""

    def __init__(self, ids, y):
        self.ids = ids
        self.y = y

    def on_epoch_end(self, net, **kwargs):
        data = to_dataset(self.ids)
        classes = np.unique(self.y)
        logits = net.forward(data).numpy()
        pred = np.empty(len(data), dtype=classes.dtype)
        pred[data.order] = classes[logits.argmax(axis=1)]
        net.history.record("holdout_acc", float(np.mean(pred == self.y)))


if __name__ == "__main__":
    main()
