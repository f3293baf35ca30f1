"""The main job behind ``sklearn-rnn compare``: recurrent models against TF-IDF.

Loads the data (IMDB, movie_reviews, or the user's own files), trains the
chosen models on the same training documents and reports on the same test
documents: a table with a majority-class baseline, a classification report
per model, sample and misclassified documents with each model's prediction,
confidence and highlighted words, files (the table as CSV and JSON with the
settings, figures) and one self-contained page, ``report.html``.

``_data`` reads and splits the data, ``_models`` makes the rows (vectors,
the combined row), ``_run`` trains and scores them, ``_present`` shows the
results, ``_curve`` is ``--learning-curve``, ``_outputs`` the run folder,
``_progress`` what is said while it works.
"""

from ._data import cli_words, load_comparison_data
from ._models import DEFAULT_MODELS, MODELS
from ._run import compare

__all__ = ["compare", "MODELS", "DEFAULT_MODELS", "load_comparison_data", "cli_words"]
