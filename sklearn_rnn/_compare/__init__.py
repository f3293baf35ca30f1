"""The main job behind ``sklearn-rnn compare``: recurrent models against TF-IDF.

Loads the data (IMDB, movie_reviews, or the user's own files), trains the
chosen models on the same training documents and reports on the same test
documents: a table with a majority-class baseline, a classification report
per model, sample and misclassified documents with each model's prediction,
confidence and highlighted words, files (the table as CSV and JSON with the
settings, figures) and one self-contained page, ``report.html``.

The modules, in the order the job uses them: ``_settings`` (the options, one
typed object, checked when built), ``_data`` (reads and splits the data),
``_models`` (the rows: vectors, pipelines, the combined row), ``_run``
(trains and scores them: ``compare(settings)`` returns a ``Run`` of
``_results``), ``_curve`` (``--learning-curve``), ``_present`` (the terminal
report, figures and report page), ``_outputs`` (the run folder) and
``_progress`` (what is said while it works).

This package imports its dependencies at the top of each module; the
command line (``_cli.py``) imports ``_settings`` alone until a job runs, so
``sklearn-rnn --help`` starts fast.
"""
