"""The training memory estimate against the measured peak.

``fit`` refuses to start when its estimate of the memory training needs
(``sklearn_rnn._nn._device.estimate_training_memory``: the weights with their
gradients and Adam's two moments, the widest batch's activations, the
``(batch x n-grams x classes)`` tensors of the n-gram path, the batches
materialised on the device) exceeds the free memory. This measures, for each
case in a fresh process, the real peak of one training epoch on the CPU: the
growth of the resident set's high-water mark (``VmHWM``, reset through
``/proc/self/clear_refs`` just before ``fit``) over the resident set before
it, after a small warm-up fit has paid torch's one-time costs. Cases vary the
cell, the n-gram range ((1, 1) to (1, 5)), the class count (2 to 1,000), the
batch size, the document length and the layer sizes; the estimate should be
within 1.5x of the peak (ratio estimate / peak in [0.67, 1.5]), and above it
where it can.

Usage (from the repository root; Linux only; about 10 minutes on 2 CPU cores)::

    python benchmarks/memory.py --machine-label "2-core Intel Xeon VM, 24 GB"

Writes ``benchmarks/results/memory.json`` and ``memory.md``.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

#: The reference case; each case changes some of it.
BASE = dict(cell="lstm", ngram_range=(1, 2), n_classes=2, batch_size=64, length=400,
            embedding_dim=128, hidden_size=128, num_layers=1, bidirectional=False,
            vocab=20_000, documents=512, conv_filters=None, dense_units=None)

CASES = [
    {},
    {"cell": "rnn"}, {"cell": "gru"},
    {"ngram_range": None}, {"ngram_range": (1, 1)}, {"ngram_range": (1, 3)},
    {"ngram_range": (1, 5)},
    {"n_classes": 20}, {"n_classes": 100}, {"n_classes": 300}, {"n_classes": 1000},
    {"n_classes": 300, "ngram_range": (1, 5)},
    {"n_classes": 1000, "ngram_range": (1, 5), "batch_size": 32},
    {"n_classes": 1000, "ngram_range": None},
    {"batch_size": 16}, {"batch_size": 256}, {"batch_size": 256, "ngram_range": (1, 5)},
    {"length": 100}, {"length": 1500, "batch_size": 32},
    {"embedding_dim": 300, "vocab": 100_000}, {"hidden_size": 512},
    {"num_layers": 2, "bidirectional": True},
    {"cell": "gru", "num_layers": 3, "hidden_size": 256, "ngram_range": None},
    {"conv_filters": 64, "dense_units": 64},
    {"cell": "rnn", "n_classes": 20, "ngram_range": (1, 4), "batch_size": 128},
]

_CODE = r"""
import gc, json, sys
import numpy as np, torch
torch.set_num_threads(1)
from sklearn_rnn import RecurrentTextClassifier
from sklearn_rnn._classifier import _RecurrentBase

case = json.loads(sys.argv[1])
record = {}
check = _RecurrentBase._check_training_memory

def spy(self, train, sizes, device):
    record["estimate"] = self._training_memory(train, sizes)
    return check(self, train, sizes, device)

_RecurrentBase._check_training_memory = spy

def rss(field):  # kB, from the kernel
    for line in open("/proc/self/status"):
        if line.startswith(field):
            return int(line.split()[1]) * 1024

def data(n, length, vocab, n_classes, seed):
    rng = np.random.default_rng(seed)
    X = rng.integers(2, vocab, size=(n, length)).astype(np.int32)
    return X, np.arange(n) % n_classes

params = {k: case[k] for k in ("cell", "batch_size", "embedding_dim", "hidden_size",
                               "num_layers", "bidirectional", "conv_filters", "dense_units")}
params["ngram_range"] = None if case["ngram_range"] is None else tuple(case["ngram_range"])
common = dict(max_epochs=1, early_stopping=False, random_state=0, vocab_size=case["vocab"])
# warm-up: torch's one-time costs (kernels, threads, allocator) out of the peak
X, y = data(64, 16, 50, 2, 1)
RecurrentTextClassifier(**{**params, "embedding_dim": 8, "hidden_size": 8, "batch_size": 16,
                           "ngram_range": None if params["ngram_range"] is None else (1, 2)},
                        **{**common, "vocab_size": 50}).fit(X, y)
n = max(case["documents"], 2 * case["n_classes"])
X, y = data(n, case["length"], case["vocab"], case["n_classes"], 0)
clf = RecurrentTextClassifier(**params, **common)
gc.collect()
base = rss("VmRSS")
open("/proc/self/clear_refs", "w").write("5")  # the high-water mark starts again here
clf.fit(X, y)
record["peak"] = rss("VmHWM") - base
record["ngram_rows"] = clf.net_.module_.ngram.buckets if clf.net_.module_.ngram else 0
print(json.dumps(record))
"""


def measure(case):
    out = subprocess.run([sys.executable, "-c", _CODE, json.dumps(case)], capture_output=True,
                         text=True, cwd=REPO, env={**os.environ, "OMP_NUM_THREADS": "1",
                                                   "PYTHONPATH": str(REPO)})
    if out.returncode:
        raise RuntimeError(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def _label(change):
    return ", ".join(f"{k}={v}" for k, v in change.items()) or "reference"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--machine-label", default="")
    parser.add_argument("--only", type=int, nargs="*", help="case numbers to run")
    parser.add_argument("--out", default=str(REPO / "benchmarks" / "results" / "memory"))
    args = parser.parse_args(argv)
    rows = []
    for i, change in enumerate(CASES):
        if args.only and i not in args.only:
            continue
        case = {**BASE, **change}
        result = measure(case)
        row = {"case": _label(change), **case, **result,
               "ratio": round(result["estimate"] / result["peak"], 3)}
        rows.append(row)
        print(f"{i:2d} {row['case']:60s} estimate {row['estimate'] / 2**20:8.0f} MB  peak "
              f"{row['peak'] / 2**20:8.0f} MB  ratio {row['ratio']:.2f}", flush=True)
    ratios = [r["ratio"] for r in rows]
    result = {"machine": args.machine_label or platform.processor(), "cpus": os.cpu_count(),
              "torch_threads": 1, "reference": BASE, "rows": rows,
              "ratio_min": min(ratios), "ratio_max": max(ratios)}
    Path(args.out + ".json").write_text(json.dumps(result, indent=1))
    lines = [
        "# Training memory: the estimate against the measured peak\n",
        f"Machine: {result['machine']} ({result['cpus']} CPUs), CPU, 1 torch thread, one "
        "epoch per case in a fresh process. Peak: growth of VmHWM over the resident set "
        "before `fit` (after a warm-up fit). Reference case: "
        + ", ".join(f"{k}={v}" for k, v in BASE.items()) + "; each row changes what it "
        "names. The n-gram table has the rows `ngram_buckets='auto'` gives.\n",
        f"Estimate / peak: from {result['ratio_min']:.2f} to {result['ratio_max']:.2f} "
        "(the target: within 1.5x, i.e. 0.67 to 1.5).\n",
        "| case | n-gram rows | estimate (MB) | peak (MB) | estimate / peak |",
        "|---|---:|---:|---:|---:|",
    ]
    lines += [f"| {r['case']} | {r['ngram_rows']:,} | {r['estimate'] / 2**20:,.0f} | "
              f"{r['peak'] / 2**20:,.0f} | {r['ratio']:.2f} |" for r in rows]
    Path(args.out + ".md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
