"""Dataset loaders: IMDB (aclImdb) and the Pang & Lee movie reviews."""

from ._base import get_data_home
from ._imdb import load_imdb, load_imdb_splits, load_movie_reviews

__all__ = ["get_data_home", "load_imdb", "load_imdb_splits", "load_movie_reviews"]
