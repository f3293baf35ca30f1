"""Sphinx configuration for the sklearn_rnn documentation.

Build (from the repository root), warnings as errors::

    sphinx-build -W --keep-going -b html docs docs/_build/html

Everything is local: no intersphinx inventories, no remote images or icons.
"""

import sklearn_rnn

# -- Project -----------------------------------------------------------------
project = "sklearn_rnn"
author = "sklearn_rnn developers"
copyright = "sklearn_rnn developers"
version = sklearn_rnn.__version__
release = sklearn_rnn.__version__

# -- General -----------------------------------------------------------------
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "sphinx.ext.viewcode",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
# Literal ``code`` by default, as in NumPy and scikit-learn docstrings.
default_role = "literal"

# Report every cross-reference that does not resolve ...
nitpicky = True
# ... except these references to scikit-learn made by our docstrings: without
# intersphinx (the build runs offline) they cannot resolve. They still read
# well as plain text.
nitpick_ignore = [
    # TextVectorizer docstring, See Also section
    ("py:obj", "sklearn.feature_extraction.text.CountVectorizer"),
    # sklearn_rnn.evaluation.plot_confusion_matrix docstring, ``normalize``
    ("py:func", "sklearn.metrics.confusion_matrix"),
    ("py:func", "sklearn.datasets.load_files"),
    # NBSVMClassifier and HoldoutStackingClassifier docstrings, See Also sections
    ("py:obj", "sklearn.linear_model.LogisticRegression"),
    ("py:obj", "sklearn.naive_bayes.MultinomialNB"),
    ("py:obj", "sklearn.ensemble.StackingClassifier"),
]

# -- autodoc / autosummary / numpydoc ----------------------------------------
autosummary_generate = True  # stubs go to docs/generated/ (git-ignored)
autodoc_default_options = {"member-order": "bysource"}
autodoc_typehints = "none"  # the numpydoc sections give the types

numpydoc_show_class_members = False  # members are listed by the class template
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True


def _skip_member(app, what, name, obj, skip, options):
    """Leave out scikit-learn's generated metadata-routing methods.

    ``set_{fit,score,...}_request`` and ``get_metadata_routing`` are added to
    every estimator by scikit-learn; their docstrings link into
    scikit-learn's user guide, which cannot resolve here.
    """
    if name == "get_metadata_routing" or (
        name.startswith("set_") and name.endswith("_request")
    ):
        return True
    return skip


def setup(app):
    app.connect("autodoc-skip-member", _skip_member)


# -- HTML --------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"sklearn_rnn {release}"
html_static_path = []
html_theme_options = {
    "icon_links": [],
    "navbar_end": ["theme-switcher", "navbar-icon-links"],
    "secondary_sidebar_items": ["page-toc", "sourcelink"],
    "show_toc_level": 2,
    "navigation_with_keys": False,
}
html_show_sourcelink = True
