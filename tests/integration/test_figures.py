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
