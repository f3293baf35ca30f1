"""Dataset loaders: IMDB (aclImdb), the Pang & Lee movie reviews, and your own files."""

from ._base import get_data_home
from ._files import load_text_dataset, load_text_files
from ._imdb import load_imdb, load_imdb_splits
from ._movie_reviews import load_movie_reviews

__all__ = ["get_data_home", "load_imdb", "load_imdb_splits", "load_movie_reviews",
           "load_text_dataset", "load_text_files"]
