"""Pretrained word vectors aligned with TextVectorizer ids."""

import numpy as np

__all__ = ["resolve_embeddings", "is_word_vectors"]


def is_word_vectors(value):
    """True for gensim KeyedVectors or Word2Vec-like models."""
    return hasattr(value, "key_to_index") or hasattr(value, "wv")


def resolve_embeddings(embeddings, *, tokens, embedding_dim, n_rows, seed):
    """Return ``(matrix, report)`` for the ``embeddings`` parameter."""
    if embeddings is None:
        return None, None
    matrix = np.asarray(
        embeddings.detach().cpu().numpy() if hasattr(embeddings, "detach") else embeddings
    )
    if matrix.ndim != 2:
        raise ValueError(
            f"embeddings must be a 2-D matrix (vocabulary x dimension), got shape "
            f"{matrix.shape}."
        )
    if matrix.dtype.kind not in "fiu":
        raise ValueError(f"embeddings must be numeric, got dtype {matrix.dtype}.")
    matrix = matrix.astype(np.float32)
    if not np.isfinite(matrix).all():
        raise ValueError("embeddings contain NaN or infinite values.")
    return matrix, None
