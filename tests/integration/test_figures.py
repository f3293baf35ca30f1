"""The comparison figure: its axis starts at 0, a chance line, a title
(issue 25: an axis starting at 61% exaggerated the gaps)."""

import pytest

from sklearn_rnn.evaluation import plot_comparison


def test_comparison_figure_starts_at_zero_with_the_chance_line_and_title():
    pytest.importorskip("matplotlib")
    import matplotlib.pyplot as plt

    rows = [{"model": "RNN", "accuracy": 0.612, "macro_f1": 0.60},
            {"model": "TF-IDF + LogReg", "accuracy": 0.852, "macro_f1": 0.85}]
    fig = plot_comparison(rows, title="IMDB: 2,000 training, 5,000 test documents",
                          chance=0.5)
    ax = fig.axes[0]
    assert ax.get_ylim()[0] == 0  # not the lowest bar
    assert ax.get_title() == "IMDB: 2,000 training, 5,000 test documents"
    dashed = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
    assert len(dashed) == 1 and list(dashed[0].get_ydata()) == [50.0, 50.0]
    assert "majority class (50.0%)" in [t.get_text() for t in ax.get_legend().get_texts()]
    heights = sorted(round(p.get_height(), 1) for p in ax.patches)
    assert heights == [60.0, 61.2, 85.0, 85.2]
    plt.close(fig)


@pytest.mark.parametrize("n", [3, 40, 300])
def test_confusion_matrix_figure_is_bounded_in_classes(n):
    import io
    import resource

    import numpy as np

    from sklearn_rnn.evaluation import MAX_FIGURE_INCHES, plot_confusion_matrix

    rng = np.random.default_rng(0)
    labels = np.array([f"class ${k}$ \x1b[2J{'x' * 40}" for k in range(n)], dtype=object)
    y = labels[rng.integers(n, size=20 * n)]
    pred = np.where(rng.random(len(y)) < 0.7, y, labels[rng.integers(n, size=len(y))])
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    fig = plot_confusion_matrix(None, None, y, y_pred=pred, labels=labels, normalize="true",
                                title="model \u202e")
    width, height = fig.get_size_inches()
    assert max(width, height) <= MAX_FIGURE_INCHES + 0.5
    ax = fig.axes[0]
    texts = [t.get_text() for t in ax.texts]
    assert len(texts) == (n * n if n <= 20 else 0)  # values in the cells, up to 20 classes
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert len(ticks) == (n if n <= 60 else 0)
    assert all(len(t) <= 26 and "\x1b" not in t for t in ticks)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)  # '$' is not read as mathematics
    assert len(buffer.getvalue()) < 5_000_000
    # ru_maxrss is in kB on Linux: well under the 2 GB that 100 classes took
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 500_000
    import matplotlib.pyplot as plt

    plt.close(fig)
